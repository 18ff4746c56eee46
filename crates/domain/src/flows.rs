//! Forced flows other than liquidations: leveraged tokens that rebalance, options dealers that
//! delta-hedge, and stop-loss / take-profit clusters.
//!
//! This module owns the validated parameters only (what a scenario file's `[[leveraged_tokens]]`,
//! `[dealers]` with its `options_csv`, and `[[stops]]` say). How they trade is the engine's
//! (`liq_engine::flows`); where the defaults come from is docs/scenario-format.md and DESIGN.md
//! ("Other forced flows").

use crate::ids::MarketId;
use crate::Side;
use serde::{Deserialize, Serialize};

/// Every non-liquidation flow of a scenario. Empty by default (and then not serialised, so a
/// scenario without flows keeps its hash).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowsSpec {
    #[serde(default)]
    pub leveraged_tokens: Vec<LeveragedTokenSpec>,
    #[serde(default)]
    pub dealers: Option<DealerBookSpec>,
    #[serde(default)]
    pub stops: Vec<StopClusterSpec>,
}

impl FlowsSpec {
    pub fn is_empty(&self) -> bool {
        self.leveraged_tokens.is_empty() && self.dealers.is_none() && self.stops.is_empty()
    }
}

/// A leveraged token holding a long perp position of `leverage × AUM` (FTX BULL, Bybit BTC3L).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeveragedTokenSpec {
    pub name: String,
    pub market: MarketId,
    /// Target leverage L (> 1).
    pub leverage: f64,
    /// Net asset value of all tokens outstanding at the start, USD (> 0).
    pub aum_usd: f64,
    /// Seconds after the run starts at which the scheduled daily rebalance falls (None = not
    /// within the run).
    pub daily_rebalance_at_s: Option<f64>,
    /// Intraday rebalance when `|mark / mark at last rebalance − 1|` reaches this (fraction, > 0).
    pub intraday_move: f64,
    /// Intraday rebalances only when they reduce leverage (after a fall, for a long token).
    pub intraday_reduce_only: bool,
}

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionType {
    Call,
    Put,
}

/// One row of the options open-interest table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionOpenInterest {
    pub market: MarketId,
    pub strike: f64,
    /// Time to expiry at the start of the run, years (> 0).
    pub expiry_years: f64,
    pub option_type: OptionType,
    /// Contracts outstanding, in units of the underlying (Deribit: 1 contract = 1 BTC).
    pub open_interest: f64,
    /// +1: the dealers are long these options (long gamma); −1: short.
    pub dealer_sign: i8,
}

/// The options dealers' book and how they delta-hedge it on the perp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealerBookSpec {
    pub options: Vec<OptionOpenInterest>,
    /// Flat Black-76 volatility (annualised, > 0).
    pub vol: f64,
    /// Fraction of the options delta hedged, in [0, 1].
    pub hedge_ratio: f64,
    /// Seconds between hedge rebalances (> 0).
    pub rebalance_interval_s: f64,
    /// A rebalance smaller than this (USD at the mark) is skipped.
    pub min_trade_usd: f64,
}

/// Stop-loss or take-profit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopKind {
    StopLoss,
    TakeProfit,
}

/// Resting conditional orders at one price level that become one market order when touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopClusterSpec {
    pub market: MarketId,
    /// Trigger price, USD.
    pub price: f64,
    /// Side of the order it sends (a long's stop-loss sells).
    pub side: Side,
    pub kind: StopKind,
    /// Notional of the order at the trigger price, USD (> 0).
    pub notional_usd: f64,
}

impl StopClusterSpec {
    /// Whether the cluster triggers when the price falls to `price` (else when it rises to it):
    /// a sell stop-loss and a buy take-profit sit below the market, the other two above.
    pub fn triggers_below(&self) -> bool {
        matches!((self.side, self.kind), (Side::Sell, StopKind::StopLoss) | (Side::Buy, StopKind::TakeProfit))
    }
}
