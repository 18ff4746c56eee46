//! Funding on a path: one funding time worked by hand to the micro-dollar, an account that funding
//! alone liquidates, no funding on an instant run, and money and open interest conserved with
//! funding under proptest (accounts, makers, fund inventory, arbitrageurs, a book-shock seller,
//! a leveraged token).

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, ExoPath, Labels, RunOptions};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// dYdX (mark = oracle = index, hourly funding, premium sampled each minute, equal weights, no
/// interest, cap 6 × (IMF − MMF)): one market at 100 (tick 0.1, lot 1; MMR 1%, 50× → IMF 2%), a
/// book 99.9/100.1 around it, account `long` +100 lots and account `short` −100 lots entered at 100.
/// The next funding time is 10 s into the run; the last hourly rate was `last_rate`.
fn two_accounts(short_wallet: f64, last_rate: f64, accrue: bool) -> Scenario {
    let m = market("TESTUSD", 0.1, 1.0, 100.0, &[(1e9, 0.01, 50.0)], 0.0);
    let book = levels(&[(99.9, 1000.0), (99.8, 1000.0)], &[(100.1, 1000.0), (100.2, 1000.0)]);
    let long = account("long", 10_000.0, vec![position(&m, 0, 100, 100.0, None)]);
    let short = account("short", short_wallet, vec![position(&m, 0, -100, 100.0, None)]);
    let mut s = scenario(VenuePreset::Dydx, vec![m], vec![book], vec![long, short], 1e6, vec![0.0]);
    s.price = PriceFormation::static_index(1);
    s.price.funding = FundingSpec { interval_s: 3600.0, time_to_next_s: 10.0, accrue, cap: None };
    s.price.last_funding_rate = vec![last_rate];
    s
}

/// A flat path of `steps` one-second steps (no exogenous move).
fn flat(steps: usize) -> ExoPath {
    ExoPath { n_markets: 1, dt_s: 1.0, levels: vec![1.0; steps] }
}

/// Hand-worked. The interval is [−3590 s, 10 s]; premium samples each minute from the anchor:
/// 59 before the run (at −3530 … −50 s) and one at 10 s. The last hourly rate −0.06% implies an
/// 8-hour premium of 8 × −0.06% = −0.48% for the 59; the book at rest (bid 99.9 and ask 100.1
/// around an index of 100) has premium 0 for the last. Average = 59 × −0.0048 / 60 = −0.00472;
/// dYdX rate = average × 1 h / 8 h = −0.00059 (cap 6 × (2% − 1%) / 8 = 0.75%: not binding).
/// Notional at the oracle: 100 lots × 100 = 10,000 → shorts pay longs 5.9 USD = 5,900,000 µUSD.
#[test]
fn one_funding_time_worked_by_hand() {
    let s = two_accounts(10_000.0, -0.0006, true);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let before = (c.ws.cross_equity(&model, 0), c.ws.cross_equity(&model, 1));
    let r = c.report_path(&model, &flat(20), &RunOptions::default());
    let out = &r.outcome;
    assert_eq!(out.funding.len(), 1, "{:?}", out.funding);
    let e = &out.funding[0];
    assert_eq!((e.time_s, e.market), (10.0, 0));
    assert!((e.premium_avg - (-0.00472)).abs() < 1e-15, "{}", e.premium_avg);
    assert!((e.rate - (-0.00059)).abs() < 1e-15, "{}", e.rate);
    assert_eq!(e.price, 100.0);
    assert!((e.longs_paid_usd - (-5.9)).abs() < 1e-12);
    // Each side exactly 5.9 USD; the accounts net zero, the makers hold nothing and pay nothing.
    assert!((c.ws.cross_equity(&model, 0) - before.0 - 5.9).abs() < 1e-9);
    assert!((c.ws.cross_equity(&model, 1) - before.1 + 5.9).abs() < 1e-9);
    assert_eq!(e.paid.accounts_usd, 0.0);
    assert_eq!(e.paid.makers_usd, 0.0);
    assert_eq!(out.markets[0].funding_rates, vec![e.rate]);
    assert_eq!(out.markets[0].funding_paid_usd, Some(e.paid));
    assert!(out.events.is_empty(), "nobody is liquidated");
    assert_eq!(c.ws.ledger_total(), total0);
}

/// The rule reproduces the last rate when the premium on the path equals the one it implies:
/// a 59/60 pre-run share at −0.48% and one path sample at 0 give −0.00059 (above), while a
/// funding time with the whole interval before the run (`time_to_next_s = 0`) pays exactly the
/// last rate (hand-worked: 60 samples at −0.48% → −0.0006).
#[test]
fn a_whole_interval_before_the_run_pays_the_last_rate() {
    let mut s = two_accounts(10_000.0, -0.0006, true);
    s.price.funding.time_to_next_s = 0.0;
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let r = c.report_path(&model, &flat(5), &RunOptions::default());
    let e = &r.outcome.funding[0];
    assert_eq!(e.time_s, 0.0);
    assert!((e.rate - (-0.0006)).abs() < 1e-15, "{}", e.rate);
}

/// Funding alone liquidates. The short holds 104 USD against a maintenance margin of 1% × 10,000
/// = 100: safe on a flat path (equity 104). With a last hourly rate of −0.6% the hand-worked
/// rate above scales tenfold to −0.59% (cap 0.75%: not binding), so the short pays 59 USD at the
/// funding time and is left with 45 < 100: liquidated at that step and never before. (At the
/// −0.06% of the case above it would keep 98.1, under maintenance too, but dYdX's fillable price
/// 100 × (1 + 1.5 × 1% × (1 − 0.981)) = 100.03 lies below the book's ask of 100.1, so that
/// liquidation order cannot fill.) With accrual off nothing happens.
#[test]
fn funding_alone_liquidates_a_thin_short() {
    let model = EngineModel::new(&two_accounts(104.0, -0.006, true)).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let r = c.report_path(&model, &flat(20), &RunOptions::default());
    assert!((r.outcome.funding[0].rate - (-0.0059)).abs() < 1e-15);
    let liq: Vec<_> = r.outcome.events.iter().filter(|e| e.kind.liquidates()).collect();
    assert!(!liq.is_empty(), "{:?}", r.outcome.events);
    assert!(liq.iter().all(|e| e.account == 1 && e.time_s >= 10.0), "{liq:?}");
    assert_eq!(c.ws.ledger_total(), total0);
    assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));

    let off = EngineModel::new(&two_accounts(104.0, -0.006, false)).unwrap();
    let r = Cascade::new(&off).report_path(&off, &flat(20), &RunOptions::default());
    assert!(r.outcome.events.is_empty() && r.outcome.funding.is_empty());
    assert_eq!(r.outcome.markets[0].funding_paid_usd, None);
}

/// A round-based instant run has no clock and so no funding, even with accrual on and the
/// funding time inside the rounds' duration.
#[test]
fn an_instant_run_accrues_nothing() {
    let mut s = two_accounts(104.0, -0.0006, true);
    s.price.funding.time_to_next_s = 0.0;
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert!(out.funding.is_empty() && out.events.is_empty());
}

/// A domain-built scenario whose funding clock accrual cannot run on is refused by the model (the
/// file reader refuses it with its line): an interval under a second, a negative cap.
#[test]
fn an_unrunnable_funding_clock_is_refused() {
    let mut s = two_accounts(10_000.0, 0.0, true);
    s.price.funding.interval_s = 0.5;
    let e = EngineModel::new(&s).unwrap_err().to_string();
    assert!(e.contains("funding.interval_s"), "{e}");
    let mut s = two_accounts(10_000.0, 0.0, true);
    s.price.funding.cap = Some(-0.01);
    let e = EngineModel::new(&s).unwrap_err().to_string();
    assert!(e.contains("funding.cap"), "{e}");
}

/// A population on one perp (60% long), with optional spot market + arbitrageurs and a book
/// shock (their holders then hold perp positions too), funding on with a random last rate.
fn population(seed: u64, n: usize, venue: VenuePreset, fund: f64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let m = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let bids: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 - i as f64, 0.5)).collect();
    let asks: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 + i as f64, 0.5)).collect();
    let mut accounts = Vec::new();
    for i in 0..n {
        let lots = rng.random_range(100..3000i64) * if rng.random_bool(0.6) { 1 } else { -1 };
        let entry = rng.random_range(900..1100) as f64;
        let margin = lots.abs() as f64 * 0.001 * entry / rng.random_range(3.0..40.0);
        let iso = rng.random_bool(0.5);
        let p = position(&m, 0, lots, entry, iso.then_some(margin));
        accounts.push(account(&format!("a{i}"), if iso { 0.0 } else { margin }, vec![p]));
    }
    let mut s = scenario(venue, vec![m], vec![levels(&bids, &asks)], accounts, fund, vec![0.0]);
    s.impact.resilience_tau_s = 10.0;
    s.price = PriceFormation::static_index(1);
    s
}

fn with_arbitrage(s: &mut Scenario, capacity: f64, book_shock: f64) {
    let bids: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 - i as f64, 0.5)).collect();
    let asks: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 + i as f64, 0.5)).collect();
    s.price.spot.push(SpotMarketSpec {
        name: "x:BTC".into(),
        perp_market: 0,
        tick_size: 1.0,
        lot_size: 0.001,
        price: 1000.0,
        taker_fee_rate: 0.0,
        book: levels(&bids, &asks),
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
    s.book_shock_usd = vec![book_shock];
}

proptest! {
    #![proptest_config(proptest_config(48))]

    /// With funding on: Σ (cash − cost basis) over every holder is unchanged to the micro-dollar,
    /// open interest long = short, each funding time's payments sum to zero, and the rate is
    /// within the venue's cap.
    #[test]
    fn money_and_open_interest_conserved_with_funding(
        seed in any::<u64>(), n in 1usize..60, crash in 0.0f64..0.3, steps in 1usize..40,
        last_rate in -0.02f64..0.02, to_next in 0.0f64..30.0, arb in any::<bool>(),
        capacity in 0.0f64..5e5, shock in -3e5f64..3e5, token_aum in prop_oneof![Just(0.0), 1e3f64..5e4],
        venue in prop_oneof![Just(VenuePreset::Binance), Just(VenuePreset::Hyperliquid), Just(VenuePreset::Bybit), Just(VenuePreset::Dydx)],
        fund in prop_oneof![Just(50.0), Just(1e9)],
    ) {
        let mut s = population(seed, n, venue, fund);
        if arb {
            with_arbitrage(&mut s, capacity, shock);
        }
        if token_aum > 0.0 {
            // A 3× leveraged token: a flow holder with a long perp position.
            s.flows.leveraged_tokens.push(LeveragedTokenSpec {
                name: "BTC3L".into(),
                market: MarketId(0),
                leverage: 3.0,
                aum_usd: token_aum,
                daily_rebalance_at_s: None,
                intraday_move: 0.05,
                intraday_reduce_only: true,
            });
        }
        // A short interval so that a 40-step path crosses several funding times.
        s.price.funding = FundingSpec { interval_s: 7.0, time_to_next_s: to_next.min(7.0), accrue: true, cap: None };
        s.price.last_funding_rate = vec![last_rate];
        let model = EngineModel::new(&s).unwrap();
        let levels: Vec<f64> = (0..steps).map(|t| 1.0 - crash * (t + 1) as f64 / steps as f64).collect();
        let path = ExoPath { n_markets: 1, dt_s: 1.0, levels };
        let mut c = Cascade::new(&model);
        let total0 = c.ws.ledger_total();
        let (out, _) = c.simulate(&model, &path, &RunOptions::default(), Labels::AllFirstOrder);
        prop_assert_eq!(c.ws.ledger_total(), total0);
        prop_assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
        if token_aum > 0.0 {
            // The token holds a long perp position, so a material rate moves its money.
            if let Some(e) = out.funding.iter().find(|e| e.rate.abs() > 1e-4) {
                prop_assert!(e.paid.flow_holders_usd != 0.0, "{:?}", e);
            }
        }
        for e in &out.funding {
            let p = e.paid;
            let sum = p.accounts_usd + p.makers_usd + p.fund_usd + p.arbitrageurs_usd
                + p.book_shock_seller_usd + p.flow_holders_usd;
            prop_assert!(sum.abs() < 1e-6, "{:?}", e);
            prop_assert!(e.rate.abs() <= 0.04 + 1e-12, "{:?}", e);
        }
        // The run crosses a funding time iff its clock reaches one.
        if to_next.min(7.0) <= 0.0 {
            prop_assert!(!out.funding.is_empty());
        }
    }
}
