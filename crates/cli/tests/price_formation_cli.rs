//! The default scenario's price formation from the command line: every venue preset's own mark
//! rule gives a second order on a −10% BTC shock, `run --json` reports the index and basis per
//! market, and a forced seller on the perp book alone moves the index through arbitrage.

use std::process::Command;

fn run_json(args: &[&str]) -> serde_json::Value {
    let out =
        Command::new(env!("CARGO_BIN_EXE_liqcascade")).arg("run").args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_preset_has_a_second_order_without_a_custom_mark_rule() {
    for venue in ["binance", "hyperliquid", "dydx"] {
        let v = run_json(&["--venue", venue, "--shock", "BTC=-10%"]);
        let second = v["summary"]["second_order_notional_usd"].as_f64().unwrap();
        assert!(second > 0.0, "{venue}: second order {second}");
        for m in v["markets"].as_array().unwrap() {
            for f in ["index_start", "index_end", "mark_start", "mark_end", "basis_end_bps"] {
                assert!(m[f].as_f64().is_some_and(f64::is_finite), "{venue}: {f} in {m}");
            }
        }
        // The shock moved BTC's index by −10% (the exogenous part) and arbitrage may add to it.
        let btc = &v["markets"][0];
        let (i0, i1) = (btc["index_start"].as_f64().unwrap(), btc["index_end"].as_f64().unwrap());
        assert!(i1 <= i0 * 0.9 * (1.0 + 1e-9), "{venue}: index {i0} → {i1}");
    }
}

#[test]
fn a_perp_book_shock_moves_the_index_through_arbitrage_alone() {
    let v = run_json(&["--shock-book", "binance:BTC=-5M"]);
    assert!(v["meta"]["shock"].as_array().unwrap().iter().all(|s| s[1].as_f64() == Some(0.0)));
    let btc = &v["markets"][0];
    let (i0, i1) = (btc["index_start"].as_f64().unwrap(), btc["index_end"].as_f64().unwrap());
    assert!(i1 < i0, "index {i0} → {i1}");
    assert!(btc["arb_perp_bought_usd"].as_f64().unwrap() > 0.0);
    // ETH and SOL saw no flow of their own on the perp book and no exogenous move.
    let eth = &v["markets"][1];
    assert!(eth["index_end"].as_f64().unwrap() <= eth["index_start"].as_f64().unwrap());
}

#[test]
fn a_book_shock_on_another_venue_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_liqcascade"))
        .args(["run", "--shock-book", "dydx:BTC=-5M"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("venue is binance"));
}
