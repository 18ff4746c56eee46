//! The `Scenario` class: a validated `liq_domain::Scenario` and the source it was built from.
//!
//! The source (embedded default, a file, JSON text, a base with its accounts replaced by an
//! accounts table) is kept so that the same scenario can be rebuilt on another venue preset
//! (`compare`) and on a Ray worker (pickling sends the source, not the validated structs: the
//! worker runs the same loader on the same bytes and gets the identical scenario, hash
//! included, which a float printed and parsed back through JSON would not guarantee).

use crate::errors::{io_error, option_error, ACCOUNTS_TABLE};
use liq_domain::VenuePreset;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a scenario comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Source {
    /// The embedded default scenario.
    Default,
    /// A scenario file (its `accounts_csv` resolved beside it).
    File(PathBuf),
    /// Scenario text in JSON; `origin` names it in errors.
    Json { text: String, origin: String },
    /// `base` with its accounts replaced by an accounts CSV text (a table built in Python).
    WithAccounts { base: Box<Source>, csv: String, origin: String },
}

impl Source {
    /// Builds and validates the scenario on `venue` (or the source's own venue).
    pub fn build(&self, venue: Option<VenuePreset>) -> PyResult<liq_domain::Scenario> {
        match self {
            Source::Default => match venue {
                None => liq_io::default_scenario::default_scenario(),
                Some(v) => liq_io::default_scenario::default_scenario_for_venue(v),
            }
            .map_err(|e| io_error(&e)),
            Source::File(p) => liq_io::load_scenario_for_venue(p, venue).map_err(|e| io_error(&e)),
            Source::Json { text, origin } => {
                liq_io::parse_scenario_str_for_venue(text, liq_io::Format::Json, Path::new(origin), venue)
                    .map_err(|e| io_error(&e))
            }
            Source::WithAccounts { base, csv, origin } => {
                let mut s = base.build(venue)?;
                s.accounts = liq_io::accounts_csv::read_accounts_csv_from(
                    csv.as_bytes(),
                    Path::new(origin),
                    &s.markets,
                    &s.assets,
                )
                .map_err(|e| io_error(&e))?;
                Ok(s)
            }
        }
    }

    /// Whether the scenario is the embedded default (whose population section gives `stress`
    /// its default volatilities and correlation), with or without its accounts replaced.
    pub fn is_default(&self) -> bool {
        match self {
            Source::Default => true,
            Source::WithAccounts { base, .. } => base.is_default(),
            _ => false,
        }
    }
}

/// A validated scenario: markets, books, accounts, shock, engine settings.
#[pyclass(frozen, module = "liqcascade._native")]
pub struct Scenario {
    pub inner: liq_domain::Scenario,
    pub source: Source,
    pub venue: Option<VenuePreset>,
}

impl Scenario {
    pub fn from_source(source: Source, venue: Option<VenuePreset>) -> PyResult<Self> {
        let inner = source.build(venue)?;
        Ok(Scenario { inner, source, venue })
    }
}

fn venue_of(venue: Option<&str>) -> PyResult<Option<VenuePreset>> {
    venue.map(liq_options::parse_venue).transpose().map_err(option_error)
}

#[pymethods]
impl Scenario {
    /// Loads and validates a scenario file (`.toml` or `.json`), optionally on another venue.
    #[staticmethod]
    #[pyo3(signature = (path, venue=None))]
    fn load(py: Python<'_>, path: PathBuf, venue: Option<&str>) -> PyResult<Self> {
        let venue = venue_of(venue)?;
        py.allow_threads(|| Scenario::from_source(Source::File(path), venue))
    }

    /// The embedded default scenario (Binance BTC/ETH/SOL, 120,000 accounts).
    #[staticmethod]
    #[pyo3(signature = (venue=None))]
    fn default(py: Python<'_>, venue: Option<&str>) -> PyResult<Self> {
        let venue = venue_of(venue)?;
        py.allow_threads(|| Scenario::from_source(Source::Default, venue))
    }

    /// Scenario text in the JSON scenario format; `origin` names it in errors.
    #[staticmethod]
    #[pyo3(signature = (text, origin="<scenario>"))]
    fn from_json(py: Python<'_>, text: String, origin: &str) -> PyResult<Self> {
        let origin = origin.to_string();
        py.allow_threads(|| Scenario::from_source(Source::Json { text, origin }, None))
    }

    /// This scenario with its accounts replaced by accounts CSV text (the format of
    /// docs/scenario-format.md, *Accounts CSV*). Used by `Scenario.from_tables`.
    #[pyo3(signature = (csv, origin=ACCOUNTS_TABLE))]
    fn with_accounts_csv(&self, py: Python<'_>, csv: String, origin: &str) -> PyResult<Self> {
        let source =
            Source::WithAccounts { base: Box::new(self.source.clone()), csv, origin: origin.to_string() };
        let venue = self.venue;
        py.allow_threads(|| Scenario::from_source(source, venue))
    }

    /// This scenario rebuilt from its source on another venue preset (the CLI's `--venue`).
    fn on_venue(&self, py: Python<'_>, venue: &str) -> PyResult<Self> {
        let venue = venue_of(Some(venue))?;
        let source = self.source.clone();
        py.allow_threads(|| Scenario::from_source(source, venue))
    }

    /// A scenario from pandas / polars / pyarrow tables (accounts, and optionally markets and
    /// books); see `liqcascade._tables.from_tables` for the columns.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs))]
    fn from_tables<'py>(
        py: Python<'py>,
        args: &Bound<'py, pyo3::types::PyTuple>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        py.import("liqcascade._tables")?.getattr("from_tables")?.call(args, kwargs)
    }

    /// The scenario's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// The venue preset's name.
    #[getter]
    fn venue(&self) -> &str {
        self.inner.venue.name()
    }

    /// The market symbols, in scenario order.
    #[getter]
    fn markets(&self) -> Vec<String> {
        self.inner.markets.iter().map(|m| m.symbol.clone()).collect()
    }

    /// The number of accounts.
    #[getter]
    fn n_accounts(&self) -> usize {
        self.inner.accounts.len()
    }

    /// The seed recorded in outputs (and the default seed of `stress`).
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// The scenario hash every output records.
    #[getter]
    fn hash(&self) -> String {
        liq_io::hash::scenario_hash(&self.inner)
    }

    /// The validated scenario as JSON (the structure the scenario hash is taken over).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(crate::errors::runtime)
    }

    fn __repr__(&self) -> String {
        format!(
            "Scenario(name={:?}, venue={}, markets={:?}, accounts={})",
            self.inner.name,
            self.inner.venue.name(),
            self.markets(),
            self.inner.accounts.len()
        )
    }

    /// Pickling sends the source and venue; unpickling rebuilds through the same loader.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(PyObject, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let this = slf.get();
        let state = serde_json::to_vec(&(&this.source, this.venue.map(|v| v.name().to_string())))
            .map_err(crate::errors::runtime)?;
        // A module-level function pickles by reference on every pickler (a static method of
        // an extension type need not).
        let ctor = py.import("liqcascade")?.getattr("_scenario_from_state")?.unbind();
        Ok((ctor, (PyBytes::new(py, &state),)))
    }

    #[staticmethod]
    fn _from_state(py: Python<'_>, state: &[u8]) -> PyResult<Self> {
        let (source, venue): (Source, Option<String>) =
            serde_json::from_slice(state).map_err(crate::errors::runtime)?;
        let venue = venue_of(venue.as_deref())?;
        py.allow_threads(|| Scenario::from_source(source, venue))
    }
}
