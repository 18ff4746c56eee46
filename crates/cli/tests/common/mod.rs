//! Fixtures shared by the CLI's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the binary under test with `args`.
pub fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_liqcascade")).args(args).output().unwrap()
}

/// examples/single-market-isolated.toml, the small scenario most CLI tests run.
pub fn single() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/single-market-isolated.toml")
        .display()
        .to_string()
}

/// 2023-11-14 22:14:00 UTC, a whole minute: the start of [`replay_window`].
pub const REPLAY_T0: i64 = 1_700_000_040_000;

/// A three-minute synthetic replay window on BTCUSDT in `dir`: prices 99,000 → 97,000 → 95,000
/// at the minute marks and one recorded forceOrder at 70 s. Returns (price path, forceOrders);
/// the window is `--from 1700000040000 --to 1700000220000`.
pub fn replay_window(dir: &Path) -> (PathBuf, PathBuf) {
    let prices = dir.join("path.csv");
    let mut body = String::from("timestamp,market,price\n");
    for (t, p) in [(0, 99_000.0), (60_000, 97_000.0), (120_000, 95_000.0), (179_000, 95_000.0)] {
        body.push_str(&format!("{},BTCUSDT,{p}\n", REPLAY_T0 + t));
    }
    std::fs::write(&prices, body).unwrap();
    let fo = dir.join("fo.csv");
    std::fs::write(&fo, format!("BTCUSDT,SELL,LIMIT,IOC,1,1,1,FILLED,1,1,{},1000\n", REPLAY_T0 + 70_000))
        .unwrap();
    (prices, fo)
}
