//! Several venues in one scenario: a two-venue cascade worked by hand in which venue B's
//! liquidations are caused only by venue A's flow, the refusal of an account spanning venues, and
//! the ledger and open-interest invariants with several venues and arbitrageurs under proptest.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, EventCause};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn lvls(mid: f64, tick: f64, qty: f64, n: usize) -> BookSpec {
    let bids: Vec<(f64, f64)> = (1..=n).map(|i| (mid - i as f64 * tick, qty)).collect();
    let asks: Vec<(f64, f64)> = (1..=n).map(|i| (mid + i as f64 * tick, qty)).collect();
    levels(&bids, &asks)
}

fn venue(name: &str, preset: VenuePreset, fund_usd: f64) -> VenueSpec {
    VenueSpec { name: name.into(), preset, insurance_fund: Money::from_usd(fund_usd), mark: MarkRule::Oracle }
}

/// Venue A ("a") and venue B ("b") each list TESTUSDT at 100 (tick 1, lot 1) with a 1-lot-per-tick
/// book; one spot market is the only constituent of both venues' index; both mark at the oracle
/// (the index). A's arbitrageurs have `capacity_a` USD/s, B's none. B holds one isolated long of
/// 10 lots entered at 100 with 35 USD of margin; A holds no account. A's book gets `book_shock_a`.
fn two_venues(capacity_a: f64, book_shock_a: f64) -> Scenario {
    let m = market("TESTUSDT", 1.0, 1.0, 100.0, &[(1e9, 0.01, 50.0)], 0.0);
    let b_long = account("b-long", 0.0, vec![position(&m, 1, 10, 100.0, Some(35.0))]);
    let mut s = scenario(
        VenuePreset::Binance,
        vec![m.clone(), m],
        vec![lvls(100.0, 1.0, 1.0, 10), lvls(100.0, 1.0, 1.0, 10)],
        vec![b_long],
        0.0,
        vec![0.0, 0.0],
    );
    s.engine.mark = MarkRule::Oracle;
    s.venues = VenueMap {
        venues: vec![venue("a", VenuePreset::Binance, 1_000.0), venue("b", VenuePreset::Binance, 500.0)],
        market_venue: vec![VenueId(0), VenueId(1)],
    };
    s.price = PriceFormation::static_index(2);
    s.price.spot.push(SpotMarketSpec {
        name: "x:TEST".into(),
        perp_market: 0,
        tick_size: 1.0,
        lot_size: 1.0,
        price: 100.0,
        taker_fee_rate: 0.0,
        book: lvls(100.0, 1.0, 1.0, 10),
    });
    let ix = IndexSpec { rule: IndexRule::WeightedMean { outlier_band: None }, constituents: vec![(0, 1.0)] };
    s.price.index = vec![Some(ix.clone()), Some(ix)];
    let arb =
        |c: f64| ArbitrageSpec { capacity_usd_per_s: c, latency_s: 0.0, perp_fee_rate: 0.0, min_edge: 0.0 };
    s.price.arbitrage = vec![arb(capacity_a), arb(0.0)];
    s.book_shock_usd = vec![book_shock_a, 0.0];
    s
}

/// Hand-worked. Round 0: A's forced sale of $800 meets A's arbitrageurs, who bid 100 × (1 − 2%
/// half-spreads) = 98 for ⌊300 / 98⌋ = 3 lots and sell those 3 lots on spot at 99, 98, 97: the
/// spot bid is then 96, its ask re-quotes at 98, the index (its only constituent) is 97 (the
/// single-venue case of `price_formation.rs`, unchanged by B's presence). B's mark is the index,
/// 97. B's long: equity 35 + 10 × (97 − 100) = 5 < maintenance 10 × 97 × 1% = 9.7 — liquidated in
/// round 1, although nothing traded on B: the index part of B's mark move (−3) is all A's
/// arbitrageurs' spot selling, the basis part (mark − index) is 0, the exogenous part 0. So every
/// event of B says cause = A. Without A's book shock B's long stays at equity 35 ≥ 10: nothing.
#[test]
fn venue_b_liquidated_by_venue_a_flow_alone() {
    let s = two_venues(300.0, -800.0);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    assert_eq!(out.markets[0].index_end, 97.0);
    assert_eq!(out.markets[1].index_end, 97.0);
    assert_eq!(out.markets[1].mark_after_shock, 100.0);
    let b_events: Vec<_> = out.events.iter().filter(|e| e.market == 1).collect();
    assert!(b_events.iter().any(|e| e.kind.liquidates()), "B's long is liquidated");
    assert!(b_events.iter().all(|e| e.cause == Some(EventCause::Venue(0))), "{b_events:?}");
    // Liquidated in the round after A's flow moved the index, not by the shock itself.
    assert!(b_events.iter().filter(|e| e.kind.liquidates()).all(|e| e.generation >= 1));
    assert!(out.events.iter().all(|e| e.market == 1), "A holds no account");
    // Per venue: A liquidated nothing and its fund is untouched; all of B's notional is A's doing.
    assert_eq!(out.venues.len(), 2);
    let (va, vb) = (&out.venues[0], &out.venues[1]);
    assert_eq!(va.liquidated_notional_usd, 0.0);
    assert_eq!((va.insurance_fund_start_usd, va.insurance_fund_end_usd), (1_000.0, 1_000.0));
    assert!(vb.liquidated_notional_usd > 0.0);
    assert_eq!(vb.notional_by_cause.len(), 1);
    assert_eq!(vb.notional_by_cause[0].cause, EventCause::Venue(0));
    assert!(close(vb.notional_by_cause[0].notional_usd, vb.liquidated_notional_usd));
    assert_eq!(vb.insurance_fund_start_usd, 500.0);
    // Money over every holder, both funds included; open interest long = short in both markets.
    assert_eq!(c.ws.ledger_total(), total0);
    assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
    // The control: no flow on A, nothing on B.
    let quiet = two_venues(300.0, 0.0);
    let mq = EngineModel::new(&quiet).unwrap();
    assert!(Cascade::new(&mq).run(&mq, true).events.is_empty());
}

/// Hand-worked, the makers' hedge across venues. No arbitrage; A's makers hedge 3/8 of their
/// inventory at once, B's none. A's forced sale of $800 = 8 lots fills A's makers at 99…92; they
/// sell 0.375 × 8 = 3 lots on the shared spot book at 99, 98, 97: spot bid 96, ask re-quoted at
/// 98, index 97 — for both venues. B's long: equity 35 + 10 × (97 − 100) = 5 < 9.7, liquidated in
/// a later round, and the index part of its move is all A's hedge flow: cause = A.
#[test]
fn venue_b_liquidated_by_venue_a_makers_hedge() {
    let mut s = two_venues(0.0, -800.0);
    let h = MakerHedgeSpec { hedge_ratio: 0.375, latency_s: 0.0, capacity_usd_per_s: 1e6 };
    s.price.maker_hedge = vec![h, MakerHedgeSpec::NONE];
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    assert!(close(out.markets[0].maker_hedge_usd, 294.0));
    assert_eq!(out.markets[1].maker_hedge_usd, 0.0);
    assert_eq!(out.markets[0].index_end, 97.0);
    assert_eq!(out.markets[1].index_end, 97.0);
    let b_events: Vec<_> = out.events.iter().filter(|e| e.market == 1).collect();
    assert!(b_events.iter().any(|e| e.kind.liquidates()), "B's long is liquidated");
    assert!(b_events.iter().all(|e| e.cause == Some(EventCause::Venue(0))), "{b_events:?}");
    assert!(b_events.iter().filter(|e| e.kind.liquidates()).all(|e| e.generation >= 1));
    assert_eq!(c.ws.ledger_total(), total0);
    assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
    assert!(c.ws.spot_net_lots().iter().all(|&x| x == 0));
}

/// A fund's losses stay on its venue: B's fund pays for B's account, A's is untouched. And the
/// system total is the sum of the venues'.
#[test]
fn system_totals_are_the_sum_of_the_venues() {
    let s = two_venues(300.0, -800.0);
    let model = EngineModel::new(&s).unwrap();
    let r = Cascade::new(&model).report(&model);
    let sum: f64 = r.venues.iter().map(|v| v.liquidated_notional_usd).sum();
    assert!(close(sum, r.summary.liquidated_notional_usd));
    let fund: f64 = r.outcome.venues.iter().map(|v| v.insurance_fund_end_usd).sum();
    assert!(close(fund, r.outcome.insurance_fund_end_usd));
}

#[test]
fn an_account_spanning_venues_is_refused() {
    let mut s = two_venues(300.0, -800.0);
    let m = s.markets[0].clone();
    s.accounts[0].positions.push(position(&m, 0, -1, 100.0, None));
    let err = EngineModel::new(&s).unwrap_err().to_string();
    assert!(err.starts_with("accounts[0].positions[1].market"), "{err}");
    assert!(err.contains("one venue"), "{err}");
}

#[test]
fn a_market_on_an_unknown_venue_is_refused() {
    let mut s = two_venues(300.0, -800.0);
    s.venues.market_venue[1] = VenueId(7);
    let err = EngineModel::new(&s).unwrap_err().to_string();
    assert!(err.starts_with("markets[1].venue"), "{err}");
}

/// A random population on BTC and ETH listed on three venues (Binance, Bybit, Hyperliquid rules),
/// two spot markets per asset shared by all three, arbitrageurs on every market.
fn random_three_venues(
    seed: u64,
    n: usize,
    capacity: f64,
    book_shock: f64,
    shock: f64,
    hedge: MakerHedgeSpec,
) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let btc = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let eth = market("ETHUSDT", 0.1, 0.01, 100.0, &[(20_000.0, 0.01, 50.0), (1e9, 0.02, 25.0)], 0.005);
    let presets = [VenuePreset::Binance, VenuePreset::Bybit, VenuePreset::Hyperliquid];
    let mut markets = Vec::new();
    let mut books = Vec::new();
    let mut market_venue = Vec::new();
    for v in 0..3 {
        for (m, book) in [(&btc, lvls(1000.0, 1.0, 0.5, 60)), (&eth, lvls(100.0, 0.1, 5.0, 60))] {
            markets.push(m.clone());
            books.push(book);
            market_venue.push(VenueId(v));
        }
    }
    let mut accounts = Vec::new();
    for i in 0..n {
        let v = rng.random_range(0..3usize);
        let k = 2 * v + rng.random_range(0..2usize);
        let m = &markets[k];
        let lots = rng.random_range(1..3000i64) * if rng.random_bool(0.55) { 1 } else { -1 };
        let entry = (m.mark_price * (1.0 + rng.random_range(-0.1..0.1)) / m.tick_size).round() * m.tick_size;
        let margin = lots.abs() as f64 * m.lot_size * entry / rng.random_range(2.0..40.0);
        let iso = rng.random_bool(0.5);
        let mut positions = vec![position(m, k as u16, lots, entry, iso.then_some(margin))];
        // Some cross accounts hold both markets of their venue.
        if !iso && rng.random_bool(0.3) {
            let k2 = k ^ 1;
            let m2 = &markets[k2];
            let e2 = (m2.mark_price / m2.tick_size).round() * m2.tick_size;
            positions.push(position(m2, k2 as u16, -lots.signum() * rng.random_range(1..500i64), e2, None));
        }
        accounts.push(account(&format!("a{i}"), if iso { 0.0 } else { margin }, positions));
    }
    let shocks = vec![shock, 0.0, shock, 0.0, shock, 0.0];
    let mut s = scenario(VenuePreset::Binance, markets, books, accounts, 0.0, shocks);
    s.impact.resilience_tau_s = 5.0;
    s.engine.mark = MarkRule::Venue;
    s.venues = VenueMap {
        venues: presets
            .iter()
            .enumerate()
            .map(|(i, &p)| VenueSpec {
                name: format!("v{i}"),
                preset: p,
                insurance_fund: Money::from_usd(rng.random_range(0.0..3_000.0)),
                mark: MarkRule::Venue,
            })
            .collect(),
        market_venue,
    };
    s.price = PriceFormation::static_index(6);
    for (a, (mid, tick, lot)) in [(1000.0, 1.0, 0.001), (100.0, 0.1, 0.01)].into_iter().enumerate() {
        for x in 0..2 {
            s.price.spot.push(SpotMarketSpec {
                name: format!("x{x}:{a}"),
                perp_market: a,
                tick_size: tick,
                lot_size: lot,
                price: mid,
                taker_fee_rate: 0.0005,
                book: lvls(mid, tick, if a == 0 { 0.4 } else { 4.0 }, 60),
            });
        }
    }
    for k in 0..6 {
        let a = k % 2;
        s.price.index[k] = Some(IndexSpec {
            rule: IndexRule::WeightedMean { outlier_band: Some(0.05) },
            constituents: vec![(2 * a, 0.6), (2 * a + 1, 0.4)],
        });
        s.price.arbitrage[k] = ArbitrageSpec {
            capacity_usd_per_s: capacity,
            latency_s: 0.1,
            perp_fee_rate: 0.0002,
            min_edge: 0.0,
        };
    }
    s.book_shock_usd = vec![book_shock, 0.0, 0.0, 0.0, 0.0, 0.0];
    s.price.maker_hedge = vec![hedge; 6];
    s
}

fn config() -> ProptestConfig {
    common::proptest_config(32)
}

proptest! {
    #![proptest_config(config())]

    /// Money conserved over every holder (accounts, makers, every venue's fund, fees,
    /// arbitrageurs, spot makers, the exogenous seller), open interest long = short in every
    /// market, no position created or lost, every liquidation attributed, the same outcome on a
    /// rerun.
    #[test]
    fn ledger_and_open_interest_with_several_venues(
        seed in any::<u64>(),
        n in 1usize..60,
        cap in prop_oneof![Just(0.0), 0.0f64..5_000.0, 1e4f64..1e6],
        book in prop_oneof![Just(0.0), -2e5f64..2e5],
        shock in -0.2f64..0.05,
        ratio in prop_oneof![Just(0.0), 0.0f64..=1.0],
        hedge_cap in prop_oneof![1e3f64..1e5, 1e5f64..1e7],
        latency in 0.0f64..2.0,
    ) {
        let hedge = MakerHedgeSpec { hedge_ratio: ratio, latency_s: latency, capacity_usd_per_s: hedge_cap };
        let s = random_three_venues(seed, n, cap, book, shock, hedge);
        let model = EngineModel::new(&s).unwrap();
        let mut c = Cascade::new(&model);
        let total0 = c.ws.ledger_total();
        for with_impact in [true, false] {
            let out = c.run(&model, with_impact);
            prop_assert_eq!(c.ws.ledger_total(), total0);
            prop_assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
            prop_assert!(c.ws.spot_net_lots().iter().all(|&x| x == 0));
            prop_assert!(out.events.iter().all(|e| e.cause.is_some()));
            let by_venue: f64 = out.venues.iter().map(|v| v.liquidated_notional_usd).sum();
            prop_assert!(close(by_venue, out.liquidated_notional_usd()));
            for v in &out.venues {
                let caused: f64 = v.notional_by_cause.iter().map(|c| c.notional_usd).sum();
                prop_assert!(close(caused, v.liquidated_notional_usd));
            }
        }
        let again = c.run(&model, true);
        let first = Cascade::new(&model).run(&model, true);
        prop_assert_eq!(again, first);
    }
}
