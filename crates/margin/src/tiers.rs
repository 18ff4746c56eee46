//! Published risk-limit ladders ("leverage and margin brackets") of Binance USDⓈ-M perpetuals.
//!
//! The default scenario prices liquidations with these tables, so each one is kept exactly as the
//! venue published it — notional cap, maintenance margin rate, max leverage and the maintenance
//! amount `cum` — with its source and the date it was observed next to it. The ladder itself is
//! rebuilt from `(cap, mmr, leverage)` by continuity ([`RiskLadder::from_caps`]); the published
//! `cum` column is kept alongside only so the tests can check that Binance's numbers and the
//! continuity rule agree (they do, to the cent). A table that stopped agreeing would mean a typo
//! here, and every liquidation price above the bad tier would be wrong.
//!
//! Binance revises these tables without notice; a scenario that needs today's brackets should
//! load them from `GET /fapi/v1/leverageBracket` instead of relying on this snapshot.

use liq_domain::RiskLadder;

/// One published bracket row: `(notional cap USD, maintenance margin rate, max leverage,
/// published maintenance amount "cum" USD)`.
pub type BracketRow = (f64, f64, f64, f64);

/// BTCUSDT perpetual.
///
/// Source: Binance `GET /fapi/v1/leverageBracket` as dumped in freqtrade's
/// `freqtrade/exchange/binance_leverage_tiers.json` (github.com/freqtrade/freqtrade, commit
/// 01d10aebcab25c526473c603a88e14eb7d9699cc), key `BTC/USDT:USDT`. Observed: 2024 Q3 — the same
/// dump lists the BTCUSDT_240927 and BTCUSDT_241227 quarterlies, so it predates 2024-09-27.
pub const BINANCE_BTCUSDT: &[BracketRow] = &[
    (50_000.0, 0.004, 125.0, 0.0),
    (600_000.0, 0.005, 100.0, 50.0),
    (3_000_000.0, 0.0065, 75.0, 950.0),
    (12_000_000.0, 0.01, 50.0, 11_450.0),
    (70_000_000.0, 0.02, 25.0, 131_450.0),
    (100_000_000.0, 0.025, 20.0, 481_450.0),
    (230_000_000.0, 0.05, 10.0, 2_981_450.0),
    (480_000_000.0, 0.10, 5.0, 14_481_450.0),
    (600_000_000.0, 0.125, 4.0, 26_481_450.0),
    (800_000_000.0, 0.15, 3.0, 41_481_450.0),
    (1_200_000_000.0, 0.25, 2.0, 121_481_450.0),
    (1_800_000_000.0, 0.50, 1.0, 421_481_450.0),
];

/// ETHUSDT perpetual. Same source and date as [`BINANCE_BTCUSDT`], key `ETH/USDT:USDT`.
pub const BINANCE_ETHUSDT: &[BracketRow] = &[
    (50_000.0, 0.004, 125.0, 0.0),
    (600_000.0, 0.005, 100.0, 50.0),
    (3_000_000.0, 0.0065, 75.0, 950.0),
    (12_000_000.0, 0.01, 50.0, 11_450.0),
    (50_000_000.0, 0.02, 25.0, 131_450.0),
    (65_000_000.0, 0.025, 20.0, 381_450.0),
    (150_000_000.0, 0.05, 10.0, 2_006_450.0),
    (320_000_000.0, 0.10, 5.0, 9_506_450.0),
    (400_000_000.0, 0.125, 4.0, 17_506_450.0),
    (530_000_000.0, 0.15, 3.0, 27_506_450.0),
    (800_000_000.0, 0.25, 2.0, 80_506_450.0),
    (1_200_000_000.0, 0.50, 1.0, 280_506_450.0),
];

/// SOLUSDT perpetual. Same source and date as [`BINANCE_BTCUSDT`], key `SOL/USDT:USDT`.
pub const BINANCE_SOLUSDT: &[BracketRow] = &[
    (20_000.0, 0.005, 100.0, 0.0),
    (100_000.0, 0.0065, 75.0, 30.0),
    (800_000.0, 0.01, 50.0, 380.0),
    (4_000_000.0, 0.02, 25.0, 8_380.0),
    (8_000_000.0, 0.025, 20.0, 28_380.0),
    (40_000_000.0, 0.05, 10.0, 228_380.0),
    (80_000_000.0, 0.10, 5.0, 2_228_380.0),
    (100_000_000.0, 0.125, 4.0, 4_228_380.0),
    (200_000_000.0, 0.25, 2.0, 16_728_380.0),
    (400_000_000.0, 0.50, 1.0, 66_728_380.0),
];

/// The published bracket rows of a Binance USDⓈ-M symbol, if this crate carries them.
pub fn binance_bracket_rows(symbol: &str) -> Option<&'static [BracketRow]> {
    match symbol.trim().to_ascii_uppercase().as_str() {
        "BTCUSDT" => Some(BINANCE_BTCUSDT),
        "ETHUSDT" => Some(BINANCE_ETHUSDT),
        "SOLUSDT" => Some(BINANCE_SOLUSDT),
        _ => None,
    }
}

/// The risk-limit ladder of a Binance USDⓈ-M symbol (`BTCUSDT`, `ETHUSDT`, `SOLUSDT`), built
/// from its published brackets. `None` for any other symbol.
pub fn binance_brackets(symbol: &str) -> Option<RiskLadder> {
    let rows = binance_bracket_rows(symbol)?;
    let caps: Vec<(f64, f64, f64)> = rows.iter().map(|&(cap, mmr, lev, _)| (cap, mmr, lev)).collect();
    // The tables are constants checked by the tests below, so this cannot fail in practice;
    // `ok()` keeps the function panic-free should someone edit a row badly.
    RiskLadder::from_caps(&caps).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::RiskTier;

    const SYMBOLS: [&str; 3] = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];

    #[test]
    fn every_published_table_builds_a_valid_ladder() {
        for s in SYMBOLS {
            let ladder = binance_brackets(s).unwrap_or_else(|| panic!("{s} ladder rejected"));
            assert_eq!(ladder.tiers().len(), binance_bracket_rows(s).unwrap().len(), "{s}");
        }
        assert_eq!(binance_brackets("btcusdt"), binance_brackets("BTCUSDT"));
        assert!(binance_brackets("DOGEUSDT").is_none());
    }

    #[test]
    fn published_cum_equals_continuity_derived_cum() {
        for s in SYMBOLS {
            let rows = binance_bracket_rows(s).unwrap();
            let ladder = binance_brackets(s).unwrap();
            for (i, (row, tier)) in rows.iter().zip(ladder.tiers()).enumerate() {
                assert!(
                    (row.3 - tier.maintenance_amount).abs() < 0.01,
                    "{s} tier {}: published cum {} vs derived {}",
                    i + 1,
                    row.3,
                    tier.maintenance_amount
                );
            }
        }
    }

    #[test]
    fn published_rows_pass_validation_as_given() {
        // Feed the published cum straight into `RiskLadder::new` (not re-derived), so the
        // domain's own continuity check judges Binance's column.
        for s in SYMBOLS {
            let rows = binance_bracket_rows(s).unwrap();
            let mut floor = 0.0;
            let tiers: Vec<RiskTier> = rows
                .iter()
                .map(|&(cap, mmr, lev, cum)| {
                    let t = RiskTier {
                        floor_notional: floor,
                        cap_notional: cap,
                        mmr,
                        maintenance_amount: cum,
                        max_leverage: lev,
                    };
                    floor = cap;
                    t
                })
                .collect();
            assert!(RiskLadder::new(tiers).is_ok(), "{s}");
        }
    }

    #[test]
    fn hand_checked_cum_steps() {
        // BTCUSDT tier 3 by hand: 50 + 600,000 × (0.65% − 0.5%) = 50 + 900 = 950.
        // SOLUSDT tier 4 by hand: 380 + 800,000 × (2% − 1%) = 380 + 8,000 = 8,380.
        let btc = binance_brackets("BTCUSDT").unwrap();
        assert!((btc.tiers()[2].maintenance_amount - 950.0).abs() < 1e-9);
        let sol = binance_brackets("SOLUSDT").unwrap();
        assert!((sol.tiers()[3].maintenance_amount - 8_380.0).abs() < 1e-9);
    }

    #[test]
    fn binance_2021_announcement_table_and_faq_level3_example() {
        // Binance, "Updates to Leverage and Margin Tiers of Binance Futures Contracts (2021-03-18)",
        // https://www.binance.com/tr/support/announcement/86cf9aa472574b8cb2e05bb751c2a9a6 —
        // BTCUSDT 125x tiers effective 2021-03-18 09:00 UTC (caps, leverage, maintenance rate).
        // Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
        // https://www.binance.com/en-NG/support/faq/b3c689c1f50a44cabb3a84e663b81d93, works the
        // maintenance amount of Level 3 as 250,000 × (1% − 0.5%) + 50 = 1,300 USDT.
        // The cum column below is the one reverse-engineered from Binance's web app on 2021-03-26
        // (gist.github.com/highfestiva/b71e76f51eed84d56c1be8ebbcc286b5).
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
