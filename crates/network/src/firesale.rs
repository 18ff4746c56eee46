//! Overlapping-portfolio fire sales in the Cont–Schaanning setting (R. Cont, E. Schaanning,
//! "Fire sales, indirect contagion and systemic stress testing", 2017): institutions (funds,
//! lending desks, banks) hold overlapping portfolios of marketable assets, must keep leverage
//! (assets / equity) under a limit, and deleverage proportionally when a price shock breaks it;
//! their sales move prices, which hits everyone holding the same assets.
//!
//! **Model.** Holdings `q[i][k]` are in units worth 1 at the starting price (so they read as
//! values); institution i also has non-marketable assets `other_i` and equity `E_i`.
//! - Round 0: prices drop by the exogenous shock, `p_k = 1 + shock_k`; every institution
//!   marks its holdings: `E_i += Σ_k q_ik·shock_k`.
//! - Each round: with `M_i = Σ_k q_ik p_k` and `A_i = M_i + other_i`, an institution with
//!   `E_i ≤ 0` has defaulted and sells all its marketable holdings (once); one with
//!   `A_i / E_i > λ_max,i` sells `S_i = min(M_i, A_i − λ_max,i·E_i)` — exactly enough to be back
//!   at its limit — as the same fraction `S_i / M_i` of every holding (proportional
//!   deleveraging). Sales execute at the round's prices and pay down debt, so they do not
//!   change equity by themselves.
//! - Price impact: `p_k = (1 + shock_k)·exp(−β·f_k)`, where `f_k = Q_k / D_k` is the fraction of
//!   the market depth `D_k` (units the market absorbs, an input) sold so far, `Q_k` the
//!   cumulative units sold. The impact is permanent and depends on cumulative sales only, so the
//!   end state does not depend on how sales are split over rounds.
//! - Every institution marks its remaining holdings to the new prices: `E_i += Σ_k q_ik Δp_k`.
//! - Rounds repeat to a fixed point: no institution sells more than `tol` × its assets.

use crate::error::NetworkError;
use crate::matrix::{check_rect_nonneg, check_vec_nonneg};
use serde::Serialize;

/// Institutions, assets and market parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FireSaleSystem {
    pub institutions: Vec<String>,
    pub assets: Vec<String>,
    /// `holdings[i][k]`: units of asset k held by institution i (worth 1 each at the start).
    pub holdings: Vec<Vec<f64>>,
    /// Equity at the start.
    pub equity: Vec<f64>,
    /// Non-marketable assets (loans, cash) that are never sold.
    pub other_assets: Vec<f64>,
    /// Leverage limit λ_max = assets / equity.
    pub max_leverage: Vec<f64>,
    /// Market depth per asset, units: selling all of it moves the price by exp(−β).
    pub depth: Vec<f64>,
    /// Impact strength β.
    pub beta: f64,
}

impl FireSaleSystem {
    /// Checks shapes and values; errors name the field and the row/column.
    pub fn validate(&self) -> Result<(), NetworkError> {
        let (n, m) = (self.institutions.len(), self.assets.len());
        if n == 0 || m == 0 {
            return Err(NetworkError::invalid("fire sale", "needs at least one institution and one asset"));
        }
        if self.holdings.len() != n {
            return Err(NetworkError::invalid(
                "holdings",
                format!("{} rows for {n} institutions", self.holdings.len()),
            ));
        }
        check_rect_nonneg("holdings", &self.holdings, m)?;
        for (what, v, len) in [
            ("equity", &self.equity, n),
            ("other_assets", &self.other_assets, n),
            ("max_leverage", &self.max_leverage, n),
            ("depth", &self.depth, m),
        ] {
            if v.len() != len {
                return Err(NetworkError::invalid(what, format!("{} entries, expected {len}", v.len())));
            }
            if what != "equity" {
                check_vec_nonneg(what, v)?;
            } else if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(NetworkError::NotFinite { what: what.into(), row: i, col: 0, value: v[i] });
            }
        }
        if let Some(i) = self.max_leverage.iter().position(|&l| l < 1.0) {
            return Err(NetworkError::invalid(
                "max_leverage",
                format!("row {i}: must be ≥ 1, got {}", self.max_leverage[i]),
            ));
        }
        if let Some(k) = self.depth.iter().position(|&d| d <= 0.0) {
            return Err(NetworkError::invalid("depth", format!("asset {k}: must be > 0")));
        }
        if !(self.beta.is_finite() && self.beta >= 0.0) {
            return Err(NetworkError::invalid("beta", format!("must be finite and ≥ 0, got {}", self.beta)));
        }
        Ok(())
    }
}

/// Shock and stopping rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FireSaleOptions {
    /// Relative price move per asset (−0.02 = −2%).
    pub shock: Vec<f64>,
    pub max_rounds: usize,
    /// A round in which no institution sells more than `tol` × its assets ends the iteration.
    pub tol: f64,
}

/// The state after one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FireSaleRound {
    pub round: usize,
    /// Units of each asset sold in this round.
    pub sold: Vec<f64>,
    /// Prices after this round's impact.
    pub prices: Vec<f64>,
    /// Equity after marking to the new prices.
    pub equity: Vec<f64>,
    /// Assets / equity after marking (∞ for non-positive equity).
    pub leverage: Vec<f64>,
}

/// The outcome of a fire sale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FireSaleOutcome {
    /// Round 0 (the shock alone) then every round with sales.
    pub rounds: Vec<FireSaleRound>,
    pub final_prices: Vec<f64>,
    pub final_holdings: Vec<Vec<f64>>,
    pub defaulted: Vec<bool>,
    /// Cumulative units sold per asset.
    pub total_sold: Vec<f64>,
    /// Equity lost system-wide beyond the shock's own loss (the indirect contagion), value.
    pub indirect_loss: f64,
    pub converged: bool,
}

fn leverage(assets: f64, equity: f64) -> f64 {
    if equity > 0.0 {
        assets / equity
    } else {
        f64::INFINITY
    }
}

/// Runs the fire sale to its fixed point.
pub fn fire_sale(sys: &FireSaleSystem, opts: &FireSaleOptions) -> Result<FireSaleOutcome, NetworkError> {
    sys.validate()?;
    let (n, m) = (sys.institutions.len(), sys.assets.len());
    if opts.shock.len() != m {
        return Err(NetworkError::invalid("shock", format!("{} entries for {m} assets", opts.shock.len())));
    }
    if let Some(k) = opts.shock.iter().position(|s| !(s.is_finite() && *s > -1.0)) {
        return Err(NetworkError::invalid("shock", format!("asset {k}: must be finite and > −1")));
    }
    let p_shock: Vec<f64> = opts.shock.iter().map(|s| 1.0 + s).collect();
    let mut p = p_shock.clone();
    let mut q = sys.holdings.clone();
    let mut e: Vec<f64> =
        (0..n).map(|i| sys.equity[i] + (0..m).map(|k| q[i][k] * opts.shock[k]).sum::<f64>()).collect();
    let shock_loss: f64 = (0..n).map(|i| sys.equity[i] - e[i]).sum();
    let mut defaulted = vec![false; n];
    let mut sold_out = vec![false; n];
    let mut cum = vec![0.0; m];
    let state = |round: usize, sold: Vec<f64>, p: &[f64], q: &[Vec<f64>], e: &[f64]| FireSaleRound {
        round,
        sold,
        prices: p.to_vec(),
        equity: e.to_vec(),
        leverage: (0..n)
            .map(|i| leverage((0..m).map(|k| q[i][k] * p[k]).sum::<f64>() + sys.other_assets[i], e[i]))
            .collect(),
    };
    let mut rounds = vec![state(0, vec![0.0; m], &p, &q, &e)];
    let mut converged = false;
    for round in 1..=opts.max_rounds {
        let mut sold = vec![0.0; m];
        let mut any = false;
        for i in 0..n {
            let mv: f64 = (0..m).map(|k| q[i][k] * p[k]).sum();
            if mv <= 0.0 {
                continue;
            }
            let assets = mv + sys.other_assets[i];
            let fraction = if e[i] <= 0.0 {
                defaulted[i] = true;
                if sold_out[i] {
                    continue;
                }
                sold_out[i] = true;
                1.0
            } else {
                let excess = assets - sys.max_leverage[i] * e[i];
                if excess <= opts.tol * assets {
                    continue;
                }
                (excess / mv).min(1.0)
            };
            any = true;
            for k in 0..m {
                let s = fraction * q[i][k];
                sold[k] += s;
                q[i][k] -= s;
            }
        }
        if !any {
            converged = true;
            break;
        }
        let old = p.clone();
        for k in 0..m {
            cum[k] += sold[k];
            p[k] = p_shock[k] * (-sys.beta * cum[k] / sys.depth[k]).exp();
        }
        for i in 0..n {
            e[i] += (0..m).map(|k| q[i][k] * (p[k] - old[k])).sum::<f64>();
        }
        rounds.push(state(round, sold, &p, &q, &e));
    }
    let end_loss: f64 = (0..n).map(|i| sys.equity[i] - e[i]).sum();
    for i in 0..n {
        if e[i] <= 0.0 {
            defaulted[i] = true;
        }
    }
    Ok(FireSaleOutcome {
        rounds,
        final_prices: p,
        final_holdings: q,
        defaulted,
        total_sold: cum,
        indirect_loss: end_loss - shock_loss,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_banks() -> FireSaleSystem {
        FireSaleSystem {
            institutions: vec!["A".into(), "B".into()],
            assets: vec!["x".into(), "y".into()],
            holdings: vec![vec![50.0, 50.0], vec![0.0, 100.0]],
            equity: vec![10.0, 20.0],
            other_assets: vec![0.0, 0.0],
            max_leverage: vec![10.0, 10.0],
            depth: vec![500.0, 1000.0],
            beta: 1.0,
        }
    }

    #[test]
    fn two_assets_two_banks_by_hand() {
        // Shock x by −2%. Round 0: p = (0.98, 1); E_A = 10 − 50·0.02 = 9, E_B = 20.
        // Round 1: A has M = 49 + 50 = 99, leverage 99/9 = 11 > 10: sells S = 99 − 10·9 = 9, the
        // fraction 9/99 = 1/11 of each holding, 50/11 = 4.545454… units of x and of y; keeps
        // 500/11 = 45.4545… of each. B: 100/20 = 5 ≤ 10, sells nothing.
        // Prices: p_x = 0.98·exp(−(50/11)/500) = 0.98·exp(−1/110) = 0.971131283,
        //         p_y = exp(−(50/11)/1000) = exp(−1/220) = 0.995464860.
        // E_A = 9 + (500/11)·(p_x − 0.98 + p_y − 1) = 8.390733769; E_B = 20 + 100·(p_y − 1) = 19.546486040.
        // Round 2: M_A = (500/11)(p_x + p_y) = 89.390733769, leverage 10.6535 > 10:
        // S = 89.390733769 − 83.907337691 = 5.483396078, fraction 0.061341885, i.e.
        // 45.4545…·0.061341885 = 2.788267483 units of each; Q_x = 7.333722029:
        // p_x = 0.98·exp(−7.333722029/500) = 0.965730807, p_y = exp(−7.333722029/1000) = 0.992693104.
        let sys = two_banks();
        let out = fire_sale(&sys, &FireSaleOptions { shock: vec![-0.02, 0.0], max_rounds: 500, tol: 1e-12 })
            .unwrap();
        let r0 = &out.rounds[0];
        assert!((r0.equity[0] - 9.0).abs() < 1e-12 && (r0.equity[1] - 20.0).abs() < 1e-12);
        let r1 = &out.rounds[1];
        assert!((r1.sold[0] - 50.0 / 11.0).abs() < 1e-12 && (r1.sold[1] - 50.0 / 11.0).abs() < 1e-12);
        assert!((r1.prices[0] - 0.98 * (-1.0f64 / 110.0).exp()).abs() < 1e-12);
        assert!((r1.prices[1] - (-1.0f64 / 220.0).exp()).abs() < 1e-12);
        assert!((r1.equity[0] - 8.390733769).abs() < 1e-8, "{r1:?}");
        assert!((r1.equity[1] - 19.546486040).abs() < 1e-8);
        let r2 = &out.rounds[2];
        assert!((r2.sold[0] - 2.788267483).abs() < 1e-8, "{r2:?}");
        assert!((r2.prices[0] - 0.965730807).abs() < 1e-8);
        assert!((r2.prices[1] - 0.992693104).abs() < 1e-8);
        // Fixed point: A sits at its limit, B never sold, prices follow cumulative sales.
        assert!(out.converged);
        let last = out.rounds.last().unwrap();
        assert!(last.leverage[0] <= 10.0 + 1e-6 && last.leverage[0] > 9.99, "{last:?}");
        assert_eq!(out.final_holdings[1], vec![0.0, 100.0]);
        assert!((out.final_prices[0] - 0.98 * (-out.total_sold[0] / 500.0).exp()).abs() < 1e-12);
        assert!(out.defaulted.iter().all(|d| !d));
        assert!(out.indirect_loss > 0.0);
    }

    #[test]
    fn defaulted_institution_sells_everything_once() {
        // A shock of −25% on x wipes out A (E = 10 − 12.5 < 0): it sells all 50 + 50 units in
        // round 1 and nothing after.
        let sys = two_banks();
        let out = fire_sale(&sys, &FireSaleOptions { shock: vec![-0.25, 0.0], max_rounds: 100, tol: 1e-12 })
            .unwrap();
        assert_eq!(out.rounds[1].sold, vec![50.0, 50.0]);
        assert!(out.defaulted[0]);
        assert_eq!(out.final_holdings[0], vec![0.0, 0.0]);
    }

    #[test]
    fn rejects_bad_systems() {
        let mut s = two_banks();
        s.holdings[1] = vec![1.0];
        assert!(matches!(s.validate(), Err(NetworkError::Ragged { row: 1, .. })));
        let mut s = two_banks();
        s.holdings[0][1] = f64::NAN;
        assert!(matches!(s.validate(), Err(NetworkError::NotFinite { row: 0, col: 1, .. })));
        let mut s = two_banks();
        s.depth[0] = -1.0;
        assert!(matches!(s.validate(), Err(NetworkError::Negative { .. })));
    }
}
