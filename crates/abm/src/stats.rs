//! Stylised facts of a price path: return kurtosis, autocorrelation of returns and of absolute
//! returns, spread and depth distributions. Pure functions of sampled series, so the same check
//! can be run on a real capture.

use serde::Serialize;

/// Mean, median and two tail quantiles of a series (NaNs ignored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Dist {
    pub mean: f64,
    pub median: f64,
    pub p05: f64,
    pub p95: f64,
    pub n: usize,
}

/// The stylised-facts check of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct StylisedFacts {
    /// Number of 1-minute log returns.
    pub n_returns_1min: usize,
    /// Kurtosis (Pearson, m4 / m2²: 3 for a Gaussian) of 1-minute log returns.
    pub kurtosis_1min: f64,
    /// Autocorrelation of 1-minute returns, lags 1..=10.
    pub acf_returns_1min: Vec<f64>,
    /// Autocorrelation of |1-minute returns|, lags 1..=10 (volatility clustering).
    pub acf_abs_returns_1min: Vec<f64>,
    /// Number of 10-second log returns.
    pub n_returns_10s: usize,
    /// The same at 10 seconds (more samples in a short run).
    pub kurtosis_10s: f64,
    pub acf_returns_10s: Vec<f64>,
    pub acf_abs_returns_10s: Vec<f64>,
    /// Quoted spread sampled every second, bp of the mid.
    pub spread_bps: Dist,
    /// Resting quantity within ±10 bp of the mid, both sides, USD, sampled every second.
    pub depth_usd_10bp: Dist,
    /// Order-flow statistics, where the taker orders are known.
    pub flow: Option<FlowFacts>,
}

/// Statistics of the aggressive (taker) order flow: how many, how clustered in time, how
/// persistent in sign, and how much the price moves per unit of net flow.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct FlowFacts {
    /// Taker orders per second (an order filling against several resting orders counts once).
    pub taker_orders_per_s: f64,
    /// Variance / mean of taker orders per 10 s (1 for Poisson arrivals; more = clustered).
    pub count_dispersion_10s: f64,
    /// Autocorrelation of taker-order signs (+1 buy, −1 sell) at lags 1, 10 and 100 orders.
    pub sign_acf_1_10_100: [f64; 3],
    /// Median taker order, base units.
    pub median_order_base: f64,
    /// Autocorrelation of the log sizes of successive taker orders at lags 1 and 10 (children of
    /// one split order have similar sizes).
    pub log_size_acf_1_10: [f64; 2],
    /// Traded notional per second, USD.
    pub volume_usd_per_s: f64,
    /// Kyle's λ at 10 s: least-squares slope of the 10-s log return (bp) on the 10-s net taker
    /// notional (million USD, buys positive), through the origin.
    pub kyle_lambda_bps_per_musd: f64,
}

/// What the flow facts are computed from: per 1-s sample, taker orders and net taker notional
/// (USD, buys positive) in the second ending at the sample, and traded notional; and the sign
/// (+1 / −1) and size of every taker order in time order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FlowSeries {
    pub taker_orders: Vec<f64>,
    pub net_taker_usd: Vec<f64>,
    pub volume_usd: Vec<f64>,
    pub signs: Vec<i8>,
    pub sizes_base: Vec<f64>,
}

/// Flow facts from 1-s mids (aligned with the flow series) and the flow series.
pub fn flow_facts(mid_1s: &[f64], f: &FlowSeries) -> FlowFacts {
    let n = f.taker_orders.len().min(mid_1s.len());
    let secs = n.max(1) as f64;
    let counts: Vec<f64> = f.taker_orders[..n].chunks_exact(10).map(|c| c.iter().sum()).collect();
    let d = dist(&counts);
    let var = counts.iter().map(|c| (c - d.mean).powi(2)).sum::<f64>() / counts.len().max(1) as f64;
    let signs: Vec<f64> = f.signs.iter().map(|&s| s as f64).collect();
    let sacf = acf(&signs, 100);
    // Return over (k, k+10] against the net flow in seconds k+1..=k+10.
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for k in (0..n.saturating_sub(10)).step_by(10) {
        let r = (mid_1s[k + 10] / mid_1s[k]).ln() * 1e4;
        let q: f64 = f.net_taker_usd[k + 1..=k + 10].iter().sum::<f64>() * 1e-6;
        if r.is_finite() && q.is_finite() {
            sxy += r * q;
            sxx += q * q;
        }
    }
    FlowFacts {
        taker_orders_per_s: f.taker_orders[..n].iter().sum::<f64>() / secs,
        count_dispersion_10s: if d.mean > 0.0 { var / d.mean } else { f64::NAN },
        sign_acf_1_10_100: [sacf[0], sacf[9], sacf[99]],
        median_order_base: dist(&f.sizes_base).median,
        log_size_acf_1_10: {
            let ln: Vec<f64> = f.sizes_base.iter().filter(|q| **q > 0.0).map(|q| q.ln()).collect();
            let a = acf(&ln, 10);
            [a[0], a[9]]
        },
        volume_usd_per_s: f.volume_usd[..n].iter().sum::<f64>() / secs,
        kyle_lambda_bps_per_musd: if sxx > 0.0 { sxy / sxx } else { f64::NAN },
    }
}

/// Log returns of `prices` sampled every `step` points.
pub fn log_returns(prices: &[f64], step: usize) -> Vec<f64> {
    let step = step.max(1);
    prices
        .iter()
        .step_by(step)
        .collect::<Vec<_>>()
        .windows(2)
        .map(|w| (w[1] / w[0]).ln())
        .filter(|r| r.is_finite())
        .collect()
}

/// Pearson kurtosis m4 / m2² (NaN for fewer than 4 points or a constant series).
pub fn kurtosis(x: &[f64]) -> f64 {
    if x.len() < 4 {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let m2 = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    let m4 = x.iter().map(|v| (v - m).powi(4)).sum::<f64>() / n;
    if m2 > 0.0 {
        m4 / (m2 * m2)
    } else {
        f64::NAN
    }
}

/// Sample autocorrelation at lags 1..=max_lag (NaN where undefined).
pub fn acf(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    let m = x.iter().sum::<f64>() / n.max(1) as f64;
    let den: f64 = x.iter().map(|v| (v - m).powi(2)).sum();
    (1..=max_lag)
        .map(|l| {
            if l >= n || den <= 0.0 {
                return f64::NAN;
            }
            (0..n - l).map(|t| (x[t] - m) * (x[t + l] - m)).sum::<f64>() / den
        })
        .collect()
}

/// Distribution summary, NaNs dropped.
pub fn dist(x: &[f64]) -> Dist {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return Dist { mean: f64::NAN, median: f64::NAN, p05: f64::NAN, p95: f64::NAN, n: 0 };
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    Dist {
        mean: v.iter().sum::<f64>() / v.len() as f64,
        median: q(0.5),
        p05: q(0.05),
        p95: q(0.95),
        n: v.len(),
    }
}

/// The full check from 1-second mids, spreads and depths.
pub fn stylised_facts(mid_1s: &[f64], spread_bps: &[f64], depth_usd: &[f64]) -> StylisedFacts {
    let r1m = log_returns(mid_1s, 60);
    let r10 = log_returns(mid_1s, 10);
    let abs = |r: &[f64]| r.iter().map(|v| v.abs()).collect::<Vec<_>>();
    StylisedFacts {
        n_returns_1min: r1m.len(),
        kurtosis_1min: kurtosis(&r1m),
        acf_returns_1min: acf(&r1m, 10),
        acf_abs_returns_1min: acf(&abs(&r1m), 10),
        n_returns_10s: r10.len(),
        kurtosis_10s: kurtosis(&r10),
        acf_returns_10s: acf(&r10, 10),
        acf_abs_returns_10s: acf(&abs(&r10), 10),
        spread_bps: dist(spread_bps),
        depth_usd_10bp: dist(depth_usd),
        flow: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_moments_and_acf() {
        // x = [1, −1, 1, −1]: mean 0, m2 = 1, m4 = 1 → kurtosis 1.
        assert!((kurtosis(&[1.0, -1.0, 1.0, -1.0]) - 1.0).abs() < 1e-12);
        // x = [0, 0, 0, 0, 4]: mean 0.8; deviations −0.8 ×4, 3.2; m2 = (4·0.64 + 10.24)/5 = 2.56;
        // m4 = (4·0.4096 + 104.8576)/5 = 21.2992; kurtosis = 21.2992 / 6.5536 = 3.25.
        assert!((kurtosis(&[0.0, 0.0, 0.0, 0.0, 4.0]) - 3.25).abs() < 1e-12);
        // Alternating series: lag-1 ACF = Σ_{t<3} (x_t x_{t+1}) / Σ x² = −3/4; lag 2 = 2/4.
        let a = acf(&[1.0, -1.0, 1.0, -1.0], 2);
        assert!((a[0] + 0.75).abs() < 1e-12 && (a[1] - 0.5).abs() < 1e-12);
        // Prices 100, 110, 121 at step 1: two returns of ln 1.1.
        let r = log_returns(&[100.0, 110.0, 121.0], 1);
        assert!(r.iter().all(|v| (v - 1.1f64.ln()).abs() < 1e-12));
        let d = dist(&[3.0, f64::NAN, 1.0, 2.0]);
        assert_eq!((d.n, d.median, d.mean), (3, 2.0, 2.0));
    }
}
