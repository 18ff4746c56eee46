//! Cascades small enough to work out by hand. Every expected number is derived in the comment
//! above its assertion.

mod common;
use common::*;
use liq_domain::VenuePreset;
use liq_engine::{Cascade, EngineModel, EventKind};

/// A: isolated long 1 BTC (1,000 lots) at 1,090 with 95 USD margin, mark 1,000.
/// Equity = 95 + 1,000 − 1,090 = 5 < maintenance 1% × 1,000 = 10 → liquidated in round 0.
/// Bankruptcy = 1,000 − 5 / 1 = 995, so the IOC sell may fill at 999 and 998, not at 990.
#[test]
fn binance_fill_fee_and_takeover() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(95.0))]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![btc_book()], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    assert_eq!(out.events.len(), 2, "{:#?}", out.events);
    let fill = &out.events[0];
    assert_eq!(fill.kind, EventKind::MarketFill);
    assert_eq!(fill.lots, -800);
    // 0.4 × 999 + 0.4 × 998 = 798.8
    assert!(close(fill.notional_usd, 798.8));
    assert!(close(fill.bankruptcy_price, 995.0));
    // Fee due 0.5% × 798.8 = 3.994, capped at the equity left: 5 − (800 − 798.8) = 3.8.
    assert!(close(fill.liquidation_fee_usd, 3.8));
    // The remaining 0.2 BTC: equity is now 0 at the mark, so the fund takes it at 1,000.
    let take = &out.events[1];
    assert_eq!(take.kind, EventKind::FundTakeover);
    assert_eq!(take.lots, -200);
    assert!(close(take.notional_usd, 200.0));
    assert_eq!(out.rounds, 1);
    assert!(close(out.markets[0].liquidated_notional_usd, 998.8));
    // The liquidation engine then closes the fund's 0.2 BTC in the book: 0.2 × 990 = 198.
    assert!(close(out.markets[0].fund_unwind_usd, 198.0));
    assert_eq!(out.markets[0].fund_inventory_lots, 0);
    // After the walks the best bid is 990; the ask re-quotes 2 ticks above: mid 991.
    assert!(close(out.markets[0].mark_end, 991.0));
    // Fund: 1e6 + 3.8 fee − (200 − 198) lost on the unwind = 1,000,001.8.
    assert!(close(out.insurance_fund_end_usd, 1_000_001.8));
    assert_eq!(out.bad_debt_usd, 0.0);
    assert_eq!(c.ws.ledger_total(), total0);
    assert_eq!(c.ws.net_open_interest(&model), vec![0]);
}

/// A with 80 USD margin: equity −10 at the mark (it gapped through bankruptcy). Bankruptcy =
/// 1,000 + 10 = 1,010, above the best bid, so nothing fills and the fund (empty) cannot take the
/// 10 USD loss: ADL. B (short 2 @ 1,100, wallet 1,000): PnL% = 200 / 2,200 = 0.0909, equity
/// 1,200, effective leverage 2,000 / 1,200 = 1.667, score 0.1515. C (short 1 @ 1,010, wallet
/// 100): PnL% = 10 / 1,010 = 0.0099, leverage 1,000 / 110 = 9.09, score 0.0900. B goes first.
#[test]
fn adl_ranks_and_closes_at_bankruptcy() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(80.0))]);
    let b = account("B", 1000.0, vec![position(&m, 0, -2000, 1100.0, None)]);
    let c_ = account("C", 100.0, vec![position(&m, 0, -1000, 1010.0, None)]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![btc_book()], vec![a, b, c_], 0.0, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    assert_eq!(out.events.len(), 1, "{:#?}", out.events);
    let e = &out.events[0];
    assert_eq!(e.kind, EventKind::Adl);
    assert_eq!(e.counterparty, Some(1));
    assert_eq!(e.lots, -1000);
    assert!(close(e.price, 1010.0));
    assert!(close(out.adl_notional_usd, 1010.0));
    assert_eq!(out.bad_debt_usd, 0.0);
    // B bought back 1 of 2 BTC at 1,010 against a basis of 1,100: realised +90 → wallet 1,090.
    assert!(close(c.ws.cross_equity(&model, 1), 1090.0 + (-1000.0 + 1100.0)));
    assert_eq!(c.ws.ledger_total(), total0);
    assert_eq!(c.ws.net_open_interest(&model), vec![0]);
}

/// Same gap with a fund of 5 USD: it can carry floor(1,000 × 5 / 10) = 500 lots of the 10 USD
/// loss; ADL closes the other 500 lots against B. The fund then sells its 0.5 BTC in the book:
/// 0.4 × 999 + 0.1 × 998 = 499.4 against the 505 it paid, so its equity ends at
/// 5 − 5.6 = −0.6: bad debt 0.6.
#[test]
fn fund_takes_what_it_can_then_adl() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(80.0))]);
    let b = account("B", 1000.0, vec![position(&m, 0, -2000, 1100.0, None)]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![btc_book()], vec![a, b], 5.0, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    let kinds: Vec<(EventKind, i64)> = out.events.iter().map(|e| (e.kind, e.lots)).collect();
    assert_eq!(kinds, vec![(EventKind::FundTakeover, -500), (EventKind::Adl, -500)]);
    assert!(close(out.events[0].notional_usd, 505.0));
    assert!(close(out.markets[0].fund_unwind_usd, 499.4));
    assert!(close(out.insurance_fund_end_usd, -0.6));
    assert!(close(out.adl_notional_usd, 505.0));
    assert!(close(out.bad_debt_usd, 0.6));
}

/// No opposite positions to deleverage and an empty fund: the fund takes the position anyway
/// at 1,010 and closes it in the book at 0.4 × 999 + 0.4 × 998 + 0.2 × 990 = 996.8: the
/// 13.2 it cannot carry is bad debt.
#[test]
fn bad_debt_when_fund_and_adl_are_exhausted() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(80.0))]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![btc_book()], vec![a], 0.0, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.events[0].kind, EventKind::FundTakeover);
    assert!(close(out.bad_debt_usd, 13.2));
    assert!(close(out.insurance_fund_end_usd, -13.2));
    assert_eq!(c.ws.ledger_total(), total0);
}

/// Second order. A as in the first test, plus D: isolated long 1 BTC at 1,000 with 15 USD.
/// D's trigger: 15 + 0.99·m − 1,000 = 0 → m = 994.95, safe at 1,000. A's sale leaves the mark at
/// 991, so D falls in generation 1 with equity 15 + 991 − 1,000 = 6 and bankruptcy 985: it sells
/// 1 BTC at 990 (value 990), fee 0.5% × 990 = 4.95 (≤ equity left 6 − 1 = 5), and the 0.05 left
/// goes to the fund. Total 998.8 + 990 = 1,988.8; amplification 1,988.8 / 998.8.
/// Without impact A sells all at the mark (1,000) and D is never reached.
#[test]
fn second_generation_and_counterfactual() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(95.0))]);
    let d = account("D", 0.0, vec![position(&m, 0, 1000, 1000.0, Some(15.0))]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![btc_book()], vec![a, d], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let report = Cascade::new(&model).report(&model);
    let gens: Vec<f64> = report.generations.iter().map(|g| g.notional_usd).collect();
    assert_eq!(gens.len(), 2);
    assert!(close(gens[0], 998.8) && close(gens[1], 990.0), "{gens:?}");
    let ev = &report.outcome.events;
    let d_fill = ev.iter().find(|e| e.account == 1 && e.kind == EventKind::MarketFill).unwrap();
    assert_eq!(d_fill.generation, 1);
    assert!(close(d_fill.bankruptcy_price, 985.0));
    assert!(close(d_fill.liquidation_fee_usd, 4.95));
    let surplus = ev.iter().find(|e| e.kind == EventKind::SurplusToFund).unwrap();
    assert!(close(surplus.fund_flow_usd, 0.05));
    assert!(close(report.summary.amplification, 1988.8 / 998.8));
    assert!(close(report.summary.counterfactual_notional_usd, 1000.0));
    assert_eq!(report.summary.rounds, 2);
}

/// Bybit: no separate fee and the surplus over bankruptcy goes to the fund. After the 798.8 fill
/// A's equity is 3.8, so its bankruptcy is 1,000 − 3.8 / 0.2 = 981 and the fund takes the last
/// 0.2 BTC at 981 (value 196.2), worth 200 at the mark: +3.8 to the fund.
#[test]
fn bybit_surplus_goes_to_fund_through_takeover() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(95.0))]);
    let s = scenario(VenuePreset::Bybit, vec![m], vec![btc_book()], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert_eq!(out.events.len(), 2);
    assert_eq!(out.events[0].liquidation_fee_usd, 0.0);
    assert!(close(out.events[1].notional_usd, 196.2));
    assert!(close(out.events[1].fund_flow_usd, 3.8));
}

/// Hyperliquid backstop: equity 5 < 2/3 × 10, so the vault takes the whole position at
/// bankruptcy (995) without touching the book; its gain at the mark is 5.
#[test]
fn hyperliquid_backstop_below_two_thirds() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(95.0))]);
    let s = scenario(VenuePreset::Hyperliquid, vec![m], vec![btc_book()], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.events[0].kind, EventKind::Backstop);
    assert!(close(out.events[0].price, 995.0));
    assert!(close(out.events[0].fund_flow_usd, 5.0));
    assert!(close(out.markets[0].mark_end, 1000.0));
}

/// Hyperliquid slices: 200 BTC long at 1,000 (notional 200,000 > 100,000) with 1,800 margin:
/// equity 1,800 < maintenance 2,000 but above 2/3 of it. One slice of 20% = 40 BTC sells at
/// 999 (value 39,960): equity 1,760 ≥ maintenance 1,600 on the 160 BTC left. Stop.
#[test]
fn hyperliquid_twenty_percent_slice() {
    let m = btc();
    let book = levels(&[(999.0, 100.0), (998.0, 100.0)], &[(1001.0, 100.0)]);
    let a = account("A", 0.0, vec![position(&m, 0, 200_000, 1000.0, Some(1800.0))]);
    let s = scenario(VenuePreset::Hyperliquid, vec![m], vec![book], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert_eq!(out.events.len(), 1, "{:#?}", out.events);
    assert_eq!(out.events[0].lots, -40_000);
    assert!(close(out.events[0].notional_usd, 39_960.0));
}

/// Binance ladder step-down: tiers 0–50,000 at 1% and 50,000–1e9 at 2.5%. A long of 100 BTC at
/// 1,000 (notional 100,000, tier 2: mm = 2,500 − 750 = 1,750, since cum = 50,000 × 0.015 = 750)
/// with 1,700 margin is liquidated; the first step reduces it to the tier-1 cap: keep
/// floor(50,000 / (0.001 × 1,000)) = 50,000 lots, close 50,000 lots (50 BTC at 999 → 49,950).
/// Equity 1,700 − 50 = 1,650 ≥ 1% × 50,000 = 500: restored, the rest stays open.
#[test]
fn binance_steps_down_the_ladder() {
    let m = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.0);
    let book = levels(&[(999.0, 100.0), (998.0, 100.0)], &[(1001.0, 100.0)]);
    let a = account("A", 0.0, vec![position(&m, 0, 100_000, 1000.0, Some(1700.0))]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![book], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert_eq!(out.events.len(), 1, "{:#?}", out.events);
    assert_eq!(out.events[0].lots, -50_000);
    assert!(close(out.events[0].notional_usd, 49_950.0));
}

/// Hyperliquid within the cooldown: the same 200 BTC long with 1,500 margin (above 2/3 × 2,000).
/// The 40 BTC slice at 999 leaves equity 1,460 < 1,600 maintenance on 160 BTC, and a second
/// liquidation within 30 s takes the whole rest: 60 at 999 + 100 at 998 = 159,740. The 1,200
/// equity left stays with the trader (moved to the cross wallet).
#[test]
fn hyperliquid_full_close_within_cooldown() {
    let m = btc();
    let book = levels(&[(999.0, 100.0), (998.0, 100.0)], &[(1001.0, 100.0)]);
    let a = account("A", 0.0, vec![position(&m, 0, 200_000, 1000.0, Some(1500.0))]);
    let s = scenario(VenuePreset::Hyperliquid, vec![m], vec![book], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let out = c.run(&model, true);
    let lots: Vec<i64> = out.events.iter().map(|e| e.lots).collect();
    assert_eq!(lots, vec![-40_000, -160_000]);
    assert!(close(out.events[1].notional_usd, 159_740.0));
    assert!(close(c.ws.cross_equity(&model, 0), 1200.0));
}
