//! Replay of a real liquidation wave: a recorded price path runs through the time-stepped
//! cascade engine, and the simulated liquidations are compared with the venue's recorded
//! liquidation stream per minute and per symbol (issue 6, part 4).
//!
//! Pipeline ([`replay`]):
//! 1. **Path** ([`ReplayData::load`]): the trade tape (Binance `binance_trades.csv` layout, or a
//!    `timestamp,market,price` CSV) is cut to the window `[start_ms, end_ms)`; per scenario market
//!    (matched by symbol, `BTC` ≡ `BTCUSDT`) each `step_s` step takes the last trade price at or
//!    before its end, relative to the window's first price ([`liq_stress::paths::replay_path`]).
//! 2. **Rebase** ([`rebase`]): the scenario's marks and index prices move to the window's first
//!    prices; positions' cost bases and margins scale with them so that each account's distance
//!    to liquidation is kept (the population describes leverage, not a price level).
//! 3. **Run**: [`liq_engine::Cascade::report_path`]; liquidating events are binned per minute by
//!    the start of their step.
//! 4. **Compare**: the forceOrder dump's `usd_size` and counts in the same window and bins,
//!    side by side, with the error measures of [`metrics`] (correlation, log-ratio of totals,
//!    RMSE of normalised shares, cross-correlation lag). Binance's forceOrder stream sends at
//!    most one event per symbol per second, so the recorded volumes are a **lower bound**.
//!
//! The population is unknown: [`fit`] regenerates it over a grid of leverage medians and keeps
//! the one whose per-minute wave best matches the record. [`render_table`] prints a report;
//! [`ReplayReport`] serialises to JSON.

pub mod error;
pub mod fit;
pub mod metrics;
pub mod run;
pub mod table;

pub use error::ReplayError;
pub use fit::{fit_leverage, replay_fit, FitReport, GridPoint, DEFAULT_LEVERAGE_GRID};
pub use metrics::Comparison;
pub use run::{rebase, replay, simulate, ReplayData, ReplayReport, SymbolSeries};
pub use table::render_table;
