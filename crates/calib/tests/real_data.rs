//! The loaders and the calibration on the real files in `../shared/data` (see
//! `shared/data/SOURCES.md`). Debug-mode CI reads bounded prefixes; the full-capture check is
//! `#[ignore]`d (run it with `cargo test --release -p liq-calib -- --ignored`).
//!
//! On a clone without `../shared` beside it every test here prints a note and passes, so the
//! README's test command is green for a newcomer; `.ci/run` sets `LIQ_REQUIRE_SHARED=1`, which
//! turns each skip into a failure so CI always runs them on the real files.

use liq_calib::files::{load_binance_trade_tape, load_force_orders};
use liq_calib::{calibrate, check_against_tickers, load_binance_capture, CalibOptions, DataSource};
use std::path::PathBuf;

/// The shared file, or `None` (with a note on stderr) when the shared data folder is absent and
/// `LIQ_REQUIRE_SHARED` is not `1`.
fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("LIQ_REQUIRE_SHARED").is_none_or(|v| v != "1"),
        "{} is missing and LIQ_REQUIRE_SHARED=1: the shared data folder must sit beside the repository",
        p.display()
    );
    eprintln!("note: {} is absent; skipping this real-data test", p.display());
    None
}

fn capture() -> Option<PathBuf> {
    shared("binance-usdm-btcusdt-20240808/btcusdt_20240808.gz")
}

#[test]
fn rebuilt_book_matches_book_ticker_on_a_prefix() {
    // 8,000 lines ≈ 30 s of the capture: the snapshot is line 55.
    let Some(capture) = capture() else { return };
    let cap = load_binance_capture(&capture, Some(8_000)).unwrap();
    assert!(cap.truncated && cap.snapshots.len() == 1);
    assert_eq!(cap.snapshots[0].last_update_id, 5_123_107_852_948);
    assert_eq!(cap.snapshots[0].bids.len(), 1_000);
    assert_eq!(cap.symbol.as_deref(), Some("BTCUSDT"));
    let check = check_against_tickers(&cap);
    assert!(check.checked >= 20, "only {} check points", check.checked);
    assert_eq!(check.matched, check.checked, "mismatches: {:?}", check.mismatches);
    assert_eq!(check.matched_with_qty, check.checked);
    assert!(check.sequence_issues.is_empty(), "{:?}", check.sequence_issues);
}

#[test]
#[ignore = "parses the whole 30 MB capture; run in release"]
fn full_capture_book_check_and_calibration() {
    let Some(capture) = capture() else { return };
    let cap = load_binance_capture(&capture, None).unwrap();
    // SOURCES.md: 93,954 lines; 6,551 diffs, 21,313 trades, 66,089 bookTicker.
    assert_eq!(
        (cap.lines, cap.diffs.len(), cap.trades.len(), cap.tickers.len()),
        (93_954, 6_551, 21_313, 66_089)
    );
    let check = check_against_tickers(&cap);
    // 629 bookTickers pin the book state exactly (id between one diff's u and the next's U).
    assert_eq!((check.checked, check.matched), (629, 629));
    assert!(check.sequence_issues.is_empty());
    let cal =
        calibrate(&[DataSource::BinanceCapture { path: capture.clone() }], &CalibOptions::default()).unwrap();
    let m = &cal.markets[0];
    let fit = m.impact.as_ref().unwrap();
    assert!(fit.delta_ci95.0 < fit.delta && fit.delta < fit.delta_ci95.1);
    assert!(m.depth_relaxation_tau_s.is_some());
    println!("{}", cal.summary_table());
}

#[test]
fn calibration_on_a_prefix_writes_a_scenario_toml() {
    let Some(capture) = capture() else { return };
    let opts = CalibOptions { max_capture_lines: Some(8_000), ..Default::default() };
    let cal = calibrate(&[DataSource::BinanceCapture { path: capture.clone() }], &opts).unwrap();
    let m = &cal.markets[0];
    assert_eq!(m.symbol, "BTCUSDT");
    assert_eq!(m.tick_size, Some(0.1));
    assert_eq!(m.lot_size, Some(0.001));
    // Mid ≈ 61,800 (SOURCES.md).
    assert!((m.last_price - 61_800.0).abs() < 200.0, "{}", m.last_price);
    let v = m.volatility.as_ref().unwrap();
    assert!(v.daily_vol_tsrv > 0.005 && v.daily_vol_tsrv < 0.2, "{v:?}");
    assert_eq!(cal.inputs[0].sha256.len(), 64);
    let text = cal.to_toml();
    let doc: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(doc["impact"]["model"].as_str(), Some("book"));
    assert!(doc["impact"]["resilience_tau_s"].as_float().unwrap() > 0.0);
    let mk = &doc["markets"][0];
    assert_eq!(mk["symbol"].as_str(), Some("BTCUSDT"));
    assert!(mk["square_root"]["delta"].as_float().is_some());
    let profile = &mk["book"]["profile"];
    assert_eq!(profile["bid_notional_usd"].as_array().unwrap().len(), 2_500);
    assert!(text.contains(&cal.inputs_sha256));
}

#[test]
fn liquidation_dump_and_trade_tape_load_whole() {
    let (Some(fo), Some(tape)) = (
        shared("binance-liquidations-2025-01/binance.csv"),
        shared("binance-liquidations-2025-01/binance_trades.csv"),
    ) else {
        return;
    };
    let fo = load_force_orders(&fo).unwrap();
    assert_eq!(fo.len(), 3_510);
    // 2025-01-27 16:00–18:00 UTC = [1737993600000, 1738000800000): 2,579 rows (SOURCES.md).
    let jan27 = fo.iter().filter(|o| (1_737_993_600_000..1_738_000_800_000).contains(&o.time_ms)).count();
    assert_eq!(jan27, 2_579);
    let tape = load_binance_trade_tape(&tape).unwrap();
    let rows: usize = tape.iter().map(|m| m.trades.len()).sum();
    assert_eq!(rows, 16_440);
    // SOURCES.md lists five symbols; the file also holds 83 WIFUSDT rows (counted with awk).
    let counts: Vec<(&str, usize)> = tape.iter().map(|m| (m.market.as_str(), m.trades.len())).collect();
    assert_eq!(
        counts,
        [
            ("BNBUSDT", 104),
            ("BTCUSDT", 8_153),
            ("DOGEUSDT", 579),
            ("ETHUSDT", 4_489),
            ("SOLUSDT", 3_032),
            ("WIFUSDT", 83)
        ]
    );
}
