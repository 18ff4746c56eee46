//! Depth profile by distance from mid: USD notional per bucket of `bucket_bps`, averaged over
//! book samples, within the range the data observes; a power law C(d) = A·d^β fitted to the
//! cumulative depth (least squares in logs) and used to extend the profile beyond the observed
//! range, anchored at the observed edge so cumulative depth stays continuous. This is the method
//! of `crates/impact/examples/derive_depth.rs`, made a library.

use crate::book::{BookSide, L2Book};
use crate::error::CalibError;
use crate::util::ols;
use liq_domain::DepthProfile;
use serde::{Deserialize, Serialize};

/// Fit of log C(d) = log A + β·log d over the observed buckets of one side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLawFit {
    pub beta: f64,
    /// A in C(d) = A·d^β (USD, d in bps).
    pub prefactor_usd: f64,
    pub r2: f64,
    /// Buckets the fit used.
    pub buckets: usize,
}

/// A depth profile with its fits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepthEstimate {
    pub profile: DepthProfile,
    pub bid_fit: PowerLawFit,
    pub ask_fit: PowerLawFit,
    /// Observed reach per side (bps); beyond it the profile is the power-law extension.
    pub observed_bps: (f64, f64),
    pub samples: usize,
}

/// Averages bucketed depth over book samples.
#[derive(Debug, Clone)]
pub struct DepthAccumulator {
    bucket_bps: f64,
    bid: Vec<f64>,
    ask: Vec<f64>,
    samples: usize,
    /// (spread in ticks, number of sample times it was seen at).
    spreads_ticks: Vec<(i64, usize)>,
    tick: f64,
}

/// The farthest a profile is observed from the mid (bps): 100%. A bid cannot lie farther below
/// the mid, and an ask 2× the mid or beyond is a stray order no cascade reaches; without the
/// bound, one ask at 1.8e19 in a snapshot sized a 119 GB bucket vector (a fuzz find).
pub const MAX_OBSERVED_BPS: f64 = 10_000.0;

impl DepthAccumulator {
    /// `observed_bps` per side bounds the buckets kept (beyond, a snapshot's depth is unknown),
    /// each at most [`MAX_OBSERVED_BPS`].
    pub fn new(bucket_bps: f64, observed_bps: (f64, f64), tick: f64) -> Self {
        let n = |bps: f64| (bps.min(MAX_OBSERVED_BPS) / bucket_bps).floor().max(0.0) as usize;
        Self {
            bucket_bps,
            bid: vec![0.0; n(observed_bps.0)],
            ask: vec![0.0; n(observed_bps.1)],
            samples: 0,
            spreads_ticks: Vec::new(),
            tick,
        }
    }

    /// Adds one book sample; a book without a mid (one side empty or crossed) is rejected.
    pub fn add(&mut self, book: &L2Book) -> Result<(), CalibError> {
        self.add_times(book, 1)
    }

    /// Adds one book sample as `times` samples: the book seen at `times` consecutive sample
    /// times (exactly as many calls to [`Self::add`], in one pass).
    pub fn add_times(&mut self, book: &L2Book, times: usize) -> Result<(), CalibError> {
        let mid = book.mid().ok_or_else(|| CalibError::estimate("depth", "book sample has no valid mid"))?;
        for (acc, side) in [(&mut self.bid, BookSide::Bid), (&mut self.ask, BookSide::Ask)] {
            let b = book.buckets(side, mid, self.bucket_bps, acc.len());
            acc.iter_mut().zip(b).for_each(|(a, x)| *a += x * times as f64);
        }
        if let (Some(b), Some(a)) = (book.best_bid(), book.best_ask()) {
            self.spreads_ticks.push((((a.0 - b.0) / self.tick).round() as i64, times));
        }
        self.samples += times;
        Ok(())
    }

    /// Averages, fits and extends to `reach_bps` per side.
    pub fn finish(mut self, reach_bps: f64) -> Result<DepthEstimate, CalibError> {
        if self.samples == 0 {
            return Err(CalibError::estimate("depth", "no book samples"));
        }
        let n = self.samples as f64;
        self.bid.iter_mut().chain(self.ask.iter_mut()).for_each(|x| *x /= n);
        let bid_fit = fit_power_law(&self.bid, self.bucket_bps)?;
        let ask_fit = fit_power_law(&self.ask, self.bucket_bps)?;
        let reach = (reach_bps / self.bucket_bps).ceil() as usize;
        // The median over sample times: element `total / 2` of the spreads sorted, each
        // repeated by its count.
        self.spreads_ticks.sort_unstable();
        let total: usize = self.spreads_ticks.iter().map(|s| s.1).sum();
        let mut seen = 0;
        let median = self.spreads_ticks.iter().find(|s| {
            seen += s.1;
            seen > total / 2
        });
        let spread = median.map(|s| s.0).unwrap_or(1).max(1);
        Ok(DepthEstimate {
            observed_bps: (self.bid.len() as f64 * self.bucket_bps, self.ask.len() as f64 * self.bucket_bps),
            profile: DepthProfile {
                bucket_bps: self.bucket_bps,
                bid_notional_usd: extend(&self.bid, bid_fit.beta, reach),
                ask_notional_usd: extend(&self.ask, ask_fit.beta, reach),
                spread_ticks: spread,
            },
            bid_fit,
            ask_fit,
            samples: self.samples,
        })
    }
}

/// Fits log C = log A + β log d to the cumulative depth at each bucket's outer edge (buckets
/// with zero cumulative depth, e.g. inside the spread, carry no log and are left out).
pub fn fit_power_law(buckets: &[f64], bucket_bps: f64) -> Result<PowerLawFit, CalibError> {
    let mut c = 0.0;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (i, &q) in buckets.iter().enumerate() {
        c += q;
        if c > 0.0 {
            x.push(((i + 1) as f64 * bucket_bps).ln());
            y.push(c.ln());
        }
    }
    let (a, b, _, r2) = ols(&x, &y).ok_or_else(|| {
        CalibError::estimate("depth fit", format!("need ≥ 3 non-empty buckets, got {}", x.len()))
    })?;
    Ok(PowerLawFit { beta: b, prefactor_usd: a.exp(), r2, buckets: x.len() })
}

/// Observed buckets followed by the power-law extension C(d) = C(D)·(d/D)^β out to `reach`
/// buckets (D the observed edge).
pub fn extend(observed: &[f64], beta: f64, reach: usize) -> Vec<f64> {
    let mut out = observed.to_vec();
    let edge = observed.len() as f64;
    let total: f64 = observed.iter().sum();
    if edge == 0.0 {
        return out;
    }
    let cum = |d: f64| total * (d / edge).powf(beta);
    for i in observed.len()..reach {
        out.push(cum((i + 1) as f64) - cum(i as f64));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A book whose cumulative notional at every bucket edge d (bps) is exactly A·d^β: one level
    /// in the middle of each 1-bps bucket carrying A((i+1)^β − i^β) USD.
    fn power_book(a: f64, beta: f64, buckets: usize) -> L2Book {
        let mid = 50_000.0;
        let mut b = L2Book::default();
        for i in 0..buckets {
            let usd = a * (((i + 1) as f64).powf(beta) - (i as f64).powf(beta));
            let d = (i as f64 + 0.5) / 1e4 * mid;
            b.set(BookSide::Bid, mid - d, usd / (mid - d));
            b.set(BookSide::Ask, mid + d, usd / (mid + d));
        }
        b
    }

    #[test]
    fn recovers_a_known_power_law_and_extends_it() {
        let book = power_book(2.0e5, 1.3, 80);
        let mut acc = DepthAccumulator::new(1.0, (60.0, 60.0), 0.5);
        acc.add(&book).unwrap();
        acc.add(&book).unwrap();
        let est = acc.finish(200.0).unwrap();
        for fit in [est.bid_fit, est.ask_fit] {
            assert!((fit.beta - 1.3).abs() < 1e-6, "β {}", fit.beta);
            assert!((fit.prefactor_usd / 2.0e5 - 1.0).abs() < 1e-6);
            assert!(fit.r2 > 0.999_999);
        }
        // Extension: cumulative at 200 bps = A·200^1.3 = 2e5 × 982.4… = 1.965e8.
        let total: f64 = est.profile.bid_notional_usd.iter().sum();
        assert!((total / (2.0e5 * 200f64.powf(1.3)) - 1.0).abs() < 1e-6, "total {total}");
        assert_eq!(est.profile.bid_notional_usd.len(), 200);
        // Best bid/ask 0.5 bps from mid each: spread 5 USD at 50,000 = 10 ticks of 0.5.
        assert_eq!(est.profile.spread_ticks, 10);
    }

    /// One book seen at three sample times is three samples; the observed reach is bounded.
    #[test]
    fn repeated_samples_and_bounded_reach() {
        let (wide, narrow) = (power_book(2.0e5, 1.3, 80), power_book(1.0e5, 1.3, 80));
        let mut once = DepthAccumulator::new(1.0, (60.0, 60.0), 0.5);
        let mut times = once.clone();
        for b in [&wide, &wide, &wide, &narrow] {
            once.add(b).unwrap();
        }
        times.add_times(&wide, 3).unwrap();
        times.add(&narrow).unwrap();
        let (a, b) = (once.finish(100.0).unwrap(), times.finish(100.0).unwrap());
        assert_eq!((a.samples, a.profile.spread_ticks), (b.samples, b.profile.spread_ticks));
        assert_eq!(a.samples, 4);
        for (x, y) in a.profile.bid_notional_usd.iter().zip(&b.profile.bid_notional_usd) {
            assert!((x / y - 1.0).abs() < 1e-12);
        }
        // A stray ask at 1.8e19 (reach ≈ 3.6e18 bps) keeps 10,000 one-bp buckets, not 3.6e18.
        let acc = DepthAccumulator::new(1.0, (50.0, 3.6e18), 0.5);
        assert_eq!((acc.bid.len(), acc.ask.len()), (50, 10_000));
    }

    #[test]
    fn empty_inputs_are_errors() {
        assert!(DepthAccumulator::new(1.0, (10.0, 10.0), 0.1).finish(100.0).is_err());
        let mut acc = DepthAccumulator::new(1.0, (10.0, 10.0), 0.1);
        assert!(acc.add(&L2Book::default()).is_err());
        assert!(fit_power_law(&[0.0, 1.0], 1.0).is_err());
    }
}
