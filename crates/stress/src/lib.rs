//! Stress testing on top of the cascade engine.
//!
//! This crate owns the scenario families that drive the time-stepped engine ([`paths`]: shock
//! grid, linear crash, crash-and-rebound, historical replay), Monte Carlo paths with Gaussian and
//! Student-t copulas ([`montecarlo`]), the per-path runs and their reduction to rows ([`run`]),
//! the risk measures ([`risk`]: linear delta-normal and empirical VaR/ES), their confidence
//! intervals ([`interval`]: order-statistic for VaR, seeded bootstrap for ES and paired ratios) and
//! their side-by-side
//! summary with its narrative ([`summary`]), the critical shock ([`critical`]), and per-path
//! results in CSV and Parquet with shard/merge ([`results`]), mitigation policies compared on
//! common random numbers ([`policies`]); [`contain`] turns a panic of the Parquet readers on a
//! corrupt file into an error; [`hedge`] runs the desk's delta hedge of its own book on the same paths
//! and compares hedged and unhedged losses with paired intervals; [`lending`] runs the same paths through a lending book (`aave-v3`)
//! and summarises seized collateral, deficit and liquidators' P&L.

pub mod contain;
pub mod critical;
pub mod error;
pub mod hedge;
pub mod interval;
pub mod lending;
pub mod montecarlo;
pub mod paths;
pub mod policies;
mod pool;
pub mod results;
pub mod risk;
pub mod run;
pub mod sensitivity;
pub mod summary;

pub use error::StressError;
pub use montecarlo::{Copula, CorrelationFactor, MonteCarloConfig};
pub use run::{run_paths, PathRow, Portfolio};
pub use summary::{summarise, StressContext, StressSummary};
