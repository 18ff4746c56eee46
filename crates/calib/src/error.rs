//! The crate's one error type. Every loader error names the file, the 1-based line and the field,
//! so a user can open the file at the right place; estimators report what input was missing.

use std::path::{Path, PathBuf};

/// Anything that stops a load, an estimate or a calibration.
#[derive(Debug, thiserror::Error)]
pub enum CalibError {
    /// The file could not be opened or read.
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A row or a field of a file is malformed.
    #[error("{}:{line}: field `{field}`: {message}", file.display())]
    Parse { file: PathBuf, line: usize, field: String, message: String },
    /// A file parsed but does not hold what the caller needs (no snapshot, no rows, ...).
    #[error("{}: {message}", file.display())]
    Content { file: PathBuf, message: String },
    /// An estimator or the calibration was given too little or inconsistent data.
    #[error("{what}: {message}")]
    Estimate { what: String, message: String },
}

impl CalibError {
    pub(crate) fn io(file: &Path, source: std::io::Error) -> Self {
        Self::Io { file: file.to_path_buf(), source }
    }

    pub(crate) fn parse(file: &Path, line: usize, field: &str, message: impl Into<String>) -> Self {
        Self::Parse { file: file.to_path_buf(), line, field: field.to_string(), message: message.into() }
    }

    pub(crate) fn content(file: &Path, message: impl Into<String>) -> Self {
        Self::Content { file: file.to_path_buf(), message: message.into() }
    }

    pub(crate) fn estimate(what: &str, message: impl Into<String>) -> Self {
        Self::Estimate { what: what.to_string(), message: message.into() }
    }
}
