//! Fuzz target for the Parquet shards `liqcascade merge` reads (issue 14, items 2 and 7): bit
//! flips, overwritten, inserted and deleted bytes and truncations of real shard files written by
//! [`write_parquet`]. [`merge_shards`] must refuse a damaged file with an error naming it (the
//! Parquet and Arrow readers once panicked on one corrupted byte) or read back exactly the rows
//! written, and never hang.

use liq_fuzz::{fuzz, Target};
use liq_stress::results::{merge_shards, write_parquet, Shard};
use liq_stress::{Copula, MonteCarloConfig, PathRow, StressContext};
use std::path::Path;

#[global_allocator]
static ALLOC: liq_fuzz::CappedAlloc = liq_fuzz::CappedAlloc::new(1 << 30);

/// A shard of `paths` hand-made rows over `markets` (values chosen, not computed).
fn shard_bytes(markets: &[&str], paths: u64) -> Vec<u8> {
    let m = markets.len();
    let ctx = StressContext {
        version: "fuzz".into(),
        scenario: "seed".into(),
        scenario_hash: "0123456789abcdef".into(),
        markets: markets.iter().map(|s| s.to_string()).collect(),
        config: MonteCarloConfig {
            paths,
            horizon_s: 900.0,
            steps: 15,
            copula: Copula::StudentT { df: 4.0 },
            daily_vol: vec![0.08; m],
            correlation: (0..m).map(|i| (0..m).map(|j| if i == j { 1.0 } else { 0.5 }).collect()).collect(),
            seed: 5,
        },
        portfolio: "aggregate book (all accounts)".into(),
        deltas_usd: vec![1.0e6; m],
        throughput_per_step: None,
        venue: "binance".into(),
        adl_policy: "venue".into(),
    };
    let rows: Vec<PathRow> = (0..paths)
        .map(|p| {
            let x = p as f64;
            PathRow {
                path: p,
                loss_nf: 1000.0 * x,
                loss_c: 1500.0 * x,
                liquidated_nf: 2.0e4 * x,
                liquidated_c: 3.0e4 * x,
                first_order_c: 2.0e4 * x,
                second_order_c: 1.0e4 * x,
                amplification: 1.5,
                bad_debt_nf: 0.0,
                bad_debt_c: 10.0 * x,
                fund_drawdown_nf: 0.0,
                fund_drawdown_c: 5.0 * x,
                adl_nf: 0.0,
                adl_c: 0.0,
                accounts_nf: p,
                accounts_c: 2 * p,
                trough_nf: vec![-0.01 * x; m],
                trough_c: vec![-0.015 * x; m],
                end_nf: vec![-0.005 * x; m],
                end_c: vec![-0.007 * x; m],
            }
        })
        .collect();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let f = dir.join(format!("fuzz-seed-shard-{m}-{paths}.parquet"));
    write_parquet(&f, &ctx, Shard::of(0, 1, paths).unwrap(), &rows).unwrap();
    std::fs::read(&f).unwrap()
}

fn load(p: &Path) -> Result<(), String> {
    let (_, rows) = merge_shards(&[p]).map_err(|e| e.to_string())?;
    // Accepted means intact: the rows of one of the two seeds, bit for bit.
    static SEEDS: std::sync::OnceLock<Vec<Vec<PathRow>>> = std::sync::OnceLock::new();
    let seeds = SEEDS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        ["fuzz-seed-shard-1-4.parquet", "fuzz-seed-shard-2-12.parquet"]
            .iter()
            .map(|f| merge_shards(&[&dir.join(f)]).unwrap().1)
            .collect()
    });
    if seeds.contains(&rows) {
        Ok(())
    } else {
        Err("accepted with rows that differ from what was written".into()) // no file: a failure
    }
}

#[test]
fn fuzz_parquet_shards() {
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/parquet_shards");
    let t = Target::new("parquet_shards", "parquet", Path::new(env!("CARGO_TARGET_TMPDIR")))
        .regressions(reg)
        .binary()
        .seed(shard_bytes(&["BTCUSDT"], 4))
        .seed(shard_bytes(&["BTCUSDT", "ETHUSDT"], 12));
    fuzz(&t, load);
}

/// Issue 14: `merge` on a shard with one corrupted byte panicked inside the Parquet readers.
/// Every fifth byte of a real shard, in turn, XOR 0x5a: each file is refused naming itself, or
/// reads back exactly the rows written (a corruption in padding or unused metadata).
#[test]
fn every_single_byte_corruption_is_an_error_naming_the_file_or_reads() {
    let seed = shard_bytes(&["BTCUSDT"], 2);
    let mut t = Target::new("parquet_one_byte", "parquet", Path::new(env!("CARGO_TARGET_TMPDIR"))).binary();
    for i in (0..seed.len()).step_by(5) {
        let mut v = seed.clone();
        v[i] ^= 0x5a;
        t = t.seed(v);
    }
    fn same_rows(p: &Path) -> Result<(), String> {
        static ORIG: std::sync::OnceLock<Vec<PathRow>> = std::sync::OnceLock::new();
        let (_, rows) = merge_shards(&[p]).map_err(|e| e.to_string())?;
        let orig = ORIG.get_or_init(|| {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
            merge_shards(&[&dir.join("fuzz-seed-shard-1-2.parquet")]).unwrap().1
        });
        if rows == *orig {
            Ok(())
        } else {
            Err("accepted with different rows".into()) // names no file: counts as a failure
        }
    }
    let stats = liq_fuzz::run(&t, same_rows, 0, 0);
    assert!(stats.failures.is_empty(), "{:?}", &stats.failures[..stats.failures.len().min(3)]);
    assert_eq!(stats.executions as usize, seed.len().div_ceil(5));
    eprintln!(
        "{} one-byte corruptions: {} read back intact, {} refused",
        stats.executions, stats.ok, stats.errors
    );
}
