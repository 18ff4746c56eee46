//! The `[policy]` section of a scenario file: mitigation policies as scenario fields
//! (docs/scenario-format.md "Mitigation policies"). Each value is range-checked here with its
//! field, so a negative throttle, a breaker move of 100% or more or a zero reference volatility
//! is refused with file, line and field.

use super::validate::Ctx;
use crate::convert::MarketSymbols;
use crate::IoError;
use liq_domain::{CircuitBreaker, MarketSpec, PolicySpec, VolScaledMaintenance};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub liquidation_throttle_usd_per_s: Option<f64>,
    pub circuit_breaker: Option<RawBreaker>,
    pub vol_scaled_maintenance: Option<RawVolMaintenance>,
    pub insurance_fund_scale: Option<f64>,
    pub mark_smoothing_s: Option<f64>,
    pub token_rebalance_cap_usd_per_s: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBreaker {
    #[serde(rename = "move")]
    pub move_frac: f64,
    pub window_s: f64,
    pub halt_s: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVolMaintenance {
    pub reference_daily_vol: f64,
    /// Daily volatility by market symbol; a market not named keeps its tables (multiplier 1).
    #[serde(default)]
    pub daily_vol: BTreeMap<String, f64>,
}

fn positive(ctx: &Ctx, field: &str, v: f64, unit: &str) -> Result<f64, IoError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ctx.err(field, format!("must be a positive finite {unit}, got {v}")))
    }
}

/// Validates `[policy]` (absent = every policy off).
pub(crate) fn policy(
    ctx: &Ctx,
    raw: Option<&RawPolicy>,
    markets: &[MarketSpec],
    symbols: &MarketSymbols,
) -> Result<PolicySpec, IoError> {
    let Some(raw) = raw else { return Ok(PolicySpec::default()) };
    let mut out = PolicySpec::default();
    if let Some(v) = raw.liquidation_throttle_usd_per_s {
        out.liquidation_throttle_usd_per_s =
            Some(positive(ctx, "policy.liquidation_throttle_usd_per_s", v, "amount (USD per second)")?);
    }
    if let Some(b) = &raw.circuit_breaker {
        if !(b.move_frac.is_finite() && b.move_frac > 0.0 && b.move_frac < 1.0) {
            return Err(ctx.err(
                "policy.circuit_breaker.move",
                format!("must be a fraction in (0, 1) (0.05 = 5%), got {}", b.move_frac),
            ));
        }
        positive(ctx, "policy.circuit_breaker.window_s", b.window_s, "number of seconds")?;
        positive(ctx, "policy.circuit_breaker.halt_s", b.halt_s, "number of seconds")?;
        out.circuit_breaker =
            Some(CircuitBreaker { move_frac: b.move_frac, window_s: b.window_s, halt_s: b.halt_s });
    }
    if let Some(v) = &raw.vol_scaled_maintenance {
        let reference = positive(
            ctx,
            "policy.vol_scaled_maintenance.reference_daily_vol",
            v.reference_daily_vol,
            "daily volatility",
        )?;
        let mut daily = vec![reference; markets.len()];
        for (sym, &vol) in &v.daily_vol {
            let field = format!("policy.vol_scaled_maintenance.daily_vol.{sym}");
            let k = symbols.resolve(sym).map_err(|m| ctx.err(&field, m))?.idx();
            positive(ctx, &field, vol, "daily volatility")?;
            daily[k] = vol;
        }
        out.vol_scaled_maintenance =
            Some(VolScaledMaintenance { reference_daily_vol: reference, daily_vol: daily });
    }
    if let Some(s) = raw.insurance_fund_scale {
        if !(s.is_finite() && s >= 0.0) {
            return Err(ctx.err(
                "policy.insurance_fund_scale",
                format!("must be a finite multiplier ≥ 0 (2 = doubled), got {s}"),
            ));
        }
        out.insurance_fund_scale = Some(s);
    }
    if let Some(t) = raw.mark_smoothing_s {
        out.mark_smoothing_s = Some(positive(ctx, "policy.mark_smoothing_s", t, "number of seconds")?);
    }
    if let Some(c) = raw.token_rebalance_cap_usd_per_s {
        out.token_rebalance_cap_usd_per_s =
            Some(positive(ctx, "policy.token_rebalance_cap_usd_per_s", c, "amount (USD per second)")?);
    }
    Ok(out)
}
