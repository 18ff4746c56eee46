//! The time-stepped engine on shock paths: first-order counts against a brute-force scan of the
//! exogenous path, ledger invariants with throughput limits, and the instant shock as a
//! one-step path.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, ExoPath, RunOptions};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn population(seed: u64, n: usize, venue: VenuePreset, fund: f64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let m = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let bids: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 - i as f64, 0.5)).collect();
    let asks: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 + i as f64, 0.5)).collect();
    let mut accounts = Vec::new();
    for i in 0..n {
        let lots = rng.random_range(100..3000i64) * if rng.random_bool(0.6) { 1 } else { -1 };
        let entry = rng.random_range(900..1100) as f64;
        let margin = lots.abs() as f64 * 0.001 * entry / rng.random_range(3.0..40.0);
        let iso = rng.random_bool(0.5);
        let p = position(&m, 0, lots, entry, iso.then_some(margin));
        accounts.push(account(&format!("a{i}"), if iso { 0.0 } else { margin }, vec![p]));
    }
    let book = levels(&bids, &asks);
    let mut s = scenario(venue, vec![m], vec![book], accounts, fund, vec![0.0]);
    s.impact.resilience_tau_s = 10.0;
    s
}

/// Brute force: units whose equity falls below maintenance at some step of the exogenous path
/// with positions held static.
fn first_order_by_scan(model: &EngineModel, path: &ExoPath) -> usize {
    let start = model.start_margins();
    let mut n = 0;
    for (unit, _, _) in start {
        let Some(slot) = unit.isolated_slot().or_else(|| {
            let a = unit.cross_account()?;
            model.account_positions(a).find(|&s| !model.position(s as u32).isolated).map(|s| s as u32)
        }) else {
            continue;
        };
        let p = model.position(slot);
        let spec = &model.markets[p.market];
        let fixed = if p.isolated { p.isolated_margin_usd } else { model.wallet_usd(p.account) } - p.cost_usd;
        let hit = (0..path.n_steps()).any(|t| {
            let m = model.mark0[p.market] * path.level(t, p.market);
            fixed + p.qty * m < spec.ladder.maintenance_margin(p.qty * m)
        });
        n += usize::from(hit);
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: Some(Box::new(
        proptest::test_runner::FileFailurePersistence::WithSource("regressions"))), ..ProptestConfig::default() })]

    /// With liquidations that move no price, full closes (dYdX) and an ample fund (no ADL), the
    /// stepped engine liquidates exactly the units a static scan of the path finds.
    #[test]
    fn zero_impact_equals_first_order_scan(seed in any::<u64>(), n in 1usize..80, crash in 0.0f64..0.3, steps in 2usize..30) {
        let s = population(seed, n, VenuePreset::Dydx, 1e12);
        let mut model = EngineModel::new(&s).unwrap();
        // dYdX's full close without its per-block limits, retries and negative-equity
        // deleveraging: every triggered unit closes in its step.
        model.venues[0].rulebook.block_limits = None;
        model.venues[0].rulebook.after_order = liq_margin::rulebook::AfterOrder::TakeoverUnfilledThenStep;
        model.venues[0].rulebook.order_limit = liq_margin::rulebook::OrderLimit::Bankruptcy;
        model.venues[0].rulebook.adl.trigger = liq_margin::rulebook::AdlTrigger::FundCannotTake { position_cap_of_fund: None };
        // Linear crash to −crash and back half-way.
        let levels: Vec<f64> = (0..steps).map(|t| {
            let x = (t + 1) as f64 / steps as f64;
            1.0 - crash * if x < 0.7 { x / 0.7 } else { 1.0 - 0.5 * (x - 0.7) / 0.3 }
        }).collect();
        let path = ExoPath { n_markets: 1, dt_s: 1.0, levels };
        let mut c = Cascade::new(&model);
        let opts = RunOptions { with_impact: false, ..RunOptions::default() };
        let (_, set) = c.simulate(&model, &path, &opts, liq_engine::Labels::AllFirstOrder);
        prop_assert_eq!(set.len(), first_order_by_scan(&model, &path));
    }

    #[test]
    fn path_ledger_invariants(seed in any::<u64>(), n in 1usize..80, crash in 0.0f64..0.3, steps in 1usize..40,
                              limit in prop_oneof![Just(None), (1u32..5).prop_map(Some)],
                              venue in prop_oneof![Just(VenuePreset::Binance), Just(VenuePreset::Hyperliquid), Just(VenuePreset::Bybit), Just(VenuePreset::Dydx)]) {
        let s = population(seed, n, venue, 50.0);
        let model = EngineModel::new(&s).unwrap();
        let levels: Vec<f64> = (0..steps).map(|t| 1.0 - crash * (t + 1) as f64 / steps as f64).collect();
        let path = ExoPath { n_markets: 1, dt_s: 1.0, levels };
        let mut c = Cascade::new(&model);
        let total0 = c.ws.ledger_total();
        let opts = RunOptions { throughput_per_step: limit, ..RunOptions::default() };
        let report = c.report_path(&model, &path, &opts);
        prop_assert_eq!(c.ws.ledger_total(), total0);
        prop_assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
        // Generations are 0 (first-order) or 1 (second-order) in path mode.
        prop_assert!(report.outcome.events.iter().all(|e| e.generation <= 1));
        if let Some(l) = limit {
            // Throughput: no step liquidates more than `l` units.
            let mut per_step = std::collections::BTreeMap::<u64, std::collections::BTreeSet<(u32, bool)>>::new();
            for e in report.outcome.events.iter().filter(|e| e.kind.liquidates()) {
                per_step.entry(e.time_s as u64).or_default().insert((e.account, e.isolated));
            }
            prop_assert!(per_step.values().all(|units| units.len() <= l as usize));
        }
    }
}

/// The instant shock is the one-step path: the same outcome through either door.
#[test]
fn instant_shock_is_a_one_step_path() {
    let mut s = population(7, 60, VenuePreset::Binance, 1e6);
    s.shock = Shock::PerMarket(vec![-0.12]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let a = c.run(&model, true);
    let path = ExoPath::instant(&[-0.12], 1.0);
    let (b, _) = c.simulate(&model, &path, &RunOptions::default(), liq_engine::Labels::Rounds);
    assert_eq!(a, b);
    assert!(a.liquidated_notional_usd() > 0.0);
}
