//! The shipped BTCUSDT depth profile (derived from a real Binance capture by the
//! `derive_depth` example) loads as a `DepthProfile` and gives a book that absorbs a $1M sell
//! within 0.5% and reaches at least 20% from mid on both sides.

mod common;

use liq_domain::{BookSpec, DepthProfile, Side};
use liq_impact::book::{BookSide, L2Book};
use liq_impact::PriceImpact;

const PROFILE: &str = include_str!("../../io/data/btcusdt_depth_20240808.toml");

fn book() -> L2Book {
    let profile: DepthProfile = toml::from_str(PROFILE).expect("the shipped profile parses");
    L2Book::from_spec(&BookSpec::Profile(profile), &common::btc(), 61_800.0, 30.0).expect("valid profile")
}

#[test]
fn one_million_dollar_sell_walks_less_than_half_a_percent() {
    let mut b = book();
    // Mid 61,800 = 618,000 ticks of 0.1; $1M / 61,800 = 16.181 BTC = 16,181 lots of 0.001.
    let mid = b.mid_ticks();
    assert!((mid - 618_000.0).abs() <= 0.5, "{mid}");
    let f = b.execute(Side::Sell, 16_181, 1);
    assert_eq!(f.filled_lots, 16_181);
    let last = f.last_tick.expect("filled");
    // 0.5% below 618,000 ticks is 614,910.
    assert!(last > 614_910, "last fill at tick {last}");
}

#[test]
fn depth_reaches_twenty_percent_both_sides() {
    let b = book();
    // 20% from 618,000 ticks: 494,400 below, 741,600 above.
    assert!(b.deepest_tick(BookSide::Bid) <= 494_400, "{}", b.deepest_tick(BookSide::Bid));
    assert!(b.deepest_tick(BookSide::Ask) >= 741_600, "{}", b.deepest_tick(BookSide::Ask));
    // A $5M sell (80,906 lots) still fills in full, and a walk to −20% meets depth all the way.
    let mut b = b;
    assert_eq!(b.execute(Side::Sell, 80_906, 1).filled_lots, 80_906);
    assert!(b.depth_at_tick(BookSide::Bid, 500_000) > 0);
}
