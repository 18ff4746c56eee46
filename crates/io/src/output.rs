//! Outcome writers: the JSON document `run --json` prints and the event-log CSV.
//!
//! Every output carries [`RunMeta`] (tool version, scenario hash, seed, shock) so that a number
//! can be traced back to exactly what produced it.

use liq_engine::{CascadeReport, EngineModel, LiquidationEvent};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// What produced a result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunMeta {
    /// liqcascade version.
    pub version: String,
    pub scenario: String,
    /// SHA-256 prefix of the validated scenario (see `hash::scenario_hash`).
    pub scenario_hash: String,
    pub seed: u64,
    pub venue: String,
    /// The exogenous shock applied, per market symbol (relative move).
    pub shock: Vec<(String, f64)>,
}

/// The `run --json` document.
#[derive(Debug, Clone, Serialize)]
pub struct RunDocument<'a> {
    pub meta: &'a RunMeta,
    pub summary: &'a liq_engine::Summary,
    pub markets: &'a [liq_engine::MarketRow],
    pub generations: &'a [liq_engine::GenerationRow],
}

impl<'a> RunDocument<'a> {
    pub fn new(meta: &'a RunMeta, report: &'a CascadeReport) -> Self {
        RunDocument {
            meta,
            summary: &report.summary,
            markets: &report.markets,
            generations: &report.generations,
        }
    }
}

/// Errors writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::Error },
}

/// Column names of the event-log CSV, in order (documented in docs/outputs.md).
pub const EVENT_COLUMNS: [&str; 15] = [
    "generation",
    "account",
    "account_label",
    "market",
    "unit",
    "kind",
    "lots",
    "qty",
    "price",
    "notional_usd",
    "mark",
    "bankruptcy_price",
    "liquidation_fee_usd",
    "fund_flow_usd",
    "counterparty",
];

/// Writes the event log as CSV to `out`.
pub fn write_events_csv<W: Write>(
    out: W,
    model: &EngineModel,
    events: &[LiquidationEvent],
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EVENT_COLUMNS)?;
    for e in events {
        let kind =
            serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        w.write_record([
            e.generation.to_string(),
            e.account.to_string(),
            model.labels[e.account as usize].clone(),
            model.markets[e.market as usize].symbol.clone(),
            if e.isolated { "isolated" } else { "cross" }.to_string(),
            kind,
            e.lots.to_string(),
            format!("{}", e.qty),
            format!("{:.6}", e.price),
            format!("{:.6}", e.notional_usd),
            format!("{:.6}", e.mark),
            format!("{:.6}", e.bankruptcy_price),
            format!("{:.6}", e.liquidation_fee_usd),
            format!("{:.6}", e.fund_flow_usd),
            e.counterparty.map(|c| c.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the event log as CSV to a file.
pub fn write_events_csv_file(
    path: &Path,
    model: &EngineModel,
    events: &[LiquidationEvent],
) -> Result<(), OutputError> {
    let f = std::fs::File::create(path)
        .map_err(|source| OutputError::Io { path: path.display().to_string(), source })?;
    write_events_csv(std::io::BufWriter::new(f), model, events)
        .map_err(|source| OutputError::Csv { path: path.display().to_string(), source })
}
