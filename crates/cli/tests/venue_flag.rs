//! `run --venue`: the preset's rulebook and margin tables follow the flag, `run --json` meta names
//! the table that priced each market with its date, and a bad venue is refused.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liqcascade"))
}

/// The small CLI fixture with its own tiers replaced by the venue's table.
fn preset_fixture(dir: &Path) -> std::path::PathBuf {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.toml"))
            .unwrap()
            .replace(
                r#"tiers = [{ cap_notional = 1000000000.0, mmr = 0.01, max_leverage = 50.0 }]"#,
                r#"tiers = "preset""#,
            );
    assert!(text.contains(r#"tiers = "preset""#));
    let path = dir.join("small_preset.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn meta_of(args: &[&str]) -> serde_json::Value {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["meta"].clone()
}

#[test]
fn venue_flag_switches_preset_tables_and_meta_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let f = preset_fixture(dir.path());
    let f = f.to_str().unwrap();
    for (venue, table, set, observed) in [
        (None, "binance:BTCUSDT", "binance-usdm-leverage-brackets", "2026-03-05"),
        (Some("dydx"), "dydx:BTC-USD", "dydx-v4-liquidity-tiers", "2024-12-12"),
        (Some("hyperliquid"), "hyperliquid:BTC", "hyperliquid-mainnet-margin-tiers", "2026-09-27"),
        (Some("BYBIT"), "bybit:BTCUSDT", "bybit-usdt-perpetual-risk-limits", "2026-09-25"),
    ] {
        let mut args = vec!["run", f, "--json"];
        if let Some(v) = venue {
            args.extend(["--venue", v]);
        }
        let meta = meta_of(&args);
        assert_eq!(meta["venue"], table.split(':').next().unwrap(), "{venue:?}");
        let t = &meta["margin_tables"][0];
        assert_eq!((t["market"].as_str(), t["table"].as_str()), (Some("BTCUSDT"), Some(table)));
        assert_eq!((t["table_set"].as_str(), t["observed"].as_str()), (Some(set), Some(observed)));
    }
}

#[test]
fn bad_venue_is_refused() {
    let out = bin().args(["run", "--venue", "ftx"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--venue ftx: unknown venue (one of: binance, bybit, hyperliquid, dydx)"), "{err}");
}

#[test]
fn default_scenario_runs_on_bybit_with_bybits_tables() {
    // Bybit's preset carries BTCUSDT, ETHUSDT and SOLUSDT, so the default runs on Bybit and each
    // market is priced by Bybit's own table (none borrowed from another venue).
    let meta = meta_of(&["run", "--venue", "bybit", "--json"]);
    assert_eq!(meta["venue"], "bybit");
    let tables: Vec<_> = meta["margin_tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["table"].as_str().unwrap().to_string(), t["observed"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        tables,
        [
            ("bybit:BTCUSDT".to_string(), "2026-09-25".to_string()),
            ("bybit:ETHUSDT".to_string(), "2025-12-29".to_string()),
            ("bybit:SOLUSDT".to_string(), "2025-12-29".to_string()),
        ]
    );
}
