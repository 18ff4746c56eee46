//! The parametric square-root impact law, for markets without depth data.
//!
//! This module owns [`SquareRootImpact`]: the mid sits at `P₀·(1 + s(Q))` with
//! `s(Q) = sign(Q)·Y·σ·(|Q|/V)^δ`, where `P₀` is the reference price, `Q` the signed USD flow
//! (buys positive) not yet decayed, and `V` the daily volume times the depth multiplier (less
//! depth = the same flow is a larger fraction of what the market absorbs).
//!
//! An order moving the flow from `Q` to `Q + q` fills at the average of the curve over the order,
//! `P₀·(1 + (F(Q+q) − F(Q))/q)` with `F(x) = Y·σ·V/(δ+1)·(|x|/V)^(δ+1)` (the antiderivative of
//! `s`, valid across a sign change of the flow), rounded to the nearest tick: one print per order.
//! The limit caps the *marginal* price: the order fills the largest whole number of lots for
//! which `P₀·(1 + s(Q+q))` stays within it, found by inverting `s` in closed form. USD flow is
//! counted at the reference price, which keeps both formulas closed-form.
//!
//! `recover(dt)` decays the flow by `exp(−dt/τ)` (τ = +∞: never; τ = 0: at once), `shift(rel)`
//! multiplies `P₀` by `1 + rel`, `set_depth_multiplier(m)` sets `V = m × daily volume`.

use crate::book::check_market;
use crate::{Fill, ImpactError, PriceImpact};
use liq_domain::{MarketSpec, Side, SquareRootParams};

/// Smallest depth multiplier: `m = 0` would make any flow an infinite move.
const MIN_MULTIPLIER: f64 = 1e-9;

/// The square-root law with decaying cumulative flow. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct SquareRootImpact {
    /// Y·σ.
    scale: f64,
    delta: f64,
    daily_volume_usd: f64,
    multiplier: f64,
    /// Reference price P₀, ticks.
    reference: f64,
    /// USD of one lot at a price of one tick.
    usd_per_lot_tick: f64,
    /// Signed flow not yet decayed, USD (buys positive).
    flow_usd: f64,
    tau_s: f64,
}

fn invalid(field: &str, message: String) -> ImpactError {
    ImpactError::Invalid { field: field.to_string(), message }
}

impl SquareRootImpact {
    /// Validates the parameters (finite, positive, δ in (0, 1]) and starts with no flow at
    /// `mid_price`. Errors name the parameter (`delta`).
    pub fn new(
        params: &SquareRootParams,
        market: &MarketSpec,
        mid_price: f64,
        resilience_tau_s: f64,
    ) -> Result<Self, ImpactError> {
        check_market(market, resilience_tau_s)?;
        for (name, v) in [
            ("y", params.y),
            ("delta", params.delta),
            ("daily_volatility", params.daily_volatility),
            ("daily_volume_usd", params.daily_volume_usd),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(name, format!("must be a positive finite number, got {v}")));
            }
        }
        if params.delta > 1.0 {
            return Err(invalid("delta", format!("must be in (0, 1], got {}", params.delta)));
        }
        if !(mid_price.is_finite() && mid_price > 0.0) {
            return Err(invalid("mid_price", format!("must be a positive finite price, got {mid_price}")));
        }
        Ok(Self {
            scale: params.y * params.daily_volatility,
            delta: params.delta,
            daily_volume_usd: params.daily_volume_usd,
            multiplier: 1.0,
            reference: mid_price / market.tick_size,
            usd_per_lot_tick: market.lot_size * market.tick_size,
            flow_usd: 0.0,
            tau_s: resilience_tau_s,
        })
    }

    /// Signed USD flow not yet decayed.
    pub fn flow_usd(&self) -> f64 {
        self.flow_usd
    }

    #[inline]
    fn volume(&self) -> f64 {
        self.daily_volume_usd * self.multiplier
    }

    /// Relative move s(x) at flow `x`.
    #[inline]
    fn rel_move(&self, x: f64) -> f64 {
        x.signum() * self.scale * (x.abs() / self.volume()).powf(self.delta)
    }

    /// Antiderivative of `rel_move`.
    #[inline]
    fn integral(&self, x: f64) -> f64 {
        let v = self.volume();
        self.scale * v / (self.delta + 1.0) * (x.abs() / v).powf(self.delta + 1.0)
    }

    /// The flow at which the marginal relative move equals `rel` (inverse of `rel_move`).
    #[inline]
    fn flow_at(&self, rel: f64) -> f64 {
        rel.signum() * self.volume() * (rel.abs() / self.scale).powf(1.0 / self.delta)
    }
}

impl PriceImpact for SquareRootImpact {
    fn execute(&mut self, side: Side, lots: i64, limit_tick: i64) -> Fill {
        let usd_per_lot = self.usd_per_lot_tick * self.reference;
        if lots <= 0 || usd_per_lot.is_nan() || usd_per_lot <= 0.0 {
            return Fill::default();
        }
        // Sells also stop at a price of one tick.
        let limit = match side {
            Side::Sell => limit_tick.max(1),
            Side::Buy => limit_tick,
        };
        // (limit − P₀)/P₀ rather than limit/P₀ − 1: the latter cancels digits near the reference.
        let flow_limit = self.flow_at((limit as f64 - self.reference) / self.reference);
        let room_usd = match side {
            Side::Sell => self.flow_usd - flow_limit,
            Side::Buy => flow_limit - self.flow_usd,
        };
        // 1e-9 lot of slack absorbs the rounding of the closed-form inverse (a limit exactly on
        // the curve must admit the order that reaches it).
        let room_lots = (room_usd / usd_per_lot + 1e-9).floor();
        if room_lots.is_nan() || room_lots < 1.0 {
            return Fill::default();
        }
        let filled = if room_lots < lots as f64 { room_lots as i64 } else { lots };
        let q = side.sign() as f64 * filled as f64 * usd_per_lot;
        let before = self.flow_usd;
        let after = before + q;
        let avg_rel = (self.integral(after) - self.integral(before)) / q;
        let tick = (self.reference * (1.0 + avg_rel)).round() as i64;
        // The average lies between the marginal prices, so it is within the limit up to float
        // rounding; the clamp makes that exact.
        let tick = match side {
            Side::Sell => tick.max(limit),
            Side::Buy => tick.min(limit),
        };
        self.flow_usd = after;
        Fill { filled_lots: filled, value_lot_ticks: filled as i128 * tick as i128, last_tick: Some(tick) }
    }

    fn mid_ticks(&self) -> f64 {
        (self.reference * (1.0 + self.rel_move(self.flow_usd))).max(0.0)
    }

    fn shift(&mut self, rel: f64) {
        if rel.is_finite() {
            self.reference *= (1.0 + rel).max(0.0);
        }
    }

    fn recover(&mut self, dt_s: f64) {
        if dt_s.is_nan() || dt_s <= 0.0 || self.tau_s.is_infinite() {
            return;
        }
        self.flow_usd = if self.tau_s == 0.0 { 0.0 } else { self.flow_usd * (-dt_s / self.tau_s).exp() };
    }

    fn set_depth_multiplier(&mut self, multiplier: f64) {
        if !multiplier.is_nan() {
            self.multiplier = multiplier.clamp(MIN_MULTIPLIER, 1e6);
        }
    }
}
