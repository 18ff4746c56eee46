//! Scenario families as exogenous price paths for the time-stepped engine: the instant shock
//! grid, hypothetical paths (linear crash, crash-and-rebound) and historical replay from a
//! price-path CSV (`timestamp,market,price`). Monte Carlo paths live in [`crate::montecarlo`].

use crate::error::StressError;
use liq_engine::ExoPath;
use std::path::Path;

/// Instant shocks of `market` from `from` to `to` (relative moves, e.g. −0.01 … −0.30) in
/// `n` evenly spaced points.
pub fn shock_grid(from: f64, to: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![from],
        _ => (0..n).map(|i| from + (to - from) * i as f64 / (n - 1) as f64).collect(),
    }
}

/// A linear crash: every market falls by `moves[k]` (relative) evenly over `steps` steps.
pub fn linear_crash(moves: &[f64], steps: usize, dt_s: f64) -> ExoPath {
    let n = moves.len();
    let mut levels = Vec::with_capacity(steps * n);
    for t in 0..steps {
        let x = (t + 1) as f64 / steps as f64;
        levels.extend(moves.iter().map(|m| 1.0 + m * x));
    }
    ExoPath { n_markets: n, dt_s, levels }
}

/// Crash and rebound: a linear fall to `moves[k]` over `crash_steps`, then a linear recovery of
/// `rebound_fraction` of the fall over `rebound_steps`.
pub fn crash_and_rebound(
    moves: &[f64],
    crash_steps: usize,
    rebound_steps: usize,
    rebound_fraction: f64,
    dt_s: f64,
) -> ExoPath {
    let mut p = linear_crash(moves, crash_steps, dt_s);
    for t in 0..rebound_steps {
        let x = (t + 1) as f64 / rebound_steps as f64;
        p.levels.extend(moves.iter().map(|m| 1.0 + m * (1.0 - rebound_fraction * x)));
    }
    p
}

/// A recorded price path: per market, `(seconds since the first row, price)`, time-ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePath {
    pub markets: Vec<String>,
    pub series: Vec<Vec<(f64, f64)>>,
}

/// Reads a price-path CSV with header `timestamp,market,price`. Timestamps are epoch
/// milliseconds, epoch seconds (values below 1e11) or RFC 3339 (`2025-01-27T16:00:00Z`).
/// `resolve` maps a market name in the file to the scenario's symbol (or `None` if unknown).
pub fn read_price_path(
    path: &Path,
    resolve: impl Fn(&str) -> Option<String>,
) -> Result<PricePath, StressError> {
    let file = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| StressError::Io { path: file.clone(), message: e.to_string() })?;
    let headers = rdr.headers().map_err(|e| StressError::Input {
        file: file.clone(),
        line: 1,
        field: "header".into(),
        message: e.to_string(),
    })?;
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(ct), Some(cm), Some(cp)) = (col("timestamp"), col("market"), col("price")) else {
        return Err(StressError::Input {
            file,
            line: 1,
            field: "header".into(),
            message: "expected columns timestamp,market,price".into(),
        });
    };
    let mut out = PricePath { markets: vec![], series: vec![] };
    let mut t0: Option<f64> = None;
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let err = |field: &str, message: String| StressError::Input {
            file: file.clone(),
            line,
            field: field.into(),
            message,
        };
        let rec = rec.map_err(|e| err("row", e.to_string()))?;
        let get = |c: usize, name: &str| rec.get(c).ok_or_else(|| err(name, "missing field".into()));
        let ts_raw = get(ct, "timestamp")?;
        let ts = parse_timestamp(ts_raw)
            .ok_or_else(|| err("timestamp", format!("'{ts_raw}' is not a timestamp")))?;
        let m_raw = get(cm, "market")?;
        let market = resolve(m_raw).ok_or_else(|| err("market", format!("unknown market '{m_raw}'")))?;
        let p_raw = get(cp, "price")?;
        let price: f64 = p_raw.parse().map_err(|_| err("price", format!("'{p_raw}' is not a number")))?;
        if !(price.is_finite() && price > 0.0) {
            return Err(err("price", format!("must be a positive finite number, got {p_raw}")));
        }
        let t = ts - *t0.get_or_insert(ts);
        let k = match out.markets.iter().position(|m| *m == market) {
            Some(k) => k,
            None => {
                out.markets.push(market);
                out.series.push(Vec::new());
                out.markets.len() - 1
            }
        };
        if let Some(&(last, _)) = out.series[k].last() {
            if t < last {
                return Err(err(
                    "timestamp",
                    format!("goes back in time for {} ({t} s after {last} s)", out.markets[k]),
                ));
            }
        }
        out.series[k].push((t, price));
    }
    if out.markets.is_empty() {
        return Err(StressError::Input {
            file,
            line: 1,
            field: "rows".into(),
            message: "no price rows".into(),
        });
    }
    Ok(out)
}

/// Epoch seconds of a timestamp: epoch milliseconds, epoch seconds (below 1e11) or RFC 3339.
pub fn parse_timestamp(s: &str) -> Option<f64> {
    if let Ok(x) = s.parse::<f64>() {
        if !x.is_finite() {
            return None;
        }
        // Epoch milliseconds are above 1e11 for any date after 1973.
        return Some(if x.abs() >= 1e11 { x / 1000.0 } else { x });
    }
    parse_rfc3339(s)
}

/// Minimal RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.fff]Z`) to epoch seconds.
fn parse_rfc3339(s: &str) -> Option<f64> {
    let s = s.strip_suffix('Z').or_else(|| s.strip_suffix("+00:00"))?;
    let (date, time) = s.split_once(['T', ' '])?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let mut tp = time.split(':');
    let h: i64 = tp.next()?.parse().ok()?;
    let mi: i64 = tp.next()?.parse().ok()?;
    let sec: f64 = tp.next()?.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || !(0.0..61.0).contains(&sec)
    {
        return None;
    }
    // Years 1970–9999, as the capture loaders bound them: a 19-digit year would overflow the day
    // arithmetic below, and no recorded price path lies outside this range.
    if !(1970..=9999).contains(&y) || h < 0 || mi < 0 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = if y2 >= 0 { y2 } else { y2 - 399 } / 400;
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + h as f64 * 3600.0 + mi as f64 * 60.0 + sec)
}

/// Resamples a recorded path on a grid of `dt_s` steps for the scenario's markets (in
/// `symbols` order): each step takes the last price at or before its end (the first price
/// before a market's first row); levels are relative to each market's first price. Markets
/// absent from the file stay at 1.0.
pub fn replay_path(recorded: &PricePath, symbols: &[String], dt_s: f64) -> Result<ExoPath, StressError> {
    if !(dt_s.is_finite() && dt_s > 0.0) {
        return Err(StressError::config("step", format!("must be a positive number of seconds, got {dt_s}")));
    }
    let end = recorded.series.iter().filter_map(|s| s.last().map(|x| x.0)).fold(0.0, f64::max);
    let steps = ((end / dt_s).ceil() as usize).max(1);
    let n = symbols.len();
    let mut levels = vec![1.0; steps * n];
    for (k, sym) in symbols.iter().enumerate() {
        let Some(j) = recorded.markets.iter().position(|m| m == sym) else { continue };
        let series = &recorded.series[j];
        let p0 = series[0].1;
        let mut i = 0;
        for t in 0..steps {
            let t_end = (t + 1) as f64 * dt_s;
            while i + 1 < series.len() && series[i + 1].0 <= t_end {
                i += 1;
            }
            levels[t * n + k] = series[i].1 / p0;
        }
    }
    Ok(ExoPath { n_markets: n, dt_s, levels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_crash_and_rebound_levels() {
        let p = crash_and_rebound(&[-0.10, -0.05], 2, 2, 0.5, 1.0);
        // Crash: −5%, −10% / −2.5%, −5%; rebound half the fall: −7.5%, −5% / −3.75%, −2.5%.
        let want = [0.95, 0.975, 0.90, 0.95, 0.925, 0.9625, 0.95, 0.975];
        assert_eq!(p.n_steps(), 4);
        for (a, b) in p.levels.iter().zip(want) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn rfc3339_timestamps() {
        // 2025-01-27T16:00:00Z = 1,737,993,600 s since the epoch.
        assert_eq!(parse_timestamp("2025-01-27T16:00:00Z"), Some(1_737_993_600.0));
        assert_eq!(parse_timestamp("1737993600000"), Some(1_737_993_600.0));
        assert_eq!(parse_timestamp("2025-13-01T00:00:00Z"), None);
    }

    #[test]
    fn replay_resamples_last_price() {
        let rec = PricePath {
            markets: vec!["BTC".into()],
            series: vec![vec![(0.0, 100.0), (0.5, 99.0), (1.7, 95.0), (3.0, 90.0)]],
        };
        let p = replay_path(&rec, &["BTC".into(), "ETH".into()], 1.0).unwrap();
        // Ends at 3 s: 3 steps; at 1 s the last price is 99, at 2 s 95, at 3 s 90; ETH flat.
        assert_eq!(p.levels, vec![0.99, 1.0, 0.95, 1.0, 0.90, 1.0]);
    }
}
