//! The embedded default scenario: Binance BTC/ETH/SOL perpetuals with a generated population.
//!
//! The TOML (`scenarios/default.toml`, every number sourced in its comments and in
//! `docs/default-scenario.md`) and the depth profile it names are compiled into the binary with
//! `include_str!`, so the default run needs no file and never reads `../shared` at run time.

use crate::population::{generate_population, PopulationSpec};
use crate::{parse_scenario_str, Format, IoError};
use liq_domain::Scenario;
use std::path::Path;

/// The default scenario's TOML text.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../scenarios/default.toml");

/// The name the default scenario's messages use for its origin.
pub const DEFAULT_ORIGIN: &str = "<embedded>/default.toml";

/// Loads the embedded default scenario.
pub fn default_scenario() -> Result<Scenario, IoError> {
    parse_scenario_str(DEFAULT_SCENARIO_TOML, Format::Toml, Path::new(DEFAULT_ORIGIN))
}

/// The default scenario on another venue preset (`run --venue dydx`): its markets' tiers are
/// `"preset"`, so they switch to that venue's published tables along with the rulebook. The
/// generated population is drawn with the same seed but against the venue's table (leverage
/// clamped to the tier's max, sizes to the position limit, entries redrawn that would already be
/// under the venue's maintenance), so accounts differ only where the venue's limits bind.
pub fn default_scenario_for_venue(venue: liq_domain::VenuePreset) -> Result<Scenario, IoError> {
    crate::parse_scenario_str_for_venue(
        DEFAULT_SCENARIO_TOML,
        Format::Toml,
        Path::new(DEFAULT_ORIGIN),
        Some(venue),
    )
}

/// The default scenario with its generated population resized to `accounts` (benchmarks and
/// scaling studies). The population stands for a larger slice of the venue, so the book depth
/// and the insurance fund scale with it (the default's depth and fund are already scaled to its
/// share of Binance's open interest, see `scenarios/default.toml`); everything else is unchanged.
pub fn default_scenario_with_accounts(accounts: u32) -> Result<Scenario, IoError> {
    let mut s = default_scenario()?;
    let spec = default_population_spec();
    let ratio = accounts as f64 / spec.accounts as f64;
    // Spot books and the arbitrageurs' capacity are slices of the market too (their capacity is
    // the spot depth inside their cost band per resilience time, so it scales with depth).
    let spot_books = s.price.spot.iter_mut().map(|m| &mut m.book);
    for book in s.books.iter_mut().chain(spot_books) {
        if let liq_domain::BookSpec::Profile(p) = book {
            p.bid_notional_usd.iter_mut().chain(p.ask_notional_usd.iter_mut()).for_each(|x| *x *= ratio);
        }
    }
    s.price.arbitrage.iter_mut().for_each(|a| a.capacity_usd_per_s *= ratio);
    s.insurance_fund = liq_domain::Money::from_usd(s.insurance_fund.usd() * ratio);
    let spec = PopulationSpec { accounts, ..spec };
    s.accounts = generate_population(&spec, &s.markets, &s.assets, s.seed)
        .map_err(|e| IoError::from_domain(Path::new(DEFAULT_ORIGIN), e))?;
    Ok(s)
}

/// The `[population]` section of the default scenario.
pub fn default_population_spec() -> PopulationSpec {
    #[derive(serde::Deserialize)]
    struct Only {
        population: PopulationSpec,
    }
    // The embedded file is part of the build and covered by tests; a failure here is a bug in
    // the repository, not in user input.
    let only: Only =
        toml::from_str(DEFAULT_SCENARIO_TOML).expect("embedded default.toml has a valid [population]");
    only.population
}

/// The default scenario (on `venue` if given) with its population drawn from the mirrored
/// history (`history.mirror`, `--skew`): the same seed and distributions, the other side near
/// liquidation. The name records it (`…+mirrored-history`).
pub fn default_scenario_mirrored(venue: Option<liq_domain::VenuePreset>) -> Result<Scenario, IoError> {
    let mut s = match venue {
        Some(v) => default_scenario_for_venue(v)?,
        None => default_scenario()?,
    };
    let mut spec = default_population_spec();
    spec.history.mirror = true;
    s.accounts = generate_population(&spec, &s.markets, &s.assets, s.seed)
        .map_err(|e| IoError::from_domain(Path::new(DEFAULT_ORIGIN), e))?;
    s.name = format!("{}+mirrored-history", s.name);
    Ok(s)
}
