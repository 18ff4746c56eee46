//! `liqcascade abm --seeds A-B`: the stylised facts of many independent runs of one config.
//!
//! One hour of simulated market gives 59 one-minute returns, too few to judge fat tails from one
//! run. Every seed of the range runs with the same effective config, duration and shock (in
//! parallel; results are gathered by seed, so the output does not depend on the thread count),
//! and the per-seed facts are summarised together with the kurtosis of all seeds' 1-minute
//! returns pooled.

use crate::abm_calib_cmd::AbmMeta;
use crate::table::{pct, usd};
use crate::InputError;
use anyhow::Result;
use liq_abm::stats::{kurtosis, log_returns};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::ops::RangeInclusive;

/// At most this many runs per command.
pub const MAX_RUNS: u64 = 1_000;

/// Minutes in a year of 365.25 days: 1-minute variance × this = annual variance.
const MINUTES_PER_YEAR: f64 = 525_960.0;

/// Lags of the |return| autocorrelation averaged into one number (volatility clustering).
const ABS_ACF_LAGS: usize = 5;

/// `A-B` (inclusive, A ≤ B, at most [`MAX_RUNS`] seeds) → `(A, B)`.
pub fn parse_range(spec: &str) -> Result<(u64, u64), InputError> {
    let bad = |why: &str| InputError(format!("--seeds {spec}: {why}"));
    let (a, b) = spec
        .trim()
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
        .ok_or_else(|| bad("expected an inclusive range of seeds A-B, e.g. 1-16"))?;
    if a > b {
        return Err(bad(&format!("empty range: the first seed ({a}) is after the last ({b})")));
    }
    if b - a >= MAX_RUNS {
        return Err(bad(&format!("{} runs; at most {MAX_RUNS} per command", (b - a).saturating_add(1))));
    }
    Ok((a, b))
}

/// The facts of one seed (one row of the table, one object of `runs` in the JSON). A statistic
/// with too few returns is NaN (`null` in JSON).
#[derive(Debug, Clone, Serialize)]
struct SeedRun {
    seed: u64,
    /// Number of 1-minute log returns of the mid.
    n_returns_1min: usize,
    /// Kurtosis (m4/m2², 3 = Gaussian) of the 1-minute returns.
    kurtosis_1min: f64,
    kurtosis_10s: f64,
    /// Autocorrelation of 1-minute returns at lag 1.
    acf_returns_1min_lag1: f64,
    /// Mean autocorrelation of |1-minute returns| over lags 1–5 (NaN unless all five exist).
    acf_abs_returns_1min_mean_lags_1_5: f64,
    /// sqrt(mean r² × 525,960) of the 1-minute returns r.
    annualised_vol_1min: f64,
    /// min mid / start mid − 1.
    max_drawdown: f64,
    liquidated_notional_usd: f64,
    accounts_liquidated: u64,
    /// Median quoted spread over the 1-second samples, bp of the mid.
    spread_bps_median: f64,
    /// Median resting quantity within ±10 bp of the mid, both sides, USD.
    depth_usd_10bp_median: f64,
    /// The run's 1-minute returns, for the pooled kurtosis.
    #[serde(skip)]
    returns_1min: Vec<f64>,
}

/// The runs taken together.
#[derive(Debug, Serialize)]
struct Pooled {
    runs: usize,
    /// Runs whose 1-minute kurtosis is above 3 (fatter tails than a Gaussian).
    kurtosis_above_3: usize,
    /// Runs with too few 1-minute returns for a kurtosis (at least 4 are needed).
    kurtosis_undefined: usize,
    /// Min / median / max of the runs' 1-minute kurtosis (runs where it exists).
    kurtosis_1min_min: f64,
    kurtosis_1min_median: f64,
    kurtosis_1min_max: f64,
    /// All runs' 1-minute returns concatenated (in seed order): count and kurtosis.
    n_returns_1min: usize,
    kurtosis_1min_pooled: f64,
    /// 2·√(24/n): a Gaussian's sample kurtosis of n returns is 3 ± this (two standard errors).
    gaussian_kurtosis_2se: f64,
    /// Mean over the runs of `acf_abs_returns_1min_mean_lags_1_5` (runs where it exists).
    acf_abs_returns_1min_mean_lags_1_5: f64,
    median_annualised_vol_1min: f64,
    /// The lowest `max_drawdown` of the runs.
    worst_drawdown: f64,
    /// Sum over the runs.
    liquidated_notional_usd: f64,
}

#[derive(Serialize)]
struct SeedsDocument<'a> {
    meta: &'a AbmMeta,
    runs: &'a [SeedRun],
    pooled: &'a Pooled,
}

fn seed_run(out: &liq_abm::AbmOutcome) -> SeedRun {
    let f = &out.stylised;
    let mids: Vec<f64> = out.price_path.iter().map(|p| p.mid).collect();
    let r1m = log_returns(&mids, 60);
    let lags = |v: &[f64]| -> f64 {
        // NaN unless every lag is there (a NaN lag propagates).
        v.get(..ABS_ACF_LAGS).map_or(f64::NAN, |l| l.iter().sum::<f64>() / ABS_ACF_LAGS as f64)
    };
    let mean_sq = r1m.iter().map(|r| r * r).sum::<f64>() / r1m.len() as f64;
    SeedRun {
        seed: out.seed,
        n_returns_1min: r1m.len(),
        kurtosis_1min: f.kurtosis_1min,
        kurtosis_10s: f.kurtosis_10s,
        acf_returns_1min_lag1: f.acf_returns_1min.first().copied().unwrap_or(f64::NAN),
        acf_abs_returns_1min_mean_lags_1_5: lags(&f.acf_abs_returns_1min),
        annualised_vol_1min: (mean_sq * MINUTES_PER_YEAR).sqrt(),
        max_drawdown: out.summary.max_drawdown,
        liquidated_notional_usd: out.summary.liquidated_notional_usd,
        accounts_liquidated: out.summary.accounts_liquidated,
        spread_bps_median: f.spread_bps.median,
        depth_usd_10bp_median: f.depth_usd_10bp.median,
        returns_1min: r1m,
    }
}

/// The finite values of `x`, sorted.
fn finite_sorted(x: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = x.filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Median of sorted values (mean of the middle two for an even count; NaN if empty).
fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

fn pool(runs: &[SeedRun]) -> Pooled {
    let kurt = finite_sorted(runs.iter().map(|r| r.kurtosis_1min));
    let all: Vec<f64> = runs.iter().flat_map(|r| r.returns_1min.iter().copied()).collect();
    let abs_acf = finite_sorted(runs.iter().map(|r| r.acf_abs_returns_1min_mean_lags_1_5));
    let vol = finite_sorted(runs.iter().map(|r| r.annualised_vol_1min));
    Pooled {
        runs: runs.len(),
        kurtosis_above_3: runs.iter().filter(|r| r.kurtosis_1min > 3.0).count(),
        kurtosis_undefined: runs.len() - kurt.len(),
        kurtosis_1min_min: kurt.first().copied().unwrap_or(f64::NAN),
        kurtosis_1min_median: median(&kurt),
        kurtosis_1min_max: kurt.last().copied().unwrap_or(f64::NAN),
        n_returns_1min: all.len(),
        kurtosis_1min_pooled: kurtosis(&all),
        gaussian_kurtosis_2se: 2.0 * (24.0 / all.len() as f64).sqrt(),
        acf_abs_returns_1min_mean_lags_1_5: abs_acf.iter().sum::<f64>() / abs_acf.len() as f64,
        median_annualised_vol_1min: median(&vol),
        worst_drawdown: runs.iter().map(|r| r.max_drawdown).fold(f64::NAN, f64::min),
        liquidated_notional_usd: runs.iter().map(|r| r.liquidated_notional_usd).sum(),
    }
}

/// `x` through `f`, or `n/a` when it is not a number.
fn or_na(x: f64, f: impl Fn(f64) -> String) -> String {
    if x.is_finite() {
        f(x)
    } else {
        "n/a".to_string()
    }
}

fn render(meta: &AbmMeta, runs: &[SeedRun], p: &Pooled) -> String {
    let mut o = String::new();
    let [first, last] = meta.seeds.unwrap_or_default();
    let _ = writeln!(
        o,
        "liqcascade {} · agent-based market · config {} ({}) · seeds {first}–{last} ({} runs) · {:.0} s each",
        meta.version,
        meta.config_source,
        meta.config_hash,
        runs.len(),
        meta.duration_s
    );
    if let Some(sh) = &meta.shock {
        let _ = writeln!(o, "  shock {} at {:.0} s over {:.0} s", pct(sh.index_move), sh.at_s, sh.over_s);
    }
    let _ = writeln!(
        o,
        "  returns of the mid at 1 min unless marked; kurtosis 3 = Gaussian; ACF |r| is the mean over lags 1–5"
    );
    let _ = writeln!(o);
    let line = |o: &mut String, c: [&str; 10]| {
        let _ = writeln!(
            o,
            "  {:>6} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>12} {:>9} {:>12}",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]
        );
    };
    line(
        &mut o,
        [
            "seed",
            "kurt 1m",
            "kurt 10s",
            "ACF r(1)",
            "ACF |r|",
            "vol ann.",
            "max DD",
            "liquidated",
            "spread bp",
            "depth ±10bp",
        ],
    );
    for r in runs {
        line(
            &mut o,
            [
                &r.seed.to_string(),
                &or_na(r.kurtosis_1min, |x| format!("{x:.2}")),
                &or_na(r.kurtosis_10s, |x| format!("{x:.2}")),
                &or_na(r.acf_returns_1min_lag1, |x| format!("{x:+.2}")),
                &or_na(r.acf_abs_returns_1min_mean_lags_1_5, |x| format!("{x:+.2}")),
                &or_na(r.annualised_vol_1min, |x| format!("{:.1}%", x * 100.0)),
                &or_na(r.max_drawdown, pct),
                &usd(r.liquidated_notional_usd),
                &or_na(r.spread_bps_median, |x| format!("{x:.2}")),
                &or_na(r.depth_usd_10bp_median, usd),
            ],
        );
    }
    let _ = writeln!(o);
    let undefined = match p.kurtosis_undefined {
        0 => String::new(),
        n => format!(" ({n} with too few returns for one)"),
    };
    let _ = writeln!(
        o,
        "  1-min kurtosis > 3 in {} of {} runs{undefined} · min {}, median {}, max {}",
        p.kurtosis_above_3,
        p.runs,
        or_na(p.kurtosis_1min_min, |x| format!("{x:.2}")),
        or_na(p.kurtosis_1min_median, |x| format!("{x:.2}")),
        or_na(p.kurtosis_1min_max, |x| format!("{x:.2}")),
    );
    let _ = writeln!(
        o,
        "  pooled 1-min kurtosis {} over {} returns (Gaussian: 3 ± {})",
        or_na(p.kurtosis_1min_pooled, |x| format!("{x:.2}")),
        p.n_returns_1min,
        or_na(p.gaussian_kurtosis_2se, |x| format!("{x:.2}")),
    );
    let _ = writeln!(
        o,
        "  mean ACF |r| (lags 1–5) {} · median annualised vol {} · worst drawdown {} · liquidated {} in all runs",
        or_na(p.acf_abs_returns_1min_mean_lags_1_5, |x| format!("{x:+.2}")),
        or_na(p.median_annualised_vol_1min, |x| format!("{:.1}%", x * 100.0)),
        or_na(p.worst_drawdown, pct),
        usd(p.liquidated_notional_usd),
    );
    o
}

/// Runs every seed of `seeds` and prints the table (or `--json`).
pub fn run(
    cfg: &liq_abm::AbmConfig,
    seeds: RangeInclusive<u64>,
    duration_s: f64,
    meta: &AbmMeta,
    json: bool,
) -> Result<()> {
    use std::io::IsTerminal;
    let seeds: Vec<u64> = seeds.collect();
    let hidden = crate::quiet() || !std::io::stderr().is_terminal();
    let pb = crate::stress_cmd::progress(seeds.len() as u64, hidden, "seeds");
    // An indexed parallel iterator collects in seed order whatever the thread count; each run is
    // reduced to its row at once, so a thousand runs do not hold a thousand event logs.
    let runs: Vec<SeedRun> = seeds
        .par_iter()
        .map(|&seed| {
            let out = liq_abm::run_abm(cfg, seed, duration_s).map_err(|e| InputError(e.to_string()));
            pb.inc(1);
            out.map(|o| seed_run(&o))
        })
        .collect::<Result<_, _>>()?;
    pb.finish_and_clear();
    let pooled = pool(&runs);
    if json {
        let doc = SeedsDocument { meta, runs: &runs, pooled: &pooled };
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        out!("{}", render(meta, &runs, &pooled))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seed_ranges() {
        assert_eq!(parse_range("1-16").unwrap(), (1, 16));
        assert_eq!(parse_range(" 7 - 7 ").unwrap(), (7, 7));
        assert_eq!(parse_range("0-999").unwrap(), (0, 999));
        for bad in ["3-1", "x", "16", "1-", "-3", "1-2-3", "1-2000", "a-b", "0-1000"] {
            let e = parse_range(bad).unwrap_err().0;
            assert!(e.starts_with(&format!("--seeds {bad}:")), "{e}");
        }
        assert!(parse_range(&format!("0-{}", u64::MAX)).is_err());
    }

    #[test]
    fn median_and_pool_of_hand_made_runs() {
        assert!(median(&[]).is_nan());
        assert_eq!(median(&[1.0, 2.0, 10.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), 3.0);
        let run = |seed, k: f64, dd, liq, r: Vec<f64>| SeedRun {
            seed,
            n_returns_1min: r.len(),
            kurtosis_1min: k,
            kurtosis_10s: f64::NAN,
            acf_returns_1min_lag1: f64::NAN,
            acf_abs_returns_1min_mean_lags_1_5: 0.1 * seed as f64,
            annualised_vol_1min: seed as f64,
            max_drawdown: dd,
            liquidated_notional_usd: liq,
            accounts_liquidated: 0,
            spread_bps_median: 1.0,
            depth_usd_10bp_median: 1e6,
            returns_1min: r,
        };
        let runs = [
            run(1, 4.0, -0.01, 10.0, vec![0.0, 0.0]),
            run(2, 2.0, -0.05, 0.0, vec![0.0, 0.0]),
            run(3, f64::NAN, -0.02, 5.0, vec![4.0]),
        ];
        let p = pool(&runs);
        assert_eq!((p.runs, p.kurtosis_above_3, p.kurtosis_undefined), (3, 1, 1));
        assert_eq!((p.kurtosis_1min_min, p.kurtosis_1min_median, p.kurtosis_1min_max), (2.0, 3.0, 4.0));
        // Pooled returns [0, 0, 0, 0, 4]: kurtosis 3.25 (see liq_abm::stats' hand-worked test).
        assert_eq!(p.n_returns_1min, 5);
        assert!((p.kurtosis_1min_pooled - 3.25).abs() < 1e-12);
        assert!((p.gaussian_kurtosis_2se - 2.0 * (24.0f64 / 5.0).sqrt()).abs() < 1e-12);
        assert!((p.acf_abs_returns_1min_mean_lags_1_5 - 0.2).abs() < 1e-12);
        assert_eq!(p.median_annualised_vol_1min, 2.0);
        assert_eq!((p.worst_drawdown, p.liquidated_notional_usd), (-0.05, 15.0));
    }
}
