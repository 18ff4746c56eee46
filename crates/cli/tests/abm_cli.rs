//! `liqcascade abm` end to end: the config patch merged over the embedded default
//! (`--print-config`), its errors (file, line, field, exit code 2), and the outputs (`--events`,
//! `--price-path`, `--json` meta). Assertions are on structure and invariants only: the market
//! model's numbers are recalibrated independently of the command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liqcascade"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The `hash …` on the first line of `--print-config`.
fn printed_hash(config: &str) -> String {
    let first = config.lines().next().unwrap();
    first.rsplit("hash ").next().unwrap().trim().to_string()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)
}

#[test]
fn abm_config_patch_is_merged_over_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let default = stdout_of(&["abm", "--print-config"]);
    assert!(default.lines().next().unwrap().contains("embedded default"), "{default}");
    assert!(default.lines().any(|l| l == "withdraw = true"), "{default}");
    assert!(!default.contains("[shock]"));

    let patch = write(dir.path(), "abm.toml", "# makers that keep quoting\n[makers]\nwithdraw = false\n");
    let patched = stdout_of(&["abm", patch.to_str().unwrap(), "--print-config"]);
    assert!(patched.lines().next().unwrap().contains("abm.toml"), "{patched}");
    assert!(patched.lines().any(|l| l == "withdraw = false"), "{patched}");
    assert_ne!(printed_hash(&default), printed_hash(&patched));
    // Only the patched line differs.
    let body = |s: &str| s.lines().skip_while(|l| l.starts_with('#')).map(str::to_owned).collect::<Vec<_>>();
    let (a, b) = (body(&default), body(&patched));
    assert_eq!(a.len(), b.len());
    assert_eq!(a.iter().zip(&b).filter(|(x, y)| x != y).count(), 1);

    // The printed config is itself a valid patch, giving the same config and hash.
    let full = write(dir.path(), "full.toml", &patched);
    let again = stdout_of(&["abm", full.to_str().unwrap(), "--print-config"]);
    assert_eq!(printed_hash(&again), printed_hash(&patched));
    assert_eq!(body(&again), b);

    // A command-line shock replaces the file's [shock] and appears in the effective config.
    let ex = example("abm/no_withdrawal.toml");
    let ex_cfg = stdout_of(&["abm", ex.to_str().unwrap(), "--print-config"]);
    assert!(ex_cfg.lines().any(|l| l == "withdraw = false"), "{ex_cfg}");
    assert!(ex_cfg.contains("[shock]"), "{ex_cfg}");
    let cli =
        stdout_of(&["abm", ex.to_str().unwrap(), "--shock", "-2%", "--shock-at", "5s", "--print-config"]);
    assert!(cli.lines().any(|l| l == "index_move = -0.02"), "{cli}");
    assert!(cli.lines().any(|l| l == "at_s = 5.0"), "{cli}");
}

fn fails_with(args: &[&str], needles: &[&str]) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "'{n}' not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn abm_config_errors_exit_2_naming_file_line_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| write(dir.path(), name, text).to_str().unwrap().to_string();
    let p = file("unknown.toml", "# comment\n[makers]\nwithdraw = false\nsise_lots = 3\n");
    fails_with(&["abm", &p, "--print-config"], &["unknown.toml:4:", "makers.sise_lots", "unknown field"]);
    let p = file("table.toml", "[makres]\nwithdraw = false\n");
    fails_with(&["abm", &p, "--duration", "10s"], &["table.toml:1:", "makres", "unknown field"]);
    let p = file("shock.toml", "[shock]\nat_s = 1.0\nindex_move = -0.01\nover_s = 1.0\nover = 2\n");
    fails_with(&["abm", &p, "--print-config"], &["shock.toml:5:", "shock.over", "unknown field"]);
    let p = file("neg.toml", "\n[noise]\nmarket_rate_per_s = -1\n");
    fails_with(&["abm", &p, "--duration", "10s"], &["neg.toml:3:", "noise.market_rate_per_s"]);
    let p = file("type.toml", "[noise]\nmarket_rate_per_s = \"fast\"\n");
    fails_with(&["abm", &p, "--print-config"], &["type.toml:2:", "noise.market_rate_per_s", "invalid type"]);
    let p = file("syntax.toml", "[makers]\nwithdraw = false\nlevels = \n");
    fails_with(&["abm", &p, "--print-config"], &["syntax.toml:3:", "makers.levels", "TOML syntax"]);
    fails_with(&["abm", "/nonexistent/abm.toml"], &["/nonexistent/abm.toml"]);
    fails_with(&["abm", "--shock", "-90%", "--print-config"], &["--shock", "shock.index_move"]);
    let out = dir.path().join("e.csv");
    fails_with(
        &["abm", "--shock", "-3%", "--experiment", "stops", "--events", out.to_str().unwrap()],
        &["--events"],
    );
}

#[test]
fn abm_writes_events_price_path_and_json_meta() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.csv");
    let path = dir.path().join("path.csv");
    let args = |events: &Path| -> Vec<String> {
        [
            "abm",
            "--seed",
            "7",
            "--duration",
            "120s",
            "--shock",
            "-3%",
            "--shock-at",
            "30s",
            "--shock-over",
            "10s",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(["--events".into(), events.display().to_string()])
        .chain(["--price-path".into(), path.display().to_string(), "--json".into()])
        .collect()
    };
    let a: Vec<String> = args(&events);
    let doc: serde_json::Value =
        serde_json::from_str(&stdout_of(&a.iter().map(String::as_str).collect::<Vec<_>>())).unwrap();

    let meta = &doc["meta"];
    assert_eq!(meta["seed"], 7);
    assert_eq!(meta["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["duration_s"], 120.0);
    let hash = meta["config_hash"].as_str().unwrap();
    assert!(hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    assert_eq!(meta["shock"]["index_move"], -0.03);
    for k in ["summary", "stylised_facts"] {
        assert!(doc[k].is_object(), "{k} missing");
    }
    let generations = doc["generations"].as_array().unwrap();
    for (i, g) in generations.iter().enumerate() {
        assert_eq!(g["generation"], i);
        assert!(g["notional_usd"].as_f64().unwrap() >= 0.0);
    }
    let notional: f64 = generations.iter().map(|g| g["notional_usd"].as_f64().unwrap()).sum();
    let total = doc["summary"]["liquidated_notional_usd"].as_f64().unwrap();
    assert!((notional - total).abs() <= 1e-6 * total.max(1.0), "{notional} vs {total}");

    // Event log: the `run --events` columns, one row per event, generations as in the JSON.
    let text = std::fs::read_to_string(&events).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "generation,time_s,account,account_label,market,unit,kind,lots,qty,price,notional_usd,mark,\
         bankruptcy_price,liquidation_fee_usd,fund_flow_usd,counterparty"
    );
    let rows: Vec<&str> = lines.collect();
    let json_events: u64 = generations.iter().map(|g| g["events"].as_u64().unwrap()).sum();
    assert_eq!(rows.len() as u64, json_events);
    for r in &rows {
        let g: usize = r.split(',').next().unwrap().parse().unwrap();
        assert!(g < generations.len(), "{r}");
    }
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("events.csv.meta.json")).unwrap())
            .unwrap();
    assert_eq!(&sidecar, meta);

    // Price path: one row per whole second, t_s = 1, 2, …, 120.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "t_s,mid,index,mark");
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 120);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), 4);
        assert!((r[0] - (i + 1) as f64).abs() < 1e-6, "t_s {} at row {i}", r[0]);
        assert!(r[1..].iter().all(|x| x.is_finite() && *x > 0.0), "{r:?}");
    }
    assert!(dir.path().join("path.csv.meta.json").exists());

    // Same seed, same result; the event log as Parquet.
    let parquet = dir.path().join("events.parquet");
    let b: Vec<String> = args(&parquet);
    let again: serde_json::Value =
        serde_json::from_str(&stdout_of(&b.iter().map(String::as_str).collect::<Vec<_>>())).unwrap();
    assert_eq!(again, doc);
    assert_eq!(&std::fs::read(&parquet).unwrap()[..4], b"PAR1");

    // The table names the config source and hash on its first line.
    let table = stdout_of(&["abm", "--seed", "7", "--duration", "20s"]);
    let first = table.lines().next().unwrap();
    assert!(first.contains("embedded default") && first.contains("seed 7"), "{first}");
    assert!(table.contains("liquidated"), "{table}");
}

/// `abm --seeds A-B` with `RAYON_NUM_THREADS` set.
fn seeds_stdout(args: &[&str], threads: &str) -> String {
    let out = bin().args(args).env("RAYON_NUM_THREADS", threads).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    // No progress bar when stderr is not a terminal.
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn abm_seeds_table_json_and_thread_count_independence() {
    let base = ["abm", "--seeds", "1-3", "--duration", "10m"];
    let table = seeds_stdout(&base, "2");
    let first = table.lines().next().unwrap();
    assert!(first.contains("seeds 1–3") && first.contains("embedded default"), "{first}");
    // One row per seed, in seed order, between the header and the summary.
    let rows: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("seed"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 3, "{table}");
    for (r, seed) in rows.iter().zip(1..) {
        let cells: Vec<&str> = r.split_whitespace().collect();
        assert_eq!(cells.len(), 10, "{r}");
        assert_eq!(cells[0], seed.to_string(), "{r}");
    }
    assert!(table.contains("1-min kurtosis > 3 in ") && table.contains(" of 3 runs"), "{table}");
    assert!(table.contains("pooled 1-min kurtosis") && table.contains("(Gaussian: 3 ± "), "{table}");
    assert_eq!(seeds_stdout(&base, "1"), table, "the table depends on the thread count");

    let json_args = [&base[..], &["--json", "--shock", "-2%"]].concat();
    let text = seeds_stdout(&json_args, "1");
    assert_eq!(seeds_stdout(&json_args, "2"), text, "the JSON depends on the thread count");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let meta = &doc["meta"];
    assert_eq!(meta["seeds"], serde_json::json!([1, 3]));
    assert!(meta.get("seed").is_none(), "{meta}");
    assert_eq!(meta["duration_s"], 600.0);
    assert_eq!(meta["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["shock"]["index_move"], -0.02);
    let hash = meta["config_hash"].as_str().unwrap();
    assert!(hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    assert_eq!(meta["config_source"], "embedded default");

    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let pooled = &doc["pooled"];
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let mut returns = 0;
    for (r, seed) in runs.iter().zip(1..) {
        assert_eq!(r["seed"], seed);
        // 10 minutes of 1-second mids: 9 one-minute returns.
        assert_eq!(r["n_returns_1min"], 9, "{r}");
        returns += r["n_returns_1min"].as_u64().unwrap();
        assert!(num(&r["kurtosis_1min"]) >= 1.0, "{r}");
        assert!(num(&r["annualised_vol_1min"]) >= 0.0, "{r}");
        assert!(num(&r["max_drawdown"]) <= 0.0, "{r}");
        assert!(num(&r["liquidated_notional_usd"]) >= 0.0, "{r}");
        for k in ["acf_returns_1min_lag1", "acf_abs_returns_1min_mean_lags_1_5"] {
            assert!(num(&r[k]).abs() <= 1.0, "{k}: {r}");
        }
        for k in ["kurtosis_10s", "spread_bps_median", "depth_usd_10bp_median"] {
            assert!(r[k].is_number(), "{k}: {r}");
        }
    }
    let kurt: Vec<f64> = runs.iter().map(|r| num(&r["kurtosis_1min"])).collect();
    assert_eq!(pooled["runs"], 3);
    assert_eq!(pooled["kurtosis_above_3"], kurt.iter().filter(|k| **k > 3.0).count());
    assert_eq!(pooled["n_returns_1min"], returns);
    let min = kurt.iter().copied().fold(f64::INFINITY, f64::min);
    let max = kurt.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!((num(&pooled["kurtosis_1min_min"]), num(&pooled["kurtosis_1min_max"])), (min, max));
    let median = num(&pooled["kurtosis_1min_median"]);
    assert!(kurt.contains(&median), "{median} not one of {kurt:?}");
    assert!((num(&pooled["gaussian_kurtosis_2se"]) - 2.0 * (24.0 / returns as f64).sqrt()).abs() < 1e-12);
    assert!(num(&pooled["kurtosis_1min_pooled"]) >= 1.0, "{pooled}");
    let worst = runs.iter().map(|r| num(&r["max_drawdown"])).fold(f64::INFINITY, f64::min);
    assert_eq!(num(&pooled["worst_drawdown"]), worst);
    let total: f64 = runs.iter().map(|r| num(&r["liquidated_notional_usd"])).sum();
    assert!((num(&pooled["liquidated_notional_usd"]) - total).abs() <= 1e-9 * total.max(1.0));

    // Seed 2 of the range is the run `--seed 2` gives.
    let one: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "abm",
        "--seed",
        "2",
        "--duration",
        "10m",
        "--shock",
        "-2%",
        "--json",
    ]))
    .unwrap();
    assert_eq!(runs[1]["kurtosis_1min"], one["stylised_facts"]["kurtosis_1min"]);
    assert_eq!(runs[1]["max_drawdown"], one["summary"]["max_drawdown"]);
}

#[test]
fn abm_seeds_errors_exit_2_naming_seeds() {
    for bad in ["3-1", "x", "1-2000", "16", "1-"] {
        fails_with(&["abm", "--seeds", bad, "--duration", "10s"], &["--seeds"]);
    }
    fails_with(&["abm", "--seeds", "1-2000"], &["--seeds 1-2000", "at most 1000"]);
    fails_with(&["abm", "--seeds", "3-1"], &["--seeds 3-1", "empty range"]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.csv");
    for flag in ["--events", "--price-path", "--compare-real"] {
        fails_with(&["abm", "--seeds", "1-3", flag, f.to_str().unwrap()], &["--seeds", flag]);
    }
    fails_with(&["abm", "--seeds", "1-3", "--seed", "4"], &["--seeds", "--seed"]);
}

#[test]
fn abm_experiment_over_seeds() {
    // Both arms for every seed, in seed order, whatever the thread count; the summary counts
    // agree with the rows.
    let experiment = [
        "--duration",
        "240s",
        "--shock",
        "-4%",
        "--shock-at",
        "60s",
        "--shock-over",
        "30s",
        "--experiment",
        "withdrawal",
        "--json",
    ];
    let args = [&["abm", "--seeds", "2-4"][..], &experiment[..]].concat();
    let one = seeds_stdout(&args, "1");
    assert_eq!(one, seeds_stdout(&args, "2"), "output depends on the thread count");
    let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(doc["meta"]["seeds"], serde_json::json!([2, 4]));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.iter().map(|r| r["seed"].as_u64().unwrap()).collect::<Vec<_>>(), vec![2, 3, 4]);
    let liq = |r: &serde_json::Value, k: usize| r["arms"][k]["liquidated_notional_usd"].as_f64().unwrap();
    let larger = runs.iter().filter(|r| liq(r, 0) > liq(r, 1)).count();
    assert_eq!(doc["together"]["seeds_first_arm_larger"].as_u64().unwrap() as usize, larger);
    let total0: f64 = runs.iter().map(|r| liq(r, 0)).sum();
    assert!((doc["together"]["liquidated_notional_usd"][0].as_f64().unwrap() - total0).abs() < 1e-6);
    assert_eq!(doc["together"]["labels"], serde_json::json!(["withdrawal", "no_withdrawal"]));
    // The table: two rows per seed and the two summary lines.
    let text = stdout_of(&args[..args.len() - 1]);
    let rows = text.lines().filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()));
    assert_eq!(rows.count(), 6, "{text}");
    assert!(text.contains("over 3 seeds: liquidated") && text.contains("mean trough after the shock"));
    // One seed of the range is the single-seed experiment.
    let single_args = [&["abm", "--seed", "3"][..], &experiment[..]].concat();
    let single: serde_json::Value = serde_json::from_str(&stdout_of(&single_args)).unwrap();
    assert_eq!(single["arms"], runs[1]["arms"]);
}

/// `abm --flows` (issue 16): the example's token and dealer book, every arm per seed in seed
/// order whatever the thread count, the effects equal to the arms' differences, the table's
/// rows; refused without a shock or without `[flows]`.
#[test]
fn abm_flows_channels_over_seeds() {
    let flows = example("abm/flows.toml");
    let flows = flows.to_str().unwrap();
    let args = [
        "abm",
        flows,
        "--seeds",
        "1-2",
        "--duration",
        "120s",
        "--shock",
        "-10%",
        "--shock-at",
        "30s",
        "--shock-over",
        "30s",
        "--flows",
        "--json",
    ];
    let one = seeds_stdout(&args, "1");
    assert_eq!(one, seeds_stdout(&args, "2"), "output depends on the thread count");
    let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.iter().map(|r| r["seed"].as_u64().unwrap()).collect::<Vec<_>>(), vec![1, 2]);
    for r in runs {
        let labels: Vec<&str> =
            r["arms"].as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["all_flows", "no_leveraged_token", "no_dealer_gamma", "no_flows"]);
        let liq = |k: usize| r["arms"][k]["summary"]["liquidated_notional_usd"].as_f64().unwrap();
        for (i, e) in r["effects"].as_array().unwrap().iter().enumerate() {
            assert_eq!(e["added_liquidated_usd"].as_f64().unwrap(), liq(0) - liq(i + 1));
        }
    }
    assert_eq!(doc["channels"][1]["channel"], "dealer_gamma");
    let text = stdout_of(&args[..args.len() - 1]);
    let rows = text.lines().filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()));
    // Four arms and two effects per seed.
    assert_eq!(rows.count(), 12, "{text}");
    assert!(text.contains("over 2 seeds: dealer_gamma adds"), "{text}");
    // One run with [flows]: the taker-channel block and the flow orders in JSON.
    let single = stdout_of(&["abm", flows, "--duration", "120s", "--shock", "-10%", "--shock-at", "30s"]);
    assert!(single.contains("taker channel") && single.contains("dealer_gamma"), "{single}");
    fails_with(&["abm", flows, "--flows", "--duration", "60s"], &["--flows needs a shock"]);
    fails_with(&["abm", "--flows", "--shock", "-5%", "--duration", "60s"], &["flows", "needs [flows]"]);
}
