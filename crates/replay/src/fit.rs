//! Population fit: the venue's account book is unknown, so the population's leverage median is
//! chosen from a grid by how well the simulated liquidation wave matches the recorded one.
//!
//! Method: for each leverage median `g` of the grid, the population is regenerated with
//! [`liq_io::population::generate_population`] from the caller's [`PopulationSpec`] with
//! `leverage.median = g` (every other field, and the seed, unchanged) on the scenario's markets
//! rebased to the window's first prices (so the generated entries and margins sit at the
//! window's prices). The replay runs, and the grid point with the smallest `share_rmse` of the
//! all-symbol per-minute notional (the scale-free shape error, see [`crate::metrics`]) wins;
//! ties keep the first. The level is not fitted: the population is a slice of the venue whose
//! size is a separate assumption, and the record is a lower bound (one forceOrder event per
//! symbol per second), so `log_ratio_totals` is reported, not minimised. Grid points with no
//! simulated liquidation score +∞.

use crate::error::ReplayError;
use crate::run::{rebase, simulate, ReplayData, ReplayReport};
use liq_domain::Scenario;
use liq_io::population::{generate_population, PopulationSpec};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Default grid of leverage medians (×).
pub const DEFAULT_LEVERAGE_GRID: [f64; 5] = [5.0, 8.0, 12.0, 18.0, 25.0];

/// One grid point's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridPoint {
    pub leverage_median: f64,
    pub sim_total_usd: f64,
    pub sim_count: u64,
    pub correlation: Option<f64>,
    pub share_rmse: Option<f64>,
    pub log_ratio_totals: Option<f64>,
    pub lag_minutes: Option<i64>,
}

/// The scanned grid and the chosen point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    pub parameter: String,
    pub objective: String,
    pub accounts: u32,
    pub grid: Vec<GridPoint>,
    pub best_leverage_median: f64,
}

/// Scans `grid` (leverage medians) on loaded data; returns the best grid point's report with
/// [`ReplayReport::fit`] filled in.
pub fn fit_leverage(
    scenario: &Scenario,
    spec: &PopulationSpec,
    data: &ReplayData,
    grid: &[f64],
) -> Result<ReplayReport, ReplayError> {
    if grid.is_empty() || grid.iter().any(|g| !(g.is_finite() && *g >= 1.0)) {
        return Err(ReplayError::config("grid", format!("leverage medians must be ≥ 1, got {grid:?}")));
    }
    let mut base = scenario.clone();
    base.accounts.clear();
    let base = rebase(&base, &data.first_prices);
    let mut points = Vec::with_capacity(grid.len());
    let mut best: Option<(f64, ReplayReport)> = None;
    for &g in grid {
        let mut spec = spec.clone();
        spec.leverage.median = g;
        let mut s = base.clone();
        s.accounts = generate_population(&spec, &s.markets, &s.assets, s.seed)?;
        let r = simulate(&s, data)?;
        let c = &r.total.comparison;
        points.push(GridPoint {
            leverage_median: g,
            sim_total_usd: c.sim_total_usd,
            sim_count: c.sim_count,
            correlation: c.correlation,
            share_rmse: c.share_rmse,
            log_ratio_totals: c.log_ratio_totals,
            lag_minutes: c.lag_minutes,
        });
        let score = c.share_rmse.unwrap_or(f64::INFINITY);
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, r));
        }
    }
    let Some((_, mut report)) = best else {
        return Err(ReplayError::config("grid", "empty"));
    };
    let best_leverage_median = points
        .iter()
        .min_by(|a, b| {
            let f = |p: &GridPoint| p.share_rmse.unwrap_or(f64::INFINITY);
            f(a).total_cmp(&f(b))
        })
        .map_or(grid[0], |p| p.leverage_median);
    report.fit = Some(FitReport {
        parameter: "population.leverage.median".into(),
        objective: "min share_rmse of all-symbol per-minute notional".into(),
        accounts: spec.accounts,
        grid: points,
        best_leverage_median,
    });
    Ok(report)
}

/// [`ReplayData::load`] then [`fit_leverage`].
#[allow(clippy::too_many_arguments)]
pub fn replay_fit(
    scenario: &Scenario,
    spec: &PopulationSpec,
    trades: &Path,
    force_orders: &Path,
    window: (i64, i64),
    step_s: f64,
    grid: &[f64],
) -> Result<ReplayReport, ReplayError> {
    let data = ReplayData::load(scenario, trades, force_orders, window, step_s)?;
    fit_leverage(scenario, spec, &data, grid)
}
