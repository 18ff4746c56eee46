//! Spot markets, index and arbitrage: a case worked by hand, zero capacity ≡ a static index, the
//! ledger with arbitrageurs, exogenous sellers and the makers' hedgers under proptest, hedge
//! ratio 0 ≡ no hedge, the venues' mark rules.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn lvls(mid: f64, tick: f64, qty: f64, n: usize) -> BookSpec {
    let bids: Vec<(f64, f64)> = (1..=n).map(|i| (mid - i as f64 * tick, qty)).collect();
    let asks: Vec<(f64, f64)> = (1..=n).map(|i| (mid + i as f64 * tick, qty)).collect();
    levels(&bids, &asks)
}

/// One perp market at 100 (tick 1, lot 1) with a 1-lot-per-tick book, and one spot market of the
/// same shape as the only index constituent.
fn two_market_case(capacity: f64) -> Scenario {
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
    s.price.arbitrage = vec![ArbitrageSpec {
        capacity_usd_per_s: capacity,
        latency_s: 0.0,
        perp_fee_rate: 0.0,
        min_edge: 0.0,
    }];
    s.book_shock_usd = vec![-800.0];
    s
}

/// Hand-worked. Costs: no fees, half-spreads (101 − 99)/(101 + 99) = 1% on each leg → 2%; the
/// arbitrageur bids 100 × 0.98 = 98 for ⌊300 / 98⌋ = 3 lots. A forced sale of $800 = 8 lots at
/// the mid 100 walks: 99 (maker, 1), 98 (arbitrageur, 3), 98, 97, 96, 95 (makers, 1 each): value
/// 99 + 3·98 + 98 + 97 + 96 + 95 = 779. The arbitrageur sells its 3 lots on spot: 99 + 98 + 97 =
/// 294; the spot bid is then 96, the ask re-quotes at 96 + 2 = 98, so spot (and the index, its
/// only constituent) is 97. The perp book's bid is 94, its ask re-quotes at 96: mid 95, basis
/// (95 / 97 − 1) × 10⁴ = −206.2 bp. Next round the bid is 97 × 0.98 = 95.06 → tick 95, below the
/// perp's re-quoted ask 96, so nothing more trades: a fixed point. dYdX marks at the oracle: 97.
#[test]
fn arbitrage_worked_by_hand() {
    let s = two_market_case(300.0);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let m = &out.markets[0];
    assert_eq!(m.index_start, 100.0);
    assert_eq!(m.index_end, 97.0);
    assert_eq!(m.mark_end, 97.0);
    assert!((m.basis_end_bps - (95.0 / 97.0 - 1.0) * 1e4).abs() < 1e-9);
    assert!((m.arb_perp_bought_usd - 294.0).abs() < 1e-9);
    assert_eq!(out.spot[0].price_end, 97.0);
    assert!((out.spot[0].arb_traded_usd - 294.0).abs() < 1e-9);
    // Perp leg marked at 97: 3 × 97 − 294 = −3; spot leg: +294 cash, short 3 at 97: +3.
    assert!(out.arbitrage_equity_change_usd.abs() < 1e-9);
    assert_eq!(c.ws.ledger_total(), total0);
    assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
}

/// Strip what only a scenario with spot markets reports.
fn core(mut o: liq_engine::Outcome) -> liq_engine::Outcome {
    o.spot.clear();
    o
}

/// A random population on two perps, each with two spot markets whose books mirror the perp's.
fn random_with_spot(
    seed: u64,
    n: usize,
    capacity: f64,
    latency: f64,
    book_shock: f64,
    shock: [f64; 2],
) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let btc = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let eth = market("ETHUSDT", 0.1, 0.01, 100.0, &[(20_000.0, 0.01, 50.0), (1e9, 0.02, 25.0)], 0.005);
    let markets = vec![btc, eth];
    let books = vec![lvls(1000.0, 1.0, 0.5, 60), lvls(100.0, 0.1, 5.0, 60)];
    let mut accounts = Vec::new();
    for i in 0..n {
        let k = rng.random_range(0..2usize);
        let m = &markets[k];
        let lots = rng.random_range(1..3000i64) * if rng.random_bool(0.55) { 1 } else { -1 };
        let entry = (m.mark_price * (1.0 + rng.random_range(-0.1..0.1)) / m.tick_size).round() * m.tick_size;
        let margin = lots.abs() as f64 * m.lot_size * entry / rng.random_range(2.0..40.0);
        let iso = rng.random_bool(0.5);
        let p = position(m, k as u16, lots, entry, iso.then_some(margin));
        accounts.push(account(&format!("a{i}"), if iso { 0.0 } else { margin }, vec![p]));
    }
    let mut s = scenario(VenuePreset::Binance, markets, books, accounts, 2_000.0, shock.to_vec());
    s.impact.resilience_tau_s = 5.0;
    s.engine.mark = MarkRule::Venue;
    s.price = PriceFormation::static_index(2);
    for (k, (mid, tick, lot)) in [(1000.0, 1.0, 0.001), (100.0, 0.1, 0.01)].into_iter().enumerate() {
        for v in 0..2 {
            s.price.spot.push(SpotMarketSpec {
                name: format!("v{v}:{k}"),
                perp_market: k,
                tick_size: tick,
                lot_size: lot,
                price: mid,
                taker_fee_rate: 0.0005,
                book: lvls(mid, tick, if k == 0 { 0.4 } else { 4.0 }, 60),
            });
        }
        let j = 2 * k;
        s.price.index[k] = Some(IndexSpec {
            rule: IndexRule::WeightedMean { outlier_band: Some(0.05) },
            constituents: vec![(j, 0.6), (j + 1, 0.4)],
        });
        s.price.arbitrage[k] = ArbitrageSpec {
            capacity_usd_per_s: capacity,
            latency_s: latency,
            perp_fee_rate: 0.0002,
            min_edge: 0.0,
        };
    }
    s.book_shock_usd = vec![book_shock, 0.0];
    s
}

fn config() -> ProptestConfig {
    common::proptest_config(48)
}

proptest! {
    #![proptest_config(config())]

    /// Capacity 0 reproduces the static index exactly: the same outcome, bit for bit, as the
    /// scenario without spot markets.
    #[test]
    fn zero_capacity_is_a_static_index(seed in any::<u64>(), n in 1usize..50, s0 in -0.2f64..0.05, s1 in -0.2f64..0.05) {
        let with = random_with_spot(seed, n, 0.0, 0.0, 0.0, [s0, s1]);
        let mut without = with.clone();
        without.price = PriceFormation::static_index(2);
        let (mw, mo) = (EngineModel::new(&with).unwrap(), EngineModel::new(&without).unwrap());
        let a = Cascade::new(&mw).report(&mw);
        let b = Cascade::new(&mo).report(&mo);
        prop_assert_eq!(core(a.outcome), core(b.outcome));
        prop_assert_eq!(core(a.counterfactual), core(b.counterfactual));
    }

    /// Money conserved over every holder (accounts, makers, fund, fees, arbitrageurs, spot makers,
    /// the exogenous seller), open interest long = short, the same outcome on a rerun.
    #[test]
    fn ledger_with_arbitrageurs(
        seed in any::<u64>(),
        n in 1usize..50,
        cap in prop_oneof![Just(0.0), 0.0f64..5_000.0, 1e4f64..1e6],
        latency in 0.0f64..1.5,
        book in prop_oneof![Just(0.0), -2e5f64..2e5],
        s0 in -0.2f64..0.05,
        s1 in -0.2f64..0.05,
    ) {
        let s = random_with_spot(seed, n, cap, latency, book, [s0, s1]);
        for venue in VenuePreset::ALL {
            let mut s = s.clone();
            s.venue = venue;
            let model = EngineModel::new(&s).unwrap();
            let mut c = Cascade::new(&model);
            let total0 = c.ws.ledger_total();
            for with_impact in [true, false] {
                let out = c.run(&model, with_impact);
                prop_assert_eq!(c.ws.ledger_total(), total0);
                prop_assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
                prop_assert!(out.markets.iter().all(|m| m.index_end.is_finite() && m.mark_end.is_finite()));
            }
            let again = c.run(&model, true);
            let first = Cascade::new(&model).run(&model, true);
            prop_assert_eq!(again, first);
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// Hedge ratio 0 reproduces the outcome without the makers' hedge exactly, whatever its
    /// latency and capacity.
    #[test]
    fn zero_hedge_ratio_is_no_hedge(
        seed in any::<u64>(),
        n in 1usize..50,
        cap in 0.0f64..1e6,
        latency in 0.0f64..3.0,
        book in prop_oneof![Just(0.0), -2e5f64..2e5],
        s0 in -0.2f64..0.05,
    ) {
        let without = random_with_spot(seed, n, 5e3, 0.1, book, [s0, 0.0]);
        let mut with = without.clone();
        with.price.maker_hedge =
            vec![MakerHedgeSpec { hedge_ratio: 0.0, latency_s: latency, capacity_usd_per_s: cap }; 2];
        let (mw, mo) = (EngineModel::new(&with).unwrap(), EngineModel::new(&without).unwrap());
        let a = Cascade::new(&mw).report(&mw);
        let b = Cascade::new(&mo).report(&mo);
        prop_assert_eq!(a.outcome, b.outcome);
        prop_assert_eq!(a.counterfactual, b.counterfactual);
    }

    /// With the makers hedging: money conserved over every holder (the hedgers included), open
    /// interest long = short, spot lots conserved between arbitrageurs, hedgers and spot makers,
    /// the same outcome on a rerun, under every venue's rules.
    #[test]
    fn ledger_with_maker_hedgers(
        seed in any::<u64>(),
        n in 1usize..50,
        ratio in 0.0f64..=1.0,
        latency in 0.0f64..2.5,
        cap in prop_oneof![0.0f64..5_000.0, 1e4f64..1e7],
        arb in prop_oneof![Just(0.0), 1e3f64..1e5],
        book in prop_oneof![Just(0.0), -2e5f64..2e5],
        s0 in -0.2f64..0.05,
        s1 in -0.2f64..0.05,
    ) {
        let mut s = random_with_spot(seed, n, arb, 0.1, book, [s0, s1]);
        s.price.maker_hedge =
            vec![MakerHedgeSpec { hedge_ratio: ratio, latency_s: latency, capacity_usd_per_s: cap }; 2];
        for venue in VenuePreset::ALL {
            let mut s = s.clone();
            s.venue = venue;
            let model = EngineModel::new(&s).unwrap();
            let mut c = Cascade::new(&model);
            let total0 = c.ws.ledger_total();
            for with_impact in [true, false] {
                let out = c.run(&model, with_impact);
                prop_assert_eq!(c.ws.ledger_total(), total0);
                prop_assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
                prop_assert!(c.ws.spot_net_lots().iter().all(|&x| x == 0));
                prop_assert!(out.markets.iter().all(|m| m.index_end.is_finite() && m.maker_hedge_usd >= 0.0));
                if !with_impact {
                    prop_assert!(out.markets.iter().all(|m| m.maker_hedge_usd == 0.0));
                }
                // The ledger's holders (hedgers included) sum to the collateral revaluation.
                let l = out.ledger.as_ref().unwrap();
                let sum: f64 = l.holders.iter().map(|h| h.equity_change_usd).sum();
                prop_assert!((sum - l.collateral_revaluation_usd).abs() < 1e-3, "{} vs {}", sum, l.collateral_revaluation_usd);
            }
            let again = c.run(&model, true);
            let first = Cascade::new(&model).run(&model, true);
            prop_assert_eq!(again, first);
        }
    }
}

/// A forced seller on the perp alone moves the index through the makers' hedge alone (no
/// arbitrage capacity), under every venue's mark rule.
#[test]
fn book_shock_moves_the_index_through_the_makers_hedge() {
    for venue in VenuePreset::ALL {
        let mut s = random_with_spot(7, 30, 0.0, 0.1, -3e5, [0.0, 0.0]);
        s.venue = venue;
        s.price.maker_hedge =
            vec![MakerHedgeSpec { hedge_ratio: 0.5, latency_s: 0.5, capacity_usd_per_s: 1e5 }; 2];
        let model = EngineModel::new(&s).unwrap();
        let out = Cascade::new(&model).run(&model, true);
        let m = &out.markets[0];
        let trough = out.index_path.iter().map(|r| r[0]).fold(f64::INFINITY, f64::min);
        assert!(trough < m.index_start, "{venue:?}: index {} → trough {trough}", m.index_start);
        assert!(m.maker_hedge_usd > 0.0 && m.arb_perp_bought_usd == 0.0);
    }
}

/// A forced seller on the perp alone moves the index through the arbitrageurs, under every
/// venue's mark rule.
#[test]
fn book_shock_moves_the_index_through_arbitrage() {
    for venue in VenuePreset::ALL {
        let mut s = random_with_spot(7, 30, 5e4, 0.1, -3e5, [0.0, 0.0]);
        s.venue = venue;
        let model = EngineModel::new(&s).unwrap();
        let out = Cascade::new(&model).run(&model, true);
        let m = &out.markets[0];
        // The index falls while the spot books carry the hedges; resilience refills them later
        // (impact is transient), so the trough, not the end, shows the move.
        let trough = out.index_path.iter().map(|r| r[0]).fold(f64::INFINITY, f64::min);
        assert!(trough < m.index_start, "{venue:?}: index {} → trough {trough}", m.index_start);
        assert!(m.arb_perp_bought_usd > 0.0);
    }
}

/// Book exhaustion is an event (issue 14). Hand-worked: the perp's bids are 1 lot at each of
/// 99…90; a forced sale of $2,000 = 20 lots at the mid 100 with no arbitrage takes all ten and
/// leaves ten unfilled. The bid side is empty in round 0; the book then quotes its deepest level
/// 90 as the bid and re-quotes the ask at 90 + 2: mid 91.
#[test]
fn an_emptied_book_side_is_reported() {
    let mut s = two_market_case(0.0);
    s.book_shock_usd = vec![-2_000.0];
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    let x = out.markets[0].book_exhausted.expect("the bids ran out");
    assert_eq!((x.side, x.round, x.time_s, x.quote_beyond_usd), (Side::Sell, 0, 0.0, 91.0));
    // A sale the book can carry leaves no such event.
    let s = two_market_case(0.0);
    let model = EngineModel::new(&s).unwrap();
    assert_eq!(Cascade::new(&model).run(&model, true).markets[0].book_exhausted, None);
}
