//! The liquidation map of a handful of isolated positions equals their closed-form liquidation
//! prices; concentration near liquidation on the same book.

mod common;
use common::*;
use liq_engine::EngineModel;
use liq_network::{first_order_levels, liquidation_map, unit_views, write_liquidation_map_csv, MapOptions};

/// BTC at 1,000, mmr 1% (one tier, cum 0). Isolated positions, size q BTC, cost c, margin M:
/// long: M − c + q·m = 0.01·q·m ⇒ m = (c − M) / (0.99·q); short (q < 0): m = (c − M)/(1.01·q).
/// - L1 long 1 @ 1,000, M 100: m = 900 / 0.99 = 909.0909…
/// - L2 long 2 @ 1,000, M 50: m = 1,950 / 1.98 = 984.8484…
/// - S1 short 1 @ 1,000, M 100: m = (−1,000 − 100)/(−1.01) = 1,089.1089…
/// - S2 short 0.5 @ 1,020, M 30: m = (−510 − 30)/(−0.505) = 1,069.3069…
fn model() -> EngineModel {
    let m = btc();
    let accounts = vec![
        account("L1", 0.0, vec![position(&m, 0, 1000, 1000.0, Some(100.0))]),
        account("L2", 0.0, vec![position(&m, 0, 2000, 1000.0, Some(50.0))]),
        account("S1", 0.0, vec![position(&m, 0, -1000, 1000.0, Some(100.0))]),
        account("S2", 0.0, vec![position(&m, 0, -500, 1020.0, Some(30.0))]),
    ];
    let b = book(&m, 1.0, 400);
    EngineModel::new(&scenario(vec![m], vec![b], accounts)).unwrap()
}

#[test]
fn first_order_levels_are_the_closed_form_prices() {
    let model = model();
    let units = unit_views(&model);
    let levels = first_order_levels(&model, &units, 0);
    let expected = [
        (900.0 / 0.99, 1.0, "long", 0),
        (1950.0 / 1.98, 2.0, "long", 1),
        (540.0 / 0.505, 0.5, "short", 3),
        (1100.0 / 1.01, 1.0, "short", 2),
    ];
    assert_eq!(levels.len(), 4);
    for (l, &(p, q, side, account)) in levels.iter().zip(&expected) {
        assert!(close(l.price, p, 1e-9), "{l:?} vs {p}");
        // Notional at the trigger = |q| × trigger price.
        assert!(close(l.notional_usd, q * p, 1e-9));
        assert_eq!((l.side, l.account), (side, account));
    }
}

#[test]
fn bins_hold_each_level_and_cumulate_outwards() {
    let model = model();
    let units = unit_views(&model);
    let opts = MapOptions { range: 0.2, bin_width: 0.01, cascade: false };
    let map = liquidation_map(&model, &units, 0, &opts).unwrap();
    // 20 bins each side of 10 USD, from 800 to 1,200; the mark 1,000 is the edge between bins 19 and 20.
    assert_eq!(map.bins.len(), 40);
    let bin = |lo: f64| map.bins.iter().find(|b| close(b.price_lo, lo, 1e-12)).unwrap();
    // L1 at 909.09 falls in [900, 910), L2 at 984.85 in [980, 990).
    assert!(close(bin(900.0).long_usd, 900.0 / 0.99, 1e-9));
    assert!(close(bin(980.0).long_usd, 2.0 * 1950.0 / 1.98, 1e-9));
    // S2 at 1,069.31 in [1,060, 1,070), S1 at 1,089.11 in [1,080, 1,090).
    assert!(close(bin(1060.0).short_usd, 0.5 * 540.0 / 0.505, 1e-9));
    assert!(close(bin(1080.0).short_usd, 1100.0 / 1.01, 1e-9));
    let total: f64 = map.bins.iter().map(|b| b.long_usd + b.short_usd).sum();
    assert!(close(total, 900.0 / 0.99 + 1950.0 / 0.99 + 270.0 / 0.505 + 1100.0 / 1.01, 1e-9));
    // Cumulative at the far edge 980 of [980, 990): L2 only; at 900: L1 + L2.
    assert!(close(bin(980.0).cumulative_first_order_usd, 1950.0 / 0.99, 1e-9));
    assert!(close(bin(900.0).cumulative_first_order_usd, 2850.0 / 0.99, 1e-9));
    assert!(close(bin(1190.0).cumulative_first_order_usd, 270.0 / 0.505 + 1100.0 / 1.01, 1e-9));
    let mut csv = Vec::new();
    write_liquidation_map_csv(&map, &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.lines().count(), 41);
    assert!(text.starts_with("market,price_lo,price_hi,long_usd,short_usd"));
}

#[test]
fn cascade_map_runs_the_engine_at_each_edge() {
    let model = model();
    let units = unit_views(&model);
    let opts = MapOptions { range: 0.2, bin_width: 0.05, cascade: true };
    let map = liquidation_map(&model, &units, 0, &opts).unwrap();
    // At −5% (edge 950) L2 (trigger 984.85) is liquidated and L1 (trigger 909.09) is not. The
    // shock gaps the mark through L2's bankruptcy price (50 + 2·m − 2,000 = 0 ⇒ m = 975), so
    // its IOC cannot fill at or above bankruptcy and the fund takes the 2 BTC at 975:
    // 2 × 975 = 1,950 USD, less than the first-order 2 × 984.85 at the trigger.
    let b = map.bins.iter().find(|b| close(b.edge_price, 950.0, 1e-12)).unwrap();
    assert!(close(b.cumulative_cascade_usd.unwrap(), 1950.0, 1e-9), "{b:?}");
    assert!(close(b.cumulative_first_order_usd, 1950.0 / 0.99, 1e-9));
    // At −20% (edge 800) both longs gap through bankruptcy; L1's is 100 + m − 1,000 = 0 ⇒ 900:
    // 900 + 1,950 = 2,850 USD. Shorts are not touched by a fall.
    let b = map.bins.iter().find(|b| close(b.edge_price, 800.0, 1e-12)).unwrap();
    assert!(close(b.cumulative_cascade_usd.unwrap(), 2850.0, 1e-9), "{b:?}");
    assert!(close(b.cascade_all_markets_usd.unwrap(), 2850.0, 1e-9));
}

#[test]
fn bad_grid_is_rejected() {
    let model = model();
    let units = unit_views(&model);
    let bad = MapOptions { range: 0.01, bin_width: 0.05, cascade: false };
    assert!(liquidation_map(&model, &units, 0, &bad).is_err());
    assert!(liquidation_map(&model, &units, 3, &MapOptions::default()).is_err());
}

#[test]
fn concentration_near_liquidation() {
    let model = model();
    let units = unit_views(&model);
    let rows = liq_network::concentration(&model, &units, &[0.01, 0.02, 0.05]);
    // Long OI at the mark: 1 + 2 BTC = 3,000 USD. Distances: L2 1 − 984.85/1,000 = 1.52%
    // (within 2% and 5%), L1 9.09% (neither). Shares: 0, 2,000/3,000, 2,000/3,000.
    let long = &rows[0];
    assert_eq!((long.market.as_str(), long.side.as_str()), ("BTCUSDT", "long"));
    assert!(close(long.open_interest_usd, 3000.0, 1e-12));
    assert_eq!(long.notional_usd, vec![0.0, 2000.0, 2000.0]);
    assert!(close(long.share[1], 2.0 / 3.0, 1e-12));
    // Short OI 1,500: S2 at 6.93%, S1 at 8.91%: nothing within 5%.
    let short = &rows[1];
    assert!(close(short.open_interest_usd, 1500.0, 1e-12));
    assert_eq!(short.share, vec![0.0, 0.0, 0.0]);
}
