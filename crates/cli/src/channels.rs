//! The `run` table of forced-flow channels: for scenarios with leveraged tokens, dealer hedging
//! or stop clusters, what each channel traded and the liquidations it adds
//! (`liq_engine::channel_report`; docs/guide.md, *Channels*).

use liq_engine::{ChannelReport, ChannelTotals};

fn musd(x: f64) -> String {
    format!("{:>10.3}", x / 1e6)
}

/// The attribution table of an instant shock.
pub fn render_report(r: &ChannelReport) -> String {
    let mut s = String::from("\nForced-flow channels (M USD; each channel switched off in turn)\n");
    s.push_str("  channel            sold      bought   liq. without   liq. added\n");
    for c in &r.channels {
        s.push_str(&format!(
            "  {:<14} {} {}     {}   {}\n",
            c.channel.name(),
            musd(c.sold_usd),
            musd(c.bought_usd),
            musd(c.liquidated_without_usd),
            musd(c.liquidations_added_usd)
        ));
    }
    s.push_str(&format!(
        "  liquidated {} (second order {}); liquidations-only cascade {} (second order {}); interaction {}\n",
        musd(r.liquidated_usd).trim(),
        musd(r.second_order_usd).trim(),
        musd(r.liquidations_only_usd).trim(),
        musd(r.liquidations_only_second_order_usd).trim(),
        musd(r.interaction_usd).trim()
    ));
    s
}

/// What each channel traded on a shock path (no attribution: that is run for instant shocks).
pub fn render_totals(totals: &[ChannelTotals]) -> String {
    let mut s = String::from(
        "\nForced-flow channels on the path (M USD)\n  channel            sold      bought   trades\n",
    );
    for t in totals {
        s.push_str(&format!(
            "  {:<14} {} {} {:>8}\n",
            t.channel.name(),
            musd(t.sold_usd),
            musd(t.bought_usd),
            t.trades
        ));
    }
    s
}
