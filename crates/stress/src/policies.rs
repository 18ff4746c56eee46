//! Mitigation policies compared on common random numbers (`liqcascade policies`).
//!
//! Every policy runs on the same Monte Carlo paths as the baseline: path `p` is drawn once (its
//! own RNG stream, [`crate::montecarlo::draw_path`]) and fed to the baseline and every policy's
//! model, so the difference a policy makes on a path is the policy's and not the draw's. Each
//! path's runs are reduced to a [`PolicyRow`]; [`compare`] turns the rows into per-policy means
//! and ES99 with **paired** 95% intervals of their difference from the baseline (a Student-t
//! interval of the mean of the per-path differences; a paired percentile bootstrap of the ES
//! difference, `crate::interval::paired_es_interval`). Pairing removes the variance the runs
//! share, which is most of it: the interval of a difference is then far narrower than the two
//! unpaired intervals side by side.
//!
//! Cost: a path is drawn once and runs once per model with liquidation impact (no no-impact
//! counterfactual: the generation split is not what a policy comparison asks), so P policies and
//! the baseline cost P + 1 cascade runs a path, against 2P for P `stress` runs.

use crate::error::StressError;
use crate::interval::{paired_es_interval, paired_mean_interval, Interval};
use crate::montecarlo::{draw_path, MonteCarloConfig};
use liq_engine::{Cascade, EngineModel, ExoPath, Labels, Outcome, RunOptions};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The figures compared, in [`PolicyRow::get`] order.
pub const METRICS: [&str; 6] =
    ["liquidated_usd", "overshoot", "fund_drawdown_usd", "adl_usd", "adl_overshoot_usd", "bad_debt_usd"];

/// The tail level of the ES column.
pub const ALPHA: f64 = 0.99;

/// One path's figures under one policy (higher = worse for each).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub liquidated_usd: f64,
    /// The largest move any market's mark made beyond the path's own range (fraction; the trough
    /// below the path's lowest level or the peak above its highest, whichever is larger).
    pub overshoot: f64,
    /// Insurance fund start − its minimum over the path.
    pub fund_drawdown_usd: f64,
    pub adl_usd: f64,
    pub adl_overshoot_usd: f64,
    pub bad_debt_usd: f64,
}

impl PolicyRow {
    /// Reduces a run on `path` to a row.
    pub fn of(path: &ExoPath, o: &Outcome) -> PolicyRow {
        let mut overshoot = f64::NEG_INFINITY;
        for (k, m) in o.markets.iter().enumerate() {
            let (mut lo, mut hi) = (1.0f64, 1.0f64);
            for t in 0..path.n_steps() {
                lo = lo.min(path.level(t, k));
                hi = hi.max(path.level(t, k));
            }
            let below = lo - m.mark_trough / m.mark_start;
            let above = m.mark_peak / m.mark_start - hi;
            overshoot = overshoot.max(below.max(above));
        }
        PolicyRow {
            liquidated_usd: o.liquidated_notional_usd(),
            overshoot: if overshoot.is_finite() { overshoot } else { 0.0 },
            fund_drawdown_usd: o.insurance_fund_start_usd - o.insurance_fund_min_usd,
            adl_usd: o.adl_notional_usd,
            adl_overshoot_usd: o.adl_overshoot_usd,
            bad_debt_usd: o.bad_debt_usd,
        }
    }

    /// Figure `i` of [`METRICS`].
    pub fn get(&self, i: usize) -> f64 {
        match i {
            0 => self.liquidated_usd,
            1 => self.overshoot,
            2 => self.fund_drawdown_usd,
            3 => self.adl_usd,
            4 => self.adl_overshoot_usd,
            _ => self.bad_debt_usd,
        }
    }
}

/// Runs paths `range` under every model (`models[0]` the baseline): `rows[m][p − range.start]`.
/// The models must share their markets (one scenario, different policies).
pub fn run_policy_paths(
    models: &[EngineModel],
    cfg: &MonteCarloConfig,
    range: Range<u64>,
    throughput_per_step: Option<u32>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Vec<PolicyRow>>, StressError> {
    let Some(base) = models.first() else { return Ok(Vec::new()) };
    let n_m = base.n_markets();
    if let Some(m) = models.iter().find(|m| m.n_markets() != n_m) {
        return Err(StressError::config(
            "policy",
            format!("a policy's model has {} markets, the baseline {n_m}", m.n_markets()),
        ));
    }
    let factor = crate::run::checked_factor(cfg, n_m)?;
    let step_vol = cfg.step_vol();
    let opts = RunOptions { with_impact: true, keep_events: false, keep_paths: false, throughput_per_step };
    let n = range.end.saturating_sub(range.start);
    let chunks = crate::run::path_chunks(range.clone());
    // Per chunk: rows[p][m]; transposed below.
    let per_chunk: Vec<Vec<Vec<PolicyRow>>> = chunks
        .into_par_iter()
        .map_init(
            || {
                (
                    models.iter().map(Cascade::new).collect::<Vec<_>>(),
                    ExoPath { n_markets: n_m, dt_s: cfg.dt_s(), levels: Vec::new() },
                )
            },
            |(cascades, path), r| {
                let len = r.end - r.start;
                let out = r
                    .map(|p| {
                        draw_path(cfg, &factor, &step_vol, p, path);
                        models
                            .iter()
                            .zip(cascades.iter_mut())
                            .map(|(model, c)| {
                                let (o, _) = c.simulate(model, path, &opts, Labels::AllFirstOrder);
                                PolicyRow::of(path, &o)
                            })
                            .collect()
                    })
                    .collect();
                progress(len);
                out
            },
        )
        .collect();
    let mut rows = vec![Vec::with_capacity(n as usize); models.len()];
    for path_rows in per_chunk.into_iter().flatten() {
        for (m, row) in path_rows.into_iter().enumerate() {
            rows[m].push(row);
        }
    }
    Ok(rows)
}

/// One figure under one policy, with its paired difference from the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricComparison {
    pub metric: String,
    pub mean: f64,
    pub es99: f64,
    /// Mean over paths of (policy − baseline), and its paired 95% interval.
    pub mean_diff: f64,
    pub mean_diff_interval: Interval,
    /// ES99 of the policy − ES99 of the baseline, and its paired bootstrap 95% interval.
    pub es99_diff: f64,
    pub es99_diff_interval: Interval,
}

/// One policy's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyComparison {
    pub policy: String,
    pub metrics: Vec<MetricComparison>,
}

/// Per policy (`names[0]` the baseline) and figure: mean, ES99 and the paired intervals of their
/// differences from the baseline. `seed` seeds the bootstraps (one stream per policy and figure).
pub fn compare(names: &[String], rows: &[Vec<PolicyRow>], seed: u64) -> Vec<PolicyComparison> {
    let Some(base) = rows.first() else { return Vec::new() };
    let column = |r: &[PolicyRow], i: usize| r.iter().map(|x| x.get(i)).collect::<Vec<f64>>();
    let es = |v: &[f64]| crate::risk::var_es(v, ALPHA).es;
    names
        .iter()
        .zip(rows)
        .enumerate()
        .map(|(pi, (name, r))| PolicyComparison {
            policy: name.clone(),
            metrics: (0..METRICS.len())
                .map(|i| {
                    let (a, b) = (column(r, i), column(base, i));
                    let mean = mean(&a);
                    let id = 10_000 + (pi * METRICS.len() + i) as u64;
                    MetricComparison {
                        metric: METRICS[i].to_string(),
                        mean,
                        es99: es(&a),
                        mean_diff: mean - self::mean(&b),
                        mean_diff_interval: paired_mean_interval(&a, &b),
                        es99_diff: es(&a) - es(&b),
                        es99_diff_interval: paired_es_interval(&a, &b, ALPHA, seed, id, |x, y| x - y),
                    }
                })
                .collect(),
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}
