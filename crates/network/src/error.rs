//! The crate's error type: every way an input to the network analyses can be wrong, named
//! precisely enough (file, line, field, row/column) that the user can fix it without reading code.

use std::path::PathBuf;

/// Errors of the network analyses and their loaders.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// A matrix that is not square where it must be (liabilities).
    #[error("{what}: matrix is not square: row {row} has {found} entries, expected {expected}")]
    NotSquare { what: String, row: usize, found: usize, expected: usize },
    /// A row whose length does not match the others (holdings).
    #[error("{what}: row {row} has {found} entries, expected {expected}")]
    Ragged { what: String, row: usize, found: usize, expected: usize },
    /// A negative entry where only non-negative amounts make sense.
    #[error("{what}: entry [{row}][{col}] is negative ({value})")]
    Negative { what: String, row: usize, col: usize, value: f64 },
    /// NaN or infinite entry.
    #[error("{what}: entry [{row}][{col}] is not a finite number ({value})")]
    NotFinite { what: String, row: usize, col: usize, value: f64 },
    /// A structurally invalid input (empty, mismatched lengths, out-of-range option).
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },
    /// A bad value in an input file, with its position.
    #[error("{}:{line}: field `{field}`: {message}", path.display())]
    File { path: PathBuf, line: u64, field: String, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing an export failed.
    #[error("write failed: {0}")]
    Write(#[from] std::io::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

impl NetworkError {
    pub(crate) fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        NetworkError::Invalid { what: what.into(), message: message.into() }
    }
}
