//! The critical shock: the smallest instant shock to one market at which the cascade becomes
//! self-sustaining, and the shock→loss curve.
//!
//! *Self-sustaining* is defined as amplification (total / first-order liquidated notional) at
//! or above a threshold, 2 by default: from there on the feedback liquidates at least as much
//! as the shock itself did. The curve is swept on a grid; the first grid point over the
//! threshold brackets the critical shock with its predecessor, and bisection narrows it to the
//! requested tolerance. Amplification need not be monotone in the shock (a larger shock
//! liquidates more first-order accounts and can lower the ratio), which is why the sweep comes
//! first and the report keeps the whole curve.

use liq_engine::{Cascade, EngineModel};
use serde::{Deserialize, Serialize};

/// One point of the shock→loss curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Relative shock to the market (−0.08 = −8%).
    pub shock: f64,
    pub liquidated_usd: f64,
    pub first_order_usd: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub amplification: f64,
    pub bad_debt_usd: f64,
    pub adl_usd: f64,
    /// Loss of all accounts together, USD.
    pub accounts_loss_usd: f64,
    /// The shocked market's mark after the cascade, relative to the start.
    pub mark_end: f64,
}

/// The sweep and the critical shock of one market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalShock {
    pub market: String,
    pub threshold: f64,
    pub curve: Vec<CurvePoint>,
    /// `None` if no shock on the grid reaches the threshold.
    pub critical_shock: Option<f64>,
}

/// Runs the instant cascade for `shock` applied to market `k` alone (others unmoved).
pub fn evaluate(model: &mut EngineModel, cascade: &mut Cascade, k: usize, shock: f64) -> CurvePoint {
    let mut moves = vec![0.0; model.n_markets()];
    moves[k] = shock;
    model.set_shock(moves);
    let o = cascade.run(model, true);
    let total = o.liquidated_notional_usd();
    let first = o.first_generation_notional_usd();
    CurvePoint {
        shock,
        liquidated_usd: total,
        first_order_usd: first,
        amplification: if first > 0.0 { total / first } else { 1.0 },
        bad_debt_usd: o.bad_debt_usd,
        adl_usd: o.adl_notional_usd,
        accounts_loss_usd: -o.accounts_equity_change_usd,
        mark_end: o.markets[k].mark_end / o.markets[k].mark_start - 1.0,
    }
}

/// Sweeps `grid` (shocks in order of growing size) for market `k` and bisects the first
/// crossing of `threshold` to within `tolerance` (relative shock units).
pub fn critical_shock(
    model: &EngineModel,
    k: usize,
    grid: &[f64],
    threshold: f64,
    tolerance: f64,
) -> CriticalShock {
    let mut m = model.clone();
    let mut cascade = Cascade::new(&m);
    let curve: Vec<CurvePoint> = grid.iter().map(|&s| evaluate(&mut m, &mut cascade, k, s)).collect();
    let mut critical = None;
    if let Some(i) = curve.iter().position(|p| p.amplification >= threshold) {
        if i == 0 {
            critical = Some(curve[0].shock);
        } else {
            // Invariant: amplification(lo) < threshold ≤ amplification(hi).
            let (mut lo, mut hi) = (curve[i - 1].shock, curve[i].shock);
            while (hi - lo).abs() > tolerance {
                let mid = 0.5 * (lo + hi);
                if evaluate(&mut m, &mut cascade, k, mid).amplification >= threshold {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            critical = Some(hi);
        }
    }
    CriticalShock { market: model.markets[k].symbol.clone(), threshold, curve, critical_shock: critical }
}
