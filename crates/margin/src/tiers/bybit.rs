//! Bybit USDT perpetuals: risk-limit tiers (`GET /v5/market/risk-limit?category=linear`).
//!
//! Bybit's formula (Bybit, "Margin Parameters",
//! <https://www.bybit.com/en/announcement-info/margin-parameters>, observed 2025): "Maintenance
//! Margin = Position Value × Maintenance Margin Rate − Maintenance Margin Deduction; Maintenance
//! Margin Deduction = Risk Limit on Tier (n−1) × (Difference between Maintenance Margin Rate on
//! Tier n and Tier (n−1)) + Maintenance Margin Deduction on Tier (n−1)". That is Binance's `cum`
//! recursion with Bybit's risk limit as the tier's cap, so a table is a [`liq_domain::RiskLadder`]
//! as it stands; the API's `mmDeduction` column is kept next to each row to be checked.
//!
//! Sources of the numbers.
//! - **Whole tables, 2025-12-29.** Bybit's `/v5/market/risk-limit` answer for every linear symbol
//!   as freqtrade caches it (through ccxt's `fetchLeverageTiers`, each row's `info` being Bybit's
//!   raw row) in `user_data/data/bybit/futures/leverage_tiers_USDT.json` of the public repository
//!   github.com/erikubingf-del/tradingtest, commit 30f372055f2e4695ecd9d75d0d2cd39319579ce1; the
//!   file's `"updated"` stamp is 2025-12-29 12:05:23 UTC. Keys `BTC/USDT:USDT` (risk ids 1–35),
//!   `ETH/USDT:USDT` (ids 11–45), `SOL/USDT:USDT` (ids 281–315), 35 tiers each; the rows below are
//!   `info.riskLimitValue`, `info.maintenanceMargin`, `info.maxLeverage`, `info.mmDeduction`
//!   (Bybit sends `""` for the lowest tier, which is 0).
//! - **BTCUSDT tiers 1–3, 2026-09-25** (newer): "What this venue answered for BTCUSDT's linear risk
//!   limits on 2026-09-25, first two tiers" (a client's test fixture): `{id 1, riskLimitValue
//!   300000, maintenanceMargin 0.0033, initialMargin 0.0066, maxLeverage 150.00, mmDeduction ""}`,
//!   `{id 2, 2000000, 0.005, 0.01, 100.00, mmDeduction 510}`; the same two rows measured on
//!   api-testnet 2026-09-17 in another; `{id 3, 2600000, 0.0056, 0.0111, 90.00, mmDeduction 1710}`
//!   in a third client's fixture of the same payload. Bybit's Help Center, "Maintenance Margin (USDT
//!   Contract)", states the 2M → 2.6M step: "a BTCUSDT position with a position value of 2,000,000
//!   USDT or below … 0.5% … If the position value increases to 2,600,000 USDT, the MMR required
//!   will also increase to 0.56%".
//!
//! So between the two captures Bybit put a 300k / 0.33% / 150× tier under BTCUSDT's old first
//! tier (2M / 0.5% / 100×): the 2026 deductions of the next two tiers are the 2025 ones plus
//! 300,000 × (0.5% − 0.33%) = 510 (510 = 0 + 510, 1,710 = 1,200 + 510), exactly what inserting that
//! tier does under the recursion. The preset's BTCUSDT is therefore the 2026-09-25 tiers 1–3
//! followed by the 2025-12-29 tiers from 3.2M up (tiers 4–36), whose deductions follow by
//! continuity (Bybit's 2026 mmDeduction for them was not observed, so none is written; the test
//! checks they come out as the 2025 column plus 510). Caveat: an api-testnet capture of 2026-09-17
//! shows the top re-cut (`{id 34, 800000000, 0.42, 1.43}`, `{id 35, 1200000000, 0.6, 1.00,
//! mmDeduction 242382510}`: the 0.42 tier reaching 800M, the 0.5 tier gone); mainnet's 2026 top
//! tiers were not seen, so above 600M the 2025 mainnet cut is kept. ETHUSDT and SOLUSDT are the
//! 2025-12-29 tables as captured (no newer capture was found); Bybit revises these without notice.

use super::{TableSet, TierRow, TierTable};
use liq_domain::VenuePreset;

/// BTCUSDT as the preset prices it: tiers 1–3 from the 2026-09-25 captures (with Bybit's
/// mmDeduction), then the 2025-12-29 tiers from 3.2M up, deductions by continuity (module doc).
pub const BTCUSDT_ROWS: &[TierRow] = &[
    TierRow::with_deduction(300_000.0, 0.0033, 150.0, 0.0),
    TierRow::with_deduction(2_000_000.0, 0.005, 100.0, 510.0),
    TierRow::with_deduction(2_600_000.0, 0.0056, 90.0, 1_710.0),
    TierRow::rate_only(3_200_000.0, 0.0063, 80.0),
    TierRow::rate_only(3_800_000.0, 0.0067, 75.0),
    TierRow::rate_only(4_400_000.0, 0.0071, 70.0),
    TierRow::rate_only(5_000_000.0, 0.0077, 65.0),
    TierRow::rate_only(5_600_000.0, 0.0091, 55.0),
    TierRow::rate_only(8_500_000.0, 0.01, 50.0),
    TierRow::rate_only(10_000_000.0, 0.013, 45.0),
    TierRow::rate_only(14_000_000.0, 0.015, 40.0),
    TierRow::rate_only(20_000_000.0, 0.016, 35.0),
    TierRow::rate_only(28_000_000.0, 0.02, 30.0),
    TierRow::rate_only(38_000_000.0, 0.025, 25.0),
    TierRow::rate_only(50_000_000.0, 0.029, 20.0),
    TierRow::rate_only(55_000_000.0, 0.03, 19.0),
    TierRow::rate_only(60_000_000.0, 0.035, 18.0),
    TierRow::rate_only(65_000_000.0, 0.036, 17.0),
    TierRow::rate_only(70_000_000.0, 0.038, 16.0),
    TierRow::rate_only(75_000_000.0, 0.04, 15.0),
    TierRow::rate_only(80_000_000.0, 0.045, 14.0),
    TierRow::rate_only(85_000_000.0, 0.05, 13.0),
    TierRow::rate_only(90_000_000.0, 0.055, 12.0),
    TierRow::rate_only(95_000_000.0, 0.06, 11.0),
    TierRow::rate_only(100_000_000.0, 0.065, 10.0),
    TierRow::rate_only(105_000_000.0, 0.07, 9.0),
    TierRow::rate_only(110_000_000.0, 0.085, 8.0),
    TierRow::rate_only(115_000_000.0, 0.095, 7.0),
    TierRow::rate_only(120_000_000.0, 0.1, 6.0),
    TierRow::rate_only(150_000_000.0, 0.12, 5.0),
    TierRow::rate_only(200_000_000.0, 0.14, 4.0),
    TierRow::rate_only(250_000_000.0, 0.18, 3.0),
    TierRow::rate_only(400_000_000.0, 0.3, 2.0),
    TierRow::rate_only(600_000_000.0, 0.42, 1.43),
    TierRow::rate_only(800_000_000.0, 0.5, 1.28),
    TierRow::rate_only(1_200_000_000.0, 0.6, 1.0),
];

/// BTCUSDT as captured on 2025-12-29, tiers 1–35 with Bybit's mmDeduction: the source of
/// [`BTCUSDT_ROWS`] from tier 4 up, kept whole so its own deduction column is checked.
pub const BTCUSDT_2025_12_29_ROWS: &[TierRow] = &[
    TierRow::with_deduction(2_000_000.0, 0.005, 100.0, 0.0),
    TierRow::with_deduction(2_600_000.0, 0.0056, 90.0, 1_200.0),
    TierRow::with_deduction(3_200_000.0, 0.0063, 80.0, 3_020.0),
    TierRow::with_deduction(3_800_000.0, 0.0067, 75.0, 4_300.0),
    TierRow::with_deduction(4_400_000.0, 0.0071, 70.0, 5_820.0),
    TierRow::with_deduction(5_000_000.0, 0.0077, 65.0, 8_460.0),
    TierRow::with_deduction(5_600_000.0, 0.0091, 55.0, 15_460.0),
    TierRow::with_deduction(8_500_000.0, 0.01, 50.0, 20_500.0),
    TierRow::with_deduction(10_000_000.0, 0.013, 45.0, 46_000.0),
    TierRow::with_deduction(14_000_000.0, 0.015, 40.0, 66_000.0),
    TierRow::with_deduction(20_000_000.0, 0.016, 35.0, 80_000.0),
    TierRow::with_deduction(28_000_000.0, 0.02, 30.0, 160_000.0),
    TierRow::with_deduction(38_000_000.0, 0.025, 25.0, 300_000.0),
    TierRow::with_deduction(50_000_000.0, 0.029, 20.0, 452_000.0),
    TierRow::with_deduction(55_000_000.0, 0.03, 19.0, 502_000.0),
    TierRow::with_deduction(60_000_000.0, 0.035, 18.0, 777_000.0),
    TierRow::with_deduction(65_000_000.0, 0.036, 17.0, 837_000.0),
    TierRow::with_deduction(70_000_000.0, 0.038, 16.0, 967_000.0),
    TierRow::with_deduction(75_000_000.0, 0.04, 15.0, 1_107_000.0),
    TierRow::with_deduction(80_000_000.0, 0.045, 14.0, 1_482_000.0),
    TierRow::with_deduction(85_000_000.0, 0.05, 13.0, 1_882_000.0),
    TierRow::with_deduction(90_000_000.0, 0.055, 12.0, 2_307_000.0),
    TierRow::with_deduction(95_000_000.0, 0.06, 11.0, 2_757_000.0),
    TierRow::with_deduction(100_000_000.0, 0.065, 10.0, 3_232_000.0),
    TierRow::with_deduction(105_000_000.0, 0.07, 9.0, 3_732_000.0),
    TierRow::with_deduction(110_000_000.0, 0.085, 8.0, 5_307_000.0),
    TierRow::with_deduction(115_000_000.0, 0.095, 7.0, 6_407_000.0),
    TierRow::with_deduction(120_000_000.0, 0.1, 6.0, 6_982_000.0),
    TierRow::with_deduction(150_000_000.0, 0.12, 5.0, 9_382_000.0),
    TierRow::with_deduction(200_000_000.0, 0.14, 4.0, 12_382_000.0),
    TierRow::with_deduction(250_000_000.0, 0.18, 3.0, 20_382_000.0),
    TierRow::with_deduction(400_000_000.0, 0.3, 2.0, 50_382_000.0),
    TierRow::with_deduction(600_000_000.0, 0.42, 1.43, 98_382_000.0),
    TierRow::with_deduction(800_000_000.0, 0.5, 1.28, 146_382_000.0),
    TierRow::with_deduction(1_200_000_000.0, 0.6, 1.0, 226_382_000.0),
];

/// ETHUSDT as captured on 2025-12-29 (risk ids 11–45): `(riskLimitValue, maintenanceMargin,
/// maxLeverage, mmDeduction)`.
pub const ETHUSDT_ROWS: &[TierRow] = &[
    TierRow::with_deduction(900_000.0, 0.005, 100.0, 0.0),
    TierRow::with_deduction(1_200_000.0, 0.0056, 90.0, 540.0),
    TierRow::with_deduction(1_500_000.0, 0.0063, 80.0, 1_380.0),
    TierRow::with_deduction(1_800_000.0, 0.0067, 75.0, 1_980.0),
    TierRow::with_deduction(2_400_000.0, 0.0071, 70.0, 2_700.0),
    TierRow::with_deduction(3_200_000.0, 0.0077, 65.0, 4_140.0),
    TierRow::with_deduction(4_000_000.0, 0.0091, 55.0, 8_620.0),
    TierRow::with_deduction(5_000_000.0, 0.01, 50.0, 12_220.0),
    TierRow::with_deduction(8_000_000.0, 0.012, 45.0, 22_220.0),
    TierRow::with_deduction(12_000_000.0, 0.013, 40.0, 30_220.0),
    TierRow::with_deduction(16_000_000.0, 0.014, 35.0, 42_220.0),
    TierRow::with_deduction(22_000_000.0, 0.015, 30.0, 58_220.0),
    TierRow::with_deduction(28_000_000.0, 0.02, 25.0, 168_220.0),
    TierRow::with_deduction(32_000_000.0, 0.025, 20.0, 308_220.0),
    TierRow::with_deduction(34_000_000.0, 0.03, 19.0, 468_220.0),
    TierRow::with_deduction(36_000_000.0, 0.033, 18.0, 570_220.0),
    TierRow::with_deduction(38_000_000.0, 0.035, 17.0, 642_220.0),
    TierRow::with_deduction(40_000_000.0, 0.038, 16.0, 756_220.0),
    TierRow::with_deduction(42_000_000.0, 0.039, 15.0, 796_220.0),
    TierRow::with_deduction(44_000_000.0, 0.042, 14.0, 922_220.0),
    TierRow::with_deduction(46_000_000.0, 0.045, 13.0, 1_054_220.0),
    TierRow::with_deduction(48_000_000.0, 0.05, 12.0, 1_284_220.0),
    TierRow::with_deduction(50_000_000.0, 0.055, 11.0, 1_524_220.0),
    TierRow::with_deduction(52_000_000.0, 0.06, 10.0, 1_774_220.0),
    TierRow::with_deduction(54_000_000.0, 0.068, 9.0, 2_190_220.0),
    TierRow::with_deduction(58_000_000.0, 0.075, 8.0, 2_568_220.0),
    TierRow::with_deduction(62_000_000.0, 0.09, 7.0, 3_438_220.0),
    TierRow::with_deduction(66_000_000.0, 0.1, 6.0, 4_058_220.0),
    TierRow::with_deduction(72_000_000.0, 0.12, 5.0, 5_378_220.0),
    TierRow::with_deduction(80_000_000.0, 0.14, 4.0, 6_818_220.0),
    TierRow::with_deduction(100_000_000.0, 0.18, 3.0, 10_018_220.0),
    TierRow::with_deduction(200_000_000.0, 0.3, 2.0, 22_018_220.0),
    TierRow::with_deduction(400_000_000.0, 0.42, 1.43, 46_018_220.0),
    TierRow::with_deduction(600_000_000.0, 0.5, 1.28, 78_018_220.0),
    TierRow::with_deduction(1_000_000_000.0, 0.6, 1.0, 138_018_220.0),
];

/// SOLUSDT as captured on 2025-12-29 (risk ids 281–315).
pub const SOLUSDT_ROWS: &[TierRow] = &[
    TierRow::with_deduction(50_000.0, 0.005, 100.0, 0.0),
    TierRow::with_deduction(100_000.0, 0.0056, 90.0, 30.0),
    TierRow::with_deduction(250_000.0, 0.0063, 80.0, 100.0),
    TierRow::with_deduction(400_000.0, 0.0067, 75.0, 200.0),
    TierRow::with_deduction(550_000.0, 0.0071, 70.0, 360.0),
    TierRow::with_deduction(700_000.0, 0.0077, 65.0, 690.0),
    TierRow::with_deduction(850_000.0, 0.0091, 55.0, 1_670.0),
    TierRow::with_deduction(1_000_000.0, 0.01, 50.0, 2_435.0),
    TierRow::with_deduction(2_000_000.0, 0.0111, 45.0, 3_535.0),
    TierRow::with_deduction(3_000_000.0, 0.0125, 40.0, 6_335.0),
    TierRow::with_deduction(4_000_000.0, 0.0143, 35.0, 11_735.0),
    TierRow::with_deduction(6_000_000.0, 0.0167, 30.0, 21_335.0),
    TierRow::with_deduction(8_000_000.0, 0.02, 25.0, 41_135.0),
    TierRow::with_deduction(10_000_000.0, 0.025, 20.0, 81_135.0),
    TierRow::with_deduction(12_000_000.0, 0.0263, 19.0, 94_135.0),
    TierRow::with_deduction(14_000_000.0, 0.0278, 18.0, 112_135.0),
    TierRow::with_deduction(16_000_000.0, 0.0294, 17.0, 134_535.0),
    TierRow::with_deduction(18_000_000.0, 0.0313, 16.0, 164_935.0),
    TierRow::with_deduction(20_000_000.0, 0.0333, 15.0, 200_935.0),
    TierRow::with_deduction(22_000_000.0, 0.0357, 14.0, 248_935.0),
    TierRow::with_deduction(24_000_000.0, 0.0385, 13.0, 310_535.0),
    TierRow::with_deduction(26_000_000.0, 0.0417, 12.0, 387_335.0),
    TierRow::with_deduction(28_000_000.0, 0.0455, 11.0, 486_135.0),
    TierRow::with_deduction(30_000_000.0, 0.05, 10.0, 612_135.0),
    TierRow::with_deduction(35_000_000.0, 0.0556, 9.0, 780_135.0),
    TierRow::with_deduction(40_000_000.0, 0.0625, 8.0, 1_021_635.0),
    TierRow::with_deduction(45_000_000.0, 0.0714, 7.0, 1_377_635.0),
    TierRow::with_deduction(50_000_000.0, 0.0833, 6.0, 1_913_135.0),
    TierRow::with_deduction(60_000_000.0, 0.1, 5.0, 2_748_135.0),
    TierRow::with_deduction(80_000_000.0, 0.125, 4.0, 4_248_135.0),
    TierRow::with_deduction(100_000_000.0, 0.1667, 3.0, 7_584_135.0),
    TierRow::with_deduction(150_000_000.0, 0.25, 2.0, 15_914_135.0),
    TierRow::with_deduction(200_000_000.0, 0.3497, 1.43, 30_869_135.0),
    TierRow::with_deduction(250_000_000.0, 0.3906, 1.28, 39_049_135.0),
    TierRow::with_deduction(300_000_000.0, 0.5, 1.0, 66_399_135.0),
];

/// The date of the whole-table capture (ETHUSDT, SOLUSDT, BTCUSDT from tier 4).
const OBSERVED_TABLES: &str = "2025-12-29";
/// The date of the newest BTCUSDT capture (its tiers 1–3).
const OBSERVED_BTC_FIRST_TIERS: &str = "2026-09-25";

const SOURCE_TABLES: &str = "Bybit GET /v5/market/risk-limit (linear) as cached by freqtrade/ccxt in \
    github.com/erikubingf-del/tradingtest user_data/data/bybit/futures/leverage_tiers_USDT.json, \
    commit 30f372055f2e4695ecd9d75d0d2cd39319579ce1 (updated 2025-12-29 12:05:23 UTC); formula: \
    Bybit \"Margin Parameters\"";

pub const BTCUSDT: TierTable = TierTable {
    venue: VenuePreset::Bybit,
    symbol: "BTCUSDT",
    base: "BTC",
    rows: BTCUSDT_ROWS,
    source: "Bybit GET /v5/market/risk-limit (linear, BTCUSDT): tiers 1-3 as captured 2026-09-25 in \
        public client fixtures; tiers 4-36 = tiers 3-35 of the 2025-12-29 capture cached by \
        freqtrade/ccxt in github.com/erikubingf-del/tradingtest \
        user_data/data/bybit/futures/leverage_tiers_USDT.json, commit \
        30f372055f2e4695ecd9d75d0d2cd39319579ce1; formula: Bybit \"Margin Parameters\"",
    // The latest date the table's rows pin down; the source names both captures.
    observed: OBSERVED_BTC_FIRST_TIERS,
};

pub const ETHUSDT: TierTable = TierTable {
    venue: VenuePreset::Bybit,
    symbol: "ETHUSDT",
    base: "ETH",
    rows: ETHUSDT_ROWS,
    source: SOURCE_TABLES,
    observed: OBSERVED_TABLES,
};

pub const SOLUSDT: TierTable = TierTable {
    venue: VenuePreset::Bybit,
    symbol: "SOLUSDT",
    base: "SOL",
    rows: SOLUSDT_ROWS,
    source: SOURCE_TABLES,
    observed: OBSERVED_TABLES,
};

/// The Bybit preset's tables. The set's date is the whole-table capture's: every row of the set
/// was observed then or later (BTCUSDT's first three tiers on 2026-09-25).
pub const TABLE_SET: TableSet = TableSet {
    venue: VenuePreset::Bybit,
    name: "bybit-usdt-perpetual-risk-limits",
    observed: OBSERVED_TABLES,
    tables: &[BTCUSDT, ETHUSDT, SOLUSDT],
};

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::RiskLadder;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// The ladder of published rows, each published deduction checked against continuity.
    fn checked_ladder(name: &str, rows: &[TierRow]) -> RiskLadder {
        let caps: Vec<(f64, f64, f64)> =
            rows.iter().map(|r| (r.cap_notional, r.mmr, r.max_leverage)).collect();
        let ladder = RiskLadder::from_caps(&caps).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (i, (row, tier)) in rows.iter().zip(ladder.tiers()).enumerate() {
            let d = row.published_deduction.unwrap_or_else(|| panic!("{name} tier {}: no deduction", i + 1));
            assert!(
                close(d, tier.maintenance_amount, 0.01),
                "{name} tier {}: published mmDeduction {d} vs continuity {}",
                i + 1,
                tier.maintenance_amount
            );
        }
        ladder
    }

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

    #[test]
    fn btcusdt_splice_keeps_the_2025_tiers_shifted_by_the_new_first_tier() {
        // The 2025-12-29 capture's own mmDeduction column satisfies the recursion, 35 tiers.
        let old = checked_ladder("BTCUSDT 2025-12-29", BTCUSDT_2025_12_29_ROWS);
        assert_eq!(old.tiers().len(), 35);
        let new = BTCUSDT.ladder().unwrap();
        assert_eq!(new.tiers().len(), 36);
        // Tier k+1 of the preset is tier k of the capture (caps, rates, leverage), k ≥ 1; its
        // deduction is the capture's plus the one the inserted 300k/0.33% tier adds, by hand
        // 300,000 × (0.5% − 0.33%) = 510. For k = 1, 2 both captures publish it: 0 + 510, 1,200 + 510.
        for (k, row) in BTCUSDT_2025_12_29_ROWS.iter().enumerate() {
            let t = &new.tiers()[k + 1];
            assert_eq!(
                (t.cap_notional, t.mmr, t.max_leverage),
                (row.cap_notional, row.mmr, row.max_leverage)
            );
            let d = row.published_deduction.unwrap() + 510.0;
            assert!(close(t.maintenance_amount, d, 0.01), "tier {}: {} vs {d}", k + 2, t.maintenance_amount);
        }
        // Hand-worked: a 10,000,000 USDT BTCUSDT position is in the 8.5M–10M tier (1.3%, 2025
        // mmDeduction 46,000, so 46,510 now): 10,000,000 × 1.3% − 46,510 = 130,000 − 46,510
        // = 83,490 USDT. Continuous at the boundary: the next tier (1.5%, 66,510) gives
        // 150,000 − 66,510 = 83,490 too.
        assert!(close(new.maintenance_margin(10_000_000.0), 83_490.0, 1e-6));
        assert!(close(10_000_000.0 * 0.015 - new.tiers()[10].maintenance_amount, 83_490.0, 1e-6));
        assert_eq!(new.position_limit(), 1_200_000_000.0);
    }

    #[test]
    fn ethusdt_table_by_hand() {
        let l = checked_ladder("ETHUSDT", ETHUSDT_ROWS);
        assert_eq!(l.tiers().len(), 35);
        // The recursion by hand: tier 2: 900,000 × (0.56% − 0.5%) = 540; tier 3: 540 +
        // 1,200,000 × (0.63% − 0.56%) = 540 + 840 = 1,380 — the API's mmDeduction.
        assert!(close(l.tiers()[1].maintenance_amount, 540.0, 1e-9));
        assert!(close(l.tiers()[2].maintenance_amount, 1_380.0, 1e-9));
        // Hand-worked: 3,000,000 USDT of ETHUSDT is in the 2.4M–3.2M tier (0.77%, 65×,
        // mmDeduction 4,140): 3,000,000 × 0.77% − 4,140 = 23,100 − 4,140 = 18,960 USDT.
        assert_eq!(l.tier(3_000_000.0).mmr, 0.0077);
        assert!(close(l.maintenance_margin(3_000_000.0), 18_960.0, 1e-6));
        assert_eq!(l.position_limit(), 1_000_000_000.0);
    }

    #[test]
    fn solusdt_table_by_hand() {
        let l = checked_ladder("SOLUSDT", SOLUSDT_ROWS);
        assert_eq!(l.tiers().len(), 35);
        // By hand: tier 2: 50,000 × (0.56% − 0.5%) = 30; tier 3: 30 + 100,000 × (0.63% − 0.56%)
        // = 30 + 70 = 100 — the API's mmDeduction.
        assert!(close(l.tiers()[1].maintenance_amount, 30.0, 1e-9));
        assert!(close(l.tiers()[2].maintenance_amount, 100.0, 1e-9));
        // Hand-worked: 1,500,000 USDT of SOLUSDT is in the 1M–2M tier (1.11%, 45×, mmDeduction
        // 3,535): 1,500,000 × 1.11% − 3,535 = 16,650 − 3,535 = 13,115 USDT.
        assert_eq!(l.tier(1_500_000.0).mmr, 0.0111);
        assert!(close(l.maintenance_margin(1_500_000.0), 13_115.0, 1e-6));
        assert_eq!(l.position_limit(), 300_000_000.0);
    }

    #[test]
    fn the_default_markets_all_have_a_bybit_table() {
        for s in ["BTCUSDT", "ETHUSDT", "SOLUSDT"] {
            assert_eq!(super::super::for_market(VenuePreset::Bybit, s).unwrap().symbol, s);
        }
    }
}
