//! Option parsers shared by the commands: durations (`15m`), percentages (`-8%`), market
//! assignments (`BTC=3.2%`), shocks and book shocks, with errors that say what was expected. The `*_flag` forms check
//! the bounds of `liq_io::limits` and name the flag in their errors (`--step 1e-9s: …`).

use crate::OptionError;
use liq_domain::Scenario;

/// `900`, `900s`, `15m`, `1h`, `2d`, `500ms` and compound forms (`1m30s`, `1h15m`) → seconds.
/// A bare number is seconds; units are `ms s m h d`, each at most once, largest first.
pub fn duration_s(s: &str) -> Result<f64, OptionError> {
    let t = s.trim();
    let bad = || OptionError(format!("'{s}' is not a duration (e.g. 900s, 15m, 1m30s, 500ms, 1h)"));
    let total = if let Ok(v) = t.parse::<f64>() {
        v
    } else {
        const UNITS: [(&str, f64); 5] =
            [("d", 86_400.0), ("h", 3600.0), ("ms", 1e-3), ("m", 60.0), ("s", 1.0)];
        // Rank of each unit from largest to smallest, to refuse `30s1m` and `1m1m`.
        let rank = |u: &str| ["d", "h", "m", "s", "ms"].iter().position(|x| *x == u).unwrap_or(usize::MAX);
        let (mut rest, mut total, mut last) = (t, 0.0, None::<usize>);
        while !rest.is_empty() {
            let end = rest.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(bad)?;
            let v: f64 = rest[..end].trim().parse().map_err(|_| bad())?;
            let after = &rest[end..];
            let (unit, mult) = UNITS.iter().find(|(u, _)| after.starts_with(u)).copied().ok_or_else(bad)?;
            if last.is_some_and(|l| rank(unit) <= l) {
                return Err(bad());
            }
            last = Some(rank(unit));
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad());
            }
            total += v * mult;
            rest = after[unit.len()..].trim_start();
        }
        total
    };
    if !(total.is_finite() && total > 0.0) {
        return Err(OptionError(format!("'{s}': a duration must be positive")));
    }
    liq_io::limits::check_duration_s(total).map_err(|e| OptionError(format!("'{s}': {e}")))
}

/// A duration flag (`--crash-over 60s`), within `liq_io::limits` (at most 30 days).
pub fn duration_flag(flag: &str, s: &str) -> Result<f64, OptionError> {
    duration_s(s).map_err(|e| OptionError(format!("--{flag} {s}: {}", e.0)))
}

/// A step flag (`--step 1s`): a duration of at least 1 ms.
pub fn step_flag(flag: &str, s: &str) -> Result<f64, OptionError> {
    let v = duration_flag(flag, s)?;
    liq_io::limits::check_step_s(v).map_err(|e| OptionError(format!("--{flag} {s}: {e}")))
}

/// Steps of `over` at `step` seconds for the flag `--{flag}`, counted before anything of that
/// length is allocated.
pub fn steps_flag(flag: &str, over: f64, step: f64) -> Result<usize, OptionError> {
    liq_io::limits::path_steps(over, step).map_err(|e| OptionError(format!("--{flag}: {e}")))
}

/// A relative price move flag (`--shock`, `abm --shock`): above −100 % and at most +900 %.
pub fn move_flag(flag: &str, s: &str) -> Result<f64, OptionError> {
    let v = fraction(s).map_err(|e| OptionError(format!("--{flag} {s}: {}", e.0)))?;
    liq_io::limits::check_move(v).map_err(|e| OptionError(format!("--{flag} {s}: {e}")))
}

/// `-8%` → −0.08, `-0.08` → −0.08.
pub fn fraction(s: &str) -> Result<f64, OptionError> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| OptionError(format!("'{s}' is not a number (use -8% or -0.08)")))?;
    if !v.is_finite() {
        return Err(OptionError(format!("'{s}' is not finite")));
    }
    Ok(v)
}

/// A fraction flag (`--corr 80%`, `--threshold 150%`): `%` or a plain number, the flag and
/// the value named in the error.
pub fn fraction_flag(flag: &str, s: &str) -> Result<f64, OptionError> {
    fraction(s).map_err(|e| OptionError(format!("--{flag} {s}: {}", e.0)))
}

/// `MARKET=VALUE` pairs against the scenario's markets; `default` fills unnamed markets.
pub fn per_market(
    scenario: &Scenario,
    flag: &str,
    args: &[String],
    default: Option<&[f64]>,
) -> Result<Vec<f64>, OptionError> {
    let n = scenario.markets.len();
    let mut out: Vec<Option<f64>> = match default {
        Some(d) => d.iter().copied().map(Some).collect(),
        None => vec![None; n],
    };
    for a in args {
        let (market, v) = a
            .split_once('=')
            .ok_or_else(|| OptionError(format!("--{flag} {a}: expected MARKET=VALUE, e.g. BTC=-8%")))?;
        let id = scenario.market_by_symbol(market.trim()).ok_or_else(|| {
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            OptionError(format!("--{flag} {a}: unknown market '{market}' (markets: {})", known.join(", ")))
        })?;
        out[id.idx()] = Some(fraction(v).map_err(|e| OptionError(format!("--{flag} {a}: {}", e.0)))?);
    }
    out.iter()
        .enumerate()
        .map(|(k, v)| {
            v.ok_or_else(|| {
                OptionError(format!(
                    "--{flag}: no value for {} (give {}=...)",
                    scenario.markets[k].symbol, scenario.markets[k].symbol
                ))
            })
        })
        .collect()
}

/// Parses `MARKET=MOVE` (`-8%` or `-0.08`) against the scenario's markets.
pub fn parse_shocks(scenario: &Scenario, args: &[String]) -> Result<Option<Vec<f64>>, OptionError> {
    if args.is_empty() {
        return Ok(None);
    }
    let mut moves = vec![0.0; scenario.markets.len()];
    for a in args {
        let (market, mv) = a
            .split_once('=')
            .ok_or_else(|| OptionError(format!("--shock {a}: expected MARKET=MOVE, e.g. BTC=-8%")))?;
        // An asset's move is news: with several venues it moves that asset on every venue
        // (`VENUE:MARKET` moves one venue's market only).
        let ids = scenario.markets_matching(market.trim());
        if ids.is_empty() {
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            return Err(OptionError(format!(
                "--shock {a}: unknown market '{market}' (markets: {})",
                known.join(", ")
            )));
        }
        let value = fraction(mv)
            .and_then(|v| liq_io::limits::check_move(v).map_err(OptionError))
            .map_err(|e| OptionError(format!("--shock {a}: {}", e.0)))?;
        for id in ids {
            moves[id.idx()] = value;
        }
    }
    Ok(Some(moves))
}

/// `--shock-book [VENUE:]MARKET=USD` (suffixes k, M, B): market flow into each perp's book.
pub fn parse_book_shocks(scenario: &Scenario, args: &[String]) -> Result<Option<Vec<f64>>, OptionError> {
    if args.is_empty() {
        return Ok(None);
    }
    let mut usd = vec![0.0; scenario.markets.len()];
    for a in args {
        let (lhs, amount) = a.split_once('=').ok_or_else(|| {
            OptionError(format!("--shock-book {a}: expected [VENUE:]MARKET=USD, e.g. binance:BTC=-200M"))
        })?;
        let market = match lhs.split_once(':') {
            // Several venues: `VENUE:MARKET` is that venue's market (resolved below).
            Some(_) if !scenario.venues.is_single() => lhs,
            Some((venue, m)) => {
                if !venue.trim().eq_ignore_ascii_case(scenario.venue.name()) {
                    return Err(OptionError(format!(
                        "--shock-book {a}: the scenario's venue is {}, not '{venue}'",
                        scenario.venue.name()
                    )));
                }
                m
            }
            None => lhs,
        };
        let id = scenario.market_by_symbol(market.trim()).ok_or_else(|| {
            if scenario.markets_matching(market.trim()).len() > 1 {
                return OptionError(format!(
                    "--shock-book {a}: '{market}' is listed on several venues: write VENUE:{market}"
                ));
            }
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            OptionError(format!(
                "--shock-book {a}: unknown market '{market}' (markets: {})",
                known.join(", ")
            ))
        })?;
        let t = amount.trim();
        let (num, mult) = match t.char_indices().last() {
            Some((i, 'k' | 'K')) => (&t[..i], 1e3),
            Some((i, 'm' | 'M')) => (&t[..i], 1e6),
            Some((i, 'b' | 'B')) => (&t[..i], 1e9),
            _ => (t, 1.0),
        };
        let v =
            num.trim().parse::<f64>().map(|x| x * mult).map_err(|_| {
                OptionError(format!("--shock-book {a}: '{t}' is not a USD amount (e.g. -200M)"))
            })?;
        // 1e12 USD: more than every perp market's open interest together; a bound, not a model.
        if !(v.is_finite() && v.abs() <= 1e12) {
            return Err(OptionError(format!("--shock-book {a}: the amount must be within ±1e12 USD")));
        }
        usd[id.idx()] = v;
    }
    Ok(Some(usd))
}

/// Applies `--shock` and `--shock-book` to the scenario as `run` does: named shocks replace
/// the scenario's (markets not named are unshocked); book shocks alone switch the exogenous
/// shock off, so the book flow is the only shock.
pub fn apply_shocks(
    scenario: &mut Scenario,
    shocks: &[String],
    book_shocks: &[String],
) -> Result<(), OptionError> {
    let shock = parse_shocks(scenario, shocks)?;
    let book = parse_book_shocks(scenario, book_shocks)?;
    if let Some(moves) = shock {
        scenario.shock = liq_domain::Shock::PerMarket(moves);
    } else if book.is_some() {
        scenario.shock = liq_domain::Shock::PerMarket(vec![0.0; scenario.markets.len()]);
    }
    if let Some(usd) = book {
        scenario.book_shock_usd = usd;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_fractions() {
        assert_eq!(duration_s("15m").unwrap(), 900.0);
        assert_eq!(duration_s("1h").unwrap(), 3600.0);
        assert_eq!(duration_s("30").unwrap(), 30.0);
        assert!(duration_s("-5s").is_err());
        assert!(duration_s("abc").is_err());
        assert_eq!(fraction("-8%").unwrap(), -0.08);
        assert_eq!(fraction("0.032").unwrap(), 0.032);
        assert!(fraction("NaN").is_err());
        // Issue 14: `--crash-over 1e9s`, `--rebound-over 1e12s` and `--step 1e-9s` are refused.
        assert!(duration_flag("crash-over", "1e9s").unwrap_err().0.starts_with("--crash-over 1e9s:"));
        assert!(duration_flag("rebound-over", "1e12s").is_err());
        assert!(step_flag("step", "1e-9s").is_err());
        assert_eq!(step_flag("step", "1ms").unwrap(), 0.001);
        assert_eq!(step_flag("step", "0.001").unwrap(), 0.001);
        assert!(move_flag("shock", "1e10").is_err() && move_flag("shock", "1e308").is_err());
        assert!(move_flag("shock", "-100%").is_err());
        assert_eq!(move_flag("shock", "900%").unwrap(), 9.0);
    }

    #[test]
    fn compound_durations_and_percent_flags() {
        assert_eq!(duration_s("1m30s").unwrap(), 90.0);
        assert_eq!(duration_s("500ms").unwrap(), 0.5);
        assert_eq!(duration_s("1h15m").unwrap(), 4500.0);
        assert_eq!(duration_s("2d1h").unwrap(), 176_400.0);
        assert_eq!(duration_s("1.5s").unwrap(), 1.5);
        assert_eq!(duration_s("1s500ms").unwrap(), 1.5);
        for bad in ["30s1m", "1m1m", "5x", "m", "1m-5s", "ms", "0s", ""] {
            assert!(duration_s(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(fraction_flag("corr", "80%").unwrap(), 0.8);
        assert_eq!(fraction_flag("threshold", "150%").unwrap(), 1.5);
        let e = fraction_flag("corr", "eighty%").unwrap_err().0;
        assert!(e.starts_with("--corr eighty%:") && e.contains("not a number"), "{e}");
    }
}
