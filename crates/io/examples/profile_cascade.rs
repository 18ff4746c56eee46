//! Profiling helper: builds the default scenario at a given population size and runs the BTC
//! −10% cascade repeatedly (for `perf record`). Usage: profile_cascade [ACCOUNTS] [RUNS]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let runs: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let mut s = liq_io::default_scenario::default_scenario_with_accounts(n).expect("scenario");
    s.shock = liq_domain::Shock::PerMarket(vec![-0.10, 0.0, 0.0]);
    let model = liq_engine::EngineModel::new(&s).expect("model");
    let mut c = liq_engine::Cascade::new(&model);
    let t = std::time::Instant::now();
    let mut total = 0.0;
    for _ in 0..runs {
        total += c.run(&model, true).liquidated_notional_usd();
    }
    eprintln!("{} runs, {:.2} ms/run, {total}", runs, t.elapsed().as_secs_f64() * 1e3 / runs as f64);
}
