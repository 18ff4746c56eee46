//! Binance multi-assets auto-exchange as published, hand-worked: the −10,000 USD threshold, the
//! third trigger (no position, LTV ≥ 1, also reached by a falling collateral price) and the
//! maximum transfer-in, a cap that binds and changes the outcome (`liq_margin::collateral`).

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, EventKind};

/// One BTC-perp market (unused by these accounts but required), Binance's preset (threshold
/// −10,000), and collateral "BTC" at a fixed 1,000 with a 5% haircut: it sells at its price
/// (no book), so every conversion is hand-workable.
fn case(accounts: Vec<Account>) -> Scenario {
    let mut s = scenario(VenuePreset::Binance, vec![btc()], vec![btc_book()], accounts, 0.0, vec![0.0]);
    s.assets = vec![AssetSpec { symbol: "BTC".into(), price: AssetPrice::Fixed(1000.0), haircut: 0.05 }];
    s
}

fn holder(label: &str, wallet: f64, btc_qty: f64) -> Account {
    let mut a = account(label, wallet, vec![]);
    a.collateral.push(Collateral { asset: AssetId(0), qty: btc_qty });
    a
}

fn exchanges(out: &liq_engine::Outcome) -> Vec<&liq_engine::LiquidationEvent> {
    out.events.iter().filter(|e| e.kind == EventKind::AutoExchange).collect()
}

/// Hand-worked. X: wallet −10,100, 20 BTC (20,000, counted 19,000): below −10,000 → converted.
/// Split: s = 10,100 / 19,000; market value converted 20,000 × s = 10,631.5789…; credited
/// 10,100 (wallet back to 0); the fund sells it at the price, +531.5789 on the conversion.
/// Y: wallet −9,000, same BTC: above the threshold, LTV 9,000 / 19,000 < 1 → nothing.
#[test]
fn threshold_trigger_converts_and_above_it_nothing() {
    let s = case(vec![holder("X", -10_100.0, 20.0), holder("Y", -9_000.0, 20.0)]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let ax = exchanges(&out);
    assert_eq!(ax.len(), 1, "{:#?}", out.events);
    assert_eq!(ax[0].account, 0);
    let converted = 20_000.0 * 10_100.0 / 19_000.0;
    assert!(close(ax[0].notional_usd, converted) && close(-ax[0].qty, converted / 1000.0));
    assert!(close(ax[0].fund_flow_usd, converted - 10_100.0));
    assert_eq!(c.ws.ledger_total(), total0);
}

/// Hand-worked, the third trigger. Z: no position, wallet −500, 0.5 BTC (500, counted 475):
/// above −10,000, but LTV = 500 / 475 = 1.053 ≥ 1 → all 0.5 BTC converted, credited 475; the
/// wallet keeps −25 (Binance says nothing of the rest); the fund sells at 500, +25.
/// W: the same wallet and BTC but a healthy position (long 1 lot-size of 1,000 BTC-perp lots…
/// 1 BTC entered at 900, mark 1,000: equity −500 + 475 + 100 = 75 > maintenance 10): the
/// third trigger needs no position, so W is not converted.
#[test]
fn third_trigger_no_position_and_ltv_at_least_one() {
    let m = btc();
    let mut w = account("W", -500.0, vec![position(&m, 0, 1000, 900.0, None)]);
    w.collateral.push(Collateral { asset: AssetId(0), qty: 0.5 });
    let s = case(vec![holder("Z", -500.0, 0.5), w]);
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let ax = exchanges(&out);
    assert_eq!(ax.len(), 1, "{:#?}", out.events);
    assert_eq!(ax[0].account, 0);
    assert!(close(ax[0].qty, -0.5) && close(ax[0].notional_usd, 500.0) && close(ax[0].fund_flow_usd, 25.0));
    assert!(close(c.ws.cross_equity(&model, 0), -25.0));
    assert!(out.events.iter().all(|e| e.account != 1), "{:#?}", out.events);
    assert_eq!(c.ws.ledger_total(), total0);
}

/// Hand-worked: the third trigger reached by the collateral's price. V: no position, wallet
/// −400, 0.5 BTC at 1,000 (counted 475, LTV 0.84: nothing at the start); BTC steps to 800 at
/// t = 2 s (counted 380, LTV 1.053 ≥ 1) → all 0.5 BTC converted at 800: credited 380, sold for
/// 400, wallet −20 left.
#[test]
fn third_trigger_when_the_collateral_price_falls() {
    let mut s = case(vec![holder("V", -400.0, 0.5)]);
    s.collateral.assets = vec![AssetCollateral {
        value_tiers: vec![],
        price_path: vec![PathPoint { t_s: 2.0, price: 800.0 }],
        max_transfer_in: None,
    }];
    let model = EngineModel::new(&s).unwrap();
    let mut c = Cascade::new(&model);
    let out = c.run(&model, true);
    let ax = exchanges(&out);
    assert_eq!(ax.len(), 1, "{:#?}", out.events);
    assert!(ax[0].time_s >= 2.0, "{:#?}", ax[0]);
    assert!(close(ax[0].notional_usd, 400.0) && close(ax[0].fund_flow_usd, 20.0));
    assert!(close(c.ws.cross_equity(&model, 0), -20.0));
}

/// Hand-worked, a cap that binds. U: no position, wallet −5,000, 8 BTC. Without caps: counted
/// 8 × 950 = 7,600, LTV 0.66 and above −10,000 → nothing. With Binance's published caps
/// (`transfer_in_caps`; BTC "5 BTC", 2021-05-28) only 5 BTC are in the margin wallet: counted
/// 4,750, LTV 5,000 / 4,750 = 1.053 → all 5 BTC converted (credited 4,750, sold for 5,000), and
/// the 3 BTC beyond the cap are reported, not counted and not sold. A scenario's own cap (6)
/// wins over the venue's: counted 5,700, LTV 0.877 → nothing.
#[test]
fn transfer_in_cap_binds() {
    let s = case(vec![holder("U", -5_000.0, 8.0)]);
    let model = EngineModel::new(&s).unwrap();
    assert!(model.collateral_capped().is_empty());
    let out = Cascade::new(&model).run(&model, true);
    assert!(exchanges(&out).is_empty());

    let mut capped = s.clone();
    capped.collateral.transfer_in_caps = true;
    let model = EngineModel::new(&capped).unwrap();
    assert_eq!(model.asset_transfer_caps(), &[Some(5.0)]);
    assert_eq!(model.collateral_capped(), &[(0, 0, 3.0)]);
    let (_, equity, _) = model.start_margins()[0];
    assert!(close(equity, -5_000.0 + 4_750.0), "{equity}");
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    let out = c.run(&model, true);
    let ax = exchanges(&out);
    assert_eq!(ax.len(), 1, "{:#?}", out.events);
    assert!(
        close(ax[0].qty, -5.0) && close(ax[0].notional_usd, 5_000.0) && close(ax[0].fund_flow_usd, 250.0)
    );
    assert_eq!(c.ws.ledger_total(), total0);

    let mut own = capped.clone();
    own.collateral.assets = vec![AssetCollateral { max_transfer_in: Some(6.0), ..Default::default() }];
    let model = EngineModel::new(&own).unwrap();
    assert_eq!(model.collateral_capped(), &[(0, 0, 2.0)]);
    assert!(exchanges(&Cascade::new(&model).run(&model, true)).is_empty());
}

/// Other presets publish no cap: the same switch leaves Bybit's holdings whole.
#[test]
fn no_cap_where_the_venue_publishes_none() {
    let mut s = case(vec![holder("U", -5_000.0, 8.0)]);
    s.venue = VenuePreset::Bybit;
    s.collateral.transfer_in_caps = true;
    let model = EngineModel::new(&s).unwrap();
    assert_eq!(model.asset_transfer_caps(), &[None]);
    assert!(model.collateral_capped().is_empty());
}
