//! `run --adl-policy` and `run --collateral-sale` on the command line: the comparison runs, their
//! metadata and summary fields, and bad values refused.

use std::path::Path;
use std::process::Command;

fn json_of(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_liqcascade")).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name).to_string_lossy().into_owned()
}

/// The same cascade under the venue's ADL queue and pro-rata: the ADL notional and its overshoot
/// are fixed by what the fund could not absorb, so equal; pro-rata spreads it over more closes.
#[test]
fn adl_policy_comparison() {
    let f = example("single-market-isolated.toml");
    let venue = json_of(&["run", &f, "--json"]);
    let pro = json_of(&["run", &f, "--json", "--adl-policy", "pro-rata"]);
    assert_eq!(venue["meta"]["adl_policy"], "venue");
    assert_eq!(pro["meta"]["adl_policy"], "pro-rata");
    let (v, p) = (&venue["summary"], &pro["summary"]);
    assert!(v["adl_notional_usd"].as_f64().unwrap() > 0.0);
    // Equal up to the order of summation (float).
    let same = |k: &str| (v[k].as_f64().unwrap() - p[k].as_f64().unwrap()).abs() < 1e-6;
    assert!(same("adl_notional_usd") && same("adl_overshoot_usd"), "{v} vs {p}");
    assert!(v["adl_overshoot_usd"].as_f64().unwrap() <= v["adl_notional_usd"].as_f64().unwrap());
    assert!(p["adl_counterparties"].as_u64().unwrap() > v["adl_counterparties"].as_u64().unwrap());
}

/// On the volatile-collateral example the converted BTC is sold into the book; with
/// `--collateral-sale fund` nothing is sold and the fund holds it.
#[test]
fn collateral_sale_flag() {
    let f = example("volatile-collateral.toml");
    let book = json_of(&["run", &f, "--json"]);
    let fund = json_of(&["run", &f, "--json", "--collateral-sale", "fund"]);
    assert!(book["summary"]["collateral_sold_usd"].as_f64().unwrap() > 0.0);
    assert_eq!(fund["summary"]["collateral_sold_usd"].as_f64().unwrap(), 0.0);
    assert!(fund["ledger"]["fund"]["collateral_value_usd"].as_f64().unwrap() > 0.0);
    for bad in [["--adl-policy", "random"], ["--collateral-sale", "burn"]] {
        let out =
            Command::new(env!("CARGO_BIN_EXE_liqcascade")).args(["run", &f]).args(bad).output().unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(bad[0]),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
