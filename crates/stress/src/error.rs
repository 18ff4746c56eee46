//! Errors of the stress layer, each naming where the bad input came from.

/// A stress-testing error.
#[derive(Debug, thiserror::Error)]
pub enum StressError {
    /// A malformed or invalid input row: file, 1-based line, field.
    #[error("{file}:{line}: {field}: {message}")]
    Input { file: String, line: u64, field: String, message: String },
    /// An invalid configuration value.
    #[error("{field}: {message}")]
    Config { field: String, message: String },
    /// The correlation matrix cannot be factorised.
    #[error("correlation: {0}")]
    Correlation(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

impl StressError {
    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        StressError::Config { field: field.into(), message: message.into() }
    }
}
