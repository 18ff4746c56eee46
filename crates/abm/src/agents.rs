//! The agents and their decisions: market makers, noise traders (market and limit flow),
//! momentum traders and the index arbitrageur. Leveraged position takers and stop-loss holders
//! are passive (their behaviour is their margin and their stop orders, set up in
//! [`crate::sim`]); the venue's liquidation engine is in [`crate::liquidation`].
//!
//! Each agent draws from its own ChaCha8 stream (the run seed with the agent's index as stream
//! number), so its decisions and latencies do not depend on how many other agents there are.

use crate::book::{NewOrder, OrderId, OrderKind};
use crate::sched::{secs, Nanos, What};
use crate::sim::{Msg, Sim};
use liq_domain::Side;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A market maker's private state.
#[derive(Debug, Clone)]
pub(crate) struct MakerState {
    /// Its spread relative to the configured base (makers differ).
    pub width: f64,
    /// Ids of its resting quotes.
    pub live: Vec<OrderId>,
}

impl MakerState {
    pub fn new(width: f64) -> MakerState {
        MakerState { width, live: Vec::with_capacity(16) }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum AgentKind {
    Maker(MakerState),
    /// Hawkes market orders of the noise population: excess intensity, when it was last
    /// updated, the thinning bound the current candidate was drawn with, last side.
    NoiseMarket {
        excess: f64,
        last: Nanos,
        bound: f64,
        buy: bool,
    },
    /// Poisson limit orders of the noise population.
    NoiseLimit,
    Momentum,
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

impl Sim<'_> {
    pub(crate) fn wake(&mut self, i: u32, now: Nanos) {
        let i = i as usize;
        match self.agents[i].kind {
            AgentKind::Maker(_) => self.maker(i, now),
            AgentKind::NoiseMarket { .. } => self.noise_market(i, now),
            AgentKind::NoiseLimit => self.noise_limit(i),
            AgentKind::Momentum => self.momentum(i),
            AgentKind::Arbitrageur => self.arbitrageur(i),
        }
    }

    /// Heavy-tailed size: Pareto(x_min, α), capped.
    fn noise_size(&mut self, i: usize) -> i64 {
        let n = &self.cfg.noise;
        let u: f64 = 1.0 - self.agents[i].rng.random::<f64>();
        let x = n.size_min_lots * u.powf(-1.0 / n.size_alpha);
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
        let mu = n.market_rate_per_s * (1.0 - n.hawkes_branching);
        let beta = 1.0 / n.hawkes_decay_s;
        let jump = n.hawkes_branching * beta;
        let persist = n.sign_persistence;
        let a = &mut self.agents[i];
        let AgentKind::NoiseMarket { excess, last, bound, buy } = &mut a.kind else { return };
        *excess *= (-(now.saturating_sub(*last) as f64) * 1e-9 * beta).exp();
        *last = now;
        let lam = mu + *excess;
        let accept = *bound <= 0.0 || a.rng.random::<f64>() * *bound < lam;
        let mut side = None;
        if accept {
            *excess += jump;
            if a.rng.random::<f64>() >= persist {
                *buy = a.rng.random::<bool>();
            }
            side = Some(if *buy { Side::Buy } else { Side::Sell });
        }
        let next_bound = mu + *excess;
        *bound = next_bound;
        if let Some(side) = side {
            let qty = self.noise_size(i);
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
        let qty = self.noise_size(i);
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
    fn maker(&mut self, i: usize, _now: Nanos) {
        let k = &self.cfg.makers;
        let account = self.agents[i].account;
        let inv = self.ledger.pos[account as usize];
        let ratio = self.vol_ratio();
        let excess = (ratio - 1.0).max(0.0);
        let (spread_mult, size_div, pull) = if k.withdraw {
            (1.0 + k.vol_spread_mult * excess, 1.0 + k.vol_size_mult * excess, ratio > k.withdraw_vol_ratio)
        } else {
            (1.0, 1.0, false)
        };
        let delay = self.agent_latency(i);
        let AgentKind::Maker(state) = &mut self.agents[i].kind else { return };
        let width = state.width;
        let old: Vec<OrderId> = std::mem::take(&mut state.live);
        for id in old {
            self.send(i, Msg::Cancel { id }, delay);
        }
        if !pull {
            let mid = self.mid();
            let fair = k.index_weight * self.index + (1.0 - k.index_weight) * mid;
            let fair = fair * (1.0 - inv as f64 * k.skew_bps_per_lot * 1e-4);
            let half = k.base_half_spread_bps * width * spread_mult;
            let size = ((k.size_lots as f64 / size_div).round() as i64).max(1);
            for l in 0..k.levels {
                let off = (half + l as f64 * k.level_spacing_bps) * 1e-4;
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
        // Requote on a jittered clock (±20 %) so makers do not move in lockstep.
        let jitter = 0.8 + 0.4 * self.agents[i].rng.random::<f64>();
        self.sched.after(secs(k.requote_ms * 1e-3 * jitter), What::Wake(i as u32));
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
