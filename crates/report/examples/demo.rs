//! Builds a full report from the default scenario: the instant cascade, a Monte Carlo stress
//! run, the BTC critical-shock sweep and a BTC liquidation map (the network crate's), and writes the HTML, the
//! result JSON and the SVG plots. Shows the calls the CLI makes.
//!
//! `cargo run --release -p liq-report --example demo -- OUT_DIR [ACCOUNTS] [PATHS]`

use liq_engine::{Cascade, EngineModel};
use liq_io::output::RunMeta;
use liq_report::ReportInput;
use liq_stress::{run_paths, summarise, Copula, MonteCarloConfig, Portfolio, StressContext};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "report-demo".into()));
    let accounts: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(120_000);
    let paths: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    std::fs::create_dir_all(&out)?;
    let scenario = liq_io::default_scenario::default_scenario_with_accounts(accounts)?;
    let model = EngineModel::new(&scenario)?;
    let meta = RunMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(&scenario),
        seed: scenario.seed,
        venue: scenario.venue.name().to_string(),
        adl_policy: scenario.engine.adl_policy.name().to_string(),
        margin_tables: Vec::new(),
        collateral_tables: Vec::new(),
        shock: scenario.markets.iter().map(|m| m.symbol.clone()).zip(model.shock().iter().copied()).collect(),
    };
    let report = Cascade::new(&model).report(&model);
    let n = model.n_markets();
    let cfg = MonteCarloConfig {
        paths,
        horizon_s: 3600.0,
        steps: 60,
        copula: Copula::StudentT { df: 4.0 },
        daily_vol: vec![0.032, 0.035, 0.053][..n].to_vec(),
        correlation: (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.82 }).collect()).collect(),
        seed: scenario.seed,
    };
    let portfolio = Portfolio::Aggregate;
    let ctx = StressContext {
        version: meta.version.clone(),
        scenario: meta.scenario.clone(),
        scenario_hash: meta.scenario_hash.clone(),
        markets: model.markets.iter().map(|m| m.symbol.clone()).collect(),
        config: cfg.clone(),
        portfolio: portfolio.label(),
        deltas_usd: portfolio.deltas_usd(&model),
        throughput_per_step: None,
        venue: "binance".into(),
        adl_policy: "venue".into(),
    };
    let rows = run_paths(&model, &cfg, &portfolio, 0..cfg.paths, None, &|_| {})?;
    let stress = summarise(&ctx, &rows);
    let grid: Vec<f64> = (1..=20).map(|i| -0.01 * i as f64).collect();
    let critical = liq_stress::critical::critical_shock(&model, 0, &grid, 2.0, 0.0025);
    let units = liq_network::units::unit_views(&model);
    let map = liq_network::liqmap::liquidation_map(
        &model,
        &units,
        0,
        &liq_network::liqmap::MapOptions { range: 0.15, bin_width: 0.01, cascade: true },
    )?;
    let input = ReportInput::from_cascade(&meta, &report)
        .with_stress(&ctx, &stress)
        .with_critical(&critical)
        .with_liquidation_map(&map);
    input.write_json(&out.join("result.json"))?;
    std::fs::write(out.join("report.html"), liq_report::render_html(&input))?;
    for p in liq_report::write_plots(&input, &out.join("plots"))? {
        println!("{}", p.display());
    }
    println!("{}", out.join("report.html").display());
    Ok(())
}
