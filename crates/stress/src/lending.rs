//! Monte Carlo on a lending book (`venue = "aave-v3"`): the same correlated price paths as the
//! perp stress (`montecarlo::draw_path`, seeded by path index), each run through the lending
//! engine (`liq_engine::LendingModel::report_path`), and the distributions of what a risk desk
//! reads off a lending cascade: collateral seized, its second-order part (seized because the
//! liquidators' own sales moved the oracle), the protocol's deficit and the liquidators' P&L.
//!
//! Path `p` draws from its own RNG stream (`montecarlo::path_rng(seed, p)`), so the rows are the
//! same at any thread count and in any chunking (a test runs 1 and 4 threads).

use crate::montecarlo::{draw_path, CorrelationFactor, MonteCarloConfig};
use crate::StressError;
use liq_engine::{ExoPath, LendingModel};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One path of a lending stress run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LendingPathRow {
    pub path: u64,
    /// Collateral seized at the oracle of its block, USD.
    pub seized_usd: f64,
    /// Of it, seized in generations after the first (the liquidators' sales moved the oracle).
    pub second_order_usd: f64,
    /// Seized on the same path with no price impact (liquidators' sales move nothing).
    pub counterfactual_seized_usd: f64,
    pub debt_repaid_usd: f64,
    /// Debt burnt without collateral (the protocol's loss).
    pub deficit_usd: f64,
    pub liquidator_pnl_usd: f64,
    pub borrowers_liquidated: u64,
}

/// Mean and quantiles of one figure over the paths.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// The distributions of a lending stress run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LendingStressSummary {
    pub paths: u64,
    pub seized_usd: Distribution,
    pub second_order_usd: Distribution,
    pub counterfactual_seized_usd: Distribution,
    pub deficit_usd: Distribution,
    pub liquidator_pnl_usd: Distribution,
    /// Share of paths on which any borrower was liquidated.
    pub share_with_liquidations: f64,
}

/// Runs paths `range` of `cfg` on the lending book. `cfg.daily_vol` and `cfg.correlation` are
/// per reserve, in the book's reserve order.
pub fn run_lending_paths(
    model: &LendingModel,
    cfg: &MonteCarloConfig,
    range: Range<u64>,
) -> Result<Vec<LendingPathRow>, StressError> {
    let n = model.n_reserves();
    cfg.validate(n)?;
    if cfg.correlation.len() != n {
        return Err(StressError::config(
            "correlation",
            format!("{}×{} matrix for {n} reserves", cfg.correlation.len(), cfg.correlation.len()),
        ));
    }
    let factor = CorrelationFactor::new(&cfg.correlation)?;
    let step_vol = cfg.step_vol();
    let rows: Vec<LendingPathRow> = range
        .into_par_iter()
        .map_init(
            || ExoPath { n_markets: n, dt_s: cfg.dt_s(), levels: Vec::new() },
            |path, p| {
                draw_path(cfg, &factor, &step_vol, p, path);
                let r = model.report_path(path);
                let s = &r.report.summary;
                LendingPathRow {
                    path: p,
                    seized_usd: s.liquidated_notional_usd,
                    second_order_usd: s.second_order_notional_usd,
                    counterfactual_seized_usd: s.counterfactual_notional_usd,
                    debt_repaid_usd: r.lending.debt_repaid_usd,
                    deficit_usd: r.lending.deficit_usd,
                    liquidator_pnl_usd: r.lending.liquidator_pnl_usd,
                    borrowers_liquidated: s.accounts_liquidated,
                }
            },
        )
        .collect();
    Ok(rows)
}

/// Quantile `q` of sorted `v` (the nearest-rank definition: the smallest value with at least
/// `q` of the paths at or below it).
fn nearest_rank(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[k - 1]
}

fn distribution(rows: &[LendingPathRow], f: impl Fn(&LendingPathRow) -> f64) -> Distribution {
    // `+ 0.0` turns a −0.0 (a sum of nothing) into 0.0, so an empty tail prints as $0.00.
    let mut v: Vec<f64> = rows.iter().map(|r| f(r) + 0.0).collect();
    v.sort_by(f64::total_cmp);
    let mean = if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    Distribution {
        mean,
        p50: nearest_rank(&v, 0.5),
        p95: nearest_rank(&v, 0.95),
        p99: nearest_rank(&v, 0.99),
        max: v.last().copied().unwrap_or(0.0),
    }
}

/// The distributions over `rows`.
pub fn summarise_lending(rows: &[LendingPathRow]) -> LendingStressSummary {
    LendingStressSummary {
        paths: rows.len() as u64,
        seized_usd: distribution(rows, |r| r.seized_usd),
        second_order_usd: distribution(rows, |r| r.second_order_usd),
        counterfactual_seized_usd: distribution(rows, |r| r.counterfactual_seized_usd),
        deficit_usd: distribution(rows, |r| r.deficit_usd),
        liquidator_pnl_usd: distribution(rows, |r| r.liquidator_pnl_usd),
        share_with_liquidations: if rows.is_empty() {
            0.0
        } else {
            rows.iter().filter(|r| r.borrowers_liquidated > 0).count() as f64 / rows.len() as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles_hand_worked() {
        // 1..=100: p50 = 50, p95 = 95, p99 = 99 (nearest rank), mean 50.5.
        let rows: Vec<LendingPathRow> = (1..=100)
            .map(|i| LendingPathRow {
                path: i,
                seized_usd: i as f64,
                second_order_usd: 0.0,
                counterfactual_seized_usd: 0.0,
                debt_repaid_usd: 0.0,
                deficit_usd: 0.0,
                liquidator_pnl_usd: 0.0,
                borrowers_liquidated: (i > 90) as u64,
            })
            .collect();
        let s = summarise_lending(&rows);
        assert_eq!(
            (s.seized_usd.p50, s.seized_usd.p95, s.seized_usd.p99, s.seized_usd.max),
            (50.0, 95.0, 99.0, 100.0)
        );
        assert_eq!(s.seized_usd.mean, 50.5);
        assert_eq!(s.share_with_liquidations, 0.1);
    }
}
