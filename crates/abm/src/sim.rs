//! The simulation state and its event loop: the book, the scheduler, the ledger, the agents, the
//! index and mark, and the 1-second sampler. Agents' decisions are in [`crate::agents`], the
//! venue's liquidation engine in [`crate::liquidation`]; this module wires them together and owns
//! the rules every message follows on its way to the book (latency, ids, trades into the ledger).

use crate::agents::{Agent, AgentKind, MakerState};
use crate::book::{Book, BookConfig, Event, NewOrder, OrderId};
use crate::config::AbmConfig;
use crate::ledger::Ledger;
use crate::liquidation::LiqState;
use crate::sched::{latency, secs, Nanos, Scheduler, What};
use liq_domain::{MarketSpec, RiskLadder, Side};
use liq_margin::Rulebook;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// A message on its way from an agent to the venue.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Msg {
    Submit { agent: u32, order: NewOrder, lifetime: Nanos },
    Cancel { id: OrderId },
}

/// Samples taken every second.
#[derive(Debug, Clone, Default)]
pub(crate) struct Samples {
    pub t: Vec<f64>,
    pub mid: Vec<f64>,
    pub index: Vec<f64>,
    pub mark: Vec<f64>,
    /// The makers' realised / normal volatility ratio.
    pub vol_ratio: Vec<f64>,
    pub spread_bps: Vec<f64>,
    pub depth_usd: Vec<f64>,
    pub flow: crate::stats::FlowSeries,
}

/// Taker flow in the current second, and the taker order being counted.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FlowSecond {
    takers: u32,
    net_usd: f64,
    volume_usd: f64,
    last_taker: Option<OrderId>,
}

/// Fixed account numbers; the rest follow in [`Layout`].
pub(crate) const FUND: u32 = 0;
pub(crate) const LEGACY: u32 = 1;

/// Where each population's accounts are.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    pub noise: std::ops::Range<u32>,
    pub leveraged: std::ops::Range<u32>,
    pub stops: std::ops::Range<u32>,
    /// The flow agents (`crate::flows`), last.
    pub flows: std::ops::Range<u32>,
    pub total: u32,
}

pub(crate) struct Sim<'a> {
    pub cfg: &'a AbmConfig,
    pub spec: MarketSpec,
    pub rulebook: Rulebook,
    pub book: Book,
    pub ev: Vec<Event>,
    pub sched: Scheduler,
    pub ledger: Ledger,
    pub layout: Layout,
    pub agents: Vec<Agent>,
    msgs: Vec<Msg>,
    msg_free: Vec<u32>,
    pub index: f64,
    index_rng: ChaCha8Rng,
    /// log(σ / σ̄) of the index's stochastic volatility.
    index_log_vol: f64,
    /// Draws of the leveraged population (initial positions and re-entries).
    pub pop_rng: ChaCha8Rng,
    pub mark: f64,
    /// EWMA of squared 1-s log returns of the mid.
    pub vol_var: f64,
    /// The slower EWMA the makers take as normal (when `vol_baseline_halflife_s` > 0).
    pub vol_var_baseline: f64,
    last_sample_mid: f64,
    pub samples: Samples,
    pub liq: LiqState,
    pub trades: u64,
    pub volume_lots: i64,
    pub messages: u64,
    flow_sec: FlowSecond,
    /// Equity of each account group ([`GROUPS`]) at t = 0, at the initial price, USD.
    pub group_equity_start: [f64; GROUPS.len()],
    /// Leveraged tokens, dealers and stop clusters (`crate::flows`; empty without `[flows]`).
    pub flows: crate::flows::FlowAgents,
}

/// The account groups a run reports positions and profit and loss for.
pub(crate) const GROUPS: [&str; 12] = [
    "makers",
    "noise",
    "momentum",
    "arbitrageur",
    "stops",
    "leveraged",
    "insurance_fund",
    "outside",
    "execution",
    // The flow agents (`crate::flows`): reported only when the config has `[flows]`.
    "leveraged_tokens",
    "dealers",
    "stop_owners",
];

/// The first of [`GROUPS`] that belongs to the flow agents.
pub(crate) const FIRST_FLOW_GROUP: usize = 9;

/// The ABM's one market as a `MarketSpec`, at its initial price.
pub(crate) fn market_spec(cfg: &AbmConfig, ladder: RiskLadder) -> MarketSpec {
    let m = &cfg.market;
    MarketSpec {
        symbol: m.symbol.clone(),
        tick_size: m.tick_size,
        lot_size: m.lot_size,
        index_price: m.initial_price,
        mark_price: m.initial_price,
        ladder,
        liquidation_fee_rate: m.liquidation_fee_rate,
        taker_fee_rate: 0.0,
    }
}

impl<'a> Sim<'a> {
    /// Builds the market at t = 0: accounts, initial positions, stops, the flow agents and the
    /// first wake-ups, with only the flow channels `enabled` trading (`liq_engine::Channel`
    /// order; a disabled channel's agents keep their starting positions).
    pub fn with_channels(cfg: &'a AbmConfig, ladder: RiskLadder, seed: u64, enabled: [bool; 3]) -> Sim<'a> {
        let m = &cfg.market;
        let spec = market_spec(cfg, ladder);
        let p0 = spec.ticks(m.initial_price);
        let half = spec.ticks(m.initial_price * m.price_window);
        let book = Book::new(BookConfig {
            min_price: (p0 - half).max(1),
            max_price: p0 + half,
            rule: cfg.matching,
            stp: cfg.stp,
        })
        .expect("window validated with the config");
        let mut agents = Vec::new();
        let stream = |k: u64| {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            r.set_stream(k);
            r
        };
        // Account layout: fund, legacy holder, makers, noise, momentum, arbitrageur, stops, leveraged.
        let mut next = 2u32;
        let big = 1_000_000_000_000_000i64; // 1e9 USD: unlevered agents never run out of cash.
        let mut cash = vec![(cfg.insurance_fund_usd * 1e6).round() as i64, big];
        for k in 0..cfg.makers.count {
            let mut rng = stream(agents.len() as u64 + 1);
            let width = 0.7 + 0.6 * rng.random::<f64>();
            let stagger = (k + 1) as f64 / cfg.makers.count as f64;
            agents.push(Agent {
                account: next,
                rng,
                kind: AgentKind::Maker(MakerState::new(width, stagger)),
            });
            cash.push(big);
            next += 1;
        }
        let noise = next..next + cfg.noise.accounts as u32;
        next = noise.end;
        cash.resize(next as usize, big);
        let mut rng = stream(agents.len() as u64 + 1);
        let meta = (0..cfg.noise.metaorders_active)
            .map(|_| {
                let n = &cfg.noise;
                crate::agents::new_metaorder(&mut rng, n.metaorder_length_alpha, n.metaorder_max_children)
            })
            .collect();
        agents.push(Agent {
            account: noise.start,
            rng,
            kind: AgentKind::NoiseMarket {
                // Started at its stationary mean (mean intensity × branching × weight), so a
                // run does not begin with an hour-long warm-up of the slow components.
                excess: cfg
                    .noise
                    .hawkes_kernel_weights
                    .iter()
                    .map(|w| cfg.noise.market_rate_per_s * cfg.noise.hawkes_branching * w)
                    .collect(),
                last: 0,
                bound: 0.0,
                meta,
            },
        });
        agents.push(Agent {
            account: noise.start,
            rng: stream(agents.len() as u64 + 1),
            kind: AgentKind::NoiseLimit,
        });
        for _ in 0..cfg.momentum.count {
            agents.push(Agent {
                account: next,
                rng: stream(agents.len() as u64 + 1),
                kind: AgentKind::Momentum,
            });
            cash.push(big);
            next += 1;
        }
        if cfg.execution.enabled {
            agents.push(Agent {
                account: next,
                rng: stream(agents.len() as u64 + 1),
                kind: AgentKind::Execution { active: Vec::with_capacity(16) },
            });
            cash.push(big);
            next += 1;
        }
        if cfg.arbitrageur.enabled {
            agents.push(Agent {
                account: next,
                rng: stream(agents.len() as u64 + 1),
                kind: AgentKind::Arbitrageur,
            });
            cash.push(big);
            next += 1;
        }
        let n_stops =
            if cfg.stops.enabled { 2 * cfg.stops.distances.len() * cfg.stops.orders_per_cluster } else { 0 };
        let stops = next..next + n_stops as u32;
        next = stops.end;
        cash.resize(next as usize, big);
        let leveraged = next..next + cfg.leveraged.count as u32;
        next = leveraged.end;
        let flows = next..next + crate::flows::account_count(cfg) as u32;
        next = flows.end;
        cash.resize(next as usize, 0);
        let ledger = Ledger::new(cash, spec.micros_per_lot_tick());
        let mut sim = Sim {
            cfg,
            rulebook: Rulebook::for_venue(cfg.venue),
            book,
            ev: Vec::with_capacity(1024),
            sched: Scheduler::new(),
            ledger,
            layout: Layout { noise, leveraged, stops, flows, total: next },
            agents,
            msgs: Vec::new(),
            msg_free: Vec::new(),
            index: m.initial_price,
            index_rng: stream(0),
            index_log_vol: 0.0,
            pop_rng: stream(u64::MAX),
            mark: m.initial_price,
            vol_var: cfg.normal_vol_per_sqrt_s.powi(2),
            vol_var_baseline: cfg.normal_vol_per_sqrt_s.powi(2),
            last_sample_mid: m.initial_price,
            samples: Samples::default(),
            liq: LiqState::default(),
            trades: 0,
            volume_lots: 0,
            messages: 0,
            flow_sec: FlowSecond::default(),
            group_equity_start: [0.0; GROUPS.len()],
            flows: Default::default(),
            spec,
        };
        // The index's volatility starts from its stationary law, not at its mean.
        let z: f64 = StandardNormal.sample(&mut sim.index_rng);
        sim.index_log_vol = cfg.index.log_vol_sd * z;
        sim.open_leveraged();
        sim.place_stops();
        if !cfg.flows.is_empty() {
            sim.open_flows(seed, enabled);
        }
        sim.liq.init(&sim.ledger, &sim.layout);
        sim.group_equity_start = sim.group_totals(m.initial_price).1;
        for a in sim.layout.leveraged.clone() {
            sim.update_trigger(a);
        }
        // First wake-ups, staggered so agents do not act in lockstep.
        for i in 0..sim.agents.len() {
            let t = (sim.agents[i].rng.random::<f64>() * 1e8) as Nanos;
            sim.sched.at(t, What::Wake(i as u32));
        }
        sim.sched.at(0, What::IndexTick);
        sim.sched.at(0, What::MarkTick);
        sim.sched.at(secs(1.0), What::Sample);
        sim
    }

    /// Runs until `end` ns.
    pub fn run(&mut self, end: Nanos) {
        while let Some((now, what)) = self.sched.pop(end) {
            match what {
                What::IndexTick => self.index_tick(now),
                What::MarkTick => {
                    self.mark_tick(now);
                    self.sched.after(secs(self.cfg.mark_dt_ms * 1e-3), What::MarkTick);
                }
                What::Sample => {
                    self.sample(now);
                    self.sched.after(secs(1.0), What::Sample);
                }
                What::Wake(i) => self.wake(i, now),
                What::Reopen(a) => self.reopen(a),
                What::Arrive(slot) => {
                    let m = self.msgs[slot as usize];
                    self.msg_free.push(slot);
                    self.deliver(m);
                }
            }
        }
    }

    /// Sends `m` from `agent` to the venue, arriving after the agent's latency.
    pub fn send(&mut self, agent: usize, m: Msg, delay: Nanos) {
        let slot = match self.msg_free.pop() {
            Some(s) => {
                self.msgs[s as usize] = m;
                s
            }
            None => {
                self.msgs.push(m);
                (self.msgs.len() - 1) as u32
            }
        };
        let _ = agent;
        self.sched.after(delay, What::Arrive(slot));
    }

    /// The latency of one message batch of `agent`.
    pub fn agent_latency(&mut self, agent: usize) -> Nanos {
        let cfg = self.cfg;
        let l = match self.agents[agent].kind {
            AgentKind::Maker(_) => &cfg.makers.latency,
            AgentKind::NoiseMarket { .. } | AgentKind::NoiseLimit => &cfg.noise.latency,
            AgentKind::Momentum => &cfg.momentum.latency,
            AgentKind::Execution { .. } => &cfg.execution.latency,
            AgentKind::Arbitrageur => &cfg.arbitrageur.latency,
        };
        latency(l, &mut self.agents[agent].rng)
    }

    fn deliver(&mut self, m: Msg) {
        self.messages += 1;
        self.ev.clear();
        match m {
            Msg::Submit { agent, order, lifetime } => {
                let id = self.book.submit(order, &mut self.ev);
                let rested = self.ev.iter().any(|e| matches!(e, Event::Added { id: i, .. } if *i == id));
                if rested && (agent as usize) < self.agents.len() {
                    if let AgentKind::Maker(s) = &mut self.agents[agent as usize].kind {
                        s.live.push(id);
                    }
                    if lifetime > 0 {
                        self.send(agent as usize, Msg::Cancel { id }, lifetime);
                    }
                }
            }
            Msg::Cancel { id } => {
                self.book.cancel(id, &mut self.ev);
            }
        }
        self.book_events();
    }

    /// Books the trades in `self.ev` into the ledger.
    pub fn book_events(&mut self) {
        let lev = self.layout.leveraged.clone();
        let mut touched = false;
        for e in &self.ev {
            if let Event::Trade { maker_owner, taker, taker_owner, taker_side, price, qty, .. } = *e {
                let usd = qty as f64 * self.spec.lot_size * price as f64 * self.spec.tick_size;
                let sign = if taker_side == Side::Buy { 1 } else { -1 };
                let f = &mut self.flow_sec;
                if f.last_taker != Some(taker) {
                    f.last_taker = Some(taker);
                    f.takers += 1;
                    self.samples.flow.signs.push(sign);
                    self.samples.flow.sizes_base.push(0.0);
                }
                if let Some(last) = self.samples.flow.sizes_base.last_mut() {
                    *last += qty as f64 * self.spec.lot_size;
                }
                f.net_usd += sign as f64 * usd;
                f.volume_usd += usd;
                let (b, s) = match taker_side {
                    Side::Buy => (taker_owner, maker_owner),
                    Side::Sell => (maker_owner, taker_owner),
                };
                if b != s {
                    self.ledger.trade_at(b, s, qty, price);
                }
                if self.flows.on {
                    self.flows.taker_fill(taker_owner, taker_side, qty, qty * price * self.ledger.unit);
                }
                touched |= lev.contains(&b) || lev.contains(&s);
                self.trades += 1;
                self.volume_lots += qty;
            }
        }
        if touched {
            // Rare (leveraged traders trade only when they re-enter or are liquidated).
            let evs = std::mem::take(&mut self.ev);
            for e in &evs {
                if let Event::Trade { maker_owner, taker_owner, .. } = *e {
                    for x in [maker_owner, taker_owner] {
                        if lev.contains(&x) {
                            self.update_trigger(x);
                        }
                    }
                }
            }
            self.ev = evs;
        }
    }

    /// Mid in USD: the book's mid when both sides exist, else the last trade, else the index.
    pub fn mid(&self) -> f64 {
        match (self.book.best_bid(), self.book.best_ask()) {
            (Some(b), Some(a)) => (b + a) as f64 * 0.5 * self.spec.tick_size,
            _ => self.book.last_trade().map(|t| self.spec.price(t)).unwrap_or(self.index),
        }
    }

    fn index_tick(&mut self, now: Nanos) {
        let ic = &self.cfg.index;
        let dt = ic.dt_ms * 1e-3;
        // Exact OU step for log σ; σ̄ scaled so that E[σ²] = annual_vol² (E[e^{2x}] = e^{2 sd²}).
        if ic.log_vol_sd > 0.0 {
            let decay = (-dt * std::f64::consts::LN_2 / ic.log_vol_halflife_s).exp();
            let zv: f64 = StandardNormal.sample(&mut self.index_rng);
            self.index_log_vol =
                self.index_log_vol * decay + ic.log_vol_sd * (1.0 - decay * decay).sqrt() * zv;
        }
        let level = (self.index_log_vol - ic.log_vol_sd * ic.log_vol_sd).exp();
        let sigma = ic.annual_vol / (365.25f64 * 86_400.0).sqrt() * level;
        let z: f64 = StandardNormal.sample(&mut self.index_rng);
        let mut log_step = sigma * dt.sqrt() * z - 0.5 * sigma * sigma * dt;
        // Spot follows the perp's price discovery only while the perp has a real two-sided
        // market: a book the makers have left (spread beyond `perp_feedback_max_spread_bps`)
        // discovers nothing, and a stale perp must not hold the index back.
        let two_sided = match (self.book.best_bid(), self.book.best_ask()) {
            (Some(b), Some(a)) => {
                (a - b) as f64 * self.spec.tick_size / self.mid() * 1e4
                    <= self.cfg.index.perp_feedback_max_spread_bps
            }
            _ => false,
        };
        if two_sided {
            let pull = (self.cfg.index.perp_feedback_per_s * dt).min(1.0);
            let gap = (self.mid() / self.index).ln();
            if gap.is_finite() {
                log_step += pull * gap;
            }
        }
        if let Some(s) = &self.cfg.shock {
            let t = now as f64 * 1e-9;
            let total = (1.0 + s.index_move).ln();
            if s.over_s <= dt {
                if t >= s.at_s && t < s.at_s + dt {
                    log_step += total;
                }
            } else {
                // The part of [at, at + over] inside this step, linear in log price.
                let overlap = (t + dt).min(s.at_s + s.over_s) - t.max(s.at_s);
                if overlap > 0.0 {
                    log_step += total * overlap / s.over_s;
                }
            }
        }
        self.index *= log_step.exp();
        self.sched.after(secs(dt), What::IndexTick);
    }

    fn mark_tick(&mut self, now: Nanos) {
        let w = self.cfg.mark_index_weight;
        self.mark = w * self.index + (1.0 - w) * self.mid();
        if self.flows.on {
            self.flows_tick(now);
        }
        self.run_liquidations(now);
        self.fund_unwind(self.cfg.mark_dt_ms * 1e-3);
    }

    fn sample(&mut self, now: Nanos) {
        let mid = self.mid();
        // Variance per second from the return over the last `h` seconds (overlapping, sampled
        // every second): long enough to look through the bid-ask bounce of 1-s returns.
        let h = self.cfg.vol_return_horizon_s.max(1) as usize;
        let back = self.samples.mid.len().checked_sub(h).map(|i| self.samples.mid[i]);
        let r = (mid / back.unwrap_or(self.last_sample_mid)).ln();
        let per_s = if back.is_some() { r * r / h as f64 } else { f64::NAN };
        self.last_sample_mid = mid;
        let lambda = 0.5f64.powf(1.0 / self.cfg.vol_halflife_s);
        if per_s.is_finite() {
            self.vol_var = lambda * self.vol_var + (1.0 - lambda) * per_s;
            if self.cfg.vol_baseline_halflife_s > 0.0 {
                let l = 0.5f64.powf(1.0 / self.cfg.vol_baseline_halflife_s);
                self.vol_var_baseline = l * self.vol_var_baseline + (1.0 - l) * per_s;
            }
        }
        let ratio = self.vol_ratio();
        let s = &mut self.samples;
        s.t.push(now as f64 * 1e-9);
        s.mid.push(mid);
        s.index.push(self.index);
        s.mark.push(self.mark);
        s.vol_ratio.push(ratio);
        let spread = match (self.book.best_bid(), self.book.best_ask()) {
            (Some(b), Some(a)) => (a - b) as f64 * self.spec.tick_size / mid * 1e4,
            _ => f64::NAN,
        };
        s.spread_bps.push(spread);
        // Depth within ±10 bp of the mid, both sides, USD.
        let ticks = (mid * 1e-3 / self.spec.tick_size).round() as i64;
        let d = self.depth_within_of_mid(ticks);
        self.samples.depth_usd.push(d as f64 * self.spec.lot_size * mid);
        let f = &mut self.flow_sec;
        self.samples.flow.taker_orders.push(f.takers as f64);
        self.samples.flow.net_taker_usd.push(f.net_usd);
        self.samples.flow.volume_usd.push(f.volume_usd);
        (f.takers, f.net_usd, f.volume_usd) = (0, 0.0, 0.0);
    }

    fn depth_within_of_mid(&self, ticks: i64) -> i64 {
        let mid_t = self.spec.ticks(self.mid());
        let mut total = 0;
        for side in [Side::Buy, Side::Sell] {
            let best = match side {
                Side::Buy => self.book.best_bid(),
                Side::Sell => self.book.best_ask(),
            };
            if let Some(b) = best {
                let room = ticks - (b - mid_t).abs();
                if room >= 0 {
                    total += self.book.depth_within(side, room);
                }
            }
        }
        total
    }

    /// The group ([`GROUPS`] index) of every account: the legacy holder stands for the outside
    /// world (it funds re-entries and took the other side of the positions opened at t = 0).
    pub fn account_groups(&self) -> Vec<u8> {
        let mut g = vec![0u8; self.layout.total as usize];
        for a in &self.agents {
            g[a.account as usize] = match a.kind {
                AgentKind::Maker(_) => 0,
                AgentKind::NoiseMarket { .. } | AgentKind::NoiseLimit => 1,
                AgentKind::Momentum => 2,
                AgentKind::Arbitrageur => 3,
                AgentKind::Execution { .. } => 8,
            };
        }
        for a in self.layout.noise.clone() {
            g[a as usize] = 1;
        }
        for a in self.layout.stops.clone() {
            g[a as usize] = 4;
        }
        for a in self.layout.leveraged.clone() {
            g[a as usize] = 5;
        }
        let first = self.layout.flows.start;
        for a in self.layout.flows.clone() {
            g[a as usize] = FIRST_FLOW_GROUP as u8 + self.flows_channel_group(a - first);
        }
        g[FUND as usize] = 6;
        g[LEGACY as usize] = 7;
        g
    }

    /// Net position (lots) and equity at `mark` (USD) of each group.
    pub fn group_totals(&self, mark: f64) -> ([i64; GROUPS.len()], [f64; GROUPS.len()]) {
        let (mut pos, mut eq) = ([0i64; GROUPS.len()], [0.0; GROUPS.len()]);
        for (a, g) in self.account_groups().into_iter().enumerate() {
            pos[g as usize] += self.ledger.pos[a];
            eq[g as usize] += self.ledger.equity_usd(a as u32, mark, self.spec.lot_size);
        }
        (pos, eq)
    }

    /// Realised volatility over normal.
    pub fn vol_ratio(&self) -> f64 {
        (self.vol_var / self.vol_var_baseline).sqrt()
    }
}
