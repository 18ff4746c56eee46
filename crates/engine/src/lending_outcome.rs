//! What a lending-protocol run produces beyond the common [`crate::Outcome`]: debt repaid by
//! generation, the bonus and protocol fee, the protocol's deficit, the liquidators' P&L, and the
//! exact holder ledger (collateral lots and micro-USD per holder) the property tests check.
//!
//! The common outcome already carries what means the same as on a perp venue: collateral seized
//! is the liquidated notional (by generation and per reserve, in `markets`), the oracle path is the
//! mark path, the deficit is the bad debt. Only what has no perp counterpart lives here.

use serde::{Deserialize, Serialize};

/// Per collateral reserve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReserveLending {
    pub symbol: String,
    /// Collateral taken from borrowers (liquidators' share plus the protocol fee), base units.
    pub seized_qty: f64,
    /// Of it, sold by the liquidators into the reserve's spot book.
    pub sold_qty: f64,
    /// Of it, still held by the liquidators at the end (a delay not elapsed, or a book with no
    /// bids left).
    pub unsold_qty: f64,
    /// Of it, the protocol fee in kind, held by the treasury.
    pub treasury_qty: f64,
    pub oracle_start: f64,
    pub oracle_end: f64,
    pub oracle_trough: f64,
}

/// The lending-specific totals of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LendingOutcome {
    /// Borrowers' debt at the start, USD.
    pub debt_start_usd: f64,
    /// Debt repaid by liquidators, USD, by generation (same generations as the liquidated
    /// notional).
    pub debt_repaid_by_generation: Vec<f64>,
    pub debt_repaid_usd: f64,
    /// Collateral seized at the oracle price of its block, USD (the liquidated notional).
    pub collateral_seized_usd: f64,
    /// Collateral seized beyond the debt it repaid, at the oracle: what the borrowers paid.
    pub bonus_usd: f64,
    /// The treasury's cut of that bonus, at the oracle of its block.
    pub protocol_fee_usd: f64,
    /// Debt burnt with no collateral left (Aave v3.3 `deficit`), USD.
    pub deficit_usd: f64,
    /// Liquidators: sale proceeds + unsold collateral at the end oracle − debt repaid, USD.
    pub liquidator_pnl_usd: f64,
    pub liquidator_sale_proceeds_usd: f64,
    /// `liquidationCall`s executed and refused by the dust rule (`MUST_NOT_LEAVE_DUST`).
    pub liquidation_calls: u64,
    pub dust_refusals: u64,
    /// Blocks simulated and seconds per block.
    pub blocks: u32,
    pub block_s: f64,
    pub reserves: Vec<ReserveLending>,
    pub ledger: LendingLedger,
}

/// The exact holdings of every holder at the end of a run. Conserved (checked by
/// [`LendingLedger::check`]): collateral lots per reserve over borrowers, liquidators, treasury
/// and the spot makers; micro-USD over liquidators, the pool (lenders, who are repaid) and the
/// makers; and borrowers' debt + repaid + deficit = debt at the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LendingLedger {
    /// Per reserve, lots.
    pub borrower_lots_start: Vec<i64>,
    pub borrower_lots: Vec<i64>,
    pub liquidator_lots: Vec<i64>,
    pub treasury_lots: Vec<i64>,
    pub maker_lots: Vec<i64>,
    /// Micro-USD.
    pub debt_start: i64,
    pub debt: i64,
    pub repaid: i64,
    pub deficit: i64,
    pub liquidator_cash: i64,
    pub maker_cash: i64,
    pub pool_cash: i64,
}

impl LendingLedger {
    /// `Err` names the identity that failed.
    pub fn check(&self) -> Result<(), String> {
        for k in 0..self.borrower_lots_start.len() {
            let now =
                self.borrower_lots[k] + self.liquidator_lots[k] + self.treasury_lots[k] + self.maker_lots[k];
            if now != self.borrower_lots_start[k] {
                return Err(format!(
                    "reserve {k}: collateral lots {now} at the end, {} at the start",
                    self.borrower_lots_start[k]
                ));
            }
            if self.borrower_lots[k] < 0 || self.liquidator_lots[k] < 0 || self.treasury_lots[k] < 0 {
                return Err(format!("reserve {k}: a holder's collateral went negative"));
            }
        }
        let cash = self.liquidator_cash as i128 + self.maker_cash as i128 + self.pool_cash as i128;
        if cash != 0 {
            return Err(format!("cash over liquidators, makers and pool sums to {cash} micro-USD"));
        }
        if self.debt + self.repaid + self.deficit != self.debt_start || self.pool_cash != self.repaid {
            return Err(format!(
                "debt {} + repaid {} + deficit {} ≠ {} at the start (pool cash {})",
                self.debt, self.repaid, self.deficit, self.debt_start, self.pool_cash
            ));
        }
        Ok(())
    }
}

/// A lending run, its no-impact counterfactual, and the report in the common shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LendingReport {
    pub report: crate::CascadeReport,
    pub lending: LendingOutcome,
}
