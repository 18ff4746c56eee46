//! HTML reports: `liqcascade report RESULT.json --out report.html`, and the `--report` /
//! `--result` flags of `run` and `stress`, which assemble a [`ReportInput`] from the run plus a
//! shock→loss sweep and a liquidation map of the shocked market.

use crate::InputError;
use anyhow::{Context, Result};
use clap::Args;
use liq_engine::{CascadeReport, EngineModel};
use liq_io::output::RunMeta;
use liq_report::ReportInput;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A result JSON written by `run --result` or `stress --result`.
    pub result: PathBuf,
    /// The HTML file to write.
    #[arg(long, default_value = "report.html")]
    pub out: PathBuf,
    /// Also write every chart as its own SVG into this directory.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
}

/// Output flags shared by `run` and `stress`.
#[derive(Args, Debug, Default, Clone)]
pub struct ReportFlags {
    /// Write a self-contained HTML report (interactive charts, the library inlined: works offline) here.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Write the report's input as JSON (re-render it later with `liqcascade report`).
    #[arg(long, value_name = "FILE.json")]
    pub result: Option<PathBuf>,
    /// Write every chart as its own SVG into this directory.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
}

impl ReportFlags {
    pub fn wanted(&self) -> bool {
        self.report.is_some() || self.result.is_some() || self.plots.is_some()
    }

    /// Refuses `--plots` on a command whose report has no static chart (the SVGs cover the
    /// cascade's and the Monte Carlo's charts), instead of writing an empty directory.
    pub fn no_static_charts(&self, command: &str) -> Result<(), InputError> {
        match &self.plots {
            Some(_) => Err(InputError(format!(
                "--plots: `{command}` has no static SVG charts (they cover cascade and Monte Carlo runs); \
                 its charts are in the --report page"
            ))),
            None => Ok(()),
        }
    }
}

/// The report of a cascade run, with the curve and map of the market the shock hits hardest.
pub fn assemble(meta: &RunMeta, model: &EngineModel, report: &CascadeReport) -> Result<ReportInput> {
    let mut input = ReportInput::from_cascade(meta.clone(), report);
    let k = model
        .shock()
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(k, _)| k)
        .unwrap_or(0);
    let sign = if model.shock().get(k).copied().unwrap_or(-1.0) > 0.0 { 1.0 } else { -1.0 };
    let grid: Vec<f64> = (1..=20).map(|i| sign * 0.015 * i as f64).collect();
    input = input.with_critical(&liq_stress::critical::critical_shock(model, k, &grid, 2.0, 1e-4));
    let units = liq_network::units::unit_views(model);
    let map =
        liq_network::liqmap::liquidation_map(model, &units, k, &liq_network::liqmap::MapOptions::default())
            .map_err(|e| InputError(e.to_string()))?;
    let leverage = leverage_map(model, &units, &map, report, k);
    Ok(input.with_liquidation_map(&map).with_leverage_map(leverage))
}

/// The price × leverage map of market `k`: each first-order level of the liquidation map, with
/// its unit's starting leverage (gross notional / equity at the starting marks), over the map's
/// bins; the run's trough and peak mark say which levels the path consumed.
fn leverage_map(
    model: &EngineModel,
    units: &[liq_network::units::UnitView],
    map: &liq_network::liqmap::LiquidationMap,
    report: &CascadeReport,
    k: usize,
) -> liq_report::input::LeverageMap {
    let lev: std::collections::HashMap<u32, f64> = units
        .iter()
        .filter(|u| u.isolated_slot.is_none() || u.positions.iter().any(|p| p.0 == k))
        .map(|u| {
            let gross: f64 = u.positions.iter().map(|&(m, q)| q.abs() * model.mark0[m]).sum();
            (u.account, if u.equity0 > 0.0 { gross / u.equity0 } else { f64::INFINITY })
        })
        .collect();
    let mut edges: Vec<f64> = map.bins.iter().map(|b| b.price_lo).collect();
    edges.extend(map.bins.last().map(|b| b.price_hi));
    let m = &report.outcome.markets[k];
    liq_report::input::leverage_map(
        &map.market,
        map.mark,
        edges,
        map.levels
            .iter()
            .map(|l| (l.price, l.notional_usd, lev.get(&l.account).copied().unwrap_or(f64::INFINITY))),
        (m.mark_trough, m.mark_peak),
    )
}

/// Writes what the flags ask for.
pub fn emit(flags: &ReportFlags, input: &ReportInput) -> Result<()> {
    if let Some(p) = &flags.result {
        liq_io::output::write_file_via(p, |tmp| input.write_json(tmp))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &flags.report {
        let html = liq_report::try_render_html(input).context("rendering the report")?;
        liq_io::output::write_file_with(p, |w| w.write_all(html.as_bytes()))
            .with_context(|| format!("writing {}", p.display()))?;
        if !crate::quiet() {
            eprintln!("report written to {}", p.display());
        }
    }
    if let Some(dir) = &flags.plots {
        let files = liq_io::output::write_dir_via(dir, |tmp| liq_report::write_plots(input, tmp).map(|_| ()))
            .context("writing the charts")?;
        if !crate::quiet() {
            eprintln!("{} charts written to {}", files.len(), dir.display());
        }
    }
    Ok(())
}

pub fn run(args: ReportArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .file("out", Some(&args.out))
        .dir("plots", args.plots.as_ref())
        .input(Some(&args.result))
        .check()?;
    let input = ReportInput::read_json(&args.result).map_err(|e| InputError(e.to_string()))?;
    let flags = ReportFlags { report: Some(args.out), result: None, plots: args.plots };
    emit(&flags, &input)
}
