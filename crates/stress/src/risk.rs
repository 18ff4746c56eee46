//! Risk measures: empirical VaR and expected shortfall of a loss sample, and the linear
//! (delta-normal) VaR/ES of a portfolio, as defined in DESIGN.md.

use crate::interval::Interval;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

/// VaR and ES at one confidence level. Losses (and drawdowns) are positive numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VarEs {
    pub alpha: f64,
    pub var: f64,
    pub es: f64,
    /// Paths ES averages over (the `N − i` worst); absent for the linear closed form.
    #[serde(default)]
    pub tail_paths: Option<u64>,
    /// 95% order-statistic interval of VaR (`interval::var_interval`).
    #[serde(default)]
    pub var_ci: Option<Interval>,
    /// 95% bootstrap interval of ES (`interval::es_interval`).
    #[serde(default)]
    pub es_ci: Option<Interval>,
}

impl VarEs {
    /// Whether the figure rests on fewer than `interval::MIN_TAIL_PATHS` tail paths.
    pub fn thin_tail(&self) -> bool {
        self.tail_paths.is_some_and(|k| k < crate::interval::MIN_TAIL_PATHS)
    }
}

/// Empirical VaR and ES at `alpha` of `losses`: with losses sorted ascending and
/// `i = ⌈α·N⌉ − 1`, VaR is the `i`-th loss and ES the mean of the losses from `i` on (the worst
/// `N − i` outcomes). NaNs are not expected (the engine produces none) and sort last.
pub fn var_es(losses: &[f64], alpha: f64) -> VarEs {
    let mut v = losses.to_vec();
    v.sort_by(f64::total_cmp);
    var_es_sorted(&v, alpha)
}

/// [`var_es`] of losses already sorted ascending.
pub fn var_es_sorted(v: &[f64], alpha: f64) -> VarEs {
    if v.is_empty() {
        return VarEs { alpha, var: 0.0, es: 0.0, tail_paths: Some(0), var_ci: None, es_ci: None };
    }
    let i = crate::interval::tail_index(v.len(), alpha);
    let tail = &v[i..];
    VarEs {
        alpha,
        var: v[i],
        es: tail.iter().sum::<f64>() / tail.len() as f64,
        tail_paths: Some(tail.len() as u64),
        var_ci: None,
        es_ci: None,
    }
}

/// [`var_es`] with its 95% intervals; `id` names the figure's bootstrap stream (see
/// `interval::es_interval`).
pub fn var_es_with_intervals(losses: &[f64], alpha: f64, seed: u64, id: u64) -> VarEs {
    let mut v = losses.to_vec();
    v.sort_by(f64::total_cmp);
    let mut r = var_es_sorted(&v, alpha);
    if !v.is_empty() {
        r.var_ci = Some(crate::interval::var_interval(&v, alpha));
        r.es_ci = Some(crate::interval::es_interval(&v, alpha, seed, id));
    }
    r
}

/// Linear (delta-normal) VaR and ES: `σ_L = √(δᵀΣδ)`, `VaR = z_α·σ_L`,
/// `ES = σ_L·φ(z_α)/(1−α)`, with Σ the covariance of horizon returns
/// (`ρ_ij·σ_i·σ_j`, σ the horizon volatility of market i).
pub fn linear_var_es(deltas_usd: &[f64], horizon_vol: &[f64], correlation: &[Vec<f64>], alpha: f64) -> VarEs {
    let n = deltas_usd.len();
    let mut var_l = 0.0;
    for i in 0..n {
        for j in 0..n {
            var_l += deltas_usd[i] * deltas_usd[j] * correlation[i][j] * horizon_vol[i] * horizon_vol[j];
        }
    }
    let sigma = var_l.max(0.0).sqrt();
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    let z = normal.inverse_cdf(alpha);
    VarEs {
        alpha,
        var: z * sigma,
        es: sigma * normal.pdf(z) / (1.0 - alpha),
        tail_paths: None,
        var_ci: None,
        es_ci: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empirical_quantile_and_tail_mean() {
        // 1..=100: at 99% i = ⌈99⌉ − 1 = 98 → VaR = 99, ES = (99 + 100) / 2.
        let l: Vec<f64> = (1..=100).map(f64::from).collect();
        let r = var_es(&l, 0.99);
        assert_eq!((r.var, r.es), (99.0, 99.5));
        // At 99.9% with 100 samples only the worst remains.
        let r = var_es(&l, 0.999);
        assert_eq!((r.var, r.es), (100.0, 100.0));
    }

    #[test]
    fn linear_var_closed_form() {
        // One asset, δ = 1,000,000 USD, σ = 2%: σ_L = 20,000; z_0.99 = 2.326348; φ(z) = 0.026652;
        // VaR = 46,526.96; ES = 20,000 × 0.026652 / 0.01 = 53,304.3.
        let r = linear_var_es(&[1e6], &[0.02], &[vec![1.0]], 0.99);
        assert!((r.var - 46_526.96).abs() < 0.1, "{}", r.var);
        assert!((r.es - 53_304.3).abs() < 1.0, "{}", r.es);
        // Two perfectly hedged positions under perfect correlation: no linear risk.
        let r = linear_var_es(&[1e6, -1e6], &[0.02, 0.02], &[vec![1.0, 1.0], vec![1.0, 1.0]], 0.99);
        assert!(r.var.abs() < 1e-6);
    }
}
