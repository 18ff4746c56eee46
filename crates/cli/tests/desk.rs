//! A desk's own book end to end (issue 13): `scenario export` round-trips byte for byte in
//! `run --json`; `run --accounts examples/my-book.csv --venue hyperliquid --accounts-out` works on
//! a fresh clone; `compare` runs the venues side by side; bad input names its source.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liqcascade"))
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn refused(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn exported_default_runs_to_the_same_json_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    ok(&["scenario", "export", "--out", out.to_str().unwrap()]);
    let toml = out.join("scenario.toml");
    assert!(out.join("accounts.csv").is_file());
    let default = run(&["run", "--json"]);
    let exported = run(&["run", toml.to_str().unwrap(), "--json"]);
    assert!(default.status.success() && exported.status.success());
    assert!(
        default.stdout == exported.stdout,
        "the exported scenario's run --json differs from the default's"
    );
    // A second export into the same directory replaces the files (the outputs are not inputs).
    ok(&["scenario", "export", "--accounts", "50", "--out", out.to_str().unwrap()]);
    let text = std::fs::read_to_string(out.join("accounts.csv")).unwrap();
    let ids: std::collections::HashSet<&str> =
        text.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    assert_eq!(ids.len(), 50);
}

#[test]
fn own_book_on_hyperliquid_with_per_account_risk() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let book = repo("examples/my-book.csv");
    let table = ok(&[
        "run",
        "--accounts",
        book.to_str().unwrap(),
        "--venue",
        "hyperliquid",
        "--accounts-out",
        a.to_str().unwrap(),
    ]);
    assert!(table.contains("venue hyperliquid") && table.contains("50 accounts"), "{table}");
    assert!(table.contains("riskiest accounts"), "{table}");
    assert!(table.contains("hits longs"), "{table}");
    let text = std::fs::read_to_string(&a).unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("account,market,side,qty,mode,mark,liquidation_price,distance"));
    let ids: std::collections::HashSet<&str> = lines.filter_map(|l| l.split(',').next()).collect();
    assert_eq!(ids.len(), 50);
    // The sidecar records version, scenario hash and seed.
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.csv.meta.json")).unwrap()).unwrap();
    for k in ["version", "scenario_hash", "seed"] {
        assert!(meta.get(k).is_some(), "{k} missing from {meta}");
    }
}

#[test]
fn compare_lists_each_venue_and_the_rules_that_differ() {
    let book = repo("examples/my-book.csv");
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "compare",
        "--venues",
        "binance,hyperliquid,dydx",
        "--accounts",
        book.to_str().unwrap(),
        "--shock",
        "BTC=-10%",
        "--json",
    ]))
    .unwrap();
    let venues = v["venues"].as_array().unwrap();
    assert_eq!(venues.len(), 3);
    assert!(venues.iter().all(|r| r["summary"].is_object()), "{v}");
    let rules: Vec<&str> =
        v["differences"].as_array().unwrap().iter().map(|d| d["rule"].as_str().unwrap()).collect();
    // Binance, Hyperliquid and dYdX differ in their margin tables, mark rule and ADL ranking.
    for want in ["markets.BTCUSDT.margin_table", "mark.rule.rule", "rulebook.surplus_to_fund"] {
        assert!(rules.contains(&want), "{want} not among {rules:?}");
    }
    // A rule the three share is not listed.
    assert!(!rules.contains(&"markets.BTCUSDT.liquidation_fee_rate"), "{rules:?}");
}

#[test]
fn bad_input_names_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral\n\
         a,BTCUSDT,0.1,99000,cross,,10000,\n\
         b,DOGEUSDT,100,0.3,cross,,1000,\n",
    )
    .unwrap();
    let e = refused(&["run", "--accounts", bad.to_str().unwrap()]);
    assert!(
        e.contains("bad.csv") && e.contains(":3") && e.contains("market") && e.contains("DOGEUSDT"),
        "{e}"
    );
    let e = refused(&["compare", "--venues", "binance,kraken"]);
    assert!(e.contains("--venues") && e.contains("kraken") && e.contains("hyperliquid"), "{e}");
    let e = refused(&["stress", "--paths", "2", "--corr", "eighty%"]);
    assert!(e.contains("--corr eighty%") && e.contains("not a number"), "{e}");
    let e = refused(&["sweep", "--threshold", "lots"]);
    assert!(e.contains("--threshold lots"), "{e}");
    let e = refused(&["run", "--accounts", "no-such-book.parquet"]);
    assert!(e.contains("no-such-book.parquet"), "{e}");
    let e = refused(&["run", "--skew", "sideways"]);
    assert!(e.contains("--skew sideways"), "{e}");
}

#[test]
fn skew_longs_puts_the_longs_near_liquidation() {
    let t = ok(&["run", "--skew", "longs"]);
    let line = t.lines().find(|l| l.starts_with("shock BTCUSDT")).unwrap();
    assert!(!line.contains("the loaded side is the shorts"), "{line}");
    let t = ok(&["run", "--skew", "shorts"]);
    let line = t.lines().find(|l| l.starts_with("shock BTCUSDT")).unwrap();
    assert!(line.contains("the loaded side is the shorts"), "{line}");
}

#[test]
fn map_only_restricts_the_levels_to_the_named_accounts() {
    let book = repo("examples/my-book.csv");
    let b = book.to_str().unwrap();
    let all: serde_json::Value =
        serde_json::from_str(&ok(&["map", "--accounts", b, "--no-cascade", "--json"])).unwrap();
    let one: serde_json::Value =
        serde_json::from_str(&ok(&["map", "--accounts", b, "--no-cascade", "--only", "desk-02", "--json"]))
            .unwrap();
    let n = |v: &serde_json::Value| v["levels"].as_array().unwrap().len();
    assert!(n(&all) > n(&one) && n(&one) == 1, "{} vs {}", n(&all), n(&one));
    let e = refused(&["map", "--accounts", b, "--only", "nobody"]);
    assert!(e.contains("--only nobody") && e.contains("'nobody'"), "{e}");
}

#[test]
fn a_parquet_book_runs_as_its_csv() {
    // The same 50 accounts written as Parquet (liq_io's writer) give the same cascade as the CSV.
    let csv = repo("examples/my-book.csv");
    let s = liq_io::default_scenario::default_scenario().unwrap();
    let accounts = liq_io::accounts_file::read_accounts_file(&csv, &s.markets, &s.assets).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("my-book.parquet");
    liq_io::accounts_parquet::write_accounts_parquet_file(&pq, &accounts, &s.markets, &s.assets).unwrap();
    let json = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&ok(&[
            "run",
            "--accounts",
            p.to_str().unwrap(),
            "--shock",
            "BTC=-10%",
            "--json",
        ]))
        .unwrap()
    };
    let (a, b) = (json(&csv), json(&pq));
    assert_eq!(a["summary"], b["summary"]);
    assert_eq!(a["markets"], b["markets"]);
    assert!(
        a["summary"]["liquidated_notional_usd"].as_f64().unwrap() > 0.0,
        "the shock liquidates part of the book"
    );
}
