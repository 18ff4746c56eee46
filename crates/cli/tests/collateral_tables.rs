//! `run --venue`: an asset that states no haircut or tiers takes the venue's published collateral
//! table (Binance's flat ratios, Bybit's BTC tiers), `run --json` meta names it with its date, and
//! a scenario's own haircut wins. Bad collateral fields are refused with file, line and field.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liqcascade"))
}

/// The small CLI fixture plus a BTC collateral asset (priced at the perp) and an account margined
/// in 2 BTC; `haircut` is the asset's extra line (empty: the venue's table).
fn fixture(dir: &Path, extra: &str) -> std::path::PathBuf {
    let mut text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.toml"))
            .unwrap();
    text.push_str(&format!(
        "\n[[assets]]\nsymbol = \"BTC\"\nmarket = \"BTCUSDT\"\n{extra}\n\n[[accounts]]\nid = \"e\"\nwallet_usd = -1500.0\ncollateral = {{ BTC = 2.0 }}\npositions = [{{ market = \"BTCUSDT\", size = 1.0, entry_price = 1000.0 }}]\n"
    ));
    let path = dir.join("small_collateral.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn venue_switches_the_collateral_table_and_own_rules_win() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path(), "");
    let f = f.to_str().unwrap();
    for (venue, table, set, observed) in [
        (
            "binance",
            Some("binance:BTC"),
            Some("binance-multi-assets-collateral-value-ratio"),
            Some("2021-05-28"),
        ),
        ("bybit", Some("bybit:BTC"), Some("bybit-uta-tiered-collateral-value-ratio"), Some("2025-09-18")),
        ("dydx", None, None, None),
    ] {
        let v = run_json(&["run", f, "--venue", venue, "--json"]);
        let t = &v["meta"]["collateral_tables"][0];
        assert_eq!(t["asset"], "BTC");
        assert_eq!(
            (t["table"].as_str(), t["table_set"].as_str(), t["observed"].as_str()),
            (table, set, observed),
            "{venue}: {t}"
        );
    }
    // The table changes the outcome through the margin: at 2 BTC, Binance counts 95% (1,900),
    // Bybit 98% (1,960, its first tier), dYdX (no table) 100%: the scenario hash differs too.
    let hashes: Vec<String> = ["binance", "bybit", "dydx"]
        .iter()
        .map(|v| {
            run_json(&["run", f, "--venue", v, "--json"])["meta"]["scenario_hash"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(hashes[0] != hashes[1] && hashes[1] != hashes[2], "{hashes:?}");

    // The scenario's own haircut wins over every venue's table.
    let own = fixture(dir.path(), "haircut = 0.07");
    for venue in ["binance", "bybit"] {
        let v = run_json(&["run", own.to_str().unwrap(), "--venue", venue, "--json"]);
        assert!(v["meta"]["collateral_tables"][0]["table"].is_null(), "{venue}: {}", v["meta"]);
    }
}

#[test]
fn transfer_in_cap_is_named_in_meta() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path(), "max_transfer_in = 1.5");
    let v = run_json(&["run", f.to_str().unwrap(), "--json"]);
    let t = &v["meta"]["collateral_tables"][0];
    assert_eq!((t["max_transfer_in"].as_f64(), t["accounts_over_cap"].as_u64()), (Some(1.5), Some(1)), "{t}");
}
