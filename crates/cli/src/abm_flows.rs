//! `liqcascade abm CONFIG --flows --shock X`: what each flow channel of the config's `[flows]`
//! (leveraged tokens, dealer gamma hedging, stop clusters) adds to the ABM's cascade — the shock
//! with every channel trading, with each switched off in turn and with none, on the same seed
//! (`liq_abm::experiments::flow_channels`), for one seed or every seed of `--seeds A-B` — and
//! the channel block of a single run's table.

use crate::abm_calib_cmd::AbmMeta;
use crate::table::{pct, usd};
use crate::InputError;
use anyhow::Result;
use liq_abm::experiments::ChannelAttribution;
use liq_abm::flows::ChannelFlow;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;

/// What each channel added, over all seeds.
#[derive(Debug, Serialize)]
struct ChannelMean {
    channel: String,
    /// Mean over the seeds of the liquidated notional it added, USD.
    mean_added_liquidated_usd: f64,
    /// Seeds on which it added liquidations (> 0).
    seeds_adding: usize,
    /// Mean over the seeds of what it traded itself, USD.
    mean_traded_usd: f64,
}

#[derive(Serialize)]
struct FlowsDocument<'a> {
    meta: &'a AbmMeta,
    runs: &'a [ChannelAttribution],
    channels: &'a [ChannelMean],
}

/// Runs the flow-channel experiment for every seed (in parallel, gathered in seed order) and
/// prints the table or `--json`.
pub fn run(
    cfg: &liq_abm::AbmConfig,
    shock: &liq_abm::ShockCfg,
    seeds: &[u64],
    duration_s: f64,
    meta: &AbmMeta,
    json: bool,
) -> Result<()> {
    let runs: Vec<ChannelAttribution> = seeds
        .par_iter()
        .map(|&seed| {
            liq_abm::experiments::flow_channels(cfg, shock, seed, duration_s)
                .map_err(|e| InputError(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let n = runs.len().max(1) as f64;
    let means: Vec<ChannelMean> = runs
        .first()
        .map(|r| r.effects.iter().map(|e| e.channel.clone()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, channel)| ChannelMean {
            channel,
            mean_added_liquidated_usd: runs.iter().map(|r| r.effects[i].added_liquidated_usd).sum::<f64>()
                / n,
            seeds_adding: runs.iter().filter(|r| r.effects[i].added_liquidated_usd > 0.0).count(),
            mean_traded_usd: runs.iter().map(|r| r.effects[i].traded_usd).sum::<f64>() / n,
        })
        .collect();
    if json {
        let doc = FlowsDocument { meta, runs: &runs, channels: &means };
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "flow channels · config {} ({}) · shock {} at {:.0} s over {:.0} s · {:.0} s each",
        meta.config_source,
        meta.config_hash,
        pct(shock.index_move),
        shock.at_s,
        shock.over_s,
        duration_s
    );
    let _ = writeln!(
        o,
        "  {:>6} {:<20} {:>14} {:>9} {:>12} {:>12} {:>9} {:>14}",
        "seed", "arm", "liquidated", "accounts", "ADL", "bad debt", "trough", "flows traded"
    );
    for r in &runs {
        for a in &r.arms {
            let traded: f64 = a
                .channels
                .iter()
                .filter(|c| ["leveraged_token", "dealer_gamma", "stops"].contains(&c.channel.as_str()))
                .map(|c| c.sold_usd + c.bought_usd)
                .sum();
            let s = &a.summary;
            let _ = writeln!(
                o,
                "  {:>6} {:<20} {:>14} {:>9} {:>12} {:>12} {:>9} {:>14}",
                r.seed,
                a.label,
                usd(s.liquidated_notional_usd),
                s.accounts_liquidated,
                usd(s.adl_notional_usd),
                usd(s.bad_debt_usd),
                pct(s.trough_after_shock),
                usd(traded)
            );
        }
        for e in &r.effects {
            let _ = writeln!(
                o,
                "  {:>6} {:<20} adds {} of liquidations and {} to the trough (traded {})",
                r.seed,
                e.channel,
                usd(e.added_liquidated_usd),
                pct(e.added_trough),
                usd(e.traded_usd)
            );
        }
    }
    if runs.len() > 1 {
        for m in &means {
            let _ = writeln!(
                o,
                "  over {} seeds: {} adds {} of liquidations on average (more on {} seeds), trades {}",
                runs.len(),
                m.channel,
                usd(m.mean_added_liquidated_usd),
                m.seeds_adding,
                usd(m.mean_traded_usd)
            );
        }
    }
    out!("{o}")?;
    Ok(())
}

/// The single run's taker notional by channel (with `[flows]` only).
pub(crate) fn channel_lines(o: &mut String, channels: &[ChannelFlow]) {
    if channels.is_empty() {
        return;
    }
    // Long cascades have hundreds of generations: the first few one by one, the rest summed
    // (--json has all).
    const SHOWN: usize = 4;
    let _ = writeln!(
        o,
        "    {:<18} {:>14} {:>14}  generations 0, 1, 2, 3, rest",
        "taker channel", "sold", "bought"
    );
    for c in channels {
        let g = &c.by_generation;
        let mut parts: Vec<String> = g.iter().take(SHOWN).map(|x| usd(*x)).collect();
        if g.len() > SHOWN {
            parts.push(usd(g[SHOWN..].iter().sum()));
        }
        let gens = parts.join(" ");
        let _ =
            writeln!(o, "    {:<18} {:>14} {:>14}  {gens}", c.channel, usd(c.sold_usd), usd(c.bought_usd));
    }
}
