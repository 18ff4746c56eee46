//! A hand-made one-market replay whose per-minute binning is worked out by hand.

use liq_domain::builders::{account, levels, market, position, scenario};
use liq_domain::{Scenario, VenuePreset};
use liq_replay::{metrics::compare, rebase, render_table, replay, ReplayData, ReplayError};
use std::path::{Path, PathBuf};

/// 2023-11-14 22:14:00 UTC, a whole minute.
const T0: i64 = 1_700_000_040_000;

/// BTCUSDT at `mark`, 1-unit lots, 1% maintenance; deep bids every tick-multiple below the mark.
/// Accounts (isolated longs entered at the mark, distances scale with it):
/// A 1 lot, margin 3% → liquidated below 97/0.99 ≈ 97.98% of entry;
/// B 2 lots, margin 7% → below 186/1.98 ≈ 93.94%; C 1 lot, margin 50% → never here.
fn one_market(mark: f64) -> Scenario {
    let m = market("BTCUSDT", 0.01, 1.0, mark, &[(1e9, 0.01, 50.0)], 0.0);
    let r = mark / 100.0;
    let bids: Vec<(f64, f64)> = (1..=400).map(|i| (mark - i as f64 * 0.05 * r, 1000.0 / r)).collect();
    let asks: Vec<(f64, f64)> = (1..=400).map(|i| (mark + i as f64 * 0.05 * r, 1000.0 / r)).collect();
    let book = levels(&bids, &asks);
    let pos = |lots, margin: f64| position(&m, 0, lots, mark, Some(margin * r));
    let accounts = vec![
        account("A", 0.0, vec![pos(1, 3.0)]),
        account("B", 0.0, vec![pos(2, 14.0)]),
        account("C", 0.0, vec![pos(1, 50.0)]),
    ];
    scenario(VenuePreset::Binance, vec![m], vec![book], accounts, 1e6, vec![0.0])
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

/// Price path: 100 until 70 s, 95 from 70 s, 89 from 130 s (window 3 min).
fn prices(dir: &Path) -> PathBuf {
    let rows =
        [(0, 100.0), (30_000, 100.0), (70_000, 95.0), (130_000, 89.0), (175_000, 89.0), (200_000, 50.0)];
    let mut s = String::from("timestamp,market,price\n");
    for (t, p) in rows {
        s.push_str(&format!("{},BTCUSDT,{p}\n", T0 + t));
    }
    write(dir, "path.csv", &s)
}

fn fo_row(sym: &str, t: i64, usd: f64) -> String {
    format!("{sym},SELL,LIMIT,IOC,1,1,1,FILLED,1,1,{},{usd}\n", T0 + t)
}

/// forceOrders: minute 0 → 1000 (1 order), minute 1 → 500 + 250 (2), minute 2 → 100 (1); ETH
/// (not in the scenario) 77; one before and one at the window's end, both excluded.
fn force_orders(dir: &Path) -> PathBuf {
    let body = [
        fo_row("BTC", -1, 999.0),
        fo_row("BTC", 10_000, 1000.0),
        fo_row("ETH", 30_000, 77.0),
        fo_row("BTC", 65_000, 500.0),
        fo_row("BTC", 70_000, 250.0),
        fo_row("BTC", 179_999, 100.0),
        fo_row("BTC", 180_000, 888.0),
    ]
    .concat();
    write(dir, "fo.csv", &body)
}

#[test]
fn per_minute_binning_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let (p, f) = (prices(dir.path()), force_orders(dir.path()));
    let r = replay(&one_market(100.0), &p, &f, (T0, T0 + 180_000), 10.0).unwrap();
    assert_eq!(r.minutes, 3);
    let s = &r.symbols[0];
    assert_eq!(s.first_price, Some(100.0));
    // Recorded: exact.
    assert_eq!(s.rec_notional_usd, vec![1000.0, 750.0, 100.0]);
    assert_eq!(s.rec_count, vec![1, 2, 1]);
    assert_eq!(r.rec_unmatched_usd, 77.0);
    // Simulated: A falls at 95 (step 70–80 s → minute 1), B at 89 (step 130–140 s → minute 2),
    // C survives. Both gaps jump past bankruptcy (A: 100 − 3 = 97, B: 100 − 14/2 = 93), where no
    // bid is left to sell into (the book moved with the path), so the insurance fund takes each
    // position over at its bankruptcy price: 1 × 97 and 2 × 93.
    assert_eq!(s.sim_count, vec![0, 1, 1]);
    let want = [0.0, 97.0, 186.0];
    for (a, b) in s.sim_notional_usd.iter().zip(want) {
        assert!((a - b).abs() < 1e-6, "{:?}", s.sim_notional_usd);
    }
    // The summed series equals the only symbol's; measures follow from the series.
    assert_eq!(r.total.sim_notional_usd, s.sim_notional_usd);
    let want = compare(&s.sim_notional_usd, &s.rec_notional_usd, 2, 4);
    assert_eq!(r.total.comparison, want);
    assert_eq!(r.sim_after_window_usd, 0.0);
    let table = render_table(&r);
    assert!(table.contains("22:15") && table.contains("lower bound"), "{table}");
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"rec_notional_usd\":[1000.0,750.0,100.0]"));
}

#[test]
fn rebasing_keeps_distances() {
    // A scenario quoted at 50 rebased to a first price of 100 is the scenario quoted at 100.
    let rebased = rebase(&one_market(50.0), &[Some(100.0)]);
    let at_100 = one_market(100.0);
    assert_eq!(rebased.markets, at_100.markets);
    assert_eq!(rebased.accounts, at_100.accounts);
    // ... so it liquidates the same accounts at the same times.
    let dir = tempfile::tempdir().unwrap();
    let (p, f) = (prices(dir.path()), force_orders(dir.path()));
    let a = replay(&one_market(50.0), &p, &f, (T0, T0 + 180_000), 10.0).unwrap();
    let b = replay(&at_100, &p, &f, (T0, T0 + 180_000), 10.0).unwrap();
    assert_eq!(a.symbols[0].sim_count, b.symbols[0].sim_count);
}

#[test]
fn bad_inputs_are_errors_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let (p, f) = (prices(dir.path()), force_orders(dir.path()));
    let s = one_market(100.0);
    let bad_fo =
        write(dir.path(), "bad.csv", &(fo_row("BTC", 0, 1.0) + "BTC,HOLD,LIMIT,IOC,1,1,1,FILLED,1,1,1,1\n"));
    let e = replay(&s, &p, &bad_fo, (T0, T0 + 60_000), 10.0).unwrap_err().to_string();
    assert!(e.contains("bad.csv:2") && e.contains("side"), "{e}");
    let e = replay(&s, &p, &f, (T0 - 600_000, T0 - 60_000), 10.0).unwrap_err();
    assert!(matches!(e, ReplayError::Content { .. }), "{e}");
    assert!(replay(&s, &p, &f, (T0, T0 + 60_000), 0.0).is_err());
    assert!(replay(&s, &p, &f, (T0, T0), 10.0).is_err());
    assert!(ReplayData::load(&s, &dir.path().join("missing.csv"), &f, (T0, T0 + 1), 1.0).is_err());
}
