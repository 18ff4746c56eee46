//! Bad input gives errors naming the field, never a panic.

mod common;

use common::{btc, levels, market};
use liq_domain::{BookSpec, DepthProfile, ImpactKind, SquareRootParams};
use liq_impact::book::L2Book;
use liq_impact::cross::CrossImpact;
use liq_impact::sqrt_law::SquareRootImpact;
use liq_impact::{ImpactError, ImpactModel};

fn field(e: ImpactError) -> String {
    let ImpactError::Invalid { field, .. } = e;
    field
}

fn book_err(spec: &BookSpec) -> String {
    field(L2Book::from_spec(spec, &market(1.0, 1.0, 100.0), 100.0, 1.0).unwrap_err())
}

#[test]
fn level_errors_name_the_level() {
    let asks = [(101.0, 1.0)];
    assert_eq!(book_err(&levels(&[(100.0, 1.0), (100.0, 1.0)], &asks)), "bids[1].price");
    assert_eq!(book_err(&levels(&[(100.0, 1.0), (101.0, 1.0)], &[(102.0, 1.0)])), "bids[1].price");
    assert_eq!(book_err(&levels(&[(100.0, 1.0)], &[(103.0, 1.0), (102.0, 1.0)])), "asks[1].price");
    assert_eq!(book_err(&levels(&[(100.0, 1.0)], &[(100.0, 1.0)])), "asks[0].price");
    assert_eq!(book_err(&levels(&[(100.0, f64::NAN)], &asks)), "bids[0].qty");
    assert_eq!(book_err(&levels(&[(100.0, -1.0)], &asks)), "bids[0].qty");
    assert_eq!(book_err(&levels(&[(100.0, 1.5)], &asks)), "bids[0].qty");
    assert_eq!(book_err(&levels(&[(100.0, 1.0), (f64::INFINITY, 1.0)], &asks)), "bids[1].price");
    assert_eq!(book_err(&levels(&[(99.5, 1.0)], &asks)), "bids[0].price");
    assert_eq!(book_err(&levels(&[], &asks)), "bids");
    // A level a billion ticks away would need gigabytes of dense levels.
    assert_eq!(book_err(&levels(&[(1e9, 1.0), (1.0, 1.0)], &[(1e9 + 1.0, 1.0)])), "bids");
}

#[test]
fn profile_and_market_errors() {
    let good = DepthProfile {
        bucket_bps: 1.0,
        bid_notional_usd: vec![1e5, 1e5],
        ask_notional_usd: vec![1e5, 1e5],
        spread_ticks: 1,
    };
    let m = btc();
    let err = |p: &DepthProfile, mid: f64, tau: f64| {
        field(L2Book::from_spec(&BookSpec::Profile(p.clone()), &m, mid, tau).unwrap_err())
    };
    assert!(L2Book::from_spec(&BookSpec::Profile(good.clone()), &m, 61_800.0, 1.0).is_ok());
    let mut p = good.clone();
    p.bid_notional_usd[1] = f64::NAN;
    assert_eq!(err(&p, 61_800.0, 1.0), "bid_notional_usd[1]");
    let mut p = good.clone();
    p.ask_notional_usd[0] = -1.0;
    assert_eq!(err(&p, 61_800.0, 1.0), "ask_notional_usd[0]");
    let mut p = good.clone();
    p.bucket_bps = 0.0;
    assert_eq!(err(&p, 61_800.0, 1.0), "bucket_bps");
    let mut p = good.clone();
    p.spread_ticks = 0;
    assert_eq!(err(&p, 61_800.0, 1.0), "spread_ticks");
    let mut p = good.clone();
    p.bid_notional_usd = vec![0.0, 0.0];
    assert_eq!(err(&p, 61_800.0, 1.0), "bid_notional_usd");
    let mut p = good.clone();
    p.bucket_bps = 6_000.0;
    assert_eq!(err(&p, 61_800.0, 1.0), "bid_notional_usd");
    assert_eq!(err(&good, f64::NAN, 1.0), "mid_price");
    assert_eq!(err(&good, 61_800.0, -1.0), "resilience_tau_s");
    assert_eq!(err(&good, 61_800.0, f64::NAN), "resilience_tau_s");
    let bad_tick = market(0.0, 0.001, 61_800.0);
    let e = L2Book::from_spec(&BookSpec::Profile(good), &bad_tick, 61_800.0, 1.0).unwrap_err();
    assert_eq!(field(e), "tick_size");
}

#[test]
fn square_root_parameter_errors() {
    let good = SquareRootParams { y: 1.0, delta: 0.5, daily_volatility: 0.02, daily_volume_usd: 1e9 };
    let err = |p: SquareRootParams| field(SquareRootImpact::new(&p, &btc(), 61_800.0, 1.0).unwrap_err());
    assert_eq!(err(SquareRootParams { delta: 1.5, ..good.clone() }), "delta");
    assert_eq!(err(SquareRootParams { delta: 0.0, ..good.clone() }), "delta");
    assert_eq!(err(SquareRootParams { y: f64::NAN, ..good.clone() }), "y");
    assert_eq!(err(SquareRootParams { daily_volatility: -0.1, ..good.clone() }), "daily_volatility");
    assert_eq!(err(SquareRootParams { daily_volume_usd: 0.0, ..good.clone() }), "daily_volume_usd");
    assert!(SquareRootImpact::new(&SquareRootParams { delta: 1.0, ..good }, &btc(), 61_800.0, 1.0).is_ok());
}

#[test]
fn build_names_fields_in_scenario_terms() {
    let m = btc();
    let bad = levels(&[(61_800.0, 1.0), (61_800.0, 1.0)], &[(61_800.1, 1.0)]);
    let e = ImpactModel::build(&ImpactKind::Book, &bad, &m, 2, 61_800.0, 30.0).unwrap_err();
    assert_eq!(field(e), "markets[2].book.bids[1].price");
    let profile = BookSpec::Profile(DepthProfile {
        bucket_bps: -1.0,
        bid_notional_usd: vec![1.0],
        ask_notional_usd: vec![1.0],
        spread_ticks: 1,
    });
    let e = ImpactModel::build(&ImpactKind::Book, &profile, &m, 0, 61_800.0, 30.0).unwrap_err();
    assert_eq!(field(e), "markets[0].book.profile.bucket_bps");
    let e = ImpactModel::build(&ImpactKind::Book, &profile, &m, 0, 61_800.0, -3.0).unwrap_err();
    assert_eq!(field(e), "impact.resilience_tau_s");
    let p = SquareRootParams { y: 1.0, delta: 2.0, daily_volatility: 0.02, daily_volume_usd: 1e9 };
    let kind = ImpactKind::SquareRoot(vec![p.clone(), p]);
    let e = ImpactModel::build(&kind, &profile, &m, 1, 61_800.0, 30.0).unwrap_err();
    assert_eq!(field(e), "markets[1].square_root.delta");
    let e = ImpactModel::build(&kind, &profile, &m, 2, 61_800.0, 30.0).unwrap_err();
    assert_eq!(field(e), "markets[2].square_root");
    let ok = levels(&[(61_800.0, 1.0)], &[(61_800.1, 1.0)]);
    assert!(matches!(
        ImpactModel::build(&ImpactKind::Book, &ok, &m, 0, 61_800.0, 30.0),
        Ok(ImpactModel::Book(_))
    ));
}

#[test]
fn cross_impact_errors() {
    let e = CrossImpact::new(&[vec![0.0, 0.1], vec![0.1, 0.0]], 3).unwrap_err();
    assert_eq!(field(e), "impact.cross_impact");
    let e = CrossImpact::new(&[vec![0.0, 0.1], vec![0.1]], 2).unwrap_err();
    assert_eq!(field(e), "impact.cross_impact[1]");
    let e = CrossImpact::new(&[vec![0.0, 0.1], vec![f64::NAN, 0.0]], 2).unwrap_err();
    assert_eq!(field(e), "impact.cross_impact[1][0]");
}
