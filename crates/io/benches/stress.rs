//! Monte Carlo benchmark of the size: 10,000 paths × 100,000 accounts × 60 steps (the
//! default scenario's population resized to 100,000 accounts, 60 one-second steps, Student-t
//! copula), each path run twice (without and with liquidation impact). Target: under 10 s on
//! the 2-core CI machine. The population's structure (trigger index) is built once and shared.

use criterion::{criterion_group, criterion_main, Criterion};
use liq_engine::EngineModel;
use liq_stress::{run_paths, Copula, MonteCarloConfig, Portfolio};
use std::hint::black_box;

fn bench_stress(c: &mut Criterion) {
    let s = liq_io::default_scenario::default_scenario_with_accounts(100_000).expect("default scenario");
    let model = EngineModel::new(&s).expect("model");
    let pop = liq_io::default_scenario::default_population_spec();
    let rho = pop.history.correlation;
    let cfg = MonteCarloConfig {
        paths: 10_000,
        horizon_s: 60.0,
        steps: 60,
        copula: Copula::StudentT { df: 4.0 },
        daily_vol: pop.markets.iter().map(|m| m.daily_vol).collect(),
        correlation: (0..3).map(|i| (0..3).map(|j| if i == j { 1.0 } else { rho }).collect()).collect(),
        seed: 42,
    };
    let mut g = c.benchmark_group("stress_10k_paths_100k_accounts_60_steps");
    g.sample_size(10);
    g.bench_function("run_paths", |b| {
        b.iter(|| {
            black_box(run_paths(&model, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_stress);
criterion_main!(benches);
