//! The ledger identities, recomputed from `run --json` alone, on the default scenario (every
//! venue, instant and path shocks, a book shock) and on every example scenario: the fund's start
//! plus its cash items is its end cash to the micro-dollar, cash plus inventory plus collateral
//! is its equity, holder groups' equity changes sum to the collateral revaluation, positions net
//! to zero in every market, and long open interest equals short.

use std::path::Path;
use std::process::Command;

fn run_json(args: &[&str]) -> serde_json::Value {
    let out =
        Command::new(env!("CARGO_BIN_EXE_liqcascade")).arg("run").args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn f(v: &serde_json::Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} missing in {v}"))
}

/// A lending book's (`venue = "aave-v3"`) identities from its `lending.ledger`: collateral lots
/// per reserve over borrowers, liquidators, treasury and spot makers; micro-USD over
/// liquidators, makers and the pool; debt + repaid + deficit = debt at the start.
fn check_lending(what: &str, v: &serde_json::Value) {
    let l = &v["lending"]["ledger"];
    let ints =
        |k: &str| -> Vec<i64> { l[k].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect() };
    let int = |k: &str| l[k].as_i64().unwrap_or_else(|| panic!("{what}: {k}"));
    let start = ints("borrower_lots_start");
    for (k, s) in start.iter().enumerate() {
        let now = ints("borrower_lots")[k]
            + ints("liquidator_lots")[k]
            + ints("treasury_lots")[k]
            + ints("maker_lots")[k];
        assert_eq!(now, *s, "{what}: reserve {k} collateral lots");
    }
    assert_eq!(int("liquidator_cash") + int("maker_cash") + int("pool_cash"), 0, "{what}: cash");
    assert_eq!(int("debt") + int("repaid") + int("deficit"), int("debt_start"), "{what}: debt");
    assert_eq!((f(&v["lending"], "deficit_usd") * 1e6).round() as i64, int("deficit"), "{what}: deficit");
}

fn check(what: &str, v: &serde_json::Value) {
    if v["meta"]["venue"] == "aave-v3" {
        return check_lending(what, v);
    }
    let l = &v["ledger"];
    let fund = &l["fund"];
    // Cash items are whole micro-dollars: compare in micro-dollars.
    let micros = |k: &str| (f(fund, k) * 1e6).round() as i64;
    let cash = micros("start_usd") + micros("fees_usd") + micros("surplus_usd")
        - micros("cover_usd")
        - micros("below_bankruptcy_usd")
        - micros("collateral_bought_usd")
        + micros("unwind_realised_usd")
        // Funding on the fund's inventory (path runs with `[funding] accrue`; absent when zero).
        + fund.get("funding_usd").and_then(|x| x.as_f64()).map_or(0, |x| (x * 1e6).round() as i64)
        + fund.get("seized_collateral_sold_usd").map_or(0, |_| micros("seized_collateral_sold_usd"));
    assert_eq!(cash, micros("cash_end_usd"), "{what}: fund cash items {fund}");
    let end = f(fund, "cash_end_usd") + f(fund, "inventory_unrealised_usd") + f(fund, "collateral_value_usd");
    assert!((end - f(fund, "end_usd")).abs() < 1e-6 * (1.0 + end.abs()), "{what}: fund equity {fund}");
    assert!((f(fund, "end_usd") - f(&v["summary"], "insurance_fund_end_usd")).abs() < 1e-6, "{what}");
    let holders = l["holders"].as_array().unwrap();
    let total: f64 = holders.iter().map(|h| f(h, "equity_change_usd")).sum();
    let scale: f64 = holders.iter().map(|h| f(h, "equity_change_usd").abs()).sum::<f64>() + 1.0;
    let reval = f(l, "collateral_revaluation_usd");
    assert!((total - reval).abs() < 1e-6 * scale, "{what}: Σ equity changes {total} vs revaluation {reval}");
    let n = v["markets"].as_array().unwrap().len();
    for k in 0..n {
        let net: i64 = holders.iter().map(|h| h["position_lots"][k].as_i64().unwrap()).sum();
        assert_eq!(net, 0, "{what}: market {k} positions do not net to zero");
        assert_eq!(l["open_interest_end_lots"][k], l["short_interest_end_lots"][k], "{what}: market {k}");
    }
}

#[test]
fn default_scenario_ledger_identities() {
    for venue in ["binance", "bybit", "hyperliquid", "dydx"] {
        check(venue, &run_json(&["--venue", venue, "--shock", "BTC=-15%"]));
    }
    check("crash", &run_json(&["--shock", "BTC=-10%", "--crash-over", "60s"]));
    check("book shock", &run_json(&["--shock-book", "binance:BTC=-3M"]));
}

#[test]
fn example_scenarios_ledger_identities() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            check(&p.display().to_string(), &run_json(&[p.to_str().unwrap()]));
            n += 1;
        }
    }
    assert!(n >= 4, "expected the example scenarios in {}", dir.display());
}
