//! `--accounts-out FILE.csv`: the per-account risk of a run ([`liq_network::account_risk()`]) as
//! one row per position, and the terminal table of the ten riskiest accounts.
//!
//! The columns (docs/outputs.md "Per-account risk"): account-level values are repeated on each
//! of the account's rows so that a spreadsheet filter on one row keeps its whole context; an
//! account without positions has one row with the position columns empty.

use crate::table::{pct, price, usd};
use anyhow::{Context, Result};
use liq_network::AccountRisk;
use std::fmt::Write as _;
use std::path::Path;

/// The columns of the per-account CSV, in order.
pub const COLUMNS: [&str; 18] = [
    "account",
    "market",
    "side",
    "qty",
    "mode",
    "mark",
    "liquidation_price",
    "distance",
    "cross_common_move",
    "nearest_move",
    "generation",
    "liquidated_notional_usd",
    "adl_closed_qty",
    "adl_closed_notional_usd",
    "liquidation_fees_usd",
    "fund_flow_usd",
    "realised_pnl_usd",
    "position_pnl_usd",
];

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes the per-account CSV (whole or not at all). Parquet is refused by name until the
/// Parquet writer of `liq_io` takes a table of this shape.
pub fn write(path: &Path, risks: &[AccountRisk]) -> Result<()> {
    let parquet =
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    if parquet {
        return Err(crate::InputError(format!(
            "--accounts-out {}: Parquet is not supported for the per-account table yet; use a .csv name",
            path.display()
        ))
        .into());
    }
    liq_io::output::write_file_with(path, |w| {
        let mut c = csv::Writer::from_writer(w);
        c.write_record(COLUMNS)?;
        for r in risks {
            let tail = [
                opt(r.cross_common_move),
                opt(r.nearest_move),
                r.generation.map(|g| g.to_string()).unwrap_or_default(),
                r.liquidated_notional_usd.to_string(),
                r.adl_closed_qty.to_string(),
                r.adl_closed_notional_usd.to_string(),
                r.liquidation_fees_usd.to_string(),
                r.fund_flow_usd.to_string(),
                r.realised_pnl_usd.to_string(),
                r.position_pnl_usd.to_string(),
            ];
            if r.positions.is_empty() {
                let mut row = vec![r.account.clone()];
                row.extend(std::iter::repeat_n(String::new(), 7));
                row.extend(tail.iter().cloned());
                c.write_record(&row)?;
            }
            for p in &r.positions {
                let mut row = vec![
                    r.account.clone(),
                    p.market.clone(),
                    if p.qty < 0.0 { "short" } else { "long" }.to_string(),
                    p.qty.to_string(),
                    if p.isolated { "isolated" } else { "cross" }.to_string(),
                    p.mark.to_string(),
                    opt(p.liquidation_price),
                    opt(p.distance),
                ];
                row.extend(tail.iter().cloned());
                c.write_record(&row)?;
            }
        }
        c.flush()
    })
    .with_context(|| format!("writing the per-account table to {}", path.display()))?;
    Ok(())
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
