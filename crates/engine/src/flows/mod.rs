//! Forced flows other than liquidations, as one concept: leveraged tokens' rebalancing
//! ([`leveraged_token`]), options dealers' delta hedging ([`gamma`]) and stop-loss /
//! take-profit clusters ([`stops`]), and a desk's delta hedge of its own book ([`desk_hedge`],
//! set by `stress --hedge`, not by the scenario).
//!
//! Each round (instant mode) or step (path mode) the cascade calls `Workspace::flows_round`
//! once, after the exogenous move and before it looks for units under maintenance: every flow
//! sees the marks, decides, and sends market orders into the same perp book as the liquidation
//! orders (taken by the makers and by the arbitrageurs at their level), so the next round's
//! marks and triggers see them. Every flow is a ledger holder with the perp position it trades
//! (a token's basket, the dealers' hedge, the stop owners' position), entered at the starting
//! mark against the makers, so money and open interest stay conserved with them in the ledger.
//! Each trade is a [`FlowEvent`] labelled with its channel and the round that sent it.
//!
//! This module owns the flows' immutable model ([`FlowModel`]), their per-run state
//! ([`FlowState`]) and the per-channel totals; [`attribution`] measures what each channel adds
//! to the liquidations. The ABM (`liq_abm`, its `flows` module) runs the same specs as agents
//! in its L3 book with these pure functions ([`leveraged_token::due`],
//! [`leveraged_token::rebalance_trade_usd`], [`gamma::dealer_delta`], [`gamma::hedge_gap_lots`],
//! [`stops::touched`], [`stops::order_lots`]) and the same checks ([`validate`]).

pub mod attribution;
pub mod desk_hedge;
pub mod gamma;
pub mod leveraged_token;
pub mod stops;

use crate::ledger::Workspace;
use crate::ledger_report::HolderGroup;
use crate::model::{EngineError, EngineModel};
use leveraged_token::{TokenState, TokenTrigger};
use liq_domain::{DealerBookSpec, FlowsSpec, LeveragedTokenSpec, MarketSpec, Side, StopClusterSpec};
use liq_impact::PriceImpact;
use serde::Serialize;

/// A kind of forced flow, as the outcome labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    LeveragedToken,
    DealerGamma,
    Stops,
    /// A desk's hedge of its own book ([`desk_hedge`]).
    DeskHedge,
}

impl Channel {
    pub const ALL: [Channel; 4] =
        [Channel::LeveragedToken, Channel::DealerGamma, Channel::Stops, Channel::DeskHedge];

    pub fn name(self) -> &'static str {
        match self {
            Channel::LeveragedToken => "leveraged_token",
            Channel::DealerGamma => "dealer_gamma",
            Channel::Stops => "stops",
            Channel::DeskHedge => "desk_hedge",
        }
    }

    fn idx(self) -> usize {
        self as usize
    }
}

/// One flow's trade in a perp book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowEvent {
    pub channel: Channel,
    /// The token's name, `dealers`, or the stop cluster's `market@price`.
    pub flow: String,
    /// The round (instant mode) or step (path mode) that sent it.
    pub generation: u32,
    pub time_s: f64,
    pub market: u16,
    /// What made it trade: `daily`, `intraday`, `wound_up`, `hedge`, `touched`.
    pub trigger: &'static str,
    /// Signed lots filled (negative = sold).
    pub lots: i64,
    pub price: f64,
    pub notional_usd: f64,
    /// Mark the flow decided on.
    pub mark: f64,
}

/// What one channel traded over a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelTotals {
    pub channel: Channel,
    pub sold_usd: f64,
    pub bought_usd: f64,
    pub trades: u64,
    /// |notional| traded per round/step.
    pub traded_by_generation: Vec<f64>,
}

/// A holder's starting position (entered at the starting mark against the makers).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Holder0 {
    pub channel: Channel,
    pub market: usize,
    pub size0: i64,
    pub cost0: i64,
}

/// The flows of a scenario, resolved against its markets.
#[derive(Debug, Clone, Default)]
pub struct FlowModel {
    pub(crate) tokens: Vec<LeveragedTokenSpec>,
    pub(crate) dealers: Option<DealerBookSpec>,
    /// Per market with options: (market, holder index).
    pub(crate) dealer_markets: Vec<(usize, usize)>,
    pub(crate) stops: Vec<StopClusterSpec>,
    pub(crate) stop_lots: Vec<i64>,
    /// Tokens first (holder i = token i), then dealer markets, then stops, then the desk hedge's
    /// markets.
    pub(crate) holders: Vec<Holder0>,
    /// The desk's hedge (`EngineModel::with_desk_hedge`), and per market it holds: (market,
    /// holder index).
    pub(crate) desk: Option<desk_hedge::DeskHedgeSpec>,
    pub(crate) desk_markets: Vec<(usize, usize)>,
}

fn check(ok: bool, field: String, message: &str) -> Result<(), EngineError> {
    if ok {
        Ok(())
    } else {
        Err(EngineError::invalid(field, message))
    }
}

impl FlowModel {
    /// Validates the flows against the markets and enters every holder's starting position at
    /// the starting mark.
    pub(crate) fn build(spec: &FlowsSpec, markets: &[MarketSpec]) -> Result<FlowModel, EngineError> {
        let n_m = markets.len();
        let mut fm = FlowModel::default();
        let lots_of = |k: usize, qty: f64| (qty / markets[k].lot_size).round().clamp(-1e15, 1e15) as i64;
        let entry = |k: usize, lots: i64, holders: &mut Vec<Holder0>, channel: Channel| {
            let m = &markets[k];
            let cost0 = m.value(lots, m.ticks(m.mark_price)).0;
            holders.push(Holder0 { channel, market: k, size0: lots, cost0 });
        };
        for (i, t) in spec.leveraged_tokens.iter().enumerate() {
            let f = |name: &str| format!("leveraged_tokens[{i}].{name}");
            check(t.market.idx() < n_m, f("market"), "unknown market")?;
            check(t.leverage.is_finite() && t.leverage > 1.0, f("leverage"), "must be a finite number > 1")?;
            check(
                t.aum_usd.is_finite() && t.aum_usd > 0.0,
                f("aum_usd"),
                "must be a positive finite amount",
            )?;
            check(
                t.intraday_move.is_finite() && t.intraday_move > 0.0,
                f("intraday_move"),
                "must be a positive fraction",
            )?;
            check(
                t.daily_rebalance_at_s.is_none_or(|d| d.is_finite() && d >= 0.0),
                f("daily_rebalance_at_s"),
                "must be a non-negative number of seconds",
            )?;
            let k = t.market.idx();
            let lots = lots_of(k, t.leverage * t.aum_usd / markets[k].mark_price);
            entry(k, lots, &mut fm.holders, Channel::LeveragedToken);
            fm.tokens.push(t.clone());
        }
        if let Some(d) = &spec.dealers {
            check(
                d.vol.is_finite() && d.vol > 0.0,
                "dealers.vol".into(),
                "must be a positive finite number",
            )?;
            check((0.0..=1.0).contains(&d.hedge_ratio), "dealers.hedge_ratio".into(), "must be in [0, 1]")?;
            check(
                d.rebalance_interval_s.is_finite() && d.rebalance_interval_s > 0.0,
                "dealers.rebalance_interval_s".into(),
                "must be a positive number of seconds",
            )?;
            check(
                d.min_trade_usd.is_finite() && d.min_trade_usd >= 0.0,
                "dealers.min_trade_usd".into(),
                "must be a non-negative amount",
            )?;
            for (r, o) in d.options.iter().enumerate() {
                let f = |name: &str| format!("dealers.options[{r}].{name}");
                check(o.market.idx() < n_m, f("market"), "unknown market")?;
                check(o.strike.is_finite() && o.strike > 0.0, f("strike"), "must be a positive price")?;
                check(
                    o.expiry_years.is_finite() && o.expiry_years > 0.0,
                    f("expiry"),
                    "must be in the future",
                )?;
                check(
                    o.open_interest.is_finite() && o.open_interest >= 0.0,
                    f("open_interest"),
                    "must be non-negative",
                )?;
                check(matches!(o.dealer_sign, -1 | 1), f("dealer_sign"), "must be 1 or -1")?;
            }
            for (k, m) in markets.iter().enumerate() {
                if !d.options.iter().any(|o| o.market.idx() == k) {
                    continue;
                }
                let delta = gamma::dealer_delta(
                    d.options.iter().filter(|o| o.market.idx() == k),
                    m.mark_price,
                    0.0,
                    d.vol,
                );
                fm.dealer_markets.push((k, fm.holders.len()));
                entry(k, lots_of(k, -d.hedge_ratio * delta), &mut fm.holders, Channel::DealerGamma);
            }
            fm.dealers = Some(d.clone());
        }
        for (i, s) in spec.stops.iter().enumerate() {
            let f = |name: &str| format!("stops[{i}].{name}");
            check(s.market.idx() < n_m, f("market"), "unknown market")?;
            check(s.price.is_finite() && s.price > 0.0, f("price"), "must be a positive price")?;
            check(
                s.notional_usd.is_finite() && s.notional_usd > 0.0,
                f("notional_usd"),
                "must be a positive amount",
            )?;
            let k = s.market.idx();
            let lots = stops::order_lots(s, &markets[k]);
            // The owners hold the position the order closes.
            entry(k, -lots, &mut fm.holders, Channel::Stops);
            fm.stop_lots.push(lots);
            fm.stops.push(s.clone());
        }
        Ok(fm)
    }

    pub fn is_empty(&self) -> bool {
        self.holders.is_empty()
    }

    /// The channels this model has, in canonical order.
    pub fn channels(&self) -> Vec<Channel> {
        Channel::ALL.into_iter().filter(|c| self.holders.iter().any(|h| h.channel == *c)).collect()
    }
}

/// Checks a scenario's flows against its markets (the checks the cascade's model applies),
/// naming the bad field (`leveraged_tokens[0].leverage`): the ABM validates its `[flows]` with it.
pub fn validate(spec: &FlowsSpec, markets: &[MarketSpec]) -> Result<(), EngineError> {
    FlowModel::build(spec, markets).map(|_| ())
}

/// Per-run state of every flow.
#[derive(Debug, Clone)]
pub struct FlowState {
    pub(crate) size: Vec<i64>,
    pub(crate) cost: Vec<i64>,
    tokens: Vec<TokenState>,
    dealer_next_s: f64,
    stop_fired: Vec<bool>,
    desk_next_s: f64,
    pub(crate) desk: desk_hedge::DeskTotals,
    /// Channels that trade (a disabled one keeps its starting position and never trades):
    /// [`attribution`] switches them off one at a time.
    pub(crate) enabled: [bool; 4],
    totals: Vec<ChannelTotals>,
    pub(crate) events: Vec<FlowEvent>,
}

impl FlowState {
    pub(crate) fn new(fm: &FlowModel) -> FlowState {
        let mut s = FlowState {
            size: Vec::new(),
            cost: Vec::new(),
            tokens: Vec::new(),
            dealer_next_s: 0.0,
            stop_fired: Vec::new(),
            desk_next_s: 0.0,
            desk: desk_hedge::DeskTotals::default(),
            enabled: [true; 4],
            totals: Vec::new(),
            events: Vec::new(),
        };
        s.reset(fm);
        s
    }

    /// Back to the start of a run (the enabled channels stay as set).
    pub(crate) fn reset(&mut self, fm: &FlowModel) {
        self.size.clear();
        self.size.extend(fm.holders.iter().map(|h| h.size0));
        self.cost.clear();
        self.cost.extend(fm.holders.iter().map(|h| h.cost0));
        self.tokens.clear();
        self.tokens.extend(fm.holders.iter().take(fm.tokens.len()).map(|_| TokenState {
            last_mark: f64::NAN,
            daily_done: false,
            bust: false,
        }));
        self.dealer_next_s = 0.0;
        self.stop_fired.clear();
        self.stop_fired.resize(fm.stops.len(), false);
        self.desk_next_s = 0.0;
        self.desk = desk_hedge::DeskTotals::default();
        self.totals = fm
            .channels()
            .into_iter()
            .map(|channel| ChannelTotals {
                channel,
                sold_usd: 0.0,
                bought_usd: 0.0,
                trades: 0,
                traded_by_generation: Vec::new(),
            })
            .collect();
        self.events.clear();
    }

    /// `−Σ cost basis` of the flow holders (their part of the conserved ledger total).
    pub(crate) fn ledger_part(&self) -> i128 {
        -self.cost.iter().map(|&c| c as i128).sum::<i128>()
    }

    /// Positions held by the flow holders in market `k`, lots.
    pub(crate) fn held(&self, fm: &FlowModel, k: usize) -> i64 {
        fm.holders.iter().zip(&self.size).filter(|(h, _)| h.market == k).map(|(_, &s)| s).sum()
    }

    /// What each channel traded (empty without flows).
    pub(crate) fn totals(&self) -> Vec<ChannelTotals> {
        self.totals.clone()
    }

    /// The ledger's holder groups for the flows (one per channel present).
    pub(crate) fn holder_groups(&self, model: &EngineModel, marks: &[f64]) -> Vec<HolderGroup> {
        let fm = &model.flows;
        fm.channels()
            .into_iter()
            .map(|c| {
                let mut g = HolderGroup {
                    group: match c {
                        Channel::LeveragedToken => "leveraged_tokens",
                        Channel::DealerGamma => "dealers",
                        Channel::Stops => "stop_owners",
                        Channel::DeskHedge => "desk_hedge",
                    }
                    .into(),
                    equity_change_usd: 0.0,
                    position_lots: vec![0; model.n_markets()],
                };
                for (i, h) in fm.holders.iter().enumerate().filter(|(_, h)| h.channel == c) {
                    let lot = model.markets[h.market].lot_size;
                    g.equity_change_usd += (self.size[i] as f64 * lot * marks[h.market]
                        - self.cost[i] as f64 * 1e-6)
                        - (h.size0 as f64 * lot * model.mark0[h.market] - h.cost0 as f64 * 1e-6);
                    g.position_lots[h.market] += self.size[i];
                }
                g
            })
            .collect()
    }
}

/// A decision to trade: holder, signed lots, why.
struct Order {
    holder: usize,
    lots: i64,
    trigger: &'static str,
    flow: String,
}

impl Workspace {
    /// One round of every enabled flow at the current marks (time `t_s` since the start, round
    /// or step `generation`). Returns whether any flow traded.
    pub(crate) fn flows_round(
        &mut self,
        model: &EngineModel,
        generation: u32,
        t_s: f64,
        keep_events: bool,
        token_cap_usd: f64,
    ) -> bool {
        let fm = &model.flows;
        if fm.is_empty() {
            return false;
        }
        let mut orders: Vec<Order> = Vec::new();
        if self.flows.enabled[Channel::LeveragedToken.idx()] {
            for (i, spec) in fm.tokens.iter().enumerate() {
                let k = spec.market.idx();
                let mark = self.marks[k];
                let st = &mut self.flows.tokens[i];
                if st.last_mark.is_nan() {
                    st.last_mark = model.mark0[k];
                }
                let lot = model.markets[k].lot_size;
                let exposure = self.flows.size[i] as f64 * lot * mark;
                let nav = spec.aum_usd + exposure - self.flows.cost[i] as f64 * 1e-6;
                let st = &mut self.flows.tokens[i];
                if !st.bust && nav <= 0.0 {
                    // NAV gone: the token is wound up, its whole basket sold.
                    st.bust = true;
                    orders.push(Order {
                        holder: i,
                        lots: -self.flows.size[i],
                        trigger: "wound_up",
                        flow: spec.name.clone(),
                    });
                    continue;
                }
                let Some(why) = leveraged_token::due(spec, st, t_s, mark, nav, exposure) else { continue };
                let full = leveraged_token::rebalance_trade_usd(spec.leverage, nav, exposure);
                // A capped rebalance (`policy.token_rebalance_cap_usd_per_s`) stays due: the
                // token trades the rest in the next steps (crate::policy).
                let usd = full.clamp(-token_cap_usd, token_cap_usd);
                if usd == full {
                    if why == TokenTrigger::Daily {
                        st.daily_done = true;
                    }
                    st.last_mark = mark;
                }
                let lots = (usd / (mark * lot)).round().clamp(-1e15, 1e15) as i64;
                let trigger = if why == TokenTrigger::Daily { "daily" } else { "intraday" };
                orders.push(Order { holder: i, lots, trigger, flow: spec.name.clone() });
            }
        }
        if let (Some(d), true) = (&fm.dealers, self.flows.enabled[Channel::DealerGamma.idx()]) {
            if t_s + 1e-9 >= self.flows.dealer_next_s {
                self.flows.dealer_next_s =
                    ((t_s / d.rebalance_interval_s + 1e-9).floor() + 1.0) * d.rebalance_interval_s;
                for &(k, h) in &fm.dealer_markets {
                    if let Some(lots) = self.dealer_gap_lots(model, d, k, h, t_s) {
                        orders.push(Order { holder: h, lots, trigger: "hedge", flow: "dealers".into() });
                    }
                }
            }
        }
        if self.flows.enabled[Channel::Stops.idx()] {
            let first = fm.holders.len() - fm.stops.len() - fm.desk_markets.len();
            for (i, s) in fm.stops.iter().enumerate() {
                if !self.flows.stop_fired[i] && stops::touched(s, self.marks[s.market.idx()]) {
                    self.flows.stop_fired[i] = true;
                    let flow = format!("{}@{}", model.markets[s.market.idx()].symbol, s.price);
                    orders.push(Order { holder: first + i, lots: fm.stop_lots[i], trigger: "touched", flow });
                }
            }
        }
        if let (Some(d), true) = (&fm.desk, self.flows.enabled[Channel::DeskHedge.idx()]) {
            if t_s + 1e-9 >= self.flows.desk_next_s {
                self.flows.desk_next_s = ((t_s / d.interval_s + 1e-9).floor() + 1.0) * d.interval_s;
                for &(k, h) in &fm.desk_markets {
                    if let Some(lots) = d.gap_lots(k, self.flows.size[h], model.markets[k].lot_size) {
                        orders.push(Order { holder: h, lots, trigger: "rebalance", flow: "desk".into() });
                    }
                }
            }
        }
        let mut traded = false;
        let mut desk_traded = false;
        for o in orders {
            let desk = fm.holders[o.holder].channel == Channel::DeskHedge;
            let t = self.flow_trade(model, o, generation, t_s, keep_events);
            desk_traded |= t && desk;
            traded |= t;
        }
        // One rebalance per decision time, however many markets it traded in.
        self.flows.desk.rebalances += u64::from(desk_traded);
        traded
    }

    /// What the desk's hedge did over the run so far (`None` without one), at the current marks.
    pub(crate) fn desk_hedge_outcome(&self, model: &EngineModel) -> Option<desk_hedge::DeskHedgeOutcome> {
        let fm = &model.flows;
        fm.desk.as_ref()?;
        let mut o = desk_hedge::DeskHedgeOutcome {
            rebalances: self.flows.desk.rebalances,
            traded_usd: self.flows.desk.traded_usd,
            impact_usd: self.flows.desk.impact_usd,
            fees_usd: self.flows.desk.fees_usd,
            pnl_usd: 0.0,
            position_lots: vec![0; model.n_markets()],
        };
        for &(k, h) in &fm.desk_markets {
            let lot = model.markets[k].lot_size;
            o.pnl_usd += self.flows.size[h] as f64 * lot * self.marks[k] - self.flows.cost[h] as f64 * 1e-6;
            o.position_lots[k] += self.flows.size[h];
        }
        Some(o)
    }

    /// The dealers' hedge adjustment in market `k`, lots, if it is worth `min_trade_usd`.
    fn dealer_gap_lots(
        &self,
        model: &EngineModel,
        d: &DealerBookSpec,
        k: usize,
        h: usize,
        t_s: f64,
    ) -> Option<i64> {
        let mark = self.marks[k];
        let rows = d.options.iter().filter(|o| o.market.idx() == k);
        let delta = gamma::dealer_delta(rows, mark, t_s / gamma::SECONDS_PER_YEAR, d.vol);
        let lot = model.markets[k].lot_size;
        gamma::hedge_gap_lots(d.hedge_ratio, delta, self.flows.size[h], lot, mark, d.min_trade_usd)
    }

    /// Whether a flow still has something scheduled before `t_end_s` that the cascade must wait
    /// for: a token's daily rebalance, or a dealer hedge gap worth trading at the current marks.
    pub(crate) fn flows_waiting(&self, model: &EngineModel, t_s: f64, t_end_s: f64) -> bool {
        let fm = &model.flows;
        if fm.is_empty() {
            return false;
        }
        let daily = self.flows.enabled[Channel::LeveragedToken.idx()]
            && fm.tokens.iter().zip(&self.flows.tokens).any(|(spec, st)| {
                !st.daily_done
                    && !st.bust
                    && spec.daily_rebalance_at_s.is_some_and(|d| d > t_s && d <= t_end_s)
            });
        let dealers = match (&fm.dealers, self.flows.enabled[Channel::DealerGamma.idx()]) {
            (Some(d), true) => {
                self.flows.dealer_next_s <= t_end_s
                    && fm
                        .dealer_markets
                        .iter()
                        .any(|&(k, h)| self.dealer_gap_lots(model, d, k, h, t_s).is_some())
            }
            _ => false,
        };
        // The desk's hedge keeps no run going on its own: its horizon is the path's (it still
        // rebalances on its schedule while liquidations carry on after the path ends).
        daily || dealers
    }

    /// Sends one flow's market order into its perp book and books the fill against the makers.
    fn flow_trade(&mut self, model: &EngineModel, o: Order, generation: u32, t_s: f64, keep: bool) -> bool {
        if o.lots == 0 {
            return false;
        }
        let h = &model.flows.holders[o.holder];
        let k = h.market;
        let m = &model.markets[k];
        let (side, limit) = if o.lots < 0 { (Side::Sell, 1) } else { (Side::Buy, i64::MAX) };
        let fill = self.impact[k].execute(side, o.lots.abs(), limit);
        if fill.filled_lots == 0 {
            return false;
        }
        let value = (fill.value_lot_ticks * m.micros_per_lot_tick() as i128) as i64;
        let s = side.sign();
        self.flows.size[o.holder] += s * fill.filled_lots;
        self.flows.cost[o.holder] += s * value;
        self.ext_size[k] -= s * fill.filled_lots;
        self.ext_cost[k] -= s * value;
        self.price.set_dirty();
        let usd = value as f64 * 1e-6;
        if h.channel == Channel::DeskHedge {
            // The desk pays the taker fee into the venue's fee income (the ledger stays whole) and
            // the book's impact against the mark it decided on.
            let fee = (value as f64 * m.taker_fee_rate).round() as i64;
            self.flows.cost[o.holder] += fee;
            self.fee_income += fee;
            let fair = fill.filled_lots as f64 * m.lot_size * self.marks[k];
            let d = &mut self.flows.desk;
            d.fees_usd += fee as f64 * 1e-6;
            d.impact_usd += s as f64 * (usd - fair);
            d.traded_usd += usd;
        }
        let t = self.flows.totals.iter_mut().find(|t| t.channel == h.channel).expect("channel present");
        if s < 0 {
            t.sold_usd += usd;
        } else {
            t.bought_usd += usd;
        }
        t.trades += 1;
        let g = generation as usize;
        if t.traded_by_generation.len() <= g {
            t.traded_by_generation.resize(g + 1, 0.0);
        }
        t.traded_by_generation[g] += usd;
        if keep {
            let qty = fill.filled_lots as f64 * m.lot_size;
            self.flows.events.push(FlowEvent {
                channel: h.channel,
                flow: o.flow,
                generation,
                time_s: t_s,
                market: k as u16,
                trigger: o.trigger,
                lots: s * fill.filled_lots,
                price: usd / qty,
                notional_usd: usd,
                mark: self.marks[k],
            });
        }
        true
    }
}
