//! Bounds on every quantity whose size the user chooses, in one place.
//!
//! A number in a scenario file or on the command line that sizes an allocation (accounts, map
//! bins, path steps, Monte Carlo paths) or that feeds the price arithmetic (shocks, volatilities)
//! is checked here *before* anything is allocated or computed, so that a typo (`1e9s`, `1e10`)
//! ends in a clear error instead of an abort, a hang or a silent NaN. Each check returns a
//! message without its source; the caller prefixes the flag (`--crash-over 1e9s: …`) or the
//! file, line and field (`s.toml:12: population.accounts: …`).
//!
//! | quantity | bound | why |
//! |---|---|---|
//! | accounts in a scenario (`population.accounts`, CSV rows, inline) | ≤ [`MAX_ACCOUNTS`] = 10,000,000 | a cascade holds every account and position in memory: measured ≈ 370 B per account for `run` (max RSS 82.6 MB with the default 120,000 accounts, 213.5 MB with 480,000; `/usr/bin/time`, 2026-12-02), so 10 M accounts ≈ 3.7 GB, the most this tool is meant to hold on a workstation; 2 M accounts (the largest run in issue 14) is 5× below |
//! | shock / relative price move (`run --shock`, the scenario's `[shock]`) | > [`MIN_MOVE`] = −100 % and ≤ [`MAX_MOVE`] = +900 % | a price cannot fall by 100 % or more; above, a +100 % move already takes every 1× short to bankruptcy, so +900 % (price × 10) leaves room only for shorts over-collateralised 9×; larger values carry no information and push tick and micro-USD arithmetic towards overflow (`--shock BTC=1e10` was silently ignored, `1e308` gave NaN marks) |
//! | daily volatility (`stress --vol`) | in [0, [`MAX_DAILY_VOL`] = 100 %) | the same range `population.markets[].daily_vol` accepts; a 100 %/day σ is ~20× BTC's and beyond any listed perp's realised volatility; `1e308` made VaR/ES null |
//! | durations (`--crash-over`, `--rebound-over`, `--horizon`, replay span) | ≤ [`MAX_DURATION_S`] = 30 days | a liquidation cascade plays out in minutes to hours; a month is far beyond any shock path and keeps step counts bounded |
//! | step (`--step`) | ≥ [`MIN_STEP_S`] = 1 ms | venue timestamps (Binance, Bybit, OKX, Hyperliquid) are in milliseconds: a finer step resolves nothing |
//! | steps of a time-stepped path (duration / step) | ≤ [`MAX_PATH_STEPS`] = 1,000,000 | the path is stored as steps × markets levels; 10⁶ steps = 11.6 days at 1 s; `--step 1e-9s` asked for 10⁹ |
//! | Monte Carlo paths (`stress --paths`) | ≤ [`MAX_PATHS`] = 1,000,000 | every path's result row (≈ 350 B with three markets) is kept for the quantiles: 10⁶ rows ≈ 350 MB; 10⁶ paths already put 1,000 paths in the 99.9 % tail |
//! | liquidation-map bins (2 · range / bin) | ≤ [`MAX_MAP_BINS`] = 2,000 (with the cascade), ≤ [`MAX_MAP_BINS_FIRST_ORDER`] = 100,000 (first order) | the map runs a cascade at every bin edge: 2,000 cascades is minutes; `--range 99.99% --bin 0.0001%` asked for 200,000 cascades and hung; `--bin 1e-9%` for 4·10¹⁰ bins and aborted |
//! | sweep grid points (`sweep --points`) | 2 ..= [`MAX_SWEEP_POINTS`] = 1,000 | each point is a full cascade run (plus the bisection's); 1,000 points resolve the shock axis to 0.1 % of its span |

/// Most accounts a scenario may hold, from every source together.
pub const MAX_ACCOUNTS: u32 = 10_000_000;
/// A relative move must be strictly greater than this (−100 %: the price reaches zero).
pub const MIN_MOVE: f64 = -1.0;
/// Largest relative move (+900 %, the price times ten).
pub const MAX_MOVE: f64 = 9.0;
/// Daily volatility must be below this (100 % per day).
pub const MAX_DAILY_VOL: f64 = 1.0;
/// Longest duration of a path, a horizon or a recorded replay (30 days).
pub const MAX_DURATION_S: f64 = 30.0 * 86_400.0;
/// Shortest step of the time-stepped engine (1 ms).
pub const MIN_STEP_S: f64 = 0.001;
/// Most steps of one time-stepped path.
pub const MAX_PATH_STEPS: u64 = 1_000_000;
/// Most Monte Carlo paths of one stress run (all shards together).
pub const MAX_PATHS: u64 = 1_000_000;
/// Most bins of a liquidation map computed with the cascade at each edge.
pub const MAX_MAP_BINS: u64 = 2_000;
/// Most bins of a first-order-only liquidation map (`--no-cascade`).
pub const MAX_MAP_BINS_FIRST_ORDER: u64 = 100_000;

/// Most grid points of a shock→loss sweep.
pub const MAX_SWEEP_POINTS: usize = 1_000;

/// Grid points of a sweep: at least 2, at most [`MAX_SWEEP_POINTS`].
pub fn check_sweep_points(n: usize) -> Result<usize, String> {
    if !(2..=MAX_SWEEP_POINTS).contains(&n) {
        return Err(format!("{n} points; give between 2 and {MAX_SWEEP_POINTS}"));
    }
    Ok(n)
}

/// Shows a fraction as a percentage for messages (`-0.08` → `-8%`).
fn pct(x: f64) -> String {
    format!("{}%", x * 100.0)
}

/// A relative price move (a shock): finite, above −100 % and at most +900 %.
pub fn check_move(v: f64) -> Result<f64, String> {
    if !v.is_finite() {
        return Err(format!("a relative move must be finite, got {v}"));
    }
    if v <= MIN_MOVE {
        return Err(format!("a price cannot fall by 100% or more, got {}", pct(v)));
    }
    if v > MAX_MOVE {
        return Err(format!(
            "a move of {} is beyond the supported +{} (price × {}); see docs/scenario-format.md, \"Limits\"",
            pct(v),
            pct(MAX_MOVE),
            MAX_MOVE + 1.0
        ));
    }
    Ok(v)
}

/// A daily volatility: finite, ≥ 0 and below 100 %.
pub fn check_daily_vol(v: f64) -> Result<f64, String> {
    if !(v.is_finite() && (0.0..MAX_DAILY_VOL).contains(&v)) {
        return Err(format!("a daily volatility must be in [0%, {}), got {v}", pct(MAX_DAILY_VOL)));
    }
    Ok(v)
}

/// A duration in seconds: positive, finite and at most 30 days.
pub fn check_duration_s(v: f64) -> Result<f64, String> {
    if !(v.is_finite() && v > 0.0) {
        return Err(format!("a duration must be positive and finite, got {v} s"));
    }
    if v > MAX_DURATION_S {
        return Err(format!("{v} s is longer than the supported {} s (30 days)", MAX_DURATION_S));
    }
    Ok(v)
}

/// A step of the time-stepped engine: at least 1 ms and at most 30 days.
pub fn check_step_s(v: f64) -> Result<f64, String> {
    check_duration_s(v)?;
    if v < MIN_STEP_S {
        return Err(format!(
            "a step must be at least {MIN_STEP_S} s (1 ms, the venues' timestamp resolution), got {v} s"
        ));
    }
    Ok(v)
}

/// Number of steps (≥ 1) covering `duration_s` at `step_s`, checked against [`MAX_PATH_STEPS`]
/// before the caller allocates anything of that length.
pub fn path_steps(duration_s: f64, step_s: f64) -> Result<usize, String> {
    check_duration_s(duration_s)?;
    check_step_s(step_s)?;
    let steps = (duration_s / step_s).round().max(1.0);
    if steps > MAX_PATH_STEPS as f64 {
        return Err(format!(
            "{duration_s} s at a {step_s} s step is {steps} steps; at most {MAX_PATH_STEPS} are supported (use a longer step)"
        ));
    }
    Ok(steps as usize)
}

/// Monte Carlo paths: at least 1, at most [`MAX_PATHS`].
pub fn check_paths(n: u64) -> Result<u64, String> {
    if n == 0 || n > MAX_PATHS {
        return Err(format!("{n} paths; give between 1 and {MAX_PATHS}"));
    }
    Ok(n)
}

/// Accounts of a scenario: at most [`MAX_ACCOUNTS`].
pub fn check_accounts(n: u64) -> Result<u64, String> {
    if n > u64::from(MAX_ACCOUNTS) {
        return Err(format!("{n} accounts; at most {MAX_ACCOUNTS} are supported"));
    }
    Ok(n)
}

/// Number of bins of a liquidation map with `range` either side of the mark and bins of
/// `bin_width` (both fractions): `2 · ⌈range / bin⌉`, within [`MAX_MAP_BINS`] (or
/// [`MAX_MAP_BINS_FIRST_ORDER`] when no cascade runs at the edges).
pub fn map_bins(range: f64, bin_width: f64, cascade: bool) -> Result<u64, String> {
    if !(range.is_finite() && range > 0.0 && range < 1.0) {
        return Err(format!(
            "the range must be above 0% and below 100% (a price cannot fall further), got {}",
            pct(range)
        ));
    }
    if !(bin_width.is_finite() && bin_width > 0.0 && bin_width <= range) {
        return Err(format!("the bin must be above 0% and at most the range, got {}", pct(bin_width)));
    }
    let bins = 2.0 * (range / bin_width).ceil();
    let max = if cascade { MAX_MAP_BINS } else { MAX_MAP_BINS_FIRST_ORDER };
    if bins > max as f64 {
        return Err(format!(
            "range {} with {} bins is {bins} bins; at most {max} are supported{}",
            pct(range),
            pct(bin_width),
            if cascade { " with the cascade (--no-cascade allows more)" } else { "" }
        ));
    }
    Ok(bins as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_bounded_both_ways() {
        assert!(check_move(-0.08).is_ok());
        assert!(check_move(9.0).is_ok());
        for bad in [-1.0, -1.5, 9.000_001, 1e10, 1e308, f64::NAN, f64::INFINITY] {
            assert!(check_move(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn steps_are_counted_before_allocating() {
        // 120 s at 1 s = 120 steps (by hand); 1e9 s and a 1e-9 s step are refused.
        assert_eq!(path_steps(120.0, 1.0), Ok(120));
        assert_eq!(path_steps(0.4, 1.0), Ok(1));
        assert!(path_steps(1e9, 1.0).is_err());
        assert!(path_steps(60.0, 1e-9).is_err());
        // 30 days at 1 s = 2,592,000 steps > 10⁶: refused; at 3 s = 864,000: accepted.
        assert!(path_steps(MAX_DURATION_S, 1.0).is_err());
        assert_eq!(path_steps(MAX_DURATION_S, 3.0), Ok(864_000));
    }

    #[test]
    fn map_bins_by_hand() {
        // ±20% in 1% bins = 40 bins; ±99.99% in 0.0001% bins = 2·999,900 — refused.
        assert_eq!(map_bins(0.2, 0.01, true), Ok(40));
        assert!(map_bins(0.9999, 0.000_001, true).is_err());
        assert!(map_bins(0.2, 1e-11, false).is_err());
        assert!(map_bins(1.0, 0.01, true).is_err());
    }

    #[test]
    fn vols_paths_accounts() {
        assert!(check_daily_vol(0.032).is_ok());
        assert!(check_daily_vol(1e308).is_err());
        assert!(check_daily_vol(-0.1).is_err());
        assert!(check_paths(0).is_err() && check_paths(MAX_PATHS + 1).is_err());
        assert!(check_sweep_points(1).is_err() && check_sweep_points(1_001).is_err());
        assert_eq!(check_sweep_points(30), Ok(30));
        assert!(check_accounts(4_294_967_295).is_err());
        assert!(check_accounts(2_000_000).is_ok());
    }
}
