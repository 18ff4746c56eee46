//! Builders for small hand-made scenarios (after crates/engine/tests/common).
#![allow(dead_code)]

use liq_domain::*;

pub fn market(symbol: &str, tick: f64, lot: f64, mark: f64, mmr: f64) -> MarketSpec {
    MarketSpec {
        symbol: symbol.into(),
        tick_size: tick,
        lot_size: lot,
        index_price: mark,
        mark_price: mark,
        ladder: RiskLadder::from_caps(&[(1e12, mmr, 1.0 / (2.0 * mmr))]).expect("valid ladder"),
        liquidation_fee_rate: 0.005,
        taker_fee_rate: 0.0005,
    }
}

/// `n` levels of `qty` each side, one tick apart, around the mark.
pub fn book(m: &MarketSpec, qty: f64, n: usize) -> BookSpec {
    let mark = m.mark_price;
    BookSpec::Levels {
        bids: (1..=n).map(|i| L2Level { price: mark - i as f64 * m.tick_size, qty }).collect(),
        asks: (1..=n).map(|i| L2Level { price: mark + i as f64 * m.tick_size, qty }).collect(),
    }
}

// Positions and accounts are built as everywhere else in the workspace.
pub use liq_domain::builders::{account, position};

pub fn scenario(markets: Vec<MarketSpec>, books: Vec<BookSpec>, accounts: Vec<Account>) -> Scenario {
    let n = markets.len();
    Scenario {
        name: "test".into(),
        seed: 1,
        venue: VenuePreset::Binance,
        markets,
        books,
        assets: vec![],
        accounts,
        insurance_fund: Money::from_usd(1e9),
        shock: Shock::PerMarket(vec![0.0; n]),
        impact: ImpactConfig {
            kind: ImpactKind::Book,
            resilience_tau_s: f64::INFINITY,
            withdrawal: WithdrawalConfig { sensitivity: 0.0, floor: 1.0 },
            cross_impact: vec![],
        },
        engine: EngineConfig::default(),
        price: Default::default(),
        book_shock_usd: vec![],
        venues: Default::default(),
        collateral: Default::default(),
        flows: Default::default(),
        policy: Default::default(),
    }
}

/// BTC: tick 1, lot 0.001, mark 1,000, one tier at 1%.
pub fn btc() -> MarketSpec {
    market("BTCUSDT", 1.0, 0.001, 1000.0, 0.01)
}
/// ETH: tick 0.01, lot 0.01, mark 100, one tier at 1%.
pub fn eth() -> MarketSpec {
    market("ETHUSDT", 0.01, 0.01, 100.0, 0.01)
}
/// SOL: tick 0.01, lot 0.1, mark 50, one tier at 1%.
pub fn sol() -> MarketSpec {
    market("SOLUSDT", 0.01, 0.1, 50.0, 0.01)
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}
