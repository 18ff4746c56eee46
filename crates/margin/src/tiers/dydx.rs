//! dYdX v4 perpetuals: liquidity tiers (the `perpetuals` module's `liquidity_tiers`).
//!
//! dYdX v4's maintenance margin requirement of a position is `|S × P × M|` (size, oracle price,
//! maintenance margin fraction) and its initial requirement `|S × P × I|` (dYdX Docs, "Margin",
//! <https://docs.dydx.exchange/concepts-trading/margin>: "With the removal of nonlinear margin
//! scaling, the IMF and MMF are now consistent across all position sizes"). `M = I ×
//! maintenance_fraction` of the market's liquidity tier (`maintenance_fraction_ppm`: "the fraction
//! of the initial-margin that the maintenance-margin is"). One rate for every size: a one-tier
//! ladder with deduction 0, cap [`super::NO_PUBLISHED_LIMIT`] (no position limit is published).
//!
//! Source: dydxprotocol/v4-chain `protocol/testing/genesis.sh` at commit
//! 7117942b64eb6363c64c81629cbf1830792601e9 (2024-12-12; unchanged at the repository's
//! 84d4664bae71e3a077adaac67fb77ad19cd28d30 of 2026-03-04), the software's shared genesis:
//! - liquidity tier 0 "Large-Cap": `initial_margin_ppm` 20000 (2%), `maintenance_fraction_ppm`
//!   600000 (60% of IM) → MMF 1.2%, 50x; open-interest IMF scaling off (`open_interest_*_cap` 0);
//! - liquidity tier 1 "Small-Cap": 100000 (10%), 500000 (50%) → MMF 5%, 10x;
//! - BTC-USD and ETH-USD are in tier 0, SOL-USD in tier 1.
//!
//! Assumed where the repository is silent: mainnet parameters are set by governance, not by this
//! file. The genesis of dydx-mainnet-1 (`protocol/testing/mainnet/genesis.json`, 2023-10-26) had
//! Large-Cap at 5% / 60%; a governance proposal on the dYdX forum ("Liquidity Tier Maintenance")
//! moved SOL-USD to a "Mid-Cap" tier 5 (5% / 60% → MMF 3%), which genesis.sh also defines. The
//! preset follows genesis.sh; a scenario wanting SOL at Mid-Cap gives it `[{cap_notional = 1e15,
//! mmr = 0.03, max_leverage = 20}]`. Open-interest-based IMF scaling (Small-Cap between 20M and
//! 50M USDC of open notional) moves only the initial margin, which no trigger uses; not modelled.

use super::{TableSet, TierRow, TierTable, NO_PUBLISHED_LIMIT};
use liq_domain::VenuePreset;

const SOURCE: &str = "dydxprotocol/v4-chain protocol/testing/genesis.sh, commit \
    7117942b64eb6363c64c81629cbf1830792601e9 (liquidity tiers; MMF = IMF x maintenance fraction)";
const OBSERVED: &str = "2024-12-12";

/// A liquidity tier as the genesis writes it, in parts per million.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidityTier {
    pub id: u32,
    pub name: &'static str,
    pub initial_margin_ppm: u64,
    pub maintenance_fraction_ppm: u64,
}

impl LiquidityTier {
    /// Maintenance margin fraction, `IMF × fraction` (exact in ppm arithmetic first).
    pub fn maintenance_margin_fraction(&self) -> f64 {
        (self.initial_margin_ppm * self.maintenance_fraction_ppm / 1_000_000) as f64 / 1e6
    }

    pub fn initial_margin_fraction(&self) -> f64 {
        self.initial_margin_ppm as f64 / 1e6
    }
}

pub const LARGE_CAP: LiquidityTier =
    LiquidityTier { id: 0, name: "Large-Cap", initial_margin_ppm: 20_000, maintenance_fraction_ppm: 600_000 };
pub const SMALL_CAP: LiquidityTier = LiquidityTier {
    id: 1,
    name: "Small-Cap",
    initial_margin_ppm: 100_000,
    maintenance_fraction_ppm: 500_000,
};

/// Large-Cap: MMF 2% × 60% = 1.2%, max leverage 1 / 2% = 50.
pub const LARGE_CAP_ROWS: &[TierRow] = &[TierRow::rate_only(NO_PUBLISHED_LIMIT, 0.012, 50.0)];
/// Small-Cap: MMF 10% × 50% = 5%, max leverage 1 / 10% = 10.
pub const SMALL_CAP_ROWS: &[TierRow] = &[TierRow::rate_only(NO_PUBLISHED_LIMIT, 0.05, 10.0)];

const fn table(symbol: &'static str, base: &'static str, rows: &'static [TierRow]) -> TierTable {
    TierTable { venue: VenuePreset::Dydx, symbol, base, rows, source: SOURCE, observed: OBSERVED }
}

pub const BTC_USD: TierTable = table("BTC-USD", "BTC", LARGE_CAP_ROWS);
pub const ETH_USD: TierTable = table("ETH-USD", "ETH", LARGE_CAP_ROWS);
pub const SOL_USD: TierTable = table("SOL-USD", "SOL", SMALL_CAP_ROWS);

/// The dYdX preset's tables.
pub const TABLE_SET: TableSet = TableSet {
    venue: VenuePreset::Dydx,
    name: "dydx-v4-liquidity-tiers",
    observed: OBSERVED,
    tables: &[BTC_USD, ETH_USD, SOL_USD],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_the_liquidity_tiers() {
        for (tier, rows) in [(LARGE_CAP, LARGE_CAP_ROWS), (SMALL_CAP, SMALL_CAP_ROWS)] {
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].mmr, tier.maintenance_margin_fraction(), "{}", tier.name);
            assert_eq!(rows[0].max_leverage, 1.0 / tier.initial_margin_fraction(), "{}", tier.name);
        }
        // By hand: 20,000 ppm × 600,000 ppm = 12,000 ppm = 1.2%; 100,000 × 500,000 → 5%.
        assert_eq!(LARGE_CAP.maintenance_margin_fraction(), 0.012);
        assert_eq!(SMALL_CAP.maintenance_margin_fraction(), 0.05);
    }

    #[test]
    fn maintenance_is_linear_in_notional() {
        // dYdX's MMR = |S × P × M|, hand-worked: 2 BTC at 60,000 → 120,000 × 1.2% = 1,440; the
        // same at 100M of notional: 1.2M — no tier step, no deduction.
        let l = BTC_USD.ladder().unwrap();
        assert!((l.maintenance_margin(120_000.0) - 1_440.0).abs() < 1e-9);
        assert!((l.maintenance_margin(1e8) - 1.2e6).abs() < 1e-6);
    }
}
