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
