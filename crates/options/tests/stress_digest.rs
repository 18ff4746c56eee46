//! Monte Carlo results are pinned bit for bit (issue 15): the per-path rows of the default
//! `stress` (Student-t df 4, 900 one-second steps, the default's vols and correlation, seed 42),
//! configured exactly as `liqcascade stress` configures it, for the first `PATHS` paths. The
//! snapshot was first recorded from the path loop before the performance work of issue 15
//! (commit 569b6ea), and the faster loop gave the same numbers (JSON prints each `f64` in its
//! shortest round-trip form, so equal text is equal bits). It was re-recorded once since, when
//! the default scenario gained the makers' hedge on spot (issue 11: a different model, so
//! different rows). A change that moves them must say why in its commit and update the snapshot.

use liq_engine::EngineModel;
use liq_options::stress::{config, StressOptions};
use liq_stress::{run_paths, Portfolio};

/// Enough paths that some cross a trigger (the test checks that), few enough for a debug build.
const PATHS: u64 = 24;

#[test]
fn default_stress_rows_are_unchanged() {
    let s = liq_io::default_scenario::default_scenario().unwrap();
    let model = EngineModel::new(&s).unwrap();
    let cfg = config(&StressOptions { paths: PATHS, ..StressOptions::default() }, &s, true).unwrap();
    assert_eq!((cfg.steps, cfg.seed), (900, 42), "the CLI's default configuration");
    let rows = run_paths(&model, &cfg, &Portfolio::Aggregate, 0..PATHS, None, &|_| {}).unwrap();
    assert_eq!(rows.len() as u64, PATHS);
    // The pin must cover the cascade, not only quiet paths.
    assert!(rows.iter().any(|r| r.liquidated_c > 0.0 && r.second_order_c > 0.0), "no path cascades");
    insta::assert_json_snapshot!("default_stress_rows", rows);
}
