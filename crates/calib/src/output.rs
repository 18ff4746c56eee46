//! Writes a [`Calibration`] as a scenario TOML that `run` and `stress` read (format:
//! docs/scenario-format.md) and as a summary table.
//!
//! The scenario format is strict (unknown fields are errors), so provenance — version, inputs with
//! their SHA-256, the data span, and every estimate with its interval — goes into comments. Each
//! market gets `square_root` (the fitted Y and δ, or the literature default Y = 1, δ = 0.5 when
//! the fit was not possible, said so in a comment) and, when depth was measured, a
//! `[markets.book] profile`. When some market has no depth, `impact.model` is `square_root` so
//! that the file validates; otherwise `book`. `resilience_tau_s` is the median over markets of the
//! depth relaxation time (autocorrelation of near-mid depth; it uses every fluctuation and so is
//! the better-determined number on short samples), else of the event-based refill τ, else the
//! format's default 30 s. The event-based τ and its recovered fraction are in the comments.

use crate::calibrate::{Calibration, MarketCalibration};
use std::fmt::Write as _;

fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        tod / 3600,
        tod / 60 % 60,
        tod % 60,
        ms.rem_euclid(1000)
    )
}

fn array(v: &[f64]) -> String {
    let rows: Vec<String> = v
        .chunks(8)
        .map(|c| format!("    {},", c.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(", ")))
        .collect();
    format!("[\n{}\n  ]", rows.join("\n"))
}

/// Y, δ and whether they were fitted.
fn law(m: &MarketCalibration) -> (f64, f64, bool) {
    match &m.impact {
        Some(f) if f.y.is_finite() && f.delta.is_finite() && f.y > 0.0 => (f.y, f.delta, true),
        _ => (1.0, 0.5, false),
    }
}

impl Calibration {
    /// Median resilience τ (s) over markets: depth relaxation time, else event-based τ.
    pub fn resilience_tau_s(&self) -> Option<f64> {
        let mut t: Vec<f64> = self
            .markets
            .iter()
            .filter_map(|m| m.depth_relaxation_tau_s.or(m.resilience.as_ref().map(|r| r.tau_s)))
            .filter(|t| t.is_finite() && *t > 0.0)
            .collect();
        t.sort_by(f64::total_cmp);
        (!t.is_empty()).then(|| t[t.len() / 2])
    }

    /// The scenario TOML (markets, impact section, depth profiles) with provenance in comments.
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        let w = &mut s;
        let _ = writeln!(w, "# liqcascade calibration, liq-calib {}", self.version);
        // Every output names its seed: here the block bootstrap of the impact law draws with it.
        let _ = writeln!(
            w,
            "# Seed {} (the impact law's block bootstrap, {} draws; nothing else is random)",
            self.options.impact.seed, self.options.impact.bootstrap
        );
        let _ = writeln!(w, "# Inputs (SHA-256 of the list: {}):", self.inputs_sha256);
        for i in &self.inputs {
            let _ = writeln!(w, "#   {} ({}, {} bytes, sha256 {})", i.path, i.kind, i.bytes, i.sha256);
        }
        let span = (self.span_ms.1 - self.span_ms.0) as f64 / 1e3;
        let _ = writeln!(w, "# Data span: {} → {} ({span:.1} s)", iso(self.span_ms.0), iso(self.span_ms.1));
        // The table ends with the warnings, so they reach the file's header too.
        for line in self.summary_table().lines() {
            let _ = writeln!(w, "# {line}");
        }
        let all_depth = self.markets.iter().all(|m| m.depth.is_some());
        let _ = writeln!(w, "\nname = \"calibration\"\nvenue = \"{}\"\n", self.options.venue);
        let _ = writeln!(w, "[impact]");
        let _ = writeln!(w, "model = \"{}\"", if all_depth { "book" } else { "square_root" });
        match self.resilience_tau_s() {
            Some(t) => {
                let _ = writeln!(
                    w,
                    "resilience_tau_s = {t:.3}          # median depth relaxation time over markets"
                );
            }
            None => {
                let _ = writeln!(w, "resilience_tau_s = 30.0          # not fitted: the format's default");
            }
        }
        for m in &self.markets {
            if !(m.last_price.is_finite() && m.last_price > 0.0) {
                let _ = writeln!(w, "\n# {}: no price, not written", m.symbol);
                continue;
            }
            let (y, d, fitted) = law(m);
            let sigma = m.volatility.as_ref().map(|v| v.daily_vol_tsrv).filter(|x| x.is_finite() && *x > 0.0);
            let _ = writeln!(w, "\n[[markets]]\nsymbol = \"{}\"", m.symbol);
            let _ = writeln!(w, "tick_size = {}", m.tick_size.unwrap_or(0.01));
            let _ = writeln!(w, "lot_size = {}", m.lot_size.unwrap_or(0.001));
            let _ = writeln!(w, "index_price = {}          # last {}", m.last_price, m.price_source);
            let _ = writeln!(w, "liquidation_fee_rate = {}", self.options.liquidation_fee_rate);
            let _ = writeln!(w, "taker_fee_rate = {}", self.options.taker_fee_rate);
            let _ = writeln!(w, "tiers = \"{}:{}\"", self.options.venue, m.symbol);
            if !fitted {
                let _ = writeln!(w, "# square_root: Y and δ not fitted — literature default Y = 1, δ = 0.5");
            }
            let _ = writeln!(
                w,
                "square_root = {{ y = {y:.4}, delta = {d:.4}, daily_volatility = {:.6}, daily_volume_usd = {:.4e} }}",
                sigma.unwrap_or(0.03),
                if m.daily_volume_usd > 0.0 { m.daily_volume_usd } else { 1.0e9 }
            );
            if let Some(dep) = &m.depth {
                let p = &dep.profile;
                let _ = writeln!(w, "[markets.book]");
                let _ = writeln!(
                    w,
                    "profile = {{ bucket_bps = {:?}, spread_ticks = {}, bid_notional_usd = {}, ask_notional_usd = {} }}",
                    p.bucket_bps,
                    p.spread_ticks,
                    array(&p.bid_notional_usd),
                    array(&p.ask_notional_usd)
                );
            }
        }
        s
    }

    /// A plain-text table of the headline estimates per market.
    pub fn summary_table(&self) -> String {
        let mut s = String::new();
        let f = |x: Option<f64>, p: usize| {
            x.filter(|v| v.is_finite()).map_or("-".to_string(), |v| format!("{v:.p$}"))
        };
        let _ = writeln!(
            s,
            "{:<10} {:>7} {:>8} {:>9} {:>22} {:>7} {:>11} {:>7} {:>7} {:>9}",
            "market",
            "span s",
            "σ TSRV",
            "V $/day",
            "δ [95% CI]",
            "Y",
            "λ bps/$1M",
            "τ s",
            "β bid",
            "book chk"
        );
        for m in &self.markets {
            let delta = m.impact.as_ref().map_or("-".to_string(), |i| {
                format!("{:.3} [{:.3}, {:.3}]", i.delta, i.delta_ci95.0, i.delta_ci95.1)
            });
            let chk =
                m.book_check.as_ref().map_or("-".to_string(), |c| format!("{}/{}", c.matched, c.checked));
            let _ = writeln!(
                s,
                "{:<10} {:>7.1} {:>8} {:>9} {:>22} {:>7} {:>11} {:>7} {:>7} {:>9}",
                m.symbol,
                (m.span_ms.1 - m.span_ms.0) as f64 / 1e3,
                f(m.volatility.as_ref().map(|v| v.daily_vol_tsrv), 4),
                if m.daily_volume_usd > 0.0 { format!("{:.2e}", m.daily_volume_usd) } else { "-".into() },
                delta,
                f(m.impact.as_ref().map(|i| i.y), 3),
                f(m.kyle.as_ref().map(|k| k.bps_per_million_usd), 3),
                f(m.depth_relaxation_tau_s.or(m.resilience.as_ref().map(|r| r.tau_s)), 2),
                f(m.depth.as_ref().map(|d| d.bid_fit.beta), 3),
                chk
            );
        }
        for m in &self.markets {
            if let Some(i) = &m.impact {
                let _ = write!(
                    s,
                    "{}: impact law on {} windows, Y 95% CI [{:.3}, {:.3}] (block bootstrap, {} draws)",
                    m.symbol, i.windows, i.y_ci95.0, i.y_ci95.1, i.bootstrap
                );
                if let Some(o) = &i.out_of_sample {
                    let _ = write!(
                        s,
                        "; out of sample ({} windows): MSE power {:.3e} vs linear {:.3e}, R² {:.3} vs {:.3}",
                        o.test, o.mse_power, o.mse_linear, o.r2_power, o.r2_linear
                    );
                }
                let _ = writeln!(s);
            }
            if let Some(r) = &m.resilience {
                let _ = writeln!(
                    s,
                    "{}: refill after large orders (≥ {:.0} USD, {} events): τ {:.2} s to {:.0}% of the depletion",
                    m.symbol,
                    r.threshold_usd,
                    r.events,
                    r.tau_s,
                    r.recovered_fraction * 100.0
                );
            }
        }
        if let Some(c) = &self.correlations {
            let _ = writeln!(s, "correlations (refresh time, ≥ {} s apart):", c.min_gap_s);
            for (i, row) in c.refresh_time.iter().enumerate() {
                let cells: Vec<String> = row.iter().map(|x| format!("{x:6.3}")).collect();
                let _ = writeln!(s, "  {:<10} {}", c.markets[i], cells.join(" "));
            }
        }
        if let Some(l) = &self.liquidations {
            let _ = writeln!(
                s,
                "liquidations: {} orders, {:.3e} USD, longs {:.0}%, peak {} in the minute from {}, Fano {:.1}",
                l.orders,
                l.notional_usd,
                l.long_share * 100.0,
                l.peak_minute.1,
                iso(l.peak_minute.0),
                l.fano_per_minute
            );
        }
        // Warnings (skipped capture lines, estimates that failed) belong with the numbers: a
        // terminal user sees them here, the scenario file in its header.
        for warning in &self.warnings {
            let _ = writeln!(s, "warning: {warning}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates() {
        assert_eq!(super::iso(0), "1970-01-01T00:00:00.000Z");
        // The capture's first exchange time.
        assert_eq!(super::iso(1_723_161_256_299), "2024-08-08T23:54:16.299Z");
        assert_eq!(super::iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
