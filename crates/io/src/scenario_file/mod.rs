//! The scenario file (TOML or JSON, same structure; see docs/scenario-format.md).
//!
//! Two passes: serde into the raw structs of [`raw`] (syntax, types, unknown keys; the error's
//! line comes from the parser and its field path from `serde_path_to_error`), then
//! [`validate`] into a `liq_domain::Scenario` (ranges, references, grids; the line is found from
//! the field path by `crate::locate`).

mod accounts;
mod collateral;
mod flows;
pub(crate) mod lending;
mod policy;
mod price;
mod raw;
mod validate;
mod venues;

pub(crate) use accounts::wallet;

use crate::{locate, Format, IoError};
use liq_domain::Scenario;
use raw::RawScenario;
use std::path::Path;
use validate::Ctx;

/// Parses and validates scenario text. `origin` names the file in messages and anchors a
/// relative `accounts_csv` or `accounts_parquet` path.
/// `venue` overrides the file's `venue` (and so its `"preset"` tier tables) when given.
pub(crate) fn parse(
    text: &str,
    format: Format,
    origin: &Path,
    venue: Option<liq_domain::VenuePreset>,
) -> Result<Scenario, IoError> {
    let raw = deserialize(text, format, origin)?;
    let ctx = Ctx { file: origin, text, format };
    let dir = origin.parent().unwrap_or(Path::new(""));
    validate::validate(
        raw,
        &ctx,
        venue,
        |field, file, markets, assets| {
            let path = dir.join(file);
            // The key says the format, whatever the file is called.
            match field {
                "accounts_parquet" => crate::accounts_parquet::read_accounts_parquet(&path, markets, assets),
                _ => crate::accounts_csv::read_accounts_csv(&path, markets, assets),
            }
        },
        |csv, markets| crate::options_csv::read_options_csv(&dir.join(csv), markets),
    )
}

fn deserialize(text: &str, format: Format, origin: &Path) -> Result<RawScenario, IoError> {
    deserialize_as(text, format, origin)
}

/// Any of the file shapes (perp scenario, lending book) with the line and field of a serde error.
fn deserialize_as<T: serde::de::DeserializeOwned>(
    text: &str,
    format: Format,
    origin: &Path,
) -> Result<T, IoError> {
    let syntax = |line_col: Option<(usize, usize)>, field: String, message: String| IoError::Syntax {
        file: origin.to_path_buf(),
        line: line_col.map(|l| l.0),
        column: line_col.map(|l| l.1),
        field,
        message,
    };
    match format {
        Format::Toml => serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|e| {
            let field = field_of(e.path());
            let inner = e.into_inner();
            let at = inner.span().map(|s| locate::line_col(text, s.start));
            syntax(at, field, inner.message().trim().to_string())
        }),
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let raw: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let field = field_of(e.path());
                let inner = e.into_inner();
                syntax(Some((inner.line(), inner.column())), field, json_message(&inner))
            })?;
            de.end().map_err(|e| syntax(Some((e.line(), e.column())), String::new(), json_message(&e)))?;
            Ok(raw)
        }
    }
}

/// The field path of a serde error, empty at the root (serde_path_to_error prints `.` there).
fn field_of(path: &serde_path_to_error::Path) -> String {
    let s = path.to_string();
    if s == "." || s == "?" {
        String::new()
    } else {
        s
    }
}

/// serde_json's message without its " at line L column C" suffix (the location is shown in
/// front, in the common format).
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
