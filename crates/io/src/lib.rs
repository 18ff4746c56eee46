//! Scenario input for liqcascade: the scenario file (TOML or JSON), account populations (CSV or
//! generated), and the scenario hash.
//!
//! The entry points are [`load_scenario`] (format chosen by extension) and
//! [`parse_scenario_str`]; both return a validated `liq_domain::Scenario` or an [`IoError`]
//! naming the file, the 1-based line and the field (`markets[1].tiers[2].mmr`). The format is
//! documented in `docs/scenario-format.md`. Accounts come, in this order, from inline
//! `[[accounts]]`, from `accounts_csv` ([`accounts_csv`], resolved relative to the scenario
//! file) and from a `[population]` generator ([`population`]).
//!
//! Modules:
//! - [`error`]: [`IoError`], the one error type.
//! - `scenario_file`: raw serde structs and their validation into a `Scenario`.
//! - [`accounts_csv`]: the accounts CSV reader (parallel for unquoted files) and the matching writer.
//! - [`accounts_parquet`]: accounts from Parquet with the CSV's columns and rules, and its writer.
//! - `accounts_rows`, `accounts_split`, `accounts_merge`: the row rules both readers share; the
//!   parallel CSV splitter; rows into accounts (identity by a parallel sort, first error in file order).
//! - [`accounts_file`]: a desk's accounts file (`--accounts`) into a scenario; the default's export.
//! - [`population`]: the synthetic population generator.
//! - [`hash`]: [`hash::scenario_hash`], recorded in every output.
//! - [`limits`]: the bounds on every user-sized quantity (accounts, shocks, steps, bins, paths).
//! - [`default_scenario`]: the embedded default scenario.
//! - [`bench_inputs`]: the 1M-account files the whole-process measurement reads (issue 15).
//! - [`output`]: the `run --json` document and the event-log CSV.
//! - [`account_risk_table`]: the per-account risk table as Arrow, Parquet or CSV.
//! - [`compare`]: the venue comparison's result types and the rules that differ.

pub mod account_risk_table;
pub mod accounts_csv;
pub mod accounts_file;
mod accounts_merge;
pub mod accounts_parquet;
mod accounts_rows;
mod accounts_split;
pub mod bench_inputs;
pub mod book_csv;
pub mod compare;
mod convert;
pub mod default_scenario;
pub mod error;
pub mod hash;
pub mod limits;
mod locate;
pub mod options_csv;
/// Line and column (1-based) where a dotted field (`markets[1].tiers[2].mmr`) is written in a
/// TOML or JSON text, or its deepest written ancestor: how every loader names the line of a bad
/// value found after parsing.
pub use locate::locate as field_position;
pub mod output;
pub mod population;
mod safe_write;
mod scenario_file;

pub use error::IoError;

use liq_domain::Scenario;
use std::path::Path;

/// The syntax of a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// The format named by a path's extension (`.toml`, `.json`; case-insensitive).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Reads and validates a scenario file; the format follows the extension.
pub fn load_scenario(path: &Path) -> Result<Scenario, IoError> {
    load_scenario_for_venue(path, None)
}

/// [`load_scenario`] with the file's `venue` replaced by `venue` when given (the CLI's
/// `--venue`): the rulebook and every `"preset"` tier table follow it.
pub fn load_scenario_for_venue(
    path: &Path,
    venue: Option<liq_domain::VenuePreset>,
) -> Result<Scenario, IoError> {
    let format = Format::from_path(path).ok_or_else(|| {
        IoError::read(path, "unknown scenario format: the file name must end in .toml or .json")
    })?;
    let text = std::fs::read_to_string(path).map_err(|e| IoError::read(path, format!("cannot read: {e}")))?;
    scenario_file::parse(&text, format, path, venue)
}

/// Reads an accounts file, CSV or Parquet by its extension (`.csv`, `.parquet`/`.pq`;
/// case-insensitive), resolving markets and assets against the scenario's: the loader behind
/// `accounts_csv`, `accounts_parquet` and the CLI's `--accounts`.
pub fn load_accounts(
    path: &Path,
    markets: &[liq_domain::MarketSpec],
    assets: &[liq_domain::AssetSpec],
) -> Result<Vec<liq_domain::Account>, IoError> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => accounts_csv::read_accounts_csv(path, markets, assets),
        Some("parquet" | "pq") => accounts_parquet::read_accounts_parquet(path, markets, assets),
        _ => Err(IoError::read(path, "unknown accounts format: the file name must end in .csv or .parquet")),
    }
}

/// The files a scenario file reads: itself, its `accounts_csv`/`accounts_parquet` and its books'
/// `levels_csv` (resolved as the loader resolves them). Used to refuse an output path that would overwrite an input; a file that does
/// not parse yields just itself (the loader reports the error).
pub fn scenario_input_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![path.to_path_buf()];
    let Ok(text) = std::fs::read_to_string(path) else { return out };
    let refs = match Format::from_path(path) {
        Some(Format::Toml) => {
            // Top-level keys come before the first table header: parse only that part (a
            // scenario with 60,000 book levels a side is not parsed a second time for this),
            // and the whole text should that part not parse on its own.
            toml::from_str::<InputRefs>(toml_top_level(&text))
                .or_else(|_| toml::from_str::<InputRefs>(&text))
                .ok()
        }
        // serde skips the fields `InputRefs` does not name without building them.
        Some(Format::Json) => serde_json::from_str::<InputRefs>(&text).ok(),
        None => None,
    };
    for file in refs.into_iter().flat_map(|r| [r.accounts_csv, r.accounts_parquet, r.borrowers_csv]).flatten()
    {
        out.push(path.parent().unwrap_or(Path::new("")).join(file));
    }
    // Book files sit under the markets' tables: read the whole file for them only when it names
    // one (a file with inline levels is not parsed twice for nothing).
    if text.contains("levels_csv") {
        let books = match Format::from_path(path) {
            Some(Format::Toml) => toml::from_str::<BookRefs>(&text).ok(),
            Some(Format::Json) => serde_json::from_str::<BookRefs>(&text).ok(),
            None => None,
        };
        let files = books.into_iter().flat_map(|b| b.markets.into_iter().chain(b.spot_markets));
        for file in files.filter_map(|m| m.book.and_then(|b| b.levels_csv)) {
            out.push(path.parent().unwrap_or(Path::new("")).join(file));
        }
    }
    out
}

/// The `levels_csv` files of a scenario's perp and spot markets.
#[derive(serde::Deserialize)]
struct BookRefs {
    #[serde(default)]
    markets: Vec<MarketBookRef>,
    #[serde(default)]
    spot_markets: Vec<MarketBookRef>,
}

#[derive(serde::Deserialize)]
struct MarketBookRef {
    book: Option<BookRef>,
}

#[derive(serde::Deserialize)]
struct BookRef {
    levels_csv: Option<String>,
}

/// TOML text up to its first table header (`[`/`[[` at the start of a line): where the
/// top-level keys are. It may cut a multi-line value; callers parse the whole text when the
/// prefix does not parse.
pub(crate) fn toml_top_level(text: &str) -> &str {
    let end = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| text[i..].trim_start().starts_with('['))
        .unwrap_or(text.len());
    &text[..end]
}

/// The keys of a scenario file that name other input files.
#[derive(serde::Deserialize)]
struct InputRefs {
    accounts_csv: Option<String>,
    accounts_parquet: Option<String>,
    borrowers_csv: Option<String>,
}

/// Whether a venue name selects the lending-protocol file shape (`aave-v3`) rather than a perp
/// venue preset.
pub fn is_lending_venue(name: &str) -> bool {
    scenario_file::lending::LENDING_VENUES.iter().any(|v| v.eq_ignore_ascii_case(name.trim()))
}

/// The `venue` a scenario file names, if the file can be read and parsed that far (the loaders
/// report any error).
pub fn scenario_venue(path: &Path) -> Option<String> {
    let format = Format::from_path(path)?;
    let text = std::fs::read_to_string(path).ok()?;
    scenario_file::lending::venue_of(&text, format)
}

/// Reads and validates a lending-protocol scenario (`venue = "aave-v3"`; docs/scenario-format.md
/// "Lending books"); a relative `borrowers_csv` is resolved against the file's directory.
pub fn load_lending_scenario(path: &Path) -> Result<liq_domain::LendingScenario, IoError> {
    let format = Format::from_path(path).ok_or_else(|| {
        IoError::read(path, "unknown scenario format: the file name must end in .toml or .json")
    })?;
    let text = std::fs::read_to_string(path).map_err(|e| IoError::read(path, format!("cannot read: {e}")))?;
    scenario_file::lending::parse(&text, format, path)
}

/// [`load_lending_scenario`] from text; `origin` names it in errors.
pub fn parse_lending_scenario_str(
    text: &str,
    format: Format,
    origin: &Path,
) -> Result<liq_domain::LendingScenario, IoError> {
    scenario_file::lending::parse(text, format, origin)
}

/// Parses and validates scenario text. `origin` is the path messages name and the directory a
/// relative `accounts_csv` is resolved against.
pub fn parse_scenario_str(text: &str, format: Format, origin: &Path) -> Result<Scenario, IoError> {
    scenario_file::parse(text, format, origin, None)
}

/// [`parse_scenario_str`] with the text's `venue` replaced by `venue` when given.
pub fn parse_scenario_str_for_venue(
    text: &str,
    format: Format,
    origin: &Path,
    venue: Option<liq_domain::VenuePreset>,
) -> Result<Scenario, IoError> {
    scenario_file::parse(text, format, origin, venue)
}
