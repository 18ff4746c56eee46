//! Population from klines and open interest: a synthetic series whose true population is known
//! by construction is recovered exactly, under each split and removal rule.

use liq_calib::population::{
    build_population, write_accounts_csv, LeverageBucket, PopulationOptions, Removal, SplitRule,
};
use liq_calib::public::{Kline, OiPoint};

/// Three 1-minute klines at VWAP 50,000 / 51,000 / 49,000 with taker-buy shares 0.6 / 0.5 / 0.3,
/// and open interest 100 → 110 → 105 → 125 at the minute marks.
fn series() -> (Vec<Kline>, Vec<OiPoint>) {
    let k = |i: i64, vwap: f64, tb: f64| Kline {
        open_time_ms: i * 60_000,
        open: vwap,
        high: vwap + 10.0,
        low: vwap - 10.0,
        close: vwap,
        volume: 100.0,
        close_time_ms: i * 60_000 + 59_999,
        quote_volume: 100.0 * vwap,
        taker_buy_volume: 100.0 * tb,
    };
    let p = |i: i64, oi: f64| OiPoint {
        time_ms: i * 60_000,
        oi_base: oi,
        oi_usd: None,
        long_account_fraction: None,
        taker_buy_sell_ratio: None,
    };
    (
        vec![k(0, 50_000.0, 0.6), k(1, 51_000.0, 0.5), k(2, 49_000.0, 0.3)],
        vec![p(0, 100.0), p(1, 110.0), p(2, 105.0), p(3, 125.0)],
    )
}

fn lots_of(pop: &liq_calib::population::Population, long: bool) -> Vec<(f64, f64)> {
    pop.lots.iter().filter(|l| (l.size > 0.0) == long).map(|l| (l.entry_price, l.size)).collect()
}

fn close(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x.0 - y.0).abs() < 1e-9 && (x.1 - y.1).abs() < 1e-9)
}

#[test]
fn taker_ratio_split_with_fifo_removal() {
    let (k, oi) = series();
    let opts = PopulationOptions {
        market: "BTCUSDT".into(),
        split: SplitRule::TakerBuyRatio,
        removal: Removal::Fifo,
        leverage: vec![
            LeverageBucket { leverage: 10.0, weight: 0.5 },
            LeverageBucket { leverage: 20.0, weight: 0.5 },
        ],
        initial_at_first_price: true,
        lot_size: None,
    };
    let pop = build_population(&k, &oi, &opts).unwrap();
    // Initial 100 at the first open (50,000), 60% long: L 60, S 40.
    // +10 at 50,000 (ratio 0.6): L +6, S +4 → L 66, S 44.
    // −5 split by open size: L −5·66/110 = −3, S −2, oldest first → initial L 57, S 38.
    // +20 at 49,000 (ratio 0.3): L +6, S +14. Totals L 69, S 56 = 125 = final OI.
    assert!(
        close(&lots_of(&pop, true), &[(50_000.0, 57.0), (50_000.0, 6.0), (49_000.0, 6.0)]),
        "{:?}",
        pop.lots
    );
    assert!(close(&lots_of(&pop, false), &[(50_000.0, -38.0), (50_000.0, -4.0), (49_000.0, -14.0)]));
    let r = &pop.report;
    assert!((r.long_open - 69.0).abs() < 1e-9 && (r.short_open - 56.0).abs() < 1e-9);
    assert_eq!((r.oi_added, r.oi_removed, r.unmatched_removal), (30.0, 5.0, 0.0));
    // Two leverage buckets per lot; the initial long at 10×: 57 × 0.5 × 50,000 / 10 = 142,500.
    assert_eq!(pop.accounts.len(), 12);
    let first = pop.accounts.iter().find(|a| a.size == 28.5 && a.account.contains("10x")).unwrap();
    assert!((first.margin_usd - 142_500.0).abs() < 1e-6);
    assert_eq!(first.mode, "isolated");
    let mut buf = Vec::new();
    write_accounts_csv(&mut buf, &pop.accounts).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(text.starts_with("account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral\n"));
    assert_eq!(text.lines().count(), 13);
}

#[test]
fn both_sides_with_pro_rata_removal() {
    let (k, oi) = series();
    let opts = PopulationOptions {
        split: SplitRule::BothSides,
        removal: Removal::ProRata,
        lot_size: None,
        ..Default::default()
    };
    let pop = build_population(&k, &oi, &opts).unwrap();
    // Longs: 100 + 10 at 50,000; −5 scales both by 1 − 5/110; +20 at 49,000. Shorts mirror.
    let f = 1.0 - 5.0 / 110.0;
    let want = [(50_000.0, 100.0 * f), (50_000.0, 10.0 * f), (49_000.0, 20.0)];
    assert!(close(&lots_of(&pop, true), &want), "{:?}", pop.lots);
    assert!((pop.report.long_open - 125.0).abs() < 1e-9 && (pop.report.short_open - 125.0).abs() < 1e-9);
    // Default leverage distribution has 6 buckets.
    assert_eq!(pop.accounts.len(), 6 * 6);
}

#[test]
fn account_ratio_split_and_unplaced_initial_interest() {
    let (k, mut oi) = series();
    // Long/short account ratio 3 at the second row → 75% long; missing elsewhere (kline ratio).
    oi[1].long_account_fraction = Some(0.75);
    let opts = PopulationOptions {
        split: SplitRule::LongAccountRatio,
        initial_at_first_price: false,
        lot_size: None,
        ..Default::default()
    };
    let pop = build_population(&k, &oi, &opts).unwrap();
    // +10 at 50,000 with 0.75: L 7.5, S 2.5. −5 split 7.5:2.5 → L 3.75, S 1.25 left.
    // +20 at 49,000, row 3 has no ratio → kline share 0.3: L 6, S 14. One fallback counted.
    assert!(close(&lots_of(&pop, true), &[(50_000.0, 3.75), (49_000.0, 6.0)]), "{:?}", pop.lots);
    assert_eq!(pop.report.ratio_fallbacks, 1);
    assert_eq!(pop.report.unmatched_removal, 0.0);
    assert!(build_population(&k, &oi[..1], &opts).is_err());
    let bad = PopulationOptions { leverage: vec![LeverageBucket { leverage: 10.0, weight: 0.7 }], ..opts };
    assert!(build_population(&k, &oi, &bad).is_err());
}

#[test]
fn sizes_round_to_lots_with_the_residual_reported() {
    let (k, oi) = series();
    // Lot 0.5 base units, one 100% bucket at 10×. TakerBuyRatio/FIFO lots (first test): longs
    // 57, 6, 6 and shorts −38, −4, −14 are whole multiples of 0.5: no residual.
    let one = vec![LeverageBucket { leverage: 10.0, weight: 1.0 }];
    let opts = PopulationOptions { leverage: one.clone(), lot_size: Some(0.5), ..Default::default() };
    let pop = build_population(&k, &oi, &opts).unwrap();
    assert_eq!((pop.accounts.len(), pop.report.rounding_residual), (6, 0.0));
    // Lot 4: 57 → 56 (−1), 6 → 8 (+2) twice, −38 → −40 (−2), −4 → −4, −14 → −16 (−2): Σ = −1.
    let opts = PopulationOptions { leverage: one, lot_size: Some(4.0), ..Default::default() };
    let pop = build_population(&k, &oi, &opts).unwrap();
    assert!((pop.report.rounding_residual + 1.0).abs() < 1e-9, "{:?}", pop.report);
    assert_eq!(pop.report.dust_accounts, 0);
    let mut buf = Vec::new();
    write_accounts_csv(&mut buf, &pop.accounts).unwrap();
    assert!(String::from_utf8(buf).unwrap().contains(",56,50000,isolated,280000.000000,0,\n"));
}
