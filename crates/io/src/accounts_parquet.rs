//! Accounts from Parquet (or anything Arrow writes to Parquet: pandas, polars, pyarrow), with the
//! CSV's columns and rules, and the writer of the same layout.
//!
//! The layout (docs/scenario-format.md § Accounts Parquet): one row per position, the eight
//! columns of the CSV by name, in any order and no others; `account`, `market`, `mode` and
//! `collateral` text (UTF-8; any Arrow type that casts to it, so integer ids work), `size`,
//! `entry_price`, `margin_usd` and `wallet_usd` numbers (any type that casts to `Float64`).
//! A null is an empty CSV cell. Each row goes through the CSV's own checks
//! (`crate::accounts_rows`), so a row loads to the same account from either file; an error
//! names the file, the row as its `line` (1-based, counting data rows: Parquet has no header
//! line) and the column.
//!
//! Row groups are decoded and parsed on all cores; rows are merged into accounts in file order.

use crate::accounts_csv::ACCOUNT_COLUMNS;
use crate::accounts_merge::RowChunk;
use crate::accounts_rows::{csv_err, parse_row, RowCells, RowContext, SymbolMemo};
use crate::convert::MarketSymbols;
use crate::IoError;
use arrow::array::{Array, ArrayRef, Float64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use liq_domain::{Account, AssetSpec, MarginMode, MarketSpec};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// Which columns hold numbers (the rest hold text).
const NUMERIC: [bool; 8] = [false, false, true, true, false, true, true, false];

/// Rows per row group the writer uses: 8 groups for 1,000,000 rows, so a reader can spread them
/// over cores.
const ROWS_PER_GROUP: usize = 131_072;

/// Reads an accounts Parquet file (layout in the module doc).
pub fn read_accounts_parquet(
    path: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    let bad = |m: String| IoError::read(path, m);
    let open = || std::fs::File::open(path).map_err(|e| bad(format!("cannot open accounts Parquet: {e}")));
    let builder = ParquetRecordBatchReaderBuilder::try_new(open()?)
        .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
    let schema = builder.schema().clone();
    let at = columns(&schema, path)?;
    let groups: Vec<usize> =
        builder.metadata().row_groups().iter().map(|g| g.num_rows().max(0) as usize).collect();
    // Capacities from the file's metadata are capped: a corrupt or hostile footer may claim any
    // row count, and the merge's account limit is what bounds the real work.
    let cap = |n: usize| n.min(1 << 20);
    let first_row: Vec<usize> = groups
        .iter()
        .scan(0usize, |s, &n| {
            let r = *s;
            *s = s.saturating_add(n);
            Some(r)
        })
        .collect();
    let symbols = MarketSymbols::new(markets);
    let cx = RowContext { origin: path, markets, assets, symbols: &symbols };
    let parsed: Vec<Result<RowChunk<'static>, IoError>> = (0..groups.len())
        .into_par_iter()
        .map(|g| {
            let b = ParquetRecordBatchReaderBuilder::try_new(open()?)
                .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
            let reader = b
                .with_row_groups(vec![g])
                .with_batch_size(65_536)
                .build()
                .map_err(|e| bad(format!("cannot read row group {g}: {e}")))?;
            let mut out = RowChunk { rows: Vec::with_capacity(cap(groups[g])), error: None };
            let mut memo = SymbolMemo::default();
            let mut row = first_row[g] as u64;
            for batch in reader {
                let batch = batch.map_err(|e| bad(format!("cannot decode row group {g}: {e}")))?;
                if parse_batch(&batch, &at, &mut row, &cx, &mut memo, &mut out, path)? {
                    break;
                }
            }
            Ok(out)
        })
        .collect();
    // A group that could not be decoded ends the file there, as a bad row would.
    let mut chunks = Vec::with_capacity(parsed.len());
    for g in parsed {
        match g {
            Ok(c) => chunks.push(c),
            Err(e) => {
                chunks.push(RowChunk { rows: Vec::new(), error: Some(e) });
                break;
            }
        }
    }
    crate::accounts_merge::merge(chunks, path, markets)
}

/// `at[c]` = the schema's column holding `ACCOUNT_COLUMNS[c]`.
fn columns(schema: &Schema, path: &Path) -> Result<[usize; 8], IoError> {
    let mut at = [usize::MAX; 8];
    for (k, f) in schema.fields().iter().enumerate() {
        let Some(c) = ACCOUNT_COLUMNS.iter().position(|n| *n == f.name().trim()) else {
            return Err(csv_err(
                path,
                None,
                None,
                format!("unknown column \"{}\" (columns: {})", f.name(), ACCOUNT_COLUMNS.join(",")),
            ));
        };
        if at[c] != usize::MAX {
            return Err(csv_err(path, None, Some(c), "column given twice".into()));
        }
        let to = if NUMERIC[c] { DataType::Float64 } else { DataType::Utf8 };
        if !arrow::compute::can_cast_types(f.data_type(), &to) {
            return Err(csv_err(
                path,
                None,
                Some(c),
                format!("column type {} does not convert to {to}", f.data_type()),
            ));
        }
        at[c] = k;
    }
    if let Some(c) = at.iter().position(|&k| k == usize::MAX) {
        return Err(csv_err(
            path,
            None,
            Some(c),
            format!("missing column (columns must be {})", ACCOUNT_COLUMNS.join(",")),
        ));
    }
    Ok(at)
}

/// One batch's columns, cast to text or `Float64`.
enum Column {
    Text(StringArray),
    Number(Float64Array),
}

/// A Parquet row seen through [`RowCells`].
struct PqRow<'a> {
    cols: &'a [Column; 8],
    i: usize,
}

impl<'a> RowCells<'a> for PqRow<'a> {
    fn text(&self, c: usize) -> &'a str {
        match &self.cols[c] {
            Column::Text(a) if a.is_valid(self.i) => a.value(self.i).trim(),
            _ => "",
        }
    }
    fn number(&self, c: usize) -> Result<Option<f64>, String> {
        match &self.cols[c] {
            Column::Number(a) => Ok(a.is_valid(self.i).then(|| a.value(self.i))),
            Column::Text(_) => Ok(None),
        }
    }
    fn absent(&self, c: usize) -> bool {
        match &self.cols[c] {
            Column::Text(_) => self.text(c).is_empty(),
            Column::Number(a) => !a.is_valid(self.i),
        }
    }
}

/// Parses a batch's rows into `out`; `Ok(true)` when a bad row ended the group.
fn parse_batch(
    batch: &RecordBatch,
    at: &[usize; 8],
    row: &mut u64,
    cx: &RowContext<'_>,
    memo: &mut SymbolMemo,
    out: &mut RowChunk<'static>,
    path: &Path,
) -> Result<bool, IoError> {
    let mut cast = Vec::with_capacity(8);
    for c in 0..8 {
        let a = batch.column(at[c]);
        let to = if NUMERIC[c] { DataType::Float64 } else { DataType::Utf8 };
        let a = arrow::compute::cast(a, &to)
            .map_err(|e| csv_err(path, None, Some(c), format!("cannot convert to {to}: {e}")))?;
        cast.push(if NUMERIC[c] {
            Column::Number(
                a.as_any()
                    .downcast_ref::<Float64Array>()
                    .cloned()
                    .unwrap_or_else(|| Float64Array::from(Vec::<f64>::new())),
            )
        } else {
            Column::Text(
                a.as_any()
                    .downcast_ref::<StringArray>()
                    .cloned()
                    .unwrap_or_else(|| StringArray::from(Vec::<&str>::new())),
            )
        });
    }
    let cols: [Column; 8] = match cast.try_into() {
        Ok(c) => c,
        Err(_) => return Err(IoError::read(path, "internal: eight columns expected")),
    };
    for i in 0..batch.num_rows() {
        *row += 1;
        let r = PqRow { cols: &cols, i };
        match parse_row(&r, *row, cx, memo).map(|r| r.into_owned()) {
            Ok(p) => {
                let stop = p.error.is_some();
                out.rows.push(p);
                if stop {
                    return Ok(true);
                }
            }
            Err(e) => {
                out.error = Some(e);
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Writes accounts in the layout of the module doc (one row per position; an account without
/// positions gets one row with nulls for the position's columns), Snappy-compressed.
pub fn write_accounts_parquet_file(
    path: &Path,
    accounts: &[Account],
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<(), IoError> {
    let err = |m: String| IoError::read(path, m);
    let mut text: [Vec<Option<String>>; 4] = Default::default(); // account, market, mode, collateral
    let mut num: [Vec<Option<f64>>; 4] = Default::default(); // size, entry_price, margin_usd, wallet_usd
    for a in accounts {
        let mut coll = String::new();
        for c in &a.collateral {
            let asset = assets
                .get(c.asset.idx())
                .ok_or_else(|| err(format!("asset index {} out of range", c.asset)))?;
            if !coll.is_empty() {
                coll.push(';');
            }
            coll.push_str(&format!("{}:{}", asset.symbol, c.qty));
        }
        let coll = (!coll.is_empty()).then_some(coll);
        let mut row = |p: Option<&liq_domain::Position>| -> Result<(), IoError> {
            text[0].push(Some(a.label.clone()));
            text[3].push(coll.clone());
            num[3].push(Some(a.wallet.usd()));
            match p {
                None => {
                    text[1].push(None);
                    text[2].push(None);
                    (0..3).for_each(|k| num[k].push(None));
                }
                Some(p) => {
                    let m = markets
                        .get(p.market.idx())
                        .ok_or_else(|| err(format!("market index {} out of range", p.market)))?;
                    let size = p.size_lots as f64 * m.lot_size;
                    text[1].push(Some(m.symbol.clone()));
                    text[2].push(Some(match p.mode {
                        MarginMode::Cross => "cross".into(),
                        MarginMode::Isolated => "isolated".into(),
                    }));
                    num[0].push(Some(size));
                    num[1].push(Some(p.cost.usd() / size));
                    num[2].push((p.mode == MarginMode::Isolated).then(|| p.isolated_margin.usd()));
                }
            }
            Ok(())
        };
        if a.positions.is_empty() {
            row(None)?;
        }
        for p in &a.positions {
            row(Some(p))?;
        }
    }
    let [account, market, mode, collateral] = text;
    let [size, entry, margin, wallet] = num;
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("account", Arc::new(StringArray::from(account))),
        ("market", Arc::new(StringArray::from(market))),
        ("size", Arc::new(Float64Array::from(size))),
        ("entry_price", Arc::new(Float64Array::from(entry))),
        ("mode", Arc::new(StringArray::from(mode))),
        ("margin_usd", Arc::new(Float64Array::from(margin))),
        ("wallet_usd", Arc::new(Float64Array::from(wallet))),
        ("collateral", Arc::new(StringArray::from(collateral))),
    ];
    let schema = Arc::new(Schema::new(
        cols.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), *n != "account")).collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema.clone(), cols.into_iter().map(|c| c.1).collect())
        .map_err(|e| err(format!("cannot build the accounts table: {e}")))?;
    let props = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_max_row_group_size(ROWS_PER_GROUP)
        .build();
    // Encoded in memory (the file writer's sink is not `Send`, which `ArrowWriter` needs), then
    // written whole or not at all like every output.
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, Some(props))
        .map_err(|e| err(format!("cannot encode: {e}")))?;
    writer.write(&batch).map_err(|e| err(format!("cannot encode: {e}")))?;
    writer.close().map_err(|e| err(format!("cannot encode: {e}")))?;
    crate::output::write_file_with(path, |w| w.write_all(&bytes))
        .map_err(|e| err(format!("cannot write accounts Parquet: {e}")))
}
