//! Monte Carlo shock paths: correlated returns from a correlation matrix (Cholesky, or an
//! eigen-factor when the matrix is positive semi-definite but singular), Gaussian or Student-t
//! copula, per-market volatility, horizon and step count.
//!
//! Reproducibility: one seed per run and an independent ChaCha8 stream per path
//! (`set_stream(path index)`), so path `p` is the same numbers whichever thread, shard or order
//! produces it; results are collected by path index, so they do not depend on the thread count.

use crate::error::StressError;
use liq_engine::ExoPath;
use nalgebra::{DMatrix, SymmetricEigen};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// The dependence structure of the returns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Copula {
    Gaussian,
    /// Multivariate Student-t with `df` degrees of freedom (> 2), scaled to unit variance so
    /// that `daily_vol` keeps its meaning; one mixing draw per step shared by all markets, which
    /// is what makes crashes joint.
    StudentT {
        df: f64,
    },
}

/// Monte Carlo settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloConfig {
    pub paths: u64,
    pub horizon_s: f64,
    pub steps: usize,
    pub copula: Copula,
    /// Daily volatility per market (fraction).
    pub daily_vol: Vec<f64>,
    /// Correlation matrix of the markets' returns.
    pub correlation: Vec<Vec<f64>>,
    pub seed: u64,
}

impl MonteCarloConfig {
    pub fn dt_s(&self) -> f64 {
        self.horizon_s / self.steps as f64
    }

    /// Per-step volatility of each market.
    pub fn step_vol(&self) -> Vec<f64> {
        let days = self.dt_s() / 86_400.0;
        self.daily_vol.iter().map(|v| v * days.sqrt()).collect()
    }

    pub fn validate(&self, n_markets: usize) -> Result<(), StressError> {
        if self.paths == 0 {
            return Err(StressError::config("paths", "must be at least 1"));
        }
        if !(self.horizon_s.is_finite() && self.horizon_s > 0.0) {
            return Err(StressError::config(
                "horizon",
                format!("must be positive, got {} s", self.horizon_s),
            ));
        }
        if self.steps == 0 {
            return Err(StressError::config("steps", "must be at least 1"));
        }
        if self.daily_vol.len() != n_markets {
            return Err(StressError::config(
                "daily_vol",
                format!("{} values for {} markets", self.daily_vol.len(), n_markets),
            ));
        }
        for (k, v) in self.daily_vol.iter().enumerate() {
            if !(v.is_finite() && *v >= 0.0) {
                return Err(StressError::config(format!("daily_vol[{k}]"), format!("must be ≥ 0, got {v}")));
            }
        }
        if let Copula::StudentT { df } = self.copula {
            if !(df.is_finite() && df > 2.0) {
                return Err(StressError::config(
                    "df",
                    format!("must be > 2 for a finite variance, got {df}"),
                ));
            }
        }
        Ok(())
    }
}

/// A factor `L` with `L·Lᵀ = C`, for drawing correlated normals as `L·ε`.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationFactor {
    n: usize,
    /// Row-major n×n.
    l: Vec<f64>,
}

impl CorrelationFactor {
    /// Validates a correlation matrix (square, finite, symmetric, unit diagonal, entries in
    /// [−1, 1], positive semi-definite) and factorises it: Cholesky when positive definite, else
    /// `V·√Λ` from the eigen-decomposition. A matrix with an eigenvalue below −1e-10 is rejected
    /// with that eigenvalue in the message.
    pub fn new(c: &[Vec<f64>]) -> Result<Self, StressError> {
        let n = c.len();
        if n == 0 {
            return Err(StressError::Correlation("empty matrix".into()));
        }
        for (i, row) in c.iter().enumerate() {
            if row.len() != n {
                return Err(StressError::Correlation(format!(
                    "row {i} has {} entries, expected {n}",
                    row.len()
                )));
            }
            for (j, &x) in row.iter().enumerate() {
                if !x.is_finite() || !(-1.0..=1.0).contains(&x) {
                    return Err(StressError::Correlation(format!("[{i}][{j}] = {x} is not in [-1, 1]")));
                }
                if (x - c[j][i]).abs() > 1e-12 {
                    return Err(StressError::Correlation(format!(
                        "not symmetric at [{i}][{j}]: {x} vs {}",
                        c[j][i]
                    )));
                }
            }
            if (row[i] - 1.0).abs() > 1e-12 {
                return Err(StressError::Correlation(format!("diagonal [{i}][{i}] = {} is not 1", row[i])));
            }
        }
        let m = DMatrix::from_fn(n, n, |i, j| c[i][j]);
        if let Some(ch) = m.clone().cholesky() {
            let l = ch.l();
            return Ok(Self { n, l: (0..n * n).map(|x| l[(x / n, x % n)]).collect() });
        }
        let eig = SymmetricEigen::new(m);
        let min = eig.eigenvalues.iter().copied().fold(f64::INFINITY, f64::min);
        if min < -1e-10 {
            return Err(StressError::Correlation(format!(
                "not positive semi-definite: smallest eigenvalue {min:.3e}"
            )));
        }
        let l = &eig.eigenvectors * DMatrix::from_diagonal(&eig.eigenvalues.map(|x| x.max(0.0).sqrt()));
        Ok(Self { n, l: (0..n * n).map(|x| l[(x / n, x % n)]).collect() })
    }

    /// `out = L·eps`.
    #[inline]
    pub fn apply(&self, eps: &[f64], out: &mut [f64]) {
        for (o, row) in out.iter_mut().zip(self.l.chunks_exact(self.n)) {
            *o = row.iter().zip(eps).map(|(a, b)| a * b).sum();
        }
    }
}

/// The RNG of path `p` of a run seeded with `seed`.
pub fn path_rng(seed: u64, p: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(p);
    rng
}

/// Draws path `p` into `path` (reusing its buffer): log-returns `σ_k·s·z_k − σ_k²/2` per step,
/// `z` correlated standard normals and `s` the path's copula scale (1 for Gaussian).
pub fn draw_path(
    cfg: &MonteCarloConfig,
    factor: &CorrelationFactor,
    step_vol: &[f64],
    p: u64,
    path: &mut ExoPath,
) {
    let n = step_vol.len();
    let mut rng = path_rng(cfg.seed, p);
    path.n_markets = n;
    path.dt_s = cfg.dt_s();
    path.levels.clear();
    let mut eps = [0.0f64; 16];
    let mut z = [0.0f64; 16];
    let mut log = [0.0f64; 16];
    debug_assert!(n <= 16);
    // One mixing draw per path; a t variable has variance df/(df−2), rescaled to unit variance.
    let scale = match cfg.copula {
        Copula::StudentT { df } => match ChiSquared::new(df) {
            Ok(c) => {
                let w: f64 = c.sample(&mut rng) / df;
                ((df - 2.0) / df).sqrt() / w.sqrt()
            }
            Err(_) => 1.0,
        },
        Copula::Gaussian => 1.0,
    };
    for _ in 0..cfg.steps {
        for e in eps.iter_mut().take(n) {
            *e = rng.sample(StandardNormal);
        }
        factor.apply(&eps[..n], &mut z[..n]);
        for k in 0..n {
            let s = step_vol[k];
            log[k] += s * z[k] * scale - 0.5 * s * s;
            path.levels.push(log[k].exp());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(copula: Copula, rho: f64) -> MonteCarloConfig {
        MonteCarloConfig {
            paths: 1,
            horizon_s: 86_400.0,
            steps: 1,
            copula,
            daily_vol: vec![0.02, 0.03],
            correlation: vec![vec![1.0, rho], vec![rho, 1.0]],
            seed: 7,
        }
    }

    /// Marginal variances and the correlation are recovered within sampling error: with
    /// N = 200,000 one-step draws, the standard error of a correlation is (1−ρ²)/√N ≈ 0.0008 and
    /// of a variance ratio about √(2/N) ≈ 0.003 (Gaussian; larger for t with df = 6, whose
    /// kurtosis 3 + 6/(df−4) = 6 makes it √((κ−1)/N) ≈ 0.005). Tolerances are 5 standard errors.
    #[test]
    fn copulas_recover_marginals_and_correlation() {
        for (copula, var_tol) in [(Copula::Gaussian, 0.015), (Copula::StudentT { df: 6.0 }, 0.03)] {
            let c = cfg(copula, 0.6);
            let f = CorrelationFactor::new(&c.correlation).unwrap();
            let sv = c.step_vol();
            let mut path = ExoPath { n_markets: 2, dt_s: 1.0, levels: vec![] };
            let n = 200_000u64;
            let (mut s1, mut s2, mut s11, mut s22, mut s12) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for p in 0..n {
                draw_path(&c, &f, &sv, p, &mut path);
                let a = (path.levels[0].ln() + 0.5 * sv[0] * sv[0]) / sv[0];
                let b = (path.levels[1].ln() + 0.5 * sv[1] * sv[1]) / sv[1];
                s1 += a;
                s2 += b;
                s11 += a * a;
                s22 += b * b;
                s12 += a * b;
            }
            let nf = n as f64;
            let v1 = s11 / nf - (s1 / nf).powi(2);
            let v2 = s22 / nf - (s2 / nf).powi(2);
            let rho = (s12 / nf - s1 * s2 / nf / nf) / (v1 * v2).sqrt();
            assert!((v1 - 1.0).abs() < var_tol, "{copula:?} var1 {v1}");
            assert!((v2 - 1.0).abs() < var_tol, "{copula:?} var2 {v2}");
            assert!((rho - 0.6).abs() < 0.006, "{copula:?} rho {rho}");
        }
    }

    #[test]
    fn student_t_has_fat_tails() {
        // Excess kurtosis of a multivariate-t marginal with df = 6 is 6/(df − 4) = 3; with
        // 200,000 draws its standard error is well under 1, so > 1.5 cannot happen by chance
        // for a Gaussian (excess 0).
        let c = cfg(Copula::StudentT { df: 6.0 }, 0.0);
        let f = CorrelationFactor::new(&c.correlation).unwrap();
        let sv = c.step_vol();
        let mut path = ExoPath { n_markets: 2, dt_s: 1.0, levels: vec![] };
        let (mut m2, mut m4) = (0.0, 0.0);
        let n = 200_000u64;
        for p in 0..n {
            draw_path(&c, &f, &sv, p, &mut path);
            let a = (path.levels[0].ln() + 0.5 * sv[0] * sv[0]) / sv[0];
            m2 += a * a;
            m4 += a.powi(4);
        }
        let kurt = (m4 / n as f64) / (m2 / n as f64).powi(2) - 3.0;
        assert!(kurt > 1.5, "excess kurtosis {kurt}");
    }

    #[test]
    fn rejects_bad_correlation_matrices() {
        let not_psd = vec![vec![1.0, 0.9, -0.9], vec![0.9, 1.0, 0.9], vec![-0.9, 0.9, 1.0]];
        let e = CorrelationFactor::new(&not_psd).unwrap_err().to_string();
        assert!(e.contains("not positive semi-definite"), "{e}");
        let e = CorrelationFactor::new(&[vec![1.0, 0.5], vec![0.4, 1.0]]).unwrap_err().to_string();
        assert!(e.contains("not symmetric"), "{e}");
        let e = CorrelationFactor::new(&[vec![1.0, f64::NAN], vec![f64::NAN, 1.0]]).unwrap_err().to_string();
        assert!(e.contains("is not in [-1, 1]"), "{e}");
        let e = CorrelationFactor::new(&[vec![1.0, 0.5]]).unwrap_err().to_string();
        assert!(e.contains("row 0 has 2 entries"), "{e}");
        // Singular but PSD (perfect correlation) is accepted through the eigen-factor.
        let f = CorrelationFactor::new(&[vec![1.0, 1.0], vec![1.0, 1.0]]).unwrap();
        let mut out = [0.0; 2];
        f.apply(&[1.0, 0.0], &mut out);
        assert!((out[0] - out[1]).abs() < 1e-12);
    }
}
