//! The perp makers' hedge on spot (crate::maker_hedge): cases worked by hand on one perp market
//! and one spot book of flat known depth, its capacity and latency, and the backstop's part.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel};

fn lvls(mid: f64, tick: f64, qty: f64, n: usize) -> BookSpec {
    let bids: Vec<(f64, f64)> = (1..=n).map(|i| (mid - i as f64 * tick, qty)).collect();
    let asks: Vec<(f64, f64)> = (1..=n).map(|i| (mid + i as f64 * tick, qty)).collect();
    levels(&bids, &asks)
}

/// One perp market at 100 (tick 1, lot 1) with a 1-lot-per-tick book, one spot market of the same
/// flat shape (1 lot at each of 99…90 and 101…110) as the only index constituent, no arbitrage,
/// no resilience (the books do not refill), dYdX's oracle mark (the mark is the index), and a
/// forced sale of `book_usd` into the perp at the start. No accounts: the only flows are the
/// forced sale and the makers' hedge.
fn one_perp_one_spot(book_usd: f64, hedge: MakerHedgeSpec) -> Scenario {
    let m = market("TESTUSDT", 1.0, 1.0, 100.0, &[(1e9, 0.01, 50.0)], 0.0);
    let mut s = scenario(VenuePreset::Dydx, vec![m], vec![lvls(100.0, 1.0, 1.0, 10)], vec![], 0.0, vec![0.0]);
    s.engine.mark = MarkRule::Oracle;
    s.price = PriceFormation::static_index(1);
    s.price.spot.push(SpotMarketSpec {
        name: "x:TEST".into(),
        perp_market: 0,
        tick_size: 1.0,
        lot_size: 1.0,
        price: 100.0,
        taker_fee_rate: 0.0,
        book: lvls(100.0, 1.0, 1.0, 10),
    });
    s.price.index = vec![Some(IndexSpec {
        rule: IndexRule::WeightedMean { outlier_band: None },
        constituents: vec![(0, 1.0)],
    })];
    s.price.maker_hedge = vec![hedge];
    s.book_shock_usd = vec![book_usd];
    s
}

fn hedge(ratio: f64, latency_s: f64, capacity: f64) -> MakerHedgeSpec {
    MakerHedgeSpec { hedge_ratio: ratio, latency_s, capacity_usd_per_s: capacity }
}

/// Hand-worked. The forced sale of $500 = 5 lots at the mid 100 fills the makers' bids at 99, 98,
/// 97, 96, 95: the makers are long 5. With hedge ratio h = 0.6 and no latency they sell
/// 0.6 × 5 = 3 lots on spot in round 0 (capacity $10⁶/s is not binding): fills at 99, 98, 97 =
/// $294. The spot bid is then 96 and its ask re-quotes at 96 + 2 (the starting spread) = 98, so
/// spot, and the index (its only constituent), is 97; dYdX's mark is the index: 97. The hedgers
/// hold −3 at 97 against $294 cash: +$3. Nothing is left to hedge: a fixed point.
#[test]
fn hand_worked_hedge_walks_the_spot_book_and_moves_the_index() {
    let s = one_perp_one_spot(-500.0, hedge(0.6, 0.0, 1e6));
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let m = &out.markets[0];
    assert_eq!(m.index_start, 100.0);
    assert_eq!(out.spot[0].price_end, 97.0);
    assert_eq!(m.index_end, 97.0);
    assert_eq!(m.mark_end, 97.0);
    assert!(close(m.maker_hedge_usd, 294.0));
    assert!(close(out.spot[0].maker_hedge_usd, 294.0));
    assert_eq!(m.arb_perp_bought_usd, 0.0);
    let ledger = out.ledger.as_ref().unwrap();
    let hedgers = ledger.holders.iter().find(|h| h.group == "maker_hedgers").unwrap();
    assert!(close(hedgers.equity_change_usd, 3.0));
    // Money over every holder, open interest, spot lots.
    assert_eq!(c.ws.ledger_total(), total0);
    assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
    assert!(c.ws.spot_net_lots().iter().all(|&x| x == 0));
    // Hedge ratio 0: the spot book is never traded and the index stays at 100.
    let s0 = one_perp_one_spot(-500.0, hedge(0.0, 0.0, 1e6));
    let m0 = EngineModel::new(&s0).unwrap();
    let out0 = Cascade::new(&m0).run(&m0, true);
    assert_eq!((out0.markets[0].index_end, out0.markets[0].maker_hedge_usd), (100.0, 0.0));
}

/// Hand-worked, capacity binding. h = 1, capacity $200/s, 1-s rounds: the makers' 5 lots are
/// hedged at ⌊200 / index⌋ lots a round. Round 0 at index 100: 2 lots (99, 98 = $197), spot bid
/// 97, ask 99, index 98. Round 1: ⌊200 / 98⌋ = 2 lots (97, 96 = $193), index 95 + 1 = 96. Round 2:
/// the last lot (95), bid 94, ask 96, index 95. Total $485, index 95.
#[test]
fn hand_worked_capacity_spreads_the_hedge_over_rounds() {
    let s = one_perp_one_spot(-500.0, hedge(1.0, 0.0, 200.0));
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let out = c.run(&model, true);
    let m = &out.markets[0];
    assert!(close(m.maker_hedge_usd, 485.0));
    assert_eq!(m.index_end, 95.0);
    let path: Vec<f64> = out.index_path.iter().map(|r| r[0]).collect();
    assert_eq!(&path[..3], &[98.0, 96.0, 95.0], "{path:?}");
}

/// Hand-worked, latency. Latency 1.5 s with 1-s rounds: the hedge of round t's inventory is sent
/// in round t + ⌊1.5⌋ = t + 1 with 1 − 0.5 = 0.5 s of capacity. h = 1, capacity $400/s → ⌊200 /
/// index⌋ lots a round, as in the case above, one round later: the index is 100 after round 0,
/// then 98, 96, 95.
#[test]
fn hand_worked_latency_delays_the_hedge() {
    let s = one_perp_one_spot(-500.0, hedge(1.0, 1.5, 400.0));
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let out = c.run(&model, true);
    let path: Vec<f64> = out.index_path.iter().map(|r| r[0]).collect();
    assert_eq!(&path[..4], &[100.0, 98.0, 96.0, 95.0], "{path:?}");
    assert!(close(out.markets[0].maker_hedge_usd, 485.0));
}

/// The backstop's inventory is hedged too. Bybit sends a lowest-tier position straight to the
/// fund at bankruptcy: one isolated long of 5 lots at 100 with $4 of margin (bankruptcy 99.2).
/// A −1% exogenous shock puts it under maintenance (equity 4 − 5 = −1 < 5 × 99 × 1%): the fund
/// takes it over, no lot reaches the book. With h = 0.6 the hedgers sell 3 lots on spot, which
/// the exogenous shift moved to 98…89 (bids) and 100…109 (asks): fills at 98, 97, 96 = $291, the
/// bid is 95 and the ask re-quotes at 95 + 2, so spot and the index are 96.
#[test]
fn the_backstops_takeover_is_hedged() {
    let m = market("TESTUSDT", 1.0, 1.0, 100.0, &[(1e9, 0.01, 50.0)], 0.0);
    let long = account("long", 0.0, vec![position(&m, 0, 5, 100.0, Some(4.0))]);
    let mut s = one_perp_one_spot(0.0, hedge(0.6, 0.0, 1e6));
    s.venue = VenuePreset::Bybit;
    s.accounts = vec![long];
    s.insurance_fund = Money::from_usd(1_000.0);
    s.shock = Shock::PerMarket(vec![-0.01]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    assert!(out.events.iter().any(|e| e.kind.liquidates()));
    assert!(close(out.markets[0].maker_hedge_usd, 291.0), "{}", out.markets[0].maker_hedge_usd);
    assert_eq!(out.markets[0].index_end, 96.0);
    assert_eq!(c.ws.ledger_total(), total0);
    assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
    assert!(c.ws.spot_net_lots().iter().all(|&x| x == 0));
}
