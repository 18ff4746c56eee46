//! The scenario file exactly as written: serde structs mirroring docs/scenario-format.md.
//!
//! Everything here is `deny_unknown_fields`, so a typo (`tick_sise`) is an error with its line
//! rather than a silently defaulted value. Numbers stay `f64` as written; the conversion to lots,
//! ticks and micro-USD, and every range check, happens in `validate`, which can name the field.
//! Maps keyed by market or asset symbol are `BTreeMap`s: iteration order is then independent
//! of the input format, which keeps errors (and so tests) deterministic.

use crate::population::PopulationSpec;
use liq_domain::MarginMode;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: String,
    #[serde(default)]
    pub seed: u64,
    /// The one venue's preset; omitted when `[[venues]]` lists several.
    pub venue: Option<String>,
    /// Several venues in one scenario (docs/scenario-format.md "Several venues").
    #[serde(default)]
    pub venues: Vec<RawVenue>,
    #[serde(default)]
    pub insurance_fund_usd: f64,
    #[serde(default)]
    pub engine: RawEngine,
    #[serde(default)]
    pub impact: RawImpact,
    #[serde(default)]
    pub shock: RawShock,
    pub markets: Vec<RawMarket>,
    #[serde(default)]
    pub assets: Vec<RawAsset>,
    #[serde(default)]
    pub accounts: Vec<RawAccount>,
    pub accounts_csv: Option<String>,
    pub accounts_parquet: Option<String>,
    pub population: Option<PopulationSpec>,
    #[serde(default)]
    pub spot_markets: Vec<super::price::RawSpotMarket>,
    #[serde(default)]
    pub index: Vec<super::price::RawIndex>,
    pub arbitrage: Option<super::price::RawArbitrage>,
    pub funding: Option<super::price::RawFunding>,
    pub collateral: Option<RawCollateral>,
    #[serde(default)]
    pub leveraged_tokens: Vec<super::flows::RawLeveragedToken>,
    pub dealers: Option<super::flows::RawDealers>,
    #[serde(default)]
    pub stops: Vec<super::flows::RawStop>,
    pub policy: Option<super::policy::RawPolicy>,
    pub maker_hedge: Option<super::price::RawMakerHedge>,
}

/// `[collateral]`: auto-exchange and where sold collateral goes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCollateral {
    /// Auto-exchange below this wallet balance (USD, ≤ 0); omitted = the venue's.
    pub auto_exchange_threshold_usd: Option<f64>,
    /// `false` switches the venue's auto-exchange off.
    pub auto_exchange: Option<bool>,
    /// `"book"` (default: sold into the asset's market) or `"fund"` (the fund keeps it).
    pub sale: Option<String>,
    /// `true` applies the venue's published maximum transfer-in per asset.
    #[serde(default)]
    pub transfer_in_caps: bool,
}

/// One tier of `assets[].value_tiers`; `up_to` omitted = the open top tier.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawValueTier {
    pub up_to: Option<f64>,
    pub ratio: f64,
}

/// One point of `assets[].price_path`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPathPoint {
    pub t_s: f64,
    pub price: f64,
}

/// One `[[venues]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVenue {
    pub name: String,
    /// `binance`, `bybit`, `hyperliquid`, `dydx`; omitted = the name.
    pub preset: Option<String>,
    #[serde(default)]
    pub insurance_fund_usd: f64,
    /// The venue's mark rule, as `engine.mark`; omitted = the preset's published rule.
    pub mark: Option<super::price::RawMark>,
    /// A synthetic population on this venue's markets only.
    pub population: Option<PopulationSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RawEngine {
    pub round_cap: u32,
    pub round_duration_s: f64,
    /// `mark = { rule = "blend", book_weight = 0.5 }` etc.; omitted = the venue's published rule.
    pub mark: Option<super::price::RawMark>,
    /// Replaced by `mark = { rule = "blend", book_weight = … }`; kept only to say so.
    pub mark_book_weight: Option<f64>,
    /// `"venue"` (the venue's ADL ranking, default) or `"pro-rata"`.
    pub adl_policy: Option<String>,
}

impl Default for RawEngine {
    fn default() -> Self {
        let d = liq_domain::EngineConfig::default();
        Self {
            round_cap: d.round_cap,
            round_duration_s: d.round_duration_s,
            mark: None,
            mark_book_weight: None,
            adl_policy: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawModel {
    #[default]
    Book,
    SquareRoot,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RawImpact {
    pub model: RawModel,
    pub resilience_tau_s: f64,
    pub withdrawal: RawWithdrawal,
    pub cross_impact: Vec<Vec<f64>>,
}

impl Default for RawImpact {
    fn default() -> Self {
        Self {
            model: RawModel::Book,
            // 30 s: the order of magnitude of book refill after large trades on liquid perps.
            resilience_tau_s: 30.0,
            withdrawal: RawWithdrawal::default(),
            cross_impact: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RawWithdrawal {
    pub sensitivity: f64,
    pub floor: f64,
}

impl Default for RawWithdrawal {
    fn default() -> Self {
        // Sensitivity 0: no withdrawal unless asked for.
        Self { sensitivity: 0.0, floor: 1.0 }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawShock {
    pub moves: Option<BTreeMap<String, f64>>,
    /// USD of market flow into each perp's book at the start (negative = a forced seller).
    pub book: Option<BTreeMap<String, f64>>,
    pub factor: Option<f64>,
    pub betas: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMarket {
    pub symbol: String,
    /// The `[[venues]]` name this market is listed on (multi-venue scenarios only).
    pub venue: Option<String>,
    pub tick_size: f64,
    pub lot_size: f64,
    pub index_price: f64,
    pub mark_price: Option<f64>,
    pub liquidation_fee_rate: f64,
    pub taker_fee_rate: f64,
    /// Omitted means `"preset"`: the scenario venue's own table for this market.
    #[serde(default)]
    pub tiers: Option<RawTiers>,
    pub square_root: Option<RawSquareRoot>,
    pub book: Option<RawBook>,
}

/// `tiers` is either a built-in table name (`"binance:BTCUSDT"`, `"preset"` for the scenario
/// venue's table of the market) or an array of tiers.
#[derive(Debug)]
pub(crate) enum RawTiers {
    Builtin(String),
    Table(Vec<RawTier>),
}

/// Hand-written instead of `#[serde(untagged)]`: an untagged enum would swallow the inner
/// error ("data did not match any variant") and lose the field and line of a typo in a tier.
impl<'de> Deserialize<'de> for RawTiers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTiers;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "an array of tiers, \"preset\", or a built-in table name such as \"binance:BTCUSDT\"",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTiers, E> {
                Ok(RawTiers::Builtin(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawTiers, A::Error> {
                Vec::<RawTier>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(RawTiers::Table)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTier {
    pub cap_notional: f64,
    pub mmr: f64,
    pub max_leverage: f64,
    pub maintenance_amount: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSquareRoot {
    pub y: f64,
    pub delta: f64,
    pub daily_volatility: f64,
    pub daily_volume_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBook {
    pub bids: Option<Vec<[f64; 2]>>,
    pub asks: Option<Vec<[f64; 2]>>,
    pub profile: Option<RawProfile>,
    pub builtin: Option<String>,
    pub scale: Option<f64>,
    /// Explicit levels from a `side,price,qty` CSV, relative to the scenario file
    /// (`crate::book_csv`): the form for large books.
    pub levels_csv: Option<String>,
}

/// Same shape as `liq_domain::DepthProfile`, but `deny_unknown_fields`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProfile {
    pub bucket_bps: f64,
    pub spread_ticks: i64,
    pub bid_notional_usd: Vec<f64>,
    pub ask_notional_usd: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAsset {
    pub symbol: String,
    pub market: Option<String>,
    pub price: Option<f64>,
    /// Omitted together with `value_tiers`: the scenario venue's published collateral table for
    /// the symbol (`liq_margin::collateral::venue_collateral_table`), else 0.
    pub haircut: Option<f64>,
    /// Tiered value ratios by quantity (replace the haircut), ascending.
    #[serde(default)]
    pub value_tiers: Vec<RawValueTier>,
    /// Exogenous price path of a fixed-price asset (a stablecoin depeg), in time order.
    #[serde(default)]
    pub price_path: Vec<RawPathPoint>,
    /// Most of this asset an account's margin wallet can hold (asset quantity).
    pub max_transfer_in: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccount {
    pub id: String,
    #[serde(default)]
    pub wallet_usd: f64,
    #[serde(default)]
    pub collateral: BTreeMap<String, f64>,
    #[serde(default)]
    pub positions: Vec<RawPosition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPosition {
    pub market: String,
    pub size: f64,
    pub entry_price: f64,
    #[serde(default = "cross")]
    pub mode: MarginMode,
    pub margin_usd: Option<f64>,
}

fn cross() -> MarginMode {
    MarginMode::Cross
}
