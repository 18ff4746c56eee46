//! Properties of the impact models over random books and order sequences.

mod common;

use common::{levels, market};
use liq_domain::{Side, SquareRootParams};
use liq_impact::book::{BookSide, L2Book};
use liq_impact::sqrt_law::SquareRootImpact;
use liq_impact::PriceImpact;
use proptest::prelude::*;

/// A random book: up to 30 levels per side with gaps of 1–3 ticks and 1–50 lots, around 10,000.
fn book_strategy() -> impl Strategy<Value = L2Book> {
    let side = prop::collection::vec((1u32..4, 1u32..50), 1..30);
    (side.clone(), side, 1u32..4).prop_map(|(b, a, spread)| {
        let mut bids = Vec::new();
        let mut t = 10_000.0;
        for (gap, q) in b {
            bids.push((t, q as f64));
            t -= gap as f64;
        }
        let mut asks = Vec::new();
        let mut t = 10_000.0 + spread as f64;
        for (gap, q) in a {
            asks.push((t, q as f64));
            t += gap as f64;
        }
        L2Book::from_spec(&levels(&bids, &asks), &market(1.0, 1.0, 10_000.0), 10_000.0, 5.0).unwrap()
    })
}

fn order_strategy() -> impl Strategy<Value = (bool, i64, i64)> {
    (any::<bool>(), 1i64..200, -120i64..120)
}

proptest! {
    #[test]
    fn lots_are_conserved_and_limits_hold(
        mut book in book_strategy(),
        orders in prop::collection::vec(order_strategy(), 1..20),
    ) {
        let bids0 = book.total_lots(BookSide::Bid);
        let asks0 = book.total_lots(BookSide::Ask);
        let (mut sold, mut bought) = (0, 0);
        for (sell, lots, limit_offset) in orders {
            let side = if sell { Side::Sell } else { Side::Buy };
            let limit = 10_000 + limit_offset;
            let f = book.execute(side, lots, limit);
            prop_assert!(f.filled_lots >= 0 && f.filled_lots <= lots);
            if let Some(last) = f.last_tick {
                match side {
                    Side::Sell => {
                        prop_assert!(last >= limit);
                        prop_assert!(f.value_lot_ticks >= f.filled_lots as i128 * limit as i128);
                        sold += f.filled_lots;
                    }
                    Side::Buy => {
                        prop_assert!(last <= limit);
                        prop_assert!(f.value_lot_ticks <= f.filled_lots as i128 * limit as i128);
                        bought += f.filled_lots;
                    }
                }
            } else {
                prop_assert_eq!(f.filled_lots, 0);
            }
        }
        prop_assert_eq!(sold + book.total_lots(BookSide::Bid), bids0);
        prop_assert_eq!(bought + book.total_lots(BookSide::Ask), asks0);
    }

    #[test]
    fn larger_orders_never_get_a_better_average(book in book_strategy(), a in 1i64..300, b in 1i64..300) {
        let (small, large) = (a.min(b), a.max(b));
        for side in [Side::Sell, Side::Buy] {
            let limit = if side == Side::Sell { 0 } else { i64::MAX / 4 };
            let fs = book.clone().execute(side, small, limit);
            let fl = book.clone().execute(side, large, limit);
            prop_assert!(fl.filled_lots >= fs.filled_lots);
            if let (Some(s), Some(l)) = (fs.avg_tick(), fl.avg_tick()) {
                // Compare Σ exactly: avg_l ≤ avg_s for sells ⇔ value_l·n_s ≤ value_s·n_l.
                let lhs = fl.value_lot_ticks * fs.filled_lots as i128;
                let rhs = fs.value_lot_ticks * fl.filled_lots as i128;
                match side {
                    Side::Sell => prop_assert!(lhs <= rhs, "sell avg {l} better than {s}"),
                    Side::Buy => prop_assert!(lhs >= rhs, "buy avg {l} better than {s}"),
                }
            }
        }
    }

    #[test]
    fn recovery_and_withdrawal_stay_within_profile(
        mut book in book_strategy(),
        orders in prop::collection::vec(order_strategy(), 1..10),
        steps in prop::collection::vec((0.0f64..1.0, 0.0f64..20.0), 1..6),
    ) {
        let full = book.total_lots(BookSide::Bid);
        for (sell, lots, limit_offset) in orders {
            let side = if sell { Side::Sell } else { Side::Buy };
            book.execute(side, lots, 10_000 + limit_offset);
        }
        for (m, dt) in steps {
            let before = book.total_lots(BookSide::Bid);
            book.set_depth_multiplier(m);
            prop_assert!(book.total_lots(BookSide::Bid) <= before);
            let before = book.total_lots(BookSide::Bid);
            book.recover(dt);
            prop_assert!(book.total_lots(BookSide::Bid) >= before);
            prop_assert!(book.total_lots(BookSide::Bid) <= full);
            let mid = book.mid_ticks();
            prop_assert!(mid.is_finite() && mid > 0.0);
        }
    }

    #[test]
    fn square_root_fills_are_monotone_and_within_limit(
        small in 1i64..100_000,
        extra in 0i64..100_000,
        limit_bps in 1i64..500,
    ) {
        let p = SquareRootParams { y: 0.8, delta: 0.6, daily_volatility: 0.03, daily_volume_usd: 5e8 };
        let fresh = || SquareRootImpact::new(&p, &market(0.1, 0.001, 50_000.0), 50_000.0, 10.0).unwrap();
        let limit = 500_000 - 50 * limit_bps;
        let (mut x, mut y) = (fresh(), fresh());
        let fs = x.execute(Side::Sell, small, limit);
        let fl = y.execute(Side::Sell, small + extra, limit);
        prop_assert!(fl.filled_lots >= fs.filled_lots);
        for (f, m) in [(fs, &x), (fl, &y)] {
            if let Some(t) = f.last_tick {
                prop_assert!(t >= limit);
                // The marginal price (the mid after the order) stays within the limit too.
                prop_assert!(m.mid_ticks() >= limit as f64 - 1e-6);
            }
        }
        if let (Some(s), Some(l)) = (fs.avg_tick(), fl.avg_tick()) {
            prop_assert!(l <= s);
        }
    }
}
