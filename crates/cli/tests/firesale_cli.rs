//! `liqcascade firesale` end to end: the flags' defaults are the reference implementation's
//! (ox-inet-resilience/firesale_stresstest @ dd861c6), `--json` carries version, input hash and
//! seed, the table gives defaults per round and EoSE, and bad input exits 2 naming file, line
//! and field. The model's numbers are asserted in `crates/network/tests/firesale_cs.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liqcascade")).args(args).output().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The hand-worked two-bank case of the network tests (AA01 defaults in round 2, BB02 in 3).
const TWO_BANKS: &str =
    "bank_id,CET1E,leverage,debt_sec,govbonds\nAA01 4 4.00 60 40\nBB02 60 6.00 400 60+40\n";

#[test]
fn json_has_meta_params_and_defaults_per_round() {
    let dir = tempfile::tempdir().unwrap();
    let eba = write(dir.path(), "two.csv", TWO_BANKS);
    let e = eba.to_str().unwrap();
    let out = run(&["firesale", "--eba", e, "--shock=-2.5%", "--rounds", "3", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let meta = &v["meta"];
    assert_eq!(meta["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["input_hash"].as_str().unwrap().len(), 16);
    assert!(meta["seed"].is_null());
    assert!(meta["reference"]
        .as_str()
        .unwrap()
        .starts_with("ox-inet-resilience/firesale_stresstest@dd861c6"));
    // Every flag's default is the reference's parameter.
    let p = &v["params"];
    assert_eq!(p["shock"], serde_json::json!([-0.025, 0.0]));
    for (k, x) in [
        ("leverage_min", 0.03),
        ("leverage_buffer", 0.04),
        ("leverage_target", 0.05),
        ("cash_share", 0.05),
        ("loan_share", 0.5),
        ("impact_drop", 0.05),
        ("impact_sold", 0.05),
        ("eose_threshold", 0.05),
    ] {
        assert_eq!(p[k].as_f64(), Some(x), "{k}");
    }
    assert_eq!(p["execution"], "midpoint");
    assert_eq!(p["clearing"], "next-round");
    assert_eq!(p["defaulted_sell_all"], true);
    assert_eq!(v["outcome"]["defaults_per_round"], serde_json::json!([0, 0, 1, 1]));
    assert_eq!(v["outcome"]["eose"], 1.0);
    // Same input, same hash; the default run has 6 rounds.
    let again = run(&["firesale", "--eba", e, "--json"]);
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(w["meta"]["input_hash"], meta["input_hash"]);
    assert_eq!(w["params"]["rounds"], 6);
    assert_eq!(w["outcome"]["rounds"].as_array().unwrap().len(), 7);
}

#[test]
fn table_gives_defaults_per_round_and_eose() {
    let dir = tempfile::tempdir().unwrap();
    let eba = write(dir.path(), "two.csv", TWO_BANKS);
    let out = run(&["firesale", "--eba", eba.to_str().unwrap(), "--shock=-2.5%", "--rounds", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("EoSE 1.0000 (2 of 2 institutions defaulted"), "{t}");
    assert!(t.contains("seed none (no random draws)"), "{t}");
    assert!(t.contains("defaulted in round 2: AA01"), "{t}");
    assert!(t.contains("defaulted in round 3: BB02"), "{t}");
    // Other settings of each mechanic run: leverage targeting, post-clearing execution,
    // same-round clearing, defaulted banks kept off the market, a corporate-bond shock.
    for extra in [
        &["--leverage-buffer", "100%"][..],
        &["--execution", "post-clearing", "--clearing", "same-round"],
        &["--default-sale", "none", "--impact-drop", "1%", "--impact-sold", "10%"],
        &["--shock-asset", "corporate_bonds", "--shock=-1%"],
        &["--shock=-1%,-1%"],
    ] {
        let mut args = vec!["firesale", "--eba", eba.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

fn fails_with(args: &[&str], needles: &[&str]) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` not in {err}");
    }
}

#[test]
fn bad_input_exits_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.csv", "bank_id,CET1E,leverage,debt_sec,govbonds\nAA01 4 4.00 60 4x\n");
    fails_with(&["firesale", "--eba", bad.to_str().unwrap()], &["bad.csv:2: field `govbonds`"]);
    let eba = write(dir.path(), "two.csv", TWO_BANKS);
    let e = eba.to_str().unwrap();
    fails_with(&["firesale", "--eba", e, "--shock-asset", "equities"], &["--shock-asset", "`equities`"]);
    fails_with(&["firesale", "--eba", e, "--shock=-1%,0,0"], &["--shock: 3 values for 2 assets"]);
    fails_with(&["firesale", "--eba", e, "--leverage-min", "abc"], &["--leverage-min"]);
    fails_with(&["firesale", "--eba", e, "--impact-drop", "100%"], &["impact_drop"]);
    // A limits file whose leverage limit disagrees with the model's minimum ratio is refused.
    let h = write(dir.path(), "h.csv", "institution,x,y\nA,50,50\n");
    let l = write(dir.path(), "l.csv", "institution,equity,other_assets,max_leverage\nA,10,100,10\n");
    fails_with(
        &[
            "firesale",
            "--holdings",
            h.to_str().unwrap(),
            "--limits",
            l.to_str().unwrap(),
            "--shock-asset",
            "x",
        ],
        &["l.csv: field `max_leverage`", "`A`"],
    );
    // ... and one that agrees runs.
    let l = write(
        dir.path(),
        "l2.csv",
        "institution,equity,other_assets,max_leverage\nA,10,100,33.333333333333336\n",
    );
    let out = run(&[
        "firesale",
        "--holdings",
        h.to_str().unwrap(),
        "--limits",
        l.to_str().unwrap(),
        "--shock-asset",
        "x",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
