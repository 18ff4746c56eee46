//! The ABM's configuration: every parameter of the market, the agents, the venue and the shock
//! ([`default_config`], in `defaults.rs`, gives each one a value and where it comes from).
//! [`AbmConfig::validate`] rejects bad values naming the field.

use crate::book::{MatchRule, StpMode};
use liq_domain::VenuePreset;
use serde::{Deserialize, Serialize};

pub use crate::defaults::default_config;

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

/// The exogenous index (spot) price: the information arriving from the rest of the market. A
/// driftless log-price diffusion with stochastic volatility: log σ follows an Ornstein–Uhlenbeck
/// process around log `annual_vol` (a log-normal volatility model; with `log_vol_sd` = 0 it is
/// a geometric Brownian motion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexCfg {
    /// Root-mean-square volatility, annualised.
    pub annual_vol: f64,
    /// Stationary standard deviation of log σ.
    pub log_vol_sd: f64,
    /// Half-life of log σ's deviations, seconds.
    pub log_vol_halflife_s: f64,
    pub dt_ms: f64,
    /// Rate (per second) at which the index's log price converges towards the perp's mid on top
    /// of its own random walk: spot follows the perp (0 = a purely exogenous index).
    pub perp_feedback_per_s: f64,
    /// The feedback stops while the perp's quoted spread is wider than this, bp.
    pub perp_feedback_max_spread_bps: f64,
}

/// Market makers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MakerCfg {
    pub count: usize,
    /// Quote levels per side.
    pub levels: usize,
    pub base_half_spread_bps: f64,
    /// Level l ≥ 1 of maker k (of n) sits `level_spacing_bps × (l − 1 + (k + 1)/n)^p` beyond
    /// the touch, p = `level_spacing_exponent` (1 = evenly spaced; > 1 = a ladder that reaches
    /// deep into the book with few orders).
    pub level_spacing_bps: f64,
    pub level_spacing_exponent: f64,
    /// Quote size at the first level; level `l` (0-based) quotes
    /// `size_lots × (1 + l)^size_depth_exponent`.
    pub size_lots: i64,
    /// Depth density rising with distance from the mid: cumulative depth C(d) ∝ d^β gives a
    /// density ∝ d^(β−1), so this is β − 1.
    pub size_depth_exponent: f64,
    pub requote_ms: f64,
    /// Weight of the index in the makers' fair value (the rest is the book's mid).
    pub index_weight: f64,
    /// Fair value shift per lot of unhedged inventory, bps (skew).
    pub skew_bps_per_lot: f64,
    /// Makers hedge their inventory outside this market (spot, other venues): the hedge closes
    /// the gap to the position with this half-life, seconds (0 = never hedge).
    pub hedge_halflife_s: f64,
    pub max_inventory_lots: i64,
    /// With `ratio` = realised / normal volatility (at least 1), the half-spread is multiplied
    /// by `ratio^vol_spread_exponent`…
    pub vol_spread_exponent: f64,
    /// …and quote sizes divided by `ratio^vol_size_exponent`. Depth falling as a power of
    /// volatility makes volatility feed on itself: an exponent γ < 1 amplifies a volatility
    /// shock by about 1 / (1 − γ) and makes it persist (volatility clustering).
    pub vol_size_exponent: f64,
    /// …and the inventory skew multiplied by `ratio^vol_skew_exponent` (Avellaneda & Stoikov
    /// 2008: the reservation price moves by inventory × risk aversion × variance, exponent 2).
    pub vol_skew_exponent: f64,
    /// Whether makers widen, thin and pull their quotes as volatility rises (the experiment
    /// switch: `false` keeps spread and size at their base values whatever the volatility).
    pub withdraw: bool,
    /// Makers' spread, size and skew respond to the volatility ratio up to this value (their
    /// stress response saturates; the ratio itself is not capped for the pull below).
    pub stress_ratio_cap: f64,
    /// Realised / normal volatility ratio above which a maker pulls all its quotes…
    pub withdraw_vol_ratio: f64,
    /// …for this long, seconds; then it quotes for at least as long before it may pull again.
    pub withdraw_pause_s: f64,
    pub latency: LatencyCfg,
}

/// Noise traders: Poisson market and limit orders with heavy-tailed sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseCfg {
    pub accounts: usize,
    /// Mean rate of noise market orders. Arrivals are a Hawkes process (self-exciting) whose
    /// kernel is a sum of exponentials: baseline `rate × (1 − branching)`, each order adding
    /// `branching × weight_k / decay_k` of intensity to component k, which decays with time
    /// constant `decay_k` (a few components spanning seconds to many minutes approximate the
    /// power-law kernels measured on futures).
    pub market_rate_per_s: f64,
    pub hawkes_branching: f64,
    /// The baseline arrival rate is multiplied by (realised / normal volatility)^this
    /// (clamped to [0.25, 8]): trading activity rises with volatility.
    pub vol_activity_exponent: f64,
    pub hawkes_decays_s: Vec<f64>,
    /// Share of the branching ratio in each component (summing to 1).
    pub hawkes_kernel_weights: Vec<f64>,
    /// Order signs come from split metaorders (Lillo, Mike & Farmer 2005): this many metaorders
    /// are being executed at any time; each market order continues one of them, picked
    /// uniformly, and takes its side.
    pub metaorders_active: usize,
    /// Tail exponent of a metaorder's length in child orders (Pareto, minimum 1): the sign
    /// autocorrelation then decays as lag^−(α−1).
    pub metaorder_length_alpha: f64,
    /// Longest metaorder, child orders (execution desks cap how long one order works).
    pub metaorder_max_children: u32,
    pub limit_rate_per_s: f64,
    /// Log-normal size of a market order: median and log standard deviation, capped.
    pub size_median_lots: f64,
    pub size_log_sigma: f64,
    /// Share of the log-size variance common to the children of one metaorder (0 = every order
    /// drawn afresh, 1 = all children of a metaorder the same size).
    pub size_metaorder_share: f64,
    /// Each market order continues one of the active metaorders, chosen with probability ∝
    /// (its typical child size)^−this: 0 = uniformly; 1 = every metaorder trades the same
    /// volume per unit of time (a participation-rate cap).
    pub participation_size_exponent: f64,
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

/// Execution algorithms working large metaorders (institutions, funds, whales): metaorders arrive
/// as a Poisson process with Pareto sizes and are worked as child market orders, faster for
/// larger ones. With a Pareto tail exponent of 1.5 and a square-root impact this is the mechanism
/// Gabaix, Gopikrishnan, Plerou & Stanley (2003, "A theory of power-law distributions in
/// financial market fluctuations", Nature 423) give for the power-law tails of returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionCfg {
    pub enabled: bool,
    pub arrivals_per_hour: f64,
    /// Pareto size: minimum (lots) and tail exponent.
    pub size_min_lots: f64,
    pub size_alpha: f64,
    /// Cap on one metaorder, lots.
    pub size_cap_lots: i64,
    /// Time to work a minimum-size metaorder, seconds; a metaorder of size Q takes
    /// `duration_at_min_s × (Q / size_min)^duration_exponent`.
    pub duration_at_min_s: f64,
    pub duration_exponent: f64,
    /// Mean time between child orders, seconds (exponential).
    pub child_interval_s: f64,
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
    /// Chosen leverage: log-normal with this median and log standard deviation, clamped to
    /// [1, the risk-limit tier's maximum].
    pub leverage_median: f64,
    pub leverage_log_sigma: f64,
    /// Margin posted beyond the initial margin, as an exponential multiple of it with this mean
    /// (0 = exactly the initial margin): most traders hold more margin than their leverage needs.
    pub topup_mean: f64,
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
    /// The estimate averages squared returns over this many seconds (sampled every second).
    pub vol_return_horizon_s: u32,
    /// The volatility makers consider normal at the start, per √s.
    pub normal_vol_per_sqrt_s: f64,
    /// Half-life of the slow volatility estimate that becomes the makers' normal, seconds
    /// (0 = keep `normal_vol_per_sqrt_s` for the whole run). Makers judge volatility against
    /// the recent regime: a sudden rise alarms them, a lasting one becomes the new normal.
    pub vol_baseline_halflife_s: f64,
    pub makers: MakerCfg,
    pub noise: NoiseCfg,
    pub momentum: MomentumCfg,
    pub execution: ExecutionCfg,
    pub arbitrageur: ArbCfg,
    pub leveraged: LeveragedCfg,
    pub stops: StopCfg,
    pub insurance_fund_usd: f64,
    /// The fund sells (buys) positions it took over back into the book at this rate, lots per
    /// second (0 = it holds them)…
    pub insurance_fund_unwind_lots_per_s: f64,
    /// …by IOC orders limited this far through the mid, bp.
    pub fund_unwind_limit_bps: f64,
    /// Liquidations within this many seconds of an earlier one that pushed the price the same way
    /// belong to its cascade (see `liquidation` for the generation rule).
    pub cascade_window_s: f64,
    pub shock: Option<ShockCfg>,
    /// Leveraged tokens, options dealers and stop clusters as agents (`crate::flows`): the
    /// cascade engine's `[flows]` specs (`liq_domain::FlowsSpec`), market 0 being this market.
    /// Empty by default, and then not serialised (the default config and its hash unchanged).
    #[serde(default, skip_serializing_if = "liq_domain::FlowsSpec::is_empty")]
    pub flows: liq_domain::FlowsSpec,
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

/// Bounds on the knobs that size the simulation's work, and their checks.
pub mod limits;

impl AbmConfig {
    /// Checks every field; the error names the first bad one (`makers.requote_ms`). Bounds that
    /// size the simulation's work are in [`limits`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_work()?;
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
        non_neg("index.log_vol_sd", self.index.log_vol_sd)?;
        pos("index.log_vol_halflife_s", self.index.log_vol_halflife_s)?;
        pos("index.dt_ms", self.index.dt_ms)?;
        non_neg("index.perp_feedback_per_s", self.index.perp_feedback_per_s)?;
        pos("index.perp_feedback_max_spread_bps", self.index.perp_feedback_max_spread_bps)?;
        unit("mark_index_weight", self.mark_index_weight)?;
        pos("mark_dt_ms", self.mark_dt_ms)?;
        pos("vol_halflife_s", self.vol_halflife_s)?;
        pos("vol_return_horizon_s", self.vol_return_horizon_s as f64)?;
        pos("normal_vol_per_sqrt_s", self.normal_vol_per_sqrt_s)?;
        non_neg("vol_baseline_halflife_s", self.vol_baseline_halflife_s)?;
        let k = &self.makers;
        if k.levels == 0 && k.count > 0 {
            return Err(err("makers.levels", "must be ≥ 1".into()));
        }
        non_neg("makers.base_half_spread_bps", k.base_half_spread_bps)?;
        pos("makers.level_spacing_bps", k.level_spacing_bps)?;
        pos("makers.level_spacing_exponent", k.level_spacing_exponent)?;
        pos("makers.size_lots", k.size_lots as f64)?;
        non_neg("makers.size_depth_exponent", k.size_depth_exponent)?;
        pos("makers.requote_ms", k.requote_ms)?;
        unit("makers.index_weight", k.index_weight)?;
        non_neg("makers.skew_bps_per_lot", k.skew_bps_per_lot)?;
        non_neg("makers.hedge_halflife_s", k.hedge_halflife_s)?;
        pos("makers.max_inventory_lots", k.max_inventory_lots as f64)?;
        non_neg("makers.vol_spread_exponent", k.vol_spread_exponent)?;
        non_neg("makers.vol_size_exponent", k.vol_size_exponent)?;
        non_neg("makers.vol_skew_exponent", k.vol_skew_exponent)?;
        pos("makers.withdraw_vol_ratio", k.withdraw_vol_ratio)?;
        pos("makers.withdraw_pause_s", k.withdraw_pause_s)?;
        if !(k.stress_ratio_cap >= 1.0 && k.stress_ratio_cap.is_finite()) {
            return Err(err("makers.stress_ratio_cap", format!("must be ≥ 1, got {}", k.stress_ratio_cap)));
        }
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
        non_neg("noise.vol_activity_exponent", n.vol_activity_exponent)?;
        if n.hawkes_decays_s.is_empty() || n.hawkes_decays_s.len() != n.hawkes_kernel_weights.len() {
            return Err(err(
                "noise.hawkes_kernel_weights",
                "needs one weight per entry of hawkes_decays_s (at least one)".into(),
            ));
        }
        for (k, (d, w)) in n.hawkes_decays_s.iter().zip(&n.hawkes_kernel_weights).enumerate() {
            pos(&format!("noise.hawkes_decays_s[{k}]"), *d)?;
            non_neg(&format!("noise.hawkes_kernel_weights[{k}]"), *w)?;
        }
        let total: f64 = n.hawkes_kernel_weights.iter().sum();
        if (total - 1.0).abs() > 1e-9 {
            return Err(err("noise.hawkes_kernel_weights", format!("must sum to 1, got {total}")));
        }
        pos("noise.metaorders_active", n.metaorders_active as f64)?;
        if !(n.metaorder_length_alpha.is_finite() && n.metaorder_length_alpha > 1.0) {
            return Err(err(
                "noise.metaorder_length_alpha",
                format!("must be > 1 (a finite mean length), got {}", n.metaorder_length_alpha),
            ));
        }
        pos("noise.metaorder_max_children", n.metaorder_max_children as f64)?;
        pos("noise.size_median_lots", n.size_median_lots)?;
        non_neg("noise.size_log_sigma", n.size_log_sigma)?;
        unit("noise.size_metaorder_share", n.size_metaorder_share)?;
        non_neg("noise.participation_size_exponent", n.participation_size_exponent)?;
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
        let x = &self.execution;
        non_neg("execution.arrivals_per_hour", x.arrivals_per_hour)?;
        pos("execution.size_min_lots", x.size_min_lots)?;
        pos("execution.size_alpha", x.size_alpha)?;
        pos("execution.size_cap_lots", x.size_cap_lots as f64)?;
        pos("execution.duration_at_min_s", x.duration_at_min_s)?;
        non_neg("execution.duration_exponent", x.duration_exponent)?;
        pos("execution.child_interval_s", x.child_interval_s)?;
        lat("execution.latency", &x.latency)?;
        let a = &self.arbitrageur;
        pos("arbitrageur.wake_ms", a.wake_ms)?;
        non_neg("arbitrageur.threshold_bps", a.threshold_bps)?;
        pos("arbitrageur.clip_lots", a.clip_lots as f64)?;
        non_neg("arbitrageur.max_inventory_lots", a.max_inventory_lots as f64)?;
        lat("arbitrageur.latency", &a.latency)?;
        let l = &self.leveraged;
        unit("leveraged.long_fraction", l.long_fraction)?;
        if !(l.leverage_median >= 1.0 && l.leverage_median.is_finite()) {
            return Err(err("leveraged.leverage_median", format!("must be ≥ 1, got {}", l.leverage_median)));
        }
        non_neg("leveraged.leverage_log_sigma", l.leverage_log_sigma)?;
        non_neg("leveraged.topup_mean", l.topup_mean)?;
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
        non_neg("insurance_fund_unwind_lots_per_s", self.insurance_fund_unwind_lots_per_s)?;
        non_neg("fund_unwind_limit_bps", self.fund_unwind_limit_bps)?;
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
        crate::flows::validate(self)?;
        Ok(())
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

    /// Issue 14: patches that hung (`wake_ms` subnormal, `vol_activity_exponent` huge) or
    /// aborted on allocation (`limit_rate_per_s` huge) are refused, naming the field; the bounds
    /// themselves are accepted.
    #[test]
    fn work_sizing_knobs_are_bounded() {
        let refused = |f: fn(&mut AbmConfig)| {
            let mut c = default_config();
            f(&mut c);
            c.validate().unwrap_err().field
        };
        assert_eq!(refused(|c| c.arbitrageur.wake_ms = 5e-324), "arbitrageur.wake_ms");
        assert_eq!(refused(|c| c.noise.vol_activity_exponent = 1e300), "noise.vol_activity_exponent");
        assert_eq!(refused(|c| c.noise.limit_rate_per_s = 1e300), "noise.limit_rate_per_s");
        assert_eq!(refused(|c| c.noise.accounts = 4_294_967_295), "noise.accounts");
        assert_eq!(refused(|c| c.makers.levels = 1 << 40), "makers.levels");
        // Fuzz find: lot_size 1e12 overflowed the ledger's micro-dollars.
        assert_eq!(refused(|c| c.market.lot_size = 1e12), "market.lot_size");
        assert_eq!(refused(|c| c.execution.size_cap_lots = i64::MAX), "execution.size_cap_lots");
        assert_eq!(refused(|c| c.market.tick_size = 1.7e308), "market.tick_size");
        assert_eq!(refused(|c| c.market.symbol = "BDT".into()), "market.symbol");
        assert_eq!(refused(|c| c.noise.hawkes_decays_s[0] = 5e-324), "noise.hawkes_decays_s[0]");
        assert_eq!(refused(|c| c.leveraged.topup_mean = 1e308), "leveraged.notional_sigma");
        assert_eq!(refused(|c| c.leveraged.notional_sigma = 1.7e308), "leveraged.notional_sigma");
        let mut c = default_config();
        c.arbitrageur.wake_ms = limits::MIN_PERIOD_MS;
        c.noise.limit_rate_per_s = limits::MAX_RATE_PER_S;
        // 16/s × 8^γ = 1000/s at γ = log8(62.5) = 1.9882… (by hand): just inside.
        c.noise.vol_activity_exponent = 1.988;
        assert_eq!(c.validate(), Ok(()));
        c.noise.vol_activity_exponent = 1.99;
        assert_eq!(c.validate().unwrap_err().field, "noise.vol_activity_exponent");
    }
}
