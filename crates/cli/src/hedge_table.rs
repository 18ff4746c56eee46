//! The terminal table of `stress --hedge`: the desk's book hedged and unhedged on the same paths,
//! the paired 95% intervals of the differences, and what the hedge cost.

use liq_report::fmt::{thousands, usd};
use liq_stress::hedge::{HedgeSummary, PairedFigure};
use std::fmt::Write;

fn interval(f: &PairedFigure) -> String {
    format!("[{}, {}]", usd(f.diff_interval.lo), usd(f.diff_interval.hi))
}

pub fn render_hedge(h: &HedgeSummary) -> String {
    let mut o = String::new();
    let s = &h.settings;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "delta hedge of the portfolio through the perp books · every {} s · band {:.2}% of delta · ratio {} · {} paths (the same paths hedged and unhedged)",
        s.interval_s,
        s.band * 100.0,
        s.ratio,
        thousands(h.paths as f64)
    );
    let _ = writeln!(
        o,
        "  {:<26} {:>12} {:>12} {:>12} {:>27}",
        "portfolio loss (cascade)", "unhedged", "hedged", "difference", "paired 95% interval"
    );
    for (name, f) in [("mean", &h.mean_loss), ("VaR 99%", &h.var99), ("ES 99%", &h.es99)] {
        let _ = writeln!(
            o,
            "  {:<26} {:>12} {:>12} {:>12} {:>27}",
            name,
            usd(f.unhedged),
            usd(f.hedged),
            usd(f.diff),
            interval(f)
        );
    }
    let l = &h.liquidated;
    let _ = writeln!(
        o,
        "  {:<26} {:>12} {:>12} {:>12} {:>27}",
        "liquidated notional (mean)",
        usd(l.unhedged),
        usd(l.hedged),
        usd(l.diff),
        interval(l)
    );
    let _ = writeln!(
        o,
        "  hedging cost per path (mean): {} = impact {} + fees {} · traded {} · rebalances {:.2} (max {})",
        usd(h.mean_hedge_cost_usd),
        usd(h.mean_impact_usd),
        usd(h.mean_fees_usd),
        usd(h.mean_traded_usd),
        h.mean_rebalances,
        h.max_rebalances
    );
    o
}
