//! Fuzz targets for the scenario inputs (issue 14, item 7): scenario TOML and JSON (every example
//! and fixture), the accounts CSV (against the fixture's markets and assets) and the price-path
//! CSV of `run --replay` / `stress --path`. No panic, no hang, every error names the file.
//!
//! Crashes found here are kept as regressions at the end of this file.

use liq_fuzz::{fuzz, Target};
use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOC: liq_fuzz::CappedAlloc = liq_fuzz::CappedAlloc::new(1 << 30);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn work() -> PathBuf {
    let w = Path::new(env!("CARGO_TARGET_TMPDIR")).to_path_buf();
    // Scenarios name their accounts CSV relative to themselves: put those beside the input.
    for f in ["examples/cross-margin-multi-market.accounts.csv", "examples/lending-protocol.accounts.csv"] {
        let src = root().join(f);
        let _ = std::fs::copy(&src, w.join(src.file_name().unwrap()));
    }
    std::fs::create_dir_all(w.join("fuzz-scenario_toml")).unwrap();
    let _ = std::fs::copy(root().join("crates/io/tests/fixtures/accounts.csv"), w.join("accounts.csv"));
    for d in ["fuzz-scenario_toml", "fuzz-scenario_json"] {
        std::fs::create_dir_all(w.join(d)).unwrap();
        for f in [
            "examples/cross-margin-multi-market.accounts.csv",
            "examples/lending-protocol.accounts.csv",
            "crates/io/tests/fixtures/accounts.csv",
        ] {
            let src = root().join(f);
            let _ = std::fs::copy(&src, w.join(d).join(src.file_name().unwrap()));
        }
    }
    w
}

fn target(name: &str, ext: &str) -> Target {
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(name);
    let mut t = Target::new(name, ext, &work()).regressions(reg);
    // Building a scenario with a generated population takes a while in a debug build.
    t.bound = std::time::Duration::from_secs(20);
    t
}

fn load_scenario(p: &Path) -> Result<(), String> {
    liq_io::load_scenario(p).map(|_| ()).map_err(|e| {
        // A bad row of the accounts CSV the scenario names is located in that CSV.
        let m = e.to_string();
        let dir = format!("{}/", p.parent().unwrap().display());
        let in_csv = m
            .strip_prefix(&dir)
            .and_then(|r| r.split_once(".csv:"))
            .is_some_and(|(_, r)| r.starts_with(|c: char| c.is_ascii_digit()));
        if in_csv {
            format!("{}: through its accounts CSV: {m}", p.display())
        } else {
            m
        }
    })
}

#[test]
fn fuzz_scenario_toml() {
    let r = root();
    let seeds: Vec<PathBuf> = [
        "examples/single-market-isolated.toml",
        "examples/cross-margin-multi-market.toml",
        "examples/lending-protocol.toml",
        "examples/volatile-collateral.toml",
        "crates/io/tests/fixtures/good.toml",
        "crates/io/tests/fixtures/good_csv.toml",
    ]
    .iter()
    .map(|f| r.join(f))
    .collect();
    let mut t = target("scenario_toml", "toml").seed_files(&seeds);
    // The examples build populations of thousands of accounts: ~50 ms a load in debug.
    t.cost = 4;
    fuzz(&t, load_scenario);
}

#[test]
fn fuzz_scenario_json() {
    fuzz(
        &target("scenario_json", "json").seed_files(&[root().join("crates/io/tests/fixtures/good.json")]),
        load_scenario,
    );
}

#[test]
fn fuzz_accounts_csv() {
    fn load(p: &Path) -> Result<(), String> {
        let s = liq_io::load_scenario(&root().join("crates/io/tests/fixtures/good.toml")).unwrap();
        liq_io::accounts_csv::read_accounts_csv(p, &s.markets, &s.assets)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    let r = root();
    let seeds = [
        r.join("crates/io/tests/fixtures/accounts.csv"),
        r.join("examples/cross-margin-multi-market.accounts.csv"),
    ];
    fuzz(&target("accounts_csv", "csv").seed_files(&seeds), load);
}

#[test]
fn fuzz_price_path_csv() {
    fn load(p: &Path) -> Result<(), String> {
        let known = |m: &str| ["BTCUSDT", "ETHUSDT"].contains(&m).then(|| m.to_string());
        liq_stress::paths::read_price_path(p, known).map(|_| ()).map_err(|e| e.to_string())
    }
    let path = "timestamp,market,price\n1737993600000,BTCUSDT,102000\n1737993660000,BTCUSDT,101500.5\n\
                2025-01-27T16:02:00Z,BTCUSDT,100900\n1737993600,ETHUSDT,3300\n1737993720,ETHUSDT,3250\n";
    fuzz(&target("price_path_csv", "csv").seed(path), load);
}

// ---- Regressions for helper h1 (issue 14 items 1–3): crashes of h1's loaders, kept here until
// ---- Regressions of loaders outside the fuzzer's first pass (fixed since).

/// `population.accounts = 4294967295` in the default scenario aborted on allocation (issue 14).
/// Under the fuzz binary's 1 GiB allocation cap an unfixed loader aborts the whole test binary,
/// which is why the bound is checked before the population is generated.
#[test]
fn population_of_4294967295_accounts_is_refused() {
    let text = std::fs::read_to_string(root().join("crates/io/scenarios/default.toml")).unwrap();
    // The population table's own `accounts = 120000` line (crates/io/scenarios/default.toml).
    let patched = text.replacen("\naccounts = 120000", "\naccounts = 4294967295", 1);
    assert_ne!(patched, text, "the default scenario's population line moved");
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join("population_huge.toml");
    std::fs::write(&p, patched).unwrap();
    let e = liq_io::load_scenario(&p).unwrap_err().to_string();
    assert!(e.contains("population_huge.toml:") && e.contains("accounts"), "{e}");
}

/// Fuzz find (seed 21, 3,000 executions): a 19-digit year in an RFC 3339 timestamp overflows the
/// price-path reader's day arithmetic ("attempt to multiply with overflow", a panic in debug
/// builds). liq-calib's timestamp parser had the same bug and now refuses years outside
/// 1970–9999.
#[test]
fn price_path_with_a_19_digit_year_is_an_error_at_its_line() {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/h1_regressions/price_path_multiply_overflow.csv");
    let known = |m: &str| Some(m.to_string());
    let e = liq_stress::paths::read_price_path(&p, known).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("price_path_multiply_overflow.csv:4"), "{e}");
}
