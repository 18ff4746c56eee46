//! The cascade engine's other forced flows as ABM agents: leveraged tokens, options dealers'
//! delta hedge and stop-loss / take-profit clusters, from the same specs
//! (`liq_domain::FlowsSpec`, the config's `[flows]`) and the same decisions
//! (`liq_engine::flows`: [`leveraged_token::due`] and [`leveraged_token::rebalance_trade_usd`],
//! [`gamma::dealer_delta`] and [`gamma::hedge_gap_lots`], [`stops::touched`] and
//! [`stops::order_lots`]), so a token, a dealer book or a stop cluster means the same thing in
//! both models.
//!
//! This module owns the flow agents' accounts and per-run state (`FlowAgents`), their
//! decisions on every mark tick (the engine's flows decide on the mark too, once per round,
//! before the liquidation engine looks), the record of every order they send ([`FlowOrder`]),
//! and the tally of taker notional by channel that the run reports ([`ChannelFlow`]).
//!
//! * **Accounts.** One account per token, one for the dealers, one per stop cluster, after the
//!   leveraged population. Each opens its starting position at the initial price against the
//!   outside world (the legacy holder), as the engine enters its flow holders at the starting
//!   mark: a token holds `L × AUM` long and `AUM` of cash (its NAV at the start, paid in from
//!   outside), the dealers hold `−hedge_ratio × Δ(p0)`, a sell stop's owners hold the long the
//!   stop closes. None of them is margined (the venue's liquidation engine watches the leveraged
//!   population only): a token whose NAV reaches zero is wound up by its issuer instead.
//! * **Orders.** Market orders into the L3 book through the matching engine, sent with the
//!   arbitrageur's latency (token issuers and options dealers are professional API desks; no
//!   venue publishes their latency, and at 2–3 ms it is far below the 100 ms mark tick), from
//!   their own random stream (adding flows shifts no other agent's draws).
//! * **Generation.** A flow order is labelled with the liquidation engine's generation rule
//!   (`crate::liquidation`): one more than the highest generation of the liquidation orders on
//!   the same side in the preceding cascade window, 0 when there are none — so a token's sale
//!   that follows generation-0 liquidations is generation 1, and the liquidations it causes
//!   count it.

use crate::book::NewOrder;
use crate::config::{AbmConfig, ConfigError};
use crate::sched::{latency, Nanos};
use crate::sim::{Msg, Sim, LEGACY};
use liq_domain::Side;
use liq_engine::flows::{
    gamma,
    leveraged_token::{self, TokenState, TokenTrigger},
    stops, Channel,
};
use liq_engine::EngineError;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Largest starting position one flow may hold, USD: keeps every value the ledger books (integer
/// micro-USD in an `i64`, at most ≈ 9.2 × 10¹² USD) far from overflow even after a 10× move.
pub const MAX_FLOW_NOTIONAL_USD: f64 = 1e11;

/// Checks `[flows]` with the cascade engine's checks (field names prefixed `flows.`), and bounds
/// the positions the ledger must hold.
pub(crate) fn validate(cfg: &AbmConfig) -> Result<(), ConfigError> {
    let f = &cfg.flows;
    if f.is_empty() {
        return Ok(());
    }
    let ladder = liq_margin::binance_brackets(&cfg.market.symbol).ok_or_else(|| ConfigError {
        field: "market.symbol".into(),
        message: format!("no published risk-limit ladder for {:?}", cfg.market.symbol),
    })?;
    // Sizes first: the engine's entry of a huge position would overflow before its checks (a
    // NaN passes here to be refused there as not finite).
    let too_big = |field: String, usd: f64| {
        if usd.is_nan() || usd <= MAX_FLOW_NOTIONAL_USD {
            Ok(())
        } else {
            Err(ConfigError {
                field,
                message: format!("a position of {usd:.3e} USD is beyond the 1e11 USD the ABM holds"),
            })
        }
    };
    for (i, t) in f.leveraged_tokens.iter().enumerate() {
        too_big(format!("flows.leveraged_tokens[{i}].aum_usd"), t.leverage * t.aum_usd)?;
    }
    for (i, s) in f.stops.iter().enumerate() {
        too_big(format!("flows.stops[{i}].notional_usd"), s.notional_usd)?;
    }
    if let Some(d) = &f.dealers {
        let oi: f64 = d.options.iter().map(|o| o.open_interest).sum();
        too_big("flows.dealers.options".into(), oi * cfg.market.initial_price)?;
    }
    let spec = crate::sim::market_spec(cfg, ladder);
    liq_engine::flows::validate(f, std::slice::from_ref(&spec)).map_err(|e| match e {
        EngineError::Invalid { field, message } => ConfigError {
            // The engine names the options table's CSV column; the ABM's TOML key is `expiry_years`.
            field: format!(
                "flows.{}",
                field.strip_suffix(".expiry").map_or(field.clone(), |s| format!("{s}.expiry_years"))
            ),
            message: if message == "unknown market" {
                "unknown market (the ABM has one market: 0)".into()
            } else {
                message
            },
        },
    })?;
    Ok(())
}

/// The engine's market flows the ABM runs as agents, in `enabled` order (a desk's hedge of its
/// own book, `Channel::DeskHedge`, is a Monte Carlo feature of `stress --hedge`, not an agent).
pub const ABM_CHANNELS: [Channel; 3] = [Channel::LeveragedToken, Channel::DealerGamma, Channel::Stops];

/// One order a flow agent sent, and what the book filled of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowOrder {
    pub channel: Channel,
    /// The token's name, `dealers`, or the stop cluster's `SYMBOL@price`.
    pub flow: String,
    /// `daily`, `intraday`, `wound_up`, `hedge` or `touched`.
    pub trigger: &'static str,
    pub generation: u32,
    /// When the agent decided, seconds since the start.
    pub time_s: f64,
    /// The mark it decided on.
    pub mark: f64,
    /// Signed lots sent (negative = sell).
    pub ordered_lots: i64,
    /// Signed lots the book filled.
    pub filled_lots: i64,
    /// Filled value, USD.
    pub filled_notional_usd: f64,
}

/// Taker notional of one channel over a run.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Default)]
pub struct ChannelFlow {
    /// `liquidation`, `leveraged_token`, `dealer_gamma`, `stops` (the flow's clusters), and the
    /// ABM's own takers: `noise`, `momentum`, `execution`, `arbitrageur`, `makers`,
    /// `stop_orders` (the ABM's stop agents), `leveraged_reentry`, `fund_unwind`.
    pub channel: String,
    pub sold_usd: f64,
    pub bought_usd: f64,
    /// Traded notional by generation (flows and liquidations; empty for the other takers).
    pub by_generation: Vec<f64>,
}

/// The flow agents of one run (empty without `[flows]`).
#[derive(Debug, Clone, Default)]
pub(crate) struct FlowAgents {
    /// Whether there are any (then trades are tallied by channel too).
    pub on: bool,
    /// First flow account: tokens, then the dealers (if any), then the stop clusters.
    pub first: u32,
    /// Channel and name of each flow account (index = account − `first`).
    channel: Vec<Channel>,
    names: Vec<String>,
    tokens: Vec<TokenState>,
    dealer: Option<u32>,
    dealer_next_s: f64,
    stop_fired: Vec<bool>,
    stop_lots: Vec<i64>,
    /// Channels that trade ([`Channel`] order); a disabled one keeps its starting position.
    pub enabled: [bool; 3],
    rng: Option<ChaCha8Rng>,
    /// The latest order of each flow account, index into `orders` (its fills accrue to it).
    open: Vec<Option<usize>>,
    pub orders: Vec<FlowOrder>,
    /// Group (`crate::sim::GROUPS` index) of every account, and taker value bought / sold by
    /// group, micro-USD.
    group_of: Vec<u8>,
    pub taker_micros: Vec<[i128; 2]>,
}

/// The number of flow accounts the config asks for.
pub(crate) fn account_count(cfg: &AbmConfig) -> usize {
    let f = &cfg.flows;
    f.leveraged_tokens.len()
        + usize::from(f.dealers.as_ref().is_some_and(|d| !d.options.is_empty()))
        + f.stops.len()
}

fn channel_idx(c: Channel) -> usize {
    ABM_CHANNELS.iter().position(|&x| x == c).unwrap_or(0)
}

/// The signed lots a token trades now, and why, if it is due (`None` otherwise): the engine's
/// trigger ([`leveraged_token::due`]) and trade ([`leveraged_token::rebalance_trade_usd`]) on
/// the token's NAV and exposure at `mark`; a NAV at or below zero winds the token up.
pub(crate) fn token_decision(
    spec: &liq_domain::LeveragedTokenSpec,
    st: &mut TokenState,
    t_s: f64,
    mark: f64,
    nav_usd: f64,
    position_lots: i64,
    lot: f64,
) -> Option<(i64, &'static str)> {
    if st.bust {
        return None;
    }
    if nav_usd <= 0.0 {
        st.bust = true;
        return Some((-position_lots, "wound_up"));
    }
    let exposure = position_lots as f64 * lot * mark;
    let why = leveraged_token::due(spec, st, t_s, mark, nav_usd, exposure)?;
    let usd = leveraged_token::rebalance_trade_usd(spec.leverage, nav_usd, exposure);
    if why == TokenTrigger::Daily {
        st.daily_done = true;
    }
    st.last_mark = mark;
    let lots = (usd / (mark * lot)).round().clamp(-1e15, 1e15) as i64;
    Some((lots, if why == TokenTrigger::Daily { "daily" } else { "intraday" }))
}

/// The dealers' hedge order at `mark`, `t_s` after the start, holding `held_lots`.
pub(crate) fn dealer_decision(
    d: &liq_domain::DealerBookSpec,
    t_s: f64,
    mark: f64,
    held_lots: i64,
    lot: f64,
) -> Option<i64> {
    let delta = gamma::dealer_delta(d.options.iter(), mark, t_s / gamma::SECONDS_PER_YEAR, d.vol);
    gamma::hedge_gap_lots(d.hedge_ratio, delta, held_lots, lot, mark, d.min_trade_usd)
}

impl FlowAgents {
    /// Records a taker fill of `owner` (value in micro-USD, side of the taker).
    #[inline]
    pub fn taker_fill(&mut self, owner: u32, side: Side, lots: i64, value: i64) {
        let g = self.group_of[owner as usize] as usize;
        self.taker_micros[g][usize::from(side == Side::Sell)] += value as i128;
        if owner >= self.first {
            if let Some(k) = self.open[(owner - self.first) as usize] {
                let o = &mut self.orders[k];
                o.filled_lots += side.sign() * lots;
                o.filled_notional_usd += value as f64 * 1e-6;
            }
        }
    }
}

impl Sim<'_> {
    /// Opens every flow account's starting position (after the other populations, so their
    /// draws are unchanged).
    pub(crate) fn open_flows(&mut self, seed: u64, enabled: [bool; 3]) {
        let f = &self.cfg.flows;
        let first = self.layout.flows.start;
        let p0 = self.cfg.market.initial_price;
        let p0t = self.spec.ticks(p0);
        let lot = self.spec.lot_size;
        let mut fa = FlowAgents { on: true, first, enabled, ..FlowAgents::default() };
        let mut a = first;
        let open = |sim: &mut Sim, a: u32, lots: i64| {
            if lots > 0 {
                sim.ledger.trade_at(a, LEGACY, lots, p0t);
            } else if lots < 0 {
                sim.ledger.trade_at(LEGACY, a, -lots, p0t);
            }
        };
        for t in &f.leveraged_tokens {
            let aum = (t.aum_usd * 1e6).round() as i64;
            self.ledger.transfer(LEGACY, a, aum);
            open(self, a, (t.leverage * t.aum_usd / p0 / lot).round() as i64);
            fa.channel.push(Channel::LeveragedToken);
            fa.names.push(t.name.clone());
            fa.tokens.push(TokenState { last_mark: p0, daily_done: false, bust: false });
            a += 1;
        }
        if let Some(d) = f.dealers.as_ref().filter(|d| !d.options.is_empty()) {
            let delta = gamma::dealer_delta(d.options.iter(), p0, 0.0, d.vol);
            open(self, a, (-d.hedge_ratio * delta / lot).round().clamp(-1e15, 1e15) as i64);
            fa.channel.push(Channel::DealerGamma);
            fa.names.push("dealers".into());
            fa.dealer = Some(a);
            a += 1;
        }
        for s in &f.stops {
            let lots = stops::order_lots(s, &self.spec);
            // The owners hold the position the order closes.
            open(self, a, -lots);
            fa.channel.push(Channel::Stops);
            fa.names.push(format!("{}@{}", self.spec.symbol, s.price));
            fa.stop_lots.push(lots);
            fa.stop_fired.push(false);
            a += 1;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(u64::MAX - 1);
        fa.rng = Some(rng);
        fa.open = vec![None; fa.channel.len()];
        fa.group_of = self.account_groups();
        fa.taker_micros = vec![[0; 2]; crate::sim::GROUPS.len()];
        self.flows = fa;
    }

    /// The channel (0 tokens, 1 dealers, 2 stop clusters) of flow account `first + k`, from
    /// the config (the accounts are laid out in that order).
    pub(crate) fn flows_channel_group(&self, k: u32) -> u8 {
        let f = &self.cfg.flows;
        let tokens = f.leveraged_tokens.len() as u32;
        let dealers = u32::from(f.dealers.as_ref().is_some_and(|d| !d.options.is_empty()));
        if k < tokens {
            0
        } else if k < tokens + dealers {
            1
        } else {
            2
        }
    }

    /// Every enabled flow looks at the new mark and sends its orders.
    pub(crate) fn flows_tick(&mut self, now: Nanos) {
        let t_s = now as f64 * 1e-9;
        let (mark, lot) = (self.mark, self.spec.lot_size);
        let first = self.flows.first;
        let f = &self.cfg.flows;
        let mut orders: Vec<(u32, i64, &'static str)> = Vec::new();
        if self.flows.enabled[channel_idx(Channel::LeveragedToken)] {
            for (i, spec) in f.leveraged_tokens.iter().enumerate() {
                let a = first + i as u32;
                let nav = self.ledger.equity_usd(a, mark, lot);
                let pos = self.ledger.pos[a as usize];
                if let Some((lots, why)) =
                    token_decision(spec, &mut self.flows.tokens[i], t_s, mark, nav, pos, lot)
                {
                    orders.push((a, lots, why));
                }
            }
        }
        if let (Some(d), Some(a), true) =
            (&f.dealers, self.flows.dealer, self.flows.enabled[channel_idx(Channel::DealerGamma)])
        {
            if t_s + 1e-9 >= self.flows.dealer_next_s {
                self.flows.dealer_next_s =
                    ((t_s / d.rebalance_interval_s + 1e-9).floor() + 1.0) * d.rebalance_interval_s;
                if let Some(lots) = dealer_decision(d, t_s, mark, self.ledger.pos[a as usize], lot) {
                    orders.push((a, lots, "hedge"));
                }
            }
        }
        if self.flows.enabled[channel_idx(Channel::Stops)] {
            let first_stop = first + (self.flows.channel.len() - f.stops.len()) as u32;
            for (i, s) in f.stops.iter().enumerate() {
                if !self.flows.stop_fired[i] && stops::touched(s, mark) {
                    self.flows.stop_fired[i] = true;
                    orders.push((first_stop + i as u32, self.flows.stop_lots[i], "touched"));
                }
            }
        }
        for (a, lots, trigger) in orders {
            if lots == 0 {
                continue;
            }
            let side = if lots < 0 { Side::Sell } else { Side::Buy };
            // A sale follows (and feeds) the sell liquidations that hurt longs.
            let generation = self.generation(now, if side == Side::Sell { 1 } else { -1 });
            let k = (a - first) as usize;
            self.flows.open[k] = Some(self.flows.orders.len());
            self.flows.orders.push(FlowOrder {
                channel: self.flows.channel[k],
                flow: self.flows.names[k].clone(),
                trigger,
                generation,
                time_s: t_s,
                mark,
                ordered_lots: lots,
                filled_lots: 0,
                filled_notional_usd: 0.0,
            });
            let rng = self.flows.rng.as_mut().expect("set with the flows");
            let delay = latency(&self.cfg.arbitrageur.latency, rng);
            let o = NewOrder::market(a, side, lots.abs());
            self.send(0, Msg::Submit { agent: u32::MAX, order: o, lifetime: 0 }, delay);
        }
    }

    /// Taker notional by channel over the run (empty without flows).
    pub(crate) fn channel_flows(&self) -> Vec<ChannelFlow> {
        if !self.flows.on {
            return Vec::new();
        }
        let usd = |m: i128| m as f64 * 1e-6;
        let mut rows = Vec::new();
        // Liquidation orders are the leveraged accounts' IOCs: split them from the same
        // accounts' re-entries by the engine's own fill events.
        let mut liq = ChannelFlow { channel: "liquidation".into(), ..ChannelFlow::default() };
        let mut liq_micros = [0i128; 2];
        for e in self.liq.events.iter().filter(|e| e.kind == liq_engine::EventKind::MarketFill) {
            let g = e.generation as usize;
            if liq.by_generation.len() <= g {
                liq.by_generation.resize(g + 1, 0.0);
            }
            liq.by_generation[g] += e.notional_usd;
            liq_micros[usize::from(e.lots < 0)] += (e.notional_usd * 1e6).round() as i128;
        }
        (liq.bought_usd, liq.sold_usd) = (usd(liq_micros[0]), usd(liq_micros[1]));
        rows.push(liq);
        for c in ABM_CHANNELS.into_iter().filter(|c| self.flows.channel.contains(c)) {
            let mut r = ChannelFlow { channel: c.name().into(), ..ChannelFlow::default() };
            for o in self.flows.orders.iter().filter(|o| o.channel == c) {
                if o.filled_lots < 0 {
                    r.sold_usd += o.filled_notional_usd;
                } else {
                    r.bought_usd += o.filled_notional_usd;
                }
                let g = o.generation as usize;
                if r.by_generation.len() <= g {
                    r.by_generation.resize(g + 1, 0.0);
                }
                r.by_generation[g] += o.filled_notional_usd;
            }
            rows.push(r);
        }
        // The ABM's own takers (crate::sim::GROUPS order: makers, noise, momentum, arbitrageur,
        // stops, leveraged, insurance_fund, outside, execution).
        for (g, name) in [
            (1, "noise"),
            (2, "momentum"),
            (8, "execution"),
            (3, "arbitrageur"),
            (0, "makers"),
            (4, "stop_orders"),
            (5, "leveraged_reentry"),
            (6, "fund_unwind"),
        ] {
            let mut m = self.flows.taker_micros[g];
            if g == 5 {
                m = [m[0] - liq_micros[0], m[1] - liq_micros[1]];
            }
            rows.push(ChannelFlow {
                channel: name.into(),
                bought_usd: usd(m[0]),
                sold_usd: usd(m[1]),
                by_generation: Vec::new(),
            });
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::{DealerBookSpec, LeveragedTokenSpec, MarketId, OptionOpenInterest, OptionType};

    fn token() -> LeveragedTokenSpec {
        LeveragedTokenSpec {
            name: "BTC3L".into(),
            market: MarketId(0),
            leverage: 3.0,
            aum_usd: 1_000_000.0,
            daily_rebalance_at_s: None,
            intraday_move: 0.10,
            intraday_reduce_only: true,
        }
    }

    /// Hand-worked: a 3× token of 1,000,000 USD at 60,000 holds 50 BTC (50,000 lots of 0.001).
    /// At 54,000 (r = −10 %) its NAV is 1,000,000 + 50 × (54,000 − 60,000) = 700,000 and its
    /// exposure 50 × 54,000 = 2,700,000; back to 3× it sells 2,700,000 − 3 × 700,000 = 600,000
    /// USD = AUM·3·2·(−0.1), i.e. 600,000 / 54 = 11,111.1 → 11,111 lots.
    #[test]
    fn three_x_token_after_a_ten_percent_fall_sells_aum_times_six_tenths() {
        let mut st = TokenState { last_mark: 60_000.0, daily_done: false, bust: false };
        let nav = 1_000_000.0 + 50.0 * (54_000.0 - 60_000.0);
        let d = token_decision(&token(), &mut st, 10.0, 54_000.0, nav, 50_000, 0.001);
        assert_eq!(d, Some((-11_111, "intraday")));
        assert_eq!(st.last_mark, 54_000.0);
        // Just short of the threshold (−9.9 %) it does nothing; a rise never triggers a
        // reduce-only intraday rebalance.
        let mut st = TokenState { last_mark: 60_000.0, daily_done: false, bust: false };
        let nav = 1_000_000.0 + 50.0 * (54_060.0 - 60_000.0);
        assert_eq!(token_decision(&token(), &mut st, 10.0, 54_060.0, nav, 50_000, 0.001), None);
        let nav = 1_000_000.0 + 50.0 * 6_000.0;
        assert_eq!(token_decision(&token(), &mut st, 10.0, 66_000.0, nav, 50_000, 0.001), None);
        // NAV gone: the whole basket is sold, once.
        assert_eq!(
            token_decision(&token(), &mut st, 10.0, 40_000.0, -1.0, 50_000, 0.001),
            Some((-50_000, "wound_up"))
        );
        assert_eq!(token_decision(&token(), &mut st, 11.0, 40_000.0, -1.0, 50_000, 0.001), None);
    }

    /// Hand-worked Black-76 (r = 0): dealers short 100 calls struck at 60,000, 0.25 y, σ = 0.5.
    /// At F = 60,000: σ√T = 0.25, d1 = 0.03125 / 0.25 = 0.125, Δ = Φ(0.125) = 0.549738, so the
    /// dealers hold +54.9738 BTC (54,974 lots). At F = 54,000: d1 = (ln 0.9 + 0.03125) / 0.25
    /// = (−0.1053605 + 0.03125) / 0.25 = −0.2964421, Δ = Φ(−0.2964421) = 0.383446, target
    /// 38.3446 BTC: the hedge order is 38.3446 − 54.974 = −16.6294 BTC → −16,629 lots, the −Δ
    /// change (−100 × (0.383446 − 0.549738) = −16.6292 BTC) up to the starting lot rounding.
    #[test]
    fn dealer_hedge_order_is_the_black76_delta_change() {
        let d = DealerBookSpec {
            options: vec![OptionOpenInterest {
                market: MarketId(0),
                strike: 60_000.0,
                expiry_years: 0.25,
                option_type: OptionType::Call,
                open_interest: 100.0,
                dealer_sign: -1,
            }],
            vol: 0.5,
            hedge_ratio: 1.0,
            rebalance_interval_s: 60.0,
            min_trade_usd: 0.0,
        };
        let start = gamma::dealer_delta(d.options.iter(), 60_000.0, 0.0, 0.5);
        assert!((start + 54.973_8).abs() < 1e-4, "{start}");
        let held = (-start / 0.001).round() as i64;
        assert_eq!(held, 54_974);
        assert_eq!(dealer_decision(&d, 0.0, 54_000.0, held, 0.001), Some(-16_629));
        // Nothing to do at the price it hedged at; a trade under min_trade_usd is skipped.
        assert_eq!(dealer_decision(&d, 0.0, 60_000.0, held, 0.001), None);
        let small = DealerBookSpec { min_trade_usd: 1e9, ..d };
        assert_eq!(dealer_decision(&small, 0.0, 54_000.0, held, 0.001), None);
    }
}
