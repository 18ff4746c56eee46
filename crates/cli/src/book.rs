//! Whose book runs: the scenario (file or embedded default) on a venue, with a desk's own
//! accounts (`--accounts`, replacing or joining the scenario's), or the default population drawn
//! for the other regime (`--skew`); and the line that says which side a shock hits.
//!
//! Every command that runs a book (`run`, `stress`, `sweep`, `map`, `network`, `compare`)
//! flattens [`BookArgs`] and loads through [`load`], so the flags mean the same everywhere.

use crate::InputError;
use anyhow::Result;
use clap::Args;
use liq_domain::Scenario;
use std::path::PathBuf;

/// The accounts a command runs.
#[derive(Args, Debug, Default, Clone)]
pub struct BookArgs {
    /// Your own accounts (CSV; Parquet once supported): they replace the scenario's accounts,
    /// while its markets, books, spot markets, index, arbitrage, insurance fund and the venue's
    /// margin tables stay. Columns as `scenario export` writes them (docs/guide.md).
    #[arg(long, value_name = "FILE.csv|FILE.parquet")]
    pub accounts: Option<PathBuf>,
    /// With --accounts: add your accounts to the scenario's own population instead of replacing
    /// it (your book inside the crowd whose liquidations move the price).
    #[arg(long, requires = "accounts")]
    pub with_population: bool,
    /// Which side of the embedded default population sits near liquidation: `shorts` or `longs`
    /// (the population drawn from the mirrored price history), `as-drawn` (default: the seed's
    /// own history). Only for the embedded default without --accounts.
    #[arg(long, value_name = "shorts|longs|as-drawn")]
    pub skew: Option<String>,
}

/// The side of the default population crowded near liquidation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skew {
    Shorts,
    Longs,
}

/// Loads the scenario (or the default) on `venue` with the book the arguments name.
pub fn load(scenario: Option<&PathBuf>, venue: Option<&str>, book: &BookArgs) -> Result<Scenario> {
    let skew = match book.skew.as_deref().map(str::trim) {
        None | Some("as-drawn") => None,
        Some("shorts") => Some(Skew::Shorts),
        Some("longs") => Some(Skew::Longs),
        Some(other) => {
            return Err(InputError(format!("--skew {other}: expected shorts, longs or as-drawn")).into())
        }
    };
    if skew.is_some() && (scenario.is_some() || book.accounts.is_some()) {
        return Err(InputError(
            "--skew chooses how the embedded default population is drawn; it cannot apply to a \
             scenario file or to --accounts"
                .into(),
        )
        .into());
    }
    let mut s = crate::run_cmd::load_for_venue(scenario, venue)?;
    if let Some(want) = skew {
        if crowded_side(&s) != want {
            let v = venue.and_then(|v| liq_domain::VenuePreset::parse(v.trim()));
            let mirrored = liq_io::default_scenario::default_scenario_mirrored(v)
                .map_err(|e| anyhow::anyhow!("the mirrored default population failed to build: {e}"))?;
            if crowded_side(&mirrored) != want {
                return Err(InputError(format!(
                    "--skew: neither the drawn nor the mirrored history crowds the {} in this population",
                    if want == Skew::Longs { "longs" } else { "shorts" }
                ))
                .into());
            }
            s = mirrored;
        }
    }
    if let Some(file) = &book.accounts {
        s = if book.with_population {
            liq_io::accounts_file::add_accounts(s, file)
        } else {
            liq_io::accounts_file::with_accounts(s, file)
        }
        .map_err(|e| InputError(format!("--accounts: {e}")))?;
    }
    Ok(s)
}

/// The side with the larger share of its open interest within 5% of liquidation, in the market
/// with the most open interest (BTC in the default).
fn crowded_side(s: &Scenario) -> Skew {
    let Ok(model) = liq_engine::EngineModel::new(s) else { return Skew::Shorts };
    let units = liq_network::units::unit_views(&model);
    let rows = liq_network::concentration(&model, &units, &[0.05]);
    let top = rows
        .iter()
        .max_by(|a, b| a.open_interest_usd.total_cmp(&b.open_interest_usd))
        .map(|r| r.market.clone())
        .unwrap_or_default();
    let share = |side: &str| {
        rows.iter()
            .find(|r| r.market == top && r.side == side)
            .and_then(|r| r.share.first().copied())
            .unwrap_or(0.0)
    };
    if share("long") > share("short") {
        Skew::Longs
    } else {
        Skew::Shorts
    }
}

/// The market the shock moves most and its move; `None` without a shock.
fn shock_market(model: &liq_engine::EngineModel) -> Option<(usize, f64)> {
    model
        .shock()
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, m)| *m != 0.0)
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
}

/// "shock BTCUSDT −8.00% hits longs: 3.1% of long open interest within 8.00% of liquidation vs
/// 24.5% of short open interest" for the market the shock moves most; `None` without a shock.
pub fn shock_side_line(model: &liq_engine::EngineModel) -> Option<String> {
    let (k, mv) = shock_market(model)?;
    // One pass for the one market: building every unit's view to read two numbers was 9% of a
    // 1,000,000-account run (the same rows as `concentration` over `unit_views`, tested).
    let rows = liq_network::concentration::concentration_in(model, k, mv.abs());
    let symbol = &model.markets[k].symbol;
    let share = |side: &str| {
        rows.iter().find(|r| &r.market == symbol && r.side == side).and_then(|r| r.share.first().copied())
    };
    let (hit, other) = if mv < 0.0 { ("long", "short") } else { ("short", "long") };
    let (a, b) = (share(hit).unwrap_or(0.0), share(other).unwrap_or(0.0));
    let pct = crate::table::pct;
    let share_pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut line = format!(
        "shock {symbol} {} hits {hit}s: {} of {hit} open interest within {} of liquidation vs {} of {other} \
         open interest",
        pct(mv),
        share_pct(a),
        share_pct(mv.abs()),
        share_pct(b)
    );
    if b > a {
        line.push_str(&format!(
            " — the loaded side is the {other}s; the opposite move (or --skew) asks about them"
        ));
    }
    Some(line)
}

/// The account ids `--only` names: an existing file is read as an accounts CSV (its `account`
/// column, comment lines skipped), anything else as a comma-separated list of ids.
pub fn account_ids(only: &str) -> Result<std::collections::HashSet<String>> {
    let path = std::path::Path::new(only);
    let mut ids = std::collections::HashSet::new();
    if path.is_file() {
        let mut r = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .from_path(path)
            .map_err(|e| InputError(format!("--only {only}: {e}")))?;
        let headers = r.headers().map_err(|e| InputError(format!("--only {only}: {e}")))?.clone();
        let col = headers
            .iter()
            .position(|h| h.trim() == "account")
            .ok_or_else(|| InputError(format!("--only {only}: no `account` column in the header")))?;
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| InputError(format!("--only {only}: {e}")))?;
            let id = rec.get(col).map(str::trim).unwrap_or_default();
            if id.is_empty() {
                return Err(InputError(format!("--only {only}: record {}: empty account id", i + 1)).into());
            }
            ids.insert(id.to_string());
        }
    } else {
        ids.extend(only.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
    }
    if ids.is_empty() {
        return Err(InputError(format!("--only {only}: no account ids")).into());
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    /// The line as it was built before `concentration_in`: from every unit view.
    fn line_from_unit_views(model: &liq_engine::EngineModel) -> Option<String> {
        let (k, mv) = super::shock_market(model)?;
        let units = liq_network::units::unit_views(model);
        let rows = liq_network::concentration(model, &units, &[mv.abs()]);
        let symbol = &model.markets[k].symbol;
        let share = |side: &str| {
            rows.iter().find(|r| &r.market == symbol && r.side == side).and_then(|r| r.share.first().copied())
        };
        let (hit, other) = if mv < 0.0 { ("long", "short") } else { ("short", "long") };
        let (a, b) = (share(hit).unwrap_or(0.0), share(other).unwrap_or(0.0));
        Some(format!("{symbol} {mv} {hit} {a:e} {b:e}"))
    }

    /// On the default population, for falls and rises of every market: the same shares (to the
    /// bit) as the rows built from every unit view, so the same line.
    #[test]
    fn shock_side_line_matches_the_unit_view_rows() {
        let base = liq_io::default_scenario::default_scenario().unwrap();
        for (k, mv) in [(0, -0.08), (1, 0.05), (2, -0.15), (0, 0.02)] {
            let mut s = base.clone();
            let mut moves = vec![0.0; s.markets.len()];
            moves[k] = mv;
            s.shock = liq_domain::Shock::PerMarket(moves);
            let model = liq_engine::EngineModel::new(&s).unwrap();
            let want = line_from_unit_views(&model).unwrap();
            let rows = liq_network::concentration::concentration_in(&model, k, mv.abs());
            let (hit, other) = if mv < 0.0 { (0, 1) } else { (1, 0) };
            let got = format!(
                "{} {mv} {} {:e} {:e}",
                model.markets[k].symbol, rows[hit].side, rows[hit].share[0], rows[other].share[0]
            );
            assert_eq!(got, want);
            assert!(super::shock_side_line(&model).unwrap().contains(&model.markets[k].symbol));
        }
    }
}
