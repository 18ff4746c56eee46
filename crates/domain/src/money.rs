//! Exact money: signed micro-USD in an `i64`.
//!
//! Every amount that moves between accounts, the insurance fund, fee income and the external
//! liquidity is a whole number of micro-dollars, so the ledger adds up to the last unit and the
//! conservation invariant can be tested with `==`. `i64` micro-USD holds ±9.2 × 10¹² USD, three
//! orders of magnitude above the open interest of the whole crypto derivatives market. Model
//! maths (margin ratios, impact) stays in `f64`; conversion rounds half away from zero.

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// Micro-USD per USD.
pub const MICROS_PER_USD: i64 = 1_000_000;

/// A signed amount of USD (quote currency) in micro-dollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    /// Rounds a USD amount to the nearest micro-dollar. Non-finite input maps to zero; callers
    /// validate inputs before they get here.
    #[inline]
    pub fn from_usd(usd: f64) -> Money {
        if usd.is_finite() {
            Money((usd * MICROS_PER_USD as f64).round() as i64)
        } else {
            Money(0)
        }
    }

    /// The amount in USD as `f64` (for model maths and display).
    #[inline]
    pub fn usd(self) -> f64 {
        self.0 as f64 / MICROS_PER_USD as f64
    }

    #[inline]
    pub fn max(self, other: Money) -> Money {
        Money(self.0.max(other.0))
    }

    #[inline]
    pub fn min(self, other: Money) -> Money {
        Money(self.0.min(other.0))
    }

    #[inline]
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl Add for Money {
    type Output = Money;
    #[inline]
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}
impl Sub for Money {
    type Output = Money;
    #[inline]
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}
impl Neg for Money {
    type Output = Money;
    #[inline]
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl AddAssign for Money {
    #[inline]
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}
impl SubAssign for Money {
    #[inline]
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.usd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_micro_dollars() {
        assert_eq!(Money::from_usd(1.0000004), Money(1_000_000));
        assert_eq!(Money::from_usd(1.0000005), Money(1_000_001));
        assert_eq!(Money::from_usd(-2.5), Money(-2_500_000));
        assert_eq!(Money::from_usd(f64::NAN), Money(0));
        assert_eq!(Money(1_500_000).usd(), 1.5);
    }
}
