//! Monte Carlo paths with funding accruing: identical on 1 and 4 threads, and funding changes
//! the outcome (a funding time inside the horizon with a crowded-long discount liquidates shorts
//! that the same paths without funding leave alone).

mod common;
use common::{config, *};
use liq_domain::*;
use liq_engine::EngineModel;
use liq_stress::*;

/// Two markets over thin books, leveraged accounts on both sides; a Binance funding time 300 s
/// into the 900-s horizon after an interval whose published rate was −1% (shorts pay longs).
fn fragile_with_funding(n: usize, accrue: bool) -> Scenario {
    let mut s = fragile(n);
    s.price = PriceFormation::static_index(2);
    s.price.funding = FundingSpec { interval_s: 28_800.0, time_to_next_s: 300.0, accrue, cap: None };
    s.price.last_funding_rate = vec![-0.01, -0.01];
    s
}

#[test]
fn funding_paths_identical_for_one_and_four_threads() {
    let model = EngineModel::new(&fragile_with_funding(300, true)).unwrap();
    let cfg = config(48);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run_paths(&model, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap())
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one, four);
    // Funding is not a no-op here: the same paths without it liquidate less.
    let off = EngineModel::new(&fragile_with_funding(300, false)).unwrap();
    let without = run_paths(&off, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap();
    let total = |rows: &[PathRow]| rows.iter().map(|r| r.liquidated_c).sum::<f64>();
    assert!(total(&one) > total(&without), "{} vs {}", total(&one), total(&without));
}
