//! Builders for small hand-made scenarios used by the engine tests.
#![allow(dead_code)]

use liq_domain::*;

pub fn market(
    symbol: &str,
    tick: f64,
    lot: f64,
    mark: f64,
    tiers: &[(f64, f64, f64)],
    liq_fee: f64,
) -> MarketSpec {
    MarketSpec {
        symbol: symbol.into(),
        tick_size: tick,
        lot_size: lot,
        index_price: mark,
        mark_price: mark,
        ladder: RiskLadder::from_caps(tiers).expect("valid ladder"),
        liquidation_fee_rate: liq_fee,
        taker_fee_rate: 0.0005,
    }
}

pub fn levels(bids: &[(f64, f64)], asks: &[(f64, f64)]) -> BookSpec {
    BookSpec::Levels {
        bids: bids.iter().map(|&(price, qty)| L2Level { price, qty }).collect(),
        asks: asks.iter().map(|&(price, qty)| L2Level { price, qty }).collect(),
    }
}

/// A position of `lots` (signed) entered at `entry` (a whole number of ticks).
pub fn position(
    m: &MarketSpec,
    market: u16,
    lots: i64,
    entry: f64,
    isolated_margin: Option<f64>,
) -> Position {
    Position {
        market: MarketId(market),
        size_lots: lots,
        cost: m.value(lots, m.ticks(entry)),
        mode: if isolated_margin.is_some() { MarginMode::Isolated } else { MarginMode::Cross },
        isolated_margin: Money::from_usd(isolated_margin.unwrap_or(0.0)),
    }
}

pub fn account(label: &str, wallet: f64, positions: Vec<Position>) -> Account {
    Account { label: label.into(), wallet: Money::from_usd(wallet), collateral: vec![], positions }
}

pub fn scenario(
    venue: VenuePreset,
    markets: Vec<MarketSpec>,
    books: Vec<BookSpec>,
    accounts: Vec<Account>,
    fund_usd: f64,
    shock: Vec<f64>,
) -> Scenario {
    Scenario {
        name: "test".into(),
        seed: 1,
        venue,
        markets,
        books,
        assets: vec![],
        accounts,
        insurance_fund: Money::from_usd(fund_usd),
        shock: Shock::PerMarket(shock),
        impact: ImpactConfig {
            kind: ImpactKind::Book,
            resilience_tau_s: f64::INFINITY,
            withdrawal: WithdrawalConfig { sensitivity: 0.0, floor: 1.0 },
            cross_impact: vec![],
        },
        engine: EngineConfig::default(),
    }
}

/// The one-market book of the hand-worked tests: tick 1, lot 0.001 BTC, one tier at 1% mmr.
pub fn btc() -> MarketSpec {
    market("BTCUSDT", 1.0, 0.001, 1000.0, &[(1e9, 0.01, 50.0)], 0.005)
}

pub fn btc_book() -> BookSpec {
    levels(&[(999.0, 0.4), (998.0, 0.4), (990.0, 5.0)], &[(1001.0, 5.0)])
}

/// Equal to within a micro-dollar (plus float noise on large values).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 + 1e-12 * a.abs().max(b.abs())
}
