//! The lending cascade (`venue = "aave-v3"`): Aave v3.3 cases worked by hand through the engine,
//! and the ledger identities under proptest (collateral lots and micro-USD over borrowers,
//! liquidators, treasury, spot makers and the deficit).
//!
//! Every hand-worked case uses one ETH-like reserve: LT 0.83, bonus 5%, protocol fee 10% of the
//! bonus (Aave v3 Ethereum WETH, docs/venues.md "aave-v3"), a book with tick $1 and lot 0.001, so
//! one lot at price P is worth P / 1000 USD exactly.

use liq_domain::{
    BookSpec, Borrower, DepthProfile, L2Level, LendingReserve, LendingRules, LendingScenario, Money,
};
use liq_engine::{EventKind, ExoPath, LendingModel};
use proptest::prelude::*;

fn rules(delay_s: f64) -> LendingRules {
    LendingRules {
        close_factor: 0.5,
        full_close_hf: 0.95,
        min_base_for_partial_usd: 2_000.0,
        min_leftover_usd: 1_000.0,
        block_s: 12.0,
        liquidator_delay_s: delay_s,
        // Effectively no refill within a test: the walked hole stays where it is.
        resilience_tau_s: 1e12,
        block_cap: 1_000,
    }
}

fn levels(bids: &[(f64, f64)], asks: &[(f64, f64)]) -> BookSpec {
    let l = |v: &[(f64, f64)]| v.iter().map(|&(price, qty)| L2Level { price, qty }).collect();
    BookSpec::Levels { bids: l(bids), asks: l(asks) }
}

fn eth(book: BookSpec) -> LendingReserve {
    LendingReserve {
        symbol: "WETH".into(),
        liquidation_threshold: 0.83,
        liquidation_bonus: 0.05,
        protocol_fee: 0.10,
        price: 3_000.0,
        tick_size: 1.0,
        lot_size: 0.001,
        book,
    }
}

fn borrower(label: &str, eth: f64, debt_usd: f64) -> Borrower {
    Borrower { label: label.into(), collateral: vec![eth], debt: Money::from_usd(debt_usd) }
}

fn scenario(borrowers: Vec<Borrower>, book: BookSpec, shock: f64, delay_s: f64) -> LendingScenario {
    LendingScenario {
        name: "t".into(),
        seed: 1,
        rules: rules(delay_s),
        reserves: vec![eth(book)],
        borrowers,
        shock: vec![shock],
    }
}

/// A deep book at 2,990 / 3,010 (mid 3,000): sales there do not move the mid.
fn deep() -> BookSpec {
    levels(&[(2_990.0, 1_000.0)], &[(3_010.0, 1_000.0)])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

#[test]
fn close_factor_example_hand_worked() {
    // Hand-worked (liq-margin's aave_close_factor_example_hand_worked, now through the engine):
    // 10 ETH at 3,000 against 26,000 of debt, HF = 24,900 / 26,000 = 0.9577 ∈ (0.95, 1), both
    // sides ≥ 2,000 → 50%: 13,000 repaid, 13,000 × 1.05 = 13,650 seized = 4,550 lots; fee 10% of
    // the 650 bonus = 65 USD = 21.67 lots → 21 lots (rounded down) to the treasury, 4,529 lots to
    // the liquidator. HF after = 16,350 × 0.83 / 13,000 = 1.0439: one call only.
    let out =
        LendingModel::new(&scenario(vec![borrower("a", 10.0, 26_000.0)], deep(), 0.0, 0.0)).unwrap().report();
    let (o, l) = (&out.report.outcome, &out.lending);
    assert_eq!(l.liquidation_calls, 1);
    assert_eq!(o.events[0].kind, EventKind::CollateralSeizure);
    assert_eq!(o.events[0].lots, -4_550);
    assert!(close(l.debt_repaid_usd, 13_000.0));
    assert!(close(l.collateral_seized_usd, 13_650.0));
    assert!(close(l.bonus_usd, 650.0));
    assert_eq!(l.ledger.treasury_lots, vec![21]);
    assert!(close(l.protocol_fee_usd, 63.0));
    // The liquidator sells 4.529 ETH at the 2,990 bid: 13,541.71; P&L 541.71.
    assert!(close(l.liquidator_sale_proceeds_usd, 13_541.71));
    assert!(close(l.liquidator_pnl_usd, 541.71));
    assert_eq!(l.deficit_usd, 0.0);
    l.ledger.check().unwrap();
}

#[test]
fn health_factor_below_0_95_closes_in_full() {
    // Hand-worked: 10 ETH at 3,000, debt 27,000: HF = 24,900 / 27,000 = 0.922 ≤ 0.95 → 100%:
    // 27,000 repaid, 28,350 seized (9,450 lots), fee 135 USD = 45 lots; 1,650 of collateral left.
    let out =
        LendingModel::new(&scenario(vec![borrower("a", 10.0, 27_000.0)], deep(), 0.0, 0.0)).unwrap().report();
    let l = &out.lending;
    assert_eq!(l.liquidation_calls, 1);
    assert!(close(l.debt_repaid_usd, 27_000.0));
    assert_eq!(out.report.outcome.events[0].lots, -9_450);
    assert_eq!(l.ledger.treasury_lots, vec![45]);
    assert_eq!(l.ledger.borrower_lots, vec![550]);
    assert_eq!(l.ledger.debt, 0);
}

#[test]
fn small_position_closes_in_full() {
    // Hand-worked: 0.6 ETH (1,800 of collateral < 2,000) against 1,550: HF = 1,494 / 1,550 =
    // 0.9639 > 0.95, but the collateral is under MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD → 100%:
    // 1,550 repaid, 1,627.5 seized = 542.5 lots → 542 lots; the same HF with 10× the position
    // would repay half.
    let out =
        LendingModel::new(&scenario(vec![borrower("a", 0.6, 1_550.0)], deep(), 0.0, 0.0)).unwrap().report();
    assert!(close(out.lending.debt_repaid_usd, 1_550.0));
    assert_eq!(out.report.outcome.events[0].lots, -542);
    let big =
        LendingModel::new(&scenario(vec![borrower("a", 6.0, 15_500.0)], deep(), 0.0, 0.0)).unwrap().report();
    assert!(close(big.lending.debt_repaid_usd, 7_750.0));
}

#[test]
fn exhausted_collateral_books_a_deficit() {
    // Hand-worked: 1 ETH, debt 2,000, ETH −40% to 1,800: HF = 1,494 / 2,000 = 0.747 → full close;
    // 2,000 × 1.05 = 2,100 > 1,800, so all 1,000 lots go and the debt repaid is 1,800 / 1.05 =
    // 1,714.285714; the other 285.714286 is burnt into the deficit (= the run's bad debt).
    let book = levels(&[(2_990.0, 1_000.0)], &[(3_010.0, 1_000.0)]);
    let out =
        LendingModel::new(&scenario(vec![borrower("a", 1.0, 2_000.0)], book, -0.4, 0.0)).unwrap().report();
    let l = &out.lending;
    assert_eq!(out.report.outcome.markets[0].mark_after_shock, 1_800.0);
    assert_eq!(l.ledger.borrower_lots, vec![0]);
    assert_eq!(l.ledger.repaid, 1_714_285_714);
    assert_eq!(l.ledger.deficit, 2_000_000_000 - 1_714_285_714);
    assert!(close(out.report.summary.bad_debt_usd, 285.714286));
    // Fee: (1,800 − 1,714.2857) × 0.1 = 8.571 USD = 4.76 lots at 1.8 USD → 4 lots.
    assert_eq!(l.ledger.treasury_lots, vec![4]);
    l.ledger.check().unwrap();
}

/// Bids 2 ETH at 2,990 then 100 ETH at 2,900; asks at 3,010 (spread 20 ticks, mid 3,000).
fn thin() -> BookSpec {
    levels(&[(2_990.0, 2.0), (2_900.0, 100.0)], &[(3_010.0, 100.0)])
}

fn two_borrowers() -> Vec<Borrower> {
    vec![borrower("a", 10.0, 25_000.0), borrower("b", 10.0, 24_500.0)]
}

#[test]
fn two_generation_lending_cascade_hand_worked() {
    // Hand-worked. Block 0, oracle 3,000: A (HF 24,900 / 25,000 = 0.996) repays 12,500 and loses
    // 13,125 = 4,375 lots, 20 of them (62.5 USD → 20.8 lots) to the treasury; B (HF 1.0163) is
    // safe. A's liquidator sells 4,355 lots: 2,000 at 2,990 + 2,355 at 2,900 = 12,809.5; the
    // bids at 2,990 are gone and the ask re-quotes at 2,900 + 20, so the oracle is 2,910.
    // Block 1: B's HF = 24,153 / 24,500 = 0.9858 → generation 1: 12,250 repaid, 12,862.5 seized
    // = 4,420.1 lots → 4,420 (12,862.2 USD at 2,910), fee 61.25 USD = 21.05 lots → 21; its
    // liquidator sells 4,399 lots at 2,900 = 12,757.1. A at 2,910: HF 1.087, safe.
    let out = LendingModel::new(&scenario(two_borrowers(), thin(), 0.0, 0.0)).unwrap().report();
    let (o, l) = (&out.report.outcome, &out.lending);
    let ev: Vec<(u32, u32, i64, f64)> =
        o.events.iter().map(|e| (e.account, e.generation, e.lots, e.price)).collect();
    assert_eq!(ev, vec![(0, 0, -4_375, 3_000.0), (1, 1, -4_420, 2_910.0)]);
    assert!(close(o.markets[0].notional_by_generation[0], 13_125.0));
    assert!(close(o.markets[0].notional_by_generation[1], 12_862.2));
    assert_eq!(l.debt_repaid_by_generation, vec![12_500.0, 12_250.0]);
    assert!(close(l.liquidator_sale_proceeds_usd, 12_809.5 + 12_757.1));
    assert!(close(l.liquidator_pnl_usd, 309.5 + 507.1));
    assert_eq!(l.ledger.treasury_lots, vec![41]);
    assert_eq!(l.ledger.maker_lots, vec![4_355 + 4_399]);
    assert_eq!(o.rounds, 3);
    // Without price impact only A is liquidated: the second generation is the sale's.
    assert!(close(out.report.summary.counterfactual_notional_usd, 13_125.0));
    assert!(close(out.report.summary.second_order_notional_usd, 12_862.2));
    l.ledger.check().unwrap();
}

#[test]
fn liquidator_delay_postpones_the_second_generation() {
    // The same book with a 24-s delay: A's sale executes in block 2 (t = 24 s), so B falls under
    // HF 1 in block 3 (t = 36 s), still generation 1.
    let out = LendingModel::new(&scenario(two_borrowers(), thin(), 0.0, 24.0)).unwrap().report();
    let b: Vec<(u32, f64)> = out
        .report
        .outcome
        .events
        .iter()
        .filter(|e| e.account == 1)
        .map(|e| (e.generation, e.time_s))
        .collect();
    assert_eq!(b, vec![(1, 36.0)]);
}

#[test]
fn a_recorded_path_labels_first_order_by_the_counterfactual() {
    // ETH falls 0.5% per 12-s step to −1.5%: at 2,955 B's HF = 24,526.5 / 24,500 = 1.001 (safe
    // alone); A (HF 0.996 at the start) is first-order. Its sale takes the oracle to 2,910 - 1.5%
    // and B is liquidated with generation 1, which the no-impact run never liquidates.
    let path = ExoPath { n_markets: 1, dt_s: 12.0, levels: vec![0.995, 0.99, 0.985] };
    let m = LendingModel::new(&scenario(two_borrowers(), thin(), 0.0, 0.0)).unwrap();
    let out = m.report_path(&path);
    let gens: Vec<(u32, u32)> = out.report.outcome.events.iter().map(|e| (e.account, e.generation)).collect();
    assert_eq!(gens.first(), Some(&(0, 0)));
    assert!(gens.contains(&(1, 1)), "{gens:?}");
    out.lending.ledger.check().unwrap();
}

#[test]
fn invalid_rules_name_their_field() {
    let bad = |f: &dyn Fn(&mut LendingScenario)| {
        let mut s = scenario(two_borrowers(), thin(), 0.0, 0.0);
        f(&mut s);
        match LendingModel::new(&s) {
            Err(liq_engine::EngineError::Invalid { field, .. }) => field,
            Ok(_) => panic!("accepted"),
        }
    };
    assert_eq!(bad(&|s| s.rules.close_factor = 0.0), "lending.close_factor");
    assert_eq!(bad(&|s| s.rules.close_factor = 1.01), "lending.close_factor");
    assert_eq!(bad(&|s| s.reserves[0].liquidation_threshold = 1.0), "reserves[0].liquidation_threshold");
    assert_eq!(bad(&|s| s.reserves[0].liquidation_threshold = 0.0), "reserves[0].liquidation_threshold");
    assert_eq!(bad(&|s| s.reserves[0].liquidation_bonus = -0.01), "reserves[0].liquidation_bonus");
    assert_eq!(bad(&|s| s.reserves[0].liquidation_bonus = 0.25), "reserves[0].liquidation_bonus");
    assert_eq!(bad(&|s| s.rules.liquidator_delay_s = -1.0), "lending.liquidator_delay_s");
    assert_eq!(bad(&|s| s.rules.block_cap = 0), "lending.block_cap");
    assert_eq!(bad(&|s| s.rules.block_cap = u32::MAX), "lending.block_cap");
    assert_eq!(bad(&|s| s.reserves.clear()), "reserves");
}

fn profile_book(depth_usd: f64) -> BookSpec {
    BookSpec::Profile(DepthProfile {
        bucket_bps: 10.0,
        spread_ticks: 1,
        bid_notional_usd: vec![depth_usd; 40],
        ask_notional_usd: vec![depth_usd; 5],
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    /// Money and collateral are conserved across borrowers, liquidators, treasury, spot makers and
    /// the deficit, on random two-reserve books, shocks, delays and depths; a run is
    /// deterministic.
    #[test]
    fn lending_ledger_is_conserved(
        positions in prop::collection::vec((0.0f64..20.0, 0.0f64..0.8, 0.3f64..1.3), 1..25),
        shock_eth in -0.5f64..0.05,
        shock_btc in -0.5f64..0.05,
        delay in prop_oneof![Just(0.0), Just(12.0), Just(30.0)],
        depth in 1_000.0f64..200_000.0,
        tau in 1.0f64..600.0,
    ) {
        let borrowers = positions
            .iter()
            .enumerate()
            .map(|(i, &(q, btc, ltv))| {
                let value = q * 3_000.0 + btc * 60_000.0;
                Borrower { label: format!("b{i}"), collateral: vec![q, btc], debt: Money::from_usd(value * ltv * 0.8) }
            })
            .collect();
        let mut s = scenario(borrowers, profile_book(depth), 0.0, delay);
        s.rules.resilience_tau_s = tau;
        s.reserves.push(LendingReserve {
            symbol: "WBTC".into(),
            liquidation_threshold: 0.78,
            liquidation_bonus: 0.05,
            protocol_fee: 0.10,
            price: 60_000.0,
            tick_size: 1.0,
            lot_size: 0.00001,
            book: profile_book(depth),
        });
        s.shock = vec![shock_eth, shock_btc];
        let m = LendingModel::new(&s).unwrap();
        let out = m.report();
        prop_assert_eq!(out.lending.ledger.check(), Ok(()));
        // Collateral seized = sold + unsold + treasury, per reserve (no collateral created).
        for r in &out.lending.reserves {
            prop_assert!((r.seized_qty - r.sold_qty - r.unsold_qty - r.treasury_qty).abs() < 1e-9);
        }
        // Nothing left liquidatable at the end unless the cap stopped the run.
        prop_assert!(!out.report.outcome.round_cap_hit);
        prop_assert_eq!(m.report(), out);
    }
}
