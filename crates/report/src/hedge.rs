//! The report's desk-hedge part (`stress --portfolio FILE --hedge … --report`): the portfolio's
//! loss hedged and unhedged on the same paths with the paired 95% intervals of the differences,
//! and the hedging cost (`liq_stress::hedge`).

use crate::fmt::usd;
use crate::tables::Table;
use liq_stress::hedge::{HedgeSummary, PairedFigure};

fn diff(f: &PairedFigure) -> String {
    format!("{} [{}, {}]", usd(f.diff), usd(f.diff_interval.lo), usd(f.diff_interval.hi))
}

/// A row per figure (mean, VaR99, ES99 of the loss; mean liquidated notional), then the cost.
pub(crate) fn hedge_table(h: &HedgeSummary) -> Table {
    let head =
        ["figure", "unhedged", "hedged", "hedged − unhedged [paired 95%]"].iter().map(|x| x.to_string());
    let mut rows: Vec<Vec<String>> = [
        ("mean loss", &h.mean_loss),
        ("VaR 99% of the loss", &h.var99),
        ("ES 99% of the loss", &h.es99),
        ("liquidated notional (mean)", &h.liquidated),
    ]
    .into_iter()
    .map(|(name, f)| vec![name.to_string(), usd(f.unhedged), usd(f.hedged), diff(f)])
    .collect();
    rows.push(vec![
        "hedging cost per path (mean)".into(),
        String::new(),
        usd(h.mean_hedge_cost_usd),
        format!(
            "impact {} + fees {}; {:.2} rebalances (max {})",
            usd(h.mean_impact_usd),
            usd(h.mean_fees_usd),
            h.mean_rebalances,
            h.max_rebalances
        ),
    ]);
    Table { head: head.collect(), rows }
}

/// The section's opening text, with the settings.
pub(crate) fn hedge_intro(h: &HedgeSummary) -> String {
    let s = &h.settings;
    format!(
        "The portfolio's delta hedged on every path through the perp books (every {} s, band {:.2}% of the \
         delta, ratio {}): the hedge's orders walk the books the liquidations walk and their impact feeds the \
         cascade. Hedged and unhedged ran on the same {} paths, so each difference has a paired interval; the \
         hedged loss includes the hedge's impact and taker fees.",
        s.interval_s,
        s.band * 100.0,
        s.ratio,
        h.paths
    )
}
