//! Plain-text rendering of a [`ReplayReport`]: the per-minute side-by-side table (all symbols
//! summed, then notional per symbol), the error measures per symbol, the fit grid and the notes.

use crate::metrics::Comparison;
use crate::run::ReplayReport;
use std::fmt::Write;

fn hhmm(ms: i64) -> String {
    let m = ms.div_euclid(60_000).rem_euclid(1440);
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn opt(x: Option<f64>, prec: usize) -> String {
    x.map_or("-".into(), |v| format!("{v:.prec$}"))
}

fn row(out: &mut String, name: &str, c: &Comparison) {
    let _ = writeln!(
        out,
        "{name:<10} {:>14.0} {:>14.0} {:>7} {:>7} {:>7} {:>8} {:>8} {:>5}",
        c.sim_total_usd,
        c.rec_total_usd,
        c.sim_count,
        c.rec_count,
        opt(c.correlation, 3),
        opt(c.log_ratio_totals, 3),
        opt(c.share_rmse, 4),
        c.lag_minutes.map_or("-".into(), |l| l.to_string()),
    );
}

/// The report as a table (UTC minutes).
pub fn render_table(r: &ReplayReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Replay {}–{} UTC ({} min, step {} s, {} accounts)",
        hhmm(r.window_start_ms),
        hhmm(r.window_end_ms),
        r.minutes,
        r.step_s,
        r.accounts
    );
    let _ = write!(out, "{:<6} {:>12} {:>12} {:>6} {:>6}", "minute", "sim USD", "rec USD", "sim n", "rec n");
    for s in &r.symbols {
        let _ = write!(
            out,
            " {:>11} {:>11}",
            format!("{} sim", short(&s.symbol)),
            format!("{} rec", short(&s.symbol))
        );
    }
    out.push('\n');
    let t = &r.total;
    for i in 0..r.minutes {
        let _ = write!(
            out,
            "{:<6} {:>12.0} {:>12.0} {:>6} {:>6}",
            hhmm(r.window_start_ms + i as i64 * 60_000),
            t.sim_notional_usd[i],
            t.rec_notional_usd[i],
            t.sim_count[i],
            t.rec_count[i]
        );
        for s in &r.symbols {
            let _ = write!(out, " {:>11.0} {:>11.0}", s.sim_notional_usd[i], s.rec_notional_usd[i]);
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n{:<10} {:>14} {:>14} {:>7} {:>7} {:>7} {:>8} {:>8} {:>5}",
        "symbol", "sim USD", "rec USD", "sim n", "rec n", "corr", "ln(s/r)", "shareRMSE", "lag"
    );
    for s in &r.symbols {
        row(&mut out, &s.symbol, &s.comparison);
    }
    row(&mut out, "ALL", &t.comparison);
    let _ = writeln!(out, "recorded forceOrder notional of other symbols: {:.0} USD", r.rec_unmatched_usd);
    if r.sim_after_window_usd > 0.0 {
        let _ =
            writeln!(out, "simulated after the window (in last minute): {:.0} USD", r.sim_after_window_usd);
    }
    if let Some(f) = &r.fit {
        let _ = writeln!(out, "\nFit of {} ({}, {} accounts):", f.parameter, f.objective, f.accounts);
        let _ = writeln!(
            out,
            "{:>8} {:>14} {:>7} {:>7} {:>9} {:>8} {:>5}",
            "lev", "sim USD", "sim n", "corr", "shareRMSE", "ln(s/r)", "lag"
        );
        for p in &f.grid {
            let mark = if p.leverage_median == f.best_leverage_median { " *" } else { "" };
            let _ = writeln!(
                out,
                "{:>8.1} {:>14.0} {:>7} {:>7} {:>9} {:>8} {:>5}{mark}",
                p.leverage_median,
                p.sim_total_usd,
                p.sim_count,
                opt(p.correlation, 3),
                opt(p.share_rmse, 4),
                opt(p.log_ratio_totals, 3),
                p.lag_minutes.map_or("-".into(), |l| l.to_string()),
            );
        }
    }
    out.push('\n');
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

fn short(s: &str) -> &str {
    s.strip_suffix("USDT").unwrap_or(s)
}
