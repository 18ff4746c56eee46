//! Monte Carlo on a lending book: rows are the same at 1 and 4 threads (each path seeded by its
//! index), a zero-volatility run equals the engine's own flat path on every path, and a
//! mismatched correlation is refused with the field. (Here, not in liq-stress, because the book
//! is the example file, which liq-io loads.)

use liq_engine::{ExoPath, LendingModel};
use liq_stress::lending::{run_lending_paths, summarise_lending};
use liq_stress::{Copula, MonteCarloConfig};
use std::path::Path;

fn model() -> LendingModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aave-v3.toml");
    let s = liq_io::load_lending_scenario(&path).unwrap();
    LendingModel::new(&s).unwrap()
}

fn cfg(vol: f64, paths: u64) -> MonteCarloConfig {
    MonteCarloConfig {
        paths,
        horizon_s: 600.0,
        steps: 10,
        copula: Copula::StudentT { df: 4.0 },
        daily_vol: vec![vol, vol],
        correlation: vec![vec![1.0, 0.8], vec![0.8, 1.0]],
        seed: 11,
    }
}

fn with_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(f)
}

#[test]
fn same_rows_at_one_and_four_threads() {
    let m = model();
    // A high daily vol (30%) over 10 minutes so that some paths liquidate.
    let c = cfg(0.30, 24);
    let one = with_threads(1, || run_lending_paths(&m, &c, 0..24).unwrap());
    let four = with_threads(4, || run_lending_paths(&m, &c, 0..24).unwrap());
    assert_eq!(one, four);
    // A shard is the same rows as the whole run's slice.
    let tail = with_threads(4, || run_lending_paths(&m, &c, 12..24).unwrap());
    assert_eq!(&one[12..], &tail[..]);
    let s = summarise_lending(&one);
    assert_eq!(s.paths, 24);
    assert!(s.seized_usd.max >= s.seized_usd.p99 && s.seized_usd.p99 >= s.seized_usd.p50);
    // The seized collateral covers at least the debt it repaid (bonus ≥ 0) on every path.
    assert!(one.iter().all(|r| r.seized_usd + 1e-6 >= r.debt_repaid_usd), "{one:?}");
}

#[test]
fn zero_volatility_is_the_flat_path_on_every_path() {
    let m = model();
    let c = cfg(0.0, 3);
    let rows = run_lending_paths(&m, &c, 0..3).unwrap();
    let flat = ExoPath { n_markets: 2, dt_s: c.dt_s(), levels: vec![1.0; 2 * c.steps] };
    let r = m.report_path(&flat);
    for row in &rows {
        assert_eq!(row.seized_usd, r.report.summary.liquidated_notional_usd);
        assert_eq!(row.deficit_usd, r.lending.deficit_usd);
    }
}

#[test]
fn mismatched_correlation_is_refused() {
    let m = model();
    let mut c = cfg(0.1, 2);
    c.correlation = vec![vec![1.0]];
    c.daily_vol = vec![0.1];
    let e = run_lending_paths(&m, &c, 0..2).unwrap_err();
    assert!(e.to_string().contains("daily_vol") || e.to_string().contains("correlation"), "{e}");
}
