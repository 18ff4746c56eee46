//! `liqcascade stress` on a lending book (`venue = "aave-v3"`): Monte Carlo paths of the
//! reserves' prices (`liq_stress::lending`), each run through the lending engine, summarised as
//! distributions of collateral seized, its second-order part, the deficit and the liquidators'
//! P&L; a table, or `--json`.
//!
//! What the perp stress has and this does not (refused, not ignored): portfolios, throughput,
//! shards and per-path files, the HTML report, `--venue`.

use crate::stress_cmd::StressArgs;
use crate::table::{thousands, usd};
use crate::InputError;
use anyhow::{Context, Result};
use liq_engine::LendingModel;
use liq_stress::lending::{run_lending_paths, summarise_lending, Distribution, LendingStressSummary};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Serialize)]
struct Meta<'a> {
    version: &'a str,
    scenario: &'a str,
    scenario_hash: String,
    venue: &'a str,
    seed: u64,
    paths: u64,
    horizon_s: f64,
    steps: usize,
    reserves: Vec<String>,
    daily_vol: &'a [f64],
    correlation: &'a [Vec<f64>],
    copula: String,
}

#[derive(Serialize)]
struct Document<'a> {
    meta: Meta<'a>,
    lending_stress: &'a LendingStressSummary,
}

pub fn run(args: StressArgs) -> Result<()> {
    for (flag, given) in [
        ("--portfolio", args.portfolio != "aggregate"),
        ("--throughput", args.mc.throughput.is_some()),
        ("--hedge", args.hedge.is_some()),
        ("--shard", args.shard.is_some()),
        ("--parquet", args.parquet.is_some()),
        ("--csv", args.csv.is_some()),
        ("--venue", args.venue.is_some()),
        ("--report/--result/--plots", args.out.wanted()),
    ] {
        if given {
            return Err(InputError(format!(
                "{flag} is not supported by stress on a lending venue (aave-v3) yet"
            ))
            .into());
        }
    }
    crate::outputs::Outputs::default()
        .scenario(args.scenario.as_ref())
        .input(args.mc.corr_file.as_deref())
        .check()?;
    let file = args.scenario.as_ref().context("a lending stress needs a scenario file")?;
    let scenario = liq_io::load_lending_scenario(file).map_err(|e| InputError(e.to_string()))?;
    let model = LendingModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    let symbols = model.symbols();
    let opts = crate::stress_cmd::options(&args.mc)?;
    let cfg = liq_options::lending_stress::lending_config(&opts, &symbols, scenario.seed)
        .map_err(|e| InputError(e.0))?;
    let rows = run_lending_paths(&model, &cfg, 0..cfg.paths).map_err(|e| InputError(e.to_string()))?;
    let summary = summarise_lending(&rows);
    let meta = Meta {
        version: env!("CARGO_PKG_VERSION"),
        scenario: &scenario.name,
        scenario_hash: liq_io::hash::lending_scenario_hash(&scenario),
        venue: "aave-v3",
        seed: cfg.seed,
        paths: cfg.paths,
        horizon_s: cfg.horizon_s,
        steps: cfg.steps,
        reserves: symbols,
        daily_vol: &cfg.daily_vol,
        correlation: &cfg.correlation,
        copula: format!("{:?}", cfg.copula),
    };
    if args.json {
        let doc = Document { meta, lending_stress: &summary };
        crate::outputs::print(&format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
    } else {
        out!("{}", render(&meta, &summary))?;
    }
    Ok(())
}

fn render(meta: &Meta, s: &LendingStressSummary) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "liqcascade {} · stress · scenario {} ({}) · venue aave-v3 · seed {} · {} paths of {} s",
        meta.version,
        meta.scenario,
        meta.scenario_hash,
        meta.seed,
        thousands(meta.paths as f64),
        meta.horizon_s
    );
    let _ = writeln!(o, "paths with a liquidation: {:.1}%\n", 100.0 * s.share_with_liquidations);
    let _ =
        writeln!(o, "  {:<34} {:>14} {:>14} {:>14} {:>14} {:>14}", "", "mean", "p50", "p95", "p99", "max");
    let row = |o: &mut String, k: &str, d: &Distribution| {
        let _ = writeln!(
            o,
            "  {k:<34} {:>14} {:>14} {:>14} {:>14} {:>14}",
            usd(d.mean),
            usd(d.p50),
            usd(d.p95),
            usd(d.p99),
            usd(d.max)
        );
    };
    row(&mut o, "Collateral seized", &s.seized_usd);
    row(&mut o, "  second-order (liquidators' sales)", &s.second_order_usd);
    row(&mut o, "  no-impact counterfactual", &s.counterfactual_seized_usd);
    row(&mut o, "Deficit (debt burnt)", &s.deficit_usd);
    row(&mut o, "Liquidators' P&L", &s.liquidator_pnl_usd);
    o
}
