//! The ABM's configuration: every parameter of the market, the agents, the venue and the shock,
//! with [`default_config`] giving each one a value and, next to it, where the value comes from
//! or why it was chosen. [`AbmConfig::validate`] rejects bad values naming the field.

use crate::book::{MatchRule, StpMode};
use liq_domain::VenuePreset;
use serde::{Deserialize, Serialize};

/// A latency: fixed part plus a uniform jitter in `[0, jitter_us)`, microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyCfg {
    pub fixed_us: f64,
    pub jitter_us: f64,
}

/// The perpetual traded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketCfg {
    pub symbol: String,
    pub tick_size: f64,
    pub lot_size: f64,
    pub initial_price: f64,
    /// Liquidation (clearance) fee rate, to the insurance fund.
    pub liquidation_fee_rate: f64,
    /// The book accepts prices within `initial_price × (1 ± price_window)`.
    pub price_window: f64,
}

/// The exogenous index (spot) price: a driftless geometric Brownian motion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexCfg {
    pub annual_vol: f64,
    pub dt_ms: f64,
    /// Rate (per second) at which the index's log price converges towards the perp's mid on top
    /// of its own random walk: spot follows the perp (0 = a purely exogenous index).
    pub perp_feedback_per_s: f64,
}

/// Market makers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MakerCfg {
    pub count: usize,
    /// Quote levels per side.
    pub levels: usize,
    pub base_half_spread_bps: f64,
    pub level_spacing_bps: f64,
    pub size_lots: i64,
    pub requote_ms: f64,
    /// Weight of the index in the makers' fair value (the rest is the book's mid).
    pub index_weight: f64,
    /// Fair value shift per lot of inventory, bps (skew).
    pub skew_bps_per_lot: f64,
    pub max_inventory_lots: i64,
    /// Half-spread grows by this multiple of (realised vol / normal vol − 1) when that is positive.
    pub vol_spread_mult: f64,
    /// Quote size shrinks by 1 / (1 + vol_size_mult × (ratio − 1)).
    pub vol_size_mult: f64,
    /// Whether makers widen, thin and pull their quotes as volatility rises (the experiment
    /// switch: `false` keeps spread and size at their base values whatever the volatility).
    pub withdraw: bool,
    /// Realised / normal volatility ratio above which a maker pulls all its quotes.
    pub withdraw_vol_ratio: f64,
    pub latency: LatencyCfg,
}

/// Noise traders: Poisson market and limit orders with heavy-tailed sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseCfg {
    pub accounts: usize,
    /// Mean rate of noise market orders. Arrivals are a Hawkes process (self-exciting) with
    /// exponential kernel: baseline `rate × (1 − branching)`, each order adding
    /// `branching / decay_s` of intensity that decays with time constant `decay_s`.
    pub market_rate_per_s: f64,
    pub hawkes_branching: f64,
    pub hawkes_decay_s: f64,
    /// Probability that a noise market order has the same side as the previous one (order-sign
    /// persistence from split metaorders).
    pub sign_persistence: f64,
    pub limit_rate_per_s: f64,
    /// Pareto size: minimum and tail exponent, capped.
    pub size_min_lots: f64,
    pub size_alpha: f64,
    pub size_cap_lots: i64,
    /// Mean distance of noise limit orders behind the touch, bps (exponential).
    pub limit_depth_bps: f64,
    /// Mean lifetime of a noise limit order, seconds (exponential), then cancelled.
    pub limit_lifetime_s: f64,
    pub latency: LatencyCfg,
}

/// Momentum traders: trade towards a target position proportional to the recent return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MomentumCfg {
    pub count: usize,
    pub wake_mean_s: f64,
    pub lookback_s: f64,
    /// Return at which the target position reaches `max_position_lots`.
    pub full_signal_return: f64,
    pub max_position_lots: i64,
    pub min_trade_lots: i64,
    pub latency: LatencyCfg,
}

/// The arbitrageur tying the perp to the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArbCfg {
    pub enabled: bool,
    pub wake_ms: f64,
    pub threshold_bps: f64,
    pub clip_lots: i64,
    pub max_inventory_lots: i64,
    pub latency: LatencyCfg,
}

/// Leveraged position takers, in the margin system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeveragedCfg {
    pub count: usize,
    pub long_fraction: f64,
    pub leverage_min: f64,
    pub leverage_max: f64,
    pub notional_median_usd: f64,
    /// Log-normal sigma of the notional.
    pub notional_sigma: f64,
    /// Entry prices: initial price × (1 + N(0, entry_dispersion)).
    pub entry_dispersion: f64,
    /// A liquidated trader opens a new position after an exponential delay with this mean,
    /// seconds (0 = never): leverage is replenished as it is in real markets after a flush.
    pub reentry_mean_s: f64,
    pub latency: LatencyCfg,
}

/// Stop-loss clusters: stop-market orders at round-number distances below (longs) and above
/// (shorts) the initial price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopCfg {
    pub enabled: bool,
    /// Distances from the initial price, as fractions (0.01 = 1 %).
    pub distances: Vec<f64>,
    /// Stop orders per cluster and side.
    pub orders_per_cluster: usize,
    pub order_lots: i64,
}

/// An exogenous index drop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShockCfg {
    pub at_s: f64,
    /// Relative index move (−0.05 = −5 %).
    pub index_move: f64,
    /// Spread over this many seconds (linear in log price).
    pub over_s: f64,
}

/// Everything one ABM run needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbmConfig {
    pub market: MarketCfg,
    pub venue: VenuePreset,
    pub matching: MatchRule,
    pub stp: StpMode,
    pub index: IndexCfg,
    /// Mark = w × index + (1 − w) × mid.
    pub mark_index_weight: f64,
    pub mark_dt_ms: f64,
    /// Half-life of the realised-volatility estimate the makers watch, seconds.
    pub vol_halflife_s: f64,
    /// The volatility makers consider normal, per √s (from the index volatility by default).
    pub normal_vol_per_sqrt_s: f64,
    pub makers: MakerCfg,
    pub noise: NoiseCfg,
    pub momentum: MomentumCfg,
    pub arbitrageur: ArbCfg,
    pub leveraged: LeveragedCfg,
    pub stops: StopCfg,
    pub insurance_fund_usd: f64,
    /// Liquidations within this many seconds of an earlier one that pushed the price the same way
    /// belong to its cascade (see `liquidation` for the generation rule).
    pub cascade_window_s: f64,
    pub shock: Option<ShockCfg>,
}

/// A configuration value that cannot be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("abm config {field}: {message}")]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

fn err(field: &str, message: String) -> ConfigError {
    ConfigError { field: field.to_string(), message }
}

fn pos(field: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(err(field, format!("must be a positive finite number, got {v}")))
    }
}

fn non_neg(field: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(err(field, format!("must be a finite number ≥ 0, got {v}")))
    }
}

fn unit(field: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(err(field, format!("must be in [0, 1], got {v}")))
    }
}

fn lat(field: &str, l: &LatencyCfg) -> Result<(), ConfigError> {
    non_neg(&format!("{field}.fixed_us"), l.fixed_us)?;
    non_neg(&format!("{field}.jitter_us"), l.jitter_us)
}

impl AbmConfig {
    /// Checks every field; the error names the first bad one (`makers.requote_ms`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let m = &self.market;
        pos("market.tick_size", m.tick_size)?;
        pos("market.lot_size", m.lot_size)?;
        pos("market.initial_price", m.initial_price)?;
        unit("market.liquidation_fee_rate", m.liquidation_fee_rate)?;
        if !(m.price_window > 0.0 && m.price_window < 1.0) {
            return Err(err("market.price_window", format!("must be in (0, 1), got {}", m.price_window)));
        }
        let unit_micros = m.tick_size * m.lot_size * 1e6;
        if (unit_micros - unit_micros.round()).abs() > 1e-6 || unit_micros.round() < 1.0 {
            return Err(err(
                "market.lot_size",
                "tick_size × lot_size must be a whole number of micro-dollars".to_string(),
            ));
        }
        let window_ticks = 2.0 * m.initial_price * m.price_window / m.tick_size;
        if window_ticks > crate::book::MAX_LEVELS as f64 {
            return Err(err("market.price_window", format!("{window_ticks} ticks is too wide a book")));
        }
        pos("index.annual_vol", self.index.annual_vol)?;
        pos("index.dt_ms", self.index.dt_ms)?;
        non_neg("index.perp_feedback_per_s", self.index.perp_feedback_per_s)?;
        unit("mark_index_weight", self.mark_index_weight)?;
        pos("mark_dt_ms", self.mark_dt_ms)?;
        pos("vol_halflife_s", self.vol_halflife_s)?;
        pos("normal_vol_per_sqrt_s", self.normal_vol_per_sqrt_s)?;
        let k = &self.makers;
        if k.levels == 0 && k.count > 0 {
            return Err(err("makers.levels", "must be ≥ 1".into()));
        }
        non_neg("makers.base_half_spread_bps", k.base_half_spread_bps)?;
        pos("makers.level_spacing_bps", k.level_spacing_bps)?;
        pos("makers.size_lots", k.size_lots as f64)?;
        pos("makers.requote_ms", k.requote_ms)?;
        unit("makers.index_weight", k.index_weight)?;
        non_neg("makers.skew_bps_per_lot", k.skew_bps_per_lot)?;
        pos("makers.max_inventory_lots", k.max_inventory_lots as f64)?;
        non_neg("makers.vol_spread_mult", k.vol_spread_mult)?;
        non_neg("makers.vol_size_mult", k.vol_size_mult)?;
        pos("makers.withdraw_vol_ratio", k.withdraw_vol_ratio)?;
        lat("makers.latency", &k.latency)?;
        let n = &self.noise;
        if n.accounts == 0 {
            return Err(err("noise.accounts", "must be ≥ 1".into()));
        }
        non_neg("noise.market_rate_per_s", n.market_rate_per_s)?;
        non_neg("noise.limit_rate_per_s", n.limit_rate_per_s)?;
        if !(n.hawkes_branching.is_finite() && (0.0..1.0).contains(&n.hawkes_branching)) {
            return Err(err(
                "noise.hawkes_branching",
                format!("must be in [0, 1), got {}", n.hawkes_branching),
            ));
        }
        pos("noise.hawkes_decay_s", n.hawkes_decay_s)?;
        unit("noise.sign_persistence", n.sign_persistence)?;
        pos("noise.size_min_lots", n.size_min_lots)?;
        pos("noise.size_alpha", n.size_alpha)?;
        pos("noise.size_cap_lots", n.size_cap_lots as f64)?;
        pos("noise.limit_depth_bps", n.limit_depth_bps)?;
        pos("noise.limit_lifetime_s", n.limit_lifetime_s)?;
        lat("noise.latency", &n.latency)?;
        let mo = &self.momentum;
        pos("momentum.wake_mean_s", mo.wake_mean_s)?;
        pos("momentum.lookback_s", mo.lookback_s)?;
        pos("momentum.full_signal_return", mo.full_signal_return)?;
        non_neg("momentum.max_position_lots", mo.max_position_lots as f64)?;
        pos("momentum.min_trade_lots", mo.min_trade_lots as f64)?;
        lat("momentum.latency", &mo.latency)?;
        let a = &self.arbitrageur;
        pos("arbitrageur.wake_ms", a.wake_ms)?;
        non_neg("arbitrageur.threshold_bps", a.threshold_bps)?;
        pos("arbitrageur.clip_lots", a.clip_lots as f64)?;
        non_neg("arbitrageur.max_inventory_lots", a.max_inventory_lots as f64)?;
        lat("arbitrageur.latency", &a.latency)?;
        let l = &self.leveraged;
        unit("leveraged.long_fraction", l.long_fraction)?;
        if !(l.leverage_min >= 1.0 && l.leverage_min.is_finite()) {
            return Err(err("leveraged.leverage_min", format!("must be ≥ 1, got {}", l.leverage_min)));
        }
        if !(l.leverage_max >= l.leverage_min && l.leverage_max.is_finite()) {
            return Err(err(
                "leveraged.leverage_max",
                format!("must be ≥ leverage_min, got {}", l.leverage_max),
            ));
        }
        pos("leveraged.notional_median_usd", l.notional_median_usd)?;
        non_neg("leveraged.notional_sigma", l.notional_sigma)?;
        non_neg("leveraged.entry_dispersion", l.entry_dispersion)?;
        non_neg("leveraged.reentry_mean_s", l.reentry_mean_s)?;
        lat("leveraged.latency", &l.latency)?;
        for (i, d) in self.stops.distances.iter().enumerate() {
            if !(d.is_finite() && *d > 0.0 && *d < m.price_window) {
                return Err(err(
                    &format!("stops.distances[{i}]"),
                    format!("must be in (0, price_window), got {d}"),
                ));
            }
        }
        pos("stops.order_lots", self.stops.order_lots as f64)?;
        non_neg("insurance_fund_usd", self.insurance_fund_usd)?;
        pos("cascade_window_s", self.cascade_window_s)?;
        if let Some(s) = &self.shock {
            non_neg("shock.at_s", s.at_s)?;
            if !(s.index_move.is_finite() && s.index_move > -m.price_window && s.index_move < m.price_window)
            {
                return Err(err(
                    "shock.index_move",
                    format!("must be within ±price_window, got {}", s.index_move),
                ));
            }
            non_neg("shock.over_s", s.over_s)?;
        }
        Ok(())
    }
}

/// The embedded default: a BTCUSDT-like perpetual on Binance rules.
pub fn default_config() -> AbmConfig {
    // Index volatility: BTC's realised volatility has mostly been 40–80 % a year (2021–2024);
    // 60 % is the middle. Per √s: 0.6 / √(365.25 × 86,400) ≈ 1.07 × 10⁻⁴.
    let annual_vol = 0.6;
    let normal_vol_per_sqrt_s = annual_vol / (365.25f64 * 86_400.0).sqrt();
    AbmConfig {
        market: MarketCfg {
            symbol: "BTCUSDT".into(),
            // Binance BTCUSDT perpetual: tick 0.1 USDT, lot (step size) 0.001 BTC
            // (GET /fapi/v1/exchangeInfo, PRICE_FILTER and LOT_SIZE, observed 2024).
            tick_size: 0.1,
            lot_size: 0.001,
            // A round level in BTC's 2024 range.
            initial_price: 60_000.0,
            // Binance's liquidation clearance fee has been 0.5 % on BTCUSDT-M (FAQ "Binance Futures
            // Liquidation Protocols"; varies by symbol and over time).
            liquidation_fee_rate: 0.005,
            // ±30 %: far beyond any move a run of hours produces; keeps the level array to 360,000
            // levels (≈ 9 MB).
            price_window: 0.3,
        },
        venue: VenuePreset::Binance,
        matching: MatchRule::PriceTime,
        // Binance's default STP mode is "expire taker" (EXPIRE_TAKER) for API orders.
        stp: StpMode::CancelTaking,
        // The index is published every second on Binance; 250 ms gives the arbitrageur and the
        // makers a smoother anchor without costing much.
        // In crypto the perpetual leads the spot price (Alexander, Choi, Park & Sohn 2020,
        // "BitMEX bitcoin derivatives: Price discovery, informational efficiency, and hedging
        // effectiveness", J. Futures Markets): spot closes a gap to the perp within tens of
        // seconds; a 30-s time constant.
        index: IndexCfg { annual_vol, dt_ms: 250.0, perp_feedback_per_s: 1.0 / 30.0 },
        // Binance's mark price is the index plus a moving average of the basis, and the
        // liquidation engine checks it continuously; a half/half blend of index and mid keeps both
        // channels (exogenous index moves, endogenous book moves) in the trigger.
        mark_index_weight: 0.5,
        mark_dt_ms: 100.0,
        // Makers react to the last half-minute of volatility (a design choice: fast enough to pull
        // quotes within a cascade, slow enough not to flicker on one trade).
        vol_halflife_s: 30.0,
        normal_vol_per_sqrt_s,
        makers: MakerCfg {
            // A handful of dominant makers quote most of a perp's top of book (Binance's market
            // maker programme lists tens of firms; the top few dominate).
            count: 6,
            levels: 4,
            // Quoted BTC perp spreads are ≈ 0.02 bp at the touch but depth is thin there; a few bp
            // out is where most size sits (Kaiko depth reports, 2024: ±0.1 % depth of a few
            // million USD). These values give ≈ 0.5–1 M USD within ±10 bp, a mid-sized venue.
            base_half_spread_bps: 1.0,
            level_spacing_bps: 1.5,
            size_lots: 300,
            requote_ms: 250.0,
            index_weight: 0.3,
            skew_bps_per_lot: 0.002,
            max_inventory_lots: 20_000,
            vol_spread_mult: 1.0,
            vol_size_mult: 1.0,
            withdraw: true,
            // Pull quotes when volatility runs at 6× normal (a design choice; real makers pull on
            // their own risk limits, which are not public).
            withdraw_vol_ratio: 6.0,
            // Co-located makers: ≈ 1 ms with sub-millisecond jitter.
            latency: LatencyCfg { fixed_us: 1_000.0, jitter_us: 500.0 },
        },
        noise: NoiseCfg {
            accounts: 200,
            // Binance BTCUSDT prints several trades a second on quiet days; a few aggressive
            // orders a second is the scale of a mid-sized venue.
            market_rate_per_s: 5.0,
            // Branching ratio ≈ 0.7–0.9 for trade arrivals in liquid futures (Filimonov &
            // Sornette 2012, "Quantifying reflexivity in financial markets"; Hardiman, Bercot &
            // Bouchaud 2013): 0.8. One-minute memory to act on the 1-minute scale the facts are
            // measured at.
            hawkes_branching: 0.8,
            hawkes_decay_s: 60.0,
            // Order signs are long-memory (Lillo & Farmer 2004); a one-step persistence of 0.7
            // is a crude stand-in.
            sign_persistence: 0.7,
            limit_rate_per_s: 12.0,
            // Trade sizes have a power-law tail with exponent ≈ 1.5 (Gopikrishnan, Plerou, Gabaix
            // & Stanley 2000, "Statistical properties of share volume traded in financial
            // markets"); minimum 0.02 BTC (mean ≈ 0.06 BTC, ≈ 1 M USD a minute at 5 orders/s),
            // capped at 20 BTC.
            size_min_lots: 20.0,
            size_alpha: 1.5,
            size_cap_lots: 20_000,
            limit_depth_bps: 8.0,
            limit_lifetime_s: 30.0,
            // Retail over the internet: tens of milliseconds.
            latency: LatencyCfg { fixed_us: 30_000.0, jitter_us: 40_000.0 },
        },
        momentum: MomentumCfg {
            count: 20,
            wake_mean_s: 5.0,
            lookback_s: 60.0,
            // A 0.3 % move in a minute is ≈ 4σ at 60 % annual vol (σ_1min ≈ 0.083 %): a strong
            // signal; the target position saturates there.
            full_signal_return: 0.003,
            max_position_lots: 300,
            min_trade_lots: 10,
            latency: LatencyCfg { fixed_us: 5_000.0, jitter_us: 5_000.0 },
        },
        arbitrageur: ArbCfg {
            enabled: true,
            wake_ms: 100.0,
            // Round-trip taker fees on Binance are ≈ 2 × 4–5 bp for a retail tier, ≈ 2 × 1.7 bp for
            // a VIP; an arbitrageur acts beyond a few bp of basis.
            threshold_bps: 3.0,
            clip_lots: 200,
            // Bounded balance sheet (≈ 1.2 M USD): the arbitrage channel can be overwhelmed.
            max_inventory_lots: 20_000,
            latency: LatencyCfg { fixed_us: 2_000.0, jitter_us: 1_000.0 },
        },
        leveraged: LeveragedCfg {
            count: 3_000,
            // Long/short account ratios on Binance BTCUSDT have mostly sat between 1 and 2.5
            // (GET /futures/data/globalLongShortAccountRatio); 60 % long.
            long_fraction: 0.6,
            leverage_min: 5.0,
            // Retail leverage clusters at 10–25× with a tail to the 100×+ the ladder allows.
            leverage_max: 75.0,
            notional_median_usd: 15_000.0,
            notional_sigma: 1.2,
            // Positions opened over the preceding days at prices within a few % of today's.
            entry_dispersion: 0.02,
            // Open interest recovers within hours after a flush (Binance BTCUSDT open interest,
            // e.g. after the 2024-08-05 drop); a liquidated trader is back after ~20 minutes.
            reentry_mean_s: 1_200.0,
            latency: LatencyCfg { fixed_us: 30_000.0, jitter_us: 40_000.0 },
        },
        stops: StopCfg {
            enabled: true,
            // Stops cluster at round numbers and at round percentages below recent prices
            // (Osler 2003, "Currency orders and exchange rate dynamics"): 1, 2, 3, 5 %.
            distances: vec![0.01, 0.02, 0.03, 0.05],
            orders_per_cluster: 20,
            order_lots: 50,
        },
        // A small venue's fund relative to the open interest here (≈ 90 M USD of leveraged
        // notional): large enough for ordinary days, small enough that a cascade can reach ADL.
        insurance_fund_usd: 200_000.0,
        cascade_window_s: 10.0,
        shock: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_bad_fields_are_named() {
        assert_eq!(default_config().validate(), Ok(()));
        let mut c = default_config();
        c.makers.requote_ms = f64::NAN;
        assert_eq!(c.validate().unwrap_err().field, "makers.requote_ms");
        let mut c = default_config();
        c.stops.distances[2] = 0.5;
        assert_eq!(c.validate().unwrap_err().field, "stops.distances[2]");
        let mut c = default_config();
        c.market.lot_size = 0.0000001;
        assert_eq!(c.validate().unwrap_err().field, "market.lot_size");
    }
}
