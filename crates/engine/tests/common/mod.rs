//! Builders for small hand-made scenarios used by the engine tests (the generic ones live in
//! `liq_domain::builders`).
#![allow(dead_code)]

pub use liq_domain::builders::*;
use liq_domain::*;

/// The property tests' config: `PROPTEST_CASES` overrides `default_cases` for long soak runs;
/// integration tests have no lib.rs beside them, so failures persist next to the test's file.
pub fn proptest_config(default_cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases),
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource(
            "regressions",
        ))),
        ..proptest::test_runner::Config::default()
    }
}

/// The one-market book of the hand-worked tests: tick 1, lot 0.001 BTC, one tier at 1% mmr.
pub fn btc() -> MarketSpec {
    market("BTCUSDT", 1.0, 0.001, 1000.0, &[(1e9, 0.01, 50.0)], 0.005)
}

pub fn btc_book() -> BookSpec {
    levels(&[(999.0, 0.4), (998.0, 0.4), (990.0, 5.0)], &[(1001.0, 5.0)])
}

/// Equal to within a micro-dollar (plus float noise on large values).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 + 1e-12 * a.abs().max(b.abs())
}
