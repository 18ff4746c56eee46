//! Funding rates as the venues publish them: the premium index, its average over the funding
//! interval on the venue's sampling clock, the interest component, the venue's clamp and cap.
//!
//! This module owns the formulas; the engine (`liq-engine`'s `funding` module) samples the
//! premium on the run's clock, keeps the running averages and moves the payments between the
//! holders. Every rule below is also in `docs/venues.md` ("Funding") with its source and the
//! date it was read.
//!
//! | venue | premium sampled | average over the interval | rate | cap per payment |
//! |---|---|---|---|---|
//! | Binance USDⓈ-M | every 5 s | weights 1, 2, …, n | P + clamp(I − P, ±0.05%), I = 0.01%/8 h | ±3% |
//! | Bybit | every 60 s | weights 1, 2, …, n | P + clamp(I − P, ±0.05%), I = 0.01%/8 h | ±3% (argued) |
//! | Hyperliquid | every 5 s | equal weights | (P + clamp(I − P, ±0.05%)) / 8 per hour | ±4% per hour |
//! | dYdX v4 | every 60 s | equal weights | (P + default) × 1 h / 8 h | 6 × (IMF − MMF) × 1 h / 8 h |
//!
//! The premium index of every venue is
//! `P = [max(0, impact bid − index) − max(0, index − impact ask)] / index`, with impact bid/ask
//! the average fill of the venue's impact notional on each side of the book.

use liq_domain::VenuePreset;

/// How the premium samples of one interval are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PremiumAveraging {
    /// Sample i of the interval weighs i (Binance, Bybit: "the closer to the funding fee
    /// settlement time, the greater the coefficient").
    Linear,
    /// Every sample weighs the same (Hyperliquid "averaged over the hour"; dYdX `AvgInt32` over
    /// the funding-tick epoch's samples).
    Uniform,
}

/// Whether the rate formula is an 8-hour rate scaled to the payment interval, or the payment
/// interval's own rate with an N-hour interest component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnits {
    /// `F = P + clamp(I_N − P, ±band)` with `I_N = I₈ₕ × N / 8 h`: Binance and Bybit ("the
    /// N*-Hour Interest Rate component and the N*-Hour premium/discount component").
    IntervalRate,
    /// `F = (P + clamp(I₈ₕ − P, ±band)) × N / 8 h`: Hyperliquid ("the funding rate applies to an
    /// 8-hour period, paid every hour at one eighth of the computed rate") and dYdX (the 8-hour
    /// rate times the funding-tick duration over 8 h).
    EightHourRateScaled,
}

/// A venue's funding rule for one contract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FundingRule {
    /// Seconds between premium samples.
    pub sample_s: f64,
    pub averaging: PremiumAveraging,
    pub units: RateUnits,
    /// Interest component per 8 hours (fraction).
    pub interest_8h: f64,
    /// The ±band of `clamp(I − P, −band, band)`; `None` = no such dampener (dYdX adds its default
    /// funding to the premium as is).
    pub clamp_band: Option<f64>,
    /// Largest |rate| per payment at an 8-hour interval (scaled with the interval for
    /// [`RateUnits::EightHourRateScaled`]; Binance's and Bybit's caps are per payment as quoted).
    pub cap: f64,
    /// Whether a payment is `size × index` (Hyperliquid: "uses oracle price, not mark price";
    /// dYdX, whose mark is the oracle) rather than `size × mark` (Binance, Bybit).
    pub pays_on_index: bool,
}

/// Shortest funding interval a run accrues on, seconds: each funding time settles every
/// position, so a step of `dt` seconds costs `dt / interval` passes over them; one a second
/// bounds that by the step (the venues' shortest published interval is an hour).
pub const MIN_ACCRUAL_INTERVAL_S: f64 = 1.0;

/// Eight hours, seconds: the period the venues quote interest and premium in.
pub const EIGHT_HOURS_S: f64 = 8.0 * 3600.0;

/// The premium index from impact bid/ask and the index (the venues' common definition).
#[inline]
pub fn premium_index(impact_bid: f64, impact_ask: f64, index: f64) -> f64 {
    // No premium against a non-positive or NaN index (no price to be at a premium to).
    if index.is_nan() || index <= 0.0 {
        return 0.0;
    }
    ((impact_bid - index).max(0.0) - (index - impact_ask).max(0.0)) / index
}

/// The rate paid at a funding time of an `interval_s` interval whose average premium is
/// `avg_premium`, under `rule`, with the cap applied. Positive: longs pay shorts.
pub fn funding_rate(rule: &FundingRule, avg_premium: f64, interval_s: f64) -> f64 {
    let n = interval_s / EIGHT_HOURS_S;
    let damp = |interest: f64| match rule.clamp_band {
        Some(b) => avg_premium + (interest - avg_premium).clamp(-b, b),
        None => avg_premium + interest,
    };
    let (rate, cap) = match rule.units {
        RateUnits::IntervalRate => (damp(rule.interest_8h * n), rule.cap),
        RateUnits::EightHourRateScaled => (damp(rule.interest_8h) * n, rule.cap * n),
    };
    rate.clamp(-cap, cap)
}

/// A venue's funding rule for a contract whose first risk tier has initial margin rate `imr`
/// and maintenance margin rate `mmr` (dYdX's cap depends on them).
pub fn venue_funding_rule(venue: VenuePreset, imr: f64, mmr: f64) -> FundingRule {
    match venue {
        // Binance Support FAQ 360033525031 "Introduction to Binance Futures Funding Rates"
        // (binance.com and binance.bh copies, read 2026-12-02): Funding Rate (F) = Average
        // Premium Index (P) + clamp(interest rate − P, 0.05%, −0.05%); interest 0.03% a day,
        // 0.01% per 8-h interval; the premium index every 5 s, 5,760 points an interval,
        // averaged with weights 1…n. Cap: "the maximum funding rate will be capped at
        // +3.00% / −3.00%" (Binance Futures announcement 2023-10-01, OGNUSDT; kept for BANUSDT
        // 2025-02-24). Contract-specific caps are on GET /fapi/v1/fundingInfo; override with
        // `funding.cap`.
        VenuePreset::Binance => FundingRule {
            sample_s: 5.0,
            averaging: PremiumAveraging::Linear,
            units: RateUnits::IntervalRate,
            interest_8h: 0.0001,
            clamp_band: Some(0.0005),
            cap: 0.03,
            pays_on_index: false,
        },
        // Bybit Help Center "Introduction to Funding Rate" (read 2026-12-02): the premium index
        // every minute, "(Premium Index_1 × 1 + … + Premium Index_480 × 480)/(1 + … + 480)",
        // F = P + clamp(I − P, 0.05%, −0.05%), the N-hour interest component (0.01% per 8 h:
        // "(0.06% − 0.03%)/3"). Bybit's per-contract upper/lower limits are not in the stored
        // copy ("Bybit may temporarily adjust the upper and lower limits"); ±3% as Binance's,
        // argued in DESIGN.md ("Funding on a path") and overridable with `funding.cap`.
        VenuePreset::Bybit => FundingRule {
            sample_s: 60.0,
            averaging: PremiumAveraging::Linear,
            units: RateUnits::IntervalRate,
            interest_8h: 0.0001,
            clamp_band: Some(0.0005),
            cap: 0.03,
            pays_on_index: false,
        },
        // Hyperliquid Docs "Funding" (community docs copy and the official docs' example, read
        // 2026-12-02): F = average premium + clamp(interest − P, −0.0005, 0.0005) as an 8-hour
        // rate, paid hourly at one eighth; interest 0.01% per 8 h (0.00125% per hour); premium
        // sampled every 5 s and averaged over the hour; payment = size × oracle price × rate;
        // "Funding is capped at 4%/hour".
        VenuePreset::Hyperliquid => FundingRule {
            sample_s: 5.0,
            averaging: PremiumAveraging::Uniform,
            units: RateUnits::EightHourRateScaled,
            interest_8h: 0.0001,
            clamp_band: Some(0.0005),
            cap: 0.04 * 8.0,
            pays_on_index: true,
        },
        // dYdX v4-chain `x/perpetuals/keeper/perpetual.go` `MaybeProcessNewFundingTickEpoch`
        // (read 2026-12-02): the funding-tick epoch's premium samples (one a minute, each the
        // median of the block proposers' premium votes) averaged (`lib.AvgInt32`), plus the
        // perpetual's `default_funding_ppm` (0 in the genesis), clamped to
        // |R| ≤ funding_rate_clamp_factor × (initial margin − maintenance margin) with the
        // genesis factor 6,000,000 ppm (600%), and applied over the tick as an 8-hour rate ×
        // 1 h / 8 h (`getFundingIndexDelta`). The oracle price is the mark.
        VenuePreset::Dydx => FundingRule {
            sample_s: 60.0,
            averaging: PremiumAveraging::Uniform,
            units: RateUnits::EightHourRateScaled,
            interest_8h: 0.0,
            clamp_band: None,
            cap: 6.0 * (imr - mmr).max(0.0),
            pays_on_index: true,
        },
    }
}

/// Running weighted average of premium samples over one funding interval, O(1) per sample and
/// allocation-free: with linear weights sample i weighs i, so only the count, Σw and Σw·p are
/// kept.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PremiumAverage {
    /// Samples so far in this interval.
    pub n: u64,
    pub sum_w: f64,
    pub sum_wp: f64,
}

impl PremiumAverage {
    /// `count` samples of value `p` (the part of the interval before the run, or a step
    /// spanning several sample times).
    pub fn push_n(&mut self, averaging: PremiumAveraging, p: f64, count: u64) {
        if count == 0 {
            return;
        }
        let w = match averaging {
            PremiumAveraging::Uniform => count as f64,
            // Σ_{i=n+1}^{n+count} i = count·n + count·(count+1)/2.
            PremiumAveraging::Linear => {
                let (n, c) = (self.n as f64, count as f64);
                c * n + c * (c + 1.0) / 2.0
            }
        };
        self.n += count;
        self.sum_w += w;
        self.sum_wp += w * p;
    }

    /// The average so far (0 with no sample).
    pub fn value(&self) -> f64 {
        if self.sum_w > 0.0 {
            self.sum_wp / self.sum_w
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-15
    }

    /// Published example, Hyperliquid Docs "Funding": interest 0.01%, impact bid 10,100, oracle
    /// 10,000 → premium 1%; clamp(0.01% − 1%, ±0.05%) = −0.05%; 8-hour rate 0.95%, paid hourly
    /// at one eighth: 0.11875% an hour.
    #[test]
    fn hyperliquid_published_example() {
        let p = premium_index(10_100.0, 10_110.0, 10_000.0);
        assert!(close(p, 0.01));
        let r = venue_funding_rule(VenuePreset::Hyperliquid, 0.02, 0.01);
        assert!(close(funding_rate(&r, p, 3600.0), 0.0095 / 8.0));
    }

    /// Hand-worked, Binance: a quiet market (|I − P| ≤ 0.05%) pays the interest rate exactly:
    /// P = 0.03% → F = 0.03% + clamp(−0.02%, ±0.05%) = 0.01%. A crash with P = −1.2% pays
    /// −1.2% + 0.05% = −1.15% (shorts pay longs); P = −5% hits the −3% floor.
    #[test]
    fn binance_hand_worked() {
        let r = venue_funding_rule(VenuePreset::Binance, 0.008, 0.004);
        let h8 = 8.0 * 3600.0;
        assert!(close(funding_rate(&r, 0.0003, h8), 0.0001));
        assert!(close(funding_rate(&r, -0.012, h8), -0.0115));
        assert!(close(funding_rate(&r, -0.05, h8), -0.03));
        // A 4-h interval: the interest component halves (0.005%), the premium does not.
        assert!(close(funding_rate(&r, 0.0, 4.0 * 3600.0), 0.00005));
    }

    /// Hand-worked, dYdX: large-cap tier IMF 5%, MMF 3% (genesis liquidity tier 0: initial
    /// 50,000 ppm, maintenance fraction 60%) → |R₈ₕ| ≤ 6 × 2% = 12%; an hourly tick pays an
    /// eighth: premium −0.4% → −0.05% an hour; premium −20% → capped at −12%/8 = −1.5%.
    #[test]
    fn dydx_hand_worked() {
        let r = venue_funding_rule(VenuePreset::Dydx, 0.05, 0.03);
        assert!(close(funding_rate(&r, -0.004, 3600.0), -0.0005));
        assert!((funding_rate(&r, -0.2, 3600.0) + 0.015).abs() < 1e-15);
    }

    /// Hand-worked premium index: bid above the index → positive; ask below → negative; a book
    /// straddling the index → 0.
    #[test]
    fn premium_index_cases() {
        assert!(close(premium_index(101.0, 102.0, 100.0), 0.01));
        assert!(close(premium_index(97.0, 98.0, 100.0), -0.02));
        assert_eq!(premium_index(99.0, 101.0, 100.0), 0.0);
    }

    /// Linear weights, hand-worked: samples 1, 2, 3 with weights 1, 2, 3 → (1 + 4 + 9)/6 = 14/6;
    /// pushing 2 at once then 1 equals pushing one at a time (Σ_{i=1}^{2} i = 3, then weight 3).
    #[test]
    fn linear_average_closed_form() {
        let mut a = PremiumAverage::default();
        for p in [1.0, 2.0, 3.0] {
            a.push_n(PremiumAveraging::Linear, p, 1);
        }
        assert!(close(a.value(), 14.0 / 6.0));
        let mut b = PremiumAverage::default();
        b.push_n(PremiumAveraging::Linear, 5.0, 2);
        b.push_n(PremiumAveraging::Linear, 2.0, 1);
        assert!(close(b.value(), (5.0 * 3.0 + 2.0 * 3.0) / 6.0));
        let mut u = PremiumAverage::default();
        u.push_n(PremiumAveraging::Uniform, 4.0, 3);
        u.push_n(PremiumAveraging::Uniform, 1.0, 1);
        assert!(close(u.value(), 13.0 / 4.0));
    }
}
