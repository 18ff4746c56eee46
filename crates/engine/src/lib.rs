//! The liquidation cascade engine.
//!
//! This crate owns the state of a run and everything that changes it: the exact ledger
//! ([`ledger`]), the trigger index that finds units under maintenance without rescanning the
//! population ([`index`]), the liquidation engine with insurance fund, ADL and bad debt
//! ([`liquidate`]), the round-based cascade ([`cascade`]) and the event log and outcome every
//! analysis reads ([`outcome`]). It builds on `liq-margin` (formulas, venue rules) and
//! `liq-impact` (price formation) and knows nothing of files or the command line.

pub mod arbitrage;
pub mod cascade;
mod deleverage;
pub mod flows;
pub mod index;
pub mod ledger;
pub mod ledger_report;
pub mod liquidate;
pub mod model;
pub mod outcome;
pub mod price;
mod price_step;

pub use cascade::{run_cascade, Cascade, ExoPath, Labels, RunOptions, UnitSet};
pub use flows::attribution::{channel_report, ChannelReport, ChannelRow};
pub use flows::{Channel, ChannelTotals, FlowEvent};
pub use ledger::Workspace;
pub use ledger_report::{FundLedger, HolderGroup, Ledger};
pub use model::{EngineError, EngineModel, PositionView, Unit};
pub use outcome::{
    BookExhaustion, CascadeReport, EventKind, GenerationRow, LiquidationEvent, MarketOutcome, MarketRow,
    Outcome, SpotOutcome, Summary,
};
