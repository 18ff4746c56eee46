//! The price-formation sections of a scenario file: a valid one loads as written, and each bad
//! input is refused naming its line and field.

mod common;

use common::err;

/// Valid: one perp, two spot markets, an index, arbitrage, funding and a book shock. Line
/// numbers on the right are the ones the error tests expect.
const BASE: &str = concat!(
    common::one_perp!(),
    r#"[[spot_markets]]
name = "a:BTC"
market = "BTCUSDT"
tick_size = 1.0
lot_size = 0.000001
taker_fee_rate = 0.001
book = { bids = [[59999.0, 1.0]], asks = [[60001.0, 1.0]] }
[[spot_markets]]
name = "b:BTC"
market = "BTCUSDT"
tick_size = 1.0
lot_size = 0.000001
taker_fee_rate = 0.001
book = { bids = [[59999.0, 1.0]], asks = [[60001.0, 1.0]] }
[[index]]
market = "BTCUSDT"
rule = "weighted_mean"
weights = { "a:BTC" = 0.6, "b:BTC" = 0.4 }
[arbitrage]
capacity_usd_per_s = 1000.0
latency_s = 0.1
perp_fee_rate = 0.0002
[shock]
book = { BTCUSDT = -1e6 }
"#
);

fn with(line: usize, replacement: &str) -> String {
    common::with_line(BASE, line, replacement)
}

#[test]
fn valid_sections_load_as_written() {
    let s = common::parse(BASE).unwrap();
    assert_eq!(s.price.spot.len(), 2);
    assert_eq!(s.price.spot[0].price, 60000.0);
    let ix = s.price.index[0].as_ref().unwrap();
    assert_eq!(ix.constituents, vec![(0, 0.6), (1, 0.4)]);
    assert_eq!(s.price.arbitrage[0].capacity_usd_per_s, 1000.0);
    assert_eq!(s.book_shock_usd, vec![-1e6]);
    // No rule given: the venue's published one.
    assert_eq!(s.engine.mark, liq_domain::MarkRule::Venue);
    // Binance's funding interval, half of it to the next funding time.
    assert_eq!((s.price.funding.interval_s, s.price.funding.time_to_next_s), (28800.0, 14400.0));
}

#[test]
fn spot_market_naming_an_unknown_perp() {
    let (line, field, msg) = err(&with(16, r#"market = "DOGEUSDT""#));
    assert_eq!((line, field.as_str()), (Some(16), "spot_markets[0].market"), "{msg}");
}

#[test]
fn negative_capacity_and_latency() {
    let (line, field, _) = err(&with(33, "capacity_usd_per_s = -5.0"));
    assert_eq!((line, field.as_str()), (Some(33), "arbitrage.capacity_usd_per_s"));
    let (line, field, _) = err(&with(34, "latency_s = -0.1"));
    assert_eq!((line, field.as_str()), (Some(34), "arbitrage.latency_s"));
}

#[test]
fn index_weights_that_do_not_sum_to_one() {
    let (line, field, msg) = err(&with(31, r#"weights = { "a:BTC" = 0.6, "b:BTC" = 0.3 }"#));
    assert_eq!((line, field.as_str()), (Some(31), "index[0].weights"));
    assert!(msg.contains("sum to 0.9"), "{msg}");
}

#[test]
fn index_naming_an_unknown_spot_market() {
    let (line, field, _) = err(&with(31, r#"weights = { "a:BTC" = 0.6, "c:BTC" = 0.4 }"#));
    assert_eq!((line, field.as_str()), (Some(31), "index[0].weights.c:BTC"));
}

#[test]
fn the_old_blend_knob_is_refused_with_its_replacement() {
    let text = BASE.replace("[[markets]]\n", "[engine]\nmark_book_weight = 0.5\n[[markets]]\n");
    let (line, field, msg) = err(&text);
    assert_eq!((line, field.as_str()), (Some(4), "engine.mark_book_weight"));
    assert!(msg.contains("rule = \"blend\""), "{msg}");
}

/// `[maker_hedge]` after the base file: loads as written, and a negative ratio, latency or
/// capacity (or a ratio above 1) is refused naming its line and field.
#[test]
fn maker_hedge_section() {
    let n = BASE.lines().count();
    let section = |ratio: &str, latency: &str, cap: &str| {
        format!(
            "{BASE}[maker_hedge]\nhedge_ratio = {ratio}\nlatency_s = {latency}\ncapacity_usd_per_s = {cap}\n"
        )
    };
    let s = common::parse(&section("0.5", "0.5", "{ BTCUSDT = 2.7e5 }")).unwrap();
    assert_eq!(
        s.price.maker_hedge,
        vec![liq_domain::MakerHedgeSpec { hedge_ratio: 0.5, latency_s: 0.5, capacity_usd_per_s: 2.7e5 }]
    );
    let (line, field, _) = err(&section("-0.1", "0.5", "1e5"));
    assert_eq!((line, field.as_str()), (Some(n + 2), "maker_hedge.hedge_ratio"));
    let (line, field, msg) = err(&section("1.5", "0.5", "1e5"));
    assert_eq!((line, field.as_str()), (Some(n + 2), "maker_hedge.hedge_ratio"), "{msg}");
    let (line, field, _) = err(&section("0.5", "-1", "1e5"));
    assert_eq!((line, field.as_str()), (Some(n + 3), "maker_hedge.latency_s"));
    let (line, field, _) = err(&section("0.5", "0.5", "-1e5"));
    assert_eq!((line, field.as_str()), (Some(n + 4), "maker_hedge.capacity_usd_per_s"));
    let (line, field, _) = err(&section("0.5", "0.5", "{ BTCUSDT = -3.0 }"));
    assert_eq!((line, field.as_str()), (Some(n + 4), "maker_hedge.capacity_usd_per_s.BTCUSDT"));
}
