//! `liqcascade sensitivity`: the tornado of second-order notional over the inputs that drive it
//! (`liq_stress::sensitivity`), as a terminal table or one JSON object.

use crate::run_cmd::{load_for_venue, parse_shocks};
use crate::InputError;
use anyhow::Result;
use clap::Args;
use liq_io::output::RunMeta;
use liq_stress::sensitivity::Sensitivity;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// The instant shock: MARKET=MOVE, e.g. BTC=-10%. Repeatable (default: the scenario's).
    #[arg(long = "shock", value_name = "MARKET=MOVE")]
    pub shocks: Vec<String>,
    /// Run under another venue preset's rules (binance, bybit, hyperliquid, dydx).
    #[arg(long)]
    pub venue: Option<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

pub fn run(args: SensitivityArgs) -> Result<()> {
    crate::outputs::Outputs::default().report_flags(&args.out).scenario(args.scenario.as_ref()).check()?;
    let mut scenario = load_for_venue(args.scenario.as_ref(), args.venue.as_deref())?;
    if let Some(moves) = parse_shocks(&scenario, &args.shocks)? {
        scenario.shock = liq_domain::Shock::PerMarket(moves);
    }
    let model = liq_engine::EngineModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    let meta = crate::run_cmd::run_meta(&scenario, &model);
    // Leverage can only be varied where the accounts are the embedded default's generated
    // population: rebuild it with the median leverage scaled.
    let regen = |f: f64| -> Result<Vec<liq_domain::Account>, String> {
        let mut spec = liq_io::default_scenario::default_population_spec();
        spec.leverage.median *= f;
        liq_io::population::generate_population(&spec, &scenario.markets, &scenario.assets, scenario.seed)
            .map_err(|e| e.to_string())
    };
    let regenerate: Option<&(dyn Fn(f64) -> Result<Vec<liq_domain::Account>, String> + Sync)> =
        if args.scenario.is_none() { Some(&regen) } else { None };
    let t = liq_stress::sensitivity::sensitivity(
        &scenario,
        model.venues[0].rulebook.unwind.participation,
        regenerate,
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    if args.out.wanted() {
        // The tornado, with the scenario's own cascade at the shock for context.
        let report = liq_engine::Cascade::new(&model).report(&model);
        let input = crate::report_cmd::assemble(&meta, &model, &report)?.with_sensitivity(&t);
        crate::report_cmd::emit(&args.out, &input)?;
    }
    if args.json {
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            meta: &'a RunMeta,
            sensitivity: &'a Sensitivity,
        }
        outln!("{}", serde_json::to_string_pretty(&Doc { meta: &meta, sensitivity: &t })?)?;
    } else {
        out!("{}", render(&meta, &t))?;
    }
    Ok(())
}

/// The tornado as a table with a bar per parameter (swing relative to the largest).
pub fn render(meta: &RunMeta, t: &Sensitivity) -> String {
    use crate::table::usd;
    let mut o = String::new();
    let shock: Vec<String> = meta
        .shock
        .iter()
        .filter(|(_, m)| *m != 0.0)
        .map(|(s, m)| format!("{s} {}", crate::table::pct(*m)))
        .collect();
    let _ = writeln!(
        o,
        "liqcascade {} · sensitivity · scenario {} ({}) · venue {} · seed {} · shock {}",
        meta.version,
        meta.scenario,
        meta.scenario_hash,
        meta.venue,
        meta.seed,
        if shock.is_empty() { "none".into() } else { shock.join(", ") }
    );
    let _ = writeln!(
        o,
        "second-order notional at the scenario's values: {} (of {} liquidated)\n",
        usd(t.second_order_base_usd),
        usd(t.liquidated_base_usd)
    );
    let _ = writeln!(
        o,
        "  {:<30} {:>8} {:>18} {:>14} {:>14} {:>12}  ",
        "parameter", "low", "high", "2nd order low", "2nd order high", "swing"
    );
    let max = t.rows.iter().map(|r| r.swing_usd).fold(0.0, f64::max);
    for r in &t.rows {
        let bar = if max > 0.0 { (r.swing_usd / max * 24.0).round() as usize } else { 0 };
        let _ = writeln!(
            o,
            "  {:<30} {:>8} {:>18} {:>14} {:>14} {:>12}  {}",
            r.parameter,
            r.low,
            r.high,
            usd(r.second_order_low_usd),
            usd(r.second_order_high_usd),
            usd(r.swing_usd),
            "█".repeat(bar)
        );
    }
    for s in &t.skipped {
        let _ = writeln!(o, "  (not varied: {s})");
    }
    o
}
