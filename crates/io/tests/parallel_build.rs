//! The model's trigger index is built on all cores (issue 15); invariant: the thread count
//! changes nothing. The same 30,000-account default scenario is built into a model on one
//! thread and on three, and the cascade (with its counterfactual) on each must give the same
//! report, event for event, with the instant shock and on a 60-step crash path.

use liq_engine::{Cascade, EngineModel, ExoPath, RunOptions};

fn report_on(threads: usize, s: &liq_domain::Scenario) -> String {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let model = pool.install(|| EngineModel::new(s).unwrap());
    let mut c = Cascade::new(&model);
    let instant = c.report(&model);
    let levels: Vec<f64> =
        (1..=60).flat_map(|t| [1.0 - 0.002 * t as f64, 1.0 - 0.001 * t as f64, 1.0]).collect();
    let path = ExoPath { n_markets: 3, dt_s: 1.0, levels };
    let crash = c.report_path(&model, &path, &RunOptions::default());
    assert!(instant.outcome.events.len() > 10, "the shock must liquidate something to compare");
    format!("{instant:?}\n{crash:?}")
}

#[test]
fn model_build_is_independent_of_thread_count() {
    let mut s = liq_io::default_scenario::default_scenario_with_accounts(30_000).unwrap();
    s.shock = liq_domain::Shock::PerMarket(vec![-0.10, -0.05, 0.0]);
    assert_eq!(report_on(1, &s), report_on(3, &s));
}
