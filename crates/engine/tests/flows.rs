//! The non-liquidation flows (leveraged tokens, dealer hedging, stop clusters): hand-worked
//! trades, a stop cluster that liquidates in the next generation, and the ledger invariants with
//! every flow holder in the ledger (the desk's hedge of its own book included), with each
//! mitigation policy in turn (proptest), at any thread count.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::flows::gamma::{black76_delta, black76_gamma};
use liq_engine::{channel_report, Cascade, Channel, DeskHedgeSpec, EngineModel, ExoPath, RunOptions};
use proptest::prelude::*;

/// One market at 1000 (tick 1, lot 0.001) with `qty` BTC on each of 150 levels a tick apart.
fn deep_market(qty: f64) -> (MarketSpec, BookSpec) {
    let bids: Vec<(f64, f64)> = (1..=150).map(|i| (1000.0 - i as f64, qty)).collect();
    let asks: Vec<(f64, f64)> = (1..=150).map(|i| (1000.0 + i as f64, qty)).collect();
    (btc(), levels(&bids, &asks))
}

fn token(leverage: f64, aum: f64) -> LeveragedTokenSpec {
    LeveragedTokenSpec {
        name: "BTC3L".into(),
        market: MarketId(0),
        leverage,
        aum_usd: aum,
        daily_rebalance_at_s: None,
        intraday_move: 0.05,
        intraday_reduce_only: true,
    }
}

#[test]
fn hand_worked_three_x_token_sells_aum_l_l_minus_1_r_after_a_ten_percent_fall() {
    // 3× token, AUM 100,000 USD at mark 1000: basket 300 BTC. After −10% (mark 900):
    // exposure 270,000, NAV 100,000 − 30,000 = 70,000, target 3 × 70,000 = 210,000, trade
    // −60,000 USD = AUM·L·(L−1)·r = 100,000 × 3 × 2 × (−0.1), i.e. 60,000 / 900 = 66.667 BTC =
    // 66,667 lots sold.
    let (m, book) = deep_market(1000.0);
    let mut s = scenario(VenuePreset::Binance, vec![m], vec![book], vec![], 0.0, vec![-0.10]);
    s.flows.leveraged_tokens.push(token(3.0, 100_000.0));
    let model = EngineModel::new(&s).unwrap();
    let r = Cascade::new(&model).report(&model);
    let e = &r.outcome.flow_events[0];
    assert_eq!(e.channel, Channel::LeveragedToken);
    assert_eq!(e.generation, 0);
    assert_eq!(e.trigger, "intraday");
    assert!(close(e.mark, 900.0), "mark {}", e.mark);
    assert_eq!(e.lots, -66_667);
    assert!(close(
        liq_engine::flows::leveraged_token::rebalance_trade_usd(3.0, 70_000.0, 270_000.0),
        -60_000.0
    ));
    // The book is 1,000 BTC a level: the sale fills at the first level below the mark.
    assert!(r.outcome.channels[0].sold_usd > 0.99 * 60_000.0);
}

#[test]
fn hand_worked_dealer_hedge_against_black76_gamma() {
    // Dealers short 1,000 puts struck at 1000, 30 days, σ = 60%. Hedge = −(−1 × 1000 × (N(d1)−1)),
    // so d(hedge)/dS = 1000 × Γ. Γ(1000) = φ(d1)/(F σ √T) with σ√T = 0.6 √(30/365) = 0.172015,
    // d1 = 0.0860077, φ(d1) = 0.397471 → Γ = 0.00231068 per USD; a −10 USD move (−1%) sells
    // ≈ 1000 × 0.00231068 × 10 = 23.107 BTC, exactly 1000 × (Δput(1000) − Δput(990)).
    let (m, book) = deep_market(1000.0);
    let mut s = scenario(VenuePreset::Binance, vec![m], vec![book], vec![], 0.0, vec![-0.01]);
    let t = 30.0 / 365.0;
    s.flows.dealers = Some(DealerBookSpec {
        options: vec![OptionOpenInterest {
            market: MarketId(0),
            strike: 1000.0,
            expiry_years: t,
            option_type: OptionType::Put,
            open_interest: 1000.0,
            dealer_sign: -1,
        }],
        vol: 0.6,
        hedge_ratio: 1.0,
        rebalance_interval_s: 60.0,
        min_trade_usd: 0.0,
    });
    let g = black76_gamma(1000.0, 1000.0, t, 0.6);
    assert!((g - 0.002_310_68).abs() < 1e-8, "{g}");
    let model = EngineModel::new(&s).unwrap();
    let r = Cascade::new(&model).report(&model);
    let e = &r.outcome.flow_events[0];
    assert_eq!((e.channel, e.generation, e.trigger), (Channel::DealerGamma, 0, "hedge"));
    assert!(close(e.mark, 990.0));
    let exact = 1000.0
        * (black76_delta(OptionType::Put, 990.0, 1000.0, t, 0.6)
            - black76_delta(OptionType::Put, 1000.0, 1000.0, t, 0.6));
    // The hedge is held in whole lots: the starting one rounded at 1000, the new one at 990.
    let hedge_lots =
        |f: f64| (1000.0 * black76_delta(OptionType::Put, f, 1000.0, t, 0.6) / 0.001).round() as i64;
    assert_eq!(e.lots, hedge_lots(990.0) - hedge_lots(1000.0));
    assert!(((e.lots as f64) * 0.001 - exact).abs() <= 0.001);
    // The gamma approximation agrees to second order (Γ changes by < 2% over 1%).
    let gamma_approx = -1000.0 * g * 10.0;
    assert!((exact - gamma_approx).abs() < 0.02 * gamma_approx.abs(), "{exact} vs {gamma_approx}");
    assert!((exact + 23.107).abs() < 0.3);
}

#[test]
fn a_stop_cluster_touched_by_the_shock_liquidates_in_the_next_generation() {
    // A long of 10 BTC entered at 1000 with 694 USD: equity 694 + 10(P − 1000) falls below
    // maintenance 0.01 × 10 × P at P < 9306 / 9.9 = 940.0. The −4% shock (mark 960) alone
    // liquidates nothing; it touches a 50-BTC sell stop at 965, whose sale walks 50 one-BTC
    // levels, and the next round's mark is below 940: generation 1.
    let (m, book) = deep_market(1.0);
    let acct = account("long", 694.0, vec![position(&m, 0, 10_000, 1000.0, None)]);
    let mut s = scenario(VenuePreset::Binance, vec![m], vec![book], vec![acct], 0.0, vec![-0.04]);
    s.flows.stops.push(StopClusterSpec {
        market: MarketId(0),
        price: 965.0,
        side: Side::Sell,
        kind: StopKind::StopLoss,
        notional_usd: 50.0 * 965.0,
    });
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let r = c.report(&model);
    let stop = &r.outcome.flow_events[0];
    assert_eq!(
        (stop.channel, stop.generation, stop.trigger, stop.lots),
        (Channel::Stops, 0, "touched", -50_000)
    );
    assert!(r.outcome.events.iter().all(|e| e.generation >= 1), "liquidated only after the stop's round");
    assert!(r.summary.liquidated_notional_usd > 9_000.0);
    assert_eq!(r.summary.first_order_notional_usd, 0.0);
    // Without the stop channel the shock liquidates nothing: the stops add everything.
    let ch = channel_report(&mut c, &model);
    assert_eq!(ch.liquidations_only_usd, 0.0);
    assert_eq!(ch.channels.len(), 1);
    assert!(close(ch.channels[0].liquidations_added_usd, r.summary.liquidated_notional_usd));
    // The attribution runs leave the runner as it was.
    assert_eq!(c.report(&model), r);
}

/// A two-market scenario with random accounts and every kind of flow.
fn random_flows_scenario(seed: u64, n: usize, shock: f64, aum: f64, oi: f64, stop_at: f64) -> Scenario {
    let mut s = {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (m, book) = deep_market(2.0);
        let mut accounts = Vec::new();
        for i in 0..n {
            let lots = rng.random_range(1..5000i64) * if rng.random_bool(0.6) { 1 } else { -1 };
            let entry = (1000.0 * (1.0 + rng.random_range(-0.1..0.1f64))).round();
            let margin = lots.abs() as f64 * 0.001 * entry / rng.random_range(3.0..40.0);
            accounts.push(account(&format!("a{i}"), margin, vec![position(&m, 0, lots, entry, None)]));
        }
        scenario(VenuePreset::Binance, vec![m], vec![book], accounts, 2_000.0, vec![shock])
    };
    s.impact.resilience_tau_s = 5.0;
    s.flows.leveraged_tokens.push(token(3.0, aum));
    s.flows.dealers = Some(DealerBookSpec {
        options: vec![
            OptionOpenInterest {
                market: MarketId(0),
                strike: 950.0,
                expiry_years: 0.05,
                option_type: OptionType::Put,
                open_interest: oi,
                dealer_sign: -1,
            },
            OptionOpenInterest {
                market: MarketId(0),
                strike: 1050.0,
                expiry_years: 0.1,
                option_type: OptionType::Call,
                open_interest: oi / 2.0,
                dealer_sign: 1,
            },
        ],
        vol: 0.5,
        hedge_ratio: 1.0,
        rebalance_interval_s: 3.0,
        min_trade_usd: 100.0,
    });
    s.flows.stops.push(StopClusterSpec {
        market: MarketId(0),
        price: stop_at,
        side: Side::Sell,
        kind: StopKind::StopLoss,
        notional_usd: 20_000.0,
    });
    s.flows.stops.push(StopClusterSpec {
        market: MarketId(0),
        price: stop_at - 20.0,
        side: Side::Buy,
        kind: StopKind::TakeProfit,
        notional_usd: 10_000.0,
    });
    s
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource(
            "regressions",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn money_and_open_interest_are_conserved_with_every_flow_holder(
        seed in any::<u64>(),
        n in 0usize..40,
        shock in -0.2f64..0.05,
        aum in 1.0f64..200_000.0,
        oi in 0.0f64..200.0,
        stop_at in 900.0f64..1000.0,
        policy in 0usize..7,
        desk in -400.0f64..400.0,
        desk_interval in 1.0f64..20.0,
        desk_band in 0.0f64..0.5,
    ) {
        let mut s = random_flows_scenario(seed, n, shock, aum, oi, stop_at);
        // Every mitigation policy in turn (0 = none), each with values that bind on this book.
        set_policy(&mut s, policy);
        let model = EngineModel::new(&s).unwrap();
        // The desk's hedge of a random book (none when it holds less than a lot).
        let spec = DeskHedgeSpec { positions: vec![desk], interval_s: desk_interval, band: desk_band, ratio: 1.0 };
        let model = if desk.abs() >= 0.001 { model.with_desk_hedge(spec).unwrap() } else { model };
        let mut c = Cascade::new(&model);
        let total0 = c.ws.ledger_total();
        // A falling path (the desk rebalances on its interval) after the instant runs.
        let levels: Vec<f64> = (1..=30).map(|t| 1.0 + shock * t as f64 / 30.0).collect();
        let path = ExoPath { n_markets: 1, dt_s: 1.0, levels };
        for run in 0..3 {
            let out = match run {
                0 => c.run(&model, true),
                1 => c.run(&model, false),
                _ => c.report_path(&model, &path, &RunOptions::default()).outcome,
            };
            // Σ(cash − cost basis) over accounts, makers, fund, fees, tokens, dealers, stop owners.
            prop_assert_eq!(c.ws.ledger_total(), total0);
            prop_assert!(c.ws.net_open_interest(&model).iter().all(|&x| x == 0));
            let ledger = out.ledger.as_ref().unwrap();
            for k in 0..model.n_markets() {
                let net: i64 = ledger.holders.iter().map(|h| h.position_lots[k]).sum();
                prop_assert_eq!(net, 0);
                prop_assert_eq!(ledger.open_interest_end_lots[k], ledger.short_interest_end_lots[k]);
            }
            let eq: f64 = ledger.holders.iter().map(|h| h.equity_change_usd).sum();
            prop_assert!((eq - ledger.collateral_revaluation_usd).abs() < 1e-3, "equity changes {}", eq);
            for g in ["leveraged_tokens", "dealers", "stop_owners"] {
                prop_assert!(ledger.holders.iter().any(|h| h.group == g));
            }
            if let Some(d) = &out.desk_hedge {
                let g = ledger.holders.iter().find(|h| h.group == "desk_hedge").unwrap();
                prop_assert_eq!(&g.position_lots, &d.position_lots);
                prop_assert!((g.equity_change_usd - d.pnl_usd).abs() < 1e-6);
                // The hedge never goes beyond its target, and sells a long / buys a short.
                prop_assert!(d.position_lots[0] as f64 * desk <= 0.0);
                prop_assert!((d.position_lots[0] as f64 * 0.001).abs() <= desk.abs() + 0.0005);
            }
        }
    }
}

/// Mitigation policy `i` (0 = none) with values that bind on [`random_flows_scenario`].
fn set_policy(s: &mut Scenario, i: usize) {
    let p = &mut s.policy;
    match i {
        1 => p.liquidation_throttle_usd_per_s = Some(2_000.0),
        2 => p.circuit_breaker = Some(CircuitBreaker { move_frac: 0.03, window_s: 2.0, halt_s: 3.0 }),
        3 => {
            p.vol_scaled_maintenance =
                Some(VolScaledMaintenance { reference_daily_vol: 0.02, daily_vol: vec![0.05] })
        }
        4 => p.insurance_fund_scale = Some(3.0),
        5 => p.mark_smoothing_s = Some(2.0),
        6 => p.token_rebalance_cap_usd_per_s = Some(5_000.0),
        _ => {}
    }
}

#[test]
fn flows_give_the_same_outcome_on_every_thread() {
    let s = random_flows_scenario(7, 30, -0.12, 150_000.0, 150.0, 960.0);
    let model = EngineModel::new(&s).unwrap();
    let reference = Cascade::new(&model).report(&model);
    assert!(!reference.outcome.flow_events.is_empty());
    let outcomes: Vec<_> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..4).map(|_| sc.spawn(|| Cascade::new(&model).report(&model))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in outcomes {
        assert_eq!(o, reference);
    }
}
