//! L2 book: walks, limits, the mid rule, shift, resilience, withdrawal and profile generation,
//! each checked against numbers worked out by hand.

mod common;

use common::{levels, market};
use liq_domain::{BookSpec, DepthProfile, Side};
use liq_impact::book::{BookSide, L2Book};
use liq_impact::{Fill, PriceImpact};

/// Bids 100@3, 99@2, 98@5; asks 101@4, 102@4; tick 1, lot 1: spread 1.
fn three_levels(tau_s: f64) -> L2Book {
    let spec = levels(&[(100.0, 3.0), (99.0, 2.0), (98.0, 5.0)], &[(101.0, 4.0), (102.0, 4.0)]);
    L2Book::from_spec(&spec, &market(1.0, 1.0, 100.0), 100.5, tau_s).unwrap()
}

#[test]
fn sell_walks_three_levels() {
    let mut b = three_levels(f64::INFINITY);
    assert_eq!(b.mid_ticks(), 100.5);
    let f = b.execute(Side::Sell, 7, 0);
    // 3 at 100, 2 at 99, 2 at 98: 300 + 198 + 196.
    assert_eq!(f, Fill { filled_lots: 7, value_lot_ticks: 694, last_tick: Some(98) });
    assert_eq!(b.best_tick(BookSide::Bid), Some(98));
    assert_eq!(b.depth_at_tick(BookSide::Bid, 98), 3);
    // Asks re-quote at best bid + spread = 99: mid = 98 + 1/2.
    assert_eq!(b.mid_ticks(), 98.5);
    // The resting asks themselves did not move.
    assert_eq!(b.best_tick(BookSide::Ask), Some(101));
    assert_eq!(b.depth_at_tick(BookSide::Ask, 101), 4);
}

#[test]
fn buy_walk_and_symmetric_mid() {
    let mut b = three_levels(f64::INFINITY);
    let f = b.execute(Side::Buy, 6, 1_000);
    // 4 at 101 + 2 at 102 = 404 + 204.
    assert_eq!(f, Fill { filled_lots: 6, value_lot_ticks: 608, last_tick: Some(102) });
    // Bids re-quote at 102 − 1 = 101: mid 101.5.
    assert_eq!(b.mid_ticks(), 101.5);
}

#[test]
fn limit_is_respected() {
    let mut b = three_levels(f64::INFINITY);
    let f = b.execute(Side::Sell, 7, 99);
    assert_eq!(f, Fill { filled_lots: 5, value_lot_ticks: 498, last_tick: Some(99) });
    assert_eq!(b.best_tick(BookSide::Bid), Some(98));
    assert_eq!(b.execute(Side::Sell, 1, 99), Fill::default());
    // A buy limit below the best ask fills nothing.
    assert_eq!(b.execute(Side::Buy, 1, 100), Fill::default());
    assert_eq!(b.execute(Side::Sell, 0, 0), Fill::default());
    assert_eq!(b.execute(Side::Sell, -3, 0), Fill::default());
}

#[test]
fn exhausting_a_side_stops_filling() {
    let mut b = three_levels(f64::INFINITY);
    let f = b.execute(Side::Sell, 100, 0);
    // All 10 lots: 300 + 198 + 490.
    assert_eq!(f, Fill { filled_lots: 10, value_lot_ticks: 988, last_tick: Some(98) });
    assert_eq!(b.best_tick(BookSide::Bid), None);
    // An exhausted side quotes at its deepest level: 98 + 1/2.
    assert_eq!(b.mid_ticks(), 98.5);
    assert_eq!(b.execute(Side::Sell, 1, 0), Fill::default());
}

#[test]
fn gaps_between_levels_are_skipped() {
    let spec = levels(&[(100.0, 1.0), (97.0, 1.0)], &[(101.0, 1.0)]);
    let mut b = L2Book::from_spec(&spec, &market(1.0, 1.0, 100.0), 100.5, 1.0).unwrap();
    let f = b.execute(Side::Sell, 2, 0);
    assert_eq!(f, Fill { filled_lots: 2, value_lot_ticks: 197, last_tick: Some(97) });
}

#[test]
fn shift_moves_levels_and_holes() {
    let mut b = three_levels(f64::INFINITY);
    b.execute(Side::Sell, 4, 0); // 100 emptied, 1 lot left at 99
                                 // Reference 100.5 × 1.1 = 110.55: every level moves round(10.05) = 10 ticks.
    b.shift(0.1);
    assert_eq!(b.best_tick(BookSide::Bid), Some(109));
    assert_eq!(b.depth_at_tick(BookSide::Bid, 109), 1);
    assert_eq!(b.depth_at_tick(BookSide::Bid, 110), 0);
    assert_eq!(b.best_tick(BookSide::Ask), Some(111));
    assert_eq!(b.mid_ticks(), 109.5);
}

#[test]
fn sub_tick_shifts_accumulate() {
    let mut b = three_levels(f64::INFINITY);
    // 100.5 × 0.0005 = 0.05 ticks: rounds to no move.
    b.shift(0.0005);
    assert_eq!(b.mid_ticks(), 100.5);
    // Nine more: 100.5 × (1.0005^10 − 1) = 0.5037 ticks, which rounds to one tick.
    for _ in 0..9 {
        b.shift(0.0005);
    }
    assert_eq!(b.mid_ticks(), 101.5);
    b.shift(f64::NAN);
    assert_eq!(b.mid_ticks(), 101.5);
}

/// Bids 100@1000, 99@1000; asks 101@1000, 102@1000.
fn thousand_lots(tau_s: f64) -> L2Book {
    let spec = levels(&[(100.0, 1000.0), (99.0, 1000.0)], &[(101.0, 1000.0), (102.0, 1000.0)]);
    L2Book::from_spec(&spec, &market(1.0, 1.0, 100.0), 100.5, tau_s).unwrap()
}

#[test]
fn resilience_refills_one_minus_e_inverse_after_tau() {
    let mut b = thousand_lots(10.0);
    b.execute(Side::Sell, 1_500, 0);
    assert_eq!(b.mid_ticks(), 99.5);
    b.recover(10.0);
    // The side's deficit 1000 + 500 = 1500 decays by e^-1 to round(551.82) = 552; the 948 lots
    // that came back arrive at the best bid (99) first, filling its 500, then 448 at 100.
    assert_eq!(b.depth_at_tick(BookSide::Bid, 99), 1000);
    assert_eq!(b.depth_at_tick(BookSide::Bid, 100), 448);
    assert_eq!(b.mid_ticks(), 100.5);
    // No time, negative or NaN time: nothing.
    let before = b.clone();
    b.recover(0.0);
    b.recover(-5.0);
    b.recover(f64::NAN);
    assert_eq!(b, before);
}

#[test]
fn resilience_limits_infinite_and_zero_tau() {
    let mut never = thousand_lots(f64::INFINITY);
    never.execute(Side::Sell, 1_500, 0);
    never.recover(1e9);
    assert_eq!(never.total_lots(BookSide::Bid), 500);
    let mut instant = thousand_lots(0.0);
    instant.execute(Side::Sell, 1_500, 0);
    instant.recover(1e-3);
    assert_eq!(instant.total_lots(BookSide::Bid), 2_000);
}

#[test]
fn withdrawal_is_instant_and_return_goes_through_resilience() {
    let mut b = thousand_lots(10.0);
    b.execute(Side::Sell, 500, 0); // 500 left at 100
    b.set_depth_multiplier(0.4);
    // Every level clipped to 0.4 × 1000; the untouched level at 99 too.
    assert_eq!(b.depth_at_tick(BookSide::Bid, 100), 400);
    assert_eq!(b.depth_at_tick(BookSide::Bid, 99), 400);
    assert_eq!(b.total_lots(BookSide::Ask), 800);
    // Raising the multiplier adds nothing by itself.
    b.set_depth_multiplier(1.0);
    assert_eq!(b.total_lots(BookSide::Bid), 800);
    // One τ later each deficit of 600 is round(600·e^-1) = round(220.73) = 221.
    b.recover(10.0);
    assert_eq!(b.depth_at_tick(BookSide::Bid, 100), 779);
    assert_eq!(b.depth_at_tick(BookSide::Bid, 99), 779);
    assert_eq!(b.depth_at_tick(BookSide::Ask, 102), 779);
}

#[test]
fn full_withdrawal_leaves_nothing_to_fill() {
    let mut b = thousand_lots(10.0);
    b.set_depth_multiplier(0.0);
    assert_eq!(b.execute(Side::Sell, 1, 0), Fill::default());
    assert_eq!(b.best_tick(BookSide::Bid), None);
    // Back to full depth after a long time.
    b.set_depth_multiplier(1.0);
    b.recover(1_000.0);
    assert_eq!(b.total_lots(BookSide::Bid), 2_000);
    assert_eq!(b.best_tick(BookSide::Bid), Some(100));
}

#[test]
fn profile_spreads_bucket_notional_over_ticks() {
    // Mid 1000.0 = 10,000 ticks of 0.1; spread 2 → best bid 9,999, best ask 10,001.
    // 5-bps buckets: bucket 0 holds ticks 1..4 away (4 ticks), bucket 1 ticks 5..9 (5 ticks).
    let p = DepthProfile {
        bucket_bps: 5.0,
        bid_notional_usd: vec![400.0, 1_000.0],
        ask_notional_usd: vec![400.0, 1_000.0],
        spread_ticks: 2,
    };
    let b = L2Book::from_spec(&BookSpec::Profile(p), &market(0.1, 0.01, 1000.0), 1000.0, 1.0).unwrap();
    assert_eq!(b.mid_ticks(), 10_000.0);
    // $100 per tick ≈ 10.00 lots of 0.01 near 1000; $200 per tick ≈ 20.0 lots (running total
    // rounded: 10.001, 20.003, … for bids; 9.999, 19.997, … for asks).
    for t in 9_996..=9_999 {
        assert_eq!(b.depth_at_tick(BookSide::Bid, t), 10, "bid tick {t}");
    }
    for t in 9_991..=9_995 {
        assert_eq!(b.depth_at_tick(BookSide::Bid, t), 20, "bid tick {t}");
    }
    for t in 10_001..=10_004 {
        assert_eq!(b.depth_at_tick(BookSide::Ask, t), 10, "ask tick {t}");
    }
    for t in 10_005..=10_009 {
        assert_eq!(b.depth_at_tick(BookSide::Ask, t), 20, "ask tick {t}");
    }
    assert_eq!(b.deepest_tick(BookSide::Bid), 9_991);
    assert_eq!(b.deepest_tick(BookSide::Ask), 10_009);
    assert_eq!(b.depth_at_tick(BookSide::Bid, 9_990), 0);
    assert_eq!(b.total_lots(BookSide::Bid), 140);
}

#[test]
fn odd_spread_profile_centres_on_half_tick() {
    let p = DepthProfile {
        bucket_bps: 5.0,
        bid_notional_usd: vec![400.0],
        ask_notional_usd: vec![400.0],
        spread_ticks: 1,
    };
    let b = L2Book::from_spec(&BookSpec::Profile(p), &market(0.1, 0.01, 1000.0), 1000.0, 1.0).unwrap();
    // 10,000 − 0.5 rounds half away from zero to 10,000.
    assert_eq!(b.best_tick(BookSide::Bid), Some(10_000));
    assert_eq!(b.best_tick(BookSide::Ask), Some(10_001));
    assert_eq!(b.mid_ticks(), 10_000.5);
}
