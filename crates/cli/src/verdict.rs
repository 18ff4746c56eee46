//! The verdicts `replay` and `calibrate` print: is the fit well or poorly identified, against a
//! stated threshold (DESIGN.md "Verdicts on fits"). `calibrate` refuses to write a poorly
//! identified fit unless `--force`.
//!
//! - Replay: the per-minute Pearson correlation of simulated and recorded liquidation notional
//!   must exceed the 5% one-sided critical value of a zero correlation over the window's minutes,
//!   `r* = 1.645 / √(n − 2)` (the large-sample null distribution of r is ≈ N(0, 1/(n − 2))), and
//!   the totals must agree within a factor of 3 (`|ln(sim/rec)| ≤ ln 3`): Binance's forceOrder
//!   stream sends at most one event per symbol per second, so the recorded total is a lower bound
//!   and a factor of 2–3 above it is expected in a fast minute; beyond 3 the levels are wrong.
//! - Calibrate: each market's impact fit must have a 95% interval of Y narrower than one decade
//!   (`hi / lo ≤ 10`: the engine's cascade changes by well under a factor 10 in depth across the
//!   markets it models, so a wider interval cannot tell a deep book from a thin one) and, when an
//!   out-of-sample split exists, explain some of the test set (`R² > 0`: better than predicting no
//!   impact at all).

use std::fmt::Write as _;

/// A verdict and the reasons behind it, one line each.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub well_identified: bool,
    pub reasons: Vec<String>,
}

impl Verdict {
    /// `verdict: well identified (…)` / `verdict: POORLY identified (…)`.
    pub fn render(&self, what: &str) -> String {
        let mut o = String::new();
        let head = if self.well_identified { "well identified" } else { "POORLY identified" };
        let _ = writeln!(o, "verdict: {what} {head}");
        for r in &self.reasons {
            let _ = writeln!(o, "  - {r}");
        }
        o
    }
}

/// The one-sided 5% critical correlation over `n` points (∞ when n < 4: nothing is identified).
pub fn critical_correlation(n: usize) -> f64 {
    if n < 4 {
        f64::INFINITY
    } else {
        1.645 / ((n - 2) as f64).sqrt()
    }
}

/// The replay's verdict from its headline (all-symbol) comparison.
pub fn replay(r: &liq_replay::ReplayReport) -> Verdict {
    let c = &r.total.comparison;
    let n = r.minutes;
    let crit = critical_correlation(n);
    let mut reasons = Vec::new();
    let mut ok = true;
    match c.correlation {
        Some(x) if x > crit => reasons
            .push(format!("per-minute correlation {x:.3} > {crit:.3} (5% critical value, {n} minutes)")),
        Some(x) => {
            ok = false;
            reasons.push(format!(
                "per-minute correlation {x:.3} ≤ {crit:.3}: not distinguishable from none at 5% over {n} minutes"
            ));
        }
        None => {
            ok = false;
            reasons.push("no correlation: one of the series is constant or empty".into());
        }
    }
    match c.log_ratio_totals {
        Some(l) if l.abs() <= 3f64.ln() => {
            reasons.push(format!("totals within ×3 (sim/rec = {:.2})", l.exp()))
        }
        Some(l) => {
            ok = false;
            reasons.push(format!("totals differ by more than ×3 (sim/rec = {:.2})", l.exp()));
        }
        None => {
            ok = false;
            reasons.push("no total to compare (nothing simulated or nothing recorded)".into());
        }
    }
    Verdict { well_identified: ok, reasons }
}

/// The calibration's verdict from each market's impact fit. With no impact fit there is nothing
/// to judge: well identified, saying so.
pub fn calibration(c: &liq_calib::Calibration) -> Verdict {
    let mut reasons = Vec::new();
    let mut ok = true;
    for m in &c.markets {
        let Some(i) = &m.impact else { continue };
        let (lo, hi) = i.y_ci95;
        let width = if lo > 0.0 { hi / lo } else { f64::INFINITY };
        if width <= 10.0 {
            reasons.push(format!("{}: Y 95% CI [{lo:.3}, {hi:.3}] spans ×{width:.1} ≤ ×10", m.symbol));
        } else {
            ok = false;
            reasons.push(format!(
                "{}: Y 95% CI [{lo:.3}, {hi:.3}] spans ×{width:.1} > ×10 (more than a decade)",
                m.symbol
            ));
        }
        if let Some(o) = &i.out_of_sample {
            if o.r2_power > 0.0 {
                reasons.push(format!("{}: out-of-sample R² {:.3} > 0", m.symbol, o.r2_power));
            } else {
                ok = false;
                reasons.push(format!(
                    "{}: out-of-sample R² {:.3} ≤ 0 (worse than predicting no impact)",
                    m.symbol, o.r2_power
                ));
            }
        }
    }
    if reasons.is_empty() {
        reasons.push("no impact fit in this calibration; nothing to judge".into());
    }
    Verdict { well_identified: ok, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_correlation_is_the_normal_approximation() {
        // Hand-worked: 60 minutes → 1.645 / √58 = 0.2160; the "corr 0.040" of issue 13 is far below.
        assert!((critical_correlation(60) - 0.21600).abs() < 1e-4);
        assert!(critical_correlation(3).is_infinite());
    }
}
