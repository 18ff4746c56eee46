//! Bybit USDT perpetuals: risk-limit tiers (`GET /v5/market/risk-limit?category=linear`).
//!
//! Bybit's formula (Bybit, "Margin Parameters",
//! <https://www.bybit.com/en/announcement-info/margin-parameters>, observed 2025): "Maintenance Margin = Position Value × Maintenance Margin Rate − Maintenance
//! Margin Deduction; Maintenance Margin Deduction = Risk Limit on Tier (n−1) × (Difference between
//! Maintenance Margin Rate on Tier n and Tier (n−1)) + Maintenance Margin Deduction on Tier (n−1)".
//! That is Binance's `cum` recursion with Bybit's risk limit as the tier's cap, so the table is a
//! [`liq_domain::RiskLadder`] as it stands; the API's `mmDeduction` column is kept to be checked.
//!
//! Source of the numbers. No dump of Bybit's whole table was found; what was found are captures of
//! the live `/v5/market/risk-limit` answer for BTCUSDT in public code, which agree with each other:
//! - tiers 1–2: "What this venue answered for BTCUSDT's linear risk limits on 2026-09-25, first
//!   two tiers" (a client's test fixture): `{id 1, riskLimitValue 300000, maintenanceMargin 0.0033,
//!   initialMargin 0.0066, maxLeverage 150.00, mmDeduction ""}`, `{id 2, 2000000, 0.005, 0.01,
//!   100.00, mmDeduction 510}`; the same two rows measured on api-testnet 2026-09-17 in another;
//! - tier 3: `{id 3, 2600000, maintenanceMargin 0.0056, initialMargin 0.0111, maxLeverage 90.00,
//!   mmDeduction 1710}` in a third client's fixture of the same payload; Bybit's Help Center,
//!   "Maintenance Margin (USDT Contract)", states the same step: "a BTCUSDT position with a position
//!   value of 2,000,000 USDT or below … 0.5% … If the position value increases to 2,600,000 USDT,
//!   the MMR required will also increase to 0.56%".
//!
//! So this table is Bybit's first three BTCUSDT tiers only, observed 2026-09-25; its last cap
//! (2.6M USD) is the position limit of the ladder, where Bybit's own table goes on. Above 2.6M the
//! ladder keeps tier 3's rate, which understates the maintenance margin of larger positions.
//! ETHUSDT and SOLUSDT tables were not found; a scenario on Bybit must give those markets their
//! own tiers (the lookup says so rather than substituting another venue's table).

use super::{TableSet, TierRow, TierTable};
use liq_domain::VenuePreset;

const OBSERVED: &str = "2026-09-25";

/// BTCUSDT tiers 1–3: `(riskLimitValue, maintenanceMargin, maxLeverage, mmDeduction)`. Bybit
/// sends an empty `mmDeduction` for the lowest tier, which is 0.
pub const BTCUSDT_ROWS: &[TierRow] = &[
    TierRow::with_deduction(300_000.0, 0.0033, 150.0, 0.0),
    TierRow::with_deduction(2_000_000.0, 0.005, 100.0, 510.0),
    TierRow::with_deduction(2_600_000.0, 0.0056, 90.0, 1_710.0),
];

pub const BTCUSDT: TierTable = TierTable {
    venue: VenuePreset::Bybit,
    symbol: "BTCUSDT",
    base: "BTC",
    rows: BTCUSDT_ROWS,
    source: "Bybit GET /v5/market/risk-limit (linear, BTCUSDT) as captured 2026-09-25 in public \
        client fixtures, tiers 1-3; formula: Bybit \"Margin Parameters\"",
    observed: OBSERVED,
};

/// The Bybit preset's tables.
pub const TABLE_SET: TableSet = TableSet {
    venue: VenuePreset::Bybit,
    name: "bybit-usdt-perpetual-risk-limits",
    observed: OBSERVED,
    tables: &[BTCUSDT],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduction_steps_by_hand() {
        // Bybit's recursion by hand: tier 2: 300,000 × (0.5% − 0.33%) + 0 = 510;
        // tier 3: 2,000,000 × (0.56% − 0.5%) + 510 = 1,200 + 510 = 1,710 — the API's mmDeduction.
        let l = BTCUSDT.ladder().unwrap();
        assert!((l.tiers()[1].maintenance_amount - 510.0).abs() < 1e-9);
        assert!((l.tiers()[2].maintenance_amount - 1_710.0).abs() < 1e-9);
        // The Help Center's example: 2,600,000 of BTCUSDT needs 0.56%: 2.6M × 0.56% − 1,710 =
        // 14,560 − 1,710 = 12,850 USDT of maintenance margin.
        assert!((l.maintenance_margin(2_600_000.0) - 12_850.0).abs() < 1e-6);
        assert_eq!(l.tier(2_600_000.0).mmr, 0.0056);
        assert_eq!(l.tier(2_000_000.0).mmr, 0.005);
    }
}
