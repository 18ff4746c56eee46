//! One ABM run: [`run_abm`] builds the market from a config and a seed, runs it for a duration
//! and returns the event log, the 1-second price path, the stylised facts and a summary.

use crate::config::{AbmConfig, ConfigError};
use crate::ledger::LedgerCheck;
use crate::sched::secs;
use crate::sim::{Sim, FUND};
use crate::stats::{stylised_facts, StylisedFacts};
use liq_engine::{EventKind, LiquidationEvent};
use serde::{Deserialize, Serialize};

/// One point of the 1-second price path.
///
/// Prices go through `finite_or_str` so a report's result file reads back even when a side of
/// the book emptied (a NaN mid is written as `"nan"`, not as a `null` no reader accepts).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PricePoint {
    pub t_s: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub mid: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub index: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub mark: f64,
    /// Realised over normal volatility as the market makers see it (they widen, thin and pull
    /// quotes as it rises).
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub vol_ratio: f64,
}

/// Headline numbers of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AbmSummary {
    /// Notional closed by liquidation (book fills, takeovers, backstop, ADL), USD.
    pub liquidated_notional_usd: f64,
    /// The same by generation (index = generation).
    pub notional_by_generation: Vec<f64>,
    pub accounts_liquidated: u64,
    /// Notional closed in the book by the liquidation engine's IOC orders, USD.
    pub book_fill_notional_usd: f64,
    /// Notional taken over by the insurance fund (including the backstop), USD.
    pub fund_takeover_notional_usd: f64,
    /// Notional the insurance fund sold (bought) back into the book, USD.
    pub fund_unwound_notional_usd: f64,
    pub adl_notional_usd: f64,
    pub fund_start_usd: f64,
    /// Fund equity at the final mark, USD.
    pub fund_end_usd: f64,
    /// Negative fund equity at the end, USD (0 if the fund is solvent).
    pub bad_debt_usd: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub start_mid: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub min_mid: f64,
    /// min mid / start mid − 1.
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub max_drawdown: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub end_mid: f64,
    pub trades: u64,
    pub volume_base: f64,
    /// Messages delivered to the book.
    pub messages: u64,
    /// Scheduler events processed.
    pub sim_events: u64,
    /// Who holds what at the end, and who gained or lost, by account group.
    pub groups: Vec<GroupOutcome>,
    /// Taker notional by channel — liquidations, each flow of `[flows]` and the ABM's own takers
    /// (`crate::flows::ChannelFlow`); only with `[flows]` (absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<crate::flows::ChannelFlow>,
}

/// One account group at the end of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GroupOutcome {
    /// makers, noise, momentum, arbitrageur, stops, leveraged, insurance_fund or outside (the
    /// counterparty of the positions opened at t = 0 and the source of re-entry deposits).
    pub group: String,
    /// Net position, base units (BTC).
    pub position_base: f64,
    /// Equity at the final mark minus equity at t = 0 at the initial price, USD. Deposits move
    /// equity from `outside` to the depositor, so the column sums to zero (money is conserved).
    pub equity_change_usd: f64,
}

/// Everything a run produces.
#[derive(Debug, Clone, Serialize)]
pub struct AbmOutcome {
    pub seed: u64,
    pub duration_s: f64,
    /// The common event log (the same type every mode of liqcascade writes).
    pub events: Vec<LiquidationEvent>,
    pub price_path: Vec<PricePoint>,
    pub stylised: StylisedFacts,
    pub summary: AbmSummary,
    /// Ledger invariants at the end: money conserved, open interest long = short.
    pub ledger: LedgerCheck,
    /// Every order the flow agents sent and what it filled (empty without `[flows]`).
    pub flow_orders: Vec<crate::flows::FlowOrder>,
}

/// Runs the ABM. Errors name the config field at fault (or `duration_s`).
pub fn run_abm(config: &AbmConfig, seed: u64, duration_s: f64) -> Result<AbmOutcome, ConfigError> {
    run_abm_channels(config, seed, duration_s, [true; 3])
}

/// [`run_abm`] with only the flow channels `enabled` trading (`crate::flows::ABM_CHANNELS` order:
/// leveraged tokens, dealers, stops); a disabled channel's agents hold their starting positions.
pub fn run_abm_channels(
    config: &AbmConfig,
    seed: u64,
    duration_s: f64,
    enabled: [bool; 3],
) -> Result<AbmOutcome, ConfigError> {
    config.validate()?;
    if !(duration_s.is_finite() && duration_s > 0.0 && duration_s < 1e7) {
        return Err(ConfigError {
            field: "duration_s".into(),
            message: format!("must be in (0, 10^7) seconds, got {duration_s}"),
        });
    }
    let mut sim = Sim::with_channels(config, ladder(config)?, seed, enabled);
    sim.run(secs(duration_s));
    Ok(outcome(&sim, seed, duration_s))
}

/// The risk-limit ladder of the config's market: Binance's published brackets for the symbol.
fn ladder(config: &AbmConfig) -> Result<liq_domain::RiskLadder, ConfigError> {
    liq_margin::binance_brackets(&config.market.symbol).ok_or_else(|| ConfigError {
        field: "market.symbol".into(),
        message: format!("no published risk-limit ladder for {:?}", config.market.symbol),
    })
}

/// The config's one market as the cascade engine's `MarketSpec` at its initial price (what an
/// options CSV's `market` column is resolved against: market 0).
pub fn market_spec(config: &AbmConfig) -> Result<liq_domain::MarketSpec, ConfigError> {
    Ok(crate::sim::market_spec(config, ladder(config)?))
}

/// Runs a simulation and reports scheduler events processed (for the `abm_events` benchmark).
pub fn run_abm_events(config: &AbmConfig, seed: u64, duration_s: f64) -> Result<u64, ConfigError> {
    run_abm(config, seed, duration_s).map(|o| o.summary.sim_events)
}

fn outcome(sim: &Sim, seed: u64, duration_s: f64) -> AbmOutcome {
    let s = &sim.samples;
    let price_path: Vec<PricePoint> = (0..s.t.len())
        .map(|i| PricePoint {
            t_s: s.t[i],
            mid: s.mid[i],
            index: s.index[i],
            mark: s.mark[i],
            vol_ratio: s.vol_ratio[i],
        })
        .collect();
    let mut stylised = stylised_facts(&s.mid, &s.spread_bps, &s.depth_usd);
    stylised.flow = Some(crate::stats::flow_facts(&s.mid, &s.flow));
    let mut by_gen: Vec<f64> = Vec::new();
    let mut total = 0.0;
    let mut adl = 0.0;
    let (mut fills, mut takeovers) = (0.0, 0.0);
    for e in &sim.liq.events {
        let liquidates = matches!(
            e.kind,
            EventKind::MarketFill | EventKind::FundTakeover | EventKind::Backstop | EventKind::Adl
        );
        if liquidates {
            let g = e.generation as usize;
            if by_gen.len() <= g {
                by_gen.resize(g + 1, 0.0);
            }
            by_gen[g] += e.notional_usd;
            total += e.notional_usd;
        }
        match e.kind {
            EventKind::Adl => adl += e.notional_usd,
            EventKind::MarketFill => fills += e.notional_usd,
            EventKind::FundTakeover | EventKind::Backstop => takeovers += e.notional_usd,
            _ => {}
        }
    }
    let fund_end = sim.ledger.equity_usd(FUND, sim.mark, sim.spec.lot_size);
    let start_mid = sim.cfg.market.initial_price;
    let min_mid = s.mid.iter().copied().fold(f64::INFINITY, f64::min);
    AbmSummary {
        liquidated_notional_usd: total,
        notional_by_generation: by_gen,
        accounts_liquidated: sim.liq.accounts_liquidated,
        book_fill_notional_usd: fills,
        fund_takeover_notional_usd: takeovers,
        fund_unwound_notional_usd: sim.liq.fund_unwound_usd,
        adl_notional_usd: adl,
        fund_start_usd: sim.cfg.insurance_fund_usd,
        fund_end_usd: fund_end,
        bad_debt_usd: (-fund_end).max(0.0),
        start_mid,
        min_mid,
        max_drawdown: min_mid / start_mid - 1.0,
        end_mid: s.mid.last().copied().unwrap_or(start_mid),
        trades: sim.trades,
        volume_base: sim.volume_lots as f64 * sim.spec.lot_size,
        messages: sim.messages,
        sim_events: sim.sched.processed(),
        groups: {
            let (pos, eq) = sim.group_totals(sim.mark);
            crate::sim::GROUPS
                .iter()
                .enumerate()
                .filter(|(g, _)| sim.flows.on || *g < crate::sim::FIRST_FLOW_GROUP)
                .map(|(g, name)| GroupOutcome {
                    group: name.to_string(),
                    position_base: pos[g] as f64 * sim.spec.lot_size,
                    equity_change_usd: eq[g] - sim.group_equity_start[g],
                })
                .collect()
        },
        channels: sim.channel_flows(),
    }
    .into_outcome(sim, seed, duration_s, price_path, stylised)
}

impl AbmSummary {
    fn into_outcome(
        self,
        sim: &Sim,
        seed: u64,
        duration_s: f64,
        price_path: Vec<PricePoint>,
        stylised: StylisedFacts,
    ) -> AbmOutcome {
        AbmOutcome {
            seed,
            duration_s,
            events: sim.liq.events.clone(),
            price_path,
            stylised,
            summary: self,
            ledger: sim.ledger.check(),
            flow_orders: sim.flows.orders.clone(),
        }
    }
}
