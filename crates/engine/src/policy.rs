//! Mitigation policies in a run (`Scenario::policy`, DESIGN.md "Mitigation policies").
//!
//! This module owns what each policy does and the per-run state the dynamic ones keep; the
//! cascade loop (`crate::cascade`) calls it at three points of a step, and the model build at two:
//!
//! - **Static, at model build.** *Insurance-fund size*: every venue's starting fund times
//!   `insurance_fund_scale`. *Volatility-scaled maintenance margin*: every tier's rate and
//!   every tier's maintenance rate of market k times `f = max(1, σ_k / σ_ref)`, capped at 50%
//!   (the top published rate), with the maintenance amounts rederived by continuity, so
//!   maintenance margin is `f` times the published one wherever no cap binds; the tier's
//!   maximum leverage is divided by `f`, so the initial rate scales alike and stays above
//!   maintenance as a ladder requires.
//!   Being static, the trigger index built on the scaled tables stays exact.
//! - **Each step, before flows and triggers.** *Mark smoothing*: the mark the venue would publish
//!   is passed through an exponential average, `m ← m + (1 − e^(−dt/τ))·(raw − m)`, and every
//!   later stage of the step (flows, triggers, margin) reads the smoothed mark. *Circuit breaker*:
//!   when a market's mark has moved by `move` or more against any mark of the last `window_s`
//!   seconds, the venue halts for `halt_s` seconds: no liquidation order, forced flow or
//!   arbitrage trades (the exogenous path goes on: it is the price elsewhere, and the book reopens
//!   there); units found under maintenance wait in the queue. The window restarts at a trip, so a
//!   move that caused one halt does not cause the next.
//! - **In the liquidation loop.** *Throttle*: a unit is started only if, in every market where it
//!   holds a position, the notional liquidated so far this step plus the unit's position notional
//!   stays within `throttle·dt`; otherwise it keeps its place in the queue for the next step. A
//!   unit alone larger than the step's allowance goes alone (else it could never be liquidated).
//! - **In the flows.** *Token rebalancing cap*: a leveraged token's rebalancing trade is cut to
//!   `cap·dt` a step; the rest trades in the next steps (the token stays due until on target).
//!
//! In the round-based run (an instant shock) `dt` is `engine.round_duration_s`: a round stands
//! for that much time everywhere else in the engine (resilience), so the throttle allows
//! `throttle·round_duration_s` a round and a halt of `halt_s` lasts `halt_s / round_duration_s`
//! rounds. Halted steps and the steps a smoothed mark needs to catch up are added to the round
//! cap, so a policy is not cut off by a cap that was set for a run without it.
//!
//! Everything here reuses buffers sized at the start of a run: nothing allocates per step.

use crate::ledger::Workspace;
use crate::model::{EngineError, EngineModel, Unit};
use liq_domain::{CircuitBreaker, MarketSpec, PolicySpec, RiskLadder};

/// The highest maintenance rate volatility scaling sets: Binance's top tiers publish 50%
/// (docs/venues.md, the BTCUSDT table); a scaled rate stops there.
const MMR_CAP: f64 = 0.5;

/// A smoothed mark counts as caught up within this relative distance of the venue's mark.
const SMOOTH_TOLERANCE: f64 = 1e-4;

/// The dynamic policies of a model (the static ones are applied to the model's tables).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyModel {
    pub throttle_usd_per_s: Option<f64>,
    pub breaker: Option<CircuitBreaker>,
    pub mark_smoothing_s: Option<f64>,
    pub token_cap_usd_per_s: Option<f64>,
}

impl PolicyModel {
    pub fn build(p: &PolicySpec) -> PolicyModel {
        PolicyModel {
            throttle_usd_per_s: p.liquidation_throttle_usd_per_s,
            breaker: p.circuit_breaker,
            mark_smoothing_s: p.mark_smoothing_s,
            token_cap_usd_per_s: p.token_rebalance_cap_usd_per_s,
        }
    }
}

/// The maintenance multiplier of market `k` under the policy (1 = the published tables).
pub fn maintenance_multiplier(p: &PolicySpec, k: usize) -> f64 {
    match &p.vol_scaled_maintenance {
        Some(v) => {
            (v.daily_vol.get(k).copied().unwrap_or(v.reference_daily_vol) / v.reference_daily_vol).max(1.0)
        }
        None => 1.0,
    }
}

/// The markets with their ladders scaled by [`maintenance_multiplier`].
pub(crate) fn markets_under(p: &PolicySpec, markets: &[MarketSpec]) -> Result<Vec<MarketSpec>, EngineError> {
    let mut out = markets.to_vec();
    for (k, m) in out.iter_mut().enumerate() {
        let f = maintenance_multiplier(p, k);
        if f == 1.0 {
            continue;
        }
        let rows: Vec<(f64, f64, f64)> = m
            .ladder
            .tiers()
            .iter()
            .map(|t| {
                // A rate never rises above the highest the venues publish (MMR_CAP) unless the
                // tier's own is higher; the initial rate scales alike and stays above it.
                let mmr = (t.mmr * f).min(t.mmr.max(MMR_CAP));
                let lev = (t.max_leverage / f).min(0.999 / mmr).max(1.0);
                (t.cap_notional, mmr, lev)
            })
            .collect();
        m.ladder = RiskLadder::from_caps(&rows).map_err(|e| {
            EngineError::invalid(format!("policy.vol_scaled_maintenance.daily_vol[{k}]"), e.to_string())
        })?;
    }
    Ok(out)
}

/// A venue's starting fund (micro-USD) under the policy.
pub(crate) fn fund_under(p: &PolicySpec, fund0: i64) -> i64 {
    match p.insurance_fund_scale {
        Some(s) => (fund0 as f64 * s).round() as i64,
        None => fund0,
    }
}

/// A position slot's notional at the current mark, USD.
fn position_notional(model: &EngineModel, ws: &Workspace, s: usize) -> f64 {
    let k = model.pos_market[s] as usize;
    ws.size[s].unsigned_abs() as f64 * model.markets[k].lot_size * ws.marks[k]
}

/// Per-run state of the dynamic policies (one per [`crate::Cascade`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyState {
    dt: f64,
    /// Throttle: per market, liquidated notional at the start of this step (USD).
    step_start: Vec<f64>,
    /// Throttle scratch: the unit's position notional per market.
    unit_notional: Vec<f64>,
    /// Breaker: the last `window` marks of every market, `ring[i·n + k]`.
    ring: Vec<f64>,
    window: usize,
    filled: usize,
    pos: usize,
    halted_until_s: f64,
    /// Steps spent halted (added to the round cap).
    pub halted_steps: u32,
    /// Smoothing: the smoothed mark, the last mark written and the venue's last mark.
    smooth: Vec<f64>,
    written: Vec<f64>,
    raw: Vec<f64>,
    /// Steps a smoothed mark may take to catch up (added to the round cap).
    smooth_steps: u32,
}

impl PolicyState {
    /// Sizes the buffers for a run with steps of `dt` seconds (reusing their capacity).
    pub fn reset(&mut self, model: &EngineModel, dt: f64) {
        let n = model.n_markets();
        let p = &model.policy;
        self.dt = dt;
        self.step_start.clear();
        self.step_start.resize(n, 0.0);
        self.unit_notional.clear();
        self.unit_notional.resize(n, 0.0);
        self.halted_until_s = f64::NEG_INFINITY;
        self.halted_steps = 0;
        self.filled = 0;
        self.pos = 0;
        self.ring.clear();
        if let Some(b) = p.breaker {
            // The window's marks plus the one it is measured against.
            self.window = ((b.window_s / dt).round() as usize).max(1) + 1;
            self.ring.resize(self.window * n, 0.0);
            self.push_marks(&model.mark0);
        }
        self.smooth.clear();
        self.written.clear();
        self.raw.clear();
        self.smooth_steps = 0;
        if let Some(tau) = p.mark_smoothing_s {
            self.smooth.extend_from_slice(&model.mark0);
            self.written.extend_from_slice(&model.mark0);
            self.raw.extend_from_slice(&model.mark0);
            // (1 − α)^s ≤ tolerance: s = τ/dt · ln(1/tolerance) steps bring any gap within it.
            self.smooth_steps = ((tau / dt) * (1.0 / SMOOTH_TOLERANCE).ln()).ceil().min(1e6) as u32;
        }
    }

    /// Steps the run may take beyond its round cap because of the policies.
    pub fn extra_steps(&self) -> u32 {
        self.halted_steps.saturating_add(self.smooth_steps)
    }

    fn push_marks(&mut self, marks: &[f64]) {
        let n = marks.len();
        self.ring[self.pos * n..(self.pos + 1) * n].copy_from_slice(marks);
        self.pos = (self.pos + 1) % self.window;
        self.filled = (self.filled + 1).min(self.window);
    }

    /// Mark smoothing, then the breaker, at the start of a step at time `t_s`: rewrites the marks
    /// and returns whether trading is halted this step.
    pub fn start_step(&mut self, model: &EngineModel, ws: &mut Workspace, t_s: f64) -> bool {
        let p = &model.policy;
        if let Some(tau) = p.mark_smoothing_s {
            let alpha = 1.0 - (-self.dt / tau).exp();
            for k in 0..ws.marks.len() {
                // A mark the venue has not republished since the last step is still the one
                // written here: the venue's own mark is then the last one seen.
                if ws.marks[k] != self.written[k] {
                    self.raw[k] = ws.marks[k];
                }
                self.smooth[k] += alpha * (self.raw[k] - self.smooth[k]);
                ws.marks[k] = self.smooth[k];
                self.written[k] = self.smooth[k];
            }
        }
        let Some(b) = p.breaker else { return false };
        if t_s < self.halted_until_s - 1e-9 {
            self.halted_steps += 1;
            return true;
        }
        let n = ws.marks.len();
        let mut trip = false;
        for i in 0..self.filled {
            let past = &self.ring[i * n..(i + 1) * n];
            trip |= past
                .iter()
                .zip(&ws.marks)
                .any(|(&a, &m)| a > 0.0 && (m / a - 1.0).abs() + 1e-12 >= b.move_frac);
        }
        if trip {
            self.halted_until_s = t_s + b.halt_s;
            self.halted_steps += 1;
            // The window restarts at the halt: the move that tripped it is spent.
            self.filled = 0;
            self.pos = 0;
        }
        self.push_marks(&ws.marks);
        trip
    }

    /// Whether a smoothed mark is still catching up with the venue's.
    pub fn smoothing_pending(&self) -> bool {
        self.smooth.iter().zip(&self.raw).any(|(s, r)| (s / r - 1.0).abs() > SMOOTH_TOLERANCE)
    }

    /// Throttle: the start of the step's liquidation loop, with the run's liquidated notional per
    /// market so far.
    pub fn start_liquidations(&mut self, notional_by_market: impl Iterator<Item = f64>) {
        for (s, n) in self.step_start.iter_mut().zip(notional_by_market) {
            *s = n;
        }
    }

    /// Throttle: whether unit `u` may start now, given the run's liquidated notional per market.
    pub fn admits(
        &mut self,
        model: &EngineModel,
        ws: &Workspace,
        u: Unit,
        notional_now: impl Fn(usize) -> f64,
    ) -> bool {
        let Some(cap) = model.policy.throttle_usd_per_s else { return true };
        let allowance = cap * self.dt;
        self.unit_notional.iter_mut().for_each(|x| *x = 0.0);
        match u.isolated_slot() {
            Some(s) => {
                let k = model.pos_market[s as usize] as usize;
                self.unit_notional[k] = position_notional(model, ws, s as usize);
            }
            None => {
                for s in model.positions_of(u.0) {
                    if !model.pos_isolated[s] {
                        let k = model.pos_market[s] as usize;
                        self.unit_notional[k] += position_notional(model, ws, s);
                    }
                }
            }
        }
        self.unit_notional.iter().enumerate().all(|(k, &n)| {
            let used = notional_now(k) - self.step_start[k];
            n == 0.0 || used <= 0.0 || used + n <= allowance * (1.0 + 1e-12)
        })
    }

    /// Token cap: the largest rebalancing trade a token may send this step, USD.
    pub fn token_cap_usd(&self, model: &EngineModel) -> f64 {
        model.policy.token_cap_usd_per_s.map_or(f64::INFINITY, |c| c * self.dt)
    }
}
