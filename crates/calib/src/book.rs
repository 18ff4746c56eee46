//! The rebuilt L2 order book: price levels keyed by exact integer price (units of 1e-8) so that
//! prices written as decimal strings compare exactly, with the queries the estimators need (best
//! bid/ask, mid, notional within a distance of mid, notional per distance bucket).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Prices are stored as integers of this many units per 1.0 (8 decimals covers every venue's tick).
pub const PRICE_SCALE: f64 = 1e8;

/// Exact key of a price.
pub fn price_key(p: f64) -> i64 {
    (p * PRICE_SCALE).round() as i64
}

/// The price of a key.
pub fn key_price(k: i64) -> f64 {
    k as f64 / PRICE_SCALE
}

/// Which side of the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookSide {
    Bid,
    Ask,
}

/// An L2 book: quantity (base units) per price level and side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct L2Book {
    pub bids: BTreeMap<i64, f64>,
    pub asks: BTreeMap<i64, f64>,
}

impl L2Book {
    /// Sets the quantity at a level; zero removes it (Binance's diff semantics).
    pub fn set(&mut self, side: BookSide, price: f64, qty: f64) {
        let map = match side {
            BookSide::Bid => &mut self.bids,
            BookSide::Ask => &mut self.asks,
        };
        let k = price_key(price);
        if qty == 0.0 {
            map.remove(&k);
        } else {
            map.insert(k, qty);
        }
    }

    /// Best bid (price, qty).
    pub fn best_bid(&self) -> Option<(f64, f64)> {
        self.bids.iter().next_back().map(|(&k, &q)| (key_price(k), q))
    }

    /// Best ask (price, qty).
    pub fn best_ask(&self) -> Option<(f64, f64)> {
        self.asks.iter().next().map(|(&k, &q)| (key_price(k), q))
    }

    /// Mid price; `None` if a side is empty or the book is crossed (a corrupt rebuild).
    pub fn mid(&self) -> Option<f64> {
        let (b, _) = self.best_bid()?;
        let (a, _) = self.best_ask()?;
        (a > b).then_some((a + b) / 2.0)
    }

    /// USD notional resting on `side` within `bps` basis points of the mid.
    pub fn notional_within(&self, side: BookSide, bps: f64) -> f64 {
        let Some(mid) = self.mid() else { return 0.0 };
        let reach = mid * bps / 1e4;
        match side {
            BookSide::Bid => self.bids.range(price_key(mid - reach)..).map(|(&k, &q)| key_price(k) * q).sum(),
            BookSide::Ask => {
                self.asks.range(..=price_key(mid + reach)).map(|(&k, &q)| key_price(k) * q).sum()
            }
        }
    }

    /// USD notional per `bucket_bps` bucket of distance from `mid`, `n` buckets, on `side`.
    /// Bucket `i` holds levels at distance in `[i·bucket_bps, (i+1)·bucket_bps)`.
    pub fn buckets(&self, side: BookSide, mid: f64, bucket_bps: f64, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        let (map, dir) = match side {
            BookSide::Bid => (&self.bids, -1.0),
            BookSide::Ask => (&self.asks, 1.0),
        };
        for (&k, &q) in map {
            let p = key_price(k);
            let d = (p - mid) * dir / mid * 1e4;
            let b = (d / bucket_bps).floor();
            if b >= 0.0 && (b as usize) < n {
                out[b as usize] += p * q;
            }
        }
        out
    }

    /// Smallest positive gap between adjacent price levels on either side: the tick size when the
    /// book has at least two adjacent levels (true of any deep snapshot).
    pub fn min_level_gap(&self) -> Option<f64> {
        let gap = |m: &BTreeMap<i64, f64>| {
            m.keys().zip(m.keys().skip(1)).map(|(a, b)| b - a).filter(|&d| d > 0).min()
        };
        match (gap(&self.bids), gap(&self.asks)) {
            (Some(a), Some(b)) => Some(key_price(a.min(b))),
            (Some(a), None) | (None, Some(a)) => Some(key_price(a)),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_queries_and_deletes() {
        let mut b = L2Book::default();
        b.set(BookSide::Bid, 99.95, 2.0);
        b.set(BookSide::Bid, 99.85, 1.0);
        b.set(BookSide::Ask, 100.05, 3.0);
        b.set(BookSide::Ask, 100.25, 1.0);
        assert_eq!(b.best_bid(), Some((99.95, 2.0)));
        assert_eq!(b.mid(), Some(100.0));
        // Within 10 bps of 100.0 = [99.9, 100.1]: bid 99.95×2 = 199.9, ask 100.05×3 = 300.15.
        assert!((b.notional_within(BookSide::Bid, 10.0) - 199.9).abs() < 1e-9);
        assert!((b.notional_within(BookSide::Ask, 10.0) - 300.15).abs() < 1e-9);
        // 10-bps buckets: 99.95 is 5 bps away → bucket 0; 99.85 is 15 bps away → bucket 1.
        let bb = b.buckets(BookSide::Bid, 100.0, 10.0, 3);
        assert!((bb[0] - 199.9).abs() < 1e-9 && (bb[1] - 99.85).abs() < 1e-9 && bb[2] == 0.0);
        assert!((b.min_level_gap().unwrap() - 0.1).abs() < 1e-12);
        b.set(BookSide::Bid, 99.95, 0.0);
        assert_eq!(b.best_bid(), Some((99.85, 1.0)));
        b.set(BookSide::Bid, 100.3, 1.0); // crossed: no mid
        assert_eq!(b.mid(), None);
    }
}
