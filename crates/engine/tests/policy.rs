//! Mitigation policies (`Scenario::policy`, `liq_engine::policy`): each changes what it should in
//! a small hand-worked case, and the same case without the policy is the reference. The ledger
//! invariants with a policy on are in tests/flows.rs (the proptest runs every policy in turn).

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, EventKind};

/// One market at 1000 (tick 1, lot 0.001, 1% maintenance) with 1,000 BTC a level, 150 levels.
fn deep() -> (MarketSpec, BookSpec) {
    let bids: Vec<(f64, f64)> = (1..=150).map(|i| (1000.0 - i as f64, 1000.0)).collect();
    let asks: Vec<(f64, f64)> = (1..=150).map(|i| (1000.0 + i as f64, 1000.0)).collect();
    (btc(), levels(&bids, &asks))
}

/// `n` accounts long 1 BTC from 1000 with `wallet` USD each, a 1M fund, a −10% shock.
fn longs(n: usize, wallet: f64) -> Scenario {
    let (m, book) = deep();
    let accounts = (0..n)
        .map(|i| account(&format!("a{i}"), wallet, vec![position(&m, 0, 1000, 1000.0, None)]))
        .collect();
    scenario(VenuePreset::Binance, vec![m], vec![book], accounts, 1_000_000.0, vec![-0.10])
}

fn run(s: &Scenario) -> liq_engine::Outcome {
    let model = EngineModel::new(s).unwrap();
    Cascade::new(&model).report(&model).outcome
}

/// Liquidation-order notional per round (time_s / round_duration_s).
fn notional_by_round(o: &liq_engine::Outcome) -> Vec<f64> {
    let mut v = Vec::new();
    for e in o.events.iter().filter(|e| e.kind == EventKind::MarketFill) {
        let r = e.time_s.round() as usize;
        if v.len() <= r {
            v.resize(r + 1, 0.0);
        }
        v[r] += e.notional_usd;
    }
    v
}

#[test]
fn hand_worked_throttle_caps_a_rounds_liquidation_notional_at_rate_times_dt() {
    // Five longs of 1 BTC with 105 USD: after −10% equity is 105 − 100 = 5 < maintenance 9, so all
    // five fall under in round 0. Each position is worth 1 × 900 = 900 USD at the mark. A throttle
    // of 2,000 USD/s with 1 s rounds allows 2,000 a round: two units (1,800; a third would make
    // 2,700), so rounds 0, 1, 2 liquidate 2, 2 and 1 units. Without it all five go in round 0.
    let s = longs(5, 105.0);
    let free = notional_by_round(&run(&s));
    assert_eq!(free.len(), 1, "{free:?}");
    let mut t = s.clone();
    t.policy.liquidation_throttle_usd_per_s = Some(2_000.0);
    let o = run(&t);
    let by_round = notional_by_round(&o);
    assert_eq!(by_round.len(), 3, "{by_round:?}");
    for (r, n) in by_round.iter().enumerate() {
        assert!(*n <= 2_000.0, "round {r}: {n}");
    }
    let per_round: Vec<usize> = (0..3)
        .map(|r| {
            let mut a: Vec<u32> = o
                .events
                .iter()
                .filter(|e| e.kind == EventKind::MarketFill && e.time_s.round() as usize == r)
                .map(|e| e.account)
                .collect();
            a.dedup();
            a.len()
        })
        .collect();
    assert_eq!(per_round, vec![2, 2, 1]);
    assert_eq!(o.accounts_liquidated, 5);
}

#[test]
fn hand_worked_breaker_halts_liquidations_for_its_halt() {
    // The −10% shock moves the mark 10% within the 60 s window at t = 0: a 5% breaker trips and
    // halts 10 s, i.e. rounds 0–9 at 1 s a round; the five units wait and liquidate at t = 10.
    let s = longs(5, 50.0);
    let free = run(&s);
    let first = |o: &liq_engine::Outcome| o.events.iter().map(|e| e.time_s).fold(f64::INFINITY, f64::min);
    assert_eq!(first(&free), 0.0);
    let mut b = s.clone();
    b.policy.circuit_breaker = Some(CircuitBreaker { move_frac: 0.05, window_s: 60.0, halt_s: 10.0 });
    let o = run(&b);
    assert_eq!(first(&o), 10.0);
    assert_eq!(o.accounts_liquidated, 5);
    assert!(!o.round_cap_hit);
    // A 20% breaker does not trip on a 10% move.
    b.policy.circuit_breaker = Some(CircuitBreaker { move_frac: 0.20, window_s: 60.0, halt_s: 10.0 });
    assert_eq!(first(&run(&b)), 0.0);
}

#[test]
fn hand_worked_vol_scaled_maintenance_doubles_maintenance_at_twice_the_reference_vol() {
    // σ = 4% against a 2% reference: factor 2, so the 1% tier becomes 2% (max leverage 50 → 25).
    // A long of 1 BTC with 112 USD: after −10% its equity is 112 − 100 = 12 USD; maintenance at
    // 900 is 9 USD published (safe) and 18 USD scaled (liquidated).
    let s = longs(1, 112.0);
    assert_eq!(run(&s).accounts_liquidated, 0);
    let mut v = s.clone();
    v.policy.vol_scaled_maintenance =
        Some(VolScaledMaintenance { reference_daily_vol: 0.02, daily_vol: vec![0.04] });
    let model = EngineModel::new(&v).unwrap();
    assert!(close(model.markets[0].ladder.maintenance_margin(900.0), 18.0));
    assert!(close(model.markets[0].ladder.tiers()[0].max_leverage, 25.0));
    assert_eq!(run(&v).accounts_liquidated, 1);
    // Below the reference the tables stay as published (the factor is at least 1).
    v.policy.vol_scaled_maintenance =
        Some(VolScaledMaintenance { reference_daily_vol: 0.02, daily_vol: vec![0.01] });
    assert!(close(EngineModel::new(&v).unwrap().markets[0].ladder.maintenance_margin(900.0), 9.0));
}

#[test]
fn hand_worked_fund_scale_multiplies_the_starting_fund() {
    let mut s = longs(1, 50.0);
    s.policy.insurance_fund_scale = Some(2.5);
    // 1,000,000 × 2.5.
    assert_eq!(run(&s).insurance_fund_start_usd, 2_500_000.0);
}

#[test]
fn hand_worked_mark_smoothing_halves_the_gap_each_round_at_alpha_one_half() {
    // τ = 1/ln 2 s with 1 s rounds: α = 1 − e^(−1/τ) = 1 − 1/2 = 0.5. No accounts; the venue's
    // mark after the shock is `raw` (mark_after_shock is recorded before smoothing), so the
    // smoothed mark is 1000 + 0.5·(raw − 1000) in round 0 and 1000 + 0.75·(raw − 1000) in round 1,
    // and the run goes on until it is within 1e-4 of raw.
    let mut s = longs(0, 0.0);
    s.policy.mark_smoothing_s = Some(1.0 / std::f64::consts::LN_2);
    let o = run(&s);
    let raw = o.markets[0].mark_after_shock;
    assert!(raw < 905.0, "{raw}");
    assert!(close(o.mark_path[0][0], 1000.0 + 0.5 * (raw - 1000.0)), "{}", o.mark_path[0][0]);
    assert!(close(o.mark_path[1][0], 1000.0 + 0.75 * (raw - 1000.0)), "{}", o.mark_path[1][0]);
    assert!((o.markets[0].mark_end / raw - 1.0).abs() <= 1e-4);
    // The trough is the smoothed mark's: never below the venue's.
    assert!(o.markets[0].mark_trough >= raw - 1e-9);
}

#[test]
fn hand_worked_token_cap_spreads_a_rebalance_over_steps() {
    // A 3× token of 100,000 USD after −10% sells 60,000 USD (tests/flows.rs): 66,667 lots at
    // 900. Capped at 25,000 USD/s with 1 s rounds it sells 25,000 / 900 = 27.778 BTC = 27,778
    // lots in round 0 and again in round 1, and the rest (about 11,111 lots) in round 2.
    let mut s = longs(0, 0.0);
    s.flows.leveraged_tokens.push(LeveragedTokenSpec {
        name: "BTC3L".into(),
        market: MarketId(0),
        leverage: 3.0,
        aum_usd: 100_000.0,
        daily_rebalance_at_s: None,
        intraday_move: 0.05,
        intraday_reduce_only: true,
    });
    let free = run(&s);
    assert_eq!(free.flow_events.len(), 1);
    assert_eq!(free.flow_events[0].lots, -66_667);
    s.policy.token_rebalance_cap_usd_per_s = Some(25_000.0);
    let o = run(&s);
    let lots: Vec<i64> = o.flow_events.iter().map(|e| e.lots).collect();
    assert_eq!(lots.len(), 3, "{lots:?}");
    assert_eq!(&lots[..2], &[-27_778, -27_778]);
    let total: i64 = lots.iter().sum();
    assert!((total + 66_667).abs() <= 700, "total {total}");
    assert_eq!(o.flow_events.iter().map(|e| e.generation).collect::<Vec<_>>(), vec![0, 1, 2]);
}

#[test]
fn no_policy_leaves_a_run_unchanged() {
    // Every field off is the published rulebook: the same outcome as a scenario that never had
    // the section.
    let s = longs(5, 50.0);
    let mut p = s.clone();
    p.policy = PolicySpec::default();
    assert_eq!(run(&s), run(&p));
    assert!(p.policy.is_off());
}
