//! Aave v3 Ethereum (Core market) reserve parameters as Aave's own governance tooling records
//! them: the values a lending scenario of WETH and WBTC collateral should carry.
//!
//! This module owns the published table and its provenance; the rules that use the values are
//! `liq_margin::lending` (from Aave's code), the scenario carries them per reserve
//! (`liq_domain::LendingReserve`), and `crates/io/tests/lending_file.rs` checks that
//! `examples/aave-v3.toml` states these values.
//!
//! Source: bgd-labs/aave-proposals-v3 (Aave's governance payload repository, whose tests write a
//! snapshot of every reserve's configuration read from mainnet before and after each payload).
//! The newest full snapshot of the Ethereum Core market in it is
//! `reports/AaveV3Ethereum_UpgradeAaveV3ETHPooolWETHParameters_20231031_after.json` (added in
//! commit 41f231cff476ad2c1c290b65e3577af9e2708f0c, 2023-11-09). The 249 Ethereum `diffs/*.md`
//! the repository has held since (to commit ff6a99cdbf6e8f97f16dde051305b213e7890c0d,
//! 2026-02-20) were read for changes to WETH (0xC02aaA39…) and WBTC (0x2260FAC5…): none changes
//! `liquidationThreshold`, `liquidationBonus` or `liquidationProtocolFee`; one changes WBTC's
//! `reserveFactor` (2000 → 5000, `diffs/AaveV3Ethereum_WBTCReserveFactorAndUOptimalIncrease_20241120_…`,
//! commit bc6cb8c2474e2ca9a09e757e07269139f2295eb6, 2024-11-27). The values below are therefore
//! those in force on 2026-02-20 by that repository; verify at the block you model (on chain:
//! `PoolDataProvider.getReserveConfigurationData`).

/// One reserve's published configuration, in Aave's units converted to fractions
/// (`liquidationThreshold` / 10⁴, `liquidationBonus` / 10⁴ − 1, `liquidationProtocolFee` / 10⁴).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AaveReserve {
    pub symbol: &'static str,
    /// Loan-to-value (borrowing power; not used by liquidation, recorded for completeness).
    pub ltv: f64,
    pub liquidation_threshold: f64,
    pub liquidation_bonus: f64,
    pub protocol_fee: f64,
    /// Share of interest to the treasury (not used by a liquidation cascade).
    pub reserve_factor: f64,
}

/// WETH: ltv 8050, liquidationThreshold 8300, liquidationBonus 10500, liquidationProtocolFee
/// 1000, reserveFactor 1500 (2023-10-31 snapshot, unchanged to 2026-02-20; module doc).
pub const AAVE_V3_ETHEREUM_WETH: AaveReserve = AaveReserve {
    symbol: "WETH",
    ltv: 0.805,
    liquidation_threshold: 0.83,
    liquidation_bonus: 0.05,
    protocol_fee: 0.10,
    reserve_factor: 0.15,
};

/// WBTC: ltv 7300, liquidationThreshold 7800, liquidationBonus 10500, liquidationProtocolFee
/// 1000 (2023-10-31 snapshot, unchanged to 2026-02-20); reserveFactor 2000 → 5000 on 2024-11-27
/// (module doc).
pub const AAVE_V3_ETHEREUM_WBTC: AaveReserve = AaveReserve {
    symbol: "WBTC",
    ltv: 0.73,
    liquidation_threshold: 0.78,
    liquidation_bonus: 0.05,
    protocol_fee: 0.10,
    reserve_factor: 0.50,
};

/// The published reserves, by symbol.
pub const AAVE_V3_ETHEREUM: [AaveReserve; 2] = [AAVE_V3_ETHEREUM_WETH, AAVE_V3_ETHEREUM_WBTC];

/// The published reserve of `symbol` (case-insensitive), if this table has it.
pub fn aave_v3_ethereum(symbol: &str) -> Option<AaveReserve> {
    AAVE_V3_ETHEREUM.iter().copied().find(|r| r.symbol.eq_ignore_ascii_case(symbol))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_the_snapshot_in_basis_points() {
        // The snapshot's integers, converted here by hand: 8300 → 0.83, 10500 → 0.05, 1000 → 0.10.
        let bp = |x: f64| (x * 1e4).round() as i64;
        let w = aave_v3_ethereum("weth").unwrap();
        assert_eq!(
            (bp(w.ltv), bp(w.liquidation_threshold), bp(1.0 + w.liquidation_bonus)),
            (8050, 8300, 10500)
        );
        assert_eq!((bp(w.protocol_fee), bp(w.reserve_factor)), (1000, 1500));
        let b = aave_v3_ethereum("WBTC").unwrap();
        assert_eq!(
            (bp(b.ltv), bp(b.liquidation_threshold), bp(1.0 + b.liquidation_bonus)),
            (7300, 7800, 10500)
        );
        assert_eq!((bp(b.protocol_fee), bp(b.reserve_factor)), (1000, 5000));
        assert!(aave_v3_ethereum("SOL").is_none());
        // Aave's configurator bound (PoolConfigurator.configureReserveAsCollateral): LT × bonus ≤ 1.
        for r in AAVE_V3_ETHEREUM {
            assert!(
                r.liquidation_threshold * (1.0 + r.liquidation_bonus) <= 1.0
                    && r.ltv < r.liquidation_threshold
            );
        }
    }
}
