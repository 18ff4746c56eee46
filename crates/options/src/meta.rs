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
        // Several venues: their names, joined.
        venue: if scenario.venues.is_single() {
            scenario.venue.name().to_string()
        } else {
            scenario.venues.venues.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join("+")
        },
        adl_policy: scenario.engine.adl_policy.name().to_string(),
        margin_tables: liq_io::output::margin_tables(scenario),
        shock: (0..scenario.markets.len())
            .map(|k| {
                let sym = &scenario.markets[k].symbol;
                // Several venues list one symbol: name the venue too.
                if scenario.venues.is_single() {
                    sym.clone()
                } else {
                    format!(
                        "{}:{sym}",
                        scenario.venue_name(scenario.venue_of(liq_domain::MarketId(k as u16)))
                    )
                }
            })
            .zip(model.shock().iter().copied())
            .collect(),
        collateral_tables: liq_io::output::collateral_tables(scenario),
    }
}
