//! Per-path results on disk: CSV for people, Parquet for scale-out. A shard file carries the
//! [`StressContext`] and its path range in the Parquet key-value metadata, so
//! [`merge_shards`] can rebuild exactly the rows (and therefore the summary) a single run gives,
//! with nothing but the files. Columns are documented in `docs/outputs.md`.

use crate::error::StressError;
use crate::run::PathRow;
use crate::summary::StressContext;
use arrow::array::{Array, ArrayRef, Float64Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

const KEY_CONTEXT: &str = "liqcascade.context";
const KEY_SHARD: &str = "liqcascade.shard";
/// SHA-256 of the context, the shard and every value of every row. Parquet pages carry no
/// checksum here, and a flipped bit inside a float column read back as a different loss without
/// a word (a fuzz find: a third of one-byte corruptions read "successfully"). A shard without
/// it is refused: a corrupted key name would otherwise switch the check off (shards are
/// transient; one from an older version is re-run).
const KEY_DIGEST: &str = "liqcascade.rows_sha256";

/// The digest stored under [`KEY_DIGEST`].
fn digest(ctx_json: &str, shard_json: &str, rows: &[PathRow]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(ctx_json.as_bytes());
    h.update([0]);
    h.update(shard_json.as_bytes());
    h.update([0]);
    for r in rows {
        h.update(r.path.to_le_bytes());
        for x in scalars(r) {
            h.update(x.to_bits().to_le_bytes());
        }
        h.update(r.accounts_nf.to_le_bytes());
        h.update(r.accounts_c.to_le_bytes());
        for v in [&r.trough_nf, &r.trough_c, &r.end_nf, &r.end_c] {
            v.iter().for_each(|x| h.update(x.to_bits().to_le_bytes()));
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Which slice of the paths a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
    pub start: u64,
    pub end: u64,
}

impl Shard {
    /// Shard `i` of `n` over `paths` paths: a contiguous, deterministic range.
    pub fn of(i: u64, n: u64, paths: u64) -> Result<Shard, StressError> {
        if n == 0 || i >= n {
            return Err(StressError::config("shard", format!("{i}/{n}: the index must be below the count")));
        }
        Ok(Shard { index: i, count: n, start: paths * i / n, end: paths * (i + 1) / n })
    }

    /// Parses `i/n`.
    pub fn parse(s: &str, paths: u64) -> Result<Shard, StressError> {
        let (i, n) =
            s.split_once('/').ok_or_else(|| StressError::config("shard", format!("'{s}': expected i/n")))?;
        let i: u64 =
            i.trim().parse().map_err(|_| StressError::config("shard", format!("'{s}': bad index")))?;
        let n: u64 =
            n.trim().parse().map_err(|_| StressError::config("shard", format!("'{s}': bad count")))?;
        Shard::of(i, n, paths)
    }
}

/// Column names in order, for `markets`.
pub fn columns(markets: &[String]) -> Vec<String> {
    let mut c: Vec<String> = [
        "path",
        "loss_nf",
        "loss_c",
        "liquidated_nf",
        "liquidated_c",
        "first_order_c",
        "second_order_c",
        "amplification",
        "bad_debt_nf",
        "bad_debt_c",
        "fund_drawdown_nf",
        "fund_drawdown_c",
        "adl_nf",
        "adl_c",
        "accounts_nf",
        "accounts_c",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for prefix in ["trough_nf", "trough_c", "end_nf", "end_c"] {
        for m in markets {
            c.push(format!("{prefix}_{m}"));
        }
    }
    c
}

fn scalars(r: &PathRow) -> [f64; 13] {
    [
        r.loss_nf,
        r.loss_c,
        r.liquidated_nf,
        r.liquidated_c,
        r.first_order_c,
        r.second_order_c,
        r.amplification,
        r.bad_debt_nf,
        r.bad_debt_c,
        r.fund_drawdown_nf,
        r.fund_drawdown_c,
        r.adl_nf,
        r.adl_c,
    ]
}

/// Writes rows as CSV.
pub fn write_csv(path: &Path, markets: &[String], rows: &[PathRow]) -> Result<(), StressError> {
    let io = |e: csv::Error| StressError::Io { path: path.display().to_string(), message: e.to_string() };
    let mut w = csv::Writer::from_path(path).map_err(io)?;
    w.write_record(columns(markets)).map_err(io)?;
    for r in rows {
        let mut rec: Vec<String> = vec![r.path.to_string()];
        rec.extend(scalars(r).iter().map(|x| format!("{x}")));
        rec.push(r.accounts_nf.to_string());
        rec.push(r.accounts_c.to_string());
        for v in [&r.trough_nf, &r.trough_c, &r.end_nf, &r.end_c] {
            rec.extend(v.iter().map(|x| format!("{x}")));
        }
        w.write_record(&rec).map_err(io)?;
    }
    w.flush().map_err(|e| StressError::Io { path: path.display().to_string(), message: e.to_string() })
}

/// The per-path rows as one Arrow record batch, with the columns of [`columns`] and the types
/// of the Parquet file [`write_parquet`] writes (the Python package hands it over through the
/// Arrow C data interface).
pub fn rows_record_batch(
    markets: &[String],
    rows: &[PathRow],
) -> Result<RecordBatch, arrow::error::ArrowError> {
    let names = columns(markets);
    let fields: Vec<Field> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let t = if i == 0 || n.starts_with("accounts_") { DataType::UInt64 } else { DataType::Float64 };
            Field::new(n, t, false)
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(names.len());
    cols.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.path))));
    for j in 0..13 {
        cols.push(Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| scalars(r)[j]))));
    }
    cols.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.accounts_nf))));
    cols.push(Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.accounts_c))));
    let per_market: [fn(&PathRow) -> &Vec<f64>; 4] =
        [|r| &r.trough_nf, |r| &r.trough_c, |r| &r.end_nf, |r| &r.end_c];
    for f in per_market {
        for k in 0..markets.len() {
            cols.push(Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| f(r)[k]))));
        }
    }
    RecordBatch::try_new(schema, cols)
}

/// Writes rows as Parquet with the context and shard in the file's metadata.
pub fn write_parquet(
    path: &Path,
    ctx: &StressContext,
    shard: Shard,
    rows: &[PathRow],
) -> Result<(), StressError> {
    let err = |m: String| StressError::Io { path: path.display().to_string(), message: m };
    let batch = rows_record_batch(&ctx.markets, rows).map_err(|e| err(e.to_string()))?;
    let schema = batch.schema();
    let ctx_json = serde_json::to_string(ctx).map_err(|e| err(e.to_string()))?;
    let shard_json = serde_json::to_string(&shard).map_err(|e| err(e.to_string()))?;
    let sum = digest(&ctx_json, &shard_json, rows);
    let meta = vec![
        parquet::file::metadata::KeyValue::new(KEY_CONTEXT.to_string(), ctx_json),
        parquet::file::metadata::KeyValue::new(KEY_SHARD.to_string(), shard_json),
        parquet::file::metadata::KeyValue::new(KEY_DIGEST.to_string(), sum),
    ];
    let props = WriterProperties::builder().set_key_value_metadata(Some(meta)).build();
    let file = std::fs::File::create(path).map_err(|e| err(e.to_string()))?;
    let mut w = ArrowWriter::try_new(file, schema, Some(props)).map_err(|e| err(e.to_string()))?;
    w.write(&batch).map_err(|e| err(e.to_string()))?;
    w.close().map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// Reads a shard written by [`write_parquet`]. A damaged file is an error naming it: the
/// Parquet and Arrow readers assert on corrupt pages instead of returning errors (one flipped
/// bit gave "assertion failed: size <= src.len()", "Page type PageType(-64) is not supported",
/// out-of-bounds indexing: fuzz finds, issue 14), so the read runs under `catch_unwind` and a
/// panic inside it becomes [`StressError::Io`] with the reader's message; the decoded rows are
/// then checked against the file's own shard range.
pub fn read_parquet(path: &Path) -> Result<(StressContext, Shard, Vec<PathRow>), StressError> {
    let err = |m: String| StressError::Io { path: path.display().to_string(), message: m };
    let (ctx, shard, rows) = crate::contain::quietly(|| read_parquet_unchecked(path))
        .unwrap_or_else(|panic| Err(err(format!("corrupt Parquet file (the reader failed: {panic})"))))?;
    if ctx.markets.is_empty() || ctx.config.paths == 0 {
        return Err(err("not a liqcascade shard: no markets or no paths in its context".into()));
    }
    if shard.start > shard.end || shard.end > ctx.config.paths || shard.index >= shard.count {
        return Err(err(format!(
            "shard metadata {}/{} covering paths {}..{} does not fit a run of {} paths",
            shard.index, shard.count, shard.start, shard.end, ctx.config.paths
        )));
    }
    if rows.len() as u64 != shard.end - shard.start {
        return Err(err(format!(
            "{} rows, but its metadata says paths {}..{} ({} rows): the file is damaged",
            rows.len(),
            shard.start,
            shard.end,
            shard.end - shard.start
        )));
    }
    if let Some(r) = rows.iter().find(|r| !(shard.start..shard.end).contains(&r.path)) {
        return Err(err(format!(
            "row of path {} outside its shard's paths {}..{}",
            r.path, shard.start, shard.end
        )));
    }
    Ok((ctx, shard, rows))
}

fn read_parquet_unchecked(path: &Path) -> Result<(StressContext, Shard, Vec<PathRow>), StressError> {
    let err = |m: String| StressError::Io { path: path.display().to_string(), message: m };
    let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(e.to_string()))?;
    let kv = builder.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
    let get = |key: &str| {
        kv.iter()
            .find(|k| k.key == key)
            .and_then(|k| k.value.clone())
            .ok_or_else(|| err(format!("not a liqcascade shard: no '{key}' metadata")))
    };
    let (ctx_json, shard_json) = (get(KEY_CONTEXT)?, get(KEY_SHARD)?);
    let stored_digest = get(KEY_DIGEST)?;
    let ctx: StressContext = serde_json::from_str(&ctx_json).map_err(|e| err(e.to_string()))?;
    let shard: Shard = serde_json::from_str(&shard_json).map_err(|e| err(e.to_string()))?;
    let names = columns(&ctx.markets);
    let mut rows = Vec::new();
    let reader = builder.build().map_err(|e| err(e.to_string()))?;
    for batch in reader {
        let batch = batch.map_err(|e| err(e.to_string()))?;
        let f64col = |name: &str| -> Result<&Float64Array, StressError> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
                .ok_or_else(|| err(format!("column '{name}' missing or not Float64")))
        };
        let u64col = |name: &str| -> Result<&UInt64Array, StressError> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
                .ok_or_else(|| err(format!("column '{name}' missing or not UInt64")))
        };
        let path_c = u64col("path")?;
        let sc: Vec<&Float64Array> = names[1..14].iter().map(|n| f64col(n)).collect::<Result<_, _>>()?;
        let acc_nf = u64col("accounts_nf")?;
        let acc_c = u64col("accounts_c")?;
        let m = ctx.markets.len();
        let pm: Vec<&Float64Array> =
            names[16..16 + 4 * m].iter().map(|n| f64col(n)).collect::<Result<_, _>>()?;
        for i in 0..batch.num_rows() {
            let v = |j: usize| sc[j].value(i);
            let vec_of = |g: usize| (0..m).map(|k| pm[g * m + k].value(i)).collect::<Vec<f64>>();
            rows.push(PathRow {
                path: path_c.value(i),
                loss_nf: v(0),
                loss_c: v(1),
                liquidated_nf: v(2),
                liquidated_c: v(3),
                first_order_c: v(4),
                second_order_c: v(5),
                amplification: v(6),
                bad_debt_nf: v(7),
                bad_debt_c: v(8),
                fund_drawdown_nf: v(9),
                fund_drawdown_c: v(10),
                adl_nf: v(11),
                adl_c: v(12),
                accounts_nf: acc_nf.value(i),
                accounts_c: acc_c.value(i),
                trough_nf: vec_of(0),
                trough_c: vec_of(1),
                end_nf: vec_of(2),
                end_c: vec_of(3),
            });
        }
        debug_assert!(path_c.len() == batch.num_rows());
    }
    if stored_digest != digest(&ctx_json, &shard_json, &rows) {
        return Err(err("its rows do not match the checksum written with them: the file is damaged".into()));
    }
    Ok((ctx, shard, rows))
}

/// Merges shard files into the rows of the whole run, in path order. Every file must come from
/// the same run (same context) and together they must cover every path exactly once.
pub fn merge_shards(paths: &[&Path]) -> Result<(StressContext, Vec<PathRow>), StressError> {
    let mut ctx: Option<StressContext> = None;
    let mut rows = Vec::new();
    // Which file each path came from, to name it when the shards do not fit together.
    let mut from: Vec<(u64, usize)> = Vec::new();
    for (f, p) in paths.iter().enumerate() {
        let (c, _, r) = read_parquet(p)?;
        from.extend(r.iter().map(|r| (r.path, f)));
        match &ctx {
            None => ctx = Some(c),
            Some(c0) if *c0 != c => {
                return Err(StressError::Io {
                    path: p.display().to_string(),
                    message: "comes from a different run (scenario, seed, configuration or portfolio differ)"
                        .into(),
                })
            }
            Some(_) => {}
        }
        rows.extend(r);
    }
    let ctx = ctx.ok_or_else(|| StressError::config("merge", "no shard files given"))?;
    rows.sort_by_key(|r| r.path);
    from.sort_unstable();
    let name = |f: usize| paths[f].display().to_string();
    let all = || paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    for (i, r) in rows.iter().enumerate() {
        if r.path != i as u64 {
            return Err(if i > 0 && rows[i - 1].path == r.path {
                StressError::Io {
                    path: name(from[i].1),
                    message: format!(
                        "path {} appears in more than one shard (also in {})",
                        r.path,
                        name(from[i - 1].1)
                    ),
                }
            } else {
                StressError::Io {
                    path: all(),
                    message: format!("path {i} is missing: the shards do not cover the whole run"),
                }
            });
        }
    }
    if rows.len() as u64 != ctx.config.paths {
        return Err(StressError::Io {
            path: all(),
            message: format!("{} paths in the shards, {} in the run", rows.len(), ctx.config.paths),
        });
    }
    Ok((ctx, rows))
}
