//! The liquidation cascade engine.
//!
//! This crate owns the state of a run and everything that changes it: the exact ledger
//! ([`ledger`]), the trigger index that finds units under maintenance without rescanning the
//! population ([`index`]), the liquidation engine with insurance fund, ADL and bad debt
//! ([`liquidate`]), the round-based cascade ([`cascade`]) and the event log and outcome every
//! analysis reads ([`outcome`]). It builds on `liq-margin` (formulas, venue rules) and
//! `liq-impact` (price formation) and knows nothing of files or the command line.

pub mod arbitrage;
mod attribution;
#[cfg(test)]
mod build_reference;
pub mod cascade;
mod deleverage;
mod flatten;
pub mod flows;
mod frontier;
pub mod funding;
pub mod index;
pub mod labels;
pub mod ledger;
pub mod ledger_report;
pub mod lending;
pub mod lending_outcome;
mod lending_state;
pub mod liquidate;
pub mod maker_hedge;
pub mod model;
pub mod outcome;
pub mod policy;
pub mod price;
mod price_sort;
mod price_step;
#[cfg(test)]
mod reset_check;
mod sleepers;
pub mod spot_sale;
mod unit_map;

pub use cascade::{run_cascade, Cascade, ExoPath, Labels, RunOptions, UnitSet};
pub use flows::attribution::{channel_report, ChannelReport, ChannelRow};
pub use flows::desk_hedge::{DeskHedgeOutcome, DeskHedgeSpec};
pub use flows::{Channel, ChannelTotals, FlowEvent};
pub use funding::{FundingEvent, FundingPaid};
pub use labels::AccountLabels;
pub use ledger::Workspace;
pub use ledger_report::{FundLedger, HolderGroup, Ledger};
pub use lending::LendingModel;
pub use lending_outcome::{LendingLedger, LendingOutcome, LendingReport, ReserveLending};
pub use model::{EngineError, EngineModel, PositionView, SaleVenue, Unit, VenueModel};
pub use outcome::{
    BookExhaustion, CascadeReport, CauseNotional, EventCause, EventKind, GenerationRow, LiquidationEvent,
    MarketOutcome, MarketRow, Outcome, SpotOutcome, Summary, VenueOutcome, VenueRow,
};
