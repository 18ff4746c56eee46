//! Mitigation policies a venue or a regulator could switch on, as scenario fields (`[policy]` in
//! a scenario file, docs/scenario-format.md "Mitigation policies"): liquidation throttling, a
//! circuit breaker, volatility-scaled maintenance margin, a larger or smaller insurance fund,
//! mark-price smoothing and a cap on leveraged tokens' rebalancing. Pro-rata ADL, the seventh
//! policy `liqcascade policies` compares, is `engine.adl_policy` ([`crate::AdlMode`]).
//!
//! This module owns only the validated values; what each means in a run is
//! `liq_engine::policy` (DESIGN.md "Mitigation policies"). Every field defaults to off, and the
//! whole section is skipped when serialised while off, so a scenario without a policy keeps its
//! hash.

use serde::{Deserialize, Serialize};

/// A trading halt: when any perpetual's mark has moved by at least `move_frac` (either way)
/// within the last `window_s` seconds, the venue halts for `halt_s` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CircuitBreaker {
    /// The move that trips the breaker (0.05 = 5%).
    pub move_frac: f64,
    /// The look-back window of the move, seconds.
    pub window_s: f64,
    /// How long trading stays halted, seconds.
    pub halt_s: f64,
}

/// Maintenance margin scaled with volatility: every tier's rate and maintenance amount of market
/// `k` are multiplied by `max(1, daily_vol[k] / reference_daily_vol)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolScaledMaintenance {
    /// The volatility the venue's published tables are set for (daily, fraction).
    pub reference_daily_vol: f64,
    /// The volatility of the regime being stressed, per market in scenario order (daily).
    pub daily_vol: Vec<f64>,
}

/// The mitigation policies of a run; every field `None` = the venue's rules unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicySpec {
    /// At most this much liquidation notional per second per market, USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liquidation_throttle_usd_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<CircuitBreaker>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vol_scaled_maintenance: Option<VolScaledMaintenance>,
    /// Every venue's insurance fund at the start multiplied by this (2 = doubled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance_fund_scale: Option<f64>,
    /// The mark follows the venue's mark through an exponential average with this time
    /// constant, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark_smoothing_s: Option<f64>,
    /// At most this much rebalancing notional per second per leveraged token, USD; the rest of
    /// a rebalance trades in the following steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_rebalance_cap_usd_per_s: Option<f64>,
}

impl PolicySpec {
    /// No policy on: the venue's rules as published.
    pub fn is_off(&self) -> bool {
        *self == PolicySpec::default()
    }
}
