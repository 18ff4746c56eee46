//! Collateral that is sold: the auto-exchange worked by hand, its sale moving the index and
//! liquidating a second account (the collateral channel), tiered value ratios from Bybit's
//! published table in the margin, the "fund keeps it" comparison, and a path-priced collateral.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, EventKind};

fn lvls(mid: f64, tick: f64, qty: f64, n: usize) -> BookSpec {
    let bids: Vec<(f64, f64)> = (1..=n).map(|i| (mid - i as f64 * tick, qty)).collect();
    let asks: Vec<(f64, f64)> = (1..=n).map(|i| (mid + i as f64 * tick, qty)).collect();
    levels(&bids, &asks)
}

/// Perp TEST at 100 (tick 1, lot 1, 1% maintenance), a spot book of the same shape as the only
/// index constituent, mark = index (dYdX's oracle rule), no arbitrage. Asset TEST priced at the
/// perp's mark with a 5% haircut (value ratio 95%). Auto-exchange below −100 USD.
///
/// A: wallet −190, 5 TEST, no position. B: cross long 10 TEST-perp at 100, wallet 25.
fn channel_case() -> Scenario {
    let m = market("TESTUSDT", 1.0, 1.0, 100.0, &[(1e9, 0.01, 50.0)], 0.0);
    let mut a = account("A", -190.0, vec![]);
    a.collateral.push(Collateral { asset: AssetId(0), qty: 5.0 });
    let b = account("B", 25.0, vec![position(&m, 0, 10, 100.0, None)]);
    let mut s =
        scenario(VenuePreset::Dydx, vec![m], vec![lvls(100.0, 1.0, 1.0, 30)], vec![a, b], 0.0, vec![0.0]);
    s.engine.mark = MarkRule::Oracle;
    s.assets =
        vec![AssetSpec { symbol: "TEST".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.05 }];
    s.price = PriceFormation::static_index(1);
    s.price.spot.push(SpotMarketSpec {
        name: "x:TEST".into(),
        perp_market: 0,
        tick_size: 1.0,
        lot_size: 1.0,
        price: 100.0,
        taker_fee_rate: 0.0,
        book: lvls(100.0, 1.0, 1.0, 30),
    });
    s.price.index = vec![Some(IndexSpec {
        rule: IndexRule::WeightedMean { outlier_band: None },
        constituents: vec![(0, 1.0)],
    })];
    s.collateral.auto_exchange_threshold_usd = Some(-100.0);
    s
}

/// Hand-worked. Round 0: A's wallet −190 < −100 → auto-exchange. Value 5 × 100 = 500, counted
/// 475; Binance's split: s = 190 / 475 = 0.4 → 200 USD of TEST = 2 TEST converted, credited
/// 2 × 100 × 0.95 = 190 (A's wallet 0, 3 TEST left). The fund pays 190 and sells 2 lots into the
/// spot book: 99 + 98 = 197, so its conversion P&L is +7 (`collateral_bought` = 190 − 197 = −7).
/// The spot bid is then 97 and the ask re-quotes 2 ticks above (99): spot mid 98 = the index =
/// the mark from round 1. B at 98: equity 25 + 10 × (98 − 100) = 5 < maintenance 1% × 980 = 9.8
/// → liquidated in round 1 (at 100 it had 25 > 10): a second-order liquidation the sale caused.
/// In the counterfactual the sale fills at the price (2 × 100 = 200), nothing moves, B survives.
#[test]
fn auto_exchange_sale_moves_index_and_liquidates() {
    let s = channel_case();
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let coll0 = c.ws.collateral_totals(&model);
    let out = c.run(&model, true);
    let ax: Vec<_> = out.events.iter().filter(|e| e.kind == EventKind::AutoExchange).collect();
    assert_eq!(ax.len(), 1, "{:#?}", out.events);
    assert_eq!((ax[0].account, ax[0].generation), (0, 0));
    assert!(close(ax[0].qty, -2.0) && close(ax[0].notional_usd, 197.0) && close(ax[0].price, 98.5));
    assert!(close(ax[0].fund_flow_usd, 7.0));
    assert!(close(c.ws.cross_equity(&model, 0), 3.0 * 0.95 * out.markets[0].mark_end));
    assert!(out.spot[0].price_end <= 98.0);
    let fills: Vec<_> = out.events.iter().filter(|e| e.kind.liquidates()).collect();
    assert!(!fills.is_empty() && fills.iter().all(|e| e.account == 1 && e.generation == 1), "{fills:#?}");
    let ledger = out.ledger.as_ref().unwrap();
    assert!(close(ledger.fund.collateral_bought_usd, -7.0));
    let buyers = ledger.holders.iter().find(|h| h.group == "collateral_buyers").unwrap();
    // The buyers paid 197 for 2 TEST now worth 2 × the end price.
    assert!(close(buyers.equity_change_usd, -197.0 + 2.0 * out.markets[0].mark_end));
    assert_eq!(c.ws.ledger_total(), total0);
    let coll = c.ws.collateral_totals(&model);
    assert!(coll.iter().zip(&coll0).all(|(a, b)| (a - b).abs() < 1e-12));

    let cf = c.run(&model, false);
    assert!(cf.events.iter().all(|e| !e.kind.liquidates()));
    let ax = cf.events.iter().find(|e| e.kind == EventKind::AutoExchange).unwrap();
    assert!(close(ax.notional_usd, 200.0) && close(ax.fund_flow_usd, 10.0));
    assert_eq!(cf.markets[0].mark_end, 100.0);
}

/// The first mark after the sale is the hand-worked 98 (read from the mark path).
#[test]
fn auto_exchange_first_mark_is_spot_mid() {
    let s = channel_case();
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert_eq!(out.mark_path[0], vec![100.0]);
    assert_eq!(out.mark_path[1], vec![98.0]);
}

/// With `collateral.sale = "fund"` the fund keeps the 2 TEST it bought at 190: nothing is sold,
/// the index stays at 100 and B survives — the cascade without the collateral channel.
#[test]
fn fund_keeps_collateral_without_channel() {
    let mut s = channel_case();
    s.collateral.sale = CollateralSale::Fund;
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let out = c.run(&model, true);
    assert!(out.events.iter().all(|e| !e.kind.liquidates()));
    assert_eq!(out.markets[0].mark_end, 100.0);
    let ledger = out.ledger.unwrap();
    assert!(close(ledger.fund.collateral_bought_usd, 190.0));
    assert!(close(ledger.fund.collateral_value_usd, 200.0));
}

/// Bybit's published BTC table (tiers by quantity: 0–10 at 0.98, >10–20 at 0.95, >20–30 at
/// 0.9, …): 25 BTC at 1,000 counts 10 × 0.98 + 10 × 0.95 + 5 × 0.9 = 23.8 BTC = 23,800 USD
/// (hand-worked). The account's equity is its wallet (100) plus that.
#[test]
fn bybit_tiered_value_ratio_in_margin() {
    let m = btc();
    let mut a = account("A", 100.0, vec![position(&m, 0, 1000, 1000.0, None)]);
    a.collateral.push(Collateral { asset: AssetId(0), qty: 25.0 });
    let mut s = scenario(VenuePreset::Bybit, vec![m], vec![btc_book()], vec![a], 0.0, vec![0.0]);
    s.assets = vec![AssetSpec { symbol: "BTC".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.0 }];
    s.collateral.assets = vec![AssetCollateral {
        value_tiers: liq_margin::collateral::BYBIT_BTC_EXAMPLE_TIERS.to_vec(),
        price_path: vec![],
        max_transfer_in: None,
    }];
    let model = EngineModel::new(&s).unwrap();
    let (_, e, _) = model.start_margins()[0];
    assert!(close(e, 100.0 + 23_800.0), "{e}");
}

/// Out-of-order tiers and a market-priced asset with a path are refused with the field.
#[test]
fn bad_collateral_rules_refused() {
    let mut s = channel_case();
    s.collateral.assets = vec![AssetCollateral {
        value_tiers: vec![ValueTier { up_to: 20.0, ratio: 0.9 }, ValueTier { up_to: 10.0, ratio: 0.8 }],
        price_path: vec![],
        max_transfer_in: None,
    }];
    let e = EngineModel::new(&s).unwrap_err().to_string();
    assert!(e.starts_with("assets[0].value_tiers[1].up_to"), "{e}");
    s.collateral.assets = vec![AssetCollateral {
        value_tiers: vec![],
        price_path: vec![PathPoint { t_s: 0.0, price: 0.9 }],
        max_transfer_in: None,
    }];
    let e = EngineModel::new(&s).unwrap_err().to_string();
    assert!(e.starts_with("assets[0].price_path"), "{e}");
}
