//! `calibrate` on small synthetic files: provenance (hashes, span), correlations across markets,
//! liquidation statistics, and a TOML that parses with the square-root model when a market has
//! no depth.

use liq_calib::{calibrate, CalibOptions, DataSource};
use std::fmt::Write as _;
use std::path::PathBuf;

fn write(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liq-calib-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn trades_of_two_markets_and_a_liquidation_dump() {
    // Two markets whose prices move together: A trades at whole seconds on a 7-step zig-zag, B
    // half a second later at exactly 2·A.
    let mut csv = String::from("time,price,qty,side,market\n");
    for i in 0..400i64 {
        let a = 100.0 * (1.0 + 0.001 * ((i % 7) as f64 - 3.0));
        let side = if i % 3 == 0 { "buy" } else { "sell" };
        let _ = writeln!(csv, "{},{a},1,{side},A", 1_700_000_000_000 + i * 1_000);
        let _ = writeln!(csv, "{},{},1,{side},B", 1_700_000_000_000 + i * 1_000 + 500, 2.0 * a);
    }
    let trades = write("trades.csv", &csv);
    let liq = "LRC,SELL,LIMIT,IOC,226,0.16815,0.17057,FILLED,226,226,1737908829829,38.0019\n";
    let fo = write("fo.csv", liq);
    let opts = CalibOptions { corr_min_gap_s: 3.0, ..Default::default() };
    let cal = calibrate(
        &[DataSource::Trades { path: trades, market: "X".into() }, DataSource::ForceOrders { path: fo }],
        &opts,
    )
    .unwrap();
    // sha256sum of the one-line liquidation file.
    assert_eq!(cal.inputs[1].sha256, "86b09b980a8baeb5e41696e201f3d977d430ad0291bd68113b7bccc557ca0e06");
    assert_eq!(cal.inputs[1].kind, "force_orders");
    assert_eq!(cal.markets.len(), 2);
    assert_eq!(cal.markets[0].price_source, "trade prices");
    // Refresh times fall half a second after a B trade (k + 0.5, then k + 3.5, ...): there the
    // latest prices are A(k) and B(k) = 2·A(k), so the log returns are identical and ρ = 1.
    let c = cal.correlations.as_ref().unwrap();
    assert!((c.refresh_time[0][1] - 1.0).abs() < 1e-9, "{:?}", c.refresh_time);
    let l = cal.liquidations.as_ref().unwrap();
    assert_eq!((l.orders, l.long_share), (1, 1.0));
    // Span: trades from 1.7e12 ms to + 399.5 s, and the liquidation at 1737908829829.
    assert_eq!(cal.span_ms, (1_700_000_000_000, 1_737_908_829_829));
    let doc: toml::Value = toml::from_str(&cal.to_toml()).unwrap();
    assert_eq!(doc["impact"]["model"].as_str(), Some("square_root"));
    assert_eq!(doc["markets"].as_array().unwrap().len(), 2);
    assert!(cal.summary_table().contains("liquidations: 1 orders"));
}

#[test]
fn malformed_input_fails_with_file_and_line() {
    let bad = write("bad.csv", "time,price,qty,side\n1,100,1,buy\n2,100,1,hold\n");
    let e = calibrate(&[DataSource::Trades { path: bad, market: "X".into() }], &CalibOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.csv:3: field `side`"), "{e}");
    assert!(calibrate(&[], &CalibOptions::default()).is_err());
}
