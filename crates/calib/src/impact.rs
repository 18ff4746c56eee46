//! The impact law ΔP/P = Y·σ·(Q/V)^δ fitted from trade flow, and Kyle's λ.
//!
//! Metaorder proxy: without broker metaorder data, the net signed taker volume Q over a window
//! stands in for a metaorder and the log change of the mid over the same window for its impact
//! (the "aggregate impact" of Patzelt & Bouchaud 2018; Bouchaud, Bonart, Donier & Gould 2018,
//! ch. 12). Windows of several lengths are pooled so that Q spans orders of magnitude.
//!
//! Fit: with x = |Q|/V (V the daily volume) and y = sign(Q)·ΔP/P / σ (σ daily), minimise
//! Σ (y − Y·x^δ)² — for fixed δ the best Y is closed-form, Σ y·x^δ / Σ x^2δ, so δ is found by a
//! one-dimensional golden-section search on [0.05, 1.5]. Confidence intervals: block bootstrap
//! (windows resampled in blocks of `block_s` seconds, so that nested and neighbouring windows,
//! which share trades, move together), percentiles 2.5 and 97.5. Out of sample: the law is fitted
//! on the earlier part of the sample and scored on the later part against a linear law
//! (δ = 1, Y fitted) by mean squared error.
//!
//! Kyle's λ: OLS of the mid change (USD) on signed base volume per window, with its standard
//! error; also expressed in bps per $1M of signed flow.

use crate::error::CalibError;
use crate::records::{Series, Trade};
use crate::util::{golden_min, ols, quantile};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// One aggregation window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImpactWindow {
    pub start_ms: i64,
    pub len_s: f64,
    /// Net taker-buy notional (USD): + buys.
    pub signed_usd: f64,
    /// Net taker-buy base quantity.
    pub signed_qty: f64,
    /// Log change of the mid over the window.
    pub ret: f64,
    /// Mid at the start.
    pub mid0: f64,
    /// Bootstrap block the window belongs to.
    pub block: i64,
}

/// Tiles [first trade, last mid] with windows of each length in `lengths_s`; windows without
/// trades or without a mid at both ends carry no flow/impact pair and are not formed.
pub fn impact_windows(trades: &[Trade], mids: &Series, lengths_s: &[f64], block_s: f64) -> Vec<ImpactWindow> {
    let mut out = Vec::new();
    let (Some(first), Some(&last_mid)) = (trades.first(), mids.times_ms.last()) else { return out };
    let t0 = first.time_ms.max(mids.times_ms[0]);
    let block_ms = (block_s * 1e3).max(1.0) as i64;
    for &len in lengths_s {
        let w = (len * 1e3).round() as i64;
        if w <= 0 {
            continue;
        }
        let mut start = t0;
        let mut i = trades.partition_point(|t| t.time_ms < start);
        while start + w <= last_mid {
            // A window without trades adds nothing: jump to the one holding the next trade
            // (stepping through an idle span one window at a time hung; a fuzz find).
            match trades.get(i) {
                Some(t) if t.time_ms >= start + w => start += (t.time_ms - start) / w * w,
                None => break,
                _ => {}
            }
            if start + w > last_mid {
                break;
            }
            let end = start + w;
            let (mut su, mut sq, mut any) = (0.0, 0.0, false);
            // Trades in [start, end): the mid at `start` is the state before them.
            while i < trades.len() && trades[i].time_ms < end {
                su += trades[i].signed_qty() * trades[i].price;
                sq += trades[i].signed_qty();
                any = true;
                i += 1;
            }
            // Mids: last quote strictly before the window and last quote before its end.
            if let (true, Some(m0), Some(m1)) = (any, mids.at(start - 1), mids.at(end - 1)) {
                if su != 0.0 {
                    out.push(ImpactWindow {
                        start_ms: start,
                        len_s: len,
                        signed_usd: su,
                        signed_qty: sq,
                        ret: (m1 / m0).ln(),
                        mid0: m0,
                        block: (start - t0) / block_ms,
                    });
                }
            }
            start = end;
        }
    }
    out
}

/// Options of the impact-law fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactFitOptions {
    pub bootstrap: usize,
    pub seed: u64,
    /// Share of blocks (the latest) held out for the out-of-sample comparison.
    pub holdout: f64,
}

impl Default for ImpactFitOptions {
    fn default() -> Self {
        Self { bootstrap: 200, seed: 1, holdout: 0.3 }
    }
}

/// Out-of-sample comparison of the power law with a linear law.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OutOfSample {
    pub train: usize,
    pub test: usize,
    pub delta_train: f64,
    /// Mean squared error of y on the test set.
    pub mse_power: f64,
    pub mse_linear: f64,
    /// 1 − MSE/mean(y²): share of the test set's y² each law explains.
    pub r2_power: f64,
    pub r2_linear: f64,
}

/// The fitted law.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactFit {
    pub y: f64,
    pub delta: f64,
    pub y_ci95: (f64, f64),
    pub delta_ci95: (f64, f64),
    pub windows: usize,
    pub bootstrap: usize,
    pub daily_volatility: f64,
    pub daily_volume_usd: f64,
    pub out_of_sample: Option<OutOfSample>,
}

/// Least-squares Y and δ of y = Y·x^δ; returns (Y, δ, SSE).
pub fn fit_power(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let y_for = |d: f64| {
        let (mut num, mut den) = (0.0, 0.0);
        for (xi, yi) in x.iter().zip(y) {
            let p = xi.powf(d);
            num += yi * p;
            den += p * p;
        }
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    };
    let sse = |d: f64| {
        let a = y_for(d);
        x.iter().zip(y).map(|(xi, yi)| (yi - a * xi.powf(d)).powi(2)).sum::<f64>()
    };
    let d = golden_min(0.05, 1.5, 60, sse);
    (y_for(d), d, sse(d))
}

fn xy(w: &[&ImpactWindow], sigma: f64, v: f64) -> (Vec<f64>, Vec<f64>) {
    w.iter().map(|w| (w.signed_usd.abs() / v, w.signed_usd.signum() * w.ret / sigma)).unzip()
}

/// Fits the law on windows, given the daily σ and daily volume V (USD) it is expressed in.
pub fn fit_impact_law(
    windows: &[ImpactWindow],
    daily_volatility: f64,
    daily_volume_usd: f64,
    opts: &ImpactFitOptions,
) -> Result<ImpactFit, CalibError> {
    if !(daily_volatility > 0.0 && daily_volume_usd > 0.0) {
        return Err(CalibError::estimate("impact law", "σ and V must be positive"));
    }
    if windows.len() < 10 {
        return Err(CalibError::estimate(
            "impact law",
            format!("need ≥ 10 windows with flow, got {}", windows.len()),
        ));
    }
    let all: Vec<&ImpactWindow> = windows.iter().collect();
    let (x, y) = xy(&all, daily_volatility, daily_volume_usd);
    let (yy, delta, _) = fit_power(&x, &y);

    let mut by_block: std::collections::BTreeMap<i64, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, w) in windows.iter().enumerate() {
        by_block.entry(w.block).or_default().push(i);
    }
    let blocks: Vec<i64> = by_block.keys().copied().collect();
    let members: Vec<&Vec<usize>> = by_block.values().collect();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let (mut ys, mut ds) = (Vec::new(), Vec::new());
    for _ in 0..opts.bootstrap {
        let mut bx = Vec::with_capacity(x.len());
        let mut by = Vec::with_capacity(x.len());
        for _ in 0..members.len() {
            for &i in members[rng.random_range(0..members.len())] {
                bx.push(x[i]);
                by.push(y[i]);
            }
        }
        let (a, d, _) = fit_power(&bx, &by);
        ys.push(a);
        ds.push(d);
    }
    let ci = |v: &[f64]| (quantile(v, 0.025), quantile(v, 0.975));

    // Out of sample: earliest (1 − holdout) of blocks train, the rest test.
    let cut = blocks.get(((blocks.len() as f64) * (1.0 - opts.holdout)).floor() as usize).copied();
    let out_of_sample = cut.and_then(|cut| {
        let (tr, te): (Vec<&ImpactWindow>, Vec<&ImpactWindow>) = windows.iter().partition(|w| w.block < cut);
        if tr.len() < 10 || te.len() < 5 {
            return None;
        }
        let (xtr, ytr) = xy(&tr, daily_volatility, daily_volume_usd);
        let (xte, yte) = xy(&te, daily_volatility, daily_volume_usd);
        let (a, d, _) = fit_power(&xtr, &ytr);
        let lin =
            xtr.iter().zip(&ytr).map(|(x, y)| x * y).sum::<f64>() / xtr.iter().map(|x| x * x).sum::<f64>();
        let n = xte.len() as f64;
        let mse =
            |f: &dyn Fn(f64) -> f64| xte.iter().zip(&yte).map(|(x, y)| (y - f(*x)).powi(2)).sum::<f64>() / n;
        let mse_power = mse(&|x| a * x.powf(d));
        let mse_linear = mse(&|x| lin * x);
        let ms = yte.iter().map(|y| y * y).sum::<f64>() / n;
        Some(OutOfSample {
            train: tr.len(),
            test: te.len(),
            delta_train: d,
            mse_power,
            mse_linear,
            r2_power: 1.0 - mse_power / ms,
            r2_linear: 1.0 - mse_linear / ms,
        })
    });
    Ok(ImpactFit {
        y: yy,
        delta,
        y_ci95: ci(&ys),
        delta_ci95: ci(&ds),
        windows: windows.len(),
        bootstrap: opts.bootstrap,
        daily_volatility,
        daily_volume_usd,
        out_of_sample,
    })
}

/// Kyle's λ from windows of one length.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KyleLambda {
    pub window_s: f64,
    /// Mid change (USD) per unit of signed base volume.
    pub lambda_usd_per_unit: f64,
    pub std_err: f64,
    pub r2: f64,
    /// The same slope as relative move (bps) per $1M of signed notional.
    pub bps_per_million_usd: f64,
    pub windows: usize,
}

/// OLS of Δmid (USD) on signed base volume over the windows of length `window_s`.
pub fn kyle_lambda(windows: &[ImpactWindow], window_s: f64) -> Result<KyleLambda, CalibError> {
    let w: Vec<&ImpactWindow> = windows.iter().filter(|w| (w.len_s - window_s).abs() < 1e-9).collect();
    let x: Vec<f64> = w.iter().map(|w| w.signed_qty).collect();
    let y: Vec<f64> = w.iter().map(|w| w.mid0 * (w.ret.exp() - 1.0)).collect();
    let (_, b, se, r2) = ols(&x, &y).ok_or_else(|| {
        CalibError::estimate("Kyle λ", format!("need ≥ 3 windows of {window_s} s with varied flow"))
    })?;
    let xr: Vec<f64> = w.iter().map(|w| w.signed_usd / 1e6).collect();
    let yr: Vec<f64> = w.iter().map(|w| w.ret * 1e4).collect();
    let bps = ols(&xr, &yr).map(|r| r.1).unwrap_or(f64::NAN);
    Ok(KyleLambda {
        window_s,
        lambda_usd_per_unit: b,
        std_err: se,
        r2,
        bps_per_million_usd: bps,
        windows: w.len(),
    })
}
