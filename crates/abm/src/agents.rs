//! The agents and their decisions: market makers (a staggered ladder around a fair value that
//! leans against unhedged inventory; wider, thinner and briefly pulled under stress), noise
//! traders (Hawkes-timed market orders continuing split metaorders, and limit orders), momentum
//! traders, execution desks working large metaorders, and the index arbitrageur. Leveraged
//! position takers and stop-loss holders are passive (their behaviour is their margin and their
//! stop orders, set up in [`crate::population`]); the venue's liquidation engine is in
//! [`crate::liquidation`].
//!
//! Each agent draws from its own ChaCha8 stream (the run seed with the agent's index as stream
//! number), so its decisions and latencies do not depend on how many other agents there are.

use crate::book::{NewOrder, OrderId, OrderKind};
use crate::sched::{secs, Nanos, What};
use crate::sim::{Msg, Sim};
use liq_domain::Side;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// A market maker's private state.
#[derive(Debug, Clone)]
pub(crate) struct MakerState {
    /// Its spread relative to the configured base (makers differ).
    pub width: f64,
    /// Where its ladder sits between the levels' spacing, in (0, 1]: maker k of n quotes level
    /// 0 at `half` and level l ≥ 1 at `half + (l − 1 + (k + 1) / n) × spacing`, so the makers
    /// compete at the touch and their deeper ladders interleave into an even book.
    pub stagger: f64,
    /// Lots hedged outside this market (on spot or another venue) and when it last hedged.
    pub hedged: f64,
    pub last_hedge: Nanos,
    /// Since when its quotes are pulled, and since when it has been back.
    pub pulled_since: Option<Nanos>,
    pub back_since: Nanos,
    /// Ids of its resting quotes.
    pub live: Vec<OrderId>,
}

impl MakerState {
    pub fn new(width: f64, stagger: f64) -> MakerState {
        MakerState {
            width,
            stagger,
            hedged: 0.0,
            last_hedge: 0,
            pulled_since: None,
            back_since: 0,
            live: Vec::with_capacity(16),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum AgentKind {
    Maker(MakerState),
    /// Hawkes market orders of the noise population: excess intensity, when it was last
    /// updated, the thinning bound the current candidate was drawn with, and the metaorders
    /// being executed (side, child orders left).
    NoiseMarket {
        /// Excess intensity of each kernel component (per second).
        excess: Vec<f64>,
        last: Nanos,
        bound: f64,
        meta: Vec<Metaorder>,
    },
    /// Poisson limit orders of the noise population.
    NoiseLimit,
    Momentum,
    /// Execution algorithms: the metaorders being worked (side, lots left, child size).
    Execution {
        active: Vec<(Side, i64, i64)>,
    },
    Arbitrageur,
}

#[derive(Debug, Clone)]
pub(crate) struct Agent {
    /// The ledger account (book owner) it trades for; noise agents pick among the noise accounts.
    pub account: u32,
    pub rng: ChaCha8Rng,
    pub kind: AgentKind,
}

/// Exponential draw with the given mean.
#[inline]
fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -(1.0 - rng.random::<f64>()).ln() * mean
}

/// A metaorder of the noise flow being executed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metaorder {
    buy: bool,
    /// Child orders left.
    left: u32,
    /// The metaorder's standard-normal size factor (see `NoiseCfg::size_metaorder_share`).
    size_z: f64,
}

/// A new metaorder: a fair coin for its side, a Pareto(1, α) number of child orders.
pub(crate) fn new_metaorder(rng: &mut ChaCha8Rng, alpha: f64, max_children: u32) -> Metaorder {
    let buy = rng.random::<bool>();
    let u = 1.0 - rng.random::<f64>();
    let left = (u.powf(-1.0 / alpha).floor().min(max_children as f64) as u32).max(1);
    Metaorder { buy, left, size_z: StandardNormal.sample(rng) }
}

impl Sim<'_> {
    pub(crate) fn wake(&mut self, i: u32, now: Nanos) {
        let i = i as usize;
        match self.agents[i].kind {
            AgentKind::Maker(_) => {
                self.maker(i, now);
                // Requote on a jittered clock (±20 %) so makers do not move in lockstep.
                let k = &self.cfg.makers;
                let jitter = 0.8 + 0.4 * self.agents[i].rng.random::<f64>();
                self.sched.after(secs(k.requote_ms * 1e-3 * jitter), What::Wake(i as u32));
            }
            AgentKind::NoiseMarket { .. } => self.noise_market(i, now),
            AgentKind::NoiseLimit => self.noise_limit(i),
            AgentKind::Momentum => self.momentum(i),
            AgentKind::Execution { .. } => self.execution(i),
            AgentKind::Arbitrageur => self.arbitrageur(i),
        }
    }

    /// Heavy-tailed size: log-normal, capped, at least one lot. `meta_z` is the metaorder's own
    /// size factor (children of one metaorder have similar sizes); the log-size mixes it with an
    /// order-level draw so that the marginal law stays log-normal(median, σ).
    fn noise_size(&mut self, i: usize, meta_z: Option<f64>) -> i64 {
        let n = &self.cfg.noise;
        let own: f64 = StandardNormal.sample(&mut self.agents[i].rng);
        let z = match meta_z {
            Some(m) => n.size_metaorder_share.sqrt() * m + (1.0 - n.size_metaorder_share).sqrt() * own,
            None => own,
        };
        let x = n.size_median_lots * (n.size_log_sigma * z).exp();
        (x.round() as i64).clamp(1, n.size_cap_lots)
    }

    fn noise_account(&mut self, i: usize) -> u32 {
        let r = self.layout.noise.clone();
        self.agents[i].rng.random_range(r)
    }

    /// One candidate of the Hawkes process (Ogata thinning): accepted with probability
    /// intensity / bound, the next candidate drawn at the current intensity (an upper bound
    /// until the next event, since the excess only decays).
    fn noise_market(&mut self, i: usize, now: Nanos) {
        let n = &self.cfg.noise;
        // Volatility draws trading: the baseline (exogenous) arrivals scale with the realised
        // volatility ratio; the self-excited part follows from them.
        let activity = self.vol_ratio().clamp(0.25, 8.0).powf(n.vol_activity_exponent);
        let mu = n.market_rate_per_s * (1.0 - n.hawkes_branching) * activity;
        let (alpha, max_children) = (n.metaorder_length_alpha, n.metaorder_max_children);
        let a = &mut self.agents[i];
        let AgentKind::NoiseMarket { excess, last, bound, meta } = &mut a.kind else { return };
        let dt = now.saturating_sub(*last) as f64 * 1e-9;
        *last = now;
        let mut lam = mu;
        for (e, tau) in excess.iter_mut().zip(&n.hawkes_decays_s) {
            *e *= (-dt / tau).exp();
            lam += *e;
        }
        let accept = *bound <= 0.0 || a.rng.random::<f64>() * *bound < lam;
        let mut side = None;
        if accept {
            // Each component's kernel integrates to its share of the branching ratio.
            for ((e, tau), w) in excess.iter_mut().zip(&n.hawkes_decays_s).zip(&n.hawkes_kernel_weights) {
                *e += n.hawkes_branching * w / tau;
            }
            // Execution algorithms cap their participation: a metaorder with larger children
            // sends them less often, in proportion to child size^−participation_size_exponent.
            let g = n.participation_size_exponent * n.size_log_sigma * n.size_metaorder_share.sqrt();
            let total: f64 = meta.iter().map(|m| (-g * m.size_z).exp()).sum();
            let mut pick = a.rng.random::<f64>() * total;
            let mut k = meta.len() - 1;
            for (j, m) in meta.iter().enumerate() {
                pick -= (-g * m.size_z).exp();
                if pick < 0.0 {
                    k = j;
                    break;
                }
            }
            let m = &mut meta[k];
            side = Some((if m.buy { Side::Buy } else { Side::Sell }, m.size_z));
            m.left -= 1;
            if m.left == 0 {
                meta[k] = new_metaorder(&mut a.rng, alpha, max_children);
            }
        }
        let next_bound = mu + excess.iter().sum::<f64>();
        *bound = next_bound;
        if let Some((side, size_z)) = side {
            let qty = self.noise_size(i, Some(size_z));
            let owner = self.noise_account(i);
            let delay = self.agent_latency(i);
            let o = NewOrder::market(owner, side, qty);
            self.send(i, Msg::Submit { agent: i as u32, order: o, lifetime: 0 }, delay);
        }
        if next_bound > 0.0 {
            let dt = exp(&mut self.agents[i].rng, 1.0 / next_bound);
            self.sched.after(secs(dt), What::Wake(i as u32));
        }
    }

    fn noise_limit(&mut self, i: usize) {
        let n = &self.cfg.noise;
        let (depth_bps, life_s, rate) = (n.limit_depth_bps, n.limit_lifetime_s, n.limit_rate_per_s);
        let qty = self.noise_size(i, None);
        let owner = self.noise_account(i);
        let side = if self.agents[i].rng.random::<bool>() { Side::Buy } else { Side::Sell };
        let mid = self.mid();
        let d = exp(&mut self.agents[i].rng, depth_bps) * 1e-4 * mid;
        let touch = match side {
            Side::Buy => self.book.best_bid().map(|t| self.spec.price(t)).unwrap_or(mid),
            Side::Sell => self.book.best_ask().map(|t| self.spec.price(t)).unwrap_or(mid),
        };
        let price = match side {
            Side::Buy => self.spec.ticks(touch - d),
            Side::Sell => self.spec.ticks(touch + d),
        };
        let life = secs(exp(&mut self.agents[i].rng, life_s)).max(1);
        let delay = self.agent_latency(i);
        let o = NewOrder::new(owner, side, OrderKind::PostOnly, price, qty);
        self.send(i, Msg::Submit { agent: i as u32, order: o, lifetime: life }, delay);
        if rate > 0.0 {
            let dt = exp(&mut self.agents[i].rng, 1.0 / rate);
            self.sched.after(secs(dt), What::Wake(i as u32));
        }
    }

    /// Requote: cancel every live quote, post `levels` post-only quotes a side around a fair
    /// value that blends index and mid and leans against inventory; widen and thin with realised
    /// volatility, and pull everything beyond the withdrawal ratio (when withdrawal is on).
    fn maker(&mut self, i: usize, now: Nanos) {
        let k = &self.cfg.makers;
        let account = self.agents[i].account;
        let pos = self.ledger.pos[account as usize];
        // The hedge closes the gap to the position with the configured half-life; only the
        // unhedged part weighs on the quotes.
        let inv = if let AgentKind::Maker(s) = &mut self.agents[i].kind {
            if k.hedge_halflife_s > 0.0 {
                let dt = now.saturating_sub(s.last_hedge) as f64 * 1e-9;
                let f = 1.0 - 0.5f64.powf(dt / k.hedge_halflife_s);
                s.hedged += (pos as f64 - s.hedged) * f;
                s.last_hedge = now;
            }
            pos - s.hedged.round() as i64
        } else {
            pos
        };
        let ratio = self.vol_ratio();
        // Stress only: calmer than normal leaves quotes at their base values.
        let r = ratio.clamp(1.0, k.stress_ratio_cap);
        let (spread_mult, size_div, skew_mult, pull) = if k.withdraw {
            (
                r.powf(k.vol_spread_exponent),
                r.powf(k.vol_size_exponent),
                r.powf(k.vol_skew_exponent),
                ratio > k.withdraw_vol_ratio,
            )
        } else {
            (1.0, 1.0, 1.0, false)
        };
        let delay = self.agent_latency(i);
        let AgentKind::Maker(state) = &mut self.agents[i].kind else { return };
        // A pull lasts `withdraw_pause_s`; then the maker quotes (in stress mode) for at least as
        // long before it may pull again: liquidity flickers instead of vanishing for good.
        let pause = secs(k.withdraw_pause_s);
        let pull = match (pull, state.pulled_since) {
            (false, _) => {
                if state.pulled_since.take().is_some() {
                    state.back_since = now;
                }
                false
            }
            (true, Some(t)) if now.saturating_sub(t) < pause => true,
            (true, Some(_)) => {
                state.pulled_since = None;
                state.back_since = now;
                false
            }
            (true, None) if now.saturating_sub(state.back_since) >= pause || state.back_since == 0 => {
                state.pulled_since = Some(now);
                true
            }
            (true, None) => false,
        };
        let (width, stagger) = (state.width, state.stagger);
        // The id list is moved out and back (cleared) so requoting allocates nothing.
        let mut old = std::mem::take(&mut state.live);
        for &id in &old {
            self.send(i, Msg::Cancel { id }, delay);
        }
        old.clear();
        if let AgentKind::Maker(state) = &mut self.agents[i].kind {
            state.live = old;
        }
        if !pull {
            let mid = self.mid();
            let fair = k.index_weight * self.index + (1.0 - k.index_weight) * mid;
            let fair = fair * (1.0 - inv as f64 * k.skew_bps_per_lot * skew_mult * 1e-4);
            let half = k.base_half_spread_bps * width * spread_mult;
            for l in 0..k.levels {
                // Cumulative depth ∝ distance^(1 + size_depth_exponent) with level distances
                // ∝ steps^level_spacing_exponent: level sizes ∝ (1 + l)^(p(1 + e) − 1).
                let p = k.level_spacing_exponent;
                let shape = (1.0 + l as f64).powf(p * (1.0 + k.size_depth_exponent) - 1.0);
                let size = ((k.size_lots as f64 * shape / size_div).round() as i64).max(1);
                // Every maker quotes level 0 at the touch; deeper levels interleave.
                let depth_steps = if l == 0 { 0.0 } else { (l as f64 - 1.0 + stagger).powf(p) };
                let off = (half + depth_steps * k.level_spacing_bps * spread_mult) * 1e-4;
                if inv < k.max_inventory_lots {
                    let p = ((fair * (1.0 - off)) / self.spec.tick_size).floor() as i64;
                    let o = NewOrder::new(account, Side::Buy, OrderKind::PostOnly, p, size);
                    self.send(i, Msg::Submit { agent: i as u32, order: o, lifetime: 0 }, delay);
                }
                if inv > -k.max_inventory_lots {
                    let p = ((fair * (1.0 + off)) / self.spec.tick_size).ceil() as i64;
                    let o = NewOrder::new(account, Side::Sell, OrderKind::PostOnly, p, size);
                    self.send(i, Msg::Submit { agent: i as u32, order: o, lifetime: 0 }, delay);
                }
            }
        }
    }

    /// Trade towards a target position proportional to the return over the lookback.
    fn momentum(&mut self, i: usize) {
        let c = &self.cfg.momentum;
        let mids = &self.samples.mid;
        let back = c.lookback_s.round() as usize;
        if mids.len() > back {
            let r = (mids[mids.len() - 1] / mids[mids.len() - 1 - back]).ln();
            let signal = (r / c.full_signal_return).clamp(-1.0, 1.0);
            let target = (signal * c.max_position_lots as f64).round() as i64;
            let account = self.agents[i].account;
            let diff = target - self.ledger.pos[account as usize];
            if diff.abs() >= c.min_trade_lots {
                let side = if diff > 0 { Side::Buy } else { Side::Sell };
                let delay = self.agent_latency(i);
                let o = NewOrder::market(account, side, diff.abs());
                self.send(i, Msg::Submit { agent: i as u32, order: o, lifetime: 0 }, delay);
            }
        }
        let dt = exp(&mut self.agents[i].rng, c.wake_mean_s);
        self.sched.after(secs(dt), What::Wake(i as u32));
    }

    /// One step of the execution desk: maybe a new metaorder (Poisson arrivals over the time
    /// since the last step), then one child market order per metaorder being worked.
    fn execution(&mut self, i: usize) {
        let c = &self.cfg.execution;
        let account = self.agents[i].account;
        let delay = self.agent_latency(i);
        let a = &mut self.agents[i];
        let AgentKind::Execution { active } = &mut a.kind else { return };
        let dt = exp(&mut a.rng, c.child_interval_s);
        let p_new = 1.0 - (-c.arrivals_per_hour / 3600.0 * c.child_interval_s).exp();
        if a.rng.random::<f64>() < p_new {
            let u = 1.0 - a.rng.random::<f64>();
            let q = (c.size_min_lots * u.powf(-1.0 / c.size_alpha)).min(c.size_cap_lots as f64);
            let duration = c.duration_at_min_s * (q / c.size_min_lots).powf(c.duration_exponent);
            let children = (duration / c.child_interval_s).max(1.0);
            let child = ((q / children).round() as i64).max(1);
            let side = if a.rng.random::<bool>() { Side::Buy } else { Side::Sell };
            active.push((side, q.round() as i64, child));
        }
        let mut orders = [(Side::Buy, 0i64); 8];
        let mut n = 0;
        // At most eight children a step (the rest wait for the next step): no allocation here.
        active.retain_mut(|(side, left, child)| {
            if n < orders.len() {
                let q = (*child).min(*left);
                *left -= q;
                orders[n] = (*side, q);
                n += 1;
            }
            *left > 0
        });
        for &(side, q) in &orders[..n] {
            let o = NewOrder::market(account, side, q);
            self.send(i, Msg::Submit { agent: i as u32, order: o, lifetime: 0 }, delay);
        }
        self.sched.after(secs(dt), What::Wake(i as u32));
    }

    /// Buy the perp below the index, sell it above, by IOC clips limited halfway back to the
    /// threshold, within an inventory cap (the hedge leg on spot is outside this market).
    fn arbitrageur(&mut self, i: usize) {
        let c = &self.cfg.arbitrageur;
        let account = self.agents[i].account;
        let inv = self.ledger.pos[account as usize];
        let basis_bps = (self.mid() / self.index - 1.0) * 1e4;
        let lim = |p: f64, tick: f64, up: bool| {
            if up {
                (p / tick).floor() as i64
            } else {
                (p / tick).ceil() as i64
            }
        };
        let order = if basis_bps < -c.threshold_bps && inv < c.max_inventory_lots {
            let p = self.index * (1.0 - 0.5 * c.threshold_bps * 1e-4);
            Some((Side::Buy, lim(p, self.spec.tick_size, true), c.clip_lots.min(c.max_inventory_lots - inv)))
        } else if basis_bps > c.threshold_bps && inv > -c.max_inventory_lots {
            let p = self.index * (1.0 + 0.5 * c.threshold_bps * 1e-4);
            Some((
                Side::Sell,
                lim(p, self.spec.tick_size, false),
                c.clip_lots.min(c.max_inventory_lots + inv),
            ))
        } else {
            None
        };
        if let Some((side, price, qty)) = order {
            let delay = self.agent_latency(i);
            let o = NewOrder::new(account, side, OrderKind::Ioc, price, qty);
            self.send(i, Msg::Submit { agent: i as u32, order: o, lifetime: 0 }, delay);
        }
        self.sched.after(secs(c.wake_ms * 1e-3), What::Wake(i as u32));
    }
}
