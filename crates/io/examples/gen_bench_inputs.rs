//! Writes the whole-process benchmark's inputs into a directory (issue 15): see
//! [`liq_io::bench_inputs`] for what the files hold. `scripts/bench_whole_process.sh` runs it
//! into a temporary directory; nothing it writes is committed.
//!
//! `cargo run --release -p liq-io --example gen_bench_inputs -- DIR [ACCOUNTS] [LEVELS]`

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: gen_bench_inputs DIR [ACCOUNTS] [LEVELS]")?);
    let accounts: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let levels: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(60_000);
    liq_io::bench_inputs::write_whole_process_inputs(&dir, accounts, levels)?;
    eprintln!("wrote {accounts} accounts and {levels} levels a side to {}", dir.display());
    Ok(())
}
