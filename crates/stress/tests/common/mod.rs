//! Builders for small hand-made scenarios used by the stress tests, and the two fragile
//! populations with their Monte Carlo configurations that several test files share.
#![allow(dead_code)]

pub use liq_domain::builders::*;
use liq_domain::*;
use liq_stress::{Copula, MonteCarloConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A leveraged two-market population over thin books: fragile on purpose.
pub fn fragile(n: usize) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let btc = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let eth = market("ETHUSDT", 0.1, 0.01, 100.0, &[(20_000.0, 0.01, 50.0), (1e9, 0.02, 25.0)], 0.005);
    let book = |mid: f64, tick: f64, qty: f64| {
        let b: Vec<(f64, f64)> = (1..=400).map(|i| (mid - i as f64 * tick, qty)).collect();
        let a: Vec<(f64, f64)> = (1..=400).map(|i| (mid + i as f64 * tick, qty)).collect();
        levels(&b, &a)
    };
    let markets = vec![btc, eth];
    let mut accounts = Vec::new();
    for i in 0..n {
        let k = rng.random_range(0..2u16);
        let m = &markets[k as usize];
        let lots = rng.random_range(200..2000i64) * if rng.random_bool(0.7) { 1 } else { -1 };
        let entry = m.mark_price * (1.0 + rng.random_range(-0.02..0.02));
        let entry = (entry / m.tick_size).round() * m.tick_size;
        let margin = lots.abs() as f64 * m.lot_size * entry / rng.random_range(10.0..40.0);
        accounts.push(account(&format!("a{i}"), margin * 1.2, vec![position(m, k, lots, entry, None)]));
    }
    let mut s = scenario(
        VenuePreset::Binance,
        markets,
        vec![book(1000.0, 1.0, 0.2), book(100.0, 0.1, 2.0)],
        accounts,
        2_000.0,
        vec![0.0, 0.0],
    );
    s.impact.resilience_tau_s = 20.0;
    s.impact.cross_impact = vec![vec![0.0, 0.5], vec![0.8, 0.0]];
    s
}

/// 15 steps over 900 s on the two markets of [`fragile`], Student-t (4), correlation 0.8.
pub fn config(paths: u64) -> MonteCarloConfig {
    MonteCarloConfig {
        paths,
        horizon_s: 900.0,
        steps: 15,
        copula: Copula::StudentT { df: 4.0 },
        daily_vol: vec![0.08, 0.1],
        correlation: vec![vec![1.0, 0.8], vec![0.8, 1.0]],
        seed: 5,
    }
}

/// A leveraged one-market book over a thin book, so paths liquidate.
pub fn fragile_one_market(n: usize) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let m = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let b: Vec<(f64, f64)> = (1..=400).map(|i| (1000.0 - i as f64, 0.2)).collect();
    let a: Vec<(f64, f64)> = (1..=400).map(|i| (1000.0 + i as f64, 0.2)).collect();
    let mut accounts = Vec::new();
    for i in 0..n {
        let lots = rng.random_range(200..2000i64) * if rng.random_bool(0.7) { 1 } else { -1 };
        let entry = (1000.0 * (1.0 + rng.random_range(-0.02..0.02f64))).round();
        let margin = lots.abs() as f64 * 0.001 * entry / rng.random_range(10.0..40.0);
        accounts.push(account(&format!("a{i}"), margin * 1.2, vec![position(&m, 0, lots, entry, None)]));
    }
    let mut s = scenario(VenuePreset::Binance, vec![m], vec![levels(&b, &a)], accounts, 500.0, vec![0.0]);
    s.impact.resilience_tau_s = 20.0;
    s
}

/// 30 steps over 300 s on the one market of [`fragile_one_market`], Student-t (4).
pub fn config_one_market(paths: u64) -> MonteCarloConfig {
    MonteCarloConfig {
        paths,
        horizon_s: 300.0,
        steps: 30,
        copula: Copula::StudentT { df: 4.0 },
        daily_vol: vec![0.15],
        correlation: vec![vec![1.0]],
        seed: 9,
    }
}
