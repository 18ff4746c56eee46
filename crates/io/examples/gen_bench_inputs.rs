//! Writes the whole-process benchmark's inputs into a directory (issue 15): 1,000,000 isolated
//! positions over BTC/ETH/SOL as `accounts.csv` (and `accounts.parquet`), and two scenarios that
//! read them, `scenario_csv.toml` and `scenario_parquet.toml`, each with 60,000 explicit book
//! levels a side per market (a ≈9 MB TOML, the size a quant pasting a full L2 snapshot produces).
//!
//! The population is the default scenario's generator resized to 1,000,000 accounts with
//! `cross_share = 0` (every account one isolated position); the books are the default's three
//! perps' markets laid out one tick apart with a quantity that grows linearly away from mid, so
//! 60,000 levels hold roughly the default's depth scaled to 1M accounts. Nothing here is
//! committed output: `scripts/bench_whole_process.sh` generates it into a temporary directory.
//!
//! `cargo run --release -p liq-io --example gen_bench_inputs -- DIR [ACCOUNTS] [LEVELS]`

use liq_io::default_scenario::default_population_spec;
use liq_io::population::{generate_population, PopulationSpec};
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: gen_bench_inputs DIR [ACCOUNTS] [LEVELS]")?);
    let accounts: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let levels: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(60_000);
    std::fs::create_dir_all(&dir)?;
    let s = liq_io::default_scenario::default_scenario()?;
    let spec = PopulationSpec { accounts, cross_share: 0.0, ..default_population_spec() };
    let pop = generate_population(&spec, &s.markets, &s.assets, s.seed)?;
    let csv = dir.join("accounts.csv");
    liq_io::accounts_csv::write_accounts_csv_file(&csv, &pop, &s.markets, &s.assets)?;
    liq_io::accounts_parquet::write_accounts_parquet_file(
        &dir.join("accounts.parquet"),
        &pop,
        &s.markets,
        &s.assets,
    )?;
    // Depth per level in USD: the default's per-market scale relative to BTC, times the ratio of
    // populations (the default's 120,000 accounts stand for its book).
    let ratio = accounts as f64 / default_population_spec().accounts as f64;
    let scales = [1.0, 0.00717 / 0.0163, 0.00375 / 0.0163];
    for (file, key, name) in [
        ("scenario_csv.toml", "accounts_csv", "accounts.csv"),
        ("scenario_parquet.toml", "accounts_parquet", "accounts.parquet"),
    ] {
        let mut t = String::with_capacity(10 << 20);
        writeln!(t, "name = \"bench-1m-isolated\"\nseed = 42\nvenue = \"binance\"")?;
        writeln!(t, "insurance_fund_usd = {}\n{key} = \"{name}\"", 2.01e7 * ratio)?;
        writeln!(t, "[shock]\nmoves = {{ BTCUSDT = -0.08 }}")?;
        for (k, m) in s.markets.iter().enumerate() {
            writeln!(
                t,
                "\n[[markets]]\nsymbol = \"{}\"\ntick_size = {}\nlot_size = {}",
                m.symbol, m.tick_size, m.lot_size
            )?;
            writeln!(
                t,
                "index_price = {}\nliquidation_fee_rate = {}\ntaker_fee_rate = {}",
                m.index_price, m.liquidation_fee_rate, m.taker_fee_rate
            )?;
            writeln!(t, "tiers = \"preset\"\n[markets.book]")?;
            let mid = (m.mark_price / m.tick_size).round() as i64;
            // ≈ $2,000 × scale × ratio at the touch, growing linearly: ~$60M a side on BTC at 1M.
            for (side, dir) in [("bids", -1i64), ("asks", 1)] {
                t.push_str(side);
                t.push_str(" = [");
                for i in 0..levels as i64 {
                    let ticks = mid + dir * (1 + i);
                    if ticks <= 0 {
                        break;
                    }
                    let px = ticks as f64 * m.tick_size;
                    let usd = 2_000.0 * scales[k] * ratio / 8.33 * (1.0 + i as f64 / 1_000.0);
                    let lots = ((usd / px / m.lot_size).round() as i64).max(1);
                    let px_s = liq_io_fmt(ticks, m.tick_size);
                    let qty_s = liq_io_fmt(lots, m.lot_size);
                    if i > 0 {
                        t.push(',');
                    }
                    write!(t, "[{px_s},{qty_s}]")?;
                }
                t.push_str("]\n");
            }
        }
        std::fs::write(dir.join(file), t)?;
    }
    eprintln!("wrote {} accounts and {levels} levels a side to {}", pop.len(), dir.display());
    Ok(())
}

/// `units × step` as a short decimal (0.1 × 612346 = "61234.6", not 61234.600000000006).
fn liq_io_fmt(units: i64, step: f64) -> String {
    let d = (0..=12).find(|&d| {
        let x = step * 10f64.powi(d);
        (x - x.round()).abs() < 1e-9
    });
    match d {
        Some(d) => {
            let v = units as i128 * (step * 10f64.powi(d)).round() as i128;
            let p = 10i128.pow(d as u32);
            if d == 0 {
                format!("{v}")
            } else {
                format!("{}.{:0w$}", v / p, v % p, w = d as usize)
            }
        }
        None => format!("{}", units as f64 * step),
    }
}
