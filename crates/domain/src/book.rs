//! Order-book specifications as a scenario states them: explicit L2 levels, or a parametric
//! depth profile (depth per side by distance from mid) from which the levels are generated.

use serde::{Deserialize, Serialize};

/// One L2 price level: price (USD) and quantity (base asset).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct L2Level {
    pub price: f64,
    pub qty: f64,
}

/// Depth per side as a function of distance from mid, in buckets of `bucket_bps` basis points:
/// `notional_usd[i]` is the resting notional between `i·bucket_bps` and `(i+1)·bucket_bps` from
/// the mid. Calibrated profiles come in this form (see `liq-io`'s default scenario).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthProfile {
    pub bucket_bps: f64,
    pub bid_notional_usd: Vec<f64>,
    pub ask_notional_usd: Vec<f64>,
    /// Quoted spread in ticks (best ask − best bid).
    pub spread_ticks: i64,
}

/// The depth of one market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookSpec {
    /// Explicit levels, bids descending and asks ascending.
    Levels { bids: Vec<L2Level>, asks: Vec<L2Level> },
    /// A parametric profile around the mark price.
    Profile(DepthProfile),
}
