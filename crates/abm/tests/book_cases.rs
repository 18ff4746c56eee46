//! Hand-worked cases of the matching engine, one rule each. Every expected number is worked out
//! in the comment above it.

use liq_abm::book::{Book, BookConfig, CancelReason, Event, MatchRule, NewOrder, OrderKind, StpMode};
use liq_domain::Side::{Buy, Sell};

fn book(rule: MatchRule, stp: StpMode) -> Book {
    Book::new(BookConfig { min_price: 1, max_price: 1_000, rule, stp }).unwrap()
}

fn trades(ev: &[Event]) -> Vec<(u32, i64, i64)> {
    ev.iter()
        .filter_map(|e| match *e {
            Event::Trade { maker_owner, price, qty, .. } => Some((maker_owner, price, qty)),
            _ => None,
        })
        .collect()
}

#[test]
fn price_then_time_priority() {
    let mut b = book(MatchRule::PriceTime, StpMode::Allow);
    let mut ev = vec![];
    // Asks: owner 1 at 101 ×5, owner 2 at 100 ×3, owner 3 at 100 ×4.
    b.submit(NewOrder::limit(1, Sell, 101, 5), &mut ev);
    b.submit(NewOrder::limit(2, Sell, 100, 3), &mut ev);
    b.submit(NewOrder::limit(3, Sell, 100, 4), &mut ev);
    assert_eq!((b.best_bid(), b.best_ask()), (None, Some(100)));
    ev.clear();
    // Market buy 9: 3 from owner 2 (first at 100), 4 from owner 3, then 2 of owner 1's 5 at 101.
    b.submit(NewOrder::market(9, Buy, 9), &mut ev);
    assert_eq!(trades(&ev), vec![(2, 100, 3), (3, 100, 4), (1, 101, 2)]);
    assert_eq!(b.best_ask(), Some(101));
    assert_eq!(b.level_qty(101), 3);
    assert_eq!(b.last_trade(), Some(101));
}

#[test]
fn amend_down_keeps_priority_amend_up_loses_it() {
    let mut b = book(MatchRule::PriceTime, StpMode::Allow);
    let mut ev = vec![];
    let a = b.submit(NewOrder::limit(1, Buy, 50, 10), &mut ev);
    let c = b.submit(NewOrder::limit(2, Buy, 50, 10), &mut ev);
    b.amend(a, 50, 4, &mut ev); // down: still first
    ev.clear();
    b.submit(NewOrder::market(9, Sell, 5), &mut ev);
    // 4 from owner 1 (still first), 1 from owner 2.
    assert_eq!(trades(&ev), vec![(1, 50, 4), (2, 50, 1)]);
    let d = b.submit(NewOrder::limit(3, Buy, 50, 2), &mut ev);
    b.amend(c, 50, 12, &mut ev); // up: behind owner 3
    ev.clear();
    b.submit(NewOrder::market(9, Sell, 3), &mut ev);
    assert_eq!(trades(&ev), vec![(3, 50, 2), (2, 50, 1)]);
    assert!(b.order(d).is_none());
    assert_eq!(b.order(c).unwrap().qty, 11);
}

#[test]
fn pro_rata_splits_by_size_with_fifo_top_up() {
    let mut b = book(MatchRule::ProRata, StpMode::Allow);
    let mut ev = vec![];
    // Level 100: A=6, B=3, C=1 (total 10). Taker 5: floors 5·6/10 = 3, 5·3/10 = 1, 5·1/10 = 0,
    // sum 4; the one lot left goes to A, the earliest. A 4, B 1, C 0.
    b.submit(NewOrder::limit(1, Sell, 100, 6), &mut ev);
    b.submit(NewOrder::limit(2, Sell, 100, 3), &mut ev);
    b.submit(NewOrder::limit(3, Sell, 100, 1), &mut ev);
    ev.clear();
    b.submit(NewOrder::market(9, Buy, 5), &mut ev);
    assert_eq!(trades(&ev), vec![(1, 100, 4), (2, 100, 1)]);
    assert_eq!(b.level_qty(100), 5);
}

#[test]
fn fok_post_only_ioc() {
    let mut b = book(MatchRule::PriceTime, StpMode::Allow);
    let mut ev = vec![];
    b.submit(NewOrder::limit(1, Sell, 100, 3), &mut ev);
    b.submit(NewOrder::limit(1, Sell, 102, 3), &mut ev);
    ev.clear();
    // FOK 5 up to 101 sees only 3: killed, book untouched.
    b.submit(NewOrder::new(2, Buy, OrderKind::Fok, 101, 5), &mut ev);
    assert!(matches!(ev[..], [Event::Canceled { reason: CancelReason::FokUnfilled, remaining: 5, .. }]));
    assert_eq!(b.level_qty(100), 3);
    // Post-only buy at 100 would cross: cancelled.
    ev.clear();
    b.submit(NewOrder::new(2, Buy, OrderKind::PostOnly, 100, 1), &mut ev);
    assert!(matches!(ev[..], [Event::Canceled { reason: CancelReason::PostOnlyWouldCross, .. }]));
    // IOC 5 up to 101: fills 3 at 100, the 2 left are dropped.
    ev.clear();
    b.submit(NewOrder::new(2, Buy, OrderKind::Ioc, 101, 5), &mut ev);
    assert_eq!(trades(&ev), vec![(1, 100, 3)]);
    assert!(matches!(ev[1], Event::Canceled { reason: CancelReason::Unfilled, remaining: 2, .. }));
    assert_eq!(b.best_bid(), None);
}

#[test]
fn self_trade_prevention_modes() {
    for (stp, expect_trades, resting_left) in
        [(StpMode::CancelResting, vec![(2, 100, 2)], 0), (StpMode::CancelTaking, vec![], 3)]
    {
        let mut b = book(MatchRule::PriceTime, stp);
        let mut ev = vec![];
        b.submit(NewOrder::limit(1, Sell, 100, 3), &mut ev); // own order first in queue
        b.submit(NewOrder::limit(2, Sell, 100, 2), &mut ev);
        ev.clear();
        b.submit(NewOrder::market(1, Buy, 2), &mut ev);
        // CancelResting: own 3 cancelled, 2 bought from owner 2 → level empty.
        // CancelTaking: the buy is cancelled on meeting its own order → 3 + 2 = 5 left.
        assert_eq!(trades(&ev), expect_trades);
        assert_eq!(b.level_qty(100), if resting_left == 0 { 0 } else { 5 });
    }
}

#[test]
fn stop_market_fires_on_last_trade_and_cascades() {
    let mut b = book(MatchRule::PriceTime, StpMode::Allow);
    let mut ev = vec![];
    for p in [99, 98, 97] {
        b.submit(NewOrder::limit(1, Buy, p, 2), &mut ev);
    }
    // Sell stops at 99 (2 lots) and 98 (2 lots).
    b.submit(NewOrder::new(3, Sell, OrderKind::StopMarket { trigger: 99 }, 0, 2), &mut ev);
    b.submit(NewOrder::new(4, Sell, OrderKind::StopMarket { trigger: 98 }, 0, 2), &mut ev);
    ev.clear();
    // A sell of 1 trades at 99 → stop@99 fires: sells 1 at 99 and 1 at 98 → last 98 → stop@98
    // fires: sells 1 at 98 and 1 at 97.
    b.submit(NewOrder::market(2, Sell, 1), &mut ev);
    assert_eq!(trades(&ev), vec![(1, 99, 1), (1, 99, 1), (1, 98, 1), (1, 98, 1), (1, 97, 1)]);
    assert_eq!(b.best_bid(), Some(97));
    assert_eq!(b.level_qty(97), 1);
    assert!(b.stop_orders().is_empty());
}

#[test]
fn reduce_only_clamps_and_rejects() {
    let mut b = book(MatchRule::PriceTime, StpMode::Allow);
    let mut ev = vec![];
    b.submit(NewOrder::limit(1, Buy, 100, 10), &mut ev);
    ev.clear();
    // Long 3: a reduce-only sell of 5 is clamped to 3.
    let o = NewOrder { reduce_only: Some(3), ..NewOrder::market(2, Sell, 5) };
    b.submit(o, &mut ev);
    assert_eq!(trades(&ev), vec![(1, 100, 3)]);
    // Long 3: a reduce-only buy is rejected.
    ev.clear();
    let o = NewOrder { reduce_only: Some(3), ..NewOrder::market(2, Buy, 5) };
    b.submit(o, &mut ev);
    assert!(matches!(ev[..], [Event::Rejected { .. }]));
}
