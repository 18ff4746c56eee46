//! How collateral counts and how it is sold: tiered value ratios, exogenous price paths of
//! collateral assets (a stablecoin depeg), the auto-exchange threshold and where a sale of
//! collateral executes.
//!
//! This is the scenario's description only; the venues' published values and the maths live in
//! `liq_margin::collateral`, the sale itself in `liq_engine::spot_sale`. Everything here is
//! optional: an empty [`CollateralSpec`] means flat haircuts (`AssetSpec::haircut`), fixed or
//! mark prices, the venue's default auto-exchange and sales into the book.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// One tier of a collateral value ratio: the part of a holding up to `up_to` (in the asset's own
/// quantity, as Bybit publishes its tiers) counts at `ratio` of its value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ValueTier {
    /// Upper bound of the tier (asset quantity); `f64::INFINITY` for the open top tier.
    pub up_to: f64,
    /// Share of the value counted as margin in this tier, in [0, 1].
    pub ratio: f64,
}

/// One point of a collateral asset's exogenous price path: from `t_s` seconds after the start of
/// the run the asset is priced at `price` (a step function; before the first point the asset's
/// own price applies).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    pub t_s: f64,
    pub price: f64,
}

/// Per-asset collateral rules beyond the flat haircut.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssetCollateral {
    /// Tiered value ratios (empty = `1 − haircut` on the whole holding).
    #[serde(default)]
    pub value_tiers: Vec<ValueTier>,
    /// Exogenous price path of a fixed-price asset (empty = its fixed price throughout).
    #[serde(default)]
    pub price_path: Vec<PathPoint>,
    /// Most of this asset an account can hold in its margin wallet (asset quantity; Binance's
    /// "Maximum Transfer-in"); `None` = the venue's published cap when
    /// `CollateralSpec::transfer_in_caps` is on, else none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_transfer_in: Option<f64>,
}

/// Where collateral that is sold (auto-exchange, a negative wallet covered after a liquidation,
/// or collateral the fund seized through the surplus rule) goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CollateralSale {
    /// The venue converts it at the haircut price and sells it into the asset's book (its spot
    /// book, else its perp book; a fixed-price asset at its price): the collateral channel.
    #[default]
    Book,
    /// The insurance fund keeps what it bought at the haircut price and what it seized (no
    /// market sale): the comparison without the collateral channel.
    Fund,
}

/// The scenario's collateral section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CollateralSpec {
    /// Per asset, same order as `Scenario::assets`; shorter (or empty) = defaults for the rest.
    #[serde(default)]
    pub assets: Vec<AssetCollateral>,
    /// Auto-exchange when a cross wallet's USD balance falls below this (negative) amount;
    /// `None` = the venue's published threshold (Binance multi-assets mode), if it has one.
    #[serde(default)]
    pub auto_exchange_threshold_usd: Option<f64>,
    /// Switches the venue's auto-exchange off (its threshold is then ignored).
    #[serde(default)]
    pub auto_exchange_off: bool,
    #[serde(default)]
    pub sale: CollateralSale,
    /// Applies the venue's published maximum transfer-in per asset (Binance multi-assets mode)
    /// to assets without their own `max_transfer_in`: an account's holding beyond the cap is not
    /// in its margin wallet (it neither counts nor is sold). Off by default (docs/venues.md).
    #[serde(default, skip_serializing_if = "is_false")]
    pub transfer_in_caps: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl CollateralSpec {
    /// The rules of asset `i` (defaults when the section does not name it).
    pub fn asset(&self, i: usize) -> AssetCollateral {
        self.assets.get(i).cloned().unwrap_or_default()
    }

    /// Structural checks: tiers ascending with ratios in [0, 1], paths in time order with
    /// positive prices, a negative threshold. Field names are the scenario format's.
    pub fn validate(&self, n_assets: usize) -> Result<(), DomainError> {
        if self.assets.len() > n_assets {
            return Err(DomainError::new(
                "collateral.assets",
                format!("{} entries for {} assets", self.assets.len(), n_assets),
            ));
        }
        for (i, a) in self.assets.iter().enumerate() {
            validate_tiers(&a.value_tiers)
                .map_err(|(j, f, m)| DomainError::new(format!("assets[{i}].value_tiers[{j}].{f}"), m))?;
            validate_path(&a.price_path)
                .map_err(|(j, f, m)| DomainError::new(format!("assets[{i}].price_path[{j}].{f}"), m))?;
            if let Some(cap) = a.max_transfer_in {
                validate_cap(cap).map_err(|m| DomainError::new(format!("assets[{i}].max_transfer_in"), m))?;
            }
        }
        if let Some(t) = self.auto_exchange_threshold_usd {
            if !(t.is_finite() && t <= 0.0) {
                return Err(DomainError::new(
                    "collateral.auto_exchange_threshold_usd",
                    format!("must be a finite amount ≤ 0 (a negative balance), got {t}"),
                ));
            }
        }
        Ok(())
    }
}

/// Tiers must ascend strictly with ratios in [0, 1]; the error is `(tier, field, message)`.
pub fn validate_tiers(tiers: &[ValueTier]) -> Result<(), (usize, &'static str, String)> {
    let mut prev = 0.0;
    for (j, t) in tiers.iter().enumerate() {
        if !(t.ratio.is_finite() && (0.0..=1.0).contains(&t.ratio)) {
            return Err((j, "ratio", format!("must be in [0, 1], got {}", t.ratio)));
        }
        if t.up_to.is_nan() || t.up_to <= prev {
            return Err((j, "up_to", format!("tiers must ascend: {} after {prev}", t.up_to)));
        }
        prev = t.up_to;
    }
    Ok(())
}

/// A transfer-in cap must be a positive finite quantity.
pub fn validate_cap(cap: f64) -> Result<(), String> {
    if cap.is_finite() && cap > 0.0 {
        Ok(())
    } else {
        Err(format!("must be a positive finite quantity, got {cap}"))
    }
}

/// Path points must be in strictly increasing time from 0 with positive finite prices.
pub fn validate_path(path: &[PathPoint]) -> Result<(), (usize, &'static str, String)> {
    let mut prev = f64::NEG_INFINITY;
    for (j, p) in path.iter().enumerate() {
        if !(p.t_s.is_finite() && p.t_s >= 0.0 && p.t_s > prev) {
            return Err((j, "t_s", format!("times must be ≥ 0 and increase: {} after {prev}", p.t_s)));
        }
        if !(p.price.is_finite() && p.price > 0.0) {
            return Err((j, "price", format!("must be a positive finite price, got {}", p.price)));
        }
        prev = p.t_s;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_tiers_and_paths() {
        let t = |up_to, ratio| ValueTier { up_to, ratio };
        assert!(validate_tiers(&[t(10.0, 0.98), t(f64::INFINITY, 0.0)]).is_ok());
        assert_eq!(validate_tiers(&[t(10.0, 1.2)]).unwrap_err().1, "ratio");
        assert_eq!(validate_tiers(&[t(10.0, -0.1)]).unwrap_err().1, "ratio");
        assert_eq!(
            validate_tiers(&[t(20.0, 0.9), t(10.0, 0.8)]).unwrap_err(),
            (1, "up_to", "tiers must ascend: 10 after 20".into())
        );
        let p = |t_s, price| PathPoint { t_s, price };
        assert!(validate_path(&[p(0.0, 1.0), p(60.0, 0.7)]).is_ok());
        assert_eq!(validate_path(&[p(60.0, 1.0), p(60.0, 0.7)]).unwrap_err().0, 1);
        assert_eq!(validate_path(&[p(0.0, 0.0)]).unwrap_err().1, "price");
        let spec = CollateralSpec { auto_exchange_threshold_usd: Some(5.0), ..Default::default() };
        assert_eq!(spec.validate(0).unwrap_err().field, "collateral.auto_exchange_threshold_usd");
        let spec = CollateralSpec {
            assets: vec![AssetCollateral { max_transfer_in: Some(0.0), ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(spec.validate(1).unwrap_err().field, "assets[0].max_transfer_in");
        assert!(validate_cap(5.0).is_ok() && validate_cap(f64::NAN).is_err());
    }
}
