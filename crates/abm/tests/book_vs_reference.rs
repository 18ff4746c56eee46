//! The real book against the brute-force reference book on random message streams: the same
//! events in the same order after every message, and the same resting orders, stops, best prices
//! and last trade at the end, under both matching rules and every self-trade-prevention mode.

use liq_abm::book::reference::RefBook;
use liq_abm::book::{Book, BookConfig, Event, MatchRule, NewOrder, OrderId, OrderKind, StpMode};
use liq_domain::Side;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

#[derive(Debug, Clone)]
enum Op {
    Submit { owner: u32, buy: bool, kind: u8, price: i64, qty: i64, trigger: i64, reduce: Option<i64> },
    Cancel(usize),
    Amend { which: usize, price: i64, qty: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u32..3, any::<bool>(), 0u8..10, 92i64..109, -1i64..12, 92i64..109, prop::option::weighted(0.1, -8i64..8))
            .prop_map(|(owner, buy, kind, price, qty, trigger, reduce)| Op::Submit {
                owner, buy, kind, price, qty, trigger, reduce
            }),
        3 => (0usize..64).prop_map(Op::Cancel),
        2 => (0usize..64, 92i64..109, 0i64..14).prop_map(|(which, price, qty)| Op::Amend { which, price, qty }),
    ]
}

fn kind(k: u8, trigger: i64) -> OrderKind {
    match k {
        0..=2 => OrderKind::Limit,
        3 => OrderKind::Market,
        4 => OrderKind::Ioc,
        5 => OrderKind::Fok,
        6 => OrderKind::PostOnly,
        7 => OrderKind::StopMarket { trigger },
        8 => OrderKind::StopLimit { trigger },
        // Prices outside the window [95, 106] are drawn too (92..109), so rejections get tested.
        _ => OrderKind::Limit,
    }
}

fn run(ops: &[Op], rule: MatchRule, stp: StpMode) -> Result<(), TestCaseError> {
    let cfg = BookConfig { min_price: 95, max_price: 106, rule, stp };
    let mut book = Book::new(cfg).unwrap();
    let mut reference = RefBook::new(95, 106, rule, stp);
    let mut ids: Vec<OrderId> = vec![];
    let (mut ev, mut rev) = (Vec::<Event>::new(), Vec::<Event>::new());
    for (step, op) in ops.iter().enumerate() {
        ev.clear();
        rev.clear();
        match *op {
            Op::Submit { owner, buy, kind: k, price, qty, trigger, reduce } => {
                let side = if buy { Side::Buy } else { Side::Sell };
                let o = NewOrder { owner, side, kind: kind(k, trigger), price, qty, reduce_only: reduce };
                let id = book.submit(o, &mut ev);
                reference.submit(id, o, &mut rev);
                ids.push(id);
            }
            Op::Cancel(i) if !ids.is_empty() => {
                let id = ids[i % ids.len()];
                book.cancel(id, &mut ev);
                reference.cancel(id, &mut rev);
            }
            Op::Amend { which, price, qty } if !ids.is_empty() => {
                let id = ids[which % ids.len()];
                book.amend(id, price, qty, &mut ev);
                reference.amend(id, price, qty, &mut rev);
            }
            _ => {}
        }
        prop_assert_eq!(&ev, &rev, "events differ at step {} ({:?})", step, op);
        prop_assert_eq!(book.best_bid(), reference.best_bid(), "best bid at step {}", step);
        prop_assert_eq!(book.best_ask(), reference.best_ask(), "best ask at step {}", step);
        if let (Some(b), Some(a)) = (book.best_bid(), book.best_ask()) {
            prop_assert!(b < a, "crossed book {} >= {} at step {}", b, a, step);
        }
    }
    prop_assert_eq!(book.orders(), reference.orders());
    prop_assert_eq!(book.stop_orders(), reference.stop_orders());
    prop_assert_eq!(book.last_trade(), reference.last_trade());
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn price_time_matches_reference(ops in prop::collection::vec(op(), 1..200), stp in 0u8..3) {
        let stp = [StpMode::Allow, StpMode::CancelResting, StpMode::CancelTaking][stp as usize];
        run(&ops, MatchRule::PriceTime, stp)?;
    }

    #[test]
    fn pro_rata_matches_reference(ops in prop::collection::vec(op(), 1..200), stp in 0u8..3) {
        let stp = [StpMode::Allow, StpMode::CancelResting, StpMode::CancelTaking][stp as usize];
        run(&ops, MatchRule::ProRata, stp)?;
    }
}
