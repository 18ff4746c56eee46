//! `liqcascade run`: one instant shock through the round-based cascade.

use crate::table;
use crate::InputError;
use anyhow::{Context, Result};
use clap::Args;
use liq_domain::Scenario;
use liq_engine::{Cascade, EngineModel};
use liq_io::output::{RunDocument, RunMeta};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Override the shock: MARKET=MOVE, e.g. BTC=-8% or ETHUSDT=-0.05. Repeatable; markets not
    /// named are left unshocked once any --shock is given.
    #[arg(long = "shock", value_name = "MARKET=MOVE")]
    pub shocks: Vec<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write the event log (every liquidation) to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub events: Option<PathBuf>,
}

/// Loads the scenario the arguments name (or the default).
pub fn load(path: Option<&PathBuf>) -> Result<Scenario> {
    match path {
        Some(p) => liq_io::load_scenario(p).map_err(|e| InputError(e.to_string()).into()),
        None => liq_io::default_scenario::default_scenario()
            .map_err(|e| anyhow::anyhow!("the embedded default scenario failed to load: {e}")),
    }
}

/// Parses `MARKET=MOVE` (`-8%` or `-0.08`) against the scenario's markets.
pub fn parse_shocks(scenario: &Scenario, args: &[String]) -> Result<Option<Vec<f64>>> {
    if args.is_empty() {
        return Ok(None);
    }
    let mut moves = vec![0.0; scenario.markets.len()];
    for a in args {
        let (market, mv) = a
            .split_once('=')
            .ok_or_else(|| InputError(format!("--shock {a}: expected MARKET=MOVE, e.g. BTC=-8%")))?;
        let id = scenario.market_by_symbol(market.trim()).ok_or_else(|| {
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            InputError(format!("--shock {a}: unknown market '{market}' (markets: {})", known.join(", ")))
        })?;
        let mv = mv.trim();
        let value = match mv.strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
            None => mv.parse::<f64>(),
        }
        .map_err(|_| InputError(format!("--shock {a}: '{mv}' is not a number (use -8% or -0.08)")))?;
        if !value.is_finite() || value <= -1.0 {
            return Err(InputError(format!("--shock {a}: a move must be finite and above -100%")).into());
        }
        moves[id.idx()] = value;
    }
    Ok(Some(moves))
}

pub fn run(args: RunArgs) -> Result<()> {
    let scenario = load(args.scenario.as_ref())?;
    let shock = parse_shocks(&scenario, &args.shocks)?;
    let mut scenario = scenario;
    if let Some(moves) = shock {
        scenario.shock = liq_domain::Shock::PerMarket(moves);
    }
    let model = EngineModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    let meta = RunMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(&scenario),
        seed: scenario.seed,
        venue: scenario.venue.name().to_string(),
        shock: scenario.markets.iter().map(|m| m.symbol.clone()).zip(model.shock().iter().copied()).collect(),
    };
    let mut cascade = Cascade::new(&model);
    let report = cascade.report(&model);
    if let Some(path) = &args.events {
        liq_io::output::write_events_csv_file(path, &model, &report.outcome.events)
            .with_context(|| format!("writing the event log to {}", path.display()))?;
    }
    if args.json {
        let doc = RunDocument::new(&meta, &report);
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{}", table::render_run(&meta, &report, scenario.accounts.len()));
    }
    Ok(())
}
