//! Realised volatility: plain realised variance at calendar sampling intervals (the volatility
//! signature, which rises at high frequency as microstructure noise adds 2·ω² per return), and
//! the noise-robust two-scale realised variance (TSRV) of Zhang, Mykland & Aït-Sahalia (2005,
//! JASA 100:1394), computed on every tick.
//!
//! Volatilities are reported as *daily* σ: the integrated variance over the sample divided by its
//! span and scaled to 86,400 s (crypto trades around the clock). That is an extrapolation from
//! the window when the window is short; the span is always reported next to it.

use crate::error::CalibError;
use crate::records::Series;
use serde::{Deserialize, Serialize};

/// Realised variance at one sampling interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RvPoint {
    pub interval_s: f64,
    pub returns: usize,
    /// Σ r² of log returns over the sample.
    pub integrated_variance: f64,
    pub daily_vol: f64,
}

/// Volatility estimates of one price series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolEstimate {
    pub span_s: f64,
    pub ticks: usize,
    /// TSRV estimate of the integrated variance over the sample.
    pub tsrv_integrated_variance: f64,
    /// TSRV as a daily volatility.
    pub daily_vol_tsrv: f64,
    /// Number of subgrids K of the slow scale.
    pub tsrv_k: usize,
    /// Standard deviation of the microstructure noise in log price, ω = √(RV_all / 2n).
    pub noise_std: f64,
    /// The volatility signature: realised variance at each requested interval.
    pub signature: Vec<RvPoint>,
}

fn daily(iv: f64, span_s: f64) -> f64 {
    if span_s > 0.0 {
        (iv.max(0.0) / span_s * 86_400.0).sqrt()
    } else {
        f64::NAN
    }
}

/// Realised variance of log prices sampled every `interval_ms` on a calendar grid from the first
/// observation (previous-tick interpolation). Returns (Σ r², number of returns).
pub fn realised_variance(s: &Series, interval_ms: i64) -> (f64, usize) {
    if s.len() < 2 || interval_ms <= 0 {
        return (0.0, 0);
    }
    let (t0, t1) = (s.times_ms[0], s.times_ms[s.len() - 1]);
    let mut prev = s.values[0].ln();
    let (mut rv, mut n) = (0.0, 0);
    let mut t = t0 + interval_ms;
    let mut i = 0;
    while t <= t1 {
        while i + 1 < s.len() && s.times_ms[i + 1] <= t {
            i += 1;
        }
        let x = s.values[i].ln();
        rv += (x - prev).powi(2);
        prev = x;
        n += 1;
        // Grid points before the next observation see the same price: zero returns, counted at
        // once. Stepping through them hung on a series with one far-off timestamp (a fuzz find).
        let next_change = s.times_ms.get(i + 1).copied().unwrap_or(i64::MAX).min(t1.saturating_add(1));
        let idle = (next_change - 1 - t).max(0) / interval_ms;
        n += idle as usize;
        t += (idle + 1) * interval_ms;
    }
    (rv, n)
}

/// Two-scale realised variance of a tick series of log prices with `k` subgrids:
/// TSRV = (1 − n̄/n)⁻¹ · (RV_avg^(K) − (n̄/n)·RV_all), n̄ = (n − K + 1)/K (ZMA 2005, eq. 4.2 with
/// the small-sample adjustment of their section 4.2).
pub fn tsrv(log_prices: &[f64], k: usize) -> f64 {
    let n = log_prices.len().saturating_sub(1);
    if n < 2 || k < 1 || k >= n {
        return f64::NAN;
    }
    let rv_all: f64 = log_prices.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let mut rv_avg = 0.0;
    for start in 0..k {
        let mut j = start;
        while j + k < log_prices.len() {
            rv_avg += (log_prices[j + k] - log_prices[j]).powi(2);
            j += k;
        }
    }
    rv_avg /= k as f64;
    let nbar = (n - k + 1) as f64 / k as f64;
    let ratio = nbar / n as f64;
    (rv_avg - ratio * rv_all) / (1.0 - ratio)
}

/// The default number of subgrids, K = ⌈n^(2/3)⌉ (the rate-optimal order of ZMA), at most n/2.
pub fn default_k(n: usize) -> usize {
    ((n as f64).powf(2.0 / 3.0).ceil() as usize).clamp(1, (n / 2).max(1))
}

/// TSRV, noise level and the signature at `intervals_s` for a price series.
pub fn estimate_volatility(s: &Series, intervals_s: &[f64]) -> Result<VolEstimate, CalibError> {
    if s.len() < 10 {
        return Err(CalibError::estimate("volatility", format!("need ≥ 10 prices, got {}", s.len())));
    }
    let span_s = s.span_s();
    if span_s <= 0.0 {
        return Err(CalibError::estimate("volatility", "all prices share one timestamp"));
    }
    let logs: Vec<f64> = s.values.iter().map(|v| v.ln()).collect();
    let n = logs.len() - 1;
    let k = default_k(n);
    let iv = tsrv(&logs, k);
    let rv_all: f64 = logs.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let signature = intervals_s
        .iter()
        .map(|&iv_s| {
            let (rv, m) = realised_variance(s, (iv_s * 1e3).round() as i64);
            RvPoint { interval_s: iv_s, returns: m, integrated_variance: rv, daily_vol: daily(rv, span_s) }
        })
        .collect();
    Ok(VolEstimate {
        span_s,
        ticks: s.len(),
        tsrv_integrated_variance: iv,
        daily_vol_tsrv: daily(iv, span_s),
        tsrv_k: k,
        noise_std: (rv_all / (2.0 * n as f64)).sqrt(),
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    /// GBM log price with daily σ observed every `dt_ms` with iid Gaussian noise of std `omega`.
    fn noisy_gbm(sigma_daily: f64, dt_ms: i64, n: usize, omega: f64, seed: u64) -> Series {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sd = sigma_daily * (dt_ms as f64 / 1e3 / 86_400.0).sqrt();
        let mut x = (60_000f64).ln();
        let mut pairs = Vec::with_capacity(n);
        for i in 0..n {
            let e: f64 = StandardNormal.sample(&mut rng);
            let z: f64 = StandardNormal.sample(&mut rng);
            x += sd * z;
            pairs.push((i as i64 * dt_ms, (x + omega * e).exp()));
        }
        Series::from_pairs(pairs)
    }

    #[test]
    fn tsrv_removes_noise_that_dominates_tick_rv() {
        // σ_daily = 3%, 6 h at 100 ms (216,000 ticks), noise ω = 1 bp. True IV over 6 h:
        // 0.03² × 0.25 = 2.25e-4. Noise adds 2nω² = 2 × 216,000 × 1e-8 = 4.32e-3 to the tick RV
        // (20× the signal).
        let s = noisy_gbm(0.03, 100, 216_000, 1e-4, 7);
        let v = estimate_volatility(&s, &[0.1, 60.0]).unwrap();
        let tick_rv = v.signature[0].integrated_variance;
        assert!(tick_rv > 10.0 * 2.25e-4, "tick RV {tick_rv}");
        // TSRV: within 15% of the truth (its error is O(n^-1/6) ≈ 13% of ω-scaled terms here).
        assert!(
            (v.tsrv_integrated_variance / 2.25e-4 - 1.0).abs() < 0.15,
            "tsrv {}",
            v.tsrv_integrated_variance
        );
        assert!((v.daily_vol_tsrv / 0.03 - 1.0).abs() < 0.08, "daily {}", v.daily_vol_tsrv);
        // Noise estimate: RV_all/2n ≈ ω² + IV/2n → ω within 5%.
        assert!((v.noise_std / 1e-4 - 1.0).abs() < 0.05, "noise {}", v.noise_std);
        // 60-s RV: 360 returns, noise bias 2·360·1e-8 = 7.2e-6 (3%), sampling error √(2/360) = 7.5%.
        assert!((v.signature[1].daily_vol / 0.03 - 1.0).abs() < 0.15, "rv60 {}", v.signature[1].daily_vol);
    }

    #[test]
    fn tsrv_without_noise_matches_plain_rv() {
        let s = noisy_gbm(0.05, 1_000, 20_000, 0.0, 3);
        let logs: Vec<f64> = s.values.iter().map(|v| v.ln()).collect();
        let rv_all: f64 = logs.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
        // No noise: both estimate 0.05² × 20,000/86,400 = 5.79e-4. Plain RV's relative error is
        // √(2/n) = 1%; TSRV with K = 10 subgrids has relative error ≈ √(4K/3n) = 2.6%.
        let truth = 0.05f64.powi(2) * 20_000.0 / 86_400.0;
        assert!((rv_all / truth - 1.0).abs() < 0.05);
        assert!((tsrv(&logs, 10) / truth - 1.0).abs() < 0.1);
    }

    #[test]
    fn realised_variance_by_hand() {
        // Prices 100, 110 at t = 1.5 s, 121 at t = 2.2 s; 1-s grid from t = 0: samples at
        // 1 s (100) and 2 s (110): two returns, 0 and ln(1.1), so RV = ln(1.1)² = 0.009085.
        let s = Series::from_pairs(vec![(0, 100.0), (1_500, 110.0), (2_200, 121.0)]);
        let (rv, n) = realised_variance(&s, 1_000);
        assert_eq!(n, 2);
        assert!((rv - 1.1f64.ln().powi(2)).abs() < 1e-12);
        assert!(estimate_volatility(&s, &[1.0]).is_err());
    }
}
