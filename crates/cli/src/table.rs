//! Terminal tables: aligned columns, units and thousands separators, readable in a minute.

use liq_engine::CascadeReport;
use liq_io::output::RunMeta;
use std::fmt::Write;

/// Wraps `text` in an ANSI style when stdout is a terminal and `NO_COLOR` is unset; plain
/// otherwise, so pipes, files and CI logs get no escape codes.
pub fn paint(text: &str, style: Style) -> String {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || std::env::var_os("NO_COLOR").is_some() {
        return text.to_string();
    }
    let code = match style {
        Style::Bold => "1",
        Style::Warn => "1;33",
        Style::Alarm => "1;31",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// How a number is highlighted on a terminal.
#[derive(Debug, Clone, Copy)]
pub enum Style {
    Bold,
    /// Amplification above 1, overshoot: the feedback loop at work.
    Warn,
    /// Bad debt, ADL, a hit round cap: losses nobody covered.
    Alarm,
}

// The number formats are the report's, so the terminal and the HTML read the same.
pub use liq_report::fmt::{pct, price, thousands, usd};

/// A market's name in the tables: `venue:SYMBOL` when the scenario has several venues.
fn market_name(m: &liq_engine::MarketRow) -> String {
    match &m.venue {
        Some(v) => format!("{v}:{}", m.symbol),
        None => m.symbol.clone(),
    }
}

/// Multi-venue runs: one row per venue (the rows above the market table are the system's), and
/// which venue's flow caused each venue's liquidations.
fn render_venues(o: &mut String, r: &CascadeReport) {
    if r.venues.is_empty() {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:<12} {:>12} {:>12} {:>12} {:>14} {:>12} {:>12}",
        "venue", "1st order", "2nd order", "no impact", "fund drawdown", "ADL", "bad debt"
    );
    for v in &r.venues {
        let _ = writeln!(
            o,
            "  {:<12} {:>12} {:>12} {:>12} {:>14} {:>12} {:>12}",
            v.name,
            usd(v.first_order_notional_usd),
            usd(v.second_order_notional_usd),
            usd(v.counterfactual_notional_usd),
            usd(v.fund_drawdown_usd),
            usd(v.adl_notional_usd),
            usd(v.bad_debt_usd)
        );
    }
    let _ =
        writeln!(o, "  caused by (liquidated notional by the flow that moved the price past the trigger):");
    for v in &r.venues {
        if v.notional_by_cause.is_empty() {
            continue;
        }
        let parts: Vec<String> = v
            .notional_by_cause
            .iter()
            .map(|c| {
                let who = match c.cause {
                    liq_engine::EventCause::Exogenous => "the shock".to_string(),
                    liq_engine::EventCause::Venue(u) => {
                        r.venues.get(u as usize).map(|x| x.name.clone()).unwrap_or_else(|| u.to_string())
                    }
                };
                format!("{who} {}", usd(c.notional_usd))
            })
            .collect();
        let _ = writeln!(o, "    {:<12} {}", v.name, parts.join(" · "));
    }
}

/// The `run` summary.
pub fn render_run(meta: &RunMeta, r: &CascadeReport, n_accounts: usize) -> String {
    let s = &r.summary;
    let mut o = String::new();
    let shock: Vec<String> =
        meta.shock.iter().filter(|(_, m)| *m != 0.0).map(|(sym, m)| format!("{sym} {}", pct(*m))).collect();
    let _ = writeln!(
        o,
        "liqcascade {} · scenario {} ({}) · venue {} · seed {} · {} accounts",
        meta.version,
        meta.scenario,
        meta.scenario_hash,
        meta.venue,
        meta.seed,
        thousands(n_accounts as f64)
    );
    if meta.adl_policy != "venue" {
        let _ = writeln!(o, "ADL policy: {} (not the venue's ranking)", meta.adl_policy);
    }
    let _ = writeln!(o, "shock: {}", if shock.is_empty() { "none".to_string() } else { shock.join(", ") });
    let _ = writeln!(o);
    let rows: Vec<(&str, String)> = vec![
        ("Liquidated notional", usd(s.liquidated_notional_usd)),
        ("  first-order (generation 0)", usd(s.first_order_notional_usd)),
        ("  second-order (feedback)", usd(s.second_order_notional_usd)),
        ("Amplification (total / first-order)", format!("{:.2}×", s.amplification)),
        ("No-impact counterfactual", usd(s.counterfactual_notional_usd)),
        ("Amplification vs counterfactual", format!("{:.2}×", s.counterfactual_amplification)),
        ("Accounts liquidated", thousands(s.accounts_liquidated as f64)),
        ("Rounds", format!("{}{}", s.rounds, if s.round_cap_hit { " (round cap hit)" } else { "" })),
        (
            "Insurance fund start → end",
            format!("{} → {}", usd(s.insurance_fund_start_usd), usd(s.insurance_fund_end_usd)),
        ),
        ("ADL notional", usd(s.adl_notional_usd)),
        ("  ADL overshoot (beyond the deficit)", usd(s.adl_overshoot_usd)),
        ("  ADL counterparty closes", thousands(s.adl_counterparties as f64)),
        ("Collateral sold into the market", usd(s.collateral_sold_usd)),
        ("Bad debt", usd(s.bad_debt_usd)),
    ];
    let w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in rows {
        // Pad before painting so escape codes do not upset the alignment.
        let cell = format!("{v:>16}");
        let style = match k {
            "Liquidated notional" => Some(Style::Bold),
            "Amplification (total / first-order)" if s.amplification > 1.0 => Some(Style::Warn),
            "ADL notional" if s.adl_notional_usd > 0.0 => Some(Style::Alarm),
            "Bad debt" if s.bad_debt_usd > 0.0 => Some(Style::Alarm),
            "Rounds" if s.round_cap_hit => Some(Style::Alarm),
            _ => None,
        };
        let cell = style.map(|st| paint(&cell, st)).unwrap_or(cell);
        let _ = writeln!(o, "  {k:<w$}  {cell}");
    }
    let _ = writeln!(o);
    // Multi-venue names (`venue:SYMBOL`) are longer than a symbol: the column follows them.
    let mw = r.markets.iter().map(|m| market_name(m).chars().count()).max().unwrap_or(0).max(10);
    // A path run (scripted crash or replay) labels its scripted move and the overshoot beyond it
    // apart; an instant shock's "move" is the shock (docs/outputs.md "Signs").
    let path_run = r.path_run;
    let _ = writeln!(
        o,
        "  {:<mw$} {:>12} {:>14} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "market",
        "mark start",
        if path_run { "scripted move" } else { "no-feedback" },
        "after casc.",
        "beyond it",
        "1st order",
        "2nd order",
        "ADL",
        "ADL oversh."
    );
    for m in &r.markets {
        let _ = writeln!(
            o,
            "  {:<mw$} {:>12} {:>14} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
            market_name(m),
            price(m.mark_start),
            pct(m.exogenous_move),
            price(m.mark_end),
            pct(m.overshoot_beyond_exogenous),
            usd(m.first_order_notional_usd),
            usd(m.second_order_notional_usd),
            usd(m.adl_notional_usd),
            usd(m.adl_overshoot_usd)
        );
    }
    for m in &r.markets {
        if let Some(x) = m.book_exhausted {
            let side = if x.side == liq_domain::Side::Sell { "bids" } else { "asks" };
            let line = format!(
                "  {}: the book's {side} ran out in round {} ({}s); beyond its last level the book quotes {} and fills nothing, so prices after that are the model's floor",
                market_name(m),
                x.round,
                x.time_s,
                price(x.quote_beyond_usd)
            );
            let _ = writeln!(o, "{}", paint(&line, Style::Alarm));
        }
    }
    render_venues(&mut o, r);
    // Where the index moved (spot markets, arbitrage and the makers' hedge): the channels that
    // carry the perp's forced flow to the mark.
    if !r.outcome.spot.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  {:<mw$} {:>12} {:>12} {:>10} {:>14} {:>14} {:>14}",
            "market", "index start", "index end", "basis bp", "arb bought", "arb sold", "maker hedge"
        );
        for (m, mo) in r.markets.iter().zip(&r.outcome.markets) {
            let _ = writeln!(
                o,
                "  {:<mw$} {:>12} {:>12} {:>10.1} {:>14} {:>14} {:>14}",
                market_name(m),
                price(m.index_start),
                price(m.index_end),
                m.basis_end_bps,
                usd(mo.arb_perp_bought_usd),
                usd(mo.arb_perp_sold_usd),
                usd(mo.maker_hedge_usd)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "  {:<10} {:>14} {:>10} {:>10}", "generation", "notional", "accounts", "events");
    let shown = r.generations.len().min(12);
    for g in &r.generations[..shown] {
        let _ = writeln!(
            o,
            "  {:<10} {:>14} {:>10} {:>10}",
            g.generation,
            usd(g.notional_usd),
            thousands(g.accounts as f64),
            g.events
        );
    }
    if r.generations.len() > shown {
        let rest: f64 = r.generations[shown..].iter().map(|g| g.notional_usd).sum();
        let _ = writeln!(
            o,
            "  {:<10} {:>14}   ({} more generations)",
            "…",
            usd(rest),
            r.generations.len() - shown
        );
    }
    o
}

/// The `stress` summary: the Monte Carlo settings, every tail figure with its 95% interval, the
/// paired comparison, the thin-tail warnings and the narrative. Losses and drawdowns are
/// positive magnitudes, price moves signed (docs/outputs.md "Signs").
pub fn render_stress(ctx: &liq_stress::StressContext, s: &liq_stress::StressSummary) -> String {
    use liq_report::fmt::{drawdown, drawdown_interval, ratio_interval, usd_interval};
    let mut o = String::new();
    let c = &ctx.config;
    let copula = match c.copula {
        liq_stress::Copula::Gaussian => "Gaussian".to_string(),
        liq_stress::Copula::StudentT { df } => format!("Student-t (df {df})"),
    };
    let _ = writeln!(
        o,
        "liqcascade {} · Monte Carlo · scenario {} ({}) · seed {} · {} paths × {} steps over {:.0} s · {} copula",
        ctx.version,
        ctx.scenario,
        ctx.scenario_hash,
        c.seed,
        thousands(c.paths as f64),
        c.steps,
        c.horizon_s,
        copula
    );
    let vols: Vec<String> =
        ctx.markets.iter().zip(&c.daily_vol).map(|(m, v)| format!("{m} {:.2}%", v * 100.0)).collect();
    let _ = writeln!(o, "daily vol: {} · portfolio: {}", vols.join(", "), ctx.portfolio);
    let iv = &s.intervals;
    let _ = writeln!(
        o,
        "intervals: {:.0}% · VaR by {} · ES by {} ({} resamples) · losses and drawdowns positive",
        iv.level * 100.0,
        iv.var_method,
        iv.es_method,
        iv.bootstrap_resamples
    );
    for (j, &a) in liq_stress::summary::ALPHAS.iter().enumerate() {
        let _ = writeln!(o);
        let lvl = format!("{}%", a * 100.0);
        let _ = writeln!(
            o,
            "  {:<26} {:>12} {:>25} {:>12} {:>25} {:>6}",
            "portfolio loss",
            format!("VaR {lvl}"),
            "95% interval",
            format!("ES {lvl}"),
            "95% interval",
            "tail"
        );
        for (name, v) in [
            ("linear (delta-normal)", &s.linear),
            ("no feedback (exogenous)", &s.loss.no_feedback),
            ("cascade-adjusted", &s.loss.cascade),
        ] {
            let Some(x) = v.get(j) else { continue };
            let _ = writeln!(
                o,
                "  {:<26} {:>12} {:>25} {:>12} {:>25} {:>6}",
                name,
                usd(x.var),
                usd_interval(x.var_ci),
                usd(x.es),
                usd_interval(x.es_ci),
                x.tail_paths.map_or("–".into(), |k| k.to_string())
            );
        }
    }
    let _ = writeln!(
        o,
        "  cascade / linear ES 99%: {:.2}× ({})   cascade / no-feedback ES 99%: {:.2}× ({}, paired)",
        s.es99_cascade_over_linear,
        ratio_interval(s.es99_cascade_over_linear_ci),
        s.es99_cascade_over_no_feedback,
        ratio_interval(s.es99_cascade_over_no_feedback_ci)
    );
    let p = &s.paired;
    let _ = writeln!(
        o,
        "  same paths: cascade loss above no-feedback on {} paths, below on {} ({:.1}% above, 95% interval {:.1}–{:.1}%); \
         mean difference {}; ES 99% difference {}",
        thousands(p.paths_cascade_worse as f64),
        thousands(p.paths_cascade_better as f64),
        p.share_cascade_worse * 100.0,
        p.share_cascade_worse_ci.lo * 100.0,
        p.share_cascade_worse_ci.hi * 100.0,
        usd(p.mean_difference_usd),
        usd_interval(Some(p.es99_difference_ci))
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:<30} {:>12} {:>25} {:>12} {:>25}",
        "venue, ES 99%", "no feedback", "95% interval", "cascade", "95% interval"
    );
    for v in &s.venue {
        let (nf, cs) = (&v.no_feedback[0], &v.cascade[0]);
        let _ = writeln!(
            o,
            "  {:<30} {:>12} {:>25} {:>12} {:>25}",
            v.name,
            usd(nf.es),
            usd_interval(nf.es_ci),
            usd(cs.es),
            usd_interval(cs.es_ci)
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:<10} {:>16} {:>19} {:>16} {:>19} {:>14}",
        "market", "fall ES 99% (nf)", "95% interval", "fall ES 99% (c)", "95% interval", "mean overshoot"
    );
    for m in &s.overshoot {
        let (nf, cs) = (&m.drawdown_no_feedback[0], &m.drawdown_cascade[0]);
        let _ = writeln!(
            o,
            "  {:<10} {:>16} {:>19} {:>16} {:>19} {:>14}",
            m.market,
            drawdown(nf.es),
            drawdown_interval(nf.es_ci),
            drawdown(cs.es),
            drawdown_interval(cs.es_ci),
            pct(m.mean_overshoot)
        );
    }
    let a = &s.amplification;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  amplification over {} paths with liquidations: mean {:.2}×, median {:.2}×, 99th pct {:.2}×, max {:.2}×",
        a.paths_with_liquidations, a.mean, a.median, a.p99, a.max
    );
    for w in &s.warnings {
        let _ = writeln!(o, "{}", paint(&format!("  warning: {w}"), Style::Warn));
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", s.narrative);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(-999.0), "-999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(usd(12_345_678.0), "$12.35M");
        assert_eq!(pct(-0.0812), "-8.12%");
    }
}
