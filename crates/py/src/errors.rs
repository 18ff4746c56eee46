//! Python exceptions for the engine's errors. Input errors (a bad scenario value, a bad option,
//! a bad table row) become `liqcascade.InputError`, a `ValueError` whose attributes say where:
//! `file` (the path, or `<accounts table>` / `<markets table>` for data built from Python),
//! `line` and `column` (1-based, `None` when unknown), `field` (`markets[1].tiers[2].mmr`, a
//! CSV column, or the option `--shock`), `row` (0-based row of a Python table, else `None`) and
//! `message`. Anything else (an I/O failure writing a temporary shard) is a `RuntimeError`.

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

create_exception!(
    liqcascade,
    InputError,
    PyValueError,
    "Invalid input: attributes file, line, column, field, row (0-based table row) and message."
);

/// The origin names of tables built from Python, whose CSV line maps back to a table row.
pub const ACCOUNTS_TABLE: &str = "<accounts table>";
pub const MARKETS_TABLE: &str = "<markets table>";

/// Where an input error is, in the loaders' terms.
#[derive(Debug, Default, Clone)]
pub struct Located {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub field: String,
    pub row: Option<usize>,
    pub message: String,
    pub text: String,
}

impl Located {
    /// An option error (`--shock BTC=x: …`): no file, the option as field.
    pub fn option(text: impl Into<String>) -> Self {
        let text = text.into();
        let field = text
            .strip_prefix("--")
            .and_then(|t| t.split([' ', ':']).next())
            .map(|f| format!("--{f}"))
            .unwrap_or_default();
        Located { field, message: text.clone(), text, ..Default::default() }
    }

    pub fn into_py(self) -> PyErr {
        Python::with_gil(|py| {
            let err = InputError::new_err(self.text.clone());
            let v = err.value(py);
            let set = |k: &str, o: PyObject| {
                let _ = v.setattr(k, o);
            };
            set("file", self.file.into_pyobject(py).map(|o| o.unbind()).unwrap_or_else(|_| py.None()));
            set("line", self.line.into_pyobject(py).map(|o| o.unbind()).unwrap_or_else(|_| py.None()));
            set("column", self.column.into_pyobject(py).map(|o| o.unbind()).unwrap_or_else(|_| py.None()));
            set(
                "field",
                self.field.into_pyobject(py).map(|o| o.into_any().unbind()).unwrap_or_else(|_| py.None()),
            );
            set("row", self.row.into_pyobject(py).map(|o| o.unbind()).unwrap_or_else(|_| py.None()));
            set(
                "message",
                self.message.into_pyobject(py).map(|o| o.into_any().unbind()).unwrap_or_else(|_| py.None()),
            );
            err
        })
    }
}

/// A loader error with its file, line, column and field. A row of an accounts table built from
/// Python is CSV line `row + 2` (line 1 is the header; the writer emits no comments and refuses
/// multi-line fields), so the row is recovered exactly; a markets table's row is the index in
/// the field path.
pub fn io_error(e: &liq_io::IoError) -> PyErr {
    let file = e.file().display().to_string();
    let row = match (file.as_str(), e.line()) {
        (ACCOUNTS_TABLE, Some(l)) if l >= 2 => Some(l - 2),
        // `markets[3].tick_size`: the markets table's row 3 (one market per row, in order).
        (MARKETS_TABLE, _) => {
            e.field().strip_prefix("markets[").and_then(|t| t.split(']').next()).and_then(|i| i.parse().ok())
        }
        _ => None,
    };
    Located {
        file: Some(file),
        line: e.line(),
        column: e.column(),
        field: e.field().to_string(),
        row,
        message: e.message().to_string(),
        text: e.to_string(),
    }
    .into_py()
}

pub fn option_error(e: liq_options::OptionError) -> PyErr {
    Located::option(e.0).into_py()
}

/// A stress error: input rows and configuration are input errors, the rest runtime errors.
pub fn stress_error(e: liq_stress::StressError) -> PyErr {
    use liq_stress::StressError as S;
    match &e {
        S::Input { file, line, field, message } => Located {
            file: Some(file.clone()),
            line: Some(*line as usize),
            field: field.clone(),
            message: message.clone(),
            text: e.to_string(),
            ..Default::default()
        }
        .into_py(),
        S::Config { field, message } => Located {
            field: field.clone(),
            message: message.clone(),
            text: e.to_string(),
            ..Default::default()
        }
        .into_py(),
        S::Correlation(m) => Located {
            field: "correlation".into(),
            message: m.clone(),
            text: e.to_string(),
            ..Default::default()
        }
        .into_py(),
        S::Io { .. } => PyRuntimeError::new_err(e.to_string()),
    }
}

/// A model-building or analysis error on a validated scenario: the scenario's data cannot run
/// (an input error, as the CLI's exit code 2).
pub fn model_error(e: impl std::fmt::Display) -> PyErr {
    Located { message: e.to_string(), text: e.to_string(), ..Default::default() }.into_py()
}

pub fn runtime(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}
