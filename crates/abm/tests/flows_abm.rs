//! The cascade engine's flows as ABM agents (issue 16 item 1): the token's rebalance in the
//! fills, the ledger with the new holders (proptest), the run with no channel trading equal to
//! the run without `[flows]`, determinism, and bad `[flows]` refused naming the field.

use liq_abm::{default_config, experiments, run_abm, run_abm_channels, AbmConfig, ShockCfg};
use liq_domain::{
    DealerBookSpec, FlowsSpec, LeveragedTokenSpec, MarketId, OptionOpenInterest, OptionType, Side,
    StopClusterSpec, StopKind,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn small_config() -> AbmConfig {
    let mut c = default_config();
    c.leveraged.count = 400;
    c.noise.accounts = 20;
    c.momentum.count = 5;
    c
}

fn flows() -> FlowsSpec {
    FlowsSpec {
        leveraged_tokens: vec![LeveragedTokenSpec {
            name: "BTC3L".into(),
            market: MarketId(0),
            leverage: 3.0,
            aum_usd: 1_000_000.0,
            daily_rebalance_at_s: Some(100.0),
            intraday_move: 0.10,
            intraday_reduce_only: true,
        }],
        dealers: Some(DealerBookSpec {
            options: vec![OptionOpenInterest {
                market: MarketId(0),
                strike: 58_000.0,
                expiry_years: 0.05,
                option_type: OptionType::Put,
                open_interest: 200.0,
                dealer_sign: -1,
            }],
            vol: 0.5,
            hedge_ratio: 1.0,
            rebalance_interval_s: 5.0,
            min_trade_usd: 1_000.0,
        }),
        stops: vec![StopClusterSpec {
            market: MarketId(0),
            price: 57_000.0,
            side: Side::Sell,
            kind: StopKind::StopLoss,
            notional_usd: 2_000_000.0,
        }],
    }
}

fn shocked(mv: f64) -> AbmConfig {
    let mut c = small_config();
    c.flows = flows();
    c.shock = Some(ShockCfg { at_s: 20.0, index_move: mv, over_s: 20.0 });
    c
}

/// A 3× token after a fall of at least 10 %: its first intraday order is AUM·3·2·r at the mark
/// it decided on (r = mark / 60,000 − 1; before its first rebalance the token's NAV is
/// AUM·(1 + 3r) and its exposure 3·AUM·(1 + r), see the hand-worked unit test in `flows`), and
/// what the book filled is what the ledger holds.
#[test]
fn token_rebalance_in_the_fills_is_aum_l_l_minus_one_r() {
    let c = shocked(-0.14);
    let o = run_abm(&c, 3, 90.0).unwrap();
    assert!(o.ledger.ok(), "{:?}", o.ledger);
    let first = o
        .flow_orders
        .iter()
        .find(|f| f.flow == "BTC3L")
        .expect("a 14 % fall triggers the 10 % intraday rebalance");
    assert_eq!(first.trigger, "intraday");
    let r = first.mark / 60_000.0 - 1.0;
    assert!(r <= -0.10 + 1e-12 && r > -0.2, "{r}");
    let usd = 1_000_000.0 * 3.0 * 2.0 * r;
    let lots = (usd / (first.mark * 0.001)).round() as i64;
    assert!((first.ordered_lots - lots).abs() <= 1, "{} vs {lots}", first.ordered_lots);
    assert_eq!(first.filled_lots, first.ordered_lots, "the default book takes a ~10 BTC sale");
    assert!((first.filled_notional_usd + usd).abs() < 0.02 * usd.abs(), "{}", first.filled_notional_usd);
    // The ledger: starting 50 BTC plus every fill of the token's orders.
    let held: i64 =
        50_000 + o.flow_orders.iter().filter(|f| f.flow == "BTC3L").map(|f| f.filled_lots).sum::<i64>();
    let g = o.summary.groups.iter().find(|g| g.group == "leveraged_tokens").unwrap();
    assert!((g.position_base - held as f64 * 0.001).abs() < 1e-9, "{} vs {held}", g.position_base);
    // The channel table carries what the orders filled.
    let ch = o.summary.channels.iter().find(|r| r.channel == "leveraged_token").unwrap();
    let sold: f64 = o
        .flow_orders
        .iter()
        .filter(|f| f.flow == "BTC3L" && f.filled_lots < 0)
        .map(|f| f.filled_notional_usd)
        .sum();
    assert!((ch.sold_usd - sold).abs() < 1e-6);
    assert!((ch.by_generation.iter().sum::<f64>() - ch.sold_usd - ch.bought_usd).abs() < 1e-6);
}

/// With every channel switched off the flow agents only hold their starting positions
/// (opened against the outside world): the market is exactly the market without `[flows]`.
#[test]
fn no_channel_trading_is_the_run_without_flows() {
    let c = shocked(-0.06);
    let off = run_abm_channels(&c, 5, 60.0, [false; 3]).unwrap();
    let mut bare = c.clone();
    bare.flows = FlowsSpec::default();
    let none = run_abm(&bare, 5, 60.0).unwrap();
    assert_eq!(off.price_path, none.price_path);
    assert_eq!(off.events, none.events);
    assert!(off.flow_orders.is_empty());
    // Without [flows] nothing new is reported (the default output is unchanged).
    assert!(none.summary.channels.is_empty());
    assert!(none
        .summary
        .groups
        .iter()
        .all(|g| !["leveraged_tokens", "dealers", "stop_owners"].contains(&g.group.as_str())));
    assert_eq!(none.summary.groups.len(), 9);
}

/// Same seed, same output (the ABM is single-threaded; `--seeds` and `--flows` parallelise
/// over seeds and gather in seed order).
#[test]
fn same_seed_same_flows() {
    let c = shocked(-0.08);
    let a = run_abm(&c, 11, 60.0).unwrap();
    let b = run_abm(&c, 11, 60.0).unwrap();
    assert_eq!(a.flow_orders, b.flow_orders);
    assert_eq!(a.summary, b.summary);
    assert!(!a.flow_orders.is_empty());
}

/// The experiment's arms: all flows, each channel off, none; the effects are the differences.
#[test]
fn flow_channel_experiment_differences() {
    let c = shocked(-0.08);
    let shock = c.shock.clone().unwrap();
    let x = experiments::flow_channels(&c, &shock, 2, 60.0).unwrap();
    let labels: Vec<&str> = x.arms.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["all_flows", "no_leveraged_token", "no_dealer_gamma", "no_stops", "no_flows"]);
    for (i, e) in x.effects.iter().enumerate() {
        let d = x.arms[0].summary.liquidated_notional_usd - x.arms[i + 1].summary.liquidated_notional_usd;
        assert_eq!(e.added_liquidated_usd, d);
    }
    // A switched-off channel trades nothing in its arm.
    let no_stops = &x.arms[3];
    assert_eq!(no_stops.trading, ["leveraged_token", "dealer_gamma"]);
    let row = no_stops.channels.iter().find(|r| r.channel == "stops").unwrap();
    assert_eq!(row.sold_usd + row.bought_usd, 0.0);
    let mut bare = c.clone();
    bare.flows = FlowsSpec::default();
    assert!(experiments::flow_channels(&bare, &shock, 2, 60.0).is_err());
}

/// Bad `[flows]` values are refused naming the field (the CLI adds file and line).
#[test]
fn bad_flows_are_refused_with_the_field() {
    let field = |f: fn(&mut FlowsSpec)| {
        let mut c = small_config();
        c.flows = flows();
        f(&mut c.flows);
        c.validate().unwrap_err().field
    };
    assert_eq!(field(|f| f.leveraged_tokens[0].aum_usd = -1.0), "flows.leveraged_tokens[0].aum_usd");
    assert_eq!(field(|f| f.leveraged_tokens[0].leverage = 1.0), "flows.leveraged_tokens[0].leverage");
    assert_eq!(field(|f| f.leveraged_tokens[0].market = MarketId(1)), "flows.leveraged_tokens[0].market");
    assert_eq!(
        field(|f| f.dealers.as_mut().unwrap().options[0].expiry_years = 0.0),
        "flows.dealers.options[0].expiry_years"
    );
    assert_eq!(
        field(|f| f.dealers.as_mut().unwrap().options[0].open_interest = 1e9),
        "flows.dealers.options"
    );
    assert_eq!(field(|f| f.stops[0].notional_usd = 1e12), "flows.stops[0].notional_usd");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 8,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    /// Money conserved to the micro-dollar and open interest long = short with the tokens,
    /// dealers and stop owners in the ledger, for any seed, shock and set of trading channels;
    /// the groups' equity changes and positions sum to zero.
    #[test]
    fn ledger_invariants_hold_with_flows(seed in any::<u64>(), mv in -0.15f64..0.10,
                                         lt: bool, dg: bool, st: bool, short_calls: bool) {
        let mut c = shocked(mv);
        if short_calls {
            let d = c.flows.dealers.as_mut().unwrap();
            d.options[0].option_type = OptionType::Call;
            d.options[0].strike = 62_000.0;
        }
        let o = run_abm_channels(&c, seed, 70.0, [lt, dg, st]).unwrap();
        prop_assert_eq!(o.ledger.money_drift_micros, 0);
        prop_assert_eq!(o.ledger.oi_long_lots, o.ledger.oi_short_lots);
        let eq: f64 = o.summary.groups.iter().map(|g| g.equity_change_usd).sum();
        let pos: f64 = o.summary.groups.iter().map(|g| g.position_base).sum();
        prop_assert!(eq.abs() < 1e-3, "equity changes sum to {}", eq);
        prop_assert!(pos.abs() < 1e-9, "positions sum to {}", pos);
        // No position created or lost: each flow group holds its start plus its fills.
        for (group, flow) in [("leveraged_tokens", "BTC3L"), ("dealers", "dealers")] {
            let g = o.summary.groups.iter().find(|g| g.group == group).unwrap();
            let fills: i64 = o.flow_orders.iter().filter(|f| f.flow == flow).map(|f| f.filled_lots).sum();
            let start = if group == "leveraged_tokens" { 50_000 } else {
                let d = c.flows.dealers.as_ref().unwrap();
                let delta = liq_engine::flows::gamma::dealer_delta(d.options.iter(), 60_000.0, 0.0, d.vol);
                (-delta / 0.001).round() as i64
            };
            prop_assert!((g.position_base - (start + fills) as f64 * 0.001).abs() < 1e-9);
        }
    }
}
