//! Margin maths and the venues' liquidation rulebooks.
//!
//! This crate owns every formula that turns positions, collateral and marks into margin numbers:
//! maintenance margin by risk-limit tier, equity, the mark at which a margin unit reaches
//! maintenance (its liquidation trigger) or zero equity (its bankruptcy price), the Binance
//! closed-form liquidation price, ADL ranking scores, and the per-venue rules (partial
//! liquidation, where the surplus goes, backstop threshold) in [`rulebook`]. It holds no state:
//! the cascade engine keeps the ledger and calls in here.

pub mod adl;
pub mod price;
pub mod rulebook;

pub use adl::adl_score;
pub use price::{bankruptcy_price, binance_liquidation_price, trigger_price, Trigger};
pub use rulebook::{PartialLiquidation, Rulebook};
