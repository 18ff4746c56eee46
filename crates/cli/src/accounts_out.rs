//! `--accounts-out FILE.csv|FILE.parquet`: the per-account risk of a run
//! ([`liq_network::account_risk()`]) as one row per position (the table is defined in
//! `liq_io::account_risk_table`, docs/outputs.md "Per-account risk"), and the terminal table of
//! the ten riskiest accounts.

use crate::table::{pct, price, usd};
use anyhow::{Context, Result};
use liq_network::AccountRisk;
use std::fmt::Write as _;
use std::path::Path;

/// Writes the per-account table as CSV or Parquet (by extension), whole or not at all, with its
/// `.meta.json` sidecar written by the caller.
pub fn write(path: &Path, risks: &[AccountRisk]) -> Result<()> {
    liq_io::account_risk_table::write_account_risk(path, risks)
        .with_context(|| format!("writing the per-account table to {}", path.display()))
}

/// The ten riskiest accounts (liquidated first, then the nearest to liquidation).
pub fn render_top(risks: &[AccountRisk], n: usize) -> String {
    let order = liq_network::riskiest_first(risks);
    let mut o = String::new();
    let _ = writeln!(o, "\n  riskiest accounts (liquidated first, then by the move that liquidates them)");
    let _ = writeln!(
        o,
        "  {:<14} {:<34} {:>10} {:>9} {:>5} {:>12} {:>12}",
        "account", "positions (liquidation price)", "nearest", "common", "gen", "liquidated", "P&L"
    );
    for &i in order.iter().take(n) {
        let r = &risks[i];
        if r.positions.is_empty() {
            continue;
        }
        let positions: Vec<String> = r
            .positions
            .iter()
            .map(|p| {
                let short = p.market.trim_end_matches("USDT");
                let side = if p.qty < 0.0 { "S" } else { "L" };
                let iso = if p.isolated { "i" } else { "" };
                format!(
                    "{short} {side}{iso} {}",
                    p.liquidation_price.map(price).unwrap_or_else(|| "never".into())
                )
            })
            .collect();
        let mut pos = positions.join(", ");
        if pos.chars().count() > 34 {
            pos = pos.chars().take(33).collect::<String>() + "…";
        }
        let _ = writeln!(
            o,
            "  {:<14} {:<34} {:>10} {:>9} {:>5} {:>12} {:>12}",
            r.account.chars().take(14).collect::<String>(),
            pos,
            r.nearest_move.map(pct).unwrap_or_else(|| "never".into()),
            r.cross_common_move.map(pct).unwrap_or_else(|| "–".into()),
            r.generation.map(|g| g.to_string()).unwrap_or_else(|| "–".into()),
            usd(r.liquidated_notional_usd),
            usd(r.position_pnl_usd),
        );
    }
    o
}
