//! Shock experiments: the same configuration, seed and shock run twice with one switch flipped,
//! so the difference is the effect of that switch alone (common random numbers: every agent's
//! stream is the same in both runs until the switch changes what it sees).
//!
//! * [`maker_withdrawal`]: makers that widen, thin and pull quotes with volatility vs makers that
//!   keep quoting;
//! * [`stop_clusters`]: with vs without the stop-loss clusters;
//! * [`matching_rule`]: price-time vs pro-rata;
//! * [`flow_channels`]: every flow channel of `[flows]` trading, each switched off in turn, and
//!   none (more than two arms: what each channel adds).

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

/// One arm of [`flow_channels`]: which flow channels traded, and what the run produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelArm {
    /// `all_flows`, `no_<channel>` or `no_flows`.
    pub label: String,
    /// The channels that traded in this arm (`leveraged_token`, `dealer_gamma`, `stops`).
    pub trading: Vec<String>,
    pub summary: ArmSummary,
    /// Taker notional by channel (`crate::flows::ChannelFlow`).
    pub channels: Vec<crate::flows::ChannelFlow>,
}

/// What one flow channel adds: the liquidations and trough with every channel trading minus
/// those with every channel but this one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelEffect {
    pub channel: String,
    /// Liquidated notional (all flows) − liquidated notional (all but this channel), USD.
    pub added_liquidated_usd: f64,
    /// Trough after the shock (all flows) − trough (all but this channel): negative = deeper.
    pub added_trough: f64,
    /// What the channel itself traded with all flows on, USD.
    pub traded_usd: f64,
}

/// [`flow_channels`]' result for one seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelAttribution {
    pub seed: u64,
    pub shock: ShockCfg,
    /// `all_flows`, then `no_<channel>` for each channel of the config, then `no_flows`.
    pub arms: Vec<ChannelArm>,
    pub effects: Vec<ChannelEffect>,
}

/// The shock with every flow channel of `base.flows` trading, with each one switched off in
/// turn, and with none trading (the flow agents then hold their starting positions and the run
/// is the run without `[flows]`), on the same seed: the difference to the first arm is what the
/// switched-off channel adds.
pub fn flow_channels(
    base: &AbmConfig,
    shock: &ShockCfg,
    seed: u64,
    duration_s: f64,
) -> Result<ChannelAttribution, ConfigError> {
    use liq_engine::Channel;
    let mut c = base.clone();
    c.shock = Some(shock.clone());
    let f = &c.flows;
    let present: Vec<Channel> = crate::flows::ABM_CHANNELS
        .into_iter()
        .filter(|ch| match ch {
            Channel::LeveragedToken => !f.leveraged_tokens.is_empty(),
            Channel::DealerGamma => f.dealers.as_ref().is_some_and(|d| !d.options.is_empty()),
            Channel::Stops => !f.stops.is_empty(),
            Channel::DeskHedge => false,
        })
        .collect();
    if present.is_empty() {
        return Err(ConfigError {
            field: "flows".into(),
            message:
                "the flow-channel experiment needs [flows] with a token, a dealer book or a stop cluster"
                    .into(),
        });
    }
    let mut plans: Vec<(String, [bool; 3])> = vec![("all_flows".into(), [true; 3])];
    for ch in &present {
        let mut e = [true; 3];
        e[crate::flows::ABM_CHANNELS.iter().position(|x| x == ch).unwrap_or(0)] = false;
        plans.push((format!("no_{}", ch.name()), e));
    }
    plans.push(("no_flows".into(), [false; 3]));
    let mut arms = Vec::with_capacity(plans.len());
    for (label, enabled) in plans {
        let o = crate::run::run_abm_channels(&c, seed, duration_s, enabled)?;
        let trading = present
            .iter()
            .filter(|ch| enabled[crate::flows::ABM_CHANNELS.iter().position(|x| x == *ch).unwrap_or(0)]);
        arms.push(ChannelArm {
            trading: trading.map(|ch| ch.name().to_string()).collect(),
            summary: arm(&label, &o, shock),
            label,
            channels: o.summary.channels,
        });
    }
    let all = &arms[0];
    let effects = present
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            let without = &arms[i + 1].summary;
            let traded = all.channels.iter().find(|r| r.channel == ch.name());
            ChannelEffect {
                channel: ch.name().into(),
                added_liquidated_usd: all.summary.liquidated_notional_usd - without.liquidated_notional_usd,
                added_trough: all.summary.trough_after_shock - without.trough_after_shock,
                traded_usd: traded.map_or(0.0, |r| r.sold_usd + r.bought_usd),
            }
        })
        .collect();
    Ok(ChannelAttribution { seed, shock: shock.clone(), arms, effects })
}
