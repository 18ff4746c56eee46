//! Calibrates from the shared Binance BTCUSDT capture (or the files given) and prints the summary
//! table, the run time and, with `--toml`, the scenario TOML.
//!
//! Usage: `cargo run --release -p liq-calib --example calibrate_capture [capture.gz] [--toml]`.

use liq_calib::{calibrate, CalibOptions, DataSource};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let toml = args.iter().any(|a| a == "--toml");
    let path = args.iter().find(|a| !a.starts_with("--")).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/binance-usdm-btcusdt-20240808/btcusdt_20240808.gz")
    });
    let t = Instant::now();
    let cal = calibrate(&[DataSource::BinanceCapture { path }], &CalibOptions::default())?;
    let elapsed = t.elapsed();
    print!("{}", cal.summary_table());
    for m in &cal.markets {
        if let Some(v) = &m.volatility {
            println!(
                "{}: TSRV daily σ {:.4} (K = {}, noise ω = {:.2e})",
                m.symbol, v.daily_vol_tsrv, v.tsrv_k, v.noise_std
            );
            for p in &v.signature {
                println!("  RV @ {:>5} s: daily σ {:.4} ({} returns)", p.interval_s, p.daily_vol, p.returns);
            }
        }
        if let Some(i) = &m.impact {
            println!("  impact: {i:?}");
        }
        if let Some(k) = &m.kyle {
            println!("  kyle: {k:?}");
        }
        if let Some(r) = &m.resilience {
            println!("  resilience: {r:?}");
        }
        if let Some(d) = &m.depth {
            println!(
                "  depth fits: bid {:?} ask {:?} observed {:?} samples {}",
                d.bid_fit, d.ask_fit, d.observed_bps, d.samples
            );
        }
        if let Some(c) = &m.book_check {
            println!(
                "  book check: {} checked, {} matched ({} with qty), {} not comparable, {} sequence issues",
                c.checked,
                c.matched,
                c.matched_with_qty,
                c.not_comparable,
                c.sequence_issues.len()
            );
        }
    }
    for w in &cal.warnings {
        println!("warning: {w}");
    }
    println!("calibration took {:.3} s", elapsed.as_secs_f64());
    if toml {
        print!("{}", cal.to_toml());
    }
    Ok(())
}
