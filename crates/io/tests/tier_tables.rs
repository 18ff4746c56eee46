//! The `tiers` key of a market: built-in tables by name, `"preset"` (or no key) for the venue's
//! own table, the `--venue` override switching those tables, and the refusals (a table out of
//! order, an unknown venue or table) with file, line and field.

use liq_domain::VenuePreset;
use liq_io::default_scenario::{default_scenario, default_scenario_for_venue};
use liq_io::{parse_scenario_str, parse_scenario_str_for_venue, Format, IoError};
use liq_margin::tiers;
use std::path::Path;

/// One market; line 9 holds `tiers` (the test swaps it), line numbers on the right.
const BASE: &str = r#"name = "t"
venue = "binance"
[[markets]]
symbol = "BTCUSDT"
tick_size = 0.1
lot_size = 0.001
index_price = 60000.0
liquidation_fee_rate = 0.0125
TIERS
taker_fee_rate = 0.0005
[markets.book]
bids = [[59999.9, 1.0]]
asks = [[60000.0, 1.0]]
"#;

fn with_tiers(tiers_line: &str) -> String {
    BASE.replace("TIERS", tiers_line)
}

fn parse(text: &str, venue: Option<VenuePreset>) -> Result<liq_domain::Scenario, IoError> {
    parse_scenario_str_for_venue(text, Format::Toml, Path::new("scenario.toml"), venue)
}

fn check(e: &IoError, line: usize, field: &str, message_start: &str) {
    assert_eq!(e.line(), Some(line), "{e}");
    assert_eq!(e.field(), field, "{e}");
    assert!(e.message().starts_with(message_start), "{e}");
    assert!(e.to_string().starts_with(&format!("scenario.toml:{line}: {field}: ")), "{e}");
}

#[test]
fn named_tables_of_every_venue_load() {
    for (name, table) in [
        ("binance:BTCUSDT", &tiers::binance::BTCUSDT),
        ("bybit:BTCUSDT", &tiers::bybit::BTCUSDT),
        ("hyperliquid:BTC", &tiers::hyperliquid::BTC),
        ("dydx:BTC-USD", &tiers::dydx::BTC_USD),
    ] {
        let s = parse(&with_tiers(&format!("tiers = \"{name}\"")), None).unwrap();
        assert_eq!(s.markets[0].ladder, table.ladder().unwrap(), "{name}");
        // A named table stays put when the venue changes.
        let s = parse(&with_tiers(&format!("tiers = \"{name}\"")), Some(VenuePreset::Dydx)).unwrap();
        assert_eq!(s.markets[0].ladder, table.ladder().unwrap(), "{name}");
        assert_eq!(s.venue, VenuePreset::Dydx);
    }
}

#[test]
fn preset_and_omitted_tiers_follow_the_venue() {
    for text in [with_tiers("tiers = \"preset\""), with_tiers("")] {
        for (venue, table) in [
            (None, &tiers::binance::BTCUSDT),
            (Some(VenuePreset::Binance), &tiers::binance::BTCUSDT),
            (Some(VenuePreset::Bybit), &tiers::bybit::BTCUSDT),
            (Some(VenuePreset::Hyperliquid), &tiers::hyperliquid::BTC),
            (Some(VenuePreset::Dydx), &tiers::dydx::BTC_USD),
        ] {
            let s = parse(&text, venue).unwrap();
            assert_eq!(s.markets[0].ladder, table.ladder().unwrap(), "{venue:?}");
            assert_eq!(
                tiers::identify("BTCUSDT", &s.markets[0].ladder).map(|t| t.name()),
                Some(table.name())
            );
        }
    }
}

#[test]
fn unknown_venue_or_table_is_refused_with_line_and_field() {
    let e = parse(&with_tiers(r#"tiers = "ftx:BTCUSDT""#), None).unwrap_err();
    check(&e, 9, "markets[0].tiers", "unknown built-in tier table \"ftx:BTCUSDT\"");
    let e = parse(&with_tiers(r#"tiers = "BTCUSDT""#), None).unwrap_err();
    check(&e, 9, "markets[0].tiers", "unknown built-in tier table \"BTCUSDT\"");
    let e = parse(&with_tiers(r#"tiers = "hyperliquid:DOGE""#), None).unwrap_err();
    check(&e, 9, "markets[0].tiers", "no built-in hyperliquid table for \"DOGE\" (built in: BTC, ETH, SOL)");
    // Bybit carries BTCUSDT, ETHUSDT and SOLUSDT: "preset" on another market is refused, not
    // filled in from another venue.
    let doge = with_tiers(r#"tiers = "preset""#).replace("BTCUSDT", "DOGEUSDT");
    let e = parse(&doge, Some(VenuePreset::Bybit)).unwrap_err();
    check(
        &e,
        9,
        "markets[0].tiers",
        "\"preset\" on venue bybit: no built-in bybit table for \"DOGEUSDT\" (built in: BTCUSDT, ETHUSDT, SOLUSDT)",
    );
    let eth = with_tiers(r#"tiers = "preset""#).replace("BTCUSDT", "ETHUSDT");
    let s = parse(&eth, Some(VenuePreset::Bybit)).unwrap();
    assert_eq!(s.markets[0].ladder, tiers::bybit::ETHUSDT.ladder().unwrap());
    // Without a `tiers` key the error names the market's symbol line.
    let e = parse(&with_tiers("").replace("BTCUSDT", "DOGEUSDT"), None).unwrap_err();
    check(&e, 4, "markets[0].symbol", "\"preset\" on venue binance: no built-in binance table");
}

#[test]
fn a_table_out_of_order_is_refused_with_line_and_field() {
    // The second tier's cap (40,000) is below the first's (50,000), hand-written out of order.
    let text = with_tiers(
        "tiers = [\n  { cap_notional = 50000.0, mmr = 0.004, max_leverage = 125.0 },\n  { cap_notional = 40000.0, mmr = 0.005, max_leverage = 100.0 },\n]",
    );
    let e = parse(&text, None).unwrap_err();
    check(&e, 11, "markets[0].tiers[1].cap_notional", "cap 40000 is not above floor 50000");
    // Rates falling with notional (rows swapped) are refused at the rate.
    let text = with_tiers(
        "tiers = [\n  { cap_notional = 50000.0, mmr = 0.005, max_leverage = 100.0 },\n  { cap_notional = 500000.0, mmr = 0.004, max_leverage = 125.0 },\n]",
    );
    let e = parse(&text, None).unwrap_err();
    check(&e, 11, "markets[0].tiers[1].mmr", "0.004 is below the previous tier's 0.005");
}

#[test]
fn default_scenario_switches_tables_with_the_venue() {
    let binance = default_scenario().unwrap();
    // Bybit carries all three default markets (BTCUSDT, ETHUSDT, SOLUSDT): the default loads on
    // Bybit with Bybit's own table for each, none borrowed from another venue.
    let bybit = default_scenario_for_venue(VenuePreset::Bybit).unwrap();
    assert_eq!(bybit.venue, VenuePreset::Bybit);
    assert_eq!(bybit.markets.len(), tiers::bybit::TABLE_SET.tables.len());
    for (m, want) in bybit.markets.iter().zip(tiers::bybit::TABLE_SET.tables) {
        assert_eq!(m.ladder, want.ladder().unwrap(), "bybit {}", m.symbol);
    }
    assert_eq!(bybit.accounts.len(), binance.accounts.len());
    for (m, want) in binance.markets.iter().zip(tiers::binance::TABLE_SET.tables) {
        assert_eq!(m.ladder, want.ladder().unwrap(), "{}", m.symbol);
    }
    for venue in [VenuePreset::Hyperliquid, VenuePreset::Dydx] {
        let s = default_scenario_for_venue(venue).unwrap();
        assert_eq!(s.venue, venue);
        for (m, want) in s.markets.iter().zip(tiers::table_set(venue).tables) {
            assert_eq!(m.ladder, want.ladder().unwrap(), "{venue:?} {}", m.symbol);
        }
        // Same seed and same draws; only where the venue's limits bind do accounts differ.
        assert_eq!(s.accounts.len(), binance.accounts.len());
    }
}

#[test]
fn parse_without_override_keeps_the_file_venue() {
    let s = parse_scenario_str(&with_tiers(""), Format::Toml, Path::new("scenario.toml")).unwrap();
    assert_eq!(s.venue, VenuePreset::Binance);
}
