//! Margin maths and the venues' liquidation rulebooks.
//!
//! This crate owns every formula that turns positions, collateral and marks into margin numbers:
//! maintenance margin by risk-limit tier, equity, the mark at which a margin unit reaches
//! maintenance (its liquidation trigger) or zero equity (its bankruptcy price), the Binance
//! closed-form liquidation price, ADL ranking scores, and the per-venue rules (partial
//! liquidation, where the surplus goes, backstop threshold) in [`rulebook`]. Each venue preset's
//! published margin tables, dated and cited, live in [`tiers`]; the venues' own closed forms,
//! kept to cross-check [`trigger_price`], in [`venue_formulas`]; Aave v3.3's health factor, close
//! factor and seizure arithmetic in [`lending`], the Aave v3 Ethereum reserve parameters from
//! Aave's governance snapshots in [`aave_reserves`];
//! tiered collateral value ratios and Binance's multi-assets auto-exchange in [`collateral`]. It
//! holds no state: the cascade engine keeps the ledger and calls in here.

pub mod aave_reserves;
pub mod adl;
pub mod collateral;
pub mod funding;
pub mod lending;
pub mod mark;
pub mod price;
pub mod rulebook;
pub mod tiers;
pub mod venue_formulas;

pub use adl::{adl_score, effective_leverage, effective_leverage_from_bankruptcy, pnl_fraction};
pub use price::{
    bankruptcy_price, binance_liquidation_price, liquidation_surplus, margin_ratio, trigger_price, Trigger,
};
pub use rulebook::{PartialLiquidation, Rulebook};
pub use tiers::binance_brackets;
