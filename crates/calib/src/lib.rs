//! Calibration from real high-frequency data: exchange-format loaders, volatility, correlation,
//! depth, impact-law and resilience estimators, the `calibrate` entry point that turns data into
//! scenario parameters, and the reconstruction of a position population from public klines and
//! open-interest series.
//!
//! Layout: loaders ([`capture`], [`replay`], [`files`], [`public`]) turn files into [`records`];
//! estimators ([`vol`], [`corr`], [`depth`], [`impact`], [`resilience`]) turn records into
//! numbers, each tested on synthetic data with known parameters; [`calibrate()`] runs them per
//! market and [`output`] writes the scenario TOML and the summary table; [`population`] builds
//! accounts from klines and open interest.

pub mod book;
pub mod calibrate;
pub mod capture;
pub mod corr;
pub mod depth;
pub mod error;
pub mod files;
pub mod impact;
pub mod output;
pub mod population;
pub mod public;
pub mod records;
pub mod replay;
pub mod resilience;
pub mod util;
pub mod vol;

pub use book::{BookSide, L2Book};
pub use calibrate::{calibrate, CalibOptions, Calibration, DataSource, MarketCalibration};
pub use capture::{load_binance_capture, Capture};
pub use error::CalibError;
pub use records::{PricePoint, Quote, Series, Trade};
pub use replay::{check_against_tickers, BookReplay, SequenceIssue, TickerCheck};
