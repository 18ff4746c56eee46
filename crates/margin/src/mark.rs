//! Mark and index prices as the venues publish them.
//!
//! This module owns the formulas; the engine keeps their state (moving averages, EMAs, the last
//! trade, the funding clock) and calls in here on the venue's clock. Every rule with its source
//! and the date it was read is also in `docs/venues.md`.
//!
//! | venue | index ("oracle") | mark | updates |
//! |---|---|---|---|
//! | Binance USDⓈ-M | weighted mean of spot constituents | median(P1, P2, last) | 1 s |
//! | Bybit | weighted mean of spot constituents | median(P1, P2, last) | 1 s |
//! | Hyperliquid | weighted median of CEX spot, weights 3,2,2,1,… | median(oracle + EMA150(mid − oracle), median(bid, ask, last), CEX perp median) | ≈ 3 s |
//! | dYdX v4 | median of exchange prices (validators' oracle) | the oracle price | per block (≈ 1 s) |
//!
//! with P1 = index × (1 + last funding rate × time until funding / interval) and
//! P2 = index + moving average of ((bid1 + ask1)/2 − index) over 5 minutes sampled each second.

use liq_domain::{IndexRule, MarkRule, VenuePreset};

/// The median of three numbers.
#[inline]
pub fn median3(a: f64, b: f64, c: f64) -> f64 {
    a.max(b).min(a.min(b).max(c))
}

/// The weighted median of `(price, weight)` pairs: the smallest price at which the cumulative
/// weight reaches half of the total. Sorts `items` in place. `None` for no positive weight.
pub fn weighted_median(items: &mut [(f64, f64)]) -> Option<f64> {
    let total: f64 = items.iter().map(|x| x.1).sum();
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    items.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut acc = 0.0;
    for &(p, w) in items.iter() {
        acc += w;
        if acc >= 0.5 * total {
            return Some(p);
        }
    }
    items.last().map(|x| x.0)
}

/// The index from its constituents' `(price, weight)` under `rule`; `scratch` is reused.
/// `None` when no constituent has weight.
pub fn index_price(rule: IndexRule, items: &[(f64, f64)], scratch: &mut Vec<(f64, f64)>) -> Option<f64> {
    scratch.clear();
    scratch.extend_from_slice(items);
    let median = weighted_median(scratch)?;
    match rule {
        IndexRule::WeightedMedian => Some(median),
        IndexRule::WeightedMean { outlier_band } => {
            let band = outlier_band.unwrap_or(f64::INFINITY);
            let (mut sw, mut swp) = (0.0, 0.0);
            for &(p, w) in items {
                if (p / median - 1.0).abs() <= band {
                    sw += w;
                    swp += w * p;
                }
            }
            // The median itself always passes, so `sw > 0`.
            Some(swp / sw)
        }
    }
}

/// What a mark rule reads at one update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarkInputs {
    pub index: f64,
    pub bid: f64,
    pub ask: f64,
    /// Last traded price on the venue's perp.
    pub last: f64,
    /// Moving average of (mid − index) over the rule's window (Binance/Bybit P2).
    pub basis_ma: f64,
    /// Hyperliquid: EMA of (mid − oracle) over 150 s.
    pub basis_ema: f64,
    /// Hyperliquid: EMA of median(bid, ask, last) over 30 s (used when a component is missing).
    pub book_ema: f64,
    /// Median of other venues' perp mids, when the scenario has them.
    pub other_perps: Option<f64>,
    pub last_funding_rate: f64,
    /// Fraction of the funding interval left until the next funding time.
    pub funding_time_left: f64,
}

/// The mark under `rule` (already resolved: never [`MarkRule::Venue`]).
pub fn mark_price(rule: MarkRule, x: &MarkInputs) -> f64 {
    let mid = 0.5 * (x.bid + x.ask);
    match rule {
        MarkRule::MedianOfThree { .. } => {
            let p1 = x.index * (1.0 + x.last_funding_rate * x.funding_time_left);
            let p2 = x.index + x.basis_ma;
            median3(p1, p2, x.last)
        }
        MarkRule::Hyperliquid { .. } => {
            let a = x.index + x.basis_ema;
            let b = median3(x.bid, x.ask, x.last);
            // "If exactly two out of the three inputs above exist, the 30 second EMA of the
            // median of best bid, best ask, and last trade on Hyperliquid is also added."
            let c = x.other_perps.unwrap_or(x.book_ema);
            median3(a, b, c)
        }
        MarkRule::Oracle => x.index,
        MarkRule::Blend { book_weight } => book_weight * mid + (1.0 - book_weight) * x.index,
        MarkRule::Venue => x.index,
    }
}

/// A venue's published mark rule, and the clock it updates on (seconds).
pub fn venue_mark_rule(venue: VenuePreset) -> (MarkRule, f64) {
    match venue {
        // Binance Support FAQ 360033525071 "Mark Price and Price Index" (read 2026-12-02): Mark =
        // Median(Price 1, Price 2, Contract Price); Price 2 = Price Index + Moving Average (5-minute
        // basis), the basis sampled each second. The mark is pushed every 1 s (market stream
        // `<symbol>@markPrice@1s`).
        VenuePreset::Binance => (MarkRule::MedianOfThree { basis_window_s: 300.0 }, 1.0),
        // Bybit Help Center "Mark Price Calculation (Perpetual Contract)", 2024-10-16: Mark Price =
        // Median(Price 1, Price 2, Last Traded Price), Price 2 = Index + MA(5-minute basis),
        // "which measures every second in a 5-minute interval".
        VenuePreset::Bybit => (MarkRule::MedianOfThree { basis_window_s: 300.0 }, 1.0),
        // Hyperliquid Docs "Robust price indices" (read 2026-12-02): median of oracle + 150 s EMA
        // of (mid − oracle), median(best bid, best ask, last trade), median of Binance/OKX/Bybit
        // perp mids; with two inputs the 30 s EMA of the book median is added. "Mark and oracle
        // price are updated approximately once every 3 seconds."
        VenuePreset::Hyperliquid => (MarkRule::Hyperliquid { ema_s: 150.0, fallback_ema_s: 30.0 }, 3.0),
        // dYdX v4 documentation "Oracle price": positions are marked at the oracle price, which
        // validators compute as the median of exchange prices (Slinky/Connect) and update every
        // block (≈ 1 s).
        VenuePreset::Dydx => (MarkRule::Oracle, 1.0),
    }
}

/// A venue's funding interval, seconds: 8 h on Binance and Bybit (standard contracts), 1 h on
/// Hyperliquid ("Funding": paid every hour) and dYdX v4 (hourly funding).
pub fn venue_funding_interval_s(venue: VenuePreset) -> f64 {
    match venue {
        VenuePreset::Binance | VenuePreset::Bybit => 8.0 * 3600.0,
        VenuePreset::Hyperliquid | VenuePreset::Dydx => 3600.0,
    }
}

/// One step of Hyperliquid's EMA ("Robust price indices"): with a sample held for `t` seconds,
/// `numerator ← numerator·e^(−t/τ) + sample·t`, `denominator ← denominator·e^(−t/τ) + t`,
/// `ema = numerator / denominator`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HlEma {
    pub numerator: f64,
    pub denominator: f64,
    pub tau_s: f64,
}

impl HlEma {
    /// An EMA that has seen `value` forever (the market at rest before the run): the sums'
    /// limits are `value·τ` and `τ`.
    pub fn steady(value: f64, tau_s: f64) -> HlEma {
        HlEma { numerator: value * tau_s, denominator: tau_s, tau_s }
    }
    pub fn update(&mut self, sample: f64, t: f64) {
        let d = (-t / self.tau_s).exp();
        self.numerator = self.numerator * d + sample * t;
        self.denominator = self.denominator * d + t;
    }
    pub fn value(&self) -> f64 {
        self.numerator / self.denominator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_three_picks_the_middle() {
        assert_eq!(median3(1.0, 2.0, 3.0), 2.0);
        assert_eq!(median3(3.0, 1.0, 2.0), 2.0);
        assert_eq!(median3(2.0, 3.0, 1.0), 2.0);
        assert_eq!(median3(5.0, 5.0, 1.0), 5.0);
    }

    /// Hyperliquid's oracle: weighted median with weights 3, 2, 2, 1, 1, 1, 1 (Binance, OKX,
    /// Bybit, Kraken, KuCoin, Gate, MEXC). Hand-worked: total 11, half 5.5; sorted prices
    /// 99 (w1), 100 (w3), 101 (w2), 102 (w2), 103 (w1), 104 (w1), 105 (w1): cumulative 1, 4, 6 ≥ 5.5
    /// at 101.
    #[test]
    fn weighted_median_hand_worked() {
        let mut v = vec![
            (100.0, 3.0),
            (101.0, 2.0),
            (102.0, 2.0),
            (99.0, 1.0),
            (103.0, 1.0),
            (104.0, 1.0),
            (105.0, 1.0),
        ];
        assert_eq!(weighted_median(&mut v), Some(101.0));
    }

    /// Hand-worked weighted mean with an outlier: weights 0.4/0.3/0.3 at 100, 101, 80; weighted
    /// median 100; 80 is 20% away, beyond a 5% band, so it is left out: (0.4·100 + 0.3·101)/0.7.
    #[test]
    fn weighted_mean_drops_outliers() {
        let items = [(100.0, 0.4), (101.0, 0.3), (80.0, 0.3)];
        let mut s = Vec::new();
        let with = index_price(IndexRule::WeightedMean { outlier_band: Some(0.05) }, &items, &mut s).unwrap();
        assert!((with - (0.4 * 100.0 + 0.3 * 101.0) / 0.7).abs() < 1e-12);
        let without = index_price(IndexRule::WeightedMean { outlier_band: None }, &items, &mut s).unwrap();
        assert!((without - (40.0 + 30.3 + 24.0)).abs() < 1e-12);
    }

    /// Binance's mark, hand-worked: index 100, last funding 0.01%, half the interval left:
    /// P1 = 100 × (1 + 0.0001 × 0.5) = 100.005; basis MA −0.2 → P2 = 99.8; last 97 → median 99.8.
    #[test]
    fn binance_median_hand_worked() {
        let x = MarkInputs {
            index: 100.0,
            bid: 96.9,
            ask: 97.1,
            last: 97.0,
            basis_ma: -0.2,
            basis_ema: 0.0,
            book_ema: 0.0,
            other_perps: None,
            last_funding_rate: 0.0001,
            funding_time_left: 0.5,
        };
        let m = mark_price(MarkRule::MedianOfThree { basis_window_s: 300.0 }, &x);
        assert!((m - 99.8).abs() < 1e-12);
        // A last price between P2 and P1 is the mark.
        let m =
            mark_price(MarkRule::MedianOfThree { basis_window_s: 300.0 }, &MarkInputs { last: 99.9, ..x });
        assert!((m - 99.9).abs() < 1e-12);
    }

    /// Hyperliquid's mark, hand-worked in the shape of the example on the community wiki's
    /// "Oracle" page (oracle 10,000, 150-s EMA of the basis +20 → component 1 = 10,020; the rest
    /// of that example was not legible in the stored copy): book median (bid 10,005, ask 10,015,
    /// last 10,010) = 10,010; external perp median 10,012 → mark = median(10,020, 10,010, 10,012)
    /// = 10,012.
    #[test]
    fn hyperliquid_mark_example() {
        let x = MarkInputs {
            index: 10_000.0,
            bid: 10_005.0,
            ask: 10_015.0,
            last: 10_010.0,
            basis_ma: 0.0,
            basis_ema: 20.0,
            book_ema: 0.0,
            other_perps: Some(10_012.0),
            last_funding_rate: 0.0,
            funding_time_left: 0.0,
        };
        assert_eq!(mark_price(MarkRule::Hyperliquid { ema_s: 150.0, fallback_ema_s: 30.0 }, &x), 10_012.0);
    }

    /// The EMA at rest stays at its value; after a step to a new sample held for t = τ the weight
    /// of the new sample is τ / (τ·e⁻¹ + τ) = 1 / (1 + e⁻¹) (hand-worked).
    #[test]
    fn hl_ema_steps() {
        let mut e = HlEma::steady(0.0, 150.0);
        e.update(0.0, 10.0);
        assert_eq!(e.value(), 0.0);
        let mut e = HlEma::steady(0.0, 150.0);
        e.update(1.0, 150.0);
        let w = 1.0 / (1.0 + (-1.0f64).exp());
        assert!((e.value() - w).abs() < 1e-12);
    }
}
