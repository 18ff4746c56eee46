//! The one error type of scenario input.
//!
//! Every variant says *where*: the file as the user named it, the 1-based line (and column when
//! the parser knows it), and the field in the format's own words (`markets[1].tiers[2].mmr`,
//! `accounts[17].positions[0].size`, or a CSV column name). A user fixing a scenario by hand
//! should never have to bisect the file to find what the loader disliked.
//!
//! Display: `scenario.toml:23: markets[1].tiers[2].mmr: must be in (0, 1), got 1.5`. The line is
//! left out only when there is none (the file cannot be read at all).

use liq_domain::DomainError;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// An error reading, parsing or validating scenario input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IoError {
    /// The file could not be read (missing, unreadable, not UTF-8) or its extension names no
    /// known format.
    #[error("{}", render(.file, *.line, .field, .message))]
    Read { file: PathBuf, line: Option<usize>, column: Option<usize>, field: String, message: String },
    /// The text is not well-formed TOML/JSON, or a value has the wrong type, or a key is unknown
    /// (typos are caught by `deny_unknown_fields`).
    #[error("{}", render(.file, *.line, .field, .message))]
    Syntax { file: PathBuf, line: Option<usize>, column: Option<usize>, field: String, message: String },
    /// The file is well-formed but a value is not acceptable (NaN, negative price, unknown
    /// market, bad tier ladder, size off the lot grid, ...).
    #[error("{}", render(.file, *.line, .field, .message))]
    Invalid { file: PathBuf, line: Option<usize>, column: Option<usize>, field: String, message: String },
    /// A row of an accounts CSV is malformed or invalid; `field` is the column name.
    #[error("{}", render(.file, *.line, .field, .message))]
    Csv { file: PathBuf, line: Option<usize>, column: Option<usize>, field: String, message: String },
}

/// `file:line: field: message` — the one shape every input error of the tool takes (line and
/// field left out when unknown).
pub fn render(file: &Path, line: Option<usize>, field: &str, message: &str) -> String {
    let mut s = file.display().to_string();
    if let Some(l) = line {
        let _ = write!(s, ":{l}");
    }
    s.push_str(": ");
    if !field.is_empty() {
        s.push_str(field);
        s.push_str(": ");
    }
    s.push_str(message);
    s
}

impl IoError {
    /// A domain error with no position (data that did not come from a file line, e.g. a
    /// generator resized in code). Prefer the loader's located errors where there is a file.
    pub fn from_domain(file: &Path, e: DomainError) -> Self {
        IoError::Invalid {
            file: file.to_path_buf(),
            line: None,
            column: None,
            field: e.field,
            message: e.message,
        }
    }

    pub(crate) fn read(file: &Path, message: impl Into<String>) -> Self {
        IoError::Read {
            file: file.to_path_buf(),
            line: None,
            column: None,
            field: String::new(),
            message: message.into(),
        }
    }

    /// The file the error is about.
    pub fn file(&self) -> &Path {
        match self {
            IoError::Read { file, .. }
            | IoError::Syntax { file, .. }
            | IoError::Invalid { file, .. }
            | IoError::Csv { file, .. } => file,
        }
    }

    /// 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            IoError::Read { line, .. }
            | IoError::Syntax { line, .. }
            | IoError::Invalid { line, .. }
            | IoError::Csv { line, .. } => *line,
        }
    }

    /// 1-based column (character for TOML/JSON, CSV column number for CSV), when known.
    pub fn column(&self) -> Option<usize> {
        match self {
            IoError::Read { column, .. }
            | IoError::Syntax { column, .. }
            | IoError::Invalid { column, .. }
            | IoError::Csv { column, .. } => *column,
        }
    }

    /// The field path or CSV column name (empty when the error is about the whole file).
    pub fn field(&self) -> &str {
        match self {
            IoError::Read { field, .. }
            | IoError::Syntax { field, .. }
            | IoError::Invalid { field, .. }
            | IoError::Csv { field, .. } => field,
        }
    }

    /// What is wrong, without the location.
    pub fn message(&self) -> &str {
        match self {
            IoError::Read { message, .. }
            | IoError::Syntax { message, .. }
            | IoError::Invalid { message, .. }
            | IoError::Csv { message, .. } => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_field() {
        let e = IoError::Invalid {
            file: "scenario.toml".into(),
            line: Some(23),
            column: Some(5),
            field: "markets[1].tiers[2].mmr".into(),
            message: "must be in (0, 1), got 1.5".into(),
        };
        assert_eq!(e.to_string(), "scenario.toml:23: markets[1].tiers[2].mmr: must be in (0, 1), got 1.5");
        let e = IoError::read(Path::new("x.toml"), "no such file");
        assert_eq!(e.to_string(), "x.toml: no such file");
    }
}
