//! Monte Carlo stress runs: each path goes through the time-stepped cascade twice (without and
//! with liquidation impact) and is reduced to one [`PathRow`]; [`summarise`](crate::summary::summarise) turns the rows into
//! the side-by-side risk measures.
//!
//! Paths are processed in parallel (rayon) in chunks; a chunk takes a [`Cascade`] from a pool
//! (crate::pool) so the per-run workspace is built once per thread and reused; each path draws from its own RNG stream and results are gathered by
//! path index, so the output is identical for any thread count and any shard split.

use crate::error::StressError;
use crate::montecarlo::{draw_path, CorrelationFactor, MonteCarloConfig};
use liq_engine::{Cascade, EngineModel, ExoPath, Outcome, RunOptions};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The portfolio whose loss the risk measures are about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Portfolio {
    /// All accounts of the scenario together (default).
    Aggregate,
    /// The venue's insurance fund.
    InsuranceFund,
    /// A user's own positions: `(market index, signed base quantity)`.
    Positions { name: String, positions: Vec<(usize, f64)> },
}

impl Portfolio {
    pub fn label(&self) -> String {
        match self {
            Portfolio::Aggregate => "aggregate book (all accounts)".into(),
            Portfolio::InsuranceFund => "insurance fund".into(),
            Portfolio::Positions { name, .. } => name.clone(),
        }
    }

    /// Dollar deltas per market at the starting marks.
    pub fn deltas_usd(&self, model: &EngineModel) -> Vec<f64> {
        let mut d = vec![0.0; model.n_markets()];
        match self {
            Portfolio::Aggregate => {
                for p in model.positions() {
                    d[p.market] += p.qty * model.mark0[p.market];
                }
                for a in 0..model.n_accounts() as u32 {
                    for (asset, qty) in model.account_collateral(a) {
                        if let Some(k) = model.asset_market(asset) {
                            d[k] += qty * model.mark0[k];
                        }
                    }
                }
            }
            Portfolio::InsuranceFund => {}
            Portfolio::Positions { positions, .. } => {
                for &(k, q) in positions {
                    d[k] += q * model.mark0[k];
                }
            }
        }
        d
    }

    /// The portfolio's loss (USD, positive = loss) over a run.
    pub fn loss(&self, model: &EngineModel, o: &Outcome) -> f64 {
        match self {
            Portfolio::Aggregate => -o.accounts_equity_change_usd,
            Portfolio::InsuranceFund => o.insurance_fund_start_usd - o.insurance_fund_end_usd,
            Portfolio::Positions { positions, .. } => {
                positions.iter().map(|&(k, q)| -q * (o.markets[k].mark_end - model.mark0[k])).sum()
            }
        }
    }
}

/// One path's results: `_nf` without feedback (liquidations move no price), `_c` with the
/// cascade. Prices are relative moves from the start (−0.12 = −12%).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathRow {
    pub path: u64,
    pub loss_nf: f64,
    pub loss_c: f64,
    pub liquidated_nf: f64,
    pub liquidated_c: f64,
    /// Cascade run: notional of units also liquidated on the exogenous path alone.
    pub first_order_c: f64,
    pub second_order_c: f64,
    /// liquidated_c / first_order_c (1 when nothing is liquidated).
    pub amplification: f64,
    pub bad_debt_nf: f64,
    pub bad_debt_c: f64,
    /// Insurance fund start − minimum over the path.
    pub fund_drawdown_nf: f64,
    pub fund_drawdown_c: f64,
    pub adl_nf: f64,
    pub adl_c: f64,
    pub accounts_nf: u64,
    pub accounts_c: u64,
    /// Per market: lowest mark relative to the start.
    pub trough_nf: Vec<f64>,
    pub trough_c: Vec<f64>,
    /// Per market: final mark relative to the start.
    pub end_nf: Vec<f64>,
    pub end_c: Vec<f64>,
}

impl PathRow {
    /// Reduces a path's two runs to a row.
    pub fn from_runs(
        path: u64,
        model: &EngineModel,
        portfolio: &Portfolio,
        nf: &Outcome,
        c: &Outcome,
    ) -> PathRow {
        let liq_c = c.liquidated_notional_usd();
        let first = c.first_generation_notional_usd();
        let rel = |o: &Outcome, f: fn(&liq_engine::MarketOutcome) -> f64| -> Vec<f64> {
            o.markets.iter().map(|m| f(m) / m.mark_start - 1.0).collect()
        };
        PathRow {
            path,
            loss_nf: portfolio.loss(model, nf),
            loss_c: portfolio.loss(model, c),
            liquidated_nf: nf.liquidated_notional_usd(),
            liquidated_c: liq_c,
            first_order_c: first,
            second_order_c: liq_c - first,
            amplification: if first > 0.0 {
                liq_c / first
            } else if liq_c > 0.0 {
                f64::INFINITY
            } else {
                1.0
            },
            bad_debt_nf: nf.bad_debt_usd,
            bad_debt_c: c.bad_debt_usd,
            fund_drawdown_nf: nf.insurance_fund_start_usd - nf.insurance_fund_min_usd,
            fund_drawdown_c: c.insurance_fund_start_usd - c.insurance_fund_min_usd,
            adl_nf: nf.adl_notional_usd,
            adl_c: c.adl_notional_usd,
            accounts_nf: nf.accounts_liquidated,
            accounts_c: c.accounts_liquidated,
            trough_nf: rel(nf, |m| m.mark_trough),
            trough_c: rel(c, |m| m.mark_trough),
            end_nf: rel(nf, |m| m.mark_end),
            end_c: rel(c, |m| m.mark_end),
        }
    }
}

/// The Monte Carlo settings checked against the model's `n_markets`, and the factor of their
/// correlation matrix (shared by `stress`, `policies` and `stress --hedge`).
pub(crate) fn checked_factor(
    cfg: &MonteCarloConfig,
    n_markets: usize,
) -> Result<CorrelationFactor, StressError> {
    cfg.validate(n_markets)?;
    if cfg.correlation.len() != n_markets {
        return Err(StressError::config(
            "correlation",
            format!("{}×{} matrix for {n_markets} markets", cfg.correlation.len(), cfg.correlation.len()),
        ));
    }
    CorrelationFactor::new(&cfg.correlation)
}

/// `range` cut into the chunks the runners hand to rayon: enough to balance two to a few dozen
/// threads, few enough that the per-chunk workspace copy is amortised over many paths. Each
/// path is seeded by its index, so the cut changes no result.
pub(crate) fn path_chunks(range: Range<u64>) -> Vec<Range<u64>> {
    let n = range.end.saturating_sub(range.start);
    let threads = rayon::current_num_threads() as u64;
    let chunk = (n / (threads * 8)).clamp(1, 256);
    (0..n.div_ceil(chunk))
        .map(|i| range.start + i * chunk..(range.start + (i + 1) * chunk).min(range.end))
        .collect()
}

/// Runs paths `range` of a Monte Carlo configuration. `progress` is called with the number of
/// paths finished in each chunk (from worker threads).
pub fn run_paths(
    model: &EngineModel,
    cfg: &MonteCarloConfig,
    portfolio: &Portfolio,
    range: Range<u64>,
    throughput_per_step: Option<u32>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<PathRow>, StressError> {
    let factor = checked_factor(cfg, model.n_markets())?;
    let step_vol = cfg.step_vol();
    let opts = RunOptions { with_impact: true, keep_events: false, keep_paths: false, throughput_per_step };
    let chunks = path_chunks(range);
    let pool = crate::pool::Pool::new();
    let rows: Vec<Vec<PathRow>> = chunks
        .into_par_iter()
        .map(|r| {
            let len = r.end - r.start;
            let out: Vec<PathRow> = pool.with(
                || {
                    (
                        Cascade::new(model),
                        ExoPath { n_markets: model.n_markets(), dt_s: cfg.dt_s(), levels: Vec::new() },
                    )
                },
                |(cascade, path)| {
                    r.map(|p| {
                        draw_path(cfg, &factor, &step_vol, p, path);
                        let rep = cascade.report_path(model, path, &opts);
                        PathRow::from_runs(p, model, portfolio, &rep.counterfactual, &rep.outcome)
                    })
                    .collect()
                },
            );
            progress(len);
            out
        })
        .collect();
    Ok(rows.into_iter().flatten().collect())
}
