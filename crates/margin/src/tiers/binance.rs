//! Binance USDⓈ-M perpetuals: leverage and margin brackets (`GET /fapi/v1/leverageBracket`).
//!
//! Binance's maintenance margin is `notional × maintMarginRatio − cum` of the bracket the
//! notional falls in, `cum[i] = cum[i−1] + floor[i] × (mmr[i] − mmr[i−1])` (Binance Support, "How
//! to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
//! <https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93>, which works Level 3's
//! maintenance amount as 250,000 × (1% − 0.5%) + 50 = 1,300). The `cum` column below is Binance's
//! own, kept to be checked against that rule.
//!
//! Source of the current tables: the `GET /fapi/v1/leverageBracket` answer as freqtrade's bot
//! dumps it weekly into `freqtrade/exchange/binance_leverage_tiers.json` — commit
//! 2832c6b8588dbbf35d5e66e28a679fa99255ef32 ("Freqtrade Bot", 2026-03-05 04:12 UTC), read from the
//! copy of freqtrade in github.com/ymcbzrgn/HydraQuant (the upstream mirror available here stops
//! at 2024-10-24). Keys `BTC/USDT:USDT`, `ETH/USDT:USDT`, `SOL/USDT:USDT`; the `cum` column is the
//! dump's `info.cum`. Observed: 2026-03-05. Binance revises these without notice.

use super::{TableSet, TierRow, TierTable};
use liq_domain::VenuePreset;

const SOURCE: &str = "Binance GET /fapi/v1/leverageBracket as dumped in freqtrade \
    freqtrade/exchange/binance_leverage_tiers.json, commit 2832c6b8588dbbf35d5e66e28a679fa99255ef32 \
    (2026-03-05)";
const OBSERVED: &str = "2026-03-05";

/// BTCUSDT: `(notional cap, maintenance rate, max leverage, cum)`, brackets 1–12.
pub const BTCUSDT_ROWS: &[TierRow] = &[
    TierRow::with_deduction(300_000.0, 0.004, 150.0, 0.0),
    TierRow::with_deduction(800_000.0, 0.005, 100.0, 300.0),
    TierRow::with_deduction(3_000_000.0, 0.0065, 75.0, 1_500.0),
    TierRow::with_deduction(12_000_000.0, 0.01, 50.0, 12_000.0),
    TierRow::with_deduction(70_000_000.0, 0.02, 25.0, 132_000.0),
    TierRow::with_deduction(100_000_000.0, 0.025, 20.0, 482_000.0),
    TierRow::with_deduction(230_000_000.0, 0.05, 10.0, 2_982_000.0),
    TierRow::with_deduction(480_000_000.0, 0.1, 5.0, 14_482_000.0),
    TierRow::with_deduction(600_000_000.0, 0.125, 4.0, 26_482_000.0),
    TierRow::with_deduction(800_000_000.0, 0.15, 3.0, 41_482_000.0),
    TierRow::with_deduction(1_200_000_000.0, 0.25, 2.0, 121_482_000.0),
    TierRow::with_deduction(1_800_000_000.0, 0.5, 1.0, 421_482_000.0),
];

/// ETHUSDT, brackets 1–12.
pub const ETHUSDT_ROWS: &[TierRow] = &[
    TierRow::with_deduction(300_000.0, 0.004, 150.0, 0.0),
    TierRow::with_deduction(800_000.0, 0.005, 100.0, 300.0),
    TierRow::with_deduction(3_000_000.0, 0.0065, 75.0, 1_500.0),
    TierRow::with_deduction(12_000_000.0, 0.01, 50.0, 12_000.0),
    TierRow::with_deduction(50_000_000.0, 0.02, 25.0, 132_000.0),
    TierRow::with_deduction(65_000_000.0, 0.025, 20.0, 382_000.0),
    TierRow::with_deduction(150_000_000.0, 0.05, 10.0, 2_007_000.0),
    TierRow::with_deduction(320_000_000.0, 0.1, 5.0, 9_507_000.0),
    TierRow::with_deduction(400_000_000.0, 0.125, 4.0, 17_507_000.0),
    TierRow::with_deduction(530_000_000.0, 0.15, 3.0, 27_507_000.0),
    TierRow::with_deduction(800_000_000.0, 0.25, 2.0, 80_507_000.0),
    TierRow::with_deduction(1_200_000_000.0, 0.5, 1.0, 280_507_000.0),
];

/// SOLUSDT, brackets 1–10.
pub const SOLUSDT_ROWS: &[TierRow] = &[
    TierRow::with_deduction(50_000.0, 0.005, 100.0, 0.0),
    TierRow::with_deduction(400_000.0, 0.0065, 75.0, 75.0),
    TierRow::with_deduction(1_000_000.0, 0.01, 50.0, 1_475.0),
    TierRow::with_deduction(4_000_000.0, 0.02, 25.0, 11_475.0),
    TierRow::with_deduction(8_000_000.0, 0.025, 20.0, 31_475.0),
    TierRow::with_deduction(40_000_000.0, 0.05, 10.0, 231_475.0),
    TierRow::with_deduction(80_000_000.0, 0.1, 5.0, 2_231_475.0),
    TierRow::with_deduction(100_000_000.0, 0.125, 4.0, 4_231_475.0),
    TierRow::with_deduction(200_000_000.0, 0.25, 2.0, 16_731_475.0),
    TierRow::with_deduction(400_000_000.0, 0.5, 1.0, 66_731_475.0),
];

const fn table(symbol: &'static str, base: &'static str, rows: &'static [TierRow]) -> TierTable {
    TierTable { venue: VenuePreset::Binance, symbol, base, rows, source: SOURCE, observed: OBSERVED }
}

pub const BTCUSDT: TierTable = table("BTCUSDT", "BTC", BTCUSDT_ROWS);
pub const ETHUSDT: TierTable = table("ETHUSDT", "ETH", ETHUSDT_ROWS);
pub const SOLUSDT: TierTable = table("SOLUSDT", "SOL", SOLUSDT_ROWS);

/// The Binance preset's tables.
pub const TABLE_SET: TableSet = TableSet {
    venue: VenuePreset::Binance,
    name: "binance-usdm-leverage-brackets",
    observed: OBSERVED,
    tables: &[BTCUSDT, ETHUSDT, SOLUSDT],
};

/// The BTCUSDT brackets the project used before the 2026 table: same dump, freqtrade commit
/// 01d10aebcab25c526473c603a88e14eb7d9699cc, observed 2024 Q3 (the dump still lists the
/// BTCUSDT_240927 quarterly, so it predates 2024-09-27). Not part of the preset; kept because the
/// hand-worked Binance liquidation examples in `tests/venue_examples.rs` are worked on it.
pub const BTCUSDT_2024Q3: TierTable = TierTable {
    venue: VenuePreset::Binance,
    symbol: "BTCUSDT",
    base: "BTC",
    rows: &[
        TierRow::with_deduction(50_000.0, 0.004, 125.0, 0.0),
        TierRow::with_deduction(600_000.0, 0.005, 100.0, 50.0),
        TierRow::with_deduction(3_000_000.0, 0.0065, 75.0, 950.0),
        TierRow::with_deduction(12_000_000.0, 0.01, 50.0, 11_450.0),
        TierRow::with_deduction(70_000_000.0, 0.02, 25.0, 131_450.0),
        TierRow::with_deduction(100_000_000.0, 0.025, 20.0, 481_450.0),
        TierRow::with_deduction(230_000_000.0, 0.05, 10.0, 2_981_450.0),
        TierRow::with_deduction(480_000_000.0, 0.10, 5.0, 14_481_450.0),
        TierRow::with_deduction(600_000_000.0, 0.125, 4.0, 26_481_450.0),
        TierRow::with_deduction(800_000_000.0, 0.15, 3.0, 41_481_450.0),
        TierRow::with_deduction(1_200_000_000.0, 0.25, 2.0, 121_481_450.0),
        TierRow::with_deduction(1_800_000_000.0, 0.50, 1.0, 421_481_450.0),
    ],
    source: "Binance GET /fapi/v1/leverageBracket as dumped in freqtrade \
        freqtrade/exchange/binance_leverage_tiers.json, commit 01d10aebcab25c526473c603a88e14eb7d9699cc",
    observed: "2024-Q3",
};

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::{RiskLadder, RiskTier};

    #[test]
    fn published_cum_passes_the_domain_check_as_given() {
        // Feed Binance's cum straight into `RiskLadder::new` (not re-derived), so the domain's own
        // continuity check judges Binance's column.
        for t in TABLE_SET.tables.iter().chain([&BTCUSDT_2024Q3]) {
            let mut floor = 0.0;
            let tiers: Vec<RiskTier> = t
                .rows
                .iter()
                .map(|r| {
                    let tier = RiskTier {
                        floor_notional: floor,
                        cap_notional: r.cap_notional,
                        mmr: r.mmr,
                        maintenance_amount: r.published_deduction.unwrap(),
                        max_leverage: r.max_leverage,
                    };
                    floor = r.cap_notional;
                    tier
                })
                .collect();
            assert!(RiskLadder::new(tiers).is_ok(), "{}", t.name());
        }
    }

    #[test]
    fn hand_checked_cum_steps() {
        // By hand, 2026 BTCUSDT bracket 2: 300,000 × (0.5% − 0.4%) = 300; bracket 3:
        // 300 + 800,000 × (0.65% − 0.5%) = 300 + 1,200 = 1,500.
        // SOLUSDT bracket 3: 75 + 400,000 × (1% − 0.65%) = 75 + 1,400 = 1,475.
        let btc = BTCUSDT.ladder().unwrap();
        assert!((btc.tiers()[1].maintenance_amount - 300.0).abs() < 1e-9);
        assert!((btc.tiers()[2].maintenance_amount - 1_500.0).abs() < 1e-9);
        let sol = SOLUSDT.ladder().unwrap();
        assert!((sol.tiers()[2].maintenance_amount - 1_475.0).abs() < 1e-9);
        // 2024 BTCUSDT bracket 3: 50 + 600,000 × (0.65% − 0.5%) = 950.
        let old = BTCUSDT_2024Q3.ladder().unwrap();
        assert!((old.tiers()[2].maintenance_amount - 950.0).abs() < 1e-9);
    }

    #[test]
    fn binance_2021_announcement_table_and_faq_level3_example() {
        // Binance, "Updates to Leverage and Margin Tiers of Binance Futures Contracts (2021-03-18)",
        // https://www.binance.com/tr/support/announcement/86cf9aa472574b8cb2e05bb751c2a9a6 —
        // BTCUSDT 125x tiers effective 2021-03-18 09:00 UTC (caps, leverage, maintenance rate).
        // The FAQ above works the maintenance amount of Level 3 as 250,000 × (1% − 0.5%) + 50 =
        // 1,300 USDT. The cum column is the one reverse-engineered from Binance's web app on
        // 2021-03-26 (gist.github.com/highfestiva/b71e76f51eed84d56c1be8ebbcc286b5).
        let rows: [(f64, f64, f64, f64); 10] = [
            (50_000.0, 0.004, 125.0, 0.0),
            (250_000.0, 0.005, 100.0, 50.0),
            (1_000_000.0, 0.01, 50.0, 1_300.0),
            (10_000_000.0, 0.025, 20.0, 16_300.0),
            (20_000_000.0, 0.05, 10.0, 266_300.0),
            (50_000_000.0, 0.10, 5.0, 1_266_300.0),
            (100_000_000.0, 0.125, 4.0, 2_516_300.0),
            (200_000_000.0, 0.15, 3.0, 5_016_300.0),
            (300_000_000.0, 0.25, 2.0, 25_016_300.0),
            (500_000_000.0, 0.50, 1.0, 100_016_300.0),
        ];
        let caps: Vec<_> = rows.iter().map(|&(c, m, l, _)| (c, m, l)).collect();
        let ladder = RiskLadder::from_caps(&caps).unwrap();
        for (row, tier) in rows.iter().zip(ladder.tiers()) {
            assert!((row.3 - tier.maintenance_amount).abs() < 0.01);
        }
        assert_eq!(ladder.tiers()[2].maintenance_amount, 1_300.0);
        // The FAQ's other example: a 264,000 USDT position falls in the 1% bracket.
        assert_eq!(ladder.tier(264_000.0).mmr, 0.01);
    }
}
