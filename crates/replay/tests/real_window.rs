//! The 2025-01-27 16:00–18:00 UTC window (the DeepSeek sell-off) of the shared Binance data:
//! the replay with a fitted leverage median produces both series.

use liq_io::default_scenario::{default_population_spec, default_scenario_with_accounts};
use liq_replay::{render_table, replay_fit, ReplayReport};
use std::path::PathBuf;

const START: i64 = 1_737_993_600_000; // 2025-01-27T16:00:00Z
const END: i64 = START + 2 * 3_600_000;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/binance-liquidations-2025-01")
        .join(name)
}

#[test]
fn real_window_replay_with_fit() {
    let (trades, fo) = (data("binance_trades.csv"), data("binance.csv"));
    if !trades.exists() || !fo.exists() {
        assert!(
            std::env::var_os("LIQ_REQUIRE_SHARED").is_none_or(|v| v != "1"),
            "{} is missing and LIQ_REQUIRE_SHARED=1 (CI must run this test)",
            trades.display()
        );
        eprintln!("note: {} not found, skipping the real-window replay", trades.display());
        return;
    }
    let accounts = 20_000;
    let scenario = default_scenario_with_accounts(accounts).unwrap();
    let mut spec = default_population_spec();
    spec.accounts = accounts;
    let r: ReplayReport =
        replay_fit(&scenario, &spec, &trades, &fo, (START, END), 10.0, &[6.0, 12.0, 24.0]).unwrap();
    println!("{}", render_table(&r));
    assert_eq!(r.minutes, 120);
    let t = &r.total;
    assert!(t.rec_notional_usd.iter().sum::<f64>() > 0.0);
    assert!(t.sim_notional_usd.iter().sum::<f64>() > 0.0, "no simulated liquidation");
    assert!(r.symbols.iter().all(|s| s.first_price.is_some()));
    let fit = r.fit.as_ref().unwrap();
    assert_eq!(fit.grid.len(), 3);
}
