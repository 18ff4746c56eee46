//! Times the Monte Carlo benchmark configuration once (10,000 paths × 100,000 accounts × 60
//! steps) and prints paths per second. Usage: time_stress [PATHS]
fn main() {
    let paths: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let s = liq_io::default_scenario::default_scenario_with_accounts(100_000).expect("scenario");
    let model = liq_engine::EngineModel::new(&s).expect("model");
    let pop = liq_io::default_scenario::default_population_spec();
    let rho = pop.history.correlation;
    let cfg = liq_stress::MonteCarloConfig {
        paths,
        horizon_s: 60.0,
        steps: 60,
        copula: liq_stress::Copula::StudentT { df: 4.0 },
        daily_vol: pop.markets.iter().map(|m| m.daily_vol).collect(),
        correlation: (0..3).map(|i| (0..3).map(|j| if i == j { 1.0 } else { rho }).collect()).collect(),
        seed: 42,
    };
    let t = std::time::Instant::now();
    let rows =
        liq_stress::run_paths(&model, &cfg, &liq_stress::Portfolio::Aggregate, 0..paths, None, &|_| {})
            .unwrap();
    let dt = t.elapsed().as_secs_f64();
    eprintln!(
        "{} paths in {:.2} s: {:.0} paths/s ({} threads)",
        rows.len(),
        dt,
        rows.len() as f64 / dt,
        rayon::current_num_threads()
    );
}
