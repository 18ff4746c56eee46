//! Accounts, positions and collateral.
//!
//! A position is either *cross* (backed by the account's shared wallet and collateral) or
//! *isolated* (backed only by its own `isolated_margin`), as on Binance and Bybit. The ledger form
//! is exact: a position carries its signed size in lots and its **cost basis** in micro-USD
//! (`Σ signed lots × fill value`), so unrealised PnL at a mark is `size × mark − cost` and every
//! trade moves cost between two holders without creating or destroying money.

use crate::ids::{AssetId, MarketId};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// How a position is margined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarginMode {
    Cross,
    Isolated,
}

/// One open perpetual position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub market: MarketId,
    /// Signed size in lots: positive long, negative short. Never zero in a scenario.
    pub size_lots: i64,
    /// Cost basis: signed size × entry price, exact in micro-USD.
    pub cost: Money,
    pub mode: MarginMode,
    /// Margin posted to an isolated position (zero for cross positions).
    pub isolated_margin: Money,
}

impl Position {
    /// Average entry price implied by the cost basis.
    pub fn entry_price(&self, lot_size: f64) -> f64 {
        self.cost.usd() / (self.size_lots as f64 * lot_size)
    }
}

/// A quantity of a collateral asset held in an account's cross wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collateral {
    pub asset: AssetId,
    /// Quantity of the asset (≥ 0).
    pub qty: f64,
}

/// How a collateral asset is priced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetPrice {
    /// A fixed USD price (stablecoins).
    Fixed(f64),
    /// Valued at the mark of a market, so a crash in that market also cuts the collateral.
    Market(MarketId),
}

/// A collateral asset with its haircut (the share of its value that does *not* count as margin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetSpec {
    pub symbol: String,
    pub price: AssetPrice,
    /// Haircut in [0, 1): collateral value counted = qty × price × (1 − haircut).
    pub haircut: f64,
}

/// An account: a USD cross wallet, collateral assets and positions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// The user's identifier, carried through to the event log.
    pub label: String,
    /// USD balance of the cross wallet (may be negative when volatile collateral backs it).
    pub wallet: Money,
    pub collateral: Vec<Collateral>,
    pub positions: Vec<Position>,
}
