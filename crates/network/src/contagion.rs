//! The contagion matrix: how much liquidation in each market a small shock in one market causes,
//! measured with the cascade engine by finite differences, and its spectral radius.
//!
//! **Method.** For a shock level `h` (relative move, default −2%; the stress path uses −1%, −2%,
//! −5%), market `i` alone is moved by `h` and the engine runs the full cascade with price impact.
//! Against a baseline run with no shock (one-sided difference, so anything the population would
//! liquidate at unchanged prices cancels), per market `j`:
//! - `ΔL_j` = change of total liquidated notional in `j` over the whole cascade;
//! - `ΔD_i` = change of generation-0 liquidated notional in the shocked market `i`: what the
//!   shock liquidates directly, at unchanged depth, before any liquidation order moves a price.
//!
//! **Normalisation: per USD of shock-induced liquidation.**
//! `C[i][j] = (ΔL_j − [i = j]·ΔD_i) / ΔD_i` — USD liquidated in `j` by everything that follows
//! (own-market feedback on the diagonal; cross-impact, cross-margin wallets and volatile
//! collateral off it) per USD the shock liquidated directly in `i`. Normalising by open interest
//! would make C a sensitivity to a price move, whose eigenvalue has units (USD per unit of
//! relative move) and no threshold; normalising by the direct liquidation makes C dimensionless
//! and a liquidation-to-liquidation map, so its spectral radius has the threshold the analysis
//! needs: **ρ(C) > 1 ⇔ there is a mix of markets in which one USD of liquidation induces more
//! than one USD of further liquidation around the loop** — the feedback outweighs the shock
//! (for one market, amplification total/direct > 2). The left Perron vector `x C = ρ x` says
//! which markets carry that self-amplifying mode (where its liquidation lands); the right one
//! which markets start it.
//!
//! Rows whose market liquidates nothing directly at this level (`ΔD_i = 0`) carry no
//! information and are zero (`row_defined = false`). Negative differences (a shock that happens
//! to liquidate less elsewhere, e.g. shorts relieved by cross-impact) are clamped to zero so the
//! matrix stays non-negative and Perron–Frobenius applies; the raw differences are kept.
//!
//! The per-round **branching matrix** `B[i][j] = ΔG1_j / ΔD_i` (generation-1 liquidation per USD
//! of generation 0) is reported beside it: ρ(B) > 1 means each round liquidates more than the
//! last (a supercritical branching process); if the rounds were linear and alike, C = (I − B)⁻¹ − I.

use crate::error::NetworkError;
use crate::matrix::perron;
use liq_engine::{Cascade, EngineModel, ExoPath, Outcome, RunOptions};
use serde::Serialize;

/// The contagion matrix at one shock level.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ContagionMatrix {
    /// Relative move applied to one market at a time.
    pub shock: f64,
    pub markets: Vec<String>,
    /// `ΔD_i`: generation-0 liquidation in market i when i is shocked, USD.
    #[serde(with = "liq_domain::serde_num::vec_finite_or_str")]
    pub direct_usd: Vec<f64>,
    /// `ΔL_j` per shocked market i: `response_usd[i][j]`, USD (raw, may be negative).
    #[serde(with = "liq_domain::serde_num::matrix_finite_or_str")]
    pub response_usd: Vec<Vec<f64>>,
    /// C (see the module doc).
    #[serde(with = "liq_domain::serde_num::matrix_finite_or_str")]
    pub matrix: Vec<Vec<f64>>,
    pub row_defined: Vec<bool>,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub spectral_radius: f64,
    /// Left Perron vector of C, summing to 1: where the self-amplifying mode's liquidation lands.
    #[serde(with = "liq_domain::serde_num::vec_finite_or_str")]
    pub leading_eigenvector: Vec<f64>,
    /// Right Perron vector of C, summing to 1: which markets start it.
    #[serde(with = "liq_domain::serde_num::vec_finite_or_str")]
    pub source_eigenvector: Vec<f64>,
    /// ρ(C) > 1.
    pub self_amplifying: bool,
    /// B (see the module doc).
    #[serde(with = "liq_domain::serde_num::matrix_finite_or_str")]
    pub branching: Vec<Vec<f64>>,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub branching_spectral_radius: f64,
}

/// Runs the engine on instant shocks of the model without mutating it.
pub struct ShockRunner {
    cascade: Cascade,
    dt_s: f64,
    opts: RunOptions,
}

impl ShockRunner {
    /// One runner per thread. Runs the model's own shock once without impact to learn the
    /// round duration the engine uses (it is not exposed otherwise).
    pub fn new(model: &EngineModel) -> ShockRunner {
        let mut cascade = Cascade::new(model);
        let dt_s = cascade.run(model, false).step_s;
        let opts = RunOptions {
            with_impact: true,
            keep_events: false,
            keep_paths: false,
            throughput_per_step: None,
        };
        ShockRunner { cascade, dt_s, opts }
    }

    /// The cascade (with impact) after the instant relative moves `shock`, one per market.
    pub fn run(&mut self, model: &EngineModel, shock: &[f64]) -> Outcome {
        let path = ExoPath::instant(shock, self.dt_s);
        self.cascade.simulate(model, &path, &self.opts, liq_engine::Labels::Rounds).0
    }
}

fn gen(o: &Outcome, k: usize, g: usize) -> f64 {
    o.markets[k].notional_by_generation.get(g).copied().unwrap_or(0.0)
}

/// The contagion matrix at one shock level.
pub fn contagion_matrix(model: &EngineModel, shock: f64) -> Result<ContagionMatrix, NetworkError> {
    let mut runner = ShockRunner::new(model);
    let n = model.n_markets();
    let base = runner.run(model, &vec![0.0; n]);
    contagion_with(model, &mut runner, &base, shock)
}

/// The contagion matrix recomputed at each level of a stress path (e.g. −1%, −2%, −5%): how the
/// contagion structure changes as the market falls further.
pub fn contagion_along_path(
    model: &EngineModel,
    levels: &[f64],
) -> Result<Vec<ContagionMatrix>, NetworkError> {
    let mut runner = ShockRunner::new(model);
    let base = runner.run(model, &vec![0.0; model.n_markets()]);
    levels.iter().map(|&h| contagion_with(model, &mut runner, &base, h)).collect()
}

pub(crate) fn contagion_with(
    model: &EngineModel,
    runner: &mut ShockRunner,
    base: &Outcome,
    shock: f64,
) -> Result<ContagionMatrix, NetworkError> {
    if !(shock.is_finite() && shock > -1.0 && shock != 0.0) {
        return Err(NetworkError::invalid(
            "contagion shock",
            format!("must be finite, non-zero and > −1, got {shock}"),
        ));
    }
    let n = model.n_markets();
    let mut direct = vec![0.0; n];
    let mut response = vec![vec![0.0; n]; n];
    let mut matrix = vec![vec![0.0; n]; n];
    let mut branching = vec![vec![0.0; n]; n];
    let mut row_defined = vec![false; n];
    let mut moves = vec![0.0; n];
    for i in 0..n {
        moves.iter_mut().for_each(|m| *m = 0.0);
        moves[i] = shock;
        let out = runner.run(model, &moves);
        let d = gen(&out, i, 0) - gen(base, i, 0);
        direct[i] = d;
        for (r, (o, b)) in response[i].iter_mut().zip(out.markets.iter().zip(&base.markets)) {
            *r = o.liquidated_notional_usd - b.liquidated_notional_usd;
        }
        // Below a cent of direct liquidation the ratio is noise, not contagion.
        if d > 0.01 {
            row_defined[i] = true;
            for j in 0..n {
                let induced = response[i][j] - if i == j { d } else { 0.0 };
                matrix[i][j] = (induced / d).max(0.0);
                branching[i][j] = ((gen(&out, j, 1) - gen(base, j, 1)) / d).max(0.0);
            }
        }
    }
    let p = perron(&matrix, 1e-12, 100_000)?;
    let pb = perron(&branching, 1e-12, 100_000)?;
    Ok(ContagionMatrix {
        shock,
        markets: model.markets.iter().map(|m| m.symbol.clone()).collect(),
        direct_usd: direct,
        response_usd: response,
        matrix,
        row_defined,
        spectral_radius: p.spectral_radius,
        self_amplifying: p.spectral_radius > 1.0,
        leading_eigenvector: p.left,
        source_eigenvector: p.right,
        branching,
        branching_spectral_radius: pb.spectral_radius,
    })
}
