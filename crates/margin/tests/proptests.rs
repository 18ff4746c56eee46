//! Property tests: the closed forms against brute force, on random ladders and positions.
//!
//! `trigger_price` solves `equity(m) = maintenance(m)` tier by tier; the reference here knows
//! nothing about tiers and bisects `g(m) = fixed + exposure·m − ladder.maintenance_margin(|q|·m)`
//! directly. For a pure long (exposure = size, plus optional same-asset collateral) `g` rises with
//! `m` and for a pure short it falls, because every rate is below 1; so a sign change brackets the
//! one root and bisection finds it to float precision.

use liq_domain::{RiskLadder, VenuePreset};
use liq_margin::{bankruptcy_price, trigger_price, PartialLiquidation, Rulebook, Trigger};
use proptest::prelude::*;

/// Random valid ladder: 1–8 tiers, caps growing ×1.2–×20 from 1k–1M, rates non-decreasing from
/// 0.1%–3% by steps of 0–8% (at most 45%), max leverage the largest whole number keeping
/// `mmr < 1/leverage`, never rising.
fn ladder() -> impl Strategy<Value = RiskLadder> {
    (1usize..=8, 1e3f64..1e6, 0.001f64..0.03, prop::collection::vec((1.2f64..20.0, 0.0f64..0.08), 7))
        .prop_map(|(n, cap0, mmr0, steps)| {
            let mut rows = Vec::with_capacity(n);
            let (mut cap, mut mmr, mut lev) = (cap0, mmr0, f64::INFINITY);
            for i in 0..n {
                if i > 0 {
                    cap *= steps[i - 1].0;
                    mmr = (mmr + steps[i - 1].1).min(0.45);
                }
                lev = lev.min((0.99 / mmr).floor().max(1.0));
                rows.push((cap, mmr, lev));
            }
            RiskLadder::from_caps(&rows).expect("generator builds valid ladders")
        })
}

fn g(m: f64, size: f64, exposure: f64, fixed: f64, ladder: &RiskLadder) -> f64 {
    fixed + exposure * m - ladder.maintenance_margin(size.abs() * m)
}

/// Root of the monotone `g` by bisection, given g(0) and the direction it moves.
fn reference_root(size: f64, exposure: f64, fixed: f64, ladder: &RiskLadder) -> f64 {
    let rising = exposure > 0.0;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    // Grow `hi` until g changes sign (g(0) = fixed has the other sign in the cases we call).
    while (g(hi, size, exposure, fixed, ladder) > 0.0) != rising {
        hi *= 2.0;
        assert!(hi < 1e30, "no sign change");
    }
    for _ in 0..300 {
        let mid = 0.5 * (lo + hi);
        if (g(mid, size, exposure, fixed, ladder) > 0.0) == rising {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

fn assert_close(got: f64, want: f64) -> Result<(), TestCaseError> {
    let tol = 1e-7 * want.abs().max(1.0);
    prop_assert!((got - want).abs() <= tol, "got {got}, want {want}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Long: margin fraction `k` of the entry value (k > 1 means more margin than value: never
    /// liquidated), plus optional same-asset collateral that adds to the exposure.
    #[test]
    fn trigger_matches_bisection_long(
        l in ladder(), qty in 0.001f64..1_000.0, entry in 1.0f64..100_000.0,
        k in -0.2f64..1.5, extra in prop_oneof![Just(0.0), 0.0f64..2.0],
    ) {
        let exposure = qty * (1.0 + extra);
        let fixed = qty * entry * (k - 1.0 - extra);
        let t = trigger_price(qty, exposure, fixed, &l);
        if fixed > 0.0 {
            prop_assert_eq!(t, Trigger::Never);
        } else if fixed == 0.0 {
            prop_assert_eq!(t, Trigger::AtOrBelow(0.0));
        } else {
            let Trigger::AtOrBelow(p) = t else { return Err(TestCaseError::fail(format!("{t:?}"))) };
            assert_close(p, reference_root(qty, exposure, fixed, &l))?;
            // Just above the trigger the unit is healthy, at it it is not.
            prop_assert!(g(p * (1.0 + 1e-6), qty, exposure, fixed, &l) > 0.0);
        }
    }

    /// Short: margin fraction `k` of the entry value; `k ≤ −1` means the unit is already bankrupt
    /// at any price, so it is liquidated at every mark.
    #[test]
    fn trigger_matches_bisection_short(
        l in ladder(), qty in 0.001f64..1_000.0, entry in 1.0f64..100_000.0, k in -1.2f64..1.5,
    ) {
        let (size, exposure) = (-qty, -qty);
        let fixed = qty * entry * (1.0 + k);
        let t = trigger_price(size, exposure, fixed, &l);
        if fixed <= 0.0 {
            prop_assert_eq!(t, Trigger::AtOrAbove(0.0));
        } else {
            let Trigger::AtOrAbove(p) = t else { return Err(TestCaseError::fail(format!("{t:?}"))) };
            assert_close(p, reference_root(size, exposure, fixed, &l))?;
            prop_assert!(g(p * (1.0 - 1e-6), size, exposure, fixed, &l) > 0.0);
        }
    }

    #[test]
    fn bankruptcy_price_zeroes_equity(
        exposure in prop_oneof![-1_000.0f64..-0.001, 0.001f64..1_000.0],
        fixed in -1e8f64..1e8,
    ) {
        match bankruptcy_price(exposure, fixed) {
            Some(m) => {
                prop_assert!(m > 0.0);
                let equity = fixed + exposure * m;
                prop_assert!(equity.abs() <= 1e-9 * fixed.abs().max(1.0), "equity {equity}");
            }
            // No positive price zeroes the equity: −fixed/exposure ≤ 0.
            None => prop_assert!(-fixed / exposure <= 0.0),
        }
    }

    #[test]
    fn step_down_lands_in_a_lower_tier(
        l in ladder(), size in prop_oneof![-10_000_000i64..=-1, 1i64..=10_000_000],
        lot in prop::sample::select(vec![0.000_1, 0.001, 0.01, 0.1, 1.0]), mark in 0.01f64..200_000.0,
    ) {
        let r = Rulebook::for_venue(VenuePreset::Binance);
        prop_assert_eq!(r.partial, PartialLiquidation::StepDownLadder);
        let abs = size.abs();
        let close = r.next_close_lots(&l, size, lot, mark);
        prop_assert!((1..=abs).contains(&close), "close {close} of {abs}");
        let t = l.tier_index(abs as f64 * lot * mark);
        if t == 0 {
            prop_assert_eq!(close, abs);
        } else {
            let left = (abs - close) as f64 * lot * mark;
            prop_assert!(left == 0.0 || l.tier_index(left) < t, "left {left} still in tier {t}");
        }
    }

    #[test]
    fn every_rulebook_closes_between_one_lot_and_all(
        l in ladder(), size in prop_oneof![-10_000_000i64..=-1, 1i64..=10_000_000],
        lot in prop::sample::select(vec![0.001, 0.01, 1.0]), mark in 0.01f64..200_000.0,
        fraction in 0.01f64..=1.0, since in prop::option::of(0.0f64..60.0),
    ) {
        let mut books: Vec<Rulebook> =
            [VenuePreset::Binance, VenuePreset::Bybit, VenuePreset::Hyperliquid, VenuePreset::Dydx]
                .into_iter()
                .map(Rulebook::for_venue)
                .collect();
        let mut custom = Rulebook::for_venue(VenuePreset::Hyperliquid);
        custom.partial = PartialLiquidation::Slices { fraction, min_notional_usd: 100_000.0, cooldown_s: 30.0 };
        books.push(custom);
        for r in &books {
            let n = r.next_close_lots(&l, size, lot, mark);
            prop_assert!((1..=size.abs()).contains(&n), "{:?}: {n}", r.venue);
            let n = r.next_close_lots_after(&l, size, lot, mark, since);
            prop_assert!((1..=size.abs()).contains(&n), "{:?}: {n}", r.venue);
        }
    }
}
