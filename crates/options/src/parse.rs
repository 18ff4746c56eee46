//! Option parsers shared by the commands: durations (`15m`), percentages (`-8%`), market
//! assignments (`BTC=3.2%`), shocks and book shocks, with errors that say what was expected. The `*_flag` forms check
//! the bounds of `liq_io::limits` and name the flag in their errors (`--step 1e-9s: …`).

use crate::OptionError;
use liq_domain::Scenario;

/// `900`, `900s`, `15m`, `1h`, `2d` → seconds.
pub fn duration_s(s: &str) -> Result<f64, OptionError> {
    let t = s.trim();
    let (num, mult) = match t.chars().last() {
        Some('s') => (&t[..t.len() - 1], 1.0),
        Some('m') => (&t[..t.len() - 1], 60.0),
        Some('h') => (&t[..t.len() - 1], 3600.0),
        Some('d') => (&t[..t.len() - 1], 86_400.0),
        _ => (t, 1.0),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| OptionError(format!("'{s}' is not a duration (e.g. 900s, 15m, 1h)")))?;
    if !(v.is_finite() && v > 0.0) {
        return Err(OptionError(format!("'{s}': a duration must be positive")));
    }
    liq_io::limits::check_duration_s(v * mult).map_err(|e| OptionError(format!("'{s}': {e}")))
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
        let id = scenario.market_by_symbol(market.trim()).ok_or_else(|| {
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            OptionError(format!("--shock {a}: unknown market '{market}' (markets: {})", known.join(", ")))
        })?;
        let value = fraction(mv)
            .and_then(|v| liq_io::limits::check_move(v).map_err(OptionError))
            .map_err(|e| OptionError(format!("--shock {a}: {}", e.0)))?;
        moves[id.idx()] = value;
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
        assert_eq!(step_flag("step", "1ms").ok(), None, "no 'ms' unit: 1ms is not a duration");
        assert_eq!(step_flag("step", "0.001").unwrap(), 0.001);
        assert!(move_flag("shock", "1e10").is_err() && move_flag("shock", "1e308").is_err());
        assert!(move_flag("shock", "-100%").is_err());
        assert_eq!(move_flag("shock", "900%").unwrap(), 9.0);
    }
}
