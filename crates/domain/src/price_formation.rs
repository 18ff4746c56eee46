//! Price formation beyond the perpetual's own book: the assets' spot markets, the index each
//! perpetual is marked against, the arbitrageurs who tie the two together, the venue's mark-price
//! rule and its funding clock, and the perp makers' hedge on spot.
//!
//! This module owns the *validated* shape of those inputs; the formulas live in `liq-margin`
//! (`mark`, `index`) and the dynamics in `liq-engine` (`arbitrage`). A scenario without spot
//! markets has a static index (it moves with the exogenous shock only), which is exactly what a
//! scenario with spot markets and zero arbitrage capacity reproduces.

use crate::book::BookSpec;
use serde::{Deserialize, Serialize};

/// One spot market of an asset (`binance:BTCUSDT`, `coinbase:BTC-USD`): its own L2 book, which
/// arbitrageurs' hedges walk and whose mid feeds the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpotMarketSpec {
    /// `exchange:symbol`, unique in the scenario.
    pub name: String,
    /// Index of the perpetual market whose underlying this market trades (the scenario's
    /// `markets[i]`); its exogenous shock moves this market too.
    pub perp_market: usize,
    pub tick_size: f64,
    pub lot_size: f64,
    /// Starting price (USD).
    pub price: f64,
    /// Taker fee an arbitrageur pays on this market (fraction).
    pub taker_fee_rate: f64,
    pub book: BookSpec,
}

/// How an index combines its constituents' prices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexRule {
    /// Σ wᵢ pᵢ over the constituents; a constituent further than `outlier_band` (fraction) from
    /// the weighted median is left out and the rest re-weighted (Binance, Bybit).
    WeightedMean { outlier_band: Option<f64> },
    /// The weighted median of the constituents' prices (Hyperliquid's oracle, dYdX's oracle).
    WeightedMedian,
}

/// The index of one perpetual market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSpec {
    pub rule: IndexRule,
    /// `(spot market index, weight)`; weights are positive and sum to 1.
    pub constituents: Vec<(usize, f64)>,
}

/// The venue's mark-price rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum MarkRule {
    /// The venue preset's published rule (resolved by `liq-margin::mark::MarkRule::for_venue`).
    Venue,
    /// Median(index × (1 + last funding × time to funding / interval), index + moving average of
    /// the basis over `basis_window_s`, last price): Binance USDⓈ-M and Bybit.
    MedianOfThree { basis_window_s: f64 },
    /// Median(oracle + EMA(mid − oracle, `ema_s`), median(bid, ask, last), other venues' perp
    /// mids); with one of the three missing, the `fallback_ema_s` EMA of the book median joins.
    Hyperliquid { ema_s: f64, fallback_ema_s: f64 },
    /// The oracle (index) price itself: dYdX v4.
    Oracle,
    /// A custom blend `book_weight × book mid + (1 − book_weight) × index`. No venue uses it;
    /// kept only as an explicit choice (and for unit tests where the book is the whole market).
    Blend { book_weight: f64 },
}

/// The arbitrageurs of one perpetual market: they quote the perp at the index ± their costs
/// with a capacity per second and hedge every fill on the spot markets of the index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArbitrageSpec {
    /// USD of perp they can take per second (0 = no arbitrage: a static index).
    pub capacity_usd_per_s: f64,
    /// Seconds between a price move and their reaction; a round of `dt` seconds leaves them
    /// `dt − latency` seconds of capacity.
    pub latency_s: f64,
    /// Fee on their (passive) perp leg, fraction.
    pub perp_fee_rate: f64,
    /// Edge they require beyond fees and both half-spreads, fraction.
    pub min_edge: f64,
}

/// The funding clock of a venue.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct FundingSpec {
    /// Funding interval, seconds (8 h on Binance and Bybit, 1 h on Hyperliquid and dYdX).
    pub interval_s: f64,
    /// Seconds from the start of the run to the next funding time.
    pub time_to_next_s: f64,
    /// Whether funding accrues on a time-stepped run (`[funding] accrue`): at each funding time
    /// the run crosses, every open position pays or receives rate × size × price
    /// (`liq-engine`'s `funding` module). Off by default, so scenarios written before it keep
    /// their outcome and hash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accrue: bool,
    /// Largest |rate| per payment, overriding the venue's published cap (`[funding] cap`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// Everything about price formation that is not the perpetual's own book.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PriceFormation {
    pub spot: Vec<SpotMarketSpec>,
    /// One per perpetual market; `None` = a static index (moves with the exogenous path only).
    /// Chosen for the scenario's venue when the file gives venue-specific indices (`--venue`
    /// replaces the venue before validation, so the index follows it).
    pub index: Vec<Option<IndexSpec>>,
    /// One per perpetual market.
    pub arbitrage: Vec<ArbitrageSpec>,
    /// Last funding rate per perpetual market (fraction per interval), for the mark's funding
    /// basis.
    pub last_funding_rate: Vec<f64>,
    pub funding: FundingSpec,
    /// One per perpetual market (or empty = none): the perp book's makers hedging the inventory
    /// forced flow leaves them with on the index's spot books. Left out of the canonical form
    /// when no market hedges, so scenarios without it keep their hash.
    #[serde(default, skip_serializing_if = "no_maker_hedge")]
    pub maker_hedge: Vec<MakerHedgeSpec>,
}

fn no_maker_hedge(v: &[MakerHedgeSpec]) -> bool {
    v.iter().all(|h| !h.is_active())
}

/// The perp makers' hedge of one perpetual market (DESIGN.md "The makers' hedge"): a
/// `hedge_ratio` share of the makers' net inventory change, seen `latency_s` late, sent to the
/// index constituents' spot books by index weight at most `capacity_usd_per_s`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MakerHedgeSpec {
    /// Share of the makers' inventory change they hedge on spot (0 = none: today's outcome).
    pub hedge_ratio: f64,
    /// Seconds from a fill to the hedge order; a round of `dt` seconds hedges the inventory of
    /// `⌊latency / dt⌋` rounds before with `dt − (latency mod dt)` seconds of capacity.
    pub latency_s: f64,
    /// USD of spot the hedgers can send per second.
    pub capacity_usd_per_s: f64,
}

impl MakerHedgeSpec {
    /// No hedge.
    pub const NONE: MakerHedgeSpec =
        MakerHedgeSpec { hedge_ratio: 0.0, latency_s: 0.0, capacity_usd_per_s: 0.0 };

    /// Whether this market's makers hedge at all.
    pub fn is_active(&self) -> bool {
        self.hedge_ratio > 0.0 && self.capacity_usd_per_s > 0.0
    }
}

impl PriceFormation {
    /// No spot markets, no arbitrage: the index moves with the exogenous path only.
    pub fn static_index(n_markets: usize) -> PriceFormation {
        PriceFormation {
            spot: Vec::new(),
            index: vec![None; n_markets],
            arbitrage: vec![ArbitrageSpec::NONE; n_markets],
            last_funding_rate: vec![0.0; n_markets],
            funding: FundingSpec {
                interval_s: 8.0 * 3600.0,
                time_to_next_s: 4.0 * 3600.0,
                ..FundingSpec::default()
            },
            maker_hedge: Vec::new(),
        }
    }
}

impl ArbitrageSpec {
    /// No arbitrage capacity.
    pub const NONE: ArbitrageSpec =
        ArbitrageSpec { capacity_usd_per_s: 0.0, latency_s: 0.0, perp_fee_rate: 0.0, min_edge: 0.0 };
}
