//! The validated shape of a lending-protocol book (`venue = "aave-v3"`): the reserves a borrower
//! can post as collateral, each with its liquidation threshold, bonus and protocol fee and the
//! spot book its seized collateral is sold into, and the borrowers with their collateral per
//! reserve and their debt.
//!
//! This module owns the data only; the protocol's maths is `liq-margin::lending` and the
//! block-by-block cascade `liq-engine::lending`. Debt is one USD stablecoin reserve priced at 1
//! (the usual Aave borrow against volatile collateral), so a borrower's "reserve debt" in the
//! close-factor rule is its total debt.

use crate::book::BookSpec;
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// One collateral reserve and the spot market of its asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LendingReserve {
    /// Asset symbol (`WETH`, `WBTC`, `SOL`).
    pub symbol: String,
    /// Liquidation threshold in (0, 1) (Aave's `liquidationThreshold` / 10⁴; WETH 0.83).
    pub liquidation_threshold: f64,
    /// Liquidation bonus as a fraction of the debt repaid (Aave's `liquidationBonus` / 10⁴ − 1;
    /// 10500 → 0.05).
    pub liquidation_bonus: f64,
    /// Share of the bonus that goes to the protocol treasury (`liquidationProtocolFee` / 10⁴).
    pub protocol_fee: f64,
    /// Oracle price at the start, USD.
    pub price: f64,
    /// Grid of the spot book the liquidators sell into.
    pub tick_size: f64,
    pub lot_size: f64,
    pub book: BookSpec,
}

/// One borrower: collateral per reserve (base-asset quantity, same order as the reserves) and
/// debt in micro-USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Borrower {
    pub label: String,
    pub collateral: Vec<f64>,
    pub debt: Money,
}

/// Protocol and liquidator settings of a lending book.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LendingRules {
    /// Aave v3.3: 0.5.
    pub close_factor: f64,
    /// Aave v3.3: 0.95.
    pub full_close_hf: f64,
    /// Aave v3.3: 2,000 USD.
    pub min_base_for_partial_usd: f64,
    /// Aave v3.3: 1,000 USD.
    pub min_leftover_usd: f64,
    /// Seconds per block: liquidations are checked once a block (Ethereum 12 s, Solana 0.4 s).
    pub block_s: f64,
    /// Seconds between a liquidation and the liquidator's sale of the seized collateral.
    pub liquidator_delay_s: f64,
    /// Resilience time constant of the spot books, seconds.
    pub resilience_tau_s: f64,
    /// At most this many blocks are run (a bound, reported when hit).
    pub block_cap: u32,
}

/// A complete, validated lending scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LendingScenario {
    pub name: String,
    pub seed: u64,
    pub rules: LendingRules,
    pub reserves: Vec<LendingReserve>,
    pub borrowers: Vec<Borrower>,
    /// The exogenous instant move of each reserve's price (−0.12 = −12%), reserve order.
    pub shock: Vec<f64>,
}

impl LendingScenario {
    /// Index of the reserve with this symbol (case-insensitive).
    pub fn reserve_by_symbol(&self, symbol: &str) -> Option<usize> {
        self.reserves.iter().position(|r| r.symbol.eq_ignore_ascii_case(symbol.trim()))
    }
}
