//! Confidence intervals of the Monte Carlo tail figures (DESIGN.md "Uncertainty of the tail
//! figures").
//!
//! - **VaR** (a quantile): the distribution-free order-statistic interval. With `N` paths the
//!   number of losses below the true α-quantile is Binomial(N, α), so the pair of order
//!   statistics `(L_(l), L_(u))` covers it with probability `F(u−1) − F(l−1)` (F the binomial
//!   CDF) whatever the loss distribution is. `l` and `u` are the ranks that leave at most 2.5%
//!   on each side. When `u` would lie beyond the worst path the upper end is `+∞`: the paths
//!   cannot bound that quantile from above, and the report says so instead of inventing a bound.
//! - **ES** (a tail mean), and the **paired ratio** cascade ES / no-feedback ES: a percentile
//!   bootstrap with a seeded RNG. No distribution-free interval exists for a tail mean. The
//!   ratio is bootstrapped by resampling whole paths, so both runs of a path stay together (the
//!   paired distribution: the two ES share most of their variance).
//!
//! The bootstrap draws a resample as multinomial counts. For a single column the counts are drawn
//! from the worst path down as a sequence of conditional binomials and stop once the tail is
//! filled, so a resample costs O(tail paths), not O(N); the paired bootstrap needs counts for
//! every path (O(N) per resample). Each figure has its own RNG stream derived from the run's seed
//! and the figure's id, so the intervals depend on the rows only: a merged shard set gives the
//! same intervals as a single run.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial as BinomialDist, DiscreteCDF};

/// Nominal coverage of every interval.
pub const LEVEL: f64 = 0.95;
/// Bootstrap resamples per figure: the 2.5% and 97.5% percentiles are then the 25th and 975th
/// of 1,000 sorted resample values; their own Monte Carlo error is about √(0.025·0.975/1000) ≈
/// 0.5 percentile points, small against the interval itself.
pub const RESAMPLES: usize = 1000;
/// A figure resting on fewer tail paths than this carries a warning. Measured on an exponential
/// tail (tests/intervals.rs, DESIGN.md "Uncertainty of the tail figures"): the bootstrap ES
/// interval covers 89% at 50 tail paths and 94% at 200, so below 100 its stated 95% is
/// optimistic; and with k tail paths the VaR interval spans about ±1.96·√k ranks (±20% of the
/// tail at k = 100). Below it the interval, not the point, is the answer.
pub const MIN_TAIL_PATHS: u64 = 100;

/// A two-sided interval. The upper end may be `+∞` (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub lo: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub hi: f64,
}

impl Interval {
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// Tail size at `alpha` of `n` sorted losses: the index `i = ⌈α·N⌉ − 1` of VaR and the `N − i`
/// worst paths ES averages (the definition of `risk::var_es`).
pub fn tail_index(n: usize, alpha: f64) -> usize {
    ((alpha * n as f64).ceil() as usize).clamp(1, n) - 1
}

/// The 1-based ranks `(l, u)` of the order-statistic interval of the α-quantile of `n` draws and
/// its exact coverage `F(u−1) − F(l−1)`. `l = 0` means the lower end is unbounded, `u = n + 1`
/// the upper end.
///
/// With `B` = #{draws ≤ q} ~ Binomial(n, α) and `F` its CDF (`F(−1) = 0`):
/// `P(L_(l) > q) = F(l−1)` and `P(L_(u) < q) = 1 − F(u−1)`, so `l` is the largest rank with
/// `F(l−1) ≤ 2.5%` and `u` the smallest with `F(u−1) ≥ 97.5%`.
pub fn order_statistic_ranks(n: u64, alpha: f64) -> (u64, u64, f64) {
    let b = match BinomialDist::new(alpha, n) {
        Ok(b) => b,
        Err(_) => return (0, n + 1, 1.0),
    };
    let tail = (1.0 - LEVEL) / 2.0;
    // F(r − 1) for a rank r (F(−1) = 0, F(n) = 1).
    let f_below = |r: u64| {
        if r == 0 {
            0.0
        } else if r > n {
            1.0
        } else {
            b.cdf(r - 1)
        }
    };
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if f_below(mid) <= tail {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let l = lo;
    let (mut a, mut c) = (l.max(1), n + 1);
    while a < c {
        let mid = (a + c) / 2;
        if f_below(mid) >= 1.0 - tail {
            c = mid;
        } else {
            a = mid + 1;
        }
    }
    let u = a;
    (l, u, (f_below(u) - f_below(l)).max(0.0))
}

/// The order-statistic interval of VaR from ascending-sorted losses.
pub fn var_interval(sorted: &[f64], alpha: f64) -> Interval {
    let n = sorted.len() as u64;
    if n == 0 {
        return Interval { lo: 0.0, hi: 0.0 };
    }
    let (l, u, _) = order_statistic_ranks(n, alpha);
    let lo = if l == 0 { f64::NEG_INFINITY } else { sorted[(l - 1) as usize] };
    let hi = if u > n { f64::INFINITY } else { sorted[(u - 1) as usize] };
    Interval { lo, hi }
}

/// The RNG of figure `id` of a run seeded with `seed`. The salt keeps these streams apart from
/// the path streams (`montecarlo::path_rng`, stream = path index).
fn figure_rng(seed: u64, id: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6f6f_7473_7472_6170);
    rng.set_stream(id);
    rng
}

fn percentile_interval(mut v: Vec<f64>) -> Interval {
    if v.is_empty() {
        return Interval { lo: 0.0, hi: 0.0 };
    }
    v.sort_by(f64::total_cmp);
    let tail = (1.0 - LEVEL) / 2.0;
    let at = |p: f64| v[((p * v.len() as f64).floor() as usize).min(v.len() - 1)];
    Interval { lo: at(tail), hi: at(1.0 - tail) }
}

/// ES of one resample of ascending-sorted `sorted`, drawn as multinomial counts from the worst
/// path down (conditional binomials) until the `k` worst resampled values are known.
fn resample_es(sorted: &[f64], k: usize, rng: &mut ChaCha8Rng) -> f64 {
    let n = sorted.len();
    let mut remaining = n as u64;
    let mut taken = 0usize;
    let mut sum = 0.0;
    for j in (0..n).rev() {
        let cells = (j + 1) as f64;
        let c = if j == 0 {
            remaining
        } else {
            Binomial::new(remaining, 1.0 / cells).map(|b| b.sample(rng)).unwrap_or(0)
        };
        remaining -= c;
        let use_c = (c as usize).min(k - taken);
        sum += use_c as f64 * sorted[j];
        taken += use_c;
        if taken == k {
            break;
        }
    }
    sum / k as f64
}

/// The bootstrap interval of ES at `alpha` from ascending-sorted losses.
pub fn es_interval(sorted: &[f64], alpha: f64, seed: u64, id: u64) -> Interval {
    let n = sorted.len();
    if n == 0 {
        return Interval { lo: 0.0, hi: 0.0 };
    }
    let k = n - tail_index(n, alpha);
    let mut rng = figure_rng(seed, id);
    percentile_interval((0..RESAMPLES).map(|_| resample_es(sorted, k, &mut rng)).collect())
}

/// ES at `alpha` of the values `x` weighted by integer `counts`, walking `order` (the indices of
/// `x` sorted ascending) from the worst down until `k` draws are taken.
fn weighted_es(x: &[f64], order: &[usize], counts: &[u32], k: usize) -> f64 {
    let mut taken = 0usize;
    let mut sum = 0.0;
    for &i in order.iter().rev() {
        let c = (counts[i] as usize).min(k - taken);
        sum += c as f64 * x[i];
        taken += c;
        if taken == k {
            break;
        }
    }
    sum / k as f64
}

/// The paired bootstrap interval of `f(ES_α(a), ES_α(b))` (e.g. a ratio), resampling paths so
/// that `a[p]` and `b[p]` stay together.
pub fn paired_es_interval(
    a: &[f64],
    b: &[f64],
    alpha: f64,
    seed: u64,
    id: u64,
    f: impl Fn(f64, f64) -> f64,
) -> Interval {
    let n = a.len().min(b.len());
    if n == 0 {
        return Interval { lo: 0.0, hi: 0.0 };
    }
    let k = n - tail_index(n, alpha);
    let sort = |x: &[f64]| {
        let mut o: Vec<usize> = (0..n).collect();
        o.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        o
    };
    let (oa, ob) = (sort(a), sort(b));
    let mut rng = figure_rng(seed, id);
    let mut counts = vec![0u32; n];
    let stats = (0..RESAMPLES)
        .map(|_| {
            counts.iter_mut().for_each(|c| *c = 0);
            for _ in 0..n {
                counts[rng.random_range(0..n)] += 1;
            }
            f(weighted_es(a, &oa, &counts, k), weighted_es(b, &ob, &counts, k))
        })
        .collect();
    percentile_interval(stats)
}

/// The paired bootstrap interval of `VaR_α(a) − VaR_α(b)`, resampling paths so that `a[p]` and
/// `b[p]` stay together (the hedged and unhedged loss of one path share its draw). A resample's
/// VaR is the `⌈α·N⌉`-th smallest of its N draws (`risk::var_es`), found by walking each column's
/// sorted order with the resample's counts.
pub fn paired_var_interval(a: &[f64], b: &[f64], alpha: f64, seed: u64, id: u64) -> Interval {
    let n = a.len().min(b.len());
    if n == 0 {
        return Interval { lo: 0.0, hi: 0.0 };
    }
    let rank = tail_index(n, alpha) as u64;
    let sort = |x: &[f64]| {
        let mut o: Vec<usize> = (0..n).collect();
        o.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        o
    };
    let (oa, ob) = (sort(a), sort(b));
    let quantile = |x: &[f64], order: &[usize], counts: &[u32]| {
        let mut seen = 0u64;
        for &i in order {
            seen += u64::from(counts[i]);
            if seen > rank {
                return x[i];
            }
        }
        x[order[n - 1]]
    };
    let mut rng = figure_rng(seed, id);
    let mut counts = vec![0u32; n];
    let stats = (0..RESAMPLES)
        .map(|_| {
            counts.iter_mut().for_each(|c| *c = 0);
            for _ in 0..n {
                counts[rng.random_range(0..n)] += 1;
            }
            quantile(a, &oa, &counts) - quantile(b, &ob, &counts)
        })
        .collect();
    percentile_interval(stats)
}

/// The paired 95% interval of the mean difference `mean(a − b)` over paths: Student-t on the
/// per-path differences, `d̄ ± t(0.975, n−1)·s_d/√n`. Common random numbers make `a[p]` and
/// `b[p]` share the path's draw, so `s_d` is small wherever the two runs move together. Fewer
/// than two paths cannot bound a mean: the interval is then unbounded.
pub fn paired_mean_interval(a: &[f64], b: &[f64]) -> Interval {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = a.len().min(b.len());
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n.max(1) as f64;
    if n < 2 {
        return Interval { lo: f64::NEG_INFINITY, hi: f64::INFINITY };
    }
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map(|s| s.inverse_cdf(1.0 - (1.0 - LEVEL) / 2.0))
        .unwrap_or(f64::INFINITY);
    let half = t * (var / n as f64).sqrt();
    Interval { lo: mean - half, hi: mean + half }
}

/// The Clopper–Pearson (exact binomial) interval of a proportion `x / n`.
pub fn proportion_interval(x: u64, n: u64) -> Interval {
    use statrs::distribution::{Beta, ContinuousCDF};
    if n == 0 {
        return Interval { lo: 0.0, hi: 1.0 };
    }
    let tail = (1.0 - LEVEL) / 2.0;
    let lo = if x == 0 {
        0.0
    } else {
        Beta::new(x as f64, (n - x + 1) as f64).map(|b| b.inverse_cdf(tail)).unwrap_or(0.0)
    };
    let hi = if x == n {
        1.0
    } else {
        Beta::new((x + 1) as f64, (n - x) as f64).map(|b| b.inverse_cdf(1.0 - tail)).unwrap_or(1.0)
    };
    Interval { lo, hi }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistic_ranks_hand_worked() {
        // Hand-worked (binomial sums by hand/python): n = 100, α = 0.5. F(39) = 0.0176 ≤ 2.5% <
        // F(40) = 0.0284, so l − 1 = 39 → l = 40; F(59) = 0.9716 < 97.5% ≤ F(60) = 0.9824, so
        // u − 1 = 60 → u = 61. Coverage F(60) − F(39) = 0.9824 − 0.0176 = 0.9648.
        let (l, u, cov) = order_statistic_ranks(100, 0.5);
        assert_eq!((l, u), (40, 61));
        assert!((cov - 0.9648).abs() < 5e-4, "{cov}");
        // 1,000 paths at 99.9%: the worst path is the 1,000th; the interval cannot close above.
        let (_, u, _) = order_statistic_ranks(1000, 0.999);
        assert_eq!(u, 1001);
    }

    #[test]
    fn unbounded_upper_end_when_the_tail_is_too_thin() {
        let v: Vec<f64> = (1..=1000).map(f64::from).collect();
        let i = var_interval(&v, 0.999);
        assert_eq!(i.hi, f64::INFINITY);
        assert!(i.lo <= 999.0);
        let i = var_interval(&v, 0.99);
        assert!(i.lo < 990.0 && i.hi > 990.0 && i.hi.is_finite(), "{i:?}");
    }

    #[test]
    fn bootstrap_is_deterministic_and_brackets_the_point() {
        let v: Vec<f64> = (0..2000).map(|i| ((i * 7919) % 2000) as f64).collect();
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        let a = es_interval(&s, 0.99, 42, 3);
        assert_eq!(a, es_interval(&s, 0.99, 42, 3));
        let point = crate::risk::var_es(&v, 0.99).es;
        assert!(a.lo <= point && point <= a.hi, "{a:?} {point}");
        // A paired ratio of a column with itself is exactly 1 in every resample.
        let r = paired_es_interval(&v, &v, 0.99, 42, 4, |x, y| x / y);
        assert_eq!((r.lo, r.hi), (1.0, 1.0));
    }

    #[test]
    fn paired_var_of_a_shifted_column_is_the_shift() {
        // b = a + 5 path by path: every resample's VaR difference is exactly −5.
        let a: Vec<f64> = (0..500).map(|i| ((i * 7919) % 500) as f64).collect();
        let b: Vec<f64> = a.iter().map(|x| x + 5.0).collect();
        let i = paired_var_interval(&a, &b, 0.99, 42, 7);
        assert_eq!((i.lo, i.hi), (-5.0, -5.0));
        assert_eq!(i, paired_var_interval(&a, &b, 0.99, 42, 7));
    }

    #[test]
    fn clopper_pearson_hand_worked() {
        // 0 successes of 10: upper end 1 − 0.025^(1/10) = 0.3085 (closed form).
        let i = proportion_interval(0, 10);
        assert_eq!(i.lo, 0.0);
        assert!((i.hi - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-6, "{i:?}");
    }
}
