//! The default scenario's price formation from the command line: every venue preset's own mark
//! rule gives a second order on a −10% BTC shock, `run --json` reports the index and basis per
//! market, and a forced seller on the perp book alone moves the index through arbitrage and the
//! makers' hedge.

use std::process::Command;

fn run_json(args: &[&str]) -> serde_json::Value {
    let out =
        Command::new(env!("CARGO_BIN_EXE_liqcascade")).arg("run").args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every preset reports index and basis per market, and on the default scenario a −10% BTC
/// shock, instant or as a 60-s crash, gives a second order under the venue's own mark rule with
/// no custom rule (issue 11's done-means): the forced flow reaches the index through the
/// arbitrageurs and the makers' hedge on spot (DESIGN.md "The makers' hedge"). Bybit's too: its
/// lowest tier goes to the backstop without an order, and the backstop's inventory is hedged.
#[test]
fn every_preset_reports_the_index_and_the_loop_runs_through_the_venue_rules() {
    for venue in ["binance", "bybit", "hyperliquid", "dydx"] {
        let instant = run_json(&["--venue", venue, "--shock", "BTC=-10%"]);
        let second = instant["summary"]["second_order_notional_usd"].as_f64().unwrap();
        assert!(second > 0.0, "{venue} instant: second order {second}");
        assert!(instant["markets"][0]["maker_hedge_usd"].as_f64().unwrap() > 0.0, "{venue}");
        let v = run_json(&["--venue", venue, "--shock", "BTC=-10%", "--crash-over", "60s"]);
        let second = v["summary"]["second_order_notional_usd"].as_f64().unwrap();
        assert!(second > 0.0, "{venue} 60-s crash: second order {second}");
        for m in v["markets"].as_array().unwrap() {
            for f in ["index_start", "index_end", "mark_start", "mark_end", "basis_end_bps"] {
                assert!(m[f].as_f64().is_some_and(f64::is_finite), "{venue}: {f} in {m}");
            }
        }
        // The shock moved BTC's index by about −10% (the exogenous part; arbitrage and spot
        // resilience move it by a few basis points around that).
        let btc = &v["markets"][0];
        let (i0, i1) = (btc["index_start"].as_f64().unwrap(), btc["index_end"].as_f64().unwrap());
        assert!((i1 / i0 - 0.9).abs() < 0.002, "{venue}: index {i0} → {i1}");
    }
}

/// A forced seller on Binance's BTC perp and no exogenous move: the index falls, carried by the
/// arbitrageurs and the makers' hedge (the engine's `price_formation.rs` shows each alone).
#[test]
fn a_perp_book_shock_moves_the_index() {
    let v = run_json(&["--shock-book", "binance:BTC=-5M"]);
    assert!(v["meta"]["shock"].as_array().unwrap().iter().all(|s| s[1].as_f64() == Some(0.0)));
    let btc = &v["markets"][0];
    let (i0, i1) = (btc["index_start"].as_f64().unwrap(), btc["index_end"].as_f64().unwrap());
    assert!(i1 < i0, "index {i0} → {i1}");
    assert!(btc["arb_perp_bought_usd"].as_f64().unwrap() > 0.0);
    assert!(btc["maker_hedge_usd"].as_f64().unwrap() > 0.0);
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

/// Issue 14's regression: a flow larger than a book side no longer ends in a silent floor price.
/// $500M sold into the BTC slice's book (about $160M of bids) empties the bids; the table says
/// so and `--json` carries the event.
#[test]
fn an_emptied_book_is_reported_in_the_table_and_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_liqcascade"))
        .args(["run", "--shock-book", "BTC=-500M"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("BTCUSDT: the book's bids ran out in round 0"), "{table}");
    let v = run_json(&["--shock-book", "BTC=-500M"]);
    assert_eq!(v["markets"][0]["book_exhausted"]["side"], "sell");
    assert!(v["markets"][1]["book_exhausted"].is_null());
}
