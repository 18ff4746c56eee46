//! Market specifications: a linear (USD-margined) perpetual with its tick, lot, prices, fees and
//! risk-limit ladder.
//!
//! The ladder follows Binance's published form: each tier covers a band of position notional and
//! carries a maintenance margin rate `mmr`, a maintenance amount `cum` and a max leverage; the
//! maintenance margin of a position is `notional × mmr − cum` of the tier its notional falls in.
//! `cum` is what makes that function continuous across tier boundaries:
//! `cum[i] = cum[i−1] + floor[i] × (mmr[i] − mmr[i−1])`. A ladder whose `cum` breaks continuity
//! by more than a cent is rejected, because the venues' tables never do and a typo there changes
//! every liquidation price above the bad tier.

use crate::money::{Money, MICROS_PER_USD};
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// One tier of a risk-limit ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskTier {
    /// Lower bound of the tier's position notional band, USD (the first tier starts at 0).
    pub floor_notional: f64,
    /// Upper bound of the band, USD (inclusive). The last tier's cap is the position limit.
    pub cap_notional: f64,
    /// Maintenance margin rate.
    pub mmr: f64,
    /// Maintenance amount ("cum" in Binance's tables), USD.
    pub maintenance_amount: f64,
    /// Maximum leverage allowed in this tier (initial margin rate = 1 / max_leverage).
    pub max_leverage: f64,
}

/// A validated risk-limit ladder, tiers ascending by notional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskLadder {
    tiers: Vec<RiskTier>,
}

impl RiskLadder {
    /// Validates and builds a ladder. Errors name the tier and field (`tiers[2].mmr`).
    pub fn new(tiers: Vec<RiskTier>) -> Result<Self, DomainError> {
        if tiers.is_empty() {
            return Err(DomainError::new("tiers", "a risk-limit ladder needs at least one tier"));
        }
        for (i, t) in tiers.iter().enumerate() {
            let f = |name: &str| format!("tiers[{i}].{name}");
            for (name, v) in [
                ("floor_notional", t.floor_notional),
                ("cap_notional", t.cap_notional),
                ("mmr", t.mmr),
                ("maintenance_amount", t.maintenance_amount),
                ("max_leverage", t.max_leverage),
            ] {
                if !v.is_finite() {
                    return Err(DomainError::new(f(name), format!("must be a finite number, got {v}")));
                }
            }
            if !(t.mmr > 0.0 && t.mmr < 1.0) {
                return Err(DomainError::new(f("mmr"), format!("must be in (0, 1), got {}", t.mmr)));
            }
            if t.max_leverage < 1.0 {
                return Err(DomainError::new(
                    f("max_leverage"),
                    format!("must be ≥ 1, got {}", t.max_leverage),
                ));
            }
            if t.mmr >= 1.0 / t.max_leverage {
                return Err(DomainError::new(
                    f("mmr"),
                    format!(
                        "maintenance rate {} is not below the initial rate 1/{} of the same tier",
                        t.mmr, t.max_leverage
                    ),
                ));
            }
            if t.cap_notional <= t.floor_notional {
                return Err(DomainError::new(
                    f("cap_notional"),
                    format!("cap {} is not above floor {}", t.cap_notional, t.floor_notional),
                ));
            }
            if i == 0 {
                if t.floor_notional != 0.0 {
                    return Err(DomainError::new(
                        f("floor_notional"),
                        "the first tier must start at notional 0",
                    ));
                }
                if t.maintenance_amount.abs() > 0.01 {
                    return Err(DomainError::new(
                        f("maintenance_amount"),
                        "the first tier's maintenance amount must be 0",
                    ));
                }
                continue;
            }
            let prev = &tiers[i - 1];
            if (t.floor_notional - prev.cap_notional).abs() > 1.0 {
                return Err(DomainError::new(
                    f("floor_notional"),
                    format!(
                        "tier starts at {} but the previous tier ends at {}: tiers must be contiguous",
                        t.floor_notional, prev.cap_notional
                    ),
                ));
            }
            if t.mmr < prev.mmr {
                return Err(DomainError::new(
                    f("mmr"),
                    format!(
                        "{} is below the previous tier's {}: rates must not fall as notional grows",
                        t.mmr, prev.mmr
                    ),
                ));
            }
            if t.max_leverage > prev.max_leverage {
                return Err(DomainError::new(
                    f("max_leverage"),
                    format!("{} is above the previous tier's {}", t.max_leverage, prev.max_leverage),
                ));
            }
            let expected = prev.maintenance_amount + t.floor_notional * (t.mmr - prev.mmr);
            if (t.maintenance_amount - expected).abs() > 0.01_f64.max(expected.abs() * 1e-9) {
                return Err(DomainError::new(
                    f("maintenance_amount"),
                    format!("{} breaks continuity of maintenance margin at the tier boundary; expected {expected}", t.maintenance_amount),
                ));
            }
        }
        Ok(Self { tiers })
    }

    /// Builds a ladder from `(cap_notional, mmr, max_leverage)` rows, deriving floors and the
    /// maintenance amounts by continuity (how Binance computes its `cum` column).
    pub fn from_caps(rows: &[(f64, f64, f64)]) -> Result<Self, DomainError> {
        let mut tiers = Vec::with_capacity(rows.len());
        let mut floor = 0.0;
        let mut cum = 0.0;
        let mut prev_mmr = None;
        for &(cap, mmr, lev) in rows {
            if let Some(p) = prev_mmr {
                cum += floor * (mmr - p);
            }
            tiers.push(RiskTier {
                floor_notional: floor,
                cap_notional: cap,
                mmr,
                maintenance_amount: cum,
                max_leverage: lev,
            });
            floor = cap;
            prev_mmr = Some(mmr);
        }
        Self::new(tiers)
    }

    pub fn tiers(&self) -> &[RiskTier] {
        &self.tiers
    }

    /// Index of the tier a position of `notional` USD falls in (the last tier above the cap).
    #[inline]
    pub fn tier_index(&self, notional: f64) -> usize {
        let n = notional.abs();
        // Ladders have ≤ 20 tiers: a linear scan beats a binary search here.
        self.tiers.iter().position(|t| n <= t.cap_notional).unwrap_or(self.tiers.len() - 1)
    }

    #[inline]
    pub fn tier(&self, notional: f64) -> &RiskTier {
        &self.tiers[self.tier_index(notional)]
    }

    /// Maintenance margin of a position of `notional` USD: `notional × mmr − cum`.
    #[inline]
    pub fn maintenance_margin(&self, notional: f64) -> f64 {
        let n = notional.abs();
        let t = self.tier(n);
        n * t.mmr - t.maintenance_amount
    }

    /// Initial margin at the tier's max leverage.
    #[inline]
    pub fn initial_margin(&self, notional: f64) -> f64 {
        let n = notional.abs();
        n / self.tier(n).max_leverage
    }

    /// The position limit: the last tier's cap.
    pub fn position_limit(&self) -> f64 {
        self.tiers.last().map(|t| t.cap_notional).unwrap_or(0.0)
    }
}

/// A linear USD-margined perpetual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketSpec {
    /// Symbol, e.g. `BTCUSDT`.
    pub symbol: String,
    /// Price increment, USD.
    pub tick_size: f64,
    /// Quantity increment, in the base asset.
    pub lot_size: f64,
    /// Index (spot) price before the shock, USD.
    pub index_price: f64,
    /// Mark price before the shock, USD.
    pub mark_price: f64,
    /// Risk-limit ladder.
    pub ladder: RiskLadder,
    /// Liquidation (clearance) fee rate on liquidated notional, paid to the insurance fund.
    pub liquidation_fee_rate: f64,
    /// Taker fee rate, paid to the venue on liquidation fills.
    pub taker_fee_rate: f64,
}

impl MarketSpec {
    /// Validates the scalar fields (the ladder validated itself when it was built).
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.symbol.trim().is_empty() {
            return Err(DomainError::new("symbol", "must not be empty"));
        }
        for (name, v) in [
            ("tick_size", self.tick_size),
            ("lot_size", self.lot_size),
            ("index_price", self.index_price),
            ("mark_price", self.mark_price),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(DomainError::new(name, format!("must be a positive finite number, got {v}")));
            }
        }
        for (name, v) in
            [("liquidation_fee_rate", self.liquidation_fee_rate), ("taker_fee_rate", self.taker_fee_rate)]
        {
            if !(v.is_finite() && (0.0..0.1).contains(&v)) {
                return Err(DomainError::new(name, format!("must be in [0, 0.1), got {v}")));
            }
        }
        let unit = self.tick_size * self.lot_size * MICROS_PER_USD as f64;
        if (unit - unit.round()).abs() > 1e-6 * unit.max(1.0) || unit.round() < 1.0 {
            return Err(DomainError::new(
                "lot_size",
                format!(
                    "tick_size × lot_size = {} USD is not a whole number of micro-dollars; the exact ledger needs it to be",
                    self.tick_size * self.lot_size
                ),
            ));
        }
        Ok(())
    }

    /// Micro-dollars that one lot is worth at a price of one tick: the exact unit of value.
    #[inline]
    pub fn micros_per_lot_tick(&self) -> i64 {
        (self.tick_size * self.lot_size * MICROS_PER_USD as f64).round() as i64
    }

    /// Exact value of `lots` at `ticks`.
    #[inline]
    pub fn value(&self, lots: i64, ticks: i64) -> Money {
        Money(lots * ticks * self.micros_per_lot_tick())
    }

    /// Nearest tick to a price.
    #[inline]
    pub fn ticks(&self, price: f64) -> i64 {
        (price / self.tick_size).round() as i64
    }

    #[inline]
    pub fn price(&self, ticks: i64) -> f64 {
        ticks as f64 * self.tick_size
    }

    /// Nearest whole lot to a base-asset quantity.
    #[inline]
    pub fn lots(&self, qty: f64) -> i64 {
        (qty / self.lot_size).round() as i64
    }

    #[inline]
    pub fn qty(&self, lots: i64) -> f64 {
        lots as f64 * self.lot_size
    }

    /// Notional in USD of `lots` at `price`.
    #[inline]
    pub fn notional(&self, lots: i64, price: f64) -> f64 {
        (lots as f64 * self.lot_size * price).abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cum_derived_by_continuity_matches_binance_table() {
        // Maintenance amounts worked by hand from cum[i] = cum[i-1] + floor[i]·(mmr[i] − mmr[i-1]):
        // 0; 50,000·0.001 = 50; 50 + 500,000·0.005 = 2,550; 2,550 + 10,000,000·0.015 = 152,550.
        let l = RiskLadder::from_caps(&[
            (50_000.0, 0.004, 125.0),
            (500_000.0, 0.005, 100.0),
            (10_000_000.0, 0.01, 50.0),
            (80_000_000.0, 0.025, 20.0),
        ])
        .unwrap();
        let cums: Vec<f64> = l.tiers().iter().map(|t| t.maintenance_amount).collect();
        assert_eq!(cums, vec![0.0, 50.0, 2_550.0, 152_550.0]);
        // Continuity at each boundary.
        for t in &l.tiers()[1..] {
            let below = l.tiers()[l.tier_index(t.floor_notional)].clone();
            let mm_below = t.floor_notional * below.mmr - below.maintenance_amount;
            let mm_above = t.floor_notional * t.mmr - t.maintenance_amount;
            assert!((mm_below - mm_above).abs() < 1e-6);
        }
    }

    #[test]
    fn rejects_discontinuous_ladder() {
        let mut tiers = RiskLadder::from_caps(&[(50_000.0, 0.004, 125.0), (500_000.0, 0.005, 100.0)])
            .unwrap()
            .tiers()
            .to_vec();
        tiers[1].maintenance_amount = 75.0;
        let err = RiskLadder::new(tiers).unwrap_err();
        assert_eq!(err.field, "tiers[1].maintenance_amount");
    }

    #[test]
    fn rejects_falling_rates_and_nan() {
        let err = RiskLadder::from_caps(&[(50_000.0, 0.01, 50.0), (500_000.0, 0.005, 25.0)]).unwrap_err();
        assert_eq!(err.field, "tiers[1].mmr");
        let err = RiskLadder::from_caps(&[(50_000.0, f64::NAN, 50.0)]).unwrap_err();
        assert_eq!(err.field, "tiers[0].mmr");
    }
}
