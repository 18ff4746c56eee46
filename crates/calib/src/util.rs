//! Shared plumbing for loaders and estimators: opening plain or gzip files, parsing numbers and
//! timestamps with file/line/field errors, a small least-squares helper and quantiles.

use crate::error::CalibError;
use flate2::read::GzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Opens `path` for buffered reading, decompressing on the fly when it is gzip. Detection is by
/// the two magic bytes, not the extension, so a renamed file still loads.
pub fn open_maybe_gz(path: &Path) -> Result<Box<dyn BufRead>, CalibError> {
    let mut f = File::open(path).map_err(|e| CalibError::io(path, e))?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic).map_err(|e| CalibError::io(path, e))?;
    let f = File::open(path).map_err(|e| CalibError::io(path, e))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::with_capacity(1 << 16, GzDecoder::new(f))))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}

/// Parses a finite float or names the field.
pub fn num(path: &Path, line: usize, field: &str, s: &str) -> Result<f64, CalibError> {
    let t = s.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(v) => Err(CalibError::parse(path, line, field, format!("not a finite number: {v}"))),
        Err(_) => Err(CalibError::parse(path, line, field, format!("not a number: {t:?}"))),
    }
}

/// Parses a finite, strictly positive float (prices) or names the field.
pub fn positive(path: &Path, line: usize, field: &str, s: &str) -> Result<f64, CalibError> {
    let v = num(path, line, field, s)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(CalibError::parse(path, line, field, format!("must be > 0, got {v}")))
    }
}

/// Parses a finite, non-negative float (quantities) or names the field.
pub fn non_negative(path: &Path, line: usize, field: &str, s: &str) -> Result<f64, CalibError> {
    let v = num(path, line, field, s)?;
    if v >= 0.0 {
        Ok(v)
    } else {
        Err(CalibError::parse(path, line, field, format!("must be ≥ 0, got {v}")))
    }
}

/// Parses a timestamp into milliseconds since the Unix epoch (UTC) or names the field.
pub fn time_ms(path: &Path, line: usize, field: &str, s: &str) -> Result<i64, CalibError> {
    parse_time_ms(s).ok_or_else(|| {
        CalibError::parse(
            path,
            line,
            field,
            format!("not a timestamp (epoch s/ms/µs/ns or YYYY-MM-DD[ T]HH:MM:SS[.fff][Z]): {:?}", s.trim()),
        )
    })
}

/// Accepts epoch numbers (the unit is inferred from the magnitude: seconds below 1e11, then
/// milliseconds, microseconds, nanoseconds — unambiguous for dates 1973–5138) and ISO-like
/// `YYYY-MM-DD HH:MM:SS[.fff]` with an optional `T` separator and `Z` suffix, read as UTC.
/// Times before 1970 or from the year 10000 on are refused ([`MAX_TIME_MS`]): no market data
/// lies there, and the day arithmetic on a 19-digit year overflowed (a fuzz find).
pub fn parse_time_ms(s: &str) -> Option<i64> {
    parse_time_ms_unbounded(s).filter(|ms| (0..MAX_TIME_MS).contains(ms))
}

/// 10000-01-01T00:00:00Z in epoch milliseconds: the first instant [`parse_time_ms`] refuses.
pub const MAX_TIME_MS: i64 = 253_402_300_800_000;

fn parse_time_ms_unbounded(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(v) = t.parse::<f64>() {
        if !v.is_finite() || v < 0.0 {
            return None;
        }
        let ms = if v < 1e11 {
            v * 1e3
        } else if v < 1e14 {
            v
        } else if v < 1e17 {
            v / 1e3
        } else {
            v / 1e6
        };
        return Some(ms.round() as i64);
    }
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (date, time) = t.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let (y, mo, da): (i64, i64, i64) =
        (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    if d.next().is_some() || !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || !(1..=31).contains(&da)
    {
        return None;
    }
    let mut hms = time.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let mi: i64 = hms.next()?.parse().ok()?;
    let sec: f64 = hms.next().map(|x| x.parse().ok()).unwrap_or(Some(0.0))?;
    if hms.next().is_some() || !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..61.0).contains(&sec)
    {
        return None;
    }
    let days = days_from_civil(y, mo, da);
    Some(((days * 86_400 + h * 3_600 + mi * 60) as f64 * 1e3 + sec * 1e3).round() as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Ordinary least squares of `y = a + b·x`: (a, b, standard error of b, R²). `None` when there
/// are fewer than three points or `x` has no spread.
pub fn ols(x: &[f64], y: &[f64]) -> Option<(f64, f64, f64, f64)> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let mx = x[..n].iter().sum::<f64>() / nf;
    let my = y[..n].iter().sum::<f64>() / nf;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        sxx += (x[i] - mx).powi(2);
        sxy += (x[i] - mx) * (y[i] - my);
        syy += (y[i] - my).powi(2);
    }
    if sxx <= 0.0 {
        return None;
    }
    let b = sxy / sxx;
    let a = my - b * mx;
    let sse = (syy - b * sxy).max(0.0);
    let se = (sse / (nf - 2.0) / sxx).sqrt();
    let r2 = if syy > 0.0 { sxy * sxy / (sxx * syy) } else { 0.0 };
    Some((a, b, se, r2))
}

/// Linear-interpolated quantile `q ∈ [0, 1]` of unsorted data; NaN for empty input.
pub fn quantile(data: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = data.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Minimises a unimodal function on `[lo, hi]` by golden-section search (`iters` steps).
pub fn golden_min(mut lo: f64, mut hi: f64, iters: usize, f: impl Fn(f64) -> f64) -> f64 {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..iters {
        if fa < fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = f(b);
        }
    }
    (lo + hi) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_accepted_form() {
        // 2024-08-08 23:54:15 UTC = 1723161255 s (the capture's first line, truncated to seconds).
        assert_eq!(parse_time_ms("1723161255"), Some(1_723_161_255_000));
        assert_eq!(parse_time_ms("1723161255000"), Some(1_723_161_255_000));
        assert_eq!(parse_time_ms("1723161255000000"), Some(1_723_161_255_000));
        assert_eq!(parse_time_ms("1723161255030314667"), Some(1_723_161_255_030));
        assert_eq!(parse_time_ms("2024-08-08 23:54:15"), Some(1_723_161_255_000));
        assert_eq!(parse_time_ms("2024-08-08T23:54:15.250Z"), Some(1_723_161_255_250));
        assert_eq!(parse_time_ms("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_time_ms("2024-13-01 00:00:00"), None);
        assert_eq!(parse_time_ms("yesterday"), None);
        assert_eq!(parse_time_ms("-5"), None);
    }

    /// Fuzz find: a 19-digit year overflowed the day arithmetic (a panic in debug builds).
    #[test]
    fn times_outside_1970_to_9999_are_refused() {
        assert_eq!(parse_time_ms("9223372036854775807-01-01 00:00:00"), None);
        assert_eq!(parse_time_ms("1969-12-31 23:59:59"), None);
        // 9999-12-31 23:59:59 = MAX_TIME_MS − 1 s (by hand: 10000-01-01 is 2,932,897 days after
        // 1970-01-01; × 86,400,000 ms = 253,402,300,800,000).
        assert_eq!(parse_time_ms("9999-12-31 23:59:59"), Some(MAX_TIME_MS - 1_000));
        assert_eq!(parse_time_ms("1e308"), None);
        // Nanoseconds past the year 9999 (1e21 ns = 1e15 ms).
        assert_eq!(parse_time_ms("1e21"), None);
    }

    #[test]
    fn ols_recovers_an_exact_line() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0]; // y = 1 + 2x
        let (a, b, se, r2) = ols(&x, &y).unwrap();
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12 && se < 1e-9 && (r2 - 1.0).abs() < 1e-12);
        assert!(ols(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_none());
    }

    #[test]
    fn quantiles_and_golden_section() {
        assert_eq!(quantile(&[3.0, 1.0, 2.0, 4.0], 0.5), 2.5);
        assert!(quantile(&[], 0.5).is_nan());
        let m = golden_min(0.0, 4.0, 80, |x| (x - 1.3).powi(2));
        assert!((m - 1.3).abs() < 1e-6);
    }
}
