//! Comparison of a simulated and a recorded per-minute series.
//!
//! The stated error measure ([`Comparison`]):
//! - `correlation`: Pearson correlation of the per-minute notional series (timing and shape);
//! - `log_ratio_totals`: ln(simulated total / recorded total), the level error (0 = equal);
//! - `share_rmse`: root-mean-square difference of the normalised per-minute shares
//!   `sim_i / Σ sim − rec_i / Σ rec`, scale-free, so it measures the shape of the wave
//!   independently of the level (0 = same shape; the population fit minimises it);
//! - `lag_minutes`: the argmax over lags −L..=L of the cross-correlation of the two series;
//!   positive = the simulation lags the record.
//!
//! Every measure is `None` when it is undefined (an all-zero or constant series).

use serde::{Deserialize, Serialize};

/// Lags searched by the cross-correlation, at most (minutes).
pub const MAX_LAG_MINUTES: usize = 10;

/// The error measures between a simulated and a recorded series (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub sim_total_usd: f64,
    pub rec_total_usd: f64,
    pub sim_count: u64,
    pub rec_count: u64,
    pub correlation: Option<f64>,
    pub log_ratio_totals: Option<f64>,
    pub share_rmse: Option<f64>,
    pub lag_minutes: Option<i64>,
    /// Correlation at the best lag.
    pub lag_correlation: Option<f64>,
}

/// Pearson correlation; `None` if shorter than 2 or either series is constant.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let (a, b) = (&a[..n], &b[..n]);
    let ma = a.iter().sum::<f64>() / n as f64;
    let mb = b.iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// RMSE of the normalised shares; `None` if either total is zero.
pub fn share_rmse(sim: &[f64], rec: &[f64]) -> Option<f64> {
    let (s, r): (f64, f64) = (sim.iter().sum(), rec.iter().sum());
    let n = sim.len().min(rec.len());
    if !(s > 0.0 && r > 0.0) || n == 0 {
        return None;
    }
    let ss: f64 = sim.iter().zip(rec).map(|(a, b)| (a / s - b / r).powi(2)).sum();
    Some((ss / n as f64).sqrt())
}

/// Lag (in bins) maximising the correlation of `sim[i + lag]` with `rec[i]`, over
/// −`max_lag`..=`max_lag` (limited to a quarter of the series so overlaps stay long), with the
/// correlation there. Ties keep the smallest |lag|.
pub fn best_lag(sim: &[f64], rec: &[f64], max_lag: usize) -> Option<(i64, f64)> {
    let n = sim.len().min(rec.len());
    let max_lag = max_lag.min(n / 4) as i64;
    let mut best: Option<(i64, f64)> = None;
    let mut lags: Vec<i64> = (-max_lag..=max_lag).collect();
    lags.sort_by_key(|l| l.abs());
    for lag in lags {
        let (s, r) = if lag >= 0 {
            (&sim[lag as usize..n], &rec[..n - lag as usize])
        } else {
            (&sim[..n - (-lag) as usize], &rec[(-lag) as usize..n])
        };
        if let Some(c) = pearson(s, r) {
            if best.is_none_or(|(_, b)| c > b + 1e-12) {
                best = Some((lag, c));
            }
        }
    }
    best
}

/// All measures for one pair of series.
pub fn compare(sim: &[f64], rec: &[f64], sim_count: u64, rec_count: u64) -> Comparison {
    let (st, rt): (f64, f64) = (sim.iter().sum(), rec.iter().sum());
    let lag = best_lag(sim, rec, MAX_LAG_MINUTES);
    Comparison {
        sim_total_usd: st,
        rec_total_usd: rt,
        sim_count,
        rec_count,
        correlation: pearson(sim, rec),
        log_ratio_totals: (st > 0.0 && rt > 0.0).then(|| (st / rt).ln()),
        share_rmse: share_rmse(sim, rec),
        lag_minutes: lag.map(|l| l.0),
        lag_correlation: lag.map(|l| l.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_on_known_series() {
        let rec = [0.0, 1.0, 3.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        // Same shape, twice the level, one bin later.
        let sim = [0.0, 0.0, 2.0, 6.0, 2.0, 0.0, 0.0, 0.0];
        let c = compare(&sim, &rec, 3, 3);
        assert!((c.log_ratio_totals.unwrap() - 2f64.ln()).abs() < 1e-12);
        assert_eq!(c.lag_minutes, Some(1));
        assert!((c.lag_correlation.unwrap() - 1.0).abs() < 1e-12);
        assert!(c.correlation.unwrap() < 0.9);
        let same = compare(&rec.map(|x| 5.0 * x), &rec, 1, 1);
        assert!(same.share_rmse.unwrap() < 1e-12);
        assert_eq!(same.lag_minutes, Some(0));
        assert_eq!(compare(&[0.0; 8], &rec, 0, 3).share_rmse, None);
    }
}
