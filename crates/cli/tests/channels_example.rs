//! The channels example (`examples/channels/default-with-flows.toml`, docs/guide.md "Channels"):
//! the figures the guide's table and DESIGN.md's sensitivity rows print are what `run` computes
//! today — the documented run, and the run with the dealers' hedge ratio halved.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `run FILE --json`'s channel decomposition, in M USD rounded to the printed 3 decimals.
fn channels(file: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_liqcascade"))
        .args(["run", file.to_str().unwrap(), "--json", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["channels"].clone()
}

fn m(x: &Value) -> String {
    format!("{:.3}", x.as_f64().unwrap() / 1e6)
}

fn dealer(c: &Value) -> &Value {
    c["channels"].as_array().unwrap().iter().find(|r| r["channel"] == "dealer_gamma").unwrap()
}

#[test]
fn the_guides_channel_table_and_the_ratio_row_are_reproduced() {
    let example = root().join("examples/channels/default-with-flows.toml");
    let c = channels(&example);
    let d = dealer(&c);
    // The guide's table row and its summary line, as `run` prints them.
    let row = format!(
        "  dealer_gamma        {}      {}          {}        {}",
        m(&d["sold_usd"]),
        m(&d["bought_usd"]),
        m(&d["liquidated_without_usd"]),
        m(&d["liquidations_added_usd"])
    );
    assert_eq!(row, "  dealer_gamma        9.536      0.819          2.536        0.107");
    let guide = std::fs::read_to_string(root().join("docs/guide.md")).unwrap();
    assert!(guide.contains(&row), "docs/guide.md no longer shows {row}");
    assert_eq!((m(&c["liquidated_usd"]), m(&c["liquidations_only_usd"])), ("2.642".into(), "2.536".into()));
    // DESIGN.md's ratio-0.5 row: the same file with `hedge_ratio = 0.5`, beside its options CSV.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&example).unwrap();
    assert_eq!(text.matches("\nhedge_ratio = 1.0\n").count(), 1);
    let copy = dir.path().join("half.toml");
    std::fs::write(&copy, text.replace("\nhedge_ratio = 1.0\n", "\nhedge_ratio = 0.5\n")).unwrap();
    let csv = "deribit-btc-20250124.options.csv";
    std::fs::copy(root().join("examples/channels").join(csv), dir.path().join(csv)).unwrap();
    let c = channels(&copy);
    let d = dealer(&c);
    let design_row = format!(
        "| ratio 0.5 | {} | {} | {} | {} |",
        m(&d["sold_usd"]),
        m(&d["bought_usd"]),
        m(&c["liquidated_usd"]),
        m(&d["liquidations_added_usd"])
    );
    assert_eq!(design_row, "| ratio 0.5 | 4.640 | 0.228 | 2.579 | 0.043 |");
    let design = std::fs::read_to_string(root().join("DESIGN.md")).unwrap();
    assert!(design.contains(&design_row), "DESIGN.md no longer shows {design_row}");
}
