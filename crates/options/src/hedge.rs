//! `--hedge delta:INTERVAL[,band=X%][,ratio=R]` of `stress` (and `hedge=` of the Python
//! `stress`): the desk's dynamic delta hedge of its own book (`liq_stress::hedge`).
//!
//! INTERVAL is a duration (`30s`, `1m`); `band` a fraction of the portfolio's delta (`2%` or
//! `0.02`, default 0: every gap trades); `ratio` the share of the delta hedged (`0.5`, `50%`,
//! default 1). Only `delta` hedging exists: a linear book has no gamma of its own to hedge.

use crate::parse::{duration_s, fraction};
use crate::OptionError;
use liq_stress::hedge::HedgeSettings;

/// Parses the value of `--hedge`; errors name the flag and the value.
pub fn parse_hedge(s: &str) -> Result<HedgeSettings, OptionError> {
    let err = |m: String| OptionError(format!("--hedge {s}: {m}"));
    let mut parts = s.trim().split(',');
    let head = parts.next().unwrap_or_default().trim();
    let Some((kind, interval)) = head.split_once(':') else {
        return Err(err("expected delta:INTERVAL[,band=X%][,ratio=R], e.g. delta:30s".into()));
    };
    if kind.trim() != "delta" {
        return Err(err(format!(
            "unknown hedge '{}': only delta hedging exists (delta:INTERVAL[,band=X%][,ratio=R])",
            kind.trim()
        )));
    }
    let interval_s = duration_s(interval).map_err(|e| err(format!("interval: {}", e.0)))?;
    let mut out = HedgeSettings { interval_s, band: 0.0, ratio: 1.0 };
    for p in parts {
        let (key, value) =
            p.split_once('=').ok_or_else(|| err(format!("'{}': expected band=X% or ratio=R", p.trim())))?;
        let v = fraction(value).map_err(|e| err(format!("{}: {}", key.trim(), e.0)))?;
        match key.trim() {
            "band" if v.is_finite() && v >= 0.0 => out.band = v,
            "band" => return Err(err(format!("band={}: must be a non-negative fraction", value.trim()))),
            "ratio" if v.is_finite() && v > 0.0 && v <= 1.0 => out.ratio = v,
            "ratio" => return Err(err(format!("ratio={}: must be in (0, 1]", value.trim()))),
            other => return Err(err(format!("unknown setting '{other}' (band, ratio)"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_defaults() {
        assert_eq!(
            parse_hedge("delta:30s").unwrap(),
            HedgeSettings { interval_s: 30.0, band: 0.0, ratio: 1.0 }
        );
        assert_eq!(
            parse_hedge("delta:1m,band=2%,ratio=0.5").unwrap(),
            HedgeSettings { interval_s: 60.0, band: 0.02, ratio: 0.5 }
        );
        assert_eq!(parse_hedge("delta:15s,ratio=50%").unwrap().ratio, 0.5);
    }

    #[test]
    fn bad_values_are_refused_naming_the_flag_and_value() {
        for (bad, says) in [
            ("gamma:30s", "unknown hedge 'gamma'"),
            ("delta:-5s", "interval"),
            ("delta:30s,band=abc", "band"),
            ("delta:30s,band=-1%", "non-negative"),
            ("delta:30s,ratio=2", "(0, 1]"),
            ("delta:30s,tilt=1", "unknown setting 'tilt'"),
            ("delta", "expected delta:INTERVAL"),
        ] {
            let e = parse_hedge(bad).unwrap_err().0;
            assert!(e.starts_with(&format!("--hedge {bad}: ")) && e.contains(says), "{bad}: {e}");
        }
    }
}
