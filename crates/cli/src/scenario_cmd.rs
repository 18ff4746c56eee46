//! `liqcascade scenario export`: the embedded default as files a desk can edit — `scenario.toml`
//! (every source comment kept, the population generator commented out and replaced by
//! `accounts_csv`) and `accounts.csv` — that run unchanged: `run DIR/scenario.toml --json` prints
//! the same bytes as `run --json` (a test checks it).

use crate::InputError;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ScenarioArgs {
    #[command(subcommand)]
    pub command: ScenarioCommand,
}

#[derive(Subcommand, Debug)]
pub enum ScenarioCommand {
    /// Write the embedded default scenario as an editable scenario TOML plus accounts CSV.
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Draw this many accounts from the default generator (same seed and distributions) instead
    /// of the default's 120,000; the markets, books and insurance fund are unchanged.
    #[arg(long, value_name = "N")]
    pub accounts: Option<u32>,
    /// Directory to write `scenario.toml` and `accounts.csv` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The file names `scenario export` writes inside `--out`.
pub const SCENARIO_FILE: &str = "scenario.toml";
pub const ACCOUNTS_FILE: &str = "accounts.csv";

pub fn run(args: ScenarioArgs) -> Result<()> {
    match args.command {
        ScenarioCommand::Export(a) => export(a),
    }
}

fn export(args: ExportArgs) -> Result<()> {
    let toml_path = args.out.join(SCENARIO_FILE);
    let csv_path = args.out.join(ACCOUNTS_FILE);
    if args.accounts == Some(0) {
        return Err(InputError("--accounts 0: export at least one account".into()).into());
    }
    crate::outputs::Outputs::default().dir("out", Some(&args.out)).check()?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    crate::outputs::Outputs::default()
        .file("out (scenario)", Some(&toml_path))
        .file("out (accounts)", Some(&csv_path))
        .check()?;
    let s = liq_io::accounts_file::export_default_accounts(args.accounts)
        .map_err(|e| InputError(format!("--accounts: {e}")))?;
    let mut toml = liq_io::accounts_file::export_default_toml(ACCOUNTS_FILE)?;
    if let Some(n) = args.accounts {
        toml = toml.replacen(
            "# Exported by `liqcascade scenario export`",
            &format!("# Exported by `liqcascade scenario export --accounts {n}`"),
            1,
        );
    }
    liq_io::accounts_csv::write_accounts_csv_file(&csv_path, &s.accounts, &s.markets, &s.assets)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    liq_io::output::write_file_with(&toml_path, |w| w.write_all(toml.as_bytes()))
        .with_context(|| format!("writing {}", toml_path.display()))?;
    if !crate::quiet() {
        eprintln!(
            "wrote {} and {} ({} accounts, scenario hash {}); run it with `liqcascade run {}`",
            toml_path.display(),
            csv_path.display(),
            s.accounts.len(),
            liq_io::hash::scenario_hash(&s),
            toml_path.display()
        );
    }
    Ok(())
}
