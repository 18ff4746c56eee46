//! Resilience: how fast depth near the mid refills after a large market order.
//!
//! Events are large taker orders: trades with the same timestamp and side are one order (a
//! market order sweeping several levels prints several trades at one matching time); orders at or
//! above the `threshold_quantile` of order notional (and at least `min_threshold_usd`) are
//! events, except those within `horizon_s` of the previous event (their recoveries would overlap;
//! counted in `overlapping`). For each event on the side it consumed (a buy eats asks), with D the
//! USD depth within a band of the mid: D_pre just before the order, D_0 at `settle_ms` after it,
//! and D(t) later. Events whose depletion D_pre − D_0 is below `min_depletion` × D_pre (the book
//! refilled before the settle time, or the move of the mid brought new depth into the band) are
//! counted in `no_depletion`: the recovered fraction g(t) = (D(t) − D_0)/(D_pre − D_0) of a
//! near-zero depletion is noise. The *median* of g over events at each lag (robust to the events
//! where the mid moved the band onto a thick level) is fitted by A·(1 − e^(−t/τ))
//! (Obizhaeva–Wang exponential refill; A < 1 = partial refill within the horizon), τ by
//! golden-section search on log τ with A closed-form.

use crate::error::CalibError;
use crate::records::{Series, Trade};
use crate::util::golden_min;
use serde::{Deserialize, Serialize};

/// One large taker order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LargeOrder {
    pub time_ms: i64,
    pub taker_buy: bool,
    pub notional_usd: f64,
}

/// Trades with equal time and side merged into orders, in time order.
pub fn taker_orders(trades: &[Trade]) -> Vec<LargeOrder> {
    let mut out: Vec<LargeOrder> = Vec::new();
    for t in trades {
        match out.last_mut() {
            Some(o) if o.time_ms == t.time_ms && o.taker_buy == t.taker_buy => {
                o.notional_usd += t.price * t.qty
            }
            _ => out.push(LargeOrder {
                time_ms: t.time_ms,
                taker_buy: t.taker_buy,
                notional_usd: t.price * t.qty,
            }),
        }
    }
    out
}

/// Options of the resilience fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResilienceOptions {
    pub threshold_quantile: f64,
    pub min_threshold_usd: f64,
    pub horizon_s: f64,
    pub settle_ms: i64,
    pub min_depletion: f64,
    pub lags_s: Vec<f64>,
}

impl Default for ResilienceOptions {
    fn default() -> Self {
        Self {
            // The largest 5% of taker orders; 5 s apart (large orders come in bursts: on the
            // 2024-08-08 capture longer horizons leave fewer than 10 isolated events).
            threshold_quantile: 0.95,
            min_threshold_usd: 0.0,
            horizon_s: 5.0,
            settle_ms: 100,
            min_depletion: 0.1,
            lags_s: vec![0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0],
        }
    }
}

/// Fitted resilience.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResilienceFit {
    pub tau_s: f64,
    /// Asymptotic recovered fraction A.
    pub recovered_fraction: f64,
    pub events: usize,
    pub overlapping: usize,
    pub no_depletion: usize,
    /// Mean depletion D_pre − D_0 (USD) of the events used.
    pub mean_depletion_usd: f64,
    /// Relaxation time of the depth series (s), see [`depth_relaxation_time`].
    pub relaxation_tau_s: Option<f64>,
    /// Order size above which orders were events (USD).
    pub threshold_usd: f64,
    /// (lag s, median recovered fraction) — the curve the fit used.
    pub curve: Vec<(f64, f64)>,
    pub r2: f64,
}

/// Fits τ from depth series per side (`bid_depth`, `ask_depth`: USD within a band of the mid).
pub fn fit_resilience(
    orders: &[LargeOrder],
    bid_depth: &Series,
    ask_depth: &Series,
    opts: &ResilienceOptions,
) -> Result<ResilienceFit, CalibError> {
    let horizon_ms = (opts.horizon_s * 1e3) as i64;
    let notionals: Vec<f64> = orders.iter().map(|o| o.notional_usd).collect();
    let threshold = crate::util::quantile(&notionals, opts.threshold_quantile).max(opts.min_threshold_usd);
    let mut per_lag: Vec<Vec<f64>> = vec![Vec::new(); opts.lags_s.len()];
    let (mut used, mut overlapping, mut no_depletion, mut depl) = (0usize, 0usize, 0usize, 0.0);
    let mut last_event: Option<i64> = None;
    let end =
        bid_depth.times_ms.last().copied().unwrap_or(0).min(ask_depth.times_ms.last().copied().unwrap_or(0));
    for o in orders.iter().filter(|o| o.notional_usd >= threshold) {
        if last_event.is_some_and(|l| o.time_ms - l < horizon_ms) {
            overlapping += 1;
            continue;
        }
        last_event = Some(o.time_ms);
        if o.time_ms + horizon_ms > end {
            continue; // the sample ends before the recovery could be observed
        }
        let d = if o.taker_buy { ask_depth } else { bid_depth };
        let (Some(pre), Some(d0)) = (d.at(o.time_ms - 1), d.at(o.time_ms + opts.settle_ms)) else { continue };
        if pre - d0 <= opts.min_depletion * pre {
            no_depletion += 1;
            continue;
        }
        for (k, &lag) in opts.lags_s.iter().enumerate() {
            let dt = d.at(o.time_ms + opts.settle_ms + (lag * 1e3) as i64).unwrap_or(d0);
            per_lag[k].push((dt - d0) / (pre - d0));
        }
        depl += pre - d0;
        used += 1;
    }
    if used < 3 {
        return Err(CalibError::estimate(
            "resilience",
            format!(
                "need ≥ 3 isolated large orders with a depletion, got {used} \
                 ({overlapping} overlapping, {no_depletion} without depletion)"
            ),
        ));
    }
    let curve: Vec<(f64, f64)> =
        opts.lags_s.iter().zip(&per_lag).map(|(&l, g)| (l, crate::util::quantile(g, 0.5))).collect();
    let (tau, a, r2) = fit_exponential_recovery(&curve);
    Ok(ResilienceFit {
        tau_s: tau,
        recovered_fraction: a,
        events: used,
        relaxation_tau_s: None,
        threshold_usd: threshold,
        overlapping,
        no_depletion,
        mean_depletion_usd: depl / used as f64,
        curve,
        r2,
    })
}

/// Least squares of g(t) = A·(1 − e^(−t/τ)) on (t, g) points: (τ, A, R²).
pub fn fit_exponential_recovery(curve: &[(f64, f64)]) -> (f64, f64, f64) {
    let a_for = |tau: f64| {
        let (mut num, mut den) = (0.0, 0.0);
        for &(t, g) in curve {
            let b = 1.0 - (-t / tau).exp();
            num += g * b;
            den += b * b;
        }
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    };
    let sse = |ln_tau: f64| {
        let tau = ln_tau.exp();
        let a = a_for(tau);
        curve.iter().map(|&(t, g)| (g - a * (1.0 - (-t / tau).exp())).powi(2)).sum::<f64>()
    };
    let ln_tau = golden_min((0.01f64).ln(), (1_000f64).ln(), 100, sse);
    let tau = ln_tau.exp();
    let mean = curve.iter().map(|c| c.1).sum::<f64>() / curve.len().max(1) as f64;
    let sst: f64 = curve.iter().map(|c| (c.1 - mean).powi(2)).sum();
    let r2 = if sst > 0.0 { 1.0 - sse(ln_tau) / sst } else { 0.0 };
    (tau, a_for(tau), r2)
}

/// The most grid points [`depth_relaxation_time`] samples: ten million, a 100 ms grid over 11
/// days, far beyond any order-book capture (the shared BTCUSDT one is 345 s).
pub const MAX_GRID_POINTS: i64 = 10_000_000;

/// Relaxation time of a depth series: the autocorrelation of D sampled every `grid_ms` is fitted
/// by A·e^(−L/τ) over `lags_s`. Unlike the event fit it uses every fluctuation of the book, not
/// only isolated large orders, so it is the better-determined number on short samples; it
/// measures how fast any depth perturbation decays (an Ornstein–Uhlenbeck reading of the book).
pub fn depth_relaxation_time(
    d: &Series,
    grid_ms: i64,
    lags_s: &[f64],
) -> Result<(f64, Vec<(f64, f64)>), CalibError> {
    let (Some(&t0), Some(&t1)) = (d.times_ms.first(), d.times_ms.last()) else {
        return Err(CalibError::estimate("depth relaxation", "empty depth series"));
    };
    let points = (t1 - t0) / grid_ms.max(1);
    if points > MAX_GRID_POINTS {
        // A capture is hours long; one far-off timestamp made this grid 1.7e10 points and the
        // estimate hung (a fuzz find). Refused as an estimate: `calibrate` reports it.
        return Err(CalibError::estimate(
            "depth relaxation",
            format!(
                "the depth series spans {} s: over {MAX_GRID_POINTS} grid points of {grid_ms} ms",
                (t1 - t0) / 1000
            ),
        ));
    }
    let grid: Vec<f64> = (0..=points).filter_map(|k| d.at(t0 + k * grid_ms)).collect();
    let n = grid.len();
    let mean = grid.iter().sum::<f64>() / n.max(1) as f64;
    let var = grid.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n.max(1) as f64;
    if n < 50 || var <= 0.0 {
        return Err(CalibError::estimate(
            "depth relaxation",
            format!("need ≥ 50 varying grid points, got {n}"),
        ));
    }
    let acf: Vec<(f64, f64)> = lags_s
        .iter()
        .filter_map(|&l| {
            let k = (l * 1e3 / grid_ms as f64).round() as usize;
            (k > 0 && k < n / 2).then(|| {
                let c =
                    (0..n - k).map(|i| (grid[i] - mean) * (grid[i + k] - mean)).sum::<f64>() / (n - k) as f64;
                (l, c / var)
            })
        })
        .collect();
    // 1 − acf is a recovery curve A'(1 − e^(−L/τ)) with A' = 1 when A = 1: reuse that fit.
    let recovery: Vec<(f64, f64)> = acf.iter().map(|&(l, r)| (l, 1.0 - r)).collect();
    let (tau, _, _) = fit_exponential_recovery(&recovery);
    Ok((tau, acf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_refill_time() {
        // Ask depth 1e6 USD, eaten down to 4e5 by a buy every 60 s, refilling as
        // 1e6 − 6e5·e^(−t/4 s); sampled every 50 ms for 10 minutes. Bid depth flat.
        let tau = 4.0;
        let mut ask = Vec::new();
        for i in 0..12_000i64 {
            let t = i * 50;
            let since = (t % 60_000) as f64 / 1e3;
            let v = if t < 60_000 { 1e6 } else { 1e6 - 6e5 * (-since / tau).exp() };
            ask.push((t, v));
        }
        let ask = Series::from_pairs(ask);
        let bid = Series::from_pairs(vec![(0, 1e6), (600_000, 1e6)]);
        let orders: Vec<LargeOrder> =
            (1..10).map(|k| LargeOrder { time_ms: k * 60_000, taker_buy: true, notional_usd: 6e5 }).collect();
        // settle 0 ms: D_0 = the depleted level at the order time itself; all orders are events.
        let opts = ResilienceOptions {
            settle_ms: 0,
            threshold_quantile: 0.0,
            horizon_s: 30.0,
            ..Default::default()
        };
        let fit = fit_resilience(&orders, &bid, &ask, &opts).unwrap();
        // Lags to 10 s cover 2.5 τ: the curve pins τ to within 5%.
        assert!((fit.tau_s / tau - 1.0).abs() < 0.05, "{fit:?}");
        assert!((fit.recovered_fraction - 1.0).abs() < 0.02);
        assert!((fit.mean_depletion_usd - 6e5).abs() < 1e3);
        // Orders of 9 minutes at 60-s spacing, 30-s horizon: none overlap; the one at 540 s
        // has 60 s left, so all 9 are used.
        assert_eq!((fit.events, fit.overlapping), (9, 0));
    }

    #[test]
    fn relaxation_time_of_an_ou_depth_series() {
        // Exact AR(1) sampling of an OU process with τ = 2 s on a 100-ms grid for 2 hours:
        // x' = φx + √(1−φ²)·ε, φ = e^(−0.1/2). Autocorrelation e^(−L/2): τ recovered within 10%.
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let phi = (-0.1f64 / 2.0).exp();
        let mut x = 0.0f64;
        let pts: Vec<(i64, f64)> = (0..72_000i64)
            .map(|i| {
                let e: f64 = StandardNormal.sample(&mut rng);
                x = phi * x + (1.0 - phi * phi).sqrt() * e;
                (i * 100, 1e6 * (1.0 + 0.1 * x))
            })
            .collect();
        let lags = [0.2, 0.5, 1.0, 2.0, 3.0, 5.0];
        let (tau, acf) = depth_relaxation_time(&Series::from_pairs(pts), 100, &lags).unwrap();
        assert!((tau / 2.0 - 1.0).abs() < 0.1, "τ {tau}, acf {acf:?}");
    }

    #[test]
    fn same_time_same_side_trades_form_one_order() {
        let t = |ms, b, q| Trade { time_ms: ms, price: 100.0, qty: q, taker_buy: b };
        let o = taker_orders(&[t(1, true, 1.0), t(1, true, 2.0), t(1, false, 1.0), t(2, false, 1.0)]);
        // (1, buy) ×2 merge; (1, sell) and (2, sell) differ in time: three orders.
        assert_eq!(o.len(), 3);
        assert_eq!(o[0].notional_usd, 300.0);
        assert!(fit_resilience(&o, &Series::default(), &Series::default(), &Default::default()).is_err());
    }
}
