//! The whole process of issue 15 as a user runs it: `liqcascade run SCENARIO` on 1,000,000
//! isolated positions with 60,000 explicit book levels a side per market (from `levels_csv`
//! files, and once inline in the TOML), the accounts from CSV and from Parquet (inputs from [`liq_io::bench_inputs`], written to a temporary directory and
//! removed). Each iteration spawns the release binary, so reading the files, validation, the
//! scenario hash, the model build, the runs and the output are all inside the time.
//! Targets (issue 15): CSV ≤ 0.25 s, Parquet ≤ 0.12 s; peak memory (≤ 250 MB from CSV) is
//! measured by `scripts/bench_whole_process.sh` with `/usr/bin/time -v`.
//!
//! Building this bench also makes `cargo bench` build `target/release/liqcascade`, which
//! `.ci/run`'s default-run stage then runs instead of building the binary a third time.

use criterion::{criterion_group, criterion_main, Criterion};
use std::process::{Command, Stdio};

fn bench_whole_process(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("liq-whole-bench-{}", std::process::id()));
    liq_io::bench_inputs::write_whole_process_inputs(&dir, 1_000_000, 60_000).expect("bench inputs");
    let bin = env!("CARGO_BIN_EXE_liqcascade");
    let run = |scenario: &str| {
        let st = Command::new(bin)
            .args(["run", "--quiet"])
            .arg(dir.join(scenario))
            .stdout(Stdio::null())
            .status()
            .expect("spawn liqcascade");
        assert!(st.success(), "liqcascade run {scenario} failed");
    };
    let mut g = c.benchmark_group("whole_process_1m_isolated");
    g.sample_size(10);
    g.bench_function("run_csv", |b| b.iter(|| run("scenario_csv.toml")));
    g.bench_function("run_parquet", |b| b.iter(|| run("scenario_parquet.toml")));
    // The same scenario with its 60,000 levels a side inline in the TOML (the slow form).
    g.bench_function("run_csv_inline_books", |b| b.iter(|| run("scenario_csv_inline_books.toml")));
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_whole_process);
criterion_main!(benches);
