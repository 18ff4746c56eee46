//! The resilience step's cached deficit (crate `deficit` module) changes no result: a book that
//! keeps the cache and a book whose cache is dropped before every operation (restoring a book
//! from a copy of itself rebuilds it from the levels, the computation `recover` did before the
//! cache) stay equal in every level through random walks, withdrawals, returns, shifts and
//! recoveries; and the best level `recover` leaves is the first level with depth, found by a
//! brute-force scan.

mod common;

use common::ladder_book;
use liq_impact::book::{BookSide, L2Book};
use liq_impact::PriceImpact;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Execute { sell: bool, lots: i64, limit_offset: i64 },
    Recover { dt_s: f64 },
    Withdraw { multiplier: f64 },
    Shift { rel: f64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), 1i64..400, -60i64..60)
            .prop_map(|(sell, lots, limit_offset)| Op::Execute { sell, lots, limit_offset }),
        5 => (0.1f64..10.0).prop_map(|dt_s| Op::Recover { dt_s }),
        1 => (0.0f64..1.2).prop_map(|multiplier| Op::Withdraw { multiplier }),
        1 => (-0.002f64..0.002).prop_map(|rel| Op::Shift { rel }),
    ]
}

fn apply(b: &mut L2Book, op: &Op) {
    match *op {
        Op::Execute { sell, lots, limit_offset } => {
            let side = if sell { liq_domain::Side::Sell } else { liq_domain::Side::Buy };
            b.execute(side, lots, 10_000 + limit_offset);
        }
        Op::Recover { dt_s } => b.recover(dt_s),
        Op::Withdraw { multiplier } => b.set_depth_multiplier(multiplier),
        Op::Shift { rel } => b.shift(rel),
    }
}

/// The first tick with depth on `side`, by scanning every level of the book.
fn first_with_depth(b: &L2Book, side: BookSide) -> Option<i64> {
    let (from, dir) = match side {
        BookSide::Bid => (b.best_tick(BookSide::Bid).map_or(10_100, |t| t.max(10_000) + 100), -1),
        BookSide::Ask => (b.best_tick(BookSide::Ask).map_or(9_900, |t| t.min(10_001) - 100), 1),
    };
    let deepest = b.deepest_tick(side);
    let mut t = from;
    while (t - deepest) * dir <= 0 {
        if b.depth_at_tick(side, t) > 0 {
            return Some(t);
        }
        t += dir;
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn cached_deficit_changes_nothing(
        bid_lots in prop::collection::vec(1u32..60, 40),
        ask_lots in prop::collection::vec(1u32..60, 40),
        tau_s in prop_oneof![Just(0.0), 0.5f64..30.0],
        ops in prop::collection::vec(op(), 1..80),
    ) {
        let mut cached = ladder_book(&bid_lots, &ask_lots, tau_s);
        let mut fresh = cached.clone();
        for op in &ops {
            let copy = fresh.clone();
            fresh.restore_from(&copy);
            apply(&mut cached, op);
            apply(&mut fresh, op);
            prop_assert_eq!(&cached, &fresh, "after {:?}", op);
            for side in [BookSide::Bid, BookSide::Ask] {
                prop_assert_eq!(cached.best_tick(side), first_with_depth(&cached, side), "{:?} after {:?}", side, op);
            }
        }
    }
}
