//! The `--policy NAME[=VALUE]` options of `liqcascade policies` (and `liqcascade.policies` in
//! Python): each names a mitigation policy, parsed into the scenario's `policy` fields (or
//! `engine.adl_policy`), and the `policies --json` document.
//!
//! Names (docs/guide.md "Comparing mitigation policies"; `+` joins several into one case):
//! - `throttle=USD` — at most USD of liquidation notional per second per market (`2e6`, `2M`);
//! - `breaker=MOVE/WINDOW/HALT` — halt HALT after a move of MOVE within WINDOW (`5%/60s/300s`);
//! - `vol-margin=VOL` — maintenance margin × max(1, σ/VOL), σ each market's `--vol`;
//! - `fund=SCALE` — every insurance fund × SCALE (default 2: doubled);
//! - `adl=pro-rata` (default) or `adl=venue`;
//! - `mark-smoothing=DURATION` — the mark as an exponential average with that time constant;
//! - `token-cap=USD` — at most USD of rebalancing per second per leveraged token.

use crate::parse::{duration_flag, fraction};
use crate::OptionError;
use liq_domain::{AdlMode, CircuitBreaker, Scenario, VolScaledMaintenance};
use liq_stress::policies::PolicyComparison;
use liq_stress::MonteCarloConfig;
use serde::Serialize;

/// A USD amount as typed: `2000000`, `2e6`, `2M`, `500k`, `1.5B`.
fn usd(flag: &str, s: &str) -> Result<f64, OptionError> {
    let t = s.trim().replace('_', "");
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('m' | 'M') => (&t[..t.len() - 1], 1e6),
        Some('b' | 'B') => (&t[..t.len() - 1], 1e9),
        _ => (t.as_str(), 1.0),
    };
    let v = num.trim().parse::<f64>().map(|x| x * mult).ok().filter(|v| v.is_finite() && *v > 0.0);
    v.ok_or_else(|| {
        OptionError(format!("--policy {flag}={s}: expected a positive USD amount (2000000, 2e6 or 2M)"))
    })
}

fn needs_value<'a>(name: &str, value: Option<&'a str>, example: &str) -> Result<&'a str, OptionError> {
    value.ok_or_else(|| OptionError(format!("--policy {name}: needs a value ({name}={example})")))
}

/// Applies one `--policy` case (`NAME[=VALUE]`, several joined by `+`) to a copy of `base`.
/// `cfg` gives the stressed volatilities `vol-margin` scales by.
pub fn apply_policy(spec: &str, base: &Scenario, cfg: &MonteCarloConfig) -> Result<Scenario, OptionError> {
    let mut s = base.clone();
    if spec.trim().is_empty() {
        return Err(OptionError("--policy: empty (e.g. --policy throttle=2M)".into()));
    }
    for part in spec.split('+') {
        let (name, value) = match part.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim())),
            None => (part.trim().to_ascii_lowercase(), None),
        };
        let p = &mut s.policy;
        match name.as_str() {
            "throttle" => {
                let v = needs_value(&name, value, "2M")?;
                p.liquidation_throttle_usd_per_s = Some(usd(&name, v)?);
            }
            "breaker" => {
                let v = needs_value(&name, value, "5%/60s/300s")?;
                let parts: Vec<&str> = v.split('/').collect();
                let bad = |m: String| OptionError(format!("--policy breaker={v}: {m}"));
                if parts.len() != 3 {
                    return Err(bad("expected MOVE/WINDOW/HALT, e.g. 5%/60s/300s".into()));
                }
                let move_frac = fraction(parts[0]).map_err(|e| bad(e.0))?;
                if !(move_frac > 0.0 && move_frac < 1.0) {
                    return Err(bad(format!("the move must be in (0%, 100%), got {}", parts[0])));
                }
                let window_s = duration_flag("policy breaker window", parts[1])?;
                let halt_s = duration_flag("policy breaker halt", parts[2])?;
                if !(window_s > 0.0 && halt_s > 0.0) {
                    return Err(bad("the window and the halt must be positive durations".into()));
                }
                p.circuit_breaker = Some(CircuitBreaker { move_frac, window_s, halt_s });
            }
            "vol-margin" => {
                let v = needs_value(&name, value, "2%")?;
                let reference = fraction(v)
                    .ok()
                    .filter(|x| *x > 0.0)
                    .ok_or_else(|| OptionError(format!("--policy vol-margin={v}: expected a positive daily volatility (2% or 0.02)")))?;
                p.vol_scaled_maintenance =
                    Some(VolScaledMaintenance { reference_daily_vol: reference, daily_vol: cfg.daily_vol.clone() });
            }
            "fund" => {
                let scale = match value {
                    None => 2.0,
                    Some(v) => v.trim_end_matches(['x', 'X']).parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| {
                        OptionError(format!("--policy fund={v}: expected a multiplier ≥ 0 (2 = doubled)"))
                    })?,
                };
                p.insurance_fund_scale = Some(scale);
            }
            "adl" => {
                s.engine.adl_policy = match value {
                    None => AdlMode::ProRata,
                    Some(v) => AdlMode::parse(v)
                        .ok_or_else(|| OptionError(format!("--policy adl={v}: expected pro-rata or venue")))?,
                };
            }
            "mark-smoothing" => {
                let v = needs_value(&name, value, "30s")?;
                let tau = duration_flag("policy mark-smoothing", v)?;
                if tau <= 0.0 {
                    return Err(OptionError(format!("--policy mark-smoothing={v}: must be a positive duration")));
                }
                p.mark_smoothing_s = Some(tau);
            }
            "token-cap" => {
                let v = needs_value(&name, value, "1M")?;
                p.token_rebalance_cap_usd_per_s = Some(usd(&name, v)?);
            }
            other => {
                return Err(OptionError(format!(
                    "--policy {other}: unknown policy (one of: throttle, breaker, vol-margin, fund, adl, mark-smoothing, token-cap)"
                )))
            }
        }
    }
    Ok(s)
}

/// The `policies --json` document.
#[derive(Debug, Serialize)]
pub struct PoliciesDocument<'a> {
    pub meta: PoliciesMeta<'a>,
    /// The baseline first, then each `--policy` in the order given.
    pub policies: &'a [PolicyComparison],
}

#[derive(Debug, Serialize)]
pub struct PoliciesMeta<'a> {
    pub version: &'a str,
    pub scenario: &'a str,
    pub scenario_hash: &'a str,
    pub seed: u64,
    pub paths: u64,
    pub horizon_s: f64,
    pub steps: usize,
    pub copula: liq_stress::Copula,
    pub markets: Vec<String>,
    /// The tail level of the `es99` columns.
    pub alpha: f64,
    /// The scenario hash of each case (with its policy fields), in the order of `policies`.
    pub case_hashes: Vec<String>,
}

/// Builds the document from the cases run (`cases[0]` the baseline).
pub fn document<'a>(
    cases: &[Scenario],
    cfg: &MonteCarloConfig,
    comparison: &'a [PolicyComparison],
    hash: &'a str,
    name: &'a str,
) -> PoliciesDocument<'a> {
    PoliciesDocument {
        meta: PoliciesMeta {
            version: env!("CARGO_PKG_VERSION"),
            scenario: name,
            scenario_hash: hash,
            seed: cfg.seed,
            paths: cfg.paths,
            horizon_s: cfg.horizon_s,
            steps: cfg.steps,
            copula: cfg.copula,
            markets: cases
                .first()
                .map(|s| s.markets.iter().map(|m| m.symbol.clone()).collect())
                .unwrap_or_default(),
            alpha: liq_stress::policies::ALPHA,
            case_hashes: cases.iter().map(liq_io::hash::scenario_hash).collect(),
        },
        policies: comparison,
    }
}
