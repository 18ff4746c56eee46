//! Multi-venue scenario files (`[[venues]]`): a valid two-venue file loads with each market on its
//! venue and a bare symbol's shock on every venue; bad input is refused with file, line and field
//! (a market naming an unknown venue, an account spanning venues, an index naming an unknown venue
//! or spot market, a duplicate venue name); `examples/multi-venue.toml` loads.

use liq_domain::{VenueId, VenuePreset};
use liq_io::{parse_scenario_str, Format, IoError};
use std::path::Path;

/// Valid base; line numbers on the right of the listing are what the tests read.
const BASE: &str = r#"name = "two venues"
[[venues]]
name = "binance"
insurance_fund_usd = 1000.0
[[venues]]
name = "hl"
preset = "hyperliquid"
insurance_fund_usd = 500.0
[shock]
moves = { BTC = -0.1 }
[[markets]]
symbol = "BTCUSDT"
venue = "binance"
tick_size = 0.1
lot_size = 0.001
index_price = 60000.0
liquidation_fee_rate = 0.0125
taker_fee_rate = 0.0005
tiers = [{ cap_notional = 1e9, mmr = 0.004, max_leverage = 125.0 }]
book = { bids = [[59999.9, 1.0]], asks = [[60000.0, 1.0]] }
[[markets]]
symbol = "BTCUSDT"
venue = "hl"
tick_size = 0.1
lot_size = 0.001
index_price = 60000.0
liquidation_fee_rate = 0.0125
taker_fee_rate = 0.0005
tiers = [{ cap_notional = 1e9, mmr = 0.004, max_leverage = 125.0 }]
book = { bids = [[59999.9, 1.0]], asks = [[60000.0, 1.0]] }
[[spot_markets]]
name = "x:BTC"
market = "BTC"
tick_size = 1.0
lot_size = 1e-06
taker_fee_rate = 0.001
book = { bids = [[59999.0, 1.0]], asks = [[60001.0, 1.0]] }
[[index]]
market = "BTCUSDT"
venue = "hyperliquid"
rule = "weighted_median"
weights = { "x:BTC" = 1.0 }
[[accounts]]
id = "a"
wallet_usd = 1000.0
positions = [
  { market = "binance:BTCUSDT", size = 0.01, entry_price = 60000.0 },
]
[[accounts]]
id = "b"
wallet_usd = 1000.0
positions = [{ market = "hl:BTC", size = -0.01, entry_price = 60000.0 }]
"#;
// Lines: 2 [[venues]], 3 name binance, 4 fund, 5 [[venues]], 6 name hl, 7 preset, 8 fund,
// 9 [shock], 10 moves, 11 [[markets]], 12 symbol, 13 venue binance, …, 21 [[markets]], 23 venue hl,
// 31 [[spot_markets]], 32 name, 33 market, 38 [[index]], 39 market, 40 venue, 41 rule, 42 weights,
// 43 [[accounts]], 46 positions = [, 47 its position, 48 ], 49 [[accounts]], 52 positions.

fn edit(n: usize, with: &str) -> String {
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines[n - 1] = with;
    lines.join("\n") + "\n"
}

fn err_toml(text: &str) -> IoError {
    parse_scenario_str(text, Format::Toml, Path::new("scenario.toml")).unwrap_err()
}

fn check(e: &IoError, line: usize, field: &str, message_start: &str) {
    assert_eq!(e.line(), Some(line), "{e}");
    assert_eq!(e.field(), field, "{e}");
    assert!(e.message().starts_with(message_start), "{e}");
    assert!(e.to_string().starts_with(&format!("{}:{line}: {field}: ", e.file().display())), "{e}");
}

#[test]
fn base_loads_with_markets_on_their_venues() {
    let s = parse_scenario_str(BASE, Format::Toml, Path::new("scenario.toml")).unwrap();
    assert_eq!(s.n_venues(), 2);
    assert_eq!(s.venues.market_venue, vec![VenueId(0), VenueId(1)]);
    assert_eq!(s.venue_preset(VenueId(1)), VenuePreset::Hyperliquid);
    assert_eq!(s.venue_fund(VenueId(1)).usd(), 500.0);
    // A bare asset's move is news: BTC moves on both venues.
    assert_eq!(s.shock.moves(2), vec![-0.1, -0.1]);
    // The index entry for the hyperliquid preset applies to hl's market only.
    assert!(s.price.index[0].is_none() && s.price.index[1].is_some());
    assert_eq!(s.accounts[1].positions[0].market.idx(), 1);
    let m = liq_engine::EngineModel::new(&s).unwrap();
    assert!(m.is_multi_venue());
    assert_eq!(m.insurance_fund_usd(), 1500.0);
}

#[test]
fn a_market_naming_an_unknown_venue() {
    let e = err_toml(&edit(23, r#"venue = "okx""#));
    check(&e, 23, "markets[1].venue", "unknown venue \"okx\"");
}

#[test]
fn a_market_without_a_venue() {
    let e = err_toml(&edit(23, "# no venue"));
    check(&e, 22, "markets[1].symbol", "a file with [[venues]] names each market's venue");
}

#[test]
fn an_account_spanning_venues() {
    let e = err_toml(&edit(
        47,
        r#"  { market = "binance:BTCUSDT", size = 0.01, entry_price = 60000.0 }, { market = "hl:BTCUSDT", size = 0.01, entry_price = 60000.0 },"#,
    ));
    check(&e, 47, "accounts[0].positions[1].market", "account \"a\" holds positions on binance and hl");
}

#[test]
fn a_bare_symbol_on_several_venues_is_ambiguous_for_a_position() {
    let e = err_toml(&edit(47, r#"  { market = "BTCUSDT", size = 0.01, entry_price = 60000.0 },"#));
    check(&e, 47, "accounts[0].positions[0].market", "\"BTCUSDT\" is listed on several venues");
}

#[test]
fn an_index_naming_an_unknown_venue_or_spot_market() {
    let e = err_toml(&edit(40, r#"venue = "kraken""#));
    check(&e, 40, "index[0].venue", "unknown venue \"kraken\"");
    let e = err_toml(&edit(42, r#"weights = { "y:BTC" = 1.0 }"#));
    check(&e, 42, "index[0].weights.y:BTC", "unknown spot market \"y:BTC\"");
}

#[test]
fn a_duplicate_venue_name() {
    let e = err_toml(&edit(6, r#"name = "Binance""#));
    check(&e, 6, "venues[1].name", "duplicate venue name");
}

#[test]
fn an_unknown_preset_and_a_top_level_venue() {
    let e = err_toml(&edit(7, r#"preset = "kraken""#));
    check(&e, 7, "venues[1].preset", "unknown venue preset \"kraken\"");
    let e = err_toml(&format!("venue = \"binance\"\n{BASE}"));
    check(&e, 1, "venue", "a file with [[venues]] gives each venue's preset there");
}

#[test]
fn the_multi_venue_example_loads() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multi-venue.toml");
    let s = liq_io::load_scenario(&p).unwrap();
    assert_eq!(s.n_venues(), 3);
    assert_eq!(s.markets.len(), 9);
    assert_eq!(s.accounts.len(), 120_000);
    // Every account on one venue (the loader refuses otherwise) and every venue populated.
    for v in 0..3 {
        assert!(s.accounts.iter().any(|a| s.venue_of(a.positions[0].market).idx() == v));
    }
}

#[test]
fn the_event_log_names_the_cause_in_csv_and_parquet() {
    // A third account, 0.1 BTC on 50 USD: the −10% shock takes it under at once (exogenous).
    let text = format!(
        "{BASE}[[accounts]]\nid = \"c\"\nwallet_usd = 50.0\npositions = [{{ market = \"binance:BTCUSDT\", size = 0.1, entry_price = 60000.0 }}]\n"
    );
    let s = parse_scenario_str(&text, Format::Toml, Path::new("t.toml")).unwrap();
    let model = liq_engine::EngineModel::new(&s).unwrap();
    let report = liq_engine::Cascade::new(&model).report(&model);
    let events = &report.outcome.events;
    assert!(!events.is_empty() && events.iter().all(|e| e.cause.is_some()), "{events:?}");
    let batch = liq_io::output::events_record_batch(&model, events).unwrap();
    let cause = batch
        .column_by_name("cause")
        .expect("a multi-venue Parquet log has the cause column")
        .as_any()
        .downcast_ref::<arrow::array::StringArray>()
        .unwrap();
    assert_eq!(cause.value(0), "exogenous");
    let mut csv = Vec::new();
    liq_io::output::write_events_csv(&mut csv, &model, events).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap().rsplit(',').next(), Some("cause"));
    let from_csv: Vec<&str> = lines.map(|l| l.rsplit(',').next().unwrap()).collect();
    let from_parquet: Vec<&str> = cause.iter().map(|c| c.unwrap_or_default()).collect();
    assert_eq!(from_csv, from_parquet);
}
