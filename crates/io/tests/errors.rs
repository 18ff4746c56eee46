//! One bad input per error class, each asserting the exact line and field the message names.
//!
//! The base scenario below is valid; each test swaps one of its lines (numbered in the listing)
//! for a bad one, so the expected line number is read straight off the listing.

use liq_io::{parse_scenario_str, Format, IoError};
use std::path::Path;

/// Valid base scenario; line numbers on the right.
const BASE: &str = r#"name = "t"
venue = "binance"
[shock]
moves = { BTCUSDT = -0.1 }
[[markets]]
symbol = "BTCUSDT"
tick_size = 0.1
lot_size = 0.001
index_price = 60000.0
liquidation_fee_rate = 0.0125
taker_fee_rate = 0.0005
tiers = [
  { cap_notional = 50000.0, mmr = 0.004, max_leverage = 125.0 },
  { cap_notional = 500000.0, mmr = 0.005, max_leverage = 100.0 },
]
[markets.book]
bids = [[59999.9, 1.0]]
asks = [[60000.0, 1.0]]
[[markets]]
symbol = "ETHUSDT"
tick_size = 0.01
lot_size = 0.001
index_price = 3000.0
liquidation_fee_rate = 0.0125
taker_fee_rate = 0.0005
tiers = "binance:ETHUSDT"
[markets.book]
bids = [[2999.99, 10.0]]
asks = [[3000.0, 10.0]]
[[assets]]
symbol = "BTC"
market = "BTCUSDT"
haircut = 0.05
[[accounts]]
id = "a"
wallet_usd = 1000.0
collateral = { BTC = 0.1 }
positions = [
  { market = "BTCUSDT", size = 0.01, entry_price = 60000.0 },
  { market = "ETHUSDT", size = -1.0, entry_price = 3000.0, mode = "isolated", margin_usd = 300.0 },
]
"#;
// Lines:  1 name, 2 venue, 3 [shock], 4 moves, 5 [[markets]], 6 symbol, 7 tick_size,
// 8 lot_size, 9 index_price, 10 liquidation_fee_rate, 11 taker_fee_rate, 12 tiers = [,
// 13 tier 0, 14 tier 1, 15 ], 16 [markets.book], 17 bids, 18 asks, 19 [[markets]] (ETH),
// 20–25 its scalars, 26 tiers, 27 [markets.book], 28 bids, 29 asks, 30 [[assets]],
// 31 symbol, 32 market, 33 haircut, 34 [[accounts]], 35 id, 36 wallet_usd, 37 collateral,
// 38 positions = [, 39 BTC position, 40 ETH isolated position, 41 ].

/// BASE with line `n` (1-based) replaced by `with` (which may span several lines).
fn edit(n: usize, with: &str) -> String {
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines[n - 1] = with;
    lines.join("\n") + "\n"
}

fn err_toml(text: &str) -> IoError {
    parse_scenario_str(text, Format::Toml, Path::new("scenario.toml")).unwrap_err()
}

/// Asserts line, field and the start of the message, and that Display puts them together.
fn check(e: &IoError, line: usize, field: &str, message_start: &str) {
    assert_eq!(e.line(), Some(line), "{e}");
    assert_eq!(e.field(), field, "{e}");
    assert!(e.message().starts_with(message_start), "{e}");
    assert!(e.to_string().starts_with(&format!("{}:{line}: {field}: ", e.file().display())), "{e}");
}

#[test]
fn base_is_valid() {
    let s = parse_scenario_str(BASE, Format::Toml, Path::new("scenario.toml")).unwrap();
    assert_eq!(s.accounts[0].positions.len(), 2);
}

#[test]
fn nan_price() {
    let e = err_toml(&edit(9, "index_price = nan"));
    assert!(matches!(e, IoError::Invalid { .. }));
    check(&e, 9, "markets[0].index_price", "must be a positive finite number, got NaN");
    assert_eq!(
        e.to_string(),
        "scenario.toml:9: markets[0].index_price: must be a positive finite number, got NaN"
    );
    let e = err_toml(&edit(39, r#"  { market = "BTCUSDT", size = 0.01, entry_price = nan },"#));
    check(&e, 39, "accounts[0].positions[0].entry_price", "must be a positive finite price, got NaN");
    let e = err_toml(&edit(39, r#"  { market = "BTCUSDT", size = inf, entry_price = 1.0 },"#));
    check(&e, 39, "accounts[0].positions[0].size", "must be a finite number, got inf");
}

#[test]
fn negative_price_margin_collateral() {
    let e = err_toml(&edit(23, "index_price = -3000.0"));
    check(&e, 23, "markets[1].index_price", "must be a positive finite number, got -3000");
    let e = err_toml(&edit(
        40,
        r#"  { market = "ETHUSDT", size = -1.0, entry_price = 3000.0, mode = "isolated", margin_usd = -300.0 },"#,
    ));
    check(&e, 40, "accounts[0].positions[1].margin_usd", "must be a positive finite amount, got -300");
    let e = err_toml(&edit(37, "collateral = { BTC = -0.1 }"));
    check(
        &e,
        37,
        "accounts[0].collateral.BTC",
        "collateral must be a non-negative finite quantity, got -0.1",
    );
}

#[test]
fn short_sizes_are_valid_zero_and_off_grid_are_not() {
    // The ETH position on line 40 is already a short (−1.0); a short BTC is fine too.
    let ok = edit(39, r#"  { market = "BTCUSDT", size = -0.01, entry_price = 60000.0 },"#);
    let s = parse_scenario_str(&ok, Format::Toml, Path::new("scenario.toml")).unwrap();
    assert_eq!(s.accounts[0].positions[0].size_lots, -10);
    let e = err_toml(&edit(39, r#"  { market = "BTCUSDT", size = 0.0, entry_price = 60000.0 },"#));
    check(&e, 39, "accounts[0].positions[0].size", "must not be zero");
    // 0.0105 BTC = 10.5 lots of 0.001.
    let e = err_toml(&edit(39, r#"  { market = "BTCUSDT", size = 0.0105, entry_price = 60000.0 },"#));
    check(&e, 39, "accounts[0].positions[0].size", "0.0105 is not a whole number of lots");
}

#[test]
fn isolated_position_without_margin() {
    let e = err_toml(&edit(
        40,
        r#"  { market = "ETHUSDT", size = -1.0, entry_price = 3000.0, mode = "isolated" },"#,
    ));
    // margin_usd is not written, so the line is that of the position itself.
    check(&e, 40, "accounts[0].positions[1].margin_usd", "an isolated position needs margin_usd > 0");
}

#[test]
fn unknown_market_in_position_and_in_shock() {
    let e = err_toml(&edit(39, r#"  { market = "XRPUSDT", size = 1.0, entry_price = 0.5 },"#));
    check(
        &e,
        39,
        "accounts[0].positions[0].market",
        "unknown market \"XRPUSDT\" (markets: BTCUSDT, ETHUSDT)",
    );
    let e = err_toml(&edit(4, "moves = { BTCUSDT = -0.1, DOGE = -0.2 }"));
    check(&e, 4, "shock.moves.DOGE", "unknown market \"DOGE\"");
    let e = err_toml(&edit(32, r#"market = "SOLUSDT""#));
    check(&e, 32, "assets[0].market", "unknown market \"SOLUSDT\"");
}

#[test]
fn bad_tier_ladders() {
    // mmr falls from 0.004 to 0.003 (max leverage 100 keeps 1/100 above the mmr).
    let e = err_toml(&edit(14, "  { cap_notional = 500000.0, mmr = 0.003, max_leverage = 100.0 },"));
    check(&e, 14, "markets[0].tiers[1].mmr", "0.003 is below the previous tier's 0.004");
    // Continuity needs cum = 0 + 50,000 × (0.005 − 0.004) = 50; 75 breaks it.
    let e = err_toml(&edit(
        14,
        "  { cap_notional = 500000.0, mmr = 0.005, max_leverage = 100.0, maintenance_amount = 75.0 },",
    ));
    check(&e, 14, "markets[0].tiers[1].maintenance_amount", "75 breaks continuity");
    assert!(e.message().ends_with("expected 50"), "{e}");
    // An mmr of 1.5 is out of range.
    let e = err_toml(&edit(13, "  { cap_notional = 50000.0, mmr = 1.5, max_leverage = 125.0 },"));
    check(&e, 13, "markets[0].tiers[0].mmr", "must be in (0, 1), got 1.5");
    let e = err_toml(&edit(26, r#"tiers = "binance:DOGEUSDT""#));
    check(&e, 26, "markets[1].tiers", "no built-in binance table for \"DOGEUSDT\"");
}

#[test]
fn unknown_fields_are_typos() {
    let e = err_toml(&edit(7, "tick_sise = 0.1"));
    assert!(matches!(e, IoError::Syntax { .. }), "{e}");
    check(&e, 7, "markets[0].tick_sise", "unknown field `tick_sise`");
    // Inside an inline table of the hand-written `tiers` deserializer.
    let e = err_toml(&edit(13, "  { cap_notional = 50000.0, mmrr = 0.004, max_leverage = 125.0 },"));
    check(&e, 13, "markets[0].tiers[0].mmrr", "unknown field `mmrr`");
    // At the top level.
    let e = err_toml(&edit(2, "venue = \"binance\"\nvenu = \"bybit\""));
    check(&e, 3, "venu", "unknown field `venu`");
}

#[test]
fn wrong_types_and_bad_syntax() {
    let e = err_toml(&edit(39, r#"  { market = "BTCUSDT", size = "big", entry_price = 60000.0 },"#));
    check(&e, 39, "accounts[0].positions[0].size", "invalid type: string \"big\", expected f64");
    let e = err_toml(&edit(
        40,
        r#"  { market = "ETHUSDT", size = -1.0, entry_price = 3000.0, mode = "isolatd", margin_usd = 1.0 },"#,
    ));
    check(&e, 40, "accounts[0].positions[1].mode", "unknown variant `isolatd`");
    // An unterminated string: a TOML syntax error, located by the parser.
    let e = err_toml(&edit(20, r#"symbol = "ETHUSDT"#));
    assert!(matches!(e, IoError::Syntax { .. }), "{e}");
    assert_eq!(e.line(), Some(20), "{e}");
}

#[test]
fn cross_impact_must_be_n_by_n() {
    let e = err_toml(&edit(3, "[impact]\ncross_impact = [[0.0, 0.5]]\n[shock]"));
    check(&e, 4, "impact.cross_impact", "has 1 rows; it must be 2×2");
    let e = err_toml(&edit(3, "[impact]\ncross_impact = [\n  [0.0, 0.5],\n  [0.8],\n]\n[shock]"));
    check(&e, 6, "impact.cross_impact[1]", "has 1 entries; it must be 2×2");
}

#[test]
fn other_semantic_errors() {
    let e = err_toml(&edit(2, r#"venue = "ftx""#));
    check(&e, 2, "venue", "unknown venue \"ftx\" (one of: binance, bybit, hyperliquid, dydx)");
    let e = err_toml(&edit(4, "moves = { BTCUSDT = -1.5 }"));
    check(&e, 4, "shock.moves.BTCUSDT", "a price cannot fall by 100% or more");
    // Issue 14: +1e10 was silently ignored and 1e308 gave NaN marks; both are refused (limits).
    let e = err_toml(&edit(4, "moves = { BTCUSDT = 1e10 }"));
    check(&e, 4, "shock.moves.BTCUSDT", "a move of 1000000000000% is beyond the supported +900%");
    let e = err_toml(&edit(4, "moves = { BTCUSDT = 1e308 }"));
    check(&e, 4, "shock.moves.BTCUSDT", "a move of");
    // Asks below bids.
    let e = err_toml(&edit(18, "asks = [[59999.0, 1.0]]"));
    check(&e, 18, "markets[0].book.asks[0]", "best ask 59999 is not above best bid 59999.9");
    // A bid price off the 0.01 tick grid.
    let e = err_toml(&edit(28, "bids = [[2999.995, 10.0]]"));
    check(&e, 28, "markets[1].book.bids[0]", "price 2999.995 is not a positive price on the tick grid");
    let e = err_toml(&edit(
        35,
        r#"id = "a"
wallet_usd = 1.0
[[accounts]]
id = "a""#,
    ));
    check(&e, 38, "accounts[1].id", "duplicate account id \"a\"");
}

#[test]
fn json_errors_have_lines_too() {
    let json = r#"{
  "name": "t",
  "venue": "binance",
  "markets": [
    {
      "symbol": "BTCUSDT", "tick_size": 0.1, "lot_size": 0.001, "index_price": 60000.0,
      "liquidation_fee_rate": 0.0125, "taker_fee_rate": 0.0005,
      "tiers": [{ "cap_notional": 50000.0, "mmr": 0.004, "max_leverage": 125.0 }],
      "book": { "bids": [[59999.9, 1.0]], "asks": [[60000.0, 1.0]] }
    }
  ],
  "accounts": [
    { "id": "a", "positions": [
      { "market": "BTCUSDT", "size": 0.01, "entry_price": 60000.0 },
      { "market": "ETHUSDT", "size": 1.0, "entry_price": 3000.0 }
    ] }
  ]
}"#;
    let p = Path::new("scenario.json");
    let e = parse_scenario_str(json, Format::Json, p).unwrap_err();
    check(&e, 15, "accounts[0].positions[1].market", "unknown market \"ETHUSDT\"");
    let typo = json.replace("\"lot_size\"", "\"lot_sise\"");
    let e = parse_scenario_str(&typo, Format::Json, p).unwrap_err();
    check(&e, 6, "markets[0].lot_sise", "unknown field `lot_sise`");
    let broken = json.replace("\"t\",", "\"t\"");
    let e = parse_scenario_str(&broken, Format::Json, p).unwrap_err();
    assert_eq!(e.line(), Some(3), "{e}");
}

#[test]
fn files_that_cannot_be_read() {
    let e = liq_io::load_scenario(Path::new("/nonexistent/scenario.toml")).unwrap_err();
    assert!(matches!(e, IoError::Read { .. }));
    assert!(e.to_string().starts_with("/nonexistent/scenario.toml: cannot read"), "{e}");
    let e = liq_io::load_scenario(Path::new("scenario.yaml")).unwrap_err();
    assert!(e.to_string().contains("must end in .toml or .json"), "{e}");
}

#[test]
fn collateral_rules_refused_with_line_and_field() {
    // A haircut outside [0, 1).
    let e = err_toml(&edit(33, "haircut = 1.5"));
    check(&e, 33, "assets[0].haircut", "must be in [0, 1), got 1.5");
    // Value tiers out of order (second tier's bound below the first's), and a ratio above 1.
    let tiers = "haircut = 0.05\nvalue_tiers = [\n  { up_to = 20.0, ratio = 0.9 },\n  { up_to = 10.0, ratio = 0.8 },\n]";
    let e = err_toml(&edit(33, tiers));
    check(&e, 36, "assets[0].value_tiers[1].up_to", "tiers must ascend: 10 after 20");
    let tiers = "haircut = 0.05\nvalue_tiers = [\n  { up_to = 10.0, ratio = 1.2 },\n]";
    let e = err_toml(&edit(33, tiers));
    check(&e, 35, "assets[0].value_tiers[0].ratio", "must be in [0, 1], got 1.2");
    // A price path on a market-priced asset, and one out of time order on a fixed-price one.
    let path = "haircut = 0.05\nprice_path = [ { t_s = 0.0, price = 0.9 } ]";
    let e = err_toml(&edit(33, path));
    check(&e, 34, "assets[0].price_path", "a price path needs a fixed-price asset");
    // An unknown ADL policy and an unknown sale mode.
    let e = err_toml(&edit(2, "venue = \"binance\"\n[engine]\nadl_policy = \"random\""));
    check(&e, 4, "engine.adl_policy", "unknown ADL policy \"random\"");
    let text = BASE.to_string() + "[collateral]\nsale = \"burn\"\n";
    let e = err_toml(&text);
    check(&e, 43, "collateral.sale", "unknown sale \"burn\"");
}

#[test]
fn collateral_rules_parse() {
    let tiers = "haircut = 0.0\nvalue_tiers = [\n  { up_to = 10.0, ratio = 0.98 },\n  { ratio = 0.0 },\n]";
    let text = edit(33, tiers) + "[collateral]\nauto_exchange_threshold_usd = -500.0\nsale = \"fund\"\n";
    let s = parse_scenario_str(&text, Format::Toml, Path::new("scenario.toml")).unwrap();
    let a = &s.collateral.assets[0];
    assert_eq!(a.value_tiers[1].up_to, f64::INFINITY);
    assert_eq!(s.collateral.auto_exchange_threshold_usd, Some(-500.0));
    assert_eq!(s.collateral.sale, liq_domain::CollateralSale::Fund);
}
