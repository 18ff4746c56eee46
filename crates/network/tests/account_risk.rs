//! Per-account liquidation prices against hand-worked values (isolated, cross in one market,
//! cross in two markets with the common move), the realised loss of a liquidated isolated
//! position, and the accounts' P&L summing to the engine's aggregate.

mod common;
use common::*;
use liq_engine::{Cascade, EngineModel};
use liq_network::{account_risk, riskiest_first, unit_views};

/// BTC mark 1,000 and ETH mark 100, one tier each at mmr 1% (cum 0); Binance rules.
/// Hand-worked (equity = wallet or margin + q·m − cost; maintenance = 0.01·|q|·m):
/// - ISO: isolated long 1 BTC @ 1,000, margin 100: 100 + m − 1,000 = 0.01·m ⇒ m = 900/0.99 =
///   909.0909…, distance −9.0909%.
/// - SHORT: cross short 2 BTC @ 1,000, wallet 200: 200 − 2m + 2,000 = 0.02·m ⇒ m = 2,200/2.02 =
///   1,089.1089…, distance +8.9109%.
/// - PAIR: cross long 1 BTC @ 1,000 and 10 ETH @ 100, wallet 300:
///   BTC alone: 300 + (m − 1,000) = 0.01·m + 10 ⇒ m = 710/0.99 = 717.1717…;
///   ETH alone: 300 + 10·(m − 100) = 0.1·m + 10 ⇒ m = 710/9.9 = 71.71717…;
///   both by x: 300 + 2,000·x = 20·(1 + x) ⇒ x = −280/1,980 = −14.1414…%.
fn scenario_with_shock(btc_move: f64) -> liq_domain::Scenario {
    let (b, e) = (btc(), eth());
    let accounts = vec![
        account("ISO", 0.0, vec![position(&b, 0, 1000, 1000.0, Some(100.0))]),
        account("SHORT", 200.0, vec![position(&b, 0, -2000, 1000.0, None)]),
        account("PAIR", 300.0, vec![position(&b, 0, 1000, 1000.0, None), position(&e, 1, 1000, 100.0, None)]),
    ];
    let books = vec![book(&b, 5.0, 400), book(&e, 50.0, 400)];
    let mut s = scenario(vec![b, e], books, accounts);
    s.shock = liq_domain::Shock::PerMarket(vec![btc_move, 0.0]);
    s
}

#[test]
fn liquidation_prices_are_the_hand_worked_ones() {
    let model = EngineModel::new(&scenario_with_shock(0.0)).unwrap();
    let units = unit_views(&model);
    let report = Cascade::new(&model).report(&model);
    let risk = account_risk(&model, &units, &report.outcome);
    let (iso, short, pair) = (&risk[0], &risk[1], &risk[2]);
    let lp = |r: &liq_network::AccountRisk, i: usize| r.positions[i].liquidation_price.unwrap();
    assert!(close(lp(iso, 0), 900.0 / 0.99, 1e-9), "{iso:?}");
    assert!(close(iso.positions[0].distance.unwrap(), 900.0 / 990.0 - 1.0, 1e-9));
    assert!(close(lp(short, 0), 2200.0 / 2.02, 1e-9), "{short:?}");
    assert!(close(short.positions[0].distance.unwrap(), 2.2 / 2.02 - 1.0, 1e-9));
    assert!(close(lp(pair, 0), 710.0 / 0.99, 1e-9), "{pair:?}");
    assert!(close(lp(pair, 1), 710.0 / 9.9, 1e-9), "{pair:?}");
    assert!(close(pair.cross_common_move.unwrap(), -280.0 / 1980.0, 1e-9), "{pair:?}");
    // The common move is nearer than either market alone; one-market units have none.
    assert_eq!(pair.nearest_move, pair.cross_common_move);
    assert_eq!(iso.cross_common_move, None);
    // Nothing happened without a shock.
    assert!(risk.iter().all(|r| r.generation.is_none() && r.realised_pnl_usd == 0.0));
    // Riskiest first by distance: SHORT (+8.9%) before ISO (−9.1%) before PAIR (−14.1%).
    assert_eq!(riskiest_first(&risk), vec![1, 0, 2]);
}

#[test]
fn a_liquidated_isolated_position_loses_exactly_its_margin() {
    // BTC −10%: the mark (900) is below ISO's 909.09, so it goes in generation 0. Whatever the
    // fill, on Binance it loses its whole equity at the start (margin 100 + 1,000 − 1,000 = 100):
    // a fill above bankruptcy (900) leaves the rest to the fund, one below is covered by it.
    let model = EngineModel::new(&scenario_with_shock(-0.10)).unwrap();
    let units = unit_views(&model);
    let report = Cascade::new(&model).report(&model);
    let risk = account_risk(&model, &units, &report.outcome);
    assert_eq!(risk[0].generation, Some(0), "{:?}", risk[0]);
    assert!(close(risk[0].realised_pnl_usd, -100.0, 1e-9), "{:?}", risk[0]);
    assert!(risk[0].liquidated_notional_usd > 0.0);
    // Liquidated accounts rank first.
    assert_eq!(riskiest_first(&risk)[0], 0);
    // Without collateral, the accounts' P&L sums to the engine's aggregate equity change.
    let total: f64 = risk.iter().map(|r| r.position_pnl_usd).sum();
    let engine = report.outcome.accounts_equity_change_usd;
    assert!((total - engine).abs() < 1e-6 * (1.0 + engine.abs()), "{total} vs {engine}");
}

mod invariants {
    use super::*;
    use proptest::prelude::*;

    /// A random BTC/ETH book: isolated and cross accounts, long and short, one or two markets.
    fn book() -> impl Strategy<Value = (Vec<(bool, i64, i64, f64)>, f64)> {
        // (isolated, BTC lots, ETH lots, margin or wallet USD), BTC shock.
        let account = (any::<bool>(), -3000i64..3000, -3000i64..3000, 20.0f64..2000.0);
        (prop::collection::vec(account, 1..12), -0.15f64..0.15)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Without collateral the accounts' P&L sums to the engine's aggregate equity change, and
        /// every one-market account whose liquidation price the shock itself crosses is liquidated
        /// in generation 0.
        #[test]
        fn pnl_adds_up_and_the_shock_liquidates_what_it_crosses((spec, shock) in book()) {
            let (b, e) = (btc(), eth());
            let mut accounts = Vec::new();
            for (i, &(iso, bl, el, usd)) in spec.iter().enumerate() {
                let mut pos = Vec::new();
                if bl != 0 {
                    pos.push(position(&b, 0, bl, 1000.0, iso.then_some(usd)));
                }
                if el != 0 && !(iso && bl != 0) {
                    pos.push(position(&e, 1, el, 100.0, iso.then_some(usd)));
                }
                accounts.push(account(&format!("a{i}"), if iso { 0.0 } else { usd }, pos));
            }
            let books = vec![book_of(&b), book_of(&e)];
            let mut s = scenario(vec![b, e], books, accounts);
            s.shock = liq_domain::Shock::PerMarket(vec![shock, 0.0]);
            let model = EngineModel::new(&s).unwrap();
            let units = unit_views(&model);
            let report = Cascade::new(&model).report(&model);
            let risk = account_risk(&model, &units, &report.outcome);
            let total: f64 = risk.iter().map(|r| r.position_pnl_usd).sum();
            let engine = report.outcome.accounts_equity_change_usd;
            prop_assert!((total - engine).abs() < 1e-6 * (1.0 + engine.abs()), "{} vs {}", total, engine);
            for r in &risk {
                if r.positions.len() != 1 || r.positions[0].market != "BTCUSDT" {
                    continue;
                }
                if let Some(d) = r.positions[0].distance {
                    // A unit already under maintenance (d = 0) may be saved by a favourable
                    // shock (the engine looks after the shock), so only strict crossings count.
                    let crossed = (shock < 0.0 && d < 0.0 && shock < d - 1e-6)
                        || (shock > 0.0 && d > 0.0 && shock > d + 1e-6);
                    if crossed {
                        prop_assert_eq!(r.generation, Some(0), "{:?} shock {}", r, shock);
                    }
                }
            }
        }
    }

    fn book_of(m: &liq_domain::MarketSpec) -> liq_domain::BookSpec {
        common::book(m, 50.0 * 1000.0 / m.mark_price, 400)
    }
}
