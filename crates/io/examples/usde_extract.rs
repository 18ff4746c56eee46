//! Writes the committed extract of the USDe depeg (Binance USDe minute bars, 2025-10-10
//! 21:00–23:59 UTC) from the shared Parquet file:
//! `cargo run -p liq-io --example usde_extract -- ../shared/data/binance-usde-depeg-2025-10/usde_minute_binance.parquet > crates/engine/tests/data/usde_binance_2025-10-10.csv`
//! The product never reads the shared file; the engine's depeg test reads the extract and
//! `crates/io/tests/usde_extract.rs` checks the extract equals the shared file when present.

use arrow::array::{Array, Float64Array, TimestampNanosecondArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// 2025-10-10 21:00:00 UTC and 2025-10-11 00:00:00 UTC, Unix seconds.
const FROM: i64 = 1_760_130_000;
const TO: i64 = 1_760_140_800;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: usde_extract FILE.parquet")?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path)?)?.build()?;
    println!("# Binance USDe spot minute bars (quote presumably USDT), 2025-10-10 21:00-23:59 UTC.");
    println!(
        "# Source: GitHub QuantLet/onchain-insights, \"1. USDE binance depeg/usde_minute_binance.parquet\""
    );
    println!("# (commit bc8cbe43; see ../shared/data/SOURCES.md). Extract written by crates/io/examples/usde_extract.rs.");
    println!("minute_utc_s,open,high,low,close");
    for batch in reader {
        let b = batch?;
        let col = |name: &str| b.column_by_name(name).ok_or(format!("no column {name}"));
        let ts = col("__index_level_0__")?
            .as_any()
            .downcast_ref::<TimestampNanosecondArray>()
            .ok_or("timestamp column is not ns")?
            .clone();
        let f = |name: &str| -> Result<Float64Array, String> {
            col(name)?.as_any().downcast_ref::<Float64Array>().cloned().ok_or(format!("{name} is not f64"))
        };
        let (o, h, l, c) = (f("open")?, f("high")?, f("low")?, f("close")?);
        for i in 0..b.num_rows() {
            let t = ts.value(i) / 1_000_000_000;
            if (FROM..TO).contains(&t) && !c.is_null(i) {
                println!("{t},{},{},{},{}", o.value(i), h.value(i), l.value(i), c.value(i));
            }
        }
    }
    Ok(())
}
