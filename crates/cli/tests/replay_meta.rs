//! `replay` names what produced it (issue 13 item 7: version, scenario hash and seed in every
//! output): a three-minute synthetic window on the default scenario, `--json` and the table.

mod common;

use std::process::Command;

#[test]
fn replay_json_and_table_carry_version_hash_and_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (prices, fo) = common::replay_window(dir.path());
    let run = |extra: &[&str]| {
        let mut a = vec![
            "replay",
            "--trades",
            prices.to_str().unwrap(),
            "--force-orders",
            fo.to_str().unwrap(),
            "--from",
            "1700000040000",
            "--to",
            "1700000220000",
        ];
        a.extend_from_slice(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_liqcascade")).args(&a).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let doc: serde_json::Value = serde_json::from_str(&run(&["--json"])).unwrap();
    let meta = &doc["meta"];
    assert_eq!(meta["version"], env!("CARGO_PKG_VERSION"));
    let hash = meta["scenario_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 16);
    assert_eq!(meta["seed"], 42, "the default scenario's seed");
    // The report's own fields stay at the top level.
    assert_eq!(doc["minutes"], 3);
    assert!(run(&[]).starts_with(&format!("liqcascade {} · replay · ", env!("CARGO_PKG_VERSION"))));
    assert!(run(&[]).contains(hash));
}
