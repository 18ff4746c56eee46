//! Collateral the fund seizes through the surplus rule is sold, not held: hand-worked on a
//! Binance cross account whose full liquidation leaves a positive wallet and some collateral.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, EventKind};

fn lvls(mid: f64, tick: f64, qty: f64, n: usize) -> BookSpec {
    let bids: Vec<(f64, f64)> = (1..=n).map(|i| (mid - i as f64 * tick, qty)).collect();
    let asks: Vec<(f64, f64)> = (1..=n).map(|i| (mid + i as f64 * tick, qty)).collect();
    levels(&bids, &asks)
}

/// Perp TEST at 100 (tick 1, lot 1, one tier at 5% maintenance, no liquidation fee), 10 lots a
/// level; a TEST spot book (tick 1, lot 0.01, 0.05 a level) as the only index constituent, mark =
/// index. Asset TEST priced at the perp's mark, 5% haircut.
///
/// C: cross long 10 TEST-perp at 100, wallet 30, collateral 0.1 TEST. Equity at 100 = 30 +
/// 0.1 × 100 × 0.95 = 39.5 < maintenance 5% × 1,000 = 50: liquidated in round 0.
fn seized_case(venue: VenuePreset) -> Scenario {
    let m = market("TESTUSDT", 1.0, 1.0, 100.0, &[(1e9, 0.05, 10.0)], 0.0);
    let mut c = account("C", 30.0, vec![position(&m, 0, 10, 100.0, None)]);
    c.collateral.push(Collateral { asset: AssetId(0), qty: 0.1 });
    let mut s = scenario(venue, vec![m], vec![lvls(100.0, 1.0, 10.0, 30)], vec![c], 0.0, vec![0.0]);
    s.engine.mark = MarkRule::Oracle;
    s.assets =
        vec![AssetSpec { symbol: "TEST".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.05 }];
    s.price = PriceFormation::static_index(1);
    s.price.spot.push(SpotMarketSpec {
        name: "x:TEST".into(),
        perp_market: 0,
        tick_size: 1.0,
        lot_size: 0.01,
        price: 100.0,
        taker_fee_rate: 0.0,
        book: lvls(100.0, 1.0, 0.05, 30),
    });
    s.price.index = vec![Some(IndexSpec {
        rule: IndexRule::WeightedMean { outlier_band: None },
        constituents: vec![(0, 1.0)],
    })];
    s
}

/// Hand-worked. Binance's one IOC closes all 10 lots at the perp's best bid 99 (10 there), so C's
/// wallet is 30 − 10 × (100 − 99) = 20 ≥ 0: no conversion; the surplus rule takes the 20 and the
/// 0.1 TEST (at the spot-mid mark 100: 10 USD) into the fund. Sold into the spot book: 0.05 at 99 and
/// 0.05 at 98, 4.95 + 4.90 = 9.85 USD, so the sale's P&L against the seizure price is
/// 9.85 − 10 = −0.15. The fund ends with cash 20 + 9.85 (less the taker fee of the close, if the
/// rulebook charges one: the identity below is checked item by item) and no collateral.
#[test]
fn seized_collateral_is_sold_into_the_book() {
    let s = seized_case(VenuePreset::Binance);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let coll0 = c.ws.collateral_totals(&model);
    let out = c.run(&model, true);
    let sales: Vec<_> = out.events.iter().filter(|e| e.kind == EventKind::CollateralSale).collect();
    assert_eq!(sales.len(), 1, "{:#?}", out.events);
    assert!(close(sales[0].qty, -0.1) && close(sales[0].notional_usd, 9.85), "{:#?}", sales[0]);
    assert!(close(sales[0].price, 98.5) && close(sales[0].fund_flow_usd, -0.15));
    let f = out.ledger.as_ref().unwrap().fund;
    assert!(close(f.seized_collateral_sold_usd, 9.85) && close(f.seized_collateral_sale_pnl_usd, -0.15));
    assert!(close(f.surplus_usd, 20.0), "{f:?}");
    assert!(close(f.collateral_value_usd, 0.0) && close(f.collateral_bought_usd, 0.0));
    let cash = f.start_usd + f.fees_usd + f.surplus_usd
        - f.cover_usd
        - f.below_bankruptcy_usd
        - f.collateral_bought_usd
        + f.unwind_realised_usd
        + f.seized_collateral_sold_usd;
    assert!(close(cash, f.cash_end_usd), "{f:?}");
    // Nothing created or lost: money across every holder, the TEST quantity (now the buyers').
    assert_eq!(c.ws.ledger_total(), total0);
    let coll = c.ws.collateral_totals(&model);
    assert!(coll.iter().zip(&coll0).all(|(a, b)| (a - b).abs() < 1e-12));
    assert!(close(out.collateral_sold_usd, 9.85));
}

/// `collateral.sale = "fund"`: the fund keeps the 0.1 TEST it seized (valued at the end price),
/// nothing is sold and no sale is itemised.
#[test]
fn fund_keeps_seized_collateral_when_asked() {
    let mut s = seized_case(VenuePreset::Binance);
    s.collateral.sale = CollateralSale::Fund;
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    assert!(out.events.iter().all(|e| e.kind != EventKind::CollateralSale));
    let f = out.ledger.unwrap().fund;
    assert_eq!((f.seized_collateral_sold_usd, f.seized_collateral_sale_pnl_usd), (0.0, 0.0));
    assert!(close(f.collateral_value_usd, 0.1 * 100.0), "{f:?}");
}

/// Hyperliquid leaves the surplus with the trader: nothing is seized, so nothing is sold.
#[test]
fn no_seizure_where_the_surplus_stays_with_the_trader() {
    let s = seized_case(VenuePreset::Hyperliquid);
    let model = EngineModel::new(&s).unwrap();
    let out = Cascade::new(&model).run(&model, true);
    let f = out.ledger.unwrap().fund;
    assert_eq!(f.seized_collateral_sold_usd, 0.0);
}
