//! Run time of `analyse` on a synthetic 120,000-account, 3-market model. Ignored by default;
//! run with `cargo test --release -p liq-network --test perf -- --ignored --nocapture`.
//!
//! The population: a fixed-seed LCG draws, per account, cross (87%) or isolated margin,
//! one to three markets (25% of cross accounts hold two or three), side (55% long), size
//! 1–2,000 lots with a heavy tail (lots = ⌈2,000·u³⌉), leverage 2–20× and an entry within ±1%
//! of the mark; margin = notional/leverage, so every account starts above maintenance (≥ 5%
//! margin minus ≤ 1% loss against a 1% maintenance rate). Books: 300 levels of 2 units a side.

mod common;
use common::*;
use liq_engine::EngineModel;
use liq_network::{analyse, NetworkOptions};

struct Lcg(u64);
impl Lcg {
    fn u(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn synthetic(n: usize) -> EngineModel {
    let markets = vec![btc(), eth(), sol()];
    let books = markets.iter().map(|m| book(m, 2.0, 300)).collect();
    let mut rng = Lcg(42);
    let mut accounts = Vec::with_capacity(n);
    for a in 0..n {
        let cross = rng.u() < 0.87;
        let k_count = if cross && rng.u() < 0.25 { 2 + usize::from(rng.u() < 0.2) } else { 1 };
        let first = (rng.u() * 3.0) as usize % 3;
        let mut positions = Vec::new();
        let mut wallet = 0.0;
        for j in 0..k_count {
            let k = (first + j) % 3;
            let m = &markets[k];
            let lots = (2000.0 * rng.u().powi(3)).ceil().max(1.0) as i64;
            let lots = if rng.u() < 0.55 { lots } else { -lots };
            let entry = m.price(m.ticks(m.mark_price * (1.0 + 0.02 * (rng.u() - 0.5))));
            let lev = 2.0 + 18.0 * rng.u();
            let margin = m.notional(lots, entry) / lev;
            if cross {
                wallet += margin;
                positions.push(position(m, k as u16, lots, entry, None));
            } else {
                positions.push(position(m, k as u16, lots, entry, Some(margin)));
            }
        }
        accounts.push(account(&format!("s{a}"), wallet, positions));
    }
    EngineModel::new(&scenario(markets, books, accounts)).unwrap()
}

#[test]
#[ignore]
fn analyse_120k_accounts_under_5_s() {
    let model = synthetic(120_000);
    let t = std::time::Instant::now();
    let r = analyse(&model, &NetworkOptions::default()).unwrap();
    let dt = t.elapsed();
    println!("analyse on {} accounts / {} positions: {dt:?}", model.n_accounts(), model.n_positions());
    println!("top pair {:?}; rho(-2%) {}", r.market_pairs.first(), r.contagion.spectral_radius);
    if !cfg!(debug_assertions) {
        assert!(dt.as_secs_f64() < 5.0, "{dt:?}");
    }
}
