//! A desk's own accounts file put into a scenario: the one entry point the CLI's `--accounts`
//! calls, dispatching on the file's extension, and the editable export of the default scenario
//! (`scenario export`).
//!
//! [`read_accounts_file`] reads `.csv` through [`crate::accounts_csv`] and `.parquet` through
//! [`crate::accounts_parquet`] (the same eight columns and row rules). [`with_accounts`] replaces a scenario's accounts with the file's:
//! the markets, books, spot markets, index, arbitrage, venue tables and insurance fund stay the
//! scenario's, so a 50-account book runs against the same market as the default population.
//! [`add_accounts`] appends them to the scenario's own accounts instead (a book inside the
//! crowd), refusing an account id that the scenario already uses.

use crate::IoError;
use liq_domain::{Account, AssetSpec, MarketSpec, Scenario};
use std::path::Path;

/// The accounts file formats [`read_accounts_file`] knows, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountsFormat {
    Csv,
    Parquet,
}

impl AccountsFormat {
    /// The format an accounts file's extension names (case-insensitive).
    pub fn from_path(path: &Path) -> Option<AccountsFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(AccountsFormat::Csv),
            "parquet" => Some(AccountsFormat::Parquet),
            _ => None,
        }
    }
}

/// Reads an accounts file against a scenario's markets and assets; the format follows the
/// extension. Errors name the file, line and field (an unknown market: `file:3: market: ...`).
pub fn read_accounts_file(
    path: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    match AccountsFormat::from_path(path) {
        Some(AccountsFormat::Csv) => crate::accounts_csv::read_accounts_csv(path, markets, assets),
        Some(AccountsFormat::Parquet) => {
            crate::accounts_parquet::read_accounts_parquet(path, markets, assets)
        }
        None => {
            Err(IoError::read(path, "unknown accounts format: the file name must end in .csv or .parquet"))
        }
    }
}

/// The scenario with its accounts replaced by the file's. The scenario's name records the file
/// (`default-binance-btc-eth-sol+my-book.csv`) so the outputs say which book ran; the hash
/// covers the accounts themselves.
pub fn with_accounts(mut scenario: Scenario, path: &Path) -> Result<Scenario, IoError> {
    let accounts = read_accounts_file(path, &scenario.markets, &scenario.assets)?;
    scenario.accounts = accounts;
    scenario.name = named(&scenario.name, path);
    Ok(scenario)
}

/// The scenario with the file's accounts added after its own; an id used by both is an error.
pub fn add_accounts(mut scenario: Scenario, path: &Path) -> Result<Scenario, IoError> {
    let more = read_accounts_file(path, &scenario.markets, &scenario.assets)?;
    let mut seen: std::collections::HashSet<&str> =
        scenario.accounts.iter().map(|a| a.label.as_str()).collect();
    if let Some(dup) = more.iter().find(|a| !seen.insert(a.label.as_str())) {
        return Err(IoError::read(
            path,
            format!("account \"{}\" is also an account of the scenario; rename it", dup.label),
        ));
    }
    drop(seen);
    scenario.accounts.extend(more);
    crate::limits::check_accounts(scenario.accounts.len() as u64).map_err(|e| IoError::read(path, e))?;
    scenario.name = named(&scenario.name, path);
    Ok(scenario)
}

fn named(scenario: &str, path: &Path) -> String {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{scenario}+{file}")
}

/// The marker line that starts the `[population]` section of the embedded default TOML.
const POPULATION_START: &str = "# The generated population";

/// The default scenario as an editable pair: the scenario TOML (every comment and source kept,
/// `accounts_csv = "<accounts_file>"` in place of the `[population]` generator, which is kept
/// commented out to show how the accounts were drawn) and the accounts it reads. Loading the
/// TOML gives the same validated scenario as `accounts` with the default's markets (the
/// round-trip the `scenario export` test checks byte for byte in `run --json`).
pub fn export_default_toml(accounts_file: &str) -> Result<String, IoError> {
    let text = crate::default_scenario::DEFAULT_SCENARIO_TOML;
    let origin = Path::new(crate::default_scenario::DEFAULT_ORIGIN);
    let at = text
        .find(POPULATION_START)
        .ok_or_else(|| IoError::read(origin, "the embedded default has no population section to replace"))?;
    let (head, population) = text.split_at(at);
    // `accounts_csv` is a top-level key: it must come before the first table header.
    let first_table = head.find("\n[").ok_or_else(|| IoError::read(origin, "no table in the default"))?;
    let (preamble, tables) = head.split_at(first_table + 1);
    let quoted = toml::Value::String(accounts_file.to_string()).to_string();
    let mut out = String::with_capacity(text.len() + 256);
    out.push_str(preamble);
    out.push_str(
        "# Exported by `liqcascade scenario export`: the accounts are in the file below (one row per\n\
         # position; docs/scenario-format.md). Edit it, or point this at your own book.\n",
    );
    out.push_str(&format!("accounts_csv = {quoted}\n\n"));
    out.push_str(tables);
    out.push_str(
        "# The accounts file was drawn from this generator (seed above); uncomment it and remove\n\
         # accounts_csv to draw again instead of reading the file.\n",
    );
    for line in population.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// The default scenario's accounts as `scenario export` writes them: the embedded population,
/// or `accounts` accounts drawn from the same generator and seed (the market, books and fund
/// unchanged: a smaller book in the same market, not a rescaled market).
pub fn export_default_accounts(accounts: Option<u32>) -> Result<Scenario, IoError> {
    let mut s = crate::default_scenario::default_scenario()?;
    if let Some(n) = accounts {
        crate::limits::check_accounts(u64::from(n))
            .map_err(|e| IoError::read(Path::new(crate::default_scenario::DEFAULT_ORIGIN), e))?;
        let spec = crate::population::PopulationSpec {
            accounts: n,
            ..crate::default_scenario::default_population_spec()
        };
        s.accounts = crate::population::generate_population(&spec, &s.markets, &s.assets, s.seed)
            .map_err(|e| IoError::from_domain(Path::new(crate::default_scenario::DEFAULT_ORIGIN), e))?;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_toml_reads_back_to_the_default() {
        let dir = std::env::temp_dir().join(format!("liq-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let s = export_default_accounts(None).unwrap();
        crate::accounts_csv::write_accounts_csv_file(
            &dir.join("accounts.csv"),
            &s.accounts,
            &s.markets,
            &s.assets,
        )
        .unwrap();
        let toml = export_default_toml("accounts.csv").unwrap();
        std::fs::write(dir.join("scenario.toml"), &toml).unwrap();
        let back = crate::load_scenario(&dir.join("scenario.toml")).unwrap();
        assert_eq!(back, s, "the exported pair is the default scenario");
        assert_eq!(crate::hash::scenario_hash(&back), crate::hash::scenario_hash(&s));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_parquet_and_unknown_extensions_are_refused_by_name() {
        let s = crate::default_scenario::default_scenario().unwrap();
        let e = read_accounts_file(Path::new("no-such-book.parquet"), &s.markets, &s.assets).unwrap_err();
        assert!(e.to_string().contains("no-such-book.parquet"), "{e}");
        let e = read_accounts_file(Path::new("book.xlsx"), &s.markets, &s.assets).unwrap_err();
        assert!(e.to_string().contains(".csv or .parquet"), "{e}");
    }
}
