//! Several venues in one scenario: which venue each perpetual market is listed on, and each
//! venue's preset (rulebook, tier tables, mark rule), insurance fund and mark rule.
//!
//! This module owns the *validated* venue map. An empty map is the single-venue scenario of
//! `Scenario::venue` and `Scenario::insurance_fund` (every market on venue 0), and it is
//! skipped when a scenario is serialised, so a single-venue scenario, its hash and every output
//! derived from it are unchanged by the existence of this map.
//!
//! The map is a list beside `Scenario::markets` rather than a field of `MarketSpec`: the market
//! spec is shared with the impact crate, the agent-based market and calibration, none of which
//! has a notion of venue.

use crate::ids::{MarketId, VenueId};
use crate::money::Money;
use crate::price_formation::MarkRule;
use crate::scenario::VenuePreset;
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// One venue of a multi-venue scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VenueSpec {
    /// Unique name in the scenario (`binance`, `bybit-eu`, …).
    pub name: String,
    /// Whose rulebook, tier tables and published mark rule apply.
    pub preset: VenuePreset,
    /// The venue's own insurance fund (or backstop vault) at the start.
    pub insurance_fund: Money,
    /// The venue's mark rule (`MarkRule::Venue` = the preset's published rule).
    pub mark: MarkRule,
}

/// Which venue each market is listed on. Empty = one venue (the scenario's `venue`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VenueMap {
    pub venues: Vec<VenueSpec>,
    /// One per market, same order as `Scenario::markets`.
    pub market_venue: Vec<VenueId>,
}

impl VenueMap {
    /// Whether this is the single-venue scenario (nothing to serialise).
    pub fn is_single(&self) -> bool {
        self.venues.is_empty()
    }

    /// The venue of market `k` (0 for a single-venue scenario).
    #[inline]
    pub fn venue_of(&self, k: MarketId) -> VenueId {
        self.market_venue.get(k.idx()).copied().unwrap_or(VenueId(0))
    }

    /// Index of the venue with this name (case-insensitive).
    pub fn by_name(&self, name: &str) -> Option<VenueId> {
        self.venues.iter().position(|v| v.name.eq_ignore_ascii_case(name.trim())).map(|i| VenueId(i as u16))
    }

    /// Checks the map against `n_markets` markets: a venue for every market, every market's venue
    /// known, names unique and non-empty.
    pub fn validate(&self, n_markets: usize) -> Result<(), DomainError> {
        if self.is_single() {
            return if self.market_venue.iter().all(|v| v.0 == 0) {
                Ok(())
            } else {
                Err(DomainError::new("markets.venue", "a market names a venue but the scenario has none"))
            };
        }
        if self.venues.len() > u16::MAX as usize {
            return Err(DomainError::new("venues", "too many venues"));
        }
        for (i, v) in self.venues.iter().enumerate() {
            if v.name.trim().is_empty() {
                return Err(DomainError::new(format!("venues[{i}].name"), "must not be empty"));
            }
            if let Some(j) = self.venues[..i].iter().position(|o| o.name.eq_ignore_ascii_case(&v.name)) {
                return Err(DomainError::new(
                    format!("venues[{i}].name"),
                    format!("duplicate: venues[{j}] is also \"{}\"", v.name),
                ));
            }
            if v.insurance_fund.0 < 0 {
                return Err(DomainError::new(
                    format!("venues[{i}].insurance_fund_usd"),
                    "must not be negative",
                ));
            }
        }
        if self.market_venue.len() != n_markets {
            return Err(DomainError::new(
                "markets.venue",
                format!("{} venue entries for {n_markets} markets", self.market_venue.len()),
            ));
        }
        for (k, v) in self.market_venue.iter().enumerate() {
            if v.idx() >= self.venues.len() {
                return Err(DomainError::new(
                    format!("markets[{k}].venue"),
                    format!("unknown venue index {v}"),
                ));
            }
        }
        Ok(())
    }
}
