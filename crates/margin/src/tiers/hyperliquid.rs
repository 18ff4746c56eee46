//! Hyperliquid perpetuals: margin tiers.
//!
//! Hyperliquid Docs, "Margin tiers" (<https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers>,
//! page as stored, undated; it lists HYPE and FARTCOIN, so it is from 2025 or later):
//! "maintenance_margin = notional_position_value * maintenance_margin_rate − maintenance_deduction
//! … maintenance_margin_rate(tier = n) = (Initial Margin Rate at Maximum leverage at tier n) / 2 …
//! maintenance_deduction(tier = n) = maintenance_deduction(tier = n − 1) +
//! notional_position_lower_bound(tier = n) × (maintenance_margin_rate(tier = n) −
//! maintenance_margin_rate(tier = n − 1))". Mainnet tiers: BTC 0–150M 40x, >150M 20x; ETH 0–100M
//! 25x, >100M 15x; SOL 0–70M 20x, >70M 10x.
//!
//! The BTC row agrees with Hyperliquid's mainnet `meta` info response of 2026-09-27 (margin table
//! 56, "tiered 40x": lowerBound 0 → 40, lowerBound 150000000 → 20, as captured in the
//! df-hyperliquid-core crate's fixtures), hence the set's date. The docs publish no position limit
//! for the top tier; its cap is [`super::NO_PUBLISHED_LIMIT`]. Hyperliquid publishes no deduction
//! column: the deduction is the docs' recursion, i.e. continuity, which the ladder derives.

use super::{TableSet, TierRow, TierTable, NO_PUBLISHED_LIMIT};
use liq_domain::VenuePreset;

const SOURCE: &str = "Hyperliquid Docs, Trading > Margin tiers (mainnet tiers; maintenance rate = \
    half the initial rate at the tier's max leverage); BTC confirmed by mainnet meta 2026-09-27";
const OBSERVED: &str = "2026-09-27";

/// `mmr = 1 / (2 × max leverage)`, the docs' rule; written out so the constants are visible.
pub const BTC_ROWS: &[TierRow] =
    &[TierRow::rate_only(150_000_000.0, 0.0125, 40.0), TierRow::rate_only(NO_PUBLISHED_LIMIT, 0.025, 20.0)];
pub const ETH_ROWS: &[TierRow] = &[
    TierRow::rate_only(100_000_000.0, 0.02, 25.0),
    TierRow::rate_only(NO_PUBLISHED_LIMIT, 1.0 / 30.0, 15.0),
];
pub const SOL_ROWS: &[TierRow] =
    &[TierRow::rate_only(70_000_000.0, 0.025, 20.0), TierRow::rate_only(NO_PUBLISHED_LIMIT, 0.05, 10.0)];

const fn table(symbol: &'static str, rows: &'static [TierRow]) -> TierTable {
    TierTable {
        venue: VenuePreset::Hyperliquid,
        symbol,
        base: symbol,
        rows,
        source: SOURCE,
        observed: OBSERVED,
    }
}

pub const BTC: TierTable = table("BTC", BTC_ROWS);
pub const ETH: TierTable = table("ETH", ETH_ROWS);
pub const SOL: TierTable = table("SOL", SOL_ROWS);

/// The Hyperliquid preset's tables.
pub const TABLE_SET: TableSet = TableSet {
    venue: VenuePreset::Hyperliquid,
    name: "hyperliquid-mainnet-margin-tiers",
    observed: OBSERVED,
    tables: &[BTC, ETH, SOL],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venue_formulas::hyperliquid_maintenance_rate;

    #[test]
    fn rates_are_half_the_initial_rate_at_max_leverage() {
        for t in TABLE_SET.tables {
            for r in t.rows {
                let rate = hyperliquid_maintenance_rate(r.max_leverage).unwrap();
                assert!((r.mmr - rate).abs() < 1e-15, "{} {r:?}", t.symbol);
            }
        }
    }

    #[test]
    fn deduction_by_the_docs_recursion() {
        // By hand: BTC tier 2 deduction = 0 + 150,000,000 × (2.5% − 1.25%) = 1,875,000.
        // At 200M: 200M × 2.5% − 1,875,000 = 5,000,000 − 1,875,000 = 3,125,000, the same as
        // 150M × 1.25% + 50M × 2.5% = 1,875,000 + 1,250,000 (new notional at the new rate).
        let l = BTC.ladder().unwrap();
        assert!((l.tiers()[1].maintenance_amount - 1_875_000.0).abs() < 1e-6);
        assert!((l.maintenance_margin(200_000_000.0) - 3_125_000.0).abs() < 1e-6);
        // ETH tier 2: 100M × (1/30 − 2%) = 1,333,333.33…
        let e = ETH.ladder().unwrap();
        assert!((e.tiers()[1].maintenance_amount - 100e6 * (1.0 / 30.0 - 0.02)).abs() < 1e-6);
    }
}
