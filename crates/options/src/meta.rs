//! The metadata every `run`-like output records (the `meta` object of `run --json`).

use liq_domain::Scenario;
use liq_engine::EngineModel;
use liq_io::output::RunMeta;

/// Version, scenario and its hash, seed, venue, margin tables and the shock the model runs.
pub fn run_meta(scenario: &Scenario, model: &EngineModel) -> RunMeta {
    RunMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(scenario),
        seed: scenario.seed,
        venue: scenario.venue.name().to_string(),
        margin_tables: liq_io::output::margin_tables(scenario),
        shock: scenario.markets.iter().map(|m| m.symbol.clone()).zip(model.shock().iter().copied()).collect(),
    }
}
