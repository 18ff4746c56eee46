//! Concentration of open interest near liquidation: per market and side, the share of the
//! population's open interest whose margin unit reaches maintenance within 1%, 2%, 5% (by
//! default) of a move of that market alone.
//!
//! The distance of a position is the relative move of its market's mark, others unchanged, that
//! takes its margin unit to its trigger ([`UnitView::trigger`]): the closed form of
//! `liq_margin::trigger_price` for isolated positions and one-market cross wallets, bisection on
//! the engine's start margins (equity and maintenance) for multi-market cross wallets. The
//! notional is the position's |size| × starting mark; the side is the position's.

use crate::units::UnitView;
use liq_engine::EngineModel;
use liq_margin::Trigger;
use serde::Serialize;

/// One market and side.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ConcentrationRow {
    pub market: String,
    /// `long` or `short`.
    pub side: String,
    pub open_interest_usd: f64,
    /// The distances (relative moves), e.g. [0.01, 0.02, 0.05].
    pub thresholds: Vec<f64>,
    /// Notional within each distance, USD.
    pub notional_usd: Vec<f64>,
    /// Share of the side's open interest within each distance.
    #[serde(with = "liq_domain::serde_num::vec_finite_or_str")]
    pub share: Vec<f64>,
}

/// Relative distance from the starting mark to a trigger (0 if already reached, ∞ if never).
pub fn trigger_distance(t: Trigger, m0: f64) -> f64 {
    match t {
        Trigger::AtOrBelow(p) => (1.0 - p / m0).max(0.0),
        Trigger::AtOrAbove(p) => (p / m0 - 1.0).max(0.0),
        Trigger::Never => f64::INFINITY,
    }
}

/// The concentration table, two rows (long, short) per market.
pub fn concentration(model: &EngineModel, units: &[UnitView], thresholds: &[f64]) -> Vec<ConcentrationRow> {
    let n_m = model.n_markets();
    // [market][side]: side 0 = long, 1 = short.
    let mut oi = vec![[0.0f64; 2]; n_m];
    let mut within = vec![[vec![0.0; thresholds.len()], vec![0.0; thresholds.len()]]; n_m];
    let mut cache: Vec<(usize, f64)> = Vec::new();
    for u in units {
        cache.clear();
        for &(k, q) in &u.positions {
            let d = match cache.iter().find(|c| c.0 == k) {
                Some(c) => c.1,
                None => {
                    let d = trigger_distance(u.trigger(model, k, 10.0), model.mark0[k]);
                    cache.push((k, d));
                    d
                }
            };
            let side = usize::from(q < 0.0);
            let n = q.abs() * model.mark0[k];
            oi[k][side] += n;
            for (t, &x) in thresholds.iter().enumerate() {
                if d <= x {
                    within[k][side][t] += n;
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(2 * n_m);
    for k in 0..n_m {
        for (side, name) in ["long", "short"].into_iter().enumerate() {
            let total = oi[k][side];
            rows.push(ConcentrationRow {
                market: model.markets[k].symbol.clone(),
                side: name.into(),
                open_interest_usd: total,
                thresholds: thresholds.to_vec(),
                notional_usd: within[k][side].clone(),
                share: within[k][side].iter().map(|&x| if total > 0.0 { x / total } else { 0.0 }).collect(),
            });
        }
    }
    rows
}
