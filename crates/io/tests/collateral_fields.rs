//! The collateral fields of issue 12's last items: `assets[].max_transfer_in`,
//! `[collateral] transfer_in_caps`, and an asset with no haircut taking the venue's published
//! table. Bad values are refused with file, line and field.

mod common;

use liq_io::{parse_scenario_str, Format};
use std::path::Path;

/// Valid base; line numbers on the right of the listing below.
const BASE: &str = r#"name = "t"
venue = "binance"
[[markets]]
symbol = "BTCUSDT"
tick_size = 0.1
lot_size = 0.001
index_price = 60000.0
liquidation_fee_rate = 0.0125
taker_fee_rate = 0.0005
[markets.book]
bids = [[59999.9, 1.0]]
asks = [[60000.0, 1.0]]
[[assets]]
symbol = "BTC"
market = "BTCUSDT"
max_transfer_in = 5.0
[collateral]
transfer_in_caps = true
[[accounts]]
id = "a"
wallet_usd = 1000.0
collateral = { BTC = 6.0 }
positions = [{ market = "BTCUSDT", size = 0.01, entry_price = 60000.0 }]
"#;
// 13 [[assets]], 14 symbol, 15 market, 16 max_transfer_in, 17 [collateral], 18 transfer_in_caps.

fn edit(n: usize, with: &str) -> String {
    common::with_line(BASE, n, with)
}

fn parse(text: &str, venue: Option<&str>) -> Result<liq_domain::Scenario, liq_io::IoError> {
    let text = match venue {
        Some(v) => text.replacen("venue = \"binance\"", &format!("venue = \"{v}\""), 1),
        None => text.to_string(),
    };
    parse_scenario_str(&text, Format::Toml, Path::new("scenario.toml"))
}

#[test]
fn caps_parse_and_the_venue_table_applies_without_a_haircut() {
    let s = parse(BASE, None).unwrap();
    assert_eq!(s.collateral.assets[0].max_transfer_in, Some(5.0));
    assert!(s.collateral.transfer_in_caps);
    // No haircut, no tiers: Binance's 95% for BTC (2021-05-28) → haircut 0.05.
    assert!((s.assets[0].haircut - 0.05).abs() < 1e-12);
    // Bybit: its BTC tiers, no haircut.
    let s = parse(BASE, Some("bybit")).unwrap();
    assert_eq!(s.assets[0].haircut, 0.0);
    assert_eq!(s.collateral.assets[0].value_tiers, liq_margin::collateral::BYBIT_BTC_EXAMPLE_TIERS.to_vec());
    // dYdX publishes none: the asset counts in full.
    let s = parse(BASE, Some("dydx")).unwrap();
    assert_eq!(s.assets[0].haircut, 0.0);
    assert!(s.collateral.assets[0].value_tiers.is_empty());
    // The scenario's own haircut wins.
    let s = parse(&edit(16, "haircut = 0.2"), Some("bybit")).unwrap();
    assert_eq!(s.assets[0].haircut, 0.2);
    assert!(s.collateral.assets.iter().all(|a| a.value_tiers.is_empty()));
}

#[test]
fn bad_caps_are_refused_with_line_and_field() {
    for (with, field) in [
        ("max_transfer_in = 0.0", "assets[0].max_transfer_in"),
        ("max_transfer_in = -3.0", "assets[0].max_transfer_in"),
        ("max_transfer_in = nan", "assets[0].max_transfer_in"),
    ] {
        let e = parse(&edit(16, with), None).unwrap_err();
        assert_eq!((e.line(), e.field()), (Some(16), field), "{e}");
        assert!(e.message().starts_with("must be a positive finite quantity"), "{e}");
    }
    let e = parse(&edit(18, "transfer_in_caps = \"yes\""), None).unwrap_err();
    assert_eq!(e.line(), Some(18), "{e}");
    assert!(e.to_string().contains("transfer_in_caps"), "{e}");
}
