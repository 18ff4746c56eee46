//! A book at rest (crate `book` module doc, "A book at rest") skips its resilience step, and
//! that changes no result: a book that skips and a book that never does (restoring a book from
//! a copy of itself forgets that it was at rest, so its next step runs in full) stay equal in
//! every level through walks, withdrawals, shifts and runs of recoveries. Steps come from a few
//! lengths, as in a Monte Carlo path (every step one `dt`), so that the skip is actually taken:
//! a walked side left a few lots short, which `round` never decays, is at rest after one step.

mod common;

use common::ladder_book;
use liq_impact::book::{BookSide, L2Book};
use liq_impact::PriceImpact;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Execute {
        sell: bool,
        lots: i64,
    },
    /// `n` steps of `dt_s`.
    Recover {
        dt_s: f64,
        n: usize,
    },
    Withdraw {
        multiplier: f64,
    },
    Shift {
        rel: f64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<bool>(), 1i64..300).prop_map(|(sell, lots)| Op::Execute { sell, lots }),
        6 => (prop::sample::select(vec![0.5, 1.0, 3.0]), 1usize..40)
            .prop_map(|(dt_s, n)| Op::Recover { dt_s, n }),
        1 => prop::sample::select(vec![0.5, 1.0]).prop_map(|multiplier| Op::Withdraw { multiplier }),
        1 => (-0.002f64..0.002).prop_map(|rel| Op::Shift { rel }),
    ]
}

fn apply(b: &mut L2Book, op: &Op, forget_rest: bool) {
    match *op {
        Op::Execute { sell, lots } => {
            let (side, limit) =
                if sell { (liq_domain::Side::Sell, 1) } else { (liq_domain::Side::Buy, i64::MAX) };
            b.execute(side, lots, limit);
        }
        Op::Recover { dt_s, n } => {
            for _ in 0..n {
                if forget_rest {
                    let copy = b.clone();
                    b.restore_from(&copy);
                }
                b.recover(dt_s);
            }
        }
        Op::Withdraw { multiplier } => b.set_depth_multiplier(multiplier),
        Op::Shift { rel } => b.shift(rel),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn skipping_a_book_at_rest_changes_nothing(
        bid_lots in prop::collection::vec(1u32..40, 30),
        ask_lots in prop::collection::vec(1u32..40, 30),
        tau_s in prop_oneof![Just(0.0), Just(f64::INFINITY), 0.5f64..60.0],
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let mut skipping = ladder_book(&bid_lots, &ask_lots, tau_s);
        let mut full = skipping.clone();
        for op in &ops {
            apply(&mut skipping, op, false);
            apply(&mut full, op, true);
            prop_assert_eq!(&skipping, &full, "after {:?}", op);
            prop_assert_eq!(skipping.mid_ticks().to_bits(), full.mid_ticks().to_bits());
            for side in [BookSide::Bid, BookSide::Ask] {
                for t in 9_960..10_041 {
                    prop_assert_eq!(skipping.depth_at_tick(side, t), full.depth_at_tick(side, t));
                }
            }
        }
    }
}

/// Hand-worked: 10 lots at one bid level, all sold, τ = 100 s, steps of 1 s. The deficit 10
/// keeps round(10·e^(−0.01)) = round(9.900…) = 10 lots missing: nothing refills, ever, so the
/// book is at rest after the first step and stays exactly as the walk left it (the bid side
/// empty at that level) however many steps follow. A buy then walks the asks, and the next
/// steps still change nothing on the bid side; a withdrawal to ½ and back to 1 lets steps
/// refill again (the target, and with it the deficit, was recomputed).
#[test]
fn a_few_lots_short_stays_short() {
    let mut b = ladder_book(&[10], &[10], 100.0);
    assert_eq!(b.best_tick(BookSide::Bid), Some(10_000));
    b.execute(liq_domain::Side::Sell, 10, 1);
    assert_eq!(b.best_tick(BookSide::Bid), None);
    for _ in 0..1_000 {
        b.recover(1.0);
    }
    assert_eq!(b.depth_at_tick(BookSide::Bid, 10_000), 0);
    b.execute(liq_domain::Side::Buy, 3, i64::MAX);
    for _ in 0..10 {
        b.recover(1.0);
    }
    assert_eq!(b.depth_at_tick(BookSide::Bid, 10_000), 0);
    assert_eq!(b.depth_at_tick(BookSide::Ask, 10_001), 7);
    // A longer step refills: 10 missing keep round(10·e^(−0.5)) = round(6.065…) = 6, so 4 lots
    // arrive at the bid level (the ask side's 3 keep round(1.819…) = 2: 1 lot back).
    b.recover(50.0);
    assert_eq!(b.depth_at_tick(BookSide::Bid, 10_000), 4);
    assert_eq!(b.depth_at_tick(BookSide::Ask, 10_001), 8);
}
