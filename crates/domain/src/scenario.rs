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
}

impl Default for EngineConfig {
    /// The builders' default for unit tests of the engine, where one book is the whole market and
    /// the mark follows it (`Blend { book_weight: 1 }`). Scenario files never get this default:
    /// `liq-io` sets [`MarkRule::Venue`] unless the file names a rule.
    fn default() -> Self {
        Self { round_cap: 100, round_duration_s: 1.0, mark: MarkRule::Blend { book_weight: 1.0 } }
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
    /// Leveraged tokens, dealer hedging and stop clusters (empty = liquidations are the only
    /// forced flow). Not serialised when empty, so scenarios without flows keep their hash.
    #[serde(default, skip_serializing_if = "crate::flows::FlowsSpec::is_empty")]
    pub flows: crate::flows::FlowsSpec,
}

impl Scenario {
    /// Index of the market with this symbol (case-insensitive; `BTC` also matches `BTCUSDT`).
    pub fn market_by_symbol(&self, symbol: &str) -> Option<crate::ids::MarketId> {
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
