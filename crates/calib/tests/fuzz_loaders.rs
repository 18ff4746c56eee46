//! Fuzz targets for the calibration loaders (issue 14, item 7): the Binance capture (loaded, then
//! calibrated), the forceOrder dump, klines, open interest, and the generic trades, L2-snapshot,
//! price-path and trade-tape CSVs. Each runs `LIQ_FUZZ_ITERS` mutants of the seed corpus in
//! `tests/fixtures` (see its README) under `liq_fuzz`: no panic, no hang, and every error names
//! the file. Inputs that once failed live in `tests/fuzz_regressions/<target>/` and are replayed.

use liq_calib::files::{
    load_binance_trade_tape, load_force_orders, load_l2_snapshots_csv, load_price_paths, load_trades_csv,
};
use liq_calib::public::{load_klines, load_open_interest};
use liq_calib::{calibrate, load_binance_capture, CalibOptions, DataSource};
use liq_fuzz::{fuzz, Target};
use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOC: liq_fuzz::CappedAlloc = liq_fuzz::CappedAlloc::new(1 << 30);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn target(name: &str, ext: &str) -> Target {
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(name);
    Target::new(name, ext, Path::new(env!("CARGO_TARGET_TMPDIR"))).regressions(reg)
}

fn msg<T>(r: Result<T, liq_calib::CalibError>) -> Result<(), String> {
    r.map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn fuzz_capture_lines() {
    // The loader, then the whole calibration on what it read: estimators meet the hostile
    // numbers too (NaN-free by the loader's checks, but extreme, duplicated and reordered).
    fn load(p: &Path) -> Result<(), String> {
        load_binance_capture(p, None).map_err(|e| e.to_string())?;
        let src = [DataSource::BinanceCapture { path: p.to_path_buf() }];
        msg(calibrate(&src, &CalibOptions::default()))
    }
    let small = "1 {\"lastUpdateId\":10,\"E\":5,\"T\":4,\"bids\":[[\"99.9\",\"1.0\"]],\"asks\":[[\"100.1\",\"2.0\"]]}\n\
                 2 {\"e\":\"trade\",\"E\":7,\"T\":7,\"p\":\"100.1\",\"q\":\"0.5\",\"m\":false}\n\
                 3 {\"stream\":\"x@markPrice\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":9}}\n";
    fuzz(
        &target("capture_lines", "txt").seed_files(&[fixture("btcusdt_20240808_excerpt.txt")]).seed(small),
        load,
    );
}

#[test]
fn fuzz_force_orders() {
    fn load(p: &Path) -> Result<(), String> {
        msg(load_force_orders(p))?;
        msg(calibrate(&[DataSource::ForceOrders { path: p.to_path_buf() }], &CalibOptions::default()))
    }
    fuzz(&target("force_orders", "csv").seed_files(&[fixture("force_orders.csv")]), load);
}

#[test]
fn fuzz_klines() {
    fn load(p: &Path) -> Result<(), String> {
        msg(load_klines(p))
    }
    let no_header =
        "1728518400000,60100,60250.5,60050,60200,120.5,1728518459999,7250000,2100,65.2,3923000,0\n";
    fuzz(&target("klines", "csv").seed_files(&[fixture("klines.csv")]).seed(no_header), load);
}

#[test]
fn fuzz_open_interest() {
    fn load(p: &Path) -> Result<(), String> {
        msg(load_open_interest(p))
    }
    let hist =
        "symbol,sumOpenInterest,sumOpenInterestValue,timestamp\nBTCUSDT,80000.5,4816000000,1728518400000\n";
    let generic =
        "time,open_interest,oi_usd\n2024-10-10T00:00:00Z,100,6000000\n2024-10-10T00:05:00Z,101,6050000\n";
    fuzz(
        &target("open_interest", "csv").seed_files(&[fixture("metrics.csv")]).seed(hist).seed(generic),
        load,
    );
}

#[test]
fn fuzz_trade_and_book_csvs() {
    fn load(p: &Path) -> Result<(), String> {
        // One file, every generic CSV reader: each must accept it or refuse it naming the file.
        let all = [
            msg(load_trades_csv(p, "BTC")),
            msg(load_l2_snapshots_csv(p, "BTC")),
            msg(load_price_paths(p)),
            msg(load_binance_trade_tape(p)),
        ];
        let name = format!("{}:", p.file_name().unwrap().to_string_lossy());
        if let Some(Err(unlocated)) = all.iter().find(|r| r.as_ref().is_err_and(|m| !m.contains(&name))) {
            return Err(unlocated.clone());
        }
        all.iter().find(|r| r.is_ok()).cloned().unwrap_or_else(|| all[0].clone())
    }
    let trades = "time,price,qty,side,market\n1000,10.5,2,buy,B\n2000,10,1,sell,B\n";
    let l2 = "time,side,price,qty\n5,bid,99,1\n5,ask,101,2\n6,bid,98,1\n";
    let paths = "timestamp,market,price\n2024-01-01 00:00:00,BTC,1\n2024-01-01 00:00:01,BTC,2\n";
    let tape = "1737897220002, BTCUSDT, 2541757614, 104943.5, 0.15, 1737897219873, False\n";
    fuzz(&target("trade_book_csvs", "csv").seed(trades).seed(l2).seed(paths).seed(tape), load);
}

/// Issue 14: the capture with spaces after its JSON colons gave 0 trades and said nothing.
/// Respaced, the excerpt calibrates to the same trades, and a few junk lines are reported in
/// the summary (and the scenario header) rather than dropped silently.
#[test]
fn respaced_capture_calibrates_alike_and_skipped_lines_are_reported() {
    let text = std::fs::read_to_string(fixture("btcusdt_20240808_excerpt.txt")).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let spaced = dir.join("excerpt_spaced.txt");
    let junk = format!("{}99 [1, 2]\n100 {{\"x\": 1}}\n", text.replace("\":", "\": ").replace(",\"", ", \""));
    std::fs::write(&spaced, junk).unwrap();
    let a = load_binance_capture(&fixture("btcusdt_20240808_excerpt.txt"), None).unwrap();
    let b = load_binance_capture(&spaced, None).unwrap();
    assert_eq!(a.trades.len(), 25);
    assert_eq!(
        (a.trades.clone(), a.tickers.len(), a.diffs.len()),
        (b.trades.clone(), b.tickers.len(), b.diffs.len())
    );
    assert_eq!((b.unclassified, b.unclassified_lines.clone()), (2, vec![58, 59]));
    let cal = calibrate(&[DataSource::BinanceCapture { path: spaced }], &CalibOptions::default()).unwrap();
    let table = cal.summary_table();
    assert!(table.contains("warning: ") && table.contains("2 of 59 lines are no capture event"), "{table}");
    assert!(cal.to_toml().contains("# warning: ") && cal.to_toml().contains("2 of 59 lines"));
}
