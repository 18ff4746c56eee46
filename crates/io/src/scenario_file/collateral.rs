//! `[collateral]` and the collateral rules of `[[assets]]` (value tiers, price paths), checked
//! with the field named so that the error carries its file and line.

use super::raw::RawScenario;
use super::validate::Ctx;
use crate::IoError;
use liq_domain::collateral::{validate_path, validate_tiers};
use liq_domain::{
    AssetCollateral, AssetSpec, CollateralSale, CollateralSpec, PathPoint, ValueTier, VenuePreset,
};

/// An asset that states neither `haircut` nor `value_tiers` takes the scenario venue's published
/// collateral table for its symbol, as a market with `tiers = "preset"` takes the venue's margin
/// table: Binance's flat ratio as the haircut, Bybit's tiers as `value_tiers`. Without a table
/// for the symbol the asset counts in full, as before.
pub(crate) fn apply_preset_tables(
    raw: &RawScenario,
    venue: VenuePreset,
    assets: &mut [AssetSpec],
    spec: &mut CollateralSpec,
) {
    for (i, a) in raw.assets.iter().enumerate() {
        if a.haircut.is_some() || !a.value_tiers.is_empty() {
            continue;
        }
        let Some(t) = liq_margin::collateral::venue_collateral_table(venue, &assets[i].symbol) else {
            continue;
        };
        if t.tiers.is_empty() {
            assets[i].haircut = t.haircut();
        } else {
            if spec.assets.len() <= i {
                spec.assets.resize(i + 1, AssetCollateral::default());
            }
            spec.assets[i].value_tiers = t.tiers.to_vec();
        }
    }
}

pub(crate) fn collateral(ctx: &Ctx, raw: &RawScenario) -> Result<CollateralSpec, IoError> {
    let mut spec = CollateralSpec::default();
    for (i, a) in raw.assets.iter().enumerate() {
        let value_tiers: Vec<ValueTier> = a
            .value_tiers
            .iter()
            .map(|t| ValueTier { up_to: t.up_to.unwrap_or(f64::INFINITY), ratio: t.ratio })
            .collect();
        if let Some(j) =
            a.value_tiers[..a.value_tiers.len().saturating_sub(1)].iter().position(|t| t.up_to.is_none())
        {
            return Err(
                ctx.err(format!("assets[{i}].value_tiers[{j}].up_to"), "only the last tier may omit up_to")
            );
        }
        validate_tiers(&value_tiers)
            .map_err(|(j, f, m)| ctx.err(format!("assets[{i}].value_tiers[{j}].{f}"), m))?;
        let price_path: Vec<PathPoint> =
            a.price_path.iter().map(|p| PathPoint { t_s: p.t_s, price: p.price }).collect();
        validate_path(&price_path)
            .map_err(|(j, f, m)| ctx.err(format!("assets[{i}].price_path[{j}].{f}"), m))?;
        if !price_path.is_empty() && a.price.is_none() {
            return Err(ctx.err(
                format!("assets[{i}].price_path"),
                "a price path needs a fixed-price asset (`price`); a market-priced one follows its mark",
            ));
        }
        if let Some(last) = price_path.last().filter(|p| p.t_s > 0.0) {
            crate::limits::check_duration_s(last.t_s)
                .map_err(|m| ctx.err(format!("assets[{i}].price_path[{}].t_s", price_path.len() - 1), m))?;
        }
        if let Some(cap) = a.max_transfer_in {
            liq_domain::collateral::validate_cap(cap)
                .map_err(|m| ctx.err(format!("assets[{i}].max_transfer_in"), m))?;
        }
        spec.assets.push(AssetCollateral { value_tiers, price_path, max_transfer_in: a.max_transfer_in });
    }
    if spec.assets.iter().all(|a| *a == AssetCollateral::default()) {
        spec.assets.clear();
    }
    if let Some(c) = &raw.collateral {
        if let Some(t) = c.auto_exchange_threshold_usd {
            if !(t.is_finite() && t <= 0.0) {
                return Err(ctx.err(
                    "collateral.auto_exchange_threshold_usd",
                    format!("must be a finite amount ≤ 0 (a negative balance), got {t}"),
                ));
            }
            spec.auto_exchange_threshold_usd = Some(t);
        }
        spec.auto_exchange_off = c.auto_exchange == Some(false);
        spec.transfer_in_caps = c.transfer_in_caps;
        spec.sale = match c.sale.as_deref().map(str::trim) {
            None | Some("book") => CollateralSale::Book,
            Some("fund") => CollateralSale::Fund,
            Some(other) => {
                return Err(
                    ctx.err("collateral.sale", format!("unknown sale \"{other}\" (one of: book, fund)"))
                )
            }
        };
    }
    Ok(spec)
}
