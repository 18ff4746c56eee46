//! The inputs of the whole-process measurement of issue 15, written into a directory: 1,000,000
//! isolated positions over BTC/ETH/SOL as `accounts.csv` and `accounts.parquet`, 60,000
//! explicit book levels a side per market as `SYMBOL.book.csv` (`crate::book_csv`), and three
//! scenarios: `scenario_csv.toml` and `scenario_parquet.toml` read the accounts and the book
//! CSVs; `scenario_csv_inline_books.toml` holds the same levels inline as `bids`/`asks` arrays (a
//! ≈9 MB TOML, the size a quant pasting a full L2 snapshot produces), the same scenario (same
//! hash) in the slow form. Shared by `examples/gen_bench_inputs.rs`, `scripts/bench_whole_process.sh`
//! and the CLI's `whole_process` benchmark, so all three time the same files.
//!
//! The population is the default scenario's generator resized with `cross_share = 0` (every
//! account one isolated position); the books are the default's three perps laid out one tick
//! apart with a quantity that grows linearly away from mid, so 60,000 levels hold roughly the
//! default's depth scaled to 1M accounts. Nothing written here is committed.

use crate::default_scenario::default_population_spec;
use crate::population::{generate_population, PopulationSpec};
use std::fmt::Write as _;
use std::path::Path;

/// An input error of the generator (none is expected: the inputs are the default's) as I/O.
fn other(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Writes the files into `dir` (created if missing) for `accounts` accounts and `levels`
/// book levels a side.
pub fn write_whole_process_inputs(dir: &Path, accounts: u32, levels: usize) -> std::io::Result<()> {
    // Writing into a `String` cannot fail; the conversion only satisfies `?`.
    let fmt_err = std::io::Error::other;
    std::fs::create_dir_all(dir)?;
    let s = crate::default_scenario::default_scenario().map_err(other)?;
    let spec = PopulationSpec { accounts, cross_share: 0.0, ..default_population_spec() };
    let pop = generate_population(&spec, &s.markets, &s.assets, s.seed).map_err(other)?;
    let csv = dir.join("accounts.csv");
    crate::accounts_csv::write_accounts_csv_file(&csv, &pop, &s.markets, &s.assets).map_err(other)?;
    crate::accounts_parquet::write_accounts_parquet_file(
        &dir.join("accounts.parquet"),
        &pop,
        &s.markets,
        &s.assets,
    )
    .map_err(other)?;
    // Depth per level in USD: the default's per-market scale relative to BTC, times the ratio of
    // populations (the default's 120,000 accounts stand for its book).
    let ratio = accounts as f64 / default_population_spec().accounts as f64;
    let scales = [1.0, 0.00717 / 0.0163, 0.00375 / 0.0163];
    // The levels, as the decimals the inline form prints and the `f64`s they parse to (which
    // the book CSV writes in shortest round-trip form): both forms give the same book.
    let mut books: Vec<[Vec<(String, String)>; 2]> = Vec::with_capacity(s.markets.len());
    for (k, m) in s.markets.iter().enumerate() {
        let mid = (m.mark_price / m.tick_size).round() as i64;
        let mut sides: [Vec<(String, String)>; 2] = [Vec::with_capacity(levels), Vec::with_capacity(levels)];
        // ≈ $2,000 × scale × ratio at the touch, growing linearly: ~$60M a side on BTC at 1M.
        for (side, dir) in [(0usize, -1i64), (1, 1)] {
            for i in 0..levels as i64 {
                let ticks = mid + dir * (1 + i);
                if ticks <= 0 {
                    break;
                }
                let px = ticks as f64 * m.tick_size;
                let usd = 2_000.0 * scales[k] * ratio / 8.33 * (1.0 + i as f64 / 1_000.0);
                let lots = ((usd / px / m.lot_size).round() as i64).max(1);
                sides[side].push((liq_io_fmt(ticks, m.tick_size), liq_io_fmt(lots, m.lot_size)));
            }
        }
        let level = |(p, q): &(String, String)| -> std::io::Result<liq_domain::L2Level> {
            Ok(liq_domain::L2Level { price: p.parse().map_err(other)?, qty: q.parse().map_err(other)? })
        };
        let bids = sides[0].iter().map(level).collect::<std::io::Result<Vec<_>>>()?;
        let asks = sides[1].iter().map(level).collect::<std::io::Result<Vec<_>>>()?;
        let mut f = std::fs::File::create(dir.join(format!("{}.book.csv", m.symbol)))?;
        crate::book_csv::write_book_csv(&mut f, &bids, &asks)?;
        books.push(sides);
    }
    for (file, key, name, inline) in [
        ("scenario_csv.toml", "accounts_csv", "accounts.csv", false),
        ("scenario_parquet.toml", "accounts_parquet", "accounts.parquet", false),
        ("scenario_csv_inline_books.toml", "accounts_csv", "accounts.csv", true),
    ] {
        let mut t = String::with_capacity(if inline { 10 << 20 } else { 4 << 10 });
        writeln!(t, "name = \"bench-1m-isolated\"\nseed = 42\nvenue = \"binance\"").map_err(fmt_err)?;
        writeln!(t, "insurance_fund_usd = {}\n{key} = \"{name}\"", 2.01e7 * ratio).map_err(fmt_err)?;
        writeln!(t, "[shock]\nmoves = {{ BTCUSDT = -0.08 }}").map_err(fmt_err)?;
        for (m, sides) in s.markets.iter().zip(&books) {
            writeln!(
                t,
                "\n[[markets]]\nsymbol = \"{}\"\ntick_size = {}\nlot_size = {}",
                m.symbol, m.tick_size, m.lot_size
            )
            .map_err(fmt_err)?;
            writeln!(
                t,
                "index_price = {}\nliquidation_fee_rate = {}\ntaker_fee_rate = {}",
                m.index_price, m.liquidation_fee_rate, m.taker_fee_rate
            )
            .map_err(fmt_err)?;
            writeln!(t, "tiers = \"preset\"\n[markets.book]").map_err(fmt_err)?;
            if !inline {
                writeln!(t, "levels_csv = \"{}.book.csv\"", m.symbol).map_err(fmt_err)?;
                continue;
            }
            for (side, levels) in ["bids", "asks"].iter().zip(sides) {
                t.push_str(side);
                t.push_str(" = [");
                for (i, (px, qty)) in levels.iter().enumerate() {
                    if i > 0 {
                        t.push(',');
                    }
                    write!(t, "[{px},{qty}]").map_err(fmt_err)?;
                }
                t.push_str("]\n");
            }
        }
        std::fs::write(dir.join(file), t)?;
    }
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

#[cfg(test)]
mod tests {
    /// The book CSV and the inline arrays are two spellings of one book: the scenarios load to
    /// the same `Scenario` and the same hash (small sizes: the invariant does not depend on them).
    #[test]
    fn book_csv_and_inline_books_are_the_same_scenario() {
        let dir = std::env::temp_dir().join(format!("liq-bench-inputs-test-{}", std::process::id()));
        super::write_whole_process_inputs(&dir, 300, 40).unwrap();
        let from_csv = crate::load_scenario(&dir.join("scenario_csv.toml")).unwrap();
        let inline = crate::load_scenario(&dir.join("scenario_csv_inline_books.toml")).unwrap();
        let from_pq = crate::load_scenario(&dir.join("scenario_parquet.toml")).unwrap();
        // An output may not overwrite the book files either.
        let inputs = crate::scenario_input_files(&dir.join("scenario_csv.toml"));
        let _ = std::fs::remove_dir_all(&dir);
        for f in
            ["scenario_csv.toml", "accounts.csv", "BTCUSDT.book.csv", "ETHUSDT.book.csv", "SOLUSDT.book.csv"]
        {
            assert!(inputs.contains(&dir.join(f)), "{f} missing from {inputs:?}");
        }
        assert_eq!(inputs.len(), 5);
        assert_eq!(from_csv.accounts.len(), 300);
        match &from_csv.books[0] {
            liq_domain::BookSpec::Levels { bids, asks } => assert_eq!((bids.len(), asks.len()), (40, 40)),
            other => panic!("expected explicit levels, got {other:?}"),
        }
        assert!(from_csv == inline, "the book CSV changed the scenario");
        assert!(from_csv == from_pq, "Parquet accounts changed the scenario");
        let h = crate::hash::scenario_hash(&from_csv);
        assert_eq!(h, crate::hash::scenario_hash(&inline));
        assert_eq!(h, crate::hash::scenario_hash(&from_pq));
    }
}
