//! Agent-based market: L3 matching engine, discrete-event scheduler with latency, agents, and the
//! venue's liquidation engine in the loop.
//!
//! * [`book`]: the matching engine (price-time or pro-rata, limit/market/IOC/FOK/post-only/
//!   reduce-only/stop orders, amend, self-trade prevention) and its brute-force reference.
//! * [`sched`]: the discrete-event scheduler and latencies.
//! * [`config`]: every parameter, with the sourced default ([`default_config`], `defaults`).
//! * `sim`, `agents`, `population`, `liquidation` (private): the market and its event loop, the
//!   agents, the leveraged and stop-loss populations, the venue's liquidation engine with
//!   insurance fund (which unwinds into the book), ADL and bad debt on an exact ledger
//!   ([`ledger`]).
//! * [`flows`]: the cascade engine's leveraged tokens, options dealers and stop clusters as
//!   agents in the book, each fill labelled with its channel and generation.
//! * [`run`]: one run ([`run_abm`]) and its outcome; [`stats`]: the stylised facts; [`real`]: the
//!   same facts from a real Binance capture and the side-by-side comparison;
//!   [`experiments`]: the shock experiments (maker withdrawal, stop clusters, matching rule).

mod agents;
pub mod book;
pub mod config;
mod defaults;
pub mod experiments;
pub mod flows;
pub mod ledger;
mod liquidation;
mod population;
pub mod real;
pub mod run;
pub mod sched;
mod sim;
pub mod stats;

pub use config::{default_config, AbmConfig, ConfigError, ShockCfg};
pub use real::{render_comparison, stylised_facts_of_capture, FactsComparison, RealFactsError};
pub use run::{run_abm, run_abm_channels, AbmOutcome, AbmSummary, GroupOutcome, PricePoint};
pub use stats::StylisedFacts;
