//! Shared fixtures for the impact tests: market specs and small hand-made books.
#![allow(dead_code)]

use liq_domain::{BookSpec, L2Level, MarketSpec, RiskLadder};

/// A market with the given tick and lot (the ladder is irrelevant to price impact).
pub fn market(tick_size: f64, lot_size: f64, price: f64) -> MarketSpec {
    MarketSpec {
        symbol: "TESTUSDT".into(),
        tick_size,
        lot_size,
        index_price: price,
        mark_price: price,
        ladder: RiskLadder::from_caps(&[(50_000.0, 0.004, 125.0)]).expect("valid ladder"),
        liquidation_fee_rate: 0.0125,
        taker_fee_rate: 0.0005,
    }
}

/// BTCUSDT on Binance USD-M: tick 0.1, lot 0.001.
pub fn btc() -> MarketSpec {
    market(0.1, 0.001, 61_800.0)
}

/// Explicit levels from (price, qty) pairs.
pub fn levels(bids: &[(f64, f64)], asks: &[(f64, f64)]) -> BookSpec {
    let to = |v: &[(f64, f64)]| v.iter().map(|&(price, qty)| L2Level { price, qty }).collect();
    BookSpec::Levels { bids: to(bids), asks: to(asks) }
}

/// An L2 book around 10,000 (tick 1, lot 1): bid level i at 10,000 − i and ask level i at
/// 10,001 + i, with the given lots (the book and deficit-cache property tests).
pub fn ladder_book(bid_lots: &[u32], ask_lots: &[u32], tau_s: f64) -> liq_impact::book::L2Book {
    let bids: Vec<(f64, f64)> =
        bid_lots.iter().enumerate().map(|(i, &q)| (10_000.0 - i as f64, q as f64)).collect();
    let asks: Vec<(f64, f64)> =
        ask_lots.iter().enumerate().map(|(i, &q)| (10_001.0 + i as f64, q as f64)).collect();
    liq_impact::book::L2Book::from_spec(&levels(&bids, &asks), &market(1.0, 1.0, 10_000.0), 10_000.5, tau_s)
        .unwrap()
}
