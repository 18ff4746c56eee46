//! `run --report/--result` on a lending venue: the result JSON carries the lending totals (equal
//! to `run --json`'s), `liqcascade report` re-renders it, and the HTML has the lending section.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liqcascade"))
}

#[test]
fn lending_run_writes_a_report_and_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aave-v3.toml");
    let (html, result) = (dir.path().join("r.html"), dir.path().join("r.json"));
    let out = bin()
        .args(["run", example.to_str().unwrap(), "--report", html.to_str().unwrap()])
        .args(["--result", result.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let res: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    // The same run: the report's lending totals are the JSON document's.
    for k in ["debt_repaid_usd", "bonus_usd", "protocol_fee_usd", "deficit_usd", "liquidator_pnl_usd"] {
        assert_eq!(res["lending"][k], doc["lending"][k], "{k}");
    }
    assert!(doc["lending"]["debt_repaid_usd"].as_f64().unwrap() > 0.0);
    assert_eq!(res["meta"]["venue"], "aave-v3");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("id=\"lending\"") && page.contains("Lending protocol (Aave v3.3 rules)"),
        "no section"
    );
    assert!(page.contains("WETH") && page.contains("liquidationCalls"));
    // Re-rendered from the result file alone.
    let again = dir.path().join("again.html");
    let out =
        bin().args(["report", result.to_str().unwrap(), "--out", again.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&again).unwrap().contains("Lending protocol (Aave v3.3 rules)"));
}
