//! Shock experiments: the same configuration, seed and shock run twice with one switch flipped,
//! so the difference is the effect of that switch alone (common random numbers: every agent's
//! stream is the same in both runs until the switch changes what it sees).
//!
//! * [`maker_withdrawal`]: makers that widen, thin and pull quotes with volatility vs makers that
//!   keep quoting;
//! * [`stop_clusters`]: with vs without the stop-loss clusters;
//! * [`matching_rule`]: price-time vs pro-rata.

use crate::config::{AbmConfig, ConfigError, ShockCfg};
use crate::run::{run_abm, AbmOutcome};
use serde::Serialize;

/// What one arm of an experiment produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmSummary {
    pub label: String,
    pub liquidated_notional_usd: f64,
    pub notional_by_generation: Vec<f64>,
    pub accounts_liquidated: u64,
    pub adl_notional_usd: f64,
    pub bad_debt_usd: f64,
    pub fund_end_usd: f64,
    /// Lowest 1-s mid after the shock over the mid just before it, minus 1.
    pub trough_after_shock: f64,
    pub median_spread_bps: f64,
    pub median_depth_usd_10bp: f64,
}

/// Two arms of the same shock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub experiment: String,
    pub seed: u64,
    pub shock: ShockCfg,
    pub arms: [ArmSummary; 2],
}

fn arm(label: &str, o: &AbmOutcome, shock: &ShockCfg) -> ArmSummary {
    let before = o.price_path.iter().rev().find(|p| p.t_s <= shock.at_s).map(|p| p.mid).unwrap_or(f64::NAN);
    let low = o.price_path.iter().filter(|p| p.t_s > shock.at_s).map(|p| p.mid).fold(f64::INFINITY, f64::min);
    ArmSummary {
        label: label.to_string(),
        liquidated_notional_usd: o.summary.liquidated_notional_usd,
        notional_by_generation: o.summary.notional_by_generation.clone(),
        accounts_liquidated: o.summary.accounts_liquidated,
        adl_notional_usd: o.summary.adl_notional_usd,
        bad_debt_usd: o.summary.bad_debt_usd,
        fund_end_usd: o.summary.fund_end_usd,
        trough_after_shock: low / before - 1.0,
        median_spread_bps: o.stylised.spread_bps.median,
        median_depth_usd_10bp: o.stylised.depth_usd_10bp.median,
    }
}

/// One arm: its label and how it changes the base configuration.
type Arm<'a> = (&'a str, &'a dyn Fn(&mut AbmConfig));

fn compare(
    name: &str,
    base: &AbmConfig,
    shock: &ShockCfg,
    seed: u64,
    duration_s: f64,
    arms: [Arm<'_>; 2],
) -> Result<Comparison, ConfigError> {
    let run = |(label, f): Arm<'_>| -> Result<ArmSummary, ConfigError> {
        let mut c = base.clone();
        c.shock = Some(shock.clone());
        f(&mut c);
        Ok(arm(label, &run_abm(&c, seed, duration_s)?, shock))
    };
    Ok(Comparison {
        experiment: name.into(),
        seed,
        shock: shock.clone(),
        arms: [run(arms[0])?, run(arms[1])?],
    })
}

/// The shock with makers that withdraw (arm 0) and makers that keep quoting (arm 1).
pub fn maker_withdrawal(
    base: &AbmConfig,
    shock: &ShockCfg,
    seed: u64,
    duration_s: f64,
) -> Result<Comparison, ConfigError> {
    compare(
        "maker_withdrawal",
        base,
        shock,
        seed,
        duration_s,
        [("withdrawal", &|c| c.makers.withdraw = true), ("no_withdrawal", &|c| c.makers.withdraw = false)],
    )
}

/// The shock with stop clusters (arm 0) and without (arm 1).
pub fn stop_clusters(
    base: &AbmConfig,
    shock: &ShockCfg,
    seed: u64,
    duration_s: f64,
) -> Result<Comparison, ConfigError> {
    compare(
        "stop_clusters",
        base,
        shock,
        seed,
        duration_s,
        [("stops", &|c| c.stops.enabled = true), ("no_stops", &|c| c.stops.enabled = false)],
    )
}

/// The shock under price-time (arm 0) and pro-rata (arm 1) matching.
pub fn matching_rule(
    base: &AbmConfig,
    shock: &ShockCfg,
    seed: u64,
    duration_s: f64,
) -> Result<Comparison, ConfigError> {
    use crate::book::MatchRule;
    compare(
        "matching_rule",
        base,
        shock,
        seed,
        duration_s,
        [
            ("price_time", &|c| c.matching = MatchRule::PriceTime),
            ("pro_rata", &|c| c.matching = MatchRule::ProRata),
        ],
    )
}
