//! `liqcascade replay`: a recorded price window through the time-stepped cascade, simulated
//! against the recorded liquidation stream per minute, with a verdict and an optional report.

use crate::args::{step_flag, steps_flag};
use crate::InputError;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Trade tape (Binance `binance_trades.csv` layout) or a `timestamp,market,price` CSV.
    #[arg(long)]
    pub trades: PathBuf,
    /// Binance `forceOrder` dump of the same window.
    #[arg(long)]
    pub force_orders: PathBuf,
    /// Window start (RFC 3339, e.g. 2025-01-27T16:00:00Z, or epoch ms).
    #[arg(long, default_value = "2025-01-27T16:00:00Z")]
    pub from: String,
    /// Window end.
    #[arg(long, default_value = "2025-01-27T18:00:00Z")]
    pub to: String,
    /// Step of the time-stepped engine (at most 60 s).
    #[arg(long, default_value = "10s")]
    pub step: String,
    /// Fit the population's leverage median to the recorded liquidations (default scenario only).
    #[arg(long)]
    pub fit: bool,
    /// Print the result as one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

/// What produced a `replay` result.
#[derive(serde::Serialize)]
struct ReplayMeta {
    version: &'static str,
    scenario: String,
    scenario_hash: String,
    seed: u64,
    trades: String,
    force_orders: String,
}

/// `replay --json`: `meta` in front of the report's own fields.
#[derive(serde::Serialize)]
struct ReplayDocument<'a> {
    meta: &'a ReplayMeta,
    #[serde(flatten)]
    report: &'a liq_replay::ReplayReport,
}

/// `liqcascade replay`: the time-stepped engine over a recorded price path, simulated
/// liquidations per minute beside the recorded liquidation stream.
pub fn replay(args: ReplayArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .scenario(args.scenario.as_ref())
        .input(Some(&args.trades))
        .input(Some(&args.force_orders))
        .report_flags(&args.out)
        .check()?;
    args.out.no_static_charts("replay")?;
    let scenario = crate::run_cmd::load(args.scenario.as_ref())?;
    let ms = |s: &str| -> Result<i64, InputError> {
        liq_stress::paths::parse_timestamp(s)
            .map(|t| (t * 1000.0).round() as i64)
            .ok_or_else(|| InputError(format!("'{s}' is not a time (RFC 3339 or epoch ms)")))
    };
    let window = (ms(&args.from)?, ms(&args.to)?);
    if window.1 <= window.0 {
        return Err(InputError("--to must be after --from".into()).into());
    }
    let step = step_flag("step", &args.step)?;
    // The replay allocates one slot per step of the window: counted before it runs.
    steps_flag("from/--to at this --step", (window.1 - window.0) as f64 / 1000.0, step)?;
    let report = if args.fit {
        if args.scenario.is_some() {
            return Err(InputError(
                "--fit regenerates the default scenario's population; give no scenario".into(),
            )
            .into());
        }
        let spec = liq_io::default_scenario::default_population_spec();
        liq_replay::replay_fit(
            &scenario,
            &spec,
            &args.trades,
            &args.force_orders,
            window,
            step,
            &liq_replay::DEFAULT_LEVERAGE_GRID,
        )
    } else {
        liq_replay::replay(&scenario, &args.trades, &args.force_orders, window, step)
    }
    .map_err(|e| InputError(e.to_string()))?;
    // Every output names what produced it: version, scenario hash and seed, and the recorded
    // files the window was cut from.
    let meta = ReplayMeta {
        version: env!("CARGO_PKG_VERSION"),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(&scenario),
        seed: scenario.seed,
        trades: args.trades.display().to_string(),
        force_orders: args.force_orders.display().to_string(),
    };
    let verdict = crate::verdict::replay(&report).render("the replay's fit is");
    if args.out.wanted() {
        let run_meta = liq_io::output::RunMeta {
            version: meta.version.to_string(),
            scenario: meta.scenario.clone(),
            scenario_hash: meta.scenario_hash.clone(),
            seed: meta.seed,
            venue: scenario.venue.name().to_string(),
            adl_policy: scenario.engine.adl_policy.name().to_string(),
            margin_tables: liq_io::output::margin_tables(&scenario),
            // The move is the recorded path, not a shock: the header names the window instead.
            shock: Vec::new(),
            collateral_tables: liq_io::output::collateral_tables(&scenario),
        };
        let section = liq_report::abm_replay::ReplaySection {
            trades: meta.trades.clone(),
            force_orders: meta.force_orders.clone(),
            verdict: verdict.clone(),
            report: report.clone(),
        };
        crate::report_cmd::emit(&args.out, &liq_report::ReportInput::new(run_meta).with_replay(section))?;
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&ReplayDocument { meta: &meta, report: &report })?)?;
    } else {
        outln!(
            "liqcascade {} · replay · scenario {} ({}) · seed {}",
            meta.version,
            meta.scenario,
            meta.scenario_hash,
            meta.seed
        )?;
        out!("{}", liq_replay::render_table(&report))?;
        out!("{verdict}")?;
    }
    Ok(())
}
