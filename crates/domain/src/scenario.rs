//! The validated scenario: everything one cascade run needs, in dense `Vec`s indexed by the typed
//! ids. Every mode (instant shock, shock path, Monte Carlo, agent-based) starts from this shape.

use crate::account::{Account, AssetSpec};
use crate::book::BookSpec;
use crate::market::MarketSpec;
use crate::money::Money;
use crate::price_formation::{MarkRule, PriceFormation};
use serde::{Deserialize, Serialize};

/// Which venue's liquidation rulebook applies (the rules live in `liq-margin::rulebook`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VenuePreset {
    Binance,
    Bybit,
    Hyperliquid,
    Dydx,
}

impl VenuePreset {
    pub const ALL: [VenuePreset; 4] =
        [VenuePreset::Binance, VenuePreset::Bybit, VenuePreset::Hyperliquid, VenuePreset::Dydx];

    pub fn name(self) -> &'static str {
        match self {
            VenuePreset::Binance => "binance",
            VenuePreset::Bybit => "bybit",
            VenuePreset::Hyperliquid => "hyperliquid",
            VenuePreset::Dydx => "dydx",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(s))
    }
}

/// The exogenous instant shock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shock {
    /// Relative move per market (−0.08 = −8%), one entry per market.
    PerMarket(Vec<f64>),
    /// A common factor move times each market's beta: `move[i] = beta[i] × factor`.
    Factor { factor: f64, betas: Vec<f64> },
}

impl Shock {
    /// The relative move of each market.
    pub fn moves(&self, n_markets: usize) -> Vec<f64> {
        match self {
            Shock::PerMarket(m) => (0..n_markets).map(|i| m.get(i).copied().unwrap_or(0.0)).collect(),
            Shock::Factor { factor, betas } => {
                (0..n_markets).map(|i| factor * betas.get(i).copied().unwrap_or(0.0)).collect()
            }
        }
    }
}

/// Parameters of the parametric square-root impact law ΔP/P = Y·σ·(Q/V)^δ for one market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SquareRootParams {
    /// The prefactor Y (of order 1 in the empirical literature).
    pub y: f64,
    /// The exponent δ (≈ 0.5).
    pub delta: f64,
    /// Daily volatility σ (fraction).
    pub daily_volatility: f64,
    /// Daily traded volume V, USD.
    pub daily_volume_usd: f64,
}

/// Which price-impact model liquidation orders meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactKind {
    /// Walk the L2 books given in `Scenario::books`.
    Book,
    /// The square-root law, one parameter set per market.
    SquareRoot(Vec<SquareRootParams>),
}

/// Liquidity withdrawal: market makers pull depth as the realised move grows. The multiplier on
/// resting depth is `max(floor, exp(−sensitivity × |move|))`, where `move` is the relative change
/// of the mid since the start of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawalConfig {
    pub sensitivity: f64,
    pub floor: f64,
}

/// Price formation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactConfig {
    pub kind: ImpactKind,
    /// Resilience time constant τ (seconds): consumed depth refills as `1 − exp(−Δt/τ)`.
    pub resilience_tau_s: f64,
    pub withdrawal: WithdrawalConfig,
    /// Cross-impact matrix Λ: a relative mid move `r_i` caused by liquidation flow in market `i`
    /// moves market `j` by `Λ[j][i] × r_i` (diagonal ignored). Empty = no cross-impact.
    pub cross_impact: Vec<Vec<f64>>,
}

/// Cascade-engine settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Maximum number of rounds; hitting it is reported.
    pub round_cap: u32,
    /// Wall-clock time a round stands for (seconds), used by resilience between rounds.
    pub round_duration_s: f64,
    /// The mark-price rule. Scenario files default to [`MarkRule::Venue`] (the venue's published
    /// rule); [`MarkRule::Blend`] is only ever an explicit choice.
    pub mark: MarkRule,
    /// Which ADL policy runs: the venue's published ranking, or pro-rata for comparison.
    #[serde(default)]
    pub adl_policy: AdlMode,
}

/// The ADL policy a run uses (`engine.adl_policy`, `run --adl-policy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdlMode {
    /// The venue's published ranking and execution (`liq_margin::rulebook`).
    #[default]
    Venue,
    /// Every eligible opposite position closes by the same fraction of its size: the
    /// comparison the 2025-10-10 analyses ask for.
    ProRata,
}

impl AdlMode {
    pub fn parse(s: &str) -> Option<AdlMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "venue" | "ranked" => Some(AdlMode::Venue),
            "pro-rata" | "pro_rata" | "prorata" => Some(AdlMode::ProRata),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            AdlMode::Venue => "venue",
            AdlMode::ProRata => "pro-rata",
        }
    }
}

impl Default for EngineConfig {
    /// The builders' default for unit tests of the engine, where one book is the whole market and
    /// the mark follows it (`Blend { book_weight: 1 }`). Scenario files never get this default:
    /// `liq-io` sets [`MarkRule::Venue`] unless the file names a rule.
    fn default() -> Self {
        Self {
            round_cap: 100,
            round_duration_s: 1.0,
            mark: MarkRule::Blend { book_weight: 1.0 },
            adl_policy: AdlMode::Venue,
        }
    }
}

/// A complete, validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub seed: u64,
    pub venue: crate::scenario::VenuePreset,
    pub markets: Vec<MarketSpec>,
    /// One book per market, same order as `markets`.
    pub books: Vec<BookSpec>,
    pub assets: Vec<AssetSpec>,
    pub accounts: Vec<Account>,
    pub insurance_fund: Money,
    pub shock: Shock,
    pub impact: ImpactConfig,
    pub engine: EngineConfig,
    /// Spot markets, index, arbitrage and funding (empty = a static index).
    #[serde(default)]
    pub price: PriceFormation,
    /// Exogenous market flow into each perpetual's book at the start, USD (negative = a forced
    /// seller). Empty = none.
    #[serde(default)]
    pub book_shock_usd: Vec<f64>,
    /// Several venues: each market's venue, each venue's preset and fund. Empty = the one venue
    /// `venue` with `insurance_fund` (skipped when serialised, so single-venue scenarios and
    /// their hashes are unchanged).
    #[serde(default, skip_serializing_if = "crate::venue::VenueMap::is_single")]
    pub venues: crate::venue::VenueMap,
    /// Tiered collateral value ratios, collateral price paths, auto-exchange and where sold
    /// collateral goes (empty = flat haircuts, the venue's rules, sales into the book).
    #[serde(default)]
    pub collateral: crate::collateral::CollateralSpec,
    /// Leveraged tokens, dealer hedging and stop clusters (empty = liquidations are the only
    /// forced flow). Not serialised when empty, so scenarios without flows keep their hash.
    #[serde(default, skip_serializing_if = "crate::flows::FlowsSpec::is_empty")]
    pub flows: crate::flows::FlowsSpec,
    /// Mitigation policies (`[policy]`; empty = the venue's rules). Not serialised when off, so
    /// scenarios without a policy keep their hash.
    #[serde(default, skip_serializing_if = "crate::policy::PolicySpec::is_off")]
    pub policy: crate::policy::PolicySpec,
}

impl Scenario {
    /// Number of venues (1 for a single-venue scenario).
    pub fn n_venues(&self) -> usize {
        self.venues.venues.len().max(1)
    }

    /// The venue of market `k`.
    #[inline]
    pub fn venue_of(&self, k: crate::ids::MarketId) -> crate::ids::VenueId {
        self.venues.venue_of(k)
    }

    /// The preset of venue `v` (the scenario's `venue` for a single-venue scenario).
    pub fn venue_preset(&self, v: crate::ids::VenueId) -> VenuePreset {
        self.venues.venues.get(v.idx()).map(|x| x.preset).unwrap_or(self.venue)
    }

    /// The insurance fund of venue `v` at the start.
    pub fn venue_fund(&self, v: crate::ids::VenueId) -> Money {
        self.venues.venues.get(v.idx()).map(|x| x.insurance_fund).unwrap_or(self.insurance_fund)
    }

    /// The mark rule of venue `v` (the engine's rule for a single-venue scenario).
    pub fn venue_mark(&self, v: crate::ids::VenueId) -> MarkRule {
        self.venues.venues.get(v.idx()).map(|x| x.mark).unwrap_or(self.engine.mark)
    }

    /// The name of venue `v` (the preset's name for a single-venue scenario).
    pub fn venue_name(&self, v: crate::ids::VenueId) -> String {
        match self.venues.venues.get(v.idx()) {
            Some(x) => x.name.clone(),
            None => self.venue.name().to_string(),
        }
    }

    /// The underlying asset of market `k` as a key: its symbol without the quote suffix
    /// (`BTCUSDT`, `BTC-USD`, `BTC-PERP` and `BTC` are all `BTC`). Markets of one asset on several
    /// venues share that asset's spot markets.
    pub fn market_asset_key(&self, k: crate::ids::MarketId) -> String {
        asset_key(&self.markets[k.idx()].symbol)
    }

    /// Every market `name` names: one per venue. `VENUE:SYMBOL` (multi-venue scenarios) names
    /// that venue's market; a bare symbol names its market on every venue that lists it (an
    /// asset-wide move). Symbols match as in [`Scenario::market_by_symbol`].
    pub fn markets_matching(&self, name: &str) -> Vec<crate::ids::MarketId> {
        let name = name.trim();
        if self.venues.is_single() {
            return self.market_by_symbol(name).into_iter().collect();
        }
        let (only, sym) = match name.split_once(':') {
            Some((v, s)) => match self.venues.by_name(v) {
                Some(id) => (Some(id), s.trim()),
                None => return Vec::new(),
            },
            None => (None, name),
        };
        let mut out = Vec::new();
        for v in 0..self.n_venues() {
            if only.is_some_and(|o| o.idx() != v) {
                continue;
            }
            let of_v: Vec<usize> = (0..self.markets.len())
                .filter(|&k| self.venue_of(crate::ids::MarketId(k as u16)).idx() == v)
                .collect();
            let exact = of_v.iter().copied().find(|&k| self.markets[k].symbol.eq_ignore_ascii_case(sym));
            let hit = exact.or_else(|| {
                of_v.iter().copied().find(|&k| {
                    let u = self.markets[k].symbol.to_ascii_uppercase();
                    let s = sym.to_ascii_uppercase();
                    u.strip_suffix("USDT")
                        .or_else(|| u.strip_suffix("USD"))
                        .or_else(|| u.strip_suffix("-PERP"))
                        == Some(s.as_str())
                })
            });
            out.extend(hit.map(|k| crate::ids::MarketId(k as u16)));
        }
        out
    }

    /// Index of the market with this symbol (case-insensitive; `BTC` also matches `BTCUSDT`).
    /// In a multi-venue scenario a name that matches on several venues names none: give
    /// `VENUE:SYMBOL`.
    pub fn market_by_symbol(&self, symbol: &str) -> Option<crate::ids::MarketId> {
        if !self.venues.is_single() {
            let all = self.markets_matching(symbol);
            return if all.len() == 1 { Some(all[0]) } else { None };
        }
        let s = symbol.to_ascii_uppercase();
        self.markets
            .iter()
            .position(|m| m.symbol.eq_ignore_ascii_case(&s))
            .or_else(|| {
                self.markets.iter().position(|m| {
                    let u = m.symbol.to_ascii_uppercase();
                    u.strip_suffix("USDT")
                        .or_else(|| u.strip_suffix("USD"))
                        .or_else(|| u.strip_suffix("-PERP"))
                        == Some(s.as_str())
                })
            })
            .map(|i| crate::ids::MarketId(i as u16))
    }
}

/// The underlying of a perpetual's symbol: upper case, without a quote suffix (`USDT`, `USDC`,
/// `USD`, `-PERP`, with an optional `-` or `/` before the quote).
pub fn asset_key(symbol: &str) -> String {
    let u = symbol.trim().to_ascii_uppercase();
    let mut base = u.as_str();
    for suffix in ["-PERP", "PERP", "USDT", "USDC", "USD"] {
        if let Some(b) = base.strip_suffix(suffix) {
            if !b.is_empty() {
                base = b;
                break;
            }
        }
    }
    base.trim_end_matches(['-', '/', '_']).to_string()
}

#[cfg(test)]
mod asset_key_tests {
    #[test]
    fn quote_suffixes_are_stripped() {
        for s in ["BTCUSDT", "BTC-USD", "btc-perp", "BTC", "BTC/USDC"] {
            assert_eq!(super::asset_key(s), "BTC", "{s}");
        }
        assert_eq!(super::asset_key("USDT"), "USDT");
    }
}
