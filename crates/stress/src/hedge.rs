//! The desk's dynamic delta hedge of its own book on the Monte Carlo paths (`stress --portfolio
//! FILE --hedge delta:INTERVAL[,band=X%][,ratio=R]`), compared with the unhedged book on the
//! same paths.
//!
//! Path `p` is drawn once (its own RNG stream) and run through the cascade as `stress` always
//! runs it (the unhedged loss is the `loss_c` of its [`PathRow`], the number `stress` prints
//! without `--hedge`), then once more with the desk's hedge as a flow of the cascade
//! (`liq_engine::flows::desk_hedge`): the hedge's orders walk the same books as the liquidations
//! and their impact feeds the cascade, so the hedged loss is the book's loss on the hedged run's
//! marks minus the hedge's P&L (impact and taker fees included). Both losses of a path share its
//! draw (common random numbers), so their difference is measured with **paired** intervals: a
//! Student-t interval of the mean difference and paired bootstraps of the VaR and ES differences
//! ([`crate::interval`]).
//!
//! Cost: three cascade runs a path against `stress`'s two (the hedged run has no no-impact
//! counterfactual: the generation split is the unhedged run's).

use crate::error::StressError;
use crate::interval::{paired_es_interval, paired_mean_interval, paired_var_interval, Interval};
use crate::montecarlo::{draw_path, MonteCarloConfig};
use crate::run::{PathRow, Portfolio};
use liq_engine::{Cascade, DeskHedgeSpec, EngineModel, ExoPath, Labels, RunOptions};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The tail level of the VaR/ES figures compared.
pub const ALPHA: f64 = 0.99;

/// The `--hedge` settings (the desk's positions come from the portfolio).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HedgeSettings {
    pub interval_s: f64,
    /// Fraction of the portfolio's delta.
    pub band: f64,
    pub ratio: f64,
}

impl HedgeSettings {
    /// The engine's hedge of `portfolio` (its own positions only: the aggregate book and the
    /// insurance fund are not a desk's book to hedge).
    pub fn spec(&self, portfolio: &Portfolio, n_markets: usize) -> Result<DeskHedgeSpec, StressError> {
        let Portfolio::Positions { positions, .. } = portfolio else {
            return Err(StressError::config(
                "hedge",
                format!(
                    "needs --portfolio FILE (a desk's own positions); the {} has no desk delta to hedge",
                    portfolio.label()
                ),
            ));
        };
        let mut q = vec![0.0; n_markets];
        for &(k, size) in positions {
            q[k] += size;
        }
        Ok(DeskHedgeSpec { positions: q, interval_s: self.interval_s, band: self.band, ratio: self.ratio })
    }
}

/// One path's hedged and unhedged figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HedgeRow {
    pub path: u64,
    /// The book's loss with the cascade, unhedged (`PathRow::loss_c`), USD.
    pub loss_unhedged: f64,
    /// The book's loss on the hedged run's marks minus the hedge's P&L, USD.
    pub loss_hedged: f64,
    /// Impact + fees the hedge paid, USD.
    pub hedge_cost_usd: f64,
    pub impact_usd: f64,
    pub fees_usd: f64,
    pub traded_usd: f64,
    pub rebalances: u64,
    /// Liquidated notional of the hedged run (the unhedged one is `PathRow::liquidated_c`).
    pub liquidated_hedged_usd: f64,
}

/// Runs paths `range` unhedged (as `run_paths`) and hedged. `hedged` is `model` with the desk's
/// hedge (`EngineModel::with_desk_hedge`).
#[allow(clippy::too_many_arguments)]
pub fn run_hedged_paths(
    model: &EngineModel,
    hedged: &EngineModel,
    cfg: &MonteCarloConfig,
    portfolio: &Portfolio,
    range: Range<u64>,
    throughput_per_step: Option<u32>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<PathRow>, Vec<HedgeRow>), StressError> {
    let n_m = model.n_markets();
    if hedged.n_markets() != n_m {
        return Err(StressError::config("hedge", "the hedged model has other markets"));
    }
    let factor = crate::run::checked_factor(cfg, n_m)?;
    let step_vol = cfg.step_vol();
    let opts = RunOptions { with_impact: true, keep_events: false, keep_paths: false, throughput_per_step };
    let chunks = crate::run::path_chunks(range);
    let per_chunk: Vec<Vec<(PathRow, HedgeRow)>> = chunks
        .into_par_iter()
        .map_init(
            || {
                (
                    Cascade::new(model),
                    Cascade::new(hedged),
                    ExoPath { n_markets: n_m, dt_s: cfg.dt_s(), levels: Vec::new() },
                )
            },
            |(plain, with_hedge, path), r| {
                let len = r.end - r.start;
                let out = r
                    .map(|p| {
                        draw_path(cfg, &factor, &step_vol, p, path);
                        let rep = plain.report_path(model, path, &opts);
                        let row = PathRow::from_runs(p, model, portfolio, &rep.counterfactual, &rep.outcome);
                        let (o, _) = with_hedge.simulate(hedged, path, &opts, Labels::AllFirstOrder);
                        let d = o.desk_hedge.clone().unwrap_or_default();
                        let h = HedgeRow {
                            path: p,
                            loss_unhedged: row.loss_c,
                            loss_hedged: portfolio.loss(model, &o) - d.pnl_usd,
                            hedge_cost_usd: d.impact_usd + d.fees_usd,
                            impact_usd: d.impact_usd,
                            fees_usd: d.fees_usd,
                            traded_usd: d.traded_usd,
                            rebalances: d.rebalances,
                            liquidated_hedged_usd: o.liquidated_notional_usd(),
                        };
                        (row, h)
                    })
                    .collect();
                progress(len);
                out
            },
        )
        .collect();
    Ok(per_chunk.into_iter().flatten().unzip())
}

/// One loss figure hedged and unhedged, with the paired interval of hedged − unhedged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedFigure {
    pub unhedged: f64,
    pub hedged: f64,
    pub diff: f64,
    pub diff_interval: Interval,
}

/// The hedge's summary over the paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HedgeSummary {
    pub settings: HedgeSettings,
    pub paths: u64,
    pub mean_loss: PairedFigure,
    pub var99: PairedFigure,
    pub es99: PairedFigure,
    /// Means over paths.
    pub mean_hedge_cost_usd: f64,
    pub mean_impact_usd: f64,
    pub mean_fees_usd: f64,
    pub mean_traded_usd: f64,
    pub mean_rebalances: f64,
    pub max_rebalances: u64,
    /// Mean liquidated notional unhedged and hedged, with the paired interval of the difference:
    /// what the desk's own orders add to the cascade.
    pub liquidated: PairedFigure,
}

/// Summarises the rows (`rows_c` the unhedged runs' rows, for their liquidated notional);
/// `seed` seeds the bootstraps.
pub fn summarise_hedge(
    settings: HedgeSettings,
    rows_c: &[PathRow],
    rows: &[HedgeRow],
    seed: u64,
) -> HedgeSummary {
    let un: Vec<f64> = rows.iter().map(|r| r.loss_unhedged).collect();
    let he: Vec<f64> = rows.iter().map(|r| r.loss_hedged).collect();
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let paired_mean = |a: &[f64], b: &[f64]| PairedFigure {
        unhedged: mean(b),
        hedged: mean(a),
        diff: mean(a) - mean(b),
        diff_interval: paired_mean_interval(a, b),
    };
    let (vu, vh) = (crate::risk::var_es(&un, ALPHA), crate::risk::var_es(&he, ALPHA));
    let col = |f: fn(&HedgeRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let liq_un: Vec<f64> = rows_c.iter().map(|r| r.liquidated_c).collect();
    HedgeSummary {
        settings,
        paths: rows.len() as u64,
        mean_loss: paired_mean(&he, &un),
        var99: PairedFigure {
            unhedged: vu.var,
            hedged: vh.var,
            diff: vh.var - vu.var,
            diff_interval: paired_var_interval(&he, &un, ALPHA, seed, 20_001),
        },
        es99: PairedFigure {
            unhedged: vu.es,
            hedged: vh.es,
            diff: vh.es - vu.es,
            diff_interval: paired_es_interval(&he, &un, ALPHA, seed, 20_002, |x, y| x - y),
        },
        mean_hedge_cost_usd: mean(&col(|r| r.hedge_cost_usd)),
        mean_impact_usd: mean(&col(|r| r.impact_usd)),
        mean_fees_usd: mean(&col(|r| r.fees_usd)),
        mean_traded_usd: mean(&col(|r| r.traded_usd)),
        mean_rebalances: mean(&col(|r| r.rebalances as f64)),
        max_rebalances: rows.iter().map(|r| r.rebalances).max().unwrap_or(0),
        liquidated: paired_mean(&col(|r| r.liquidated_hedged_usd), &liq_un),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: u64, un: f64, he: f64) -> HedgeRow {
        HedgeRow {
            path,
            loss_unhedged: un,
            loss_hedged: he,
            hedge_cost_usd: 10.0,
            impact_usd: 8.0,
            fees_usd: 2.0,
            traded_usd: 1000.0,
            rebalances: path,
            liquidated_hedged_usd: 0.0,
        }
    }

    #[test]
    fn paired_figures_hand_worked_on_three_paths() {
        // Hand-worked: unhedged 100, −50, 20; hedged 12, 11, 13 → differences −88, 61, −7:
        // mean −34/3 = −11.333; s_d² = ((−76.667)² + 72.333² + 4.333²)/2 = 5,564.33, s_d = 74.594;
        // t(0.975, 2) = 4.302653 → half-width 4.302653 × 74.594/√3 = 185.30.
        let rows = vec![row(0, 100.0, 12.0), row(1, -50.0, 11.0), row(2, 20.0, 13.0)];
        let s = summarise_hedge(HedgeSettings { interval_s: 30.0, band: 0.0, ratio: 1.0 }, &[], &rows, 1);
        assert!((s.mean_loss.unhedged - 70.0 / 3.0).abs() < 1e-9);
        assert!((s.mean_loss.hedged - 12.0).abs() < 1e-9);
        assert!((s.mean_loss.diff + 34.0 / 3.0).abs() < 1e-9);
        let i = s.mean_loss.diff_interval;
        assert!((i.hi - i.lo - 2.0 * 185.30).abs() < 0.1, "{i:?}");
        // VaR99 of three paths is the worst: 100 unhedged, 13 hedged.
        assert_eq!((s.var99.unhedged, s.var99.hedged, s.var99.diff), (100.0, 13.0, -87.0));
        assert_eq!((s.es99.unhedged, s.es99.hedged), (100.0, 13.0));
        assert!((s.mean_hedge_cost_usd - 10.0).abs() < 1e-12);
        assert_eq!((s.mean_rebalances, s.max_rebalances), (1.0, 2));
    }

    #[test]
    fn a_book_that_is_not_a_desks_is_refused() {
        let s = HedgeSettings { interval_s: 30.0, band: 0.0, ratio: 1.0 };
        let err = s.spec(&Portfolio::Aggregate, 1).unwrap_err().to_string();
        assert!(err.contains("--portfolio FILE"), "{err}");
        let p = Portfolio::Positions { name: "desk".into(), positions: vec![(1, -2.0)] };
        assert_eq!(s.spec(&p, 2).unwrap().positions, vec![0.0, -2.0]);
    }
}
