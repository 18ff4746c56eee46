//! Impact-law and Kyle's-λ estimators recover known parameters from synthetic data.

use liq_calib::impact::{fit_impact_law, impact_windows, kyle_lambda, ImpactFitOptions, ImpactWindow};
use liq_calib::{Series, Trade};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StandardNormal};

/// Windows whose returns follow ΔP/P = sign·Y·σ·(|Q|/V)^δ + noise, |Q|/V log-uniform on
/// [1e-6, 1e-3] (the range a 1–10 s window spans on BTCUSDT against a daily volume of ~1e10).
fn synthetic_windows(
    y: f64,
    delta: f64,
    sigma: f64,
    v: f64,
    noise: f64,
    n: usize,
    seed: u64,
) -> Vec<ImpactWindow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let eps = Normal::new(0.0, noise).unwrap();
    (0..n)
        .map(|i| {
            let x = 10f64.powf(rng.random_range(-6.0..-3.0));
            let s = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            let ret = s * y * sigma * x.powf(delta) + eps.sample(&mut rng);
            ImpactWindow {
                start_ms: i as i64 * 1_000,
                len_s: 1.0,
                signed_usd: s * x * v,
                signed_qty: s * x * v / 60_000.0,
                ret,
                mid0: 60_000.0,
                block: i as i64 / 10,
            }
        })
        .collect()
}

#[test]
fn square_root_law_is_recovered_with_an_interval_that_covers_it() {
    // Y = 0.8, δ = 0.5, σ = 3%/day, V = 1e10 USD/day: impact at x = 1e-4 is 0.8·0.03·0.01 = 2.4 bps;
    // noise 1 bp per window. 2,000 windows.
    let w = synthetic_windows(0.8, 0.5, 0.03, 1e10, 1e-4, 2_000, 5);
    let fit =
        fit_impact_law(&w, 0.03, 1e10, &ImpactFitOptions { bootstrap: 100, ..Default::default() }).unwrap();
    assert!((fit.delta - 0.5).abs() < 0.05, "δ {}", fit.delta);
    assert!((fit.y / 0.8 - 1.0).abs() < 0.2, "Y {}", fit.y);
    assert!(fit.delta_ci95.0 <= 0.5 && 0.5 <= fit.delta_ci95.1, "δ CI {:?}", fit.delta_ci95);
    assert!(fit.y_ci95.0 <= 0.8 && 0.8 <= fit.y_ci95.1, "Y CI {:?}", fit.y_ci95);
    let oos = fit.out_of_sample.unwrap();
    assert!(oos.mse_power < oos.mse_linear, "{oos:?}");
}

#[test]
fn a_linear_law_is_recognised_as_linear() {
    // δ = 1: Y·σ·x with Y = 5e3 gives 5e3·0.03·1e-4 = 15 bps at x = 1e-4; noise 1 bp.
    let w = synthetic_windows(5e3, 1.0, 0.03, 1e10, 1e-4, 1_000, 9);
    let fit =
        fit_impact_law(&w, 0.03, 1e10, &ImpactFitOptions { bootstrap: 50, ..Default::default() }).unwrap();
    assert!((fit.delta - 1.0).abs() < 0.05, "δ {}", fit.delta);
}

#[test]
fn kyle_lambda_is_recovered() {
    // Δp = λ·Q + noise with λ = 2.5 USD per BTC, Q ~ N(0, 10 BTC), noise N(0, 5 USD), 3,000 windows.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let w: Vec<ImpactWindow> = (0..3_000)
        .map(|i| {
            let z1: f64 = StandardNormal.sample(&mut rng);
            let z2: f64 = StandardNormal.sample(&mut rng);
            let q = 10.0 * z1;
            let dp = 2.5 * q + 5.0 * z2;
            ImpactWindow {
                start_ms: i * 1_000,
                len_s: 1.0,
                signed_usd: q * 60_000.0,
                signed_qty: q,
                ret: (1.0 + dp / 60_000.0).ln(),
                mid0: 60_000.0,
                block: i,
            }
        })
        .collect();
    let k = kyle_lambda(&w, 1.0).unwrap();
    // Standard error ≈ 5 / (10·√3000) = 0.009: 2.5 ± 0.05 is > 5 standard errors.
    assert!((k.lambda_usd_per_unit - 2.5).abs() < 0.05, "{k:?}");
    // 2.5 USD per BTC at 60,000 = 0.4167 bps per BTC = per $60,000 → 6.94 bps per $1M.
    assert!((k.bps_per_million_usd - 2.5 / 60_000.0 * 1e4 * 1e6 / 60_000.0).abs() < 0.2, "{k:?}");
    assert!(kyle_lambda(&w, 5.0).is_err());
}

#[test]
fn windows_aggregate_flow_and_mid_change_by_hand() {
    // Mid 100 until t = 1.5 s, then 101. Trades: buy 2 @100 at 0.2 s, sell 1 @100 at 0.7 s,
    // buy 3 @101 at 1.6 s. 1-s windows from the first trade (0.2 s): [0.2, 1.2) has net +1 unit
    // = +100 USD and mid 100 → 100 (ret 0); [1.2, 2.2) has +3 units = +303 USD, mid 100 → 101.
    let mids = Series::from_pairs(vec![(0, 100.0), (1_500, 101.0), (3_000, 101.0)]);
    let t = |ms, p, q, b| Trade { time_ms: ms, price: p, qty: q, taker_buy: b };
    let trades = vec![t(200, 100.0, 2.0, true), t(700, 100.0, 1.0, false), t(1_600, 101.0, 3.0, true)];
    let w = impact_windows(&trades, &mids, &[1.0], 10.0);
    assert_eq!(w.len(), 2);
    assert_eq!((w[0].signed_usd, w[0].signed_qty, w[0].ret), (100.0, 1.0, 0.0));
    assert_eq!(w[1].signed_usd, 303.0);
    assert!((w[1].ret - (1.01f64).ln()).abs() < 1e-12);
}
