//! The per-account risk table (`--accounts-out FILE.csv|FILE.parquet`, and the Python package's
//! `accounts` Arrow table): one row per position of [`liq_network::AccountRisk`], the columns in
//! [`COLUMNS`] (docs/outputs.md "Per-account risk").
//!
//! The table is defined once, as an Arrow record batch ([`account_risk_record_batch`]): the
//! Parquet file is that batch and the CSV is its rows, so the two formats cannot drift apart.
//! Account-level values are repeated on each of the account's rows so that a spreadsheet filter
//! on one row keeps its whole context; an account without positions has one row with the
//! position columns null (empty in the CSV).

use crate::output::{write_file_via, write_file_with, OutputError};
use arrow::array::{ArrayRef, Float64Array, StringArray, UInt32Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use liq_network::AccountRisk;
use std::path::Path;
use std::sync::Arc;

/// The columns, in order.
pub const COLUMNS: [&str; 18] = [
    "account",
    "market",
    "side",
    "qty",
    "mode",
    "mark",
    "liquidation_price",
    "distance",
    "cross_common_move",
    "nearest_move",
    "generation",
    "liquidated_notional_usd",
    "adl_closed_qty",
    "adl_closed_notional_usd",
    "liquidation_fees_usd",
    "fund_flow_usd",
    "realised_pnl_usd",
    "position_pnl_usd",
];

/// One output row: the account and, unless it holds nothing, one of its positions.
fn rows(risks: &[AccountRisk]) -> impl Iterator<Item = (&AccountRisk, Option<&liq_network::PositionRisk>)> {
    risks.iter().flat_map(|r| {
        let none = r.positions.is_empty().then_some((r, None));
        none.into_iter().chain(r.positions.iter().map(move |p| (r, Some(p))))
    })
}

/// The table as one Arrow record batch: labels as UTF-8, sizes, prices and USD as Float64,
/// the generation as UInt32; everything that may be absent is nullable.
pub fn account_risk_record_batch(risks: &[AccountRisk]) -> Result<RecordBatch, arrow::error::ArrowError> {
    let all: Vec<_> = rows(risks).collect();
    let acct = |f: fn(&AccountRisk) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(all.iter().map(|(r, _)| f(r))))
    };
    let acct_opt = |f: fn(&AccountRisk) -> Option<f64>| -> ArrayRef {
        Arc::new(all.iter().map(|(r, _)| f(r)).collect::<Float64Array>())
    };
    let pos_f = |f: fn(&liq_network::PositionRisk) -> Option<f64>| -> ArrayRef {
        Arc::new(all.iter().map(|(_, p)| p.and_then(f)).collect::<Float64Array>())
    };
    let pos_s = |f: fn(&liq_network::PositionRisk) -> String| -> ArrayRef {
        Arc::new(all.iter().map(|(_, p)| p.map(f)).collect::<StringArray>())
    };
    let columns: Vec<(DataType, bool, ArrayRef)> = vec![
        (DataType::Utf8, false, Arc::new(StringArray::from_iter_values(all.iter().map(|(r, _)| &r.account)))),
        (DataType::Utf8, true, pos_s(|p| p.market.clone())),
        (DataType::Utf8, true, pos_s(|p| if p.qty < 0.0 { "short" } else { "long" }.into())),
        (DataType::Float64, true, pos_f(|p| Some(p.qty))),
        (DataType::Utf8, true, pos_s(|p| if p.isolated { "isolated" } else { "cross" }.into())),
        (DataType::Float64, true, pos_f(|p| Some(p.mark))),
        (DataType::Float64, true, pos_f(|p| p.liquidation_price)),
        (DataType::Float64, true, pos_f(|p| p.distance)),
        (DataType::Float64, true, acct_opt(|r| r.cross_common_move)),
        (DataType::Float64, true, acct_opt(|r| r.nearest_move)),
        (DataType::UInt32, true, Arc::new(all.iter().map(|(r, _)| r.generation).collect::<UInt32Array>())),
        (DataType::Float64, false, acct(|r| r.liquidated_notional_usd)),
        (DataType::Float64, false, acct(|r| r.adl_closed_qty)),
        (DataType::Float64, false, acct(|r| r.adl_closed_notional_usd)),
        (DataType::Float64, false, acct(|r| r.liquidation_fees_usd)),
        (DataType::Float64, false, acct(|r| r.fund_flow_usd)),
        (DataType::Float64, false, acct(|r| r.realised_pnl_usd)),
        (DataType::Float64, false, acct(|r| r.position_pnl_usd)),
    ];
    debug_assert_eq!(columns.len(), COLUMNS.len());
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns
        .into_iter()
        .zip(COLUMNS)
        .map(|((t, nullable, a), name)| (Field::new(name, t, nullable), a))
        .unzip();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
}

/// Whether `path` names a Parquet file (by extension, case-insensitive).
pub fn is_parquet(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Writes the table to `path` as Parquet (`.parquet`) or CSV (anything else), whole or not at
/// all (temporary file and rename).
pub fn write_account_risk(path: &Path, risks: &[AccountRisk]) -> Result<(), OutputError> {
    let err =
        |e: String| OutputError::Io { path: path.display().to_string(), source: std::io::Error::other(e) };
    let batch = account_risk_record_batch(risks).map_err(|e| err(e.to_string()))?;
    if is_parquet(path) {
        return write_file_via(path, |tmp| -> Result<(), String> {
            let file = std::fs::File::create(tmp).map_err(|e| e.to_string())?;
            let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None)
                .map_err(|e| e.to_string())?;
            w.write(&batch).map_err(|e| e.to_string())?;
            w.close().map_err(|e| e.to_string())?;
            Ok(())
        });
    }
    write_file_with(path, |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record(COLUMNS).map_err(std::io::Error::other)?;
        for i in 0..batch.num_rows() {
            let row: Vec<String> = batch.columns().iter().map(|a| cell(a, i)).collect();
            c.write_record(&row).map_err(std::io::Error::other)?;
        }
        c.flush()
    })
}

/// One cell as the CSV writes it: empty for null, numbers in Rust's shortest round-trip form.
fn cell(a: &ArrayRef, i: usize) -> String {
    use arrow::array::Array;
    if a.is_null(i) {
        return String::new();
    }
    let any = a.as_any();
    if let Some(x) = any.downcast_ref::<StringArray>() {
        x.value(i).to_string()
    } else if let Some(x) = any.downcast_ref::<Float64Array>() {
        x.value(i).to_string()
    } else if let Some(x) = any.downcast_ref::<UInt32Array>() {
        x.value(i).to_string()
    } else {
        unreachable!("the per-account table has only string, f64 and u32 columns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liq_network::PositionRisk;

    fn risks() -> Vec<AccountRisk> {
        let acct = |name: &str, positions: Vec<PositionRisk>, generation: Option<u32>| AccountRisk {
            account: name.into(),
            positions,
            cross_common_move: None,
            nearest_move: Some(-0.0625),
            generation,
            liquidated_notional_usd: 1250.5,
            adl_closed_qty: 0.0,
            adl_closed_notional_usd: 0.0,
            liquidation_fees_usd: 6.25,
            fund_flow_usd: -1.5,
            realised_pnl_usd: -75.0,
            position_pnl_usd: -80.25,
        };
        let pos = |market: &str, qty: f64, liq: Option<f64>| PositionRisk {
            market: market.into(),
            qty,
            isolated: qty > 0.0,
            mark: 100.0,
            liquidation_price: liq,
            distance: liq.map(|p| p / 100.0 - 1.0),
        };
        vec![
            acct("a,quoted", vec![pos("BTCUSDT", 0.5, Some(75.0)), pos("ETHUSDT", -2.0, None)], Some(1)),
            acct("empty", vec![], None),
        ]
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("liq-account-risk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    /// One row per position, one for an account without positions; the Parquet file read back
    /// holds exactly the cells the CSV holds (nulls as empty cells).
    #[test]
    fn parquet_and_csv_hold_the_same_cells() {
        let r = risks();
        let (csv_path, pq_path) = (temp("a.csv"), temp("a.parquet"));
        write_account_risk(&csv_path, &r).unwrap();
        write_account_risk(&pq_path, &r).unwrap();
        let mut reader = csv::Reader::from_path(&csv_path).unwrap();
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), COLUMNS);
        let csv_rows: Vec<Vec<String>> =
            reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        assert_eq!(csv_rows.len(), 3);
        assert_eq!(
            csv_rows[0][..8],
            ["a,quoted", "BTCUSDT", "long", "0.5", "isolated", "100", "75", "-0.25"]
        );
        assert_eq!(csv_rows[1][6], "", "no liquidation price: an empty cell");
        assert_eq!(csv_rows[2][1..8], ["", "", "", "", "", "", ""], "an account without positions");
        assert_eq!(csv_rows[2][10], "", "never liquidated: no generation");
        let file = std::fs::File::open(&pq_path).unwrap();
        let batches: Vec<RecordBatch> =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                .unwrap()
                .build()
                .unwrap()
                .map(Result::unwrap)
                .collect();
        let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
        let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, COLUMNS);
        let pq_rows: Vec<Vec<String>> =
            (0..batch.num_rows()).map(|i| batch.columns().iter().map(|a| cell(a, i)).collect()).collect();
        assert_eq!(pq_rows, csv_rows);
        std::fs::remove_dir_all(csv_path.parent().unwrap()).unwrap();
    }
}
