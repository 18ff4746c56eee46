//! Plain records every loader produces and every estimator consumes: trades, best-quote ticks,
//! price points. Times are exchange times in milliseconds since the Unix epoch (UTC).

use serde::{Deserialize, Serialize};

/// One trade (or aggregated trade) with its aggressor side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    pub time_ms: i64,
    pub price: f64,
    /// Base-asset quantity, > 0.
    pub qty: f64,
    /// True when the taker (aggressor) bought; Binance's `m` ("buyer is maker") is its negation.
    pub taker_buy: bool,
}

impl Trade {
    /// Signed base quantity: + for taker buys.
    pub fn signed_qty(&self) -> f64 {
        if self.taker_buy {
            self.qty
        } else {
            -self.qty
        }
    }
}

/// A best bid/ask observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub time_ms: i64,
    pub bid: f64,
    pub bid_qty: f64,
    pub ask: f64,
    pub ask_qty: f64,
}

impl Quote {
    pub fn mid(&self) -> f64 {
        (self.bid + self.ask) / 2.0
    }
}

/// One price observation of one market (price paths, trade prints used as a price series).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricePoint {
    pub time_ms: i64,
    pub market: String,
    pub price: f64,
}

/// A time series of prices, sorted by time (ties keep file order).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub times_ms: Vec<i64>,
    pub values: Vec<f64>,
}

impl Series {
    /// Builds a series, sorting by time stably.
    pub fn from_pairs(mut pairs: Vec<(i64, f64)>) -> Self {
        pairs.sort_by_key(|p| p.0);
        Self { times_ms: pairs.iter().map(|p| p.0).collect(), values: pairs.iter().map(|p| p.1).collect() }
    }

    pub fn len(&self) -> usize {
        self.times_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times_ms.is_empty()
    }

    /// The last value at or before `t` (previous-tick interpolation); `None` before the first.
    pub fn at(&self, t: i64) -> Option<f64> {
        let i = self.times_ms.partition_point(|&x| x <= t);
        (i > 0).then(|| self.values[i - 1])
    }

    /// Span in seconds between the first and last observation.
    pub fn span_s(&self) -> f64 {
        match (self.times_ms.first(), self.times_ms.last()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e3,
            _ => 0.0,
        }
    }
}
