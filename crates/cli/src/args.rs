//! Argument parsers shared by the commands: durations (`15m`), percentages (`-8%`), market
//! assignments (`BTC=3.2%`), with errors that say what was expected. The `*_flag` forms check
//! the bounds of `liq_io::limits` and name the flag in their errors (`--step 1e-9s: …`).

use crate::InputError;
use liq_domain::Scenario;

/// `900`, `900s`, `15m`, `1h`, `2d` → seconds.
pub fn duration_s(s: &str) -> Result<f64, InputError> {
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
        .map_err(|_| InputError(format!("'{s}' is not a duration (e.g. 900s, 15m, 1h)")))?;
    if !(v.is_finite() && v > 0.0) {
        return Err(InputError(format!("'{s}': a duration must be positive")));
    }
    liq_io::limits::check_duration_s(v * mult).map_err(|e| InputError(format!("'{s}': {e}")))
}

/// A duration flag (`--crash-over 60s`), within `liq_io::limits` (at most 30 days).
pub fn duration_flag(flag: &str, s: &str) -> Result<f64, InputError> {
    duration_s(s).map_err(|e| InputError(format!("--{flag} {s}: {}", e.0)))
}

/// A step flag (`--step 1s`): a duration of at least 1 ms.
pub fn step_flag(flag: &str, s: &str) -> Result<f64, InputError> {
    let v = duration_flag(flag, s)?;
    liq_io::limits::check_step_s(v).map_err(|e| InputError(format!("--{flag} {s}: {e}")))
}

/// Steps of `over` at `step` seconds for the flag `--{flag}`, counted before anything of that
/// length is allocated.
pub fn steps_flag(flag: &str, over: f64, step: f64) -> Result<usize, InputError> {
    liq_io::limits::path_steps(over, step).map_err(|e| InputError(format!("--{flag}: {e}")))
}

/// A relative price move flag (`--shock`, `abm --shock`): above −100 % and at most +900 %.
pub fn move_flag(flag: &str, s: &str) -> Result<f64, InputError> {
    let v = fraction(s).map_err(|e| InputError(format!("--{flag} {s}: {}", e.0)))?;
    liq_io::limits::check_move(v).map_err(|e| InputError(format!("--{flag} {s}: {e}")))
}

/// `-8%` → −0.08, `-0.08` → −0.08.
pub fn fraction(s: &str) -> Result<f64, InputError> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| InputError(format!("'{s}' is not a number (use -8% or -0.08)")))?;
    if !v.is_finite() {
        return Err(InputError(format!("'{s}' is not finite")));
    }
    Ok(v)
}

/// `MARKET=VALUE` pairs against the scenario's markets; `default` fills unnamed markets.
pub fn per_market(
    scenario: &Scenario,
    flag: &str,
    args: &[String],
    default: Option<&[f64]>,
) -> Result<Vec<f64>, InputError> {
    let n = scenario.markets.len();
    let mut out: Vec<Option<f64>> = match default {
        Some(d) => d.iter().copied().map(Some).collect(),
        None => vec![None; n],
    };
    for a in args {
        let (market, v) = a
            .split_once('=')
            .ok_or_else(|| InputError(format!("--{flag} {a}: expected MARKET=VALUE, e.g. BTC=-8%")))?;
        let id = scenario.market_by_symbol(market.trim()).ok_or_else(|| {
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            InputError(format!("--{flag} {a}: unknown market '{market}' (markets: {})", known.join(", ")))
        })?;
        out[id.idx()] = Some(fraction(v).map_err(|e| InputError(format!("--{flag} {a}: {}", e.0)))?);
    }
    out.iter()
        .enumerate()
        .map(|(k, v)| {
            v.ok_or_else(|| {
                InputError(format!(
                    "--{flag}: no value for {} (give {}=...)",
                    scenario.markets[k].symbol, scenario.markets[k].symbol
                ))
            })
        })
        .collect()
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
