//! `--report`/`--result` on `compare`, `network`, `firesale`, `abm`, `replay` and `merge` (issue
//! 13 item 7), and
//! `--accounts-out FILE.parquet` (item 2): each command writes its own section into the report,
//! with version, scenario (or input) hash and seed in the result file; the result file renders
//! again through `liqcascade report` to the same page; and neither file may overwrite an input.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liqcascade")).args(args).output().unwrap()
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// Runs `args` with `--report` and `--result` in `dir`, checks the section's heading is in the
/// page, and re-renders the result file: the page must come out the same.
fn report_of(dir: &Path, name: &str, args: &[&str], heading: &str) -> serde_json::Value {
    let html = dir.join(format!("{name}.html"));
    let json = dir.join(format!("{name}.json"));
    let mut a = args.to_vec();
    a.extend(["--report", html.to_str().unwrap(), "--result", json.to_str().unwrap()]);
    let out = run(&a);
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(heading), "{name}: no section `{heading}` in the report");
    let again = dir.join(format!("{name}-again.html"));
    let out = run(&["report", json.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert!(out.status.success(), "{name} re-render: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&again).unwrap(),
        page,
        "{name}: the result file renders the same page"
    );
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let meta = &doc["meta"];
    assert!(meta["version"].is_string() && meta["scenario_hash"].as_str().unwrap().len() == 16, "{meta}");
    assert!(meta["seed"].is_u64(), "{meta}");
    doc
}

#[test]
fn compare_network_and_firesale_write_their_sections() {
    let dir = tempfile::tempdir().unwrap();
    let single = repo("examples/single-market-isolated.toml");
    let s = single.to_str().unwrap();
    let doc = report_of(
        dir.path(),
        "compare",
        &["compare", s, "--venues", "binance,dydx", "--shock", "BTC=-10%"],
        "The same book under each venue&#x27;s rules",
    );
    let venues = doc["comparison"]["venues"].as_array().unwrap();
    assert_eq!(venues.iter().map(|v| v["venue"].as_str().unwrap()).collect::<Vec<_>>(), ["binance", "dydx"]);
    assert_eq!(doc["meta"]["venue"], "binance,dydx");
    // The comparison in the result file is the one `--json` prints.
    let out = run(&["compare", s, "--venues", "binance,dydx", "--shock", "BTC=-10%", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["venues"], doc["comparison"]["venues"]);
    assert_eq!(json["differences"], doc["comparison"]["differences"]);

    let doc = report_of(dir.path(), "network", &["network", s], "Exposure network and contagion");
    let out = run(&["network", s, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["network"], doc["network"], "the report holds the network `--json` prints");

    let eba = dir.path().join("two.csv");
    // The hand-worked two-bank case of the network tests (AA01 defaults in round 2, BB02 in 3).
    std::fs::write(
        &eba,
        "bank_id,CET1E,leverage,debt_sec,govbonds\nAA01 4 4.00 60 40\nBB02 60 6.00 400 60+40\n",
    )
    .unwrap();
    let e = eba.to_str().unwrap();
    let doc = report_of(
        dir.path(),
        "firesale",
        &["firesale", "--eba", e, "--shock=-2.5%", "--rounds", "3"],
        "Fire sale of overlapping portfolios",
    );
    assert_eq!(doc["firesale"]["outcome"]["defaults_per_round"], serde_json::json!([0, 0, 1, 1]));
    let page = std::fs::read_to_string(dir.path().join("firesale.html")).unwrap();
    assert!(page.contains("none (the fire-sale model draws no random numbers)"));
    // The firesale's input hash is its scenario hash, as `--json` reports it.
    let out = run(&["firesale", "--eba", e, "--shock=-2.5%", "--rounds", "3", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["meta"]["input_hash"], doc["meta"]["scenario_hash"]);

    // A report over an input is refused before anything runs (exit 2).
    for args in [
        vec!["compare", s, "--venues", "binance,dydx", "--report", s],
        vec!["network", s, "--result", s],
        vec!["firesale", "--eba", e, "--report", e],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(std::fs::read_to_string(&eba).unwrap().lines().count(), 3, "the input is untouched");
}

#[test]
fn abm_replay_and_merge_write_their_sections() {
    let dir = tempfile::tempdir().unwrap();
    // ABM: the report's figures are the ones `--json` prints for the same seed.
    let abm = ["abm", "--seed", "7", "--duration", "60s", "--shock", "-3%", "--shock-at", "20s"];
    let doc = report_of(dir.path(), "abm", &abm, "Agent-based market on an L3 book");
    let mut a = abm.to_vec();
    a.push("--json");
    let json: serde_json::Value = serde_json::from_slice(&run(&a).stdout).unwrap();
    assert_eq!(doc["abm"]["summary"], json["summary"], "the report holds the summary `--json` prints");
    assert_eq!(doc["abm"]["generations"], json["generations"]);
    assert_eq!(doc["meta"]["scenario_hash"], json["meta"]["config_hash"]);
    assert_eq!(doc["meta"]["seed"], 7);
    // The per-10-s bars add up to the liquidated total (the same events).
    let bars: f64 =
        doc["abm"]["liquidated_by_time_usd"].as_array().unwrap().iter().map(|b| b[1].as_f64().unwrap()).sum();
    let total = json["summary"]["liquidated_notional_usd"].as_f64().unwrap();
    assert!((bars - total).abs() <= 1e-6 * total.max(1.0), "{bars} vs {total}");
    assert_eq!(doc["abm"]["price_path"].as_array().unwrap().len(), 60, "one point per second");
    // One run only: the multi-run modes refuse a report before anything runs.
    for extra in [["--seeds", "1-2"], ["--experiment", "stops"]] {
        let html = dir.path().join("no.html");
        let mut a = abm.to_vec();
        a.extend(extra);
        a.extend(["--report", html.to_str().unwrap()]);
        let out = run(&a);
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(extra[0]),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!html.exists());
    }

    // No static chart exists for an ABM run: --plots is refused, nothing written.
    let plots = dir.path().join("plots");
    let out = run(&[&abm[..], &["--plots", plots.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--plots"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!plots.exists());

    // Replay: the three-minute synthetic window of replay_meta.rs; the report holds the
    // `--json` report and the verdict the table prints.
    let (prices, fo) = common::replay_window(dir.path());
    let (p, f) = (prices.to_str().unwrap(), fo.to_str().unwrap());
    let replay =
        ["replay", "--trades", p, "--force-orders", f, "--from", "1700000040000", "--to", "1700000220000"];
    let doc = report_of(
        dir.path(),
        "replay",
        &replay,
        "Replay of a recorded window against the recorded liquidations",
    );
    let mut a = replay.to_vec();
    a.push("--json");
    let json: serde_json::Value = serde_json::from_slice(&run(&a).stdout).unwrap();
    assert_eq!(doc["replay"]["report"]["total"], json["total"]);
    assert_eq!(doc["replay"]["report"]["minutes"], 3);
    assert_eq!(doc["meta"]["scenario_hash"], json["meta"]["scenario_hash"]);
    let table = String::from_utf8(run(&replay).stdout).unwrap();
    let verdict = doc["replay"]["verdict"].as_str().unwrap();
    assert!(verdict.contains("identified") && table.contains(verdict.trim()), "{verdict}");
    // The report may not overwrite a recorded input.
    let out = run(&[&replay[..], &["--report", p]].concat());
    assert_eq!(out.status.code(), Some(2));

    // Merge: two shards make the report of the one-machine run (same stress section).
    let common = ["stress", "--paths", "6", "--horizon", "20s", "--step", "2s", "--quiet"];
    let one = dir.path().join("one.json");
    let mut a = common.to_vec();
    a.extend(["--result", one.to_str().unwrap()]);
    assert!(run(&a).status.success());
    let mut shards = Vec::new();
    for i in 0..2 {
        let file = dir.path().join(format!("s{i}.parquet"));
        let shard = format!("{i}/2");
        let mut a = common.to_vec();
        a.extend(["--shard", &shard, "--parquet", file.to_str().unwrap()]);
        assert!(run(&a).status.success());
        shards.push(file.to_str().unwrap().to_string());
    }
    let doc = report_of(dir.path(), "merge", &["merge", &shards[0], &shards[1]], "Monte Carlo");
    let single: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&one).unwrap()).unwrap();
    assert_eq!(doc["stress"], single["stress"], "the merged stress section is the single run's");
    assert_eq!(doc["meta"]["venue"], single["meta"]["venue"]);
    assert_eq!(doc["meta"]["scenario_hash"], single["meta"]["scenario_hash"]);
}

#[test]
fn accounts_out_writes_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let book = repo("examples/my-book.csv");
    let (pq, csv) = (dir.path().join("a.parquet"), dir.path().join("a.csv"));
    for p in [&pq, &csv] {
        let out = run(&["run", "--accounts", book.to_str().unwrap(), "--accounts-out", p.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let bytes = std::fs::read(&pq).unwrap();
    assert_eq!(&bytes[..4], b"PAR1", "a Parquet file");
    assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.parquet.meta.json")).unwrap())
            .unwrap();
    assert!(meta["scenario_hash"].is_string() && meta["seed"].is_u64(), "{meta}");
    // The cells themselves are compared with the CSV's in liq_io::account_risk_table's tests.
    assert!(std::fs::read_to_string(&csv).unwrap().lines().count() > 50);
}

/// `population` names what produced its accounts in `FILE.meta.json` (issue 13 item 7): the
/// version, the two inputs and their hash, and no seed (the population is a deterministic
/// function of them); the accounts then run.
#[test]
fn population_writes_its_provenance_beside_the_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let (k, oi, out) = (dir.path().join("k.csv"), dir.path().join("oi.csv"), dir.path().join("acc.csv"));
    // Three 1-minute Binance klines (no header), open interest 100 → 110 → 105 → 125 BTC.
    let mut kl = String::new();
    for (i, vwap, tb) in [(0i64, 50_000.0, 0.6), (1, 51_000.0, 0.5), (2, 49_000.0, 0.3)] {
        let t = i * 60_000 + 1_700_000_040_000;
        kl.push_str(&format!(
            "{t},{vwap},{},{},{vwap},100,{},{},10,{},{},0\n",
            vwap + 10.0,
            vwap - 10.0,
            t + 59_999,
            100.0 * vwap,
            100.0 * tb,
            100.0 * tb * vwap
        ));
    }
    std::fs::write(&k, kl).unwrap();
    let mut o = String::from("time,open_interest\n");
    for (i, x) in [(0i64, 100.0), (1, 110.0), (2, 105.0), (3, 125.0)] {
        o.push_str(&format!("{},{x}\n", i * 60_000 + 1_700_000_040_000));
    }
    std::fs::write(&oi, o).unwrap();
    let r = run(&[
        "population",
        "--klines",
        k.to_str().unwrap(),
        "--oi",
        oi.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("acc.csv.meta.json")).unwrap())
            .unwrap();
    assert_eq!(meta["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["input_hash"].as_str().unwrap().len(), 16);
    assert!(meta["seed"].is_null(), "{meta}");
    assert_eq!(meta["inputs"][0], k.to_str().unwrap());
    // The sidecar may not overwrite an input either.
    let r = run(&[
        "population",
        "--klines",
        k.to_str().unwrap(),
        "--oi",
        oi.to_str().unwrap(),
        "--out",
        oi.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
}
