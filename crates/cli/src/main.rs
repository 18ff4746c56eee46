//! `liqcascade`: the command-line interface.
//!
//! Owns argument parsing, the choice of scenario (embedded default or a file), shock overrides,
//! and presentation (terminal tables, JSON, CSV exports). All modelling lives in the library
//! crates; errors from them are reported with their file, line and field and a non-zero exit.
//!
//! Exit codes: 0 success; 2 invalid input (scenario, CSV, arguments, an output path that is an
//! input or cannot be written); 1 any other failure (a write error included); 130 / 143
//! interrupted by SIGINT / SIGTERM (no partial output left); 141 stdout closed early (the
//! process ends quietly, see `signals`).

/// `print!` to stdout that returns the write error instead of panicking on a closed pipe.
macro_rules! out {
    ($($t:tt)*) => { $crate::outputs::print(&format!($($t)*)) };
}

/// `println!` to stdout that returns the write error instead of panicking on a closed pipe.
macro_rules! outln {
    () => { $crate::outputs::print("\n") };
    ($($t:tt)*) => { $crate::outputs::print(&format!("{}\n", format_args!($($t)*))) };
}

mod abm_calib_cmd;
mod abm_config;
mod abm_experiment;
mod abm_flows;
mod abm_seeds;
mod accounts_out;
mod analysis_cmd;
mod args;
mod book;
mod channels;
mod compare_cmd;
mod firesale_cmd;
mod hedge_table;
mod lending_cmd;
mod lending_stress_cmd;
mod outputs;
mod policies_cmd;
mod replay_cmd;
mod report_cmd;
mod run_cmd;
mod scenario_cmd;
mod sensitivity_cmd;
mod signals;
mod stress_cmd;
mod table;
mod verdict;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "liqcascade", version, about = "Second-order liquidation risk in crypto derivatives")]
struct Cli {
    /// No progress bars and no informational messages on stderr (results and errors only).
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the liquidation cascade for an instant shock (round-based) or a shock path
    /// (time-stepped: --replay FILE.csv or --crash-over).
    Run(run_cmd::RunArgs),
    /// Monte Carlo stress test: cascade-adjusted VaR/ES against linear and no-feedback.
    Stress(stress_cmd::StressArgs),
    /// Mitigation policies on the same Monte Carlo paths, with paired intervals against the baseline.
    Policies(policies_cmd::PoliciesArgs),
    /// Combine `stress --shard i/n --parquet` files into the result of one run.
    Merge(stress_cmd::MergeArgs),
    /// Shock→loss curve of one market and its critical shock (sweep + bisection).
    Sweep(analysis_cmd::SweepArgs),
    /// Tornado: second-order notional with each driver (depth, resilience, withdrawal, arbitrage,
    /// unwind rate, leverage) at the low and high end of its range, one at a time.
    Sensitivity(sensitivity_cmd::SensitivityArgs),
    /// Exposure network, contagion matrix and its stability, systemic importance.
    Network(analysis_cmd::NetworkArgs),
    /// Liquidation map: notional liquidated at each price level, first-order and with the cascade.
    Map(analysis_cmd::MapArgs),
    /// Overlapping-portfolio fire sales (Cont–Schaanning) for funds and lending desks.
    Firesale(firesale_cmd::FireSaleArgs),
    /// Agent-based market on an L3 matching engine: a run with stylised facts, or an experiment.
    Abm(abm_calib_cmd::AbmArgs),
    /// Fit parameters from real data and write a calibrated scenario.
    Calibrate(abm_calib_cmd::CalibrateArgs),
    /// Replay a recorded price path and compare simulated with recorded liquidations per minute.
    Replay(replay_cmd::ReplayArgs),
    /// Build an account population from klines and open interest (public data).
    Population(abm_calib_cmd::PopulationArgs),
    /// The same book and shock under each venue's rules and tables, side by side, with every
    /// rule that differs.
    Compare(compare_cmd::CompareArgs),
    /// Write the embedded default scenario as editable files (`scenario export --out DIR`).
    Scenario(scenario_cmd::ScenarioArgs),
    /// Render a result JSON (from `run --result` or `stress --result`) as a self-contained HTML report.
    Report(report_cmd::ReportArgs),
}

/// An error caused by the user's input (exit code 2) rather than by the tool.
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Whether an error is a write to a closed pipe (stdout closed by `head`, a reader gone).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.to_string().contains("Broken pipe")
    })
}

fn main() -> ExitCode {
    signals::install();
    let cli = Cli::parse();
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    let result = match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::Stress(args) => stress_cmd::run(args),
        Command::Policies(args) => policies_cmd::run(args),
        Command::Merge(args) => stress_cmd::merge(args),
        Command::Sweep(args) => analysis_cmd::sweep(args),
        Command::Sensitivity(args) => sensitivity_cmd::run(args),
        Command::Network(args) => analysis_cmd::network(args),
        Command::Map(args) => analysis_cmd::map(args),
        Command::Firesale(args) => firesale_cmd::firesale(args),
        Command::Abm(args) => abm_calib_cmd::abm(args),
        Command::Calibrate(args) => abm_calib_cmd::calibrate(args),
        Command::Population(args) => abm_calib_cmd::population(args),
        Command::Replay(args) => replay_cmd::replay(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Compare(args) => compare_cmd::run(args),
        Command::Scenario(args) => scenario_cmd::run(args),
    };
    if let Some(signal) = liq_io::output::interrupted() {
        // The write in progress removed its temporary file; earlier outputs are complete.
        eprintln!("interrupted by signal {signal}; no partial output was left");
        return ExitCode::from((128 + signal).clamp(0, 255) as u8);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::from(141),
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if e.downcast_ref::<InputError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every flag and positional argument of every command carries a help line.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "liqcascade", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:#?}");
    }
}
