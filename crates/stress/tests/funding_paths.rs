//! Monte Carlo paths with funding accruing: identical on 1 and 4 threads, and funding changes
//! the outcome (a funding time inside the horizon with a crowded-long discount liquidates shorts
//! that the same paths without funding leave alone).

mod common;
use common::{config, *};
use liq_domain::*;
use liq_engine::EngineModel;
use liq_stress::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Two markets over thin books, leveraged accounts on both sides; a Binance funding time 300 s
/// into the 900-s horizon after an interval whose published rate was −1% (shorts pay longs).
fn fragile(n: usize, accrue: bool) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let btc = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let eth = market("ETHUSDT", 0.1, 0.01, 100.0, &[(20_000.0, 0.01, 50.0), (1e9, 0.02, 25.0)], 0.005);
    let book = |mid: f64, tick: f64, qty: f64| {
        let b: Vec<(f64, f64)> = (1..=400).map(|i| (mid - i as f64 * tick, qty)).collect();
        let a: Vec<(f64, f64)> = (1..=400).map(|i| (mid + i as f64 * tick, qty)).collect();
        levels(&b, &a)
    };
    let markets = vec![btc, eth];
    let mut accounts = Vec::new();
    for i in 0..n {
        let k = rng.random_range(0..2u16);
        let m = &markets[k as usize];
        let lots = rng.random_range(200..2000i64) * if rng.random_bool(0.7) { 1 } else { -1 };
        let entry = m.mark_price * (1.0 + rng.random_range(-0.02..0.02));
        let entry = (entry / m.tick_size).round() * m.tick_size;
        let margin = lots.abs() as f64 * m.lot_size * entry / rng.random_range(10.0..40.0);
        accounts.push(account(&format!("a{i}"), margin * 1.2, vec![position(m, k, lots, entry, None)]));
    }
    let mut s = scenario(
        VenuePreset::Binance,
        markets,
        vec![book(1000.0, 1.0, 0.2), book(100.0, 0.1, 2.0)],
        accounts,
        2_000.0,
        vec![0.0, 0.0],
    );
    s.impact.resilience_tau_s = 20.0;
    s.impact.cross_impact = vec![vec![0.0, 0.5], vec![0.8, 0.0]];
    s.price = PriceFormation::static_index(2);
    s.price.funding = FundingSpec { interval_s: 28_800.0, time_to_next_s: 300.0, accrue, cap: None };
    s.price.last_funding_rate = vec![-0.01, -0.01];
    s
}

#[test]
fn funding_paths_identical_for_one_and_four_threads() {
    let model = EngineModel::new(&fragile(300, true)).unwrap();
    let cfg = config(48);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run_paths(&model, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap())
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one, four);
    // Funding is not a no-op here: the same paths without it liquidate less.
    let off = EngineModel::new(&fragile(300, false)).unwrap();
    let without = run_paths(&off, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap();
    let total = |rows: &[PathRow]| rows.iter().map(|r| r.liquidated_c).sum::<f64>();
    assert!(total(&one) > total(&without), "{} vs {}", total(&one), total(&without));
}
