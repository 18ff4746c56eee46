//! Builders for small hand-made scenarios: markets with a ladder from `(cap, mmr, max leverage)`
//! rows, explicit L2 books, positions entered at a price, accounts and a scenario with neutral
//! settings (book impact, no resilience, no withdrawal, no cross-impact). Tests, examples and
//! documentation across the workspace use them so a scenario reads in a few lines.

use crate::*;

/// A market whose ladder is built from `(cap, mmr, max leverage)` rows. Panics on an invalid
/// ladder: these builders take literal inputs written in tests and examples.
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
        // Callers pass literal, valid ladders; an invalid one is a bug in the caller.
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
        price: Default::default(),
        book_shock_usd: vec![],
        venues: Default::default(),
        collateral: Default::default(),
        flows: Default::default(),
        policy: Default::default(),
    }
}
