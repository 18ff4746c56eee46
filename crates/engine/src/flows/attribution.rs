//! What each forced-flow channel adds to the liquidations.
//!
//! A liquidation has one generation but no single cause once several flows move the same book,
//! so the split by channel is measured, not labelled: the same shock is run with every channel,
//! with each channel switched off in turn (its holders keep their starting positions and do not
//! trade), and with all of them off (the liquidation-only cascade). A channel's contribution is
//! the liquidated notional of the full run minus that of the run without it; what the marginal
//! contributions do not add up to is reported as the interaction, so nothing is hidden.

use super::{Channel, ChannelTotals};
use crate::cascade::Cascade;
use crate::model::EngineModel;
use crate::outcome::CascadeReport;
use serde::Serialize;

/// One channel's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    pub channel: Channel,
    /// What the channel traded in the full run (sold, bought), USD.
    pub sold_usd: f64,
    pub bought_usd: f64,
    /// Liquidated notional of the run without this channel, USD.
    pub liquidated_without_usd: f64,
    /// Full run minus the run without this channel: the liquidations it adds, USD.
    pub liquidations_added_usd: f64,
}

/// The decomposition of a shock's liquidations by channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelReport {
    /// Liquidated notional with every channel, and its first/second-order split.
    pub liquidated_usd: f64,
    pub first_order_usd: f64,
    pub second_order_usd: f64,
    /// The liquidation-only cascade (every flow channel off).
    pub liquidations_only_usd: f64,
    pub liquidations_only_second_order_usd: f64,
    pub channels: Vec<ChannelRow>,
    /// `liquidated − liquidations_only − Σ liquidations_added`: the channels' joint effect
    /// beyond their separate ones.
    pub interaction_usd: f64,
}

fn run_with(cascade: &mut Cascade, model: &EngineModel, enabled: [bool; 4]) -> CascadeReport {
    cascade.ws.flows.enabled = enabled;
    let r = cascade.report(model);
    cascade.ws.flows.enabled = [true; 4];
    r
}

/// Runs the instant shock `2 + channels` times (each with its counterfactual) and decomposes.
pub fn channel_report(cascade: &mut Cascade, model: &EngineModel) -> ChannelReport {
    let full = run_with(cascade, model, [true; 4]);
    let only = run_with(cascade, model, [false; 4]);
    let totals: Vec<ChannelTotals> = full.outcome.channels.clone();
    let mut rows = Vec::new();
    for c in model.flows.channels() {
        let mut enabled = [true; 4];
        enabled[c as usize] = false;
        let without = run_with(cascade, model, enabled).summary.liquidated_notional_usd;
        let t = totals.iter().find(|t| t.channel == c);
        rows.push(ChannelRow {
            channel: c,
            sold_usd: t.map_or(0.0, |t| t.sold_usd),
            bought_usd: t.map_or(0.0, |t| t.bought_usd),
            liquidated_without_usd: without,
            liquidations_added_usd: full.summary.liquidated_notional_usd - without,
        });
    }
    let s = &full.summary;
    let added: f64 = rows.iter().map(|r| r.liquidations_added_usd).sum();
    ChannelReport {
        liquidated_usd: s.liquidated_notional_usd,
        first_order_usd: s.first_order_notional_usd,
        second_order_usd: s.second_order_notional_usd,
        liquidations_only_usd: only.summary.liquidated_notional_usd,
        liquidations_only_second_order_usd: only.summary.second_order_notional_usd,
        interaction_usd: s.liquidated_notional_usd - only.summary.liquidated_notional_usd - added,
        channels: rows,
    }
}
