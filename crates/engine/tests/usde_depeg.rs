//! The USDe depeg on Binance, 2025-10-10: a population margined in USDe driven through the
//! recorded minute path (the committed extract `tests/data/usde_binance_2025-10-10.csv`, source
//! in its header) with no move at all in the positions' own market. Each account liquidates at
//! the first minute whose close takes its collateral's haircut value below maintenance; that
//! minute is computed here independently, by scanning the extract.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, EngineModel, EventKind, ExoPath, Labels, RunOptions};

/// `(seconds since 21:00 UTC, close)` per minute of the extract.
fn extract() -> Vec<(f64, f64)> {
    let text = include_str!("data/usde_binance_2025-10-10.csv");
    let mut rows = Vec::new();
    let mut t0 = None;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let t: i64 = f[0].parse().unwrap();
        let close: f64 = f[4].parse().unwrap();
        let t0 = *t0.get_or_insert(t);
        rows.push(((t - t0) as f64, close));
    }
    rows
}

/// Haircut on USDe in this test (2%): illustrative; the minute each account liquidates at is
/// worked out with the same haircut, so the assertion does not depend on its value.
const HAIRCUT: f64 = 0.02;

/// Breaking points (USDe price below which an account's haircut collateral is under its
/// maintenance), off the 4-decimal grid of the closes so that no close equals one.
const BREAKS: [f64; 10] =
    [0.99995, 0.99005, 0.97005, 0.95005, 0.90005, 0.80005, 0.70005, 0.66705, 0.66005, 0.60005];

/// Account i: cross long 1 BTC at the mark 1,000 (maintenance 1% × 1,000 = 10), wallet 0,
/// `10 / ((1 − h) × break_i)` USDe: equity = USDe × price × (1 − h) = 10 × price / break_i, below
/// 10 exactly when the price is below break_i.
fn depeg_scenario(path: &[(f64, f64)]) -> Scenario {
    let m = btc();
    let accounts: Vec<Account> = BREAKS
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let mut a = account(&format!("u{i}"), 0.0, vec![position(&m, 0, 1000, 1000.0, None)]);
            a.collateral.push(Collateral { asset: AssetId(0), qty: 10.0 / ((1.0 - HAIRCUT) * b) });
            a
        })
        .collect();
    // A deep book: the run with impact must not move BTC enough to matter.
    let book = levels(&[(999.0, 1e6), (998.0, 1e6)], &[(1001.0, 1e6)]);
    let mut s = scenario(VenuePreset::Binance, vec![m], vec![book], accounts, 1e6, vec![0.0]);
    s.assets = vec![AssetSpec { symbol: "USDE".into(), price: AssetPrice::Fixed(1.0), haircut: HAIRCUT }];
    s.collateral.assets = vec![AssetCollateral {
        value_tiers: vec![],
        price_path: path.iter().map(|&(t_s, price)| PathPoint { t_s, price }).collect(),
        max_transfer_in: None,
    }];
    s
}

#[test]
fn usde_collateral_liquidates_at_the_minute_its_value_breaks_maintenance() {
    let path = extract();
    assert_eq!(path.len(), 180, "the extract is 21:00–23:59, one row per minute");
    let s = depeg_scenario(&path);
    let model = EngineModel::new(&s).unwrap();
    let exo = ExoPath { n_markets: 1, dt_s: 60.0, levels: vec![1.0; path.len()] };
    let mut c = Cascade::new(&model);
    let total0 = c.ws.ledger_total();
    // No liquidation impact: the mechanics alone.
    let opts = RunOptions { with_impact: false, ..RunOptions::default() };
    let (out, _) = c.simulate(&model, &exo, &opts, Labels::AllFirstOrder);
    assert_eq!(c.ws.ledger_total(), total0);
    for (i, &b) in BREAKS.iter().enumerate() {
        // Independently: the first minute whose close is below the break.
        let expected = path.iter().position(|&(_, close)| close < b).map(|m| m as f64 * 60.0);
        let got = out.events.iter().find(|e| e.account == i as u32 && e.kind.liquidates()).map(|e| e.time_s);
        assert_eq!(got, expected, "account {i} (break {b})");
    }
    // The recorded path: first close below 0.99 at 21:20 (the SOURCES.md reading), the low
    // close 0.6651 at 21:43 takes out every break above it and none below.
    assert_eq!(
        out.events.iter().find(|e| e.account == 1 && e.kind.liquidates()).unwrap().time_s,
        20.0 * 60.0
    );
    let n_liq = (0..BREAKS.len() as u32)
        .filter(|&a| out.events.iter().any(|e| e.account == a && e.kind.liquidates()))
        .count();
    assert_eq!(n_liq, 8);

    // With impact and a deep book the first account still goes at its minute; its negative
    // wallet (if any) is covered by converting USDe at the path price.
    let (out, _) = c.simulate(&model, &exo, &RunOptions::default(), Labels::AllFirstOrder);
    let first = out.events.iter().find(|e| e.kind.liquidates()).unwrap();
    let expected = path.iter().position(|&(_, close)| close < BREAKS[0]).unwrap() as f64 * 60.0;
    assert_eq!((first.account, first.time_s), (0, expected));
    assert!(out.events.iter().any(|e| e.kind == EventKind::CollateralSale));
    for e in out.events.iter().filter(|e| e.kind == EventKind::CollateralSale) {
        let minute = (e.time_s / 60.0) as usize;
        assert!((e.price - path[minute].1).abs() < 1e-6, "sold at the path price of its minute");
    }
    assert_eq!(c.ws.ledger_total(), total0);
}
