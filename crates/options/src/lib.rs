//! The options of `run` and `stress` as text a user types (`BTC=-8%`, `15m`, `t`, a portfolio
//! file), parsed and checked against a scenario, shared by every front end: the command line
//! (crates/cli) and the Python package (crates/py). One parser means one meaning for `--shock
//! BTC=-8%` and `run(shocks={"BTC": "-8%"})`, and one error text for a bad value.
//!
//! Modules:
//! - [`parse`] — durations, fractions, `MARKET=VALUE` assignments, shocks and book shocks.
//! - [`path`] — the exogenous path of a time-stepped run (`--replay`, `--crash-over`, `--rebound`).
//! - [`stress`] — the Monte Carlo configuration, the observed portfolio, the stress context and
//!   the `stress --json` document.
//! - [`hedge`] — `--hedge delta:INTERVAL[,band=X%][,ratio=R]` of `stress`.
//! - [`lending_stress`] — the Monte Carlo configuration of `stress` on a lending book.
//! - [`policies`] — the `--policy` cases of `policies` and its `--json` document.
//! - [`meta`] — the metadata every `run`-like output records.
//!
//! Errors are one [`OptionError`] with the message the CLI prints (it names the flag: `--shock
//! BTC=-8: …`); every front end treats it as invalid input.

pub mod hedge;
pub mod lending_stress;
pub mod meta;
pub mod parse;
pub mod path;
pub mod policies;
pub mod stress;

/// Invalid user input to an option (the flag, the value and what was expected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OptionError(pub String);

/// A venue preset by name (`binance`, `bybit`, `hyperliquid`, `dydx`; case-insensitive).
pub fn parse_venue(v: &str) -> Result<liq_domain::VenuePreset, OptionError> {
    liq_domain::VenuePreset::parse(v.trim()).ok_or_else(|| {
        let names: Vec<&str> = liq_domain::VenuePreset::ALL.iter().map(|v| v.name()).collect();
        OptionError(format!("--venue {v}: unknown venue (one of: {})", names.join(", ")))
    })
}
