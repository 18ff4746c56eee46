//! Outcome writers: the JSON document `run --json` prints and the event-log CSV.
//!
//! Every output carries [`RunMeta`] (tool version, scenario hash, seed, shock) so that a number
//! can be traced back to exactly what produced it. Every file goes through the safe-output
//! helpers re-exported here from `safe_write` ([`check_outputs`] before computing, then
//! [`write_file_with`] / [`write_file_via`] / [`write_dir_via`]: temporary file and rename,
//! special files in place, interrupts leave nothing partial).

use liq_engine::{CascadeReport, EngineModel, LiquidationEvent};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

pub use crate::safe_write::{
    check_outputs, interrupted, is_special, note_interrupt, write_dir_via, write_file_via, write_file_with,
    Target,
};

/// What produced a result.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RunMeta {
    /// liqcascade version.
    pub version: String,
    pub scenario: String,
    /// SHA-256 prefix of the validated scenario (see `hash::scenario_hash`).
    pub scenario_hash: String,
    pub seed: u64,
    pub venue: String,
    /// The ADL policy the run used: `venue` (the venue's published ranking) or `pro-rata`.
    pub adl_policy: String,
    /// Which published margin table priced each market, and its date (empty: not recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub margin_tables: Vec<MarginTableMeta>,
    /// The exogenous shock applied, per market symbol (relative move).
    pub shock: Vec<(String, f64)>,
    /// Which published collateral table values each collateral asset, and its date (empty: the
    /// scenario has no collateral assets, or a writer that does not record it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collateral_tables: Vec<CollateralTableMeta>,
}

/// The collateral rules of one asset as [`RunMeta`] records them.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CollateralTableMeta {
    pub asset: String,
    /// `venue:SYMBOL` of the published table the asset's haircut or tiers equal, `None` for the
    /// scenario's own (`liq_margin::collateral::identify_collateral_table`).
    pub table: Option<String>,
    /// The table set (`binance-multi-assets-collateral-value-ratio`), `None` for own rules.
    pub table_set: Option<String>,
    /// The date on the venue's page, `None` for own rules.
    pub observed: Option<String>,
    /// The maximum transfer-in in force (asset quantity), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_transfer_in: Option<f64>,
    /// Accounts holding more than that cap (the excess is outside the margin wallet).
    #[serde(default, skip_serializing_if = "is_zero_usize")]
    pub accounts_over_cap: usize,
}

fn is_zero_usize(n: &usize) -> bool {
    *n == 0
}

/// The collateral table of every asset of a scenario, found back from its haircut or tiers, in
/// asset order, with the transfer-in cap in force and how many accounts it cuts.
pub fn collateral_tables(scenario: &liq_domain::Scenario) -> Vec<CollateralTableMeta> {
    scenario
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let rules = scenario.collateral.asset(i);
            let t = liq_margin::collateral::identify_collateral_table(
                scenario.venue,
                &a.symbol,
                a.haircut,
                &rules.value_tiers,
            );
            let cap = rules.max_transfer_in.or_else(|| {
                scenario
                    .collateral
                    .transfer_in_caps
                    .then(|| liq_margin::collateral::venue_transfer_in_cap(scenario.venue, &a.symbol))
                    .flatten()
            });
            let over = cap.map_or(0, |cap| {
                scenario
                    .accounts
                    .iter()
                    .filter(|acc| acc.collateral.iter().any(|c| c.asset.idx() == i && c.qty > cap))
                    .count()
            });
            CollateralTableMeta {
                asset: a.symbol.clone(),
                table: t.map(|t| t.name()),
                table_set: t.map(|t| t.set.to_string()),
                observed: t.map(|t| t.observed.to_string()),
                max_transfer_in: cap,
                accounts_over_cap: over,
            }
        })
        .collect()
}

/// So that `ReportInput::from_cascade(&meta, …)` takes a borrowed meta as well as an owned one.
impl From<&RunMeta> for RunMeta {
    fn from(m: &RunMeta) -> Self {
        m.clone()
    }
}

/// The margin table of one market as [`RunMeta`] records it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MarginTableMeta {
    pub market: String,
    /// `venue:SYMBOL` of the built-in table, or `None` for the scenario's own tiers.
    pub table: Option<String>,
    /// The table set it belongs to (`binance-usdm-leverage-brackets`), `None` for own tiers.
    pub table_set: Option<String>,
    /// When the venue's table was observed, `None` for own tiers.
    pub observed: Option<String>,
}

/// The margin table of every market of a scenario, found back from its ladder
/// (`liq_margin::tiers::identify`), in market order.
pub fn margin_tables(scenario: &liq_domain::Scenario) -> Vec<MarginTableMeta> {
    scenario
        .markets
        .iter()
        .map(|m| {
            let t = liq_margin::tiers::identify(&m.symbol, &m.ladder);
            MarginTableMeta {
                market: m.symbol.clone(),
                table: t.map(|t| t.name()),
                table_set: t.map(|t| liq_margin::tiers::table_set(t.venue).name.to_string()),
                observed: t.map(|t| t.observed.to_string()),
            }
        })
        .collect()
}

/// The `run --json` document.
#[derive(Debug, Clone, Serialize)]
pub struct RunDocument<'a> {
    pub meta: &'a RunMeta,
    pub summary: &'a liq_engine::Summary,
    pub markets: &'a [liq_engine::MarketRow],
    pub generations: &'a [liq_engine::GenerationRow],
    /// The spot markets (empty for a static index) and the arbitrageurs' equity change.
    pub spot: &'a [liq_engine::SpotOutcome],
    pub arbitrage_equity_change_usd: f64,
    /// The itemised fund, equity and position by holder group, open interest by side.
    pub ledger: Option<&'a liq_engine::Ledger>,
    /// Multi-venue scenarios: one row per venue (the summary is the system's); absent otherwise.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub venues: &'a [liq_engine::VenueRow],
    /// Lending venues (`aave-v3`) only: debt repaid, bonus, protocol fee, deficit, liquidator
    /// P&L and the exact holder ledger (docs/outputs.md "lending").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lending: Option<&'a liq_engine::LendingOutcome>,
    /// Scenarios with leveraged tokens, dealer hedging or stops: what each channel traded and
    /// the liquidations it adds (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<&'a liq_engine::ChannelReport>,
    /// Path runs with `funding.accrue`: one line per market and funding time crossed (absent
    /// otherwise; docs/outputs.md "funding").
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub funding: &'a [liq_engine::FundingEvent],
}

impl<'a> RunDocument<'a> {
    pub fn new(meta: &'a RunMeta, report: &'a CascadeReport) -> Self {
        RunDocument {
            meta,
            summary: &report.summary,
            markets: &report.markets,
            generations: &report.generations,
            spot: &report.outcome.spot,
            arbitrage_equity_change_usd: report.outcome.arbitrage_equity_change_usd,
            ledger: report.outcome.ledger.as_ref(),
            venues: &report.venues,
            lending: None,
            channels: None,
            funding: &report.outcome.funding,
        }
    }

    /// The document of a lending-venue run: the common fields from its report, plus `lending`.
    pub fn lending(meta: &'a RunMeta, r: &'a liq_engine::LendingReport) -> Self {
        RunDocument { lending: Some(&r.lending), ..RunDocument::new(meta, &r.report) }
    }
}

/// Errors writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::Error },
    /// An output refused before anything was computed (missing directory, an input, ...).
    #[error("--{flag} {path}: {message}")]
    Refused { flag: String, path: String, message: String },
}

/// Column names of the event-log CSV, in order (documented in docs/outputs.md).
pub const EVENT_COLUMNS: [&str; 16] = [
    "generation",
    "time_s",
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

/// How an event log names its accounts and markets (`account_label`, `market` columns): the
/// cascade engine's model, or any other producer of [`LiquidationEvent`]s (the agent-based market).
pub trait EventNames {
    fn account_label(&self, account: u32) -> String;
    fn market_symbol(&self, market: u16) -> String;
    /// The `cause` column of a multi-venue run: `exogenous` or the causing venue's name.
    fn cause_name(&self, cause: Option<liq_engine::EventCause>) -> String {
        match cause {
            None => String::new(),
            Some(liq_engine::EventCause::Exogenous) => "exogenous".to_string(),
            Some(liq_engine::EventCause::Venue(v)) => v.to_string(),
        }
    }
}

impl EventNames for EngineModel {
    fn account_label(&self, account: u32) -> String {
        self.labels[account as usize].to_string()
    }
    fn market_symbol(&self, market: u16) -> String {
        // Several venues list the same symbol: the event names the venue too.
        if self.is_multi_venue() {
            let k = market as usize;
            return format!("{}:{}", self.venues[self.market_venue(k)].name, self.markets[k].symbol);
        }
        self.markets[market as usize].symbol.clone()
    }
    fn cause_name(&self, cause: Option<liq_engine::EventCause>) -> String {
        match cause {
            None => String::new(),
            Some(liq_engine::EventCause::Exogenous) => "exogenous".to_string(),
            Some(liq_engine::EventCause::Venue(v)) => {
                self.venues.get(v as usize).map(|x| x.name.clone()).unwrap_or_else(|| v.to_string())
            }
        }
    }
}

impl EventNames for liq_engine::LendingModel {
    fn account_label(&self, account: u32) -> String {
        self.labels.get(account as usize).cloned().unwrap_or_default()
    }
    fn market_symbol(&self, market: u16) -> String {
        self.symbols().get(market as usize).cloned().unwrap_or_default()
    }
}

/// Writes the event log as CSV to `out`.
pub fn write_events_csv<W: Write, N: EventNames + ?Sized>(
    out: W,
    model: &N,
    events: &[LiquidationEvent],
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    // Multi-venue runs add the `cause` column (docs/outputs.md); single-venue logs are unchanged.
    let with_cause = events.iter().any(|e| e.cause.is_some());
    if with_cause {
        w.write_record(EVENT_COLUMNS.iter().copied().chain(["cause"]))?;
    } else {
        w.write_record(EVENT_COLUMNS)?;
    }
    for e in events {
        let kind =
            serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let cause = with_cause.then(|| model.cause_name(e.cause));
        w.write_record(
            [
                e.generation.to_string(),
                format!("{:.3}", e.time_s),
                e.account.to_string(),
                model.account_label(e.account),
                model.market_symbol(e.market),
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
            ]
            .into_iter()
            .chain(cause),
        )?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the event log as CSV to a file.
pub fn write_events_csv_file<N: EventNames + ?Sized>(
    path: &Path,
    model: &N,
    events: &[LiquidationEvent],
) -> Result<(), OutputError> {
    write_file_with(path, |w| write_events_csv(w, model, events).map_err(std::io::Error::other))
}

/// Writes the event log as Parquet, with the same columns as the CSV (`EVENT_COLUMNS`, plus
/// `cause` in a multi-venue run; typed: integers as Int64/UInt32, prices and USD as Float64,
/// labels as UTF-8, `counterparty` nullable).
pub fn write_events_parquet<N: EventNames + ?Sized>(
    path: &Path,
    model: &N,
    events: &[LiquidationEvent],
) -> Result<(), OutputError> {
    write_file_via(path, |tmp| events_parquet_to(tmp, model, events))
}

/// The event log as one Arrow record batch, with the columns and types of
/// [`write_events_parquet`] (the Python package hands it over through the Arrow C data
/// interface).
pub fn events_record_batch<N: EventNames + ?Sized>(
    model: &N,
    events: &[LiquidationEvent],
) -> Result<arrow::record_batch::RecordBatch, arrow::error::ArrowError> {
    use arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray, UInt32Array};
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::record_batch::RecordBatch;
    use std::sync::Arc;
    let f64s = |f: fn(&LiquidationEvent) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(events.iter().map(f)))
    };
    let strs = |f: &dyn Fn(&LiquidationEvent) -> String| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(events.iter().map(f)))
    };
    let kind = |e: &LiquidationEvent| {
        serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    };
    let columns: Vec<(Field, ArrayRef)> = vec![
        (
            Field::new("generation", DataType::UInt32, false),
            Arc::new(UInt32Array::from_iter_values(events.iter().map(|e| e.generation))),
        ),
        (Field::new("time_s", DataType::Float64, false), f64s(|e| e.time_s)),
        (
            Field::new("account", DataType::UInt32, false),
            Arc::new(UInt32Array::from_iter_values(events.iter().map(|e| e.account))),
        ),
        (Field::new("account_label", DataType::Utf8, false), strs(&|e| model.account_label(e.account))),
        (Field::new("market", DataType::Utf8, false), strs(&|e| model.market_symbol(e.market))),
        (
            Field::new("unit", DataType::Utf8, false),
            strs(&|e| if e.isolated { "isolated" } else { "cross" }.to_string()),
        ),
        (Field::new("kind", DataType::Utf8, false), strs(&kind)),
        (
            Field::new("lots", DataType::Int64, false),
            Arc::new(Int64Array::from_iter_values(events.iter().map(|e| e.lots))),
        ),
        (Field::new("qty", DataType::Float64, false), f64s(|e| e.qty)),
        (Field::new("price", DataType::Float64, false), f64s(|e| e.price)),
        (Field::new("notional_usd", DataType::Float64, false), f64s(|e| e.notional_usd)),
        (Field::new("mark", DataType::Float64, false), f64s(|e| e.mark)),
        (Field::new("bankruptcy_price", DataType::Float64, false), f64s(|e| e.bankruptcy_price)),
        (Field::new("liquidation_fee_usd", DataType::Float64, false), f64s(|e| e.liquidation_fee_usd)),
        (Field::new("fund_flow_usd", DataType::Float64, false), f64s(|e| e.fund_flow_usd)),
        (
            Field::new("counterparty", DataType::UInt32, true),
            Arc::new(events.iter().map(|e| e.counterparty).collect::<UInt32Array>()),
        ),
    ];
    debug_assert_eq!(columns.len(), EVENT_COLUMNS.len());
    let mut columns = columns;
    // As in the CSV: a multi-venue run adds `cause`; single-venue logs keep their columns.
    if events.iter().any(|e| e.cause.is_some()) {
        columns.push((Field::new("cause", DataType::Utf8, false), strs(&|e| model.cause_name(e.cause))));
    }
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
    let schema = Arc::new(Schema::new(fields));
    RecordBatch::try_new(schema, arrays)
}

fn events_parquet_to<N: EventNames + ?Sized>(
    path: &Path,
    model: &N,
    events: &[LiquidationEvent],
) -> Result<(), OutputError> {
    let err =
        |e: String| OutputError::Io { path: path.display().to_string(), source: std::io::Error::other(e) };
    let batch = events_record_batch(model, events).map_err(|e| err(e.to_string()))?;
    let schema = batch.schema();
    let file = std::fs::File::create(path)
        .map_err(|source| OutputError::Io { path: path.display().to_string(), source })?;
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema, None).map_err(|e| err(e.to_string()))?;
    w.write(&batch).map_err(|e| err(e.to_string()))?;
    w.close().map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// The metadata sidecar of a data file: `FILE.meta.json` beside `FILE`.
pub fn sidecar_path(data_path: &Path) -> std::path::PathBuf {
    let mut name = data_path.as_os_str().to_owned();
    name.push(".meta.json");
    std::path::PathBuf::from(name)
}

/// Writes `meta` as JSON next to a CSV output (`FILE.csv.meta.json`): a CSV has no place for the
/// scenario hash, seed and version, and every output must carry them.
pub fn write_sidecar_meta<T: Serialize>(
    data_path: &Path,
    meta: &T,
) -> Result<std::path::PathBuf, OutputError> {
    let path = sidecar_path(data_path);
    if is_special(data_path) {
        // `/dev/stdout`, a FIFO: there is no directory entry to put `FILE.meta.json` beside.
        return Ok(path);
    }
    let text = serde_json::to_string_pretty(meta).map_err(|e| OutputError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    write_file_with(&path, |w| w.write_all(text.as_bytes()))?;
    Ok(path)
}
