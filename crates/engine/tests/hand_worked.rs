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
    // The fund then sends 10% of the 800 lots the book absorbed this round back: 80 lots at the
    // best bid left, 990 → 79.2 against their cost of 80: realised −0.8. It keeps 120 lots.
    assert!(close(out.markets[0].fund_unwind_usd, 79.2));
    assert!(close(out.fund_unwind_pnl_usd, -0.8));
    assert_eq!(out.markets[0].fund_inventory_lots, 120);
    // After the walks the best bid is 990; the ask re-quotes 2 ticks above: mid 991.
    assert!(close(out.markets[0].mark_end, 991.0));
    // Fund: 1e6 + 3.8 fee − 0.8 realised + 120 lots at 991 against 120 paid (−1.08)
    // = 1,000,001.92.
    assert!(close(out.insurance_fund_end_usd, 1_000_001.92));
    assert_eq!(out.bad_debt_usd, 0.0);
    assert_eq!(c.ws.ledger_total(), total0);
    assert_eq!(c.ws.net_open_interest(&model), vec![0]);
}

/// A with 80 USD margin: equity −10 at the mark (it gapped through bankruptcy). Bankruptcy =
/// 1,000 + 10 = 1,010, above the best bid, so nothing fills and the fund (empty) cannot take the
/// 10 USD loss: ADL. Binance's LeveragePnL = max(0, uPnL)/max(1, wallet) × MM/margin balance:
/// B (short 2 @ 1,100, wallet 1,000): 200/1,000 × 20/1,200 = 0.00333; C (short 1 @ 1,010,
/// wallet 100): 10/100 × 10/110 = 0.00909. C goes first and covers all 1,000 lots at 1,010.
#[test]
fn binance_adl_ranks_by_leverage_pnl_and_closes_at_bankruptcy() {
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
    assert_eq!(e.counterparty, Some(2));
    assert_eq!(e.lots, -1000);
    assert!(close(e.price, 1010.0));
    assert!(close(out.adl_notional_usd, 1010.0));
    assert_eq!(out.adl_counterparties, 1);
    // ADL covered the 10 USD shortfall by closing 1,010 of notional: overshoot 1,000.
    assert!(close(out.adl_deficit_usd, 10.0) && close(out.adl_overshoot_usd, 1000.0));
    assert_eq!(out.bad_debt_usd, 0.0);
    // C bought back its 1 BTC at 1,010 against a basis of 1,010: wallet 100, flat.
    assert!(close(c.ws.cross_equity(&model, 2), 100.0));
    assert_eq!(c.ws.ledger_total(), total0);
    assert_eq!(c.ws.net_open_interest(&model), vec![0]);
}

/// The same gap on Bybit: the lowest tier goes to the liquidation engine at bankruptcy (1,010),
/// which cannot carry the 10 USD loss with an empty fund: ADL by PnL% × effective leverage.
/// B: PnL% = 200 / 2,200 = 0.0909, effective leverage 2,000 / 1,200 = 1.667, score 0.1515.
/// C: PnL% = 10 / 1,010 = 0.0099, leverage 1,000 / 110 = 9.09, score 0.0900. B goes first.
#[test]
fn bybit_adl_ranks_by_profit_and_effective_leverage() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(80.0))]);
    let b = account("B", 1000.0, vec![position(&m, 0, -2000, 1100.0, None)]);
    let c_ = account("C", 100.0, vec![position(&m, 0, -1000, 1010.0, None)]);
    let s = scenario(VenuePreset::Bybit, vec![m], vec![btc_book()], vec![a, b, c_], 0.0, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let out = c.run(&model, true);
    assert_eq!(out.events.len(), 1, "{:#?}", out.events);
    assert_eq!((out.events[0].kind, out.events[0].counterparty), (EventKind::Adl, Some(1)));
    assert!(close(out.events[0].price, 1010.0));
    // B bought back 1 of 2 BTC at 1,010 against a basis of 1,100: realised +90 → wallet 1,090.
    assert!(close(c.ws.cross_equity(&model, 1), 1090.0 + (-1000.0 + 1100.0)));
}

/// The same gap on Hyperliquid: the account's value is negative, so ADL (not the vault). Index
/// (entry/mark for a short) × notional / account value: B 1.1 × 2,000 / 1,200 = 1.833, C 1.01 ×
/// 1,000 / 110 = 9.18: C first, closed at the previous mark 1,000 (not at bankruptcy). A's
/// isolated margin is left at 80 + 1,000 − 1,090 = −10, which the vault covers.
#[test]
fn hyperliquid_adl_at_previous_mark() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(80.0))]);
    let b = account("B", 1000.0, vec![position(&m, 0, -2000, 1100.0, None)]);
    let c_ = account("C", 100.0, vec![position(&m, 0, -1000, 1010.0, None)]);
    let s = scenario(VenuePreset::Hyperliquid, vec![m], vec![btc_book()], vec![a, b, c_], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let kinds: Vec<(EventKind, Option<u32>)> = out.events.iter().map(|e| (e.kind, e.counterparty)).collect();
    assert_eq!(kinds, vec![(EventKind::Adl, Some(2)), (EventKind::FundCover, None)]);
    assert!(close(out.events[0].price, 1000.0));
    assert!(close(out.events[1].fund_flow_usd, -10.0));
    // C bought back at 1,000 against 1,010: wallet 110.
    assert!(close(c.ws.cross_equity(&model, 2), 110.0));
    assert_eq!(c.ws.ledger_total(), total0);
}

/// Pro-rata ADL (comparison policy) on the Binance gap: 1,000 lots over B's 2,000 and C's 1,000:
/// 666.7 and 333.3 → 666 and 333, the last lot to the larger remainder (B): 667 and 333.
#[test]
fn pro_rata_adl_splits_by_size() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(80.0))]);
    let b = account("B", 1000.0, vec![position(&m, 0, -2000, 1100.0, None)]);
    let c_ = account("C", 100.0, vec![position(&m, 0, -1000, 1010.0, None)]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![btc_book()], vec![a, b, c_], 0.0, vec![0.0]);
    let mut model = EngineModel::new(&s).unwrap();
    model.venues[0].rulebook.adl.policy = liq_margin::rulebook::AdlPolicy::ProRata;
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let adl: Vec<(i64, Option<u32>)> = out.events.iter().map(|e| (e.lots, e.counterparty)).collect();
    assert_eq!(adl, vec![(-667, Some(1)), (-333, Some(2))]);
    assert!(close(out.adl_notional_usd, 1010.0));
    assert_eq!(out.adl_counterparties, 2);
    assert_eq!(c.ws.ledger_total(), total0);
    assert_eq!(c.ws.net_open_interest(&model), vec![0]);
}

/// Same gap with a fund of 5 USD: its equity could carry floor(1,000 × 5 / 10) = 500 lots of the
/// 10 USD loss, but Binance's maximum net notional position (100% of the fund) allows
/// floor(5 / (0.001 × 1,000)) = 5 lots; ADL closes the other 995 against B at 1,010.
/// The ADL lots carry 995/1,000 of the 10 loss, 9.95: overshoot 1,004.95 − 9.95 = 995. Nothing
/// filled in the book this round, so the fund keeps its 5 lots (cost 5.05, worth 5): equity 4.95.
#[test]
fn binance_fund_position_cap_sends_the_rest_to_adl() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(80.0))]);
    let b = account("B", 1000.0, vec![position(&m, 0, -2000, 1100.0, None)]);
    let s = scenario(VenuePreset::Binance, vec![m], vec![btc_book()], vec![a, b], 5.0, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    let kinds: Vec<(EventKind, i64)> = out.events.iter().map(|e| (e.kind, e.lots)).collect();
    assert_eq!(kinds, vec![(EventKind::FundTakeover, -5), (EventKind::Adl, -995)]);
    assert!(close(out.events[0].notional_usd, 5.05));
    assert!(close(out.adl_notional_usd, 1004.95));
    assert!(close(out.adl_deficit_usd, 9.95));
    assert!((out.adl_overshoot_usd - 995.0).abs() < 1e-6);
    assert_eq!(out.markets[0].fund_unwind_usd, 0.0);
    assert!(close(out.insurance_fund_end_usd, 4.95));
    assert_eq!(out.bad_debt_usd, 0.0);
}

/// No opposite positions to deleverage and an empty fund: the fund takes the position anyway
/// at 1,010. Nothing traded in the book this round, so it holds the 1 BTC at the mark 1,000: the
/// 10 it cannot carry is bad debt.
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
    assert!(close(out.bad_debt_usd, 10.0));
    assert!(close(out.insurance_fund_end_usd, -10.0));
    assert_eq!(out.markets[0].fund_inventory_lots, 1000);
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

/// Bybit: a lowest-tier position is not sent to the book; the liquidation engine takes it at
/// the bankruptcy price 1,000 − 5 / 1 = 995 (value 995), worth 1,000 at the mark: the 5 of
/// surplus goes to the fund; no fee.
#[test]
fn bybit_lowest_tier_taken_over_at_bankruptcy() {
    let m = btc();
    let a = account("A", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(95.0))]);
    let s = scenario(VenuePreset::Bybit, vec![m], vec![btc_book()], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert_eq!(out.events.len(), 1, "{:#?}", out.events);
    assert_eq!(out.events[0].kind, EventKind::FundTakeover);
    assert_eq!(out.events[0].liquidation_fee_usd, 0.0);
    assert!(close(out.events[0].notional_usd, 995.0));
    assert!(close(out.events[0].fund_flow_usd, 5.0));
}

/// Bybit's FillOrKill against Binance's IOC on the two-tier ladder of the step-down test, with
/// only 30 BTC bid at 999: the 50 BTC step cannot fill in full, so Bybit's order is killed and
/// the whole 100 BTC goes to the liquidation engine at bankruptcy 1,000 − 1,700 / 100 = 983
/// (value 98,300). Binance's IOC sells the 30 BTC (29,970): equity 1,670 ≥ 2.5% × 70,000 − 750 =
/// 1,000 on the 70 BTC left, so round 0 stops there.
#[test]
fn bybit_fill_or_kill_then_takeover_vs_binance_ioc() {
    let m = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.0);
    let book = levels(&[(999.0, 30.0)], &[(1001.0, 100.0)]);
    let a = account("A", 0.0, vec![position(&m, 0, 100_000, 1000.0, Some(1700.0))]);
    let run = |venue| {
        let s = scenario(venue, vec![m.clone()], vec![book.clone()], vec![a.clone()], 1e6, vec![0.0]);
        let model = EngineModel::new(&s).unwrap();
        Cascade::new(&model).run(&model, true)
    };
    let y = run(VenuePreset::Bybit);
    assert_eq!(y.events.len(), 1, "{:#?}", y.events);
    assert_eq!((y.events[0].kind, y.events[0].lots), (EventKind::FundTakeover, -100_000));
    assert!(close(y.events[0].notional_usd, 98_300.0));
    // (Round 0 only: the empty bid side then moves the mark and later rounds follow.)
    let b = run(VenuePreset::Binance);
    assert_eq!(b.events.iter().filter(|e| e.generation == 0).count(), 1, "{:#?}", b.events);
    assert_eq!((b.events[0].kind, b.events[0].lots), (EventKind::MarketFill, -30_000));
    assert!(close(b.events[0].notional_usd, 29_970.0));
}

/// dYdX fillable price: isolated long 0.8 BTC at 1,100 with 84 margin, mark 1,000: equity
/// 84 + 800 − 880 = 4 < maintenance 8. ABR = 1 × (1 − 4/8) = 0.5, spread 0.5 × 1.5 × 8 = 6 →
/// fillable 1,000 − 6 / 0.8 = 992.5, limit tick 993, below bankruptcy 1,000 − 4 / 0.8 = 995.
/// The 0.8 BTC bid at 993 fills (794.4): equity 4 + 794.4 − 800 = −1.6, which the fund pays.
/// A bankruptcy-limited order would not have filled at all.
#[test]
fn dydx_fills_down_to_the_fillable_price_and_the_fund_pays() {
    let m = btc();
    let book = levels(&[(993.0, 0.8), (980.0, 5.0)], &[(1001.0, 5.0)]);
    let a = account("A", 0.0, vec![position(&m, 0, 800, 1100.0, Some(84.0))]);
    let s = scenario(VenuePreset::Dydx, vec![m], vec![book], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    assert_eq!(out.events.len(), 1, "{:#?}", out.events);
    let e = &out.events[0];
    assert_eq!((e.kind, e.lots), (EventKind::MarketFill, -800));
    assert!(close(e.price, 993.0) && close(e.bankruptcy_price, 995.0));
    assert!(close(e.fund_flow_usd, -1.6) && e.liquidation_fee_usd == 0.0);
    assert!(close(out.insurance_fund_end_usd, 1e6 - 1.6));
    assert_eq!(c.ws.ledger_total(), total0);
}

/// The same with a fund of 1 USD: a fill at 993 would cost the fund 1.6, more than it has, so
/// the limit stays where the fund can pay: 995 − 1 / 0.8 = 993.75 → tick 994. Nothing fills;
/// dYdX has no takeover, so the order is retried every round (the book never reaches 994 here)
/// until the round cap; the fund is untouched.
#[test]
fn dydx_rejects_what_the_fund_cannot_pay_and_retries() {
    let m = btc();
    let book = levels(&[(993.0, 0.8), (980.0, 5.0)], &[(1001.0, 5.0)]);
    let a = account("A", 0.0, vec![position(&m, 0, 800, 1100.0, Some(84.0))]);
    let s = scenario(VenuePreset::Dydx, vec![m], vec![book], vec![a], 1.0, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert!(out.events.is_empty(), "{:#?}", out.events);
    assert!(out.round_cap_hit);
    assert_eq!(out.liquidation_retries as u32, out.rounds);
    assert!(close(out.insurance_fund_end_usd, 1.0));
}

/// dYdX block limits: long 100 BTC at 1,000 with 900 margin (equity 900 < maintenance 1,000).
/// One block may liquidate max(10% × 100,000, 1,000) = 10,000 USD of it (under the subaccount's
/// 100,000): 10 BTC. ABR = 1 − 0.9 = 0.1, spread 0.1 × 1.5 × 1,000 = 150 → fillable
/// 1,000 − 150 / 100 = 998.5 (tick 999). Round 0 sells exactly 10 BTC at 999 (9,990).
#[test]
fn dydx_liquidates_at_most_ten_percent_per_block() {
    let m = btc();
    let book = levels(&[(999.0, 100.0), (998.0, 100.0)], &[(1001.0, 100.0)]);
    let a = account("A", 0.0, vec![position(&m, 0, 100_000, 1000.0, Some(900.0))]);
    let s = scenario(VenuePreset::Dydx, vec![m], vec![book], vec![a], 1e6, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    let first = &out.events[0];
    assert_eq!((first.kind, first.lots, first.generation), (EventKind::MarketFill, -10_000, 0));
    assert!(close(first.notional_usd, 9_990.0));
    assert_eq!(out.events.iter().filter(|e| e.generation == 0).count(), 1);
    // Later blocks take 10% of what is left: never more than 10,000 lots at once.
    assert!(out.events.iter().all(|e| e.lots.abs() <= 10_000));
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

/// Bybit's drawdown trigger (2025-11-05): fund 100,000. A1 (isolated long 100 BTC at 1,400 with
/// 5,000, equity −35,000 at 1,000) goes to the liquidation engine at bankruptcy 1,350: the fund
/// carries the 35,000 loss and its equity falls to 65,000, a drawdown of −35% from its peak,
/// below −30% with a balance above 10,000. A2 (long 1 BTC at 1,090 with 85, equity −5) is
/// therefore deleveraged against B at its bankruptcy price 1,005 although the fund could pay
/// the 5: 1,005 of notional closed for a 5 shortfall, overshoot 1,000.
#[test]
fn bybit_drawdown_trigger_sends_to_adl_while_the_fund_could_pay() {
    let m = btc();
    let a1 = account("A1", 0.0, vec![position(&m, 0, 100_000, 1400.0, Some(5000.0))]);
    let a2 = account("A2", 0.0, vec![position(&m, 0, 1000, 1090.0, Some(85.0))]);
    let b = account("B", 1000.0, vec![position(&m, 0, -2000, 1100.0, None)]);
    let s = scenario(VenuePreset::Bybit, vec![m], vec![btc_book()], vec![a1, a2, b], 100_000.0, vec![0.0]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let kinds: Vec<(EventKind, u32, Option<u32>)> =
        out.events.iter().map(|e| (e.kind, e.account, e.counterparty)).collect();
    assert_eq!(kinds, vec![(EventKind::FundTakeover, 0, None), (EventKind::Adl, 1, Some(2))]);
    assert!(close(out.events[0].notional_usd, 135_000.0));
    assert!(close(out.events[1].price, 1005.0));
    assert!(close(out.adl_deficit_usd, 5.0));
    assert!(close(out.adl_overshoot_usd, 1000.0));
    assert!(close(out.insurance_fund_end_usd, 65_000.0));
    assert_eq!(c.ws.ledger_total(), total0);
    assert_eq!(c.ws.net_open_interest(&model), vec![0]);
}
