//! The crate's error type. Loader errors keep the file, 1-based line and field of the underlying
//! loader ([`liq_calib::CalibError`], [`liq_stress::StressError`]); the rest name the input.

use std::path::PathBuf;

/// Anything that stops a replay or a population fit.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A trade tape, price path or forceOrder file could not be read or has a malformed row.
    #[error(transparent)]
    Load(#[from] liq_calib::CalibError),
    /// The price path could not be resampled.
    #[error(transparent)]
    Path(#[from] liq_stress::StressError),
    /// The (rebased) scenario could not be turned into an engine model.
    #[error("scenario: {0}")]
    Engine(#[from] liq_engine::EngineError),
    /// The population could not be generated.
    #[error("population: {0}")]
    Population(#[from] liq_domain::DomainError),
    /// A file parsed but holds nothing usable for the window.
    #[error("{}: {message}", file.display())]
    Content { file: PathBuf, message: String },
    /// An argument (window, step, grid) is invalid.
    #[error("{field}: {message}")]
    Config { field: String, message: String },
}

impl ReplayError {
    pub(crate) fn config(field: &str, message: impl Into<String>) -> Self {
        Self::Config { field: field.to_string(), message: message.into() }
    }
}
