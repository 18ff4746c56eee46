//! The margin side of a lending protocol, as Aave v3.3 computes it: health factor, close factor,
//! collateral seized with the liquidation bonus and protocol fee, the dust rule, and the deficit
//! a liquidation leaves when it takes the last collateral.
//!
//! Pure functions over USD values (Aave works in its oracle's base currency, USD with 8 decimals;
//! a price conversion is already folded into each value here). `liq-engine::lending` applies them
//! block by block to a lending book (`venue = "aave-v3"`).
//!
//! Source: aave-dao/aave-v3-origin, tag v3.3.0 (commit 5431379f8beb4d7128c84a81ced3917d856efa84,
//! 2025-02-24):
//! - `GenericLogic.calculateUserAccountData`: `healthFactor = totalCollateral ×
//!   avgLiquidationThreshold / totalDebt`, `avgLiquidationThreshold = Σ collateralᵢ × LTᵢ /
//!   totalCollateral` (so `HF = Σ collateralᵢ × LTᵢ / totalDebt`), `type(uint256).max` without debt;
//! - `ValidationLogic.HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18`: liquidatable below HF 1;
//! - `LiquidationLogic`: `DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5e4` (50%),
//!   `CLOSE_FACTOR_HF_THRESHOLD = 0.95e18` ("below (inclusive) which the full amount of debt
//!   becomes liquidatable"), `MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8` (USD 2,000: "If the total
//!   collateral or debt on a position is below this threshold, the close factor is raised to
//!   100%"), `MIN_LEFTOVER_BASE` = half of it; in `executeLiquidationCall` the 50% applies only
//!   when the reserve's collateral and debt are both ≥ 2,000 and HF > 0.95, and caps the debt
//!   repaid at 50% of the user's *total* debt; `_calculateAvailableCollateralToLiquidate`:
//!   collateral = debt × bonus, capped at the balance (then debt = balance / bonus), protocol fee =
//!   `(collateral − collateral / bonus) × liquidationProtocolFee`, taken out of the liquidator's
//!   share; a liquidation that repays part of the debt and takes part of the collateral must leave
//!   ≥ `MIN_LEFTOVER_BASE` of both (`MUST_NOT_LEAVE_DUST`); `_burnDebtTokens`: when the
//!   liquidation takes all the user's collateral (`hasNoCollateralLeft`) the rest of the debt is
//!   burnt and booked as the reserve's `deficit`.
//!
//! Assumed: Aave rounds with `percentMul` (half up, in basis points) and integer division; these
//! functions use f64, so they agree with the contract to rounding (well below a cent at USD scale).

/// Protocol constants of Aave v3.3 (`LiquidationLogic`, `ValidationLogic`), checked on
/// construction so a scenario's override is refused with the field it got wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LendingParams {
    /// Share of debt repayable in one liquidation above the HF threshold (Aave: 0.5).
    pub close_factor: f64,
    /// At or below this health factor the whole debt is repayable (Aave: 0.95).
    pub full_close_hf: f64,
    /// Below this USD of the reserve's collateral or debt the whole debt is repayable (Aave: 2,000).
    pub min_base_for_partial_usd: f64,
    /// What a partial liquidation must leave of collateral and of debt, USD (Aave: 1,000).
    pub min_leftover_usd: f64,
}

/// A parameter outside its range, named by field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct LendingParamError {
    pub field: &'static str,
    pub message: String,
}

impl LendingParams {
    /// Aave v3.3's constants.
    pub const AAVE_V3_3: LendingParams = LendingParams {
        close_factor: 0.5,
        full_close_hf: 0.95,
        min_base_for_partial_usd: 2_000.0,
        min_leftover_usd: 1_000.0,
    };

    /// Validated parameters: close factor in (0, 1], full-close HF in (0, 1), USD floors ≥ 0.
    pub fn new(
        close_factor: f64,
        full_close_hf: f64,
        min_base_for_partial_usd: f64,
        min_leftover_usd: f64,
    ) -> Result<Self, LendingParamError> {
        let bad = |field, message: String| Err(LendingParamError { field, message });
        if !(close_factor.is_finite() && close_factor > 0.0 && close_factor <= 1.0) {
            return bad("close_factor", format!("must be in (0, 1], got {close_factor}"));
        }
        if !(full_close_hf.is_finite() && full_close_hf > 0.0 && full_close_hf < 1.0) {
            return bad("full_close_hf", format!("must be in (0, 1), got {full_close_hf}"));
        }
        for (field, v) in
            [("min_base_for_partial_usd", min_base_for_partial_usd), ("min_leftover_usd", min_leftover_usd)]
        {
            if !(v.is_finite() && v >= 0.0) {
                return bad(field, format!("must be a non-negative finite amount, got {v}"));
            }
        }
        Ok(Self { close_factor, full_close_hf, min_base_for_partial_usd, min_leftover_usd })
    }
}

/// One collateral holding: its USD value and the reserve's liquidation threshold (e.g. 0.83).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Collateral {
    pub value_usd: f64,
    pub liquidation_threshold: f64,
}

/// `Σ valueᵢ × LTᵢ / debt`; `f64::INFINITY` without debt (Aave's `type(uint256).max`).
pub fn health_factor(collateral: &[Collateral], total_debt_usd: f64) -> f64 {
    if total_debt_usd <= 0.0 {
        return f64::INFINITY;
    }
    collateral.iter().map(|c| c.value_usd * c.liquidation_threshold).sum::<f64>() / total_debt_usd
}

/// Liquidatable below health factor 1 (`HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18`).
pub fn is_liquidatable(health_factor: f64) -> bool {
    health_factor < 1.0
}

/// The close factor that applies to one (collateral reserve, debt reserve) pair of a position:
/// `params.close_factor` when the reserve's collateral and debt are both at least the USD floor
/// and HF is above the full-close threshold, else 1.
pub fn close_factor(
    p: &LendingParams,
    health_factor: f64,
    reserve_collateral_usd: f64,
    reserve_debt_usd: f64,
) -> f64 {
    let partial = reserve_collateral_usd >= p.min_base_for_partial_usd
        && reserve_debt_usd >= p.min_base_for_partial_usd
        && health_factor > p.full_close_hf;
    if partial {
        p.close_factor
    } else {
        1.0
    }
}

/// Most debt of the reserve a liquidator may repay, USD: all of it, or under the partial close
/// factor at most `close_factor × total debt` (Aave caps by the user's total debt, not the
/// reserve's).
pub fn max_liquidatable_debt_usd(
    p: &LendingParams,
    health_factor: f64,
    reserve_collateral_usd: f64,
    reserve_debt_usd: f64,
    total_debt_usd: f64,
) -> f64 {
    if close_factor(p, health_factor, reserve_collateral_usd, reserve_debt_usd) < 1.0 {
        reserve_debt_usd.min(p.close_factor * total_debt_usd)
    } else {
        reserve_debt_usd
    }
}

/// What one liquidation moves, USD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seizure {
    /// Debt the liquidator repays.
    pub debt_repaid_usd: f64,
    /// Collateral the liquidator receives (repaid debt × bonus, less the protocol fee).
    pub collateral_to_liquidator_usd: f64,
    /// The protocol's cut of the bonus, to the treasury.
    pub protocol_fee_usd: f64,
}

impl Seizure {
    /// Collateral taken from the user: the liquidator's share plus the protocol fee.
    pub fn collateral_seized_usd(&self) -> f64 {
        self.collateral_to_liquidator_usd + self.protocol_fee_usd
    }
}

/// `_calculateAvailableCollateralToLiquidate`: repaying `debt_to_cover_usd` buys that much
/// collateral times `bonus` (e.g. 1.05 for a 5% bonus); if the user holds less, all of it goes and
/// the debt repaid shrinks to `balance / bonus`. The protocol fee is `fee_share` of the bonus part.
pub fn seize(debt_to_cover_usd: f64, collateral_balance_usd: f64, bonus: f64, fee_share: f64) -> Seizure {
    let wanted = debt_to_cover_usd * bonus;
    let (collateral, debt) = if wanted > collateral_balance_usd {
        (collateral_balance_usd, collateral_balance_usd / bonus)
    } else {
        (wanted, debt_to_cover_usd)
    };
    let fee = (collateral - collateral / bonus) * fee_share;
    Seizure { debt_repaid_usd: debt, collateral_to_liquidator_usd: collateral - fee, protocol_fee_usd: fee }
}

/// `MUST_NOT_LEAVE_DUST`: a liquidation that clears neither the reserve's debt nor the
/// collateral must leave at least `min_leftover_usd` of both; `true` when this one would not.
pub fn leaves_dust(
    p: &LendingParams,
    s: &Seizure,
    reserve_debt_usd: f64,
    collateral_balance_usd: f64,
) -> bool {
    let debt_left = reserve_debt_usd - s.debt_repaid_usd;
    let collateral_left = collateral_balance_usd - s.collateral_seized_usd();
    debt_left > 0.0
        && collateral_left > 0.0
        && (debt_left < p.min_leftover_usd || collateral_left < p.min_leftover_usd)
}

/// The deficit a liquidation books: when it takes the user's last collateral, the debt still
/// outstanding is burnt and becomes the reserve's deficit; otherwise none.
pub fn deficit_usd(s: &Seizure, total_collateral_usd: f64, reserve_debt_usd: f64) -> f64 {
    let no_collateral_left = s.collateral_seized_usd() >= total_collateral_usd;
    if no_collateral_left {
        (reserve_debt_usd - s.debt_repaid_usd).max(0.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: LendingParams = LendingParams::AAVE_V3_3;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn health_factor_hand_worked() {
        // 10,000 of WETH at LT 83% and 5,000 of WBTC at LT 78% against 10,000 of debt:
        // (8,300 + 3,900) / 10,000 = 1.22 — not liquidatable; the same at 13,000 of debt:
        // 12,200 / 13,000 = 0.93846…, liquidatable.
        let c = [
            Collateral { value_usd: 10_000.0, liquidation_threshold: 0.83 },
            Collateral { value_usd: 5_000.0, liquidation_threshold: 0.78 },
        ];
        assert!(close(health_factor(&c, 10_000.0), 1.22));
        assert!(!is_liquidatable(health_factor(&c, 10_000.0)));
        assert!(close(health_factor(&c, 13_000.0), 12_200.0 / 13_000.0));
        assert!(is_liquidatable(health_factor(&c, 13_000.0)));
        assert_eq!(health_factor(&c, 0.0), f64::INFINITY);
    }

    #[test]
    fn close_factor_cases_of_aave_v3_3_tests() {
        // The four cases of Aave v3.3's tests/protocol/pool/Pool.Liquidations.CloseFactor.t.sol
        // (unit suite), with hand-picked USD amounts on the right side of each threshold:
        // HF 0.94, collateral and debt above 2,000 → 100%;
        assert_eq!(close_factor(&P, 0.94, 100_000.0, 90_000.0), 1.0);
        // HF 0.97, collateral below 2,000 → 100%;
        assert_eq!(close_factor(&P, 0.97, 1_500.0, 1_200.0), 1.0);
        // HF 0.97, both above → 50%;
        assert_eq!(close_factor(&P, 0.97, 100_000.0, 90_000.0), 0.5);
        // HF 0.97, debt above but collateral below the threshold → 100%.
        assert_eq!(close_factor(&P, 0.97, 1_999.0, 2_500.0), 1.0);
        // "below (inclusive)": exactly 0.95 is a full close.
        assert_eq!(close_factor(&P, 0.95, 100_000.0, 90_000.0), 1.0);
    }

    #[test]
    fn aave_close_factor_example_hand_worked() {
        // Hand-worked on Aave v3.3's rules: 10 ETH at 3,000 (30,000, LT 0.83, bonus 5%, protocol
        // fee 10% of the bonus) against 26,000 of USDC debt: HF = 24,900 / 26,000 = 0.9577 > 0.95,
        // both sides ≥ 2,000 → 50%: at most 13,000 repaid.
        let hf = health_factor(&[Collateral { value_usd: 30_000.0, liquidation_threshold: 0.83 }], 26_000.0);
        assert!(close(hf, 24_900.0 / 26_000.0) && hf > 0.95 && is_liquidatable(hf));
        let max = max_liquidatable_debt_usd(&P, hf, 30_000.0, 26_000.0, 26_000.0);
        assert!(close(max, 13_000.0));
        // Repaying 13,000 seizes 13,000 × 1.05 = 13,650: bonus part 13,650 − 13,000 = 650, fee
        // 10% of it = 65 to the treasury, 13,585 to the liquidator.
        let s = seize(max, 30_000.0, 1.05, 0.10);
        assert!(close(s.debt_repaid_usd, 13_000.0));
        assert!(close(s.protocol_fee_usd, 65.0));
        assert!(close(s.collateral_to_liquidator_usd, 13_585.0));
        assert!(close(s.collateral_seized_usd(), 13_650.0));
        // Left: 13,000 of debt, 16,350 of collateral — above the 1,000 dust floor; no deficit.
        assert!(!leaves_dust(&P, &s, 26_000.0, 30_000.0));
        assert_eq!(deficit_usd(&s, 30_000.0, 26_000.0), 0.0);
        // After it HF = 16,350 × 0.83 / 13,000 = 1.0439: healthy again.
        assert!(!is_liquidatable(health_factor(
            &[Collateral { value_usd: 30_000.0 - 13_650.0, liquidation_threshold: 0.83 }],
            13_000.0
        )));
        // At HF ≤ 0.95 (ETH at 2,900: 29,000 × 0.83 / 26,000 = 0.9258) the whole 26,000 is due.
        let hf = health_factor(&[Collateral { value_usd: 29_000.0, liquidation_threshold: 0.83 }], 26_000.0);
        assert!(close(max_liquidatable_debt_usd(&P, hf, 29_000.0, 26_000.0, 26_000.0), 26_000.0));
    }

    #[test]
    fn underwater_position_books_a_deficit() {
        // Hand-worked: 1,000 of collateral, 1,200 of debt (HF < 0.95 at any LT < 1: full close).
        // Repaying all 1,200 would need 1,260 of collateral at a 5% bonus; only 1,000 exists, so
        // all of it goes and the debt repaid is 1,000 / 1.05 = 952.38; the other 247.62 is burnt
        // into the reserve's deficit.
        let s = seize(1_200.0, 1_000.0, 1.05, 0.0);
        assert!(close(s.collateral_seized_usd(), 1_000.0));
        assert!(close(s.debt_repaid_usd, 1_000.0 / 1.05));
        assert!(close(deficit_usd(&s, 1_000.0, 1_200.0), 1_200.0 - 1_000.0 / 1.05));
    }

    #[test]
    fn dust_rule() {
        // Repaying 9,500 of 10,000 leaves 500 of debt < 1,000: refused (MUST_NOT_LEAVE_DUST).
        let s = seize(9_500.0, 50_000.0, 1.05, 0.0);
        assert!(leaves_dust(&P, &s, 10_000.0, 50_000.0));
        // Repaying all of it is fine.
        let s = seize(10_000.0, 50_000.0, 1.05, 0.0);
        assert!(!leaves_dust(&P, &s, 10_000.0, 50_000.0));
    }

    #[test]
    fn params_are_validated_by_field() {
        assert_eq!(LendingParams::new(0.5, 0.95, 2_000.0, 1_000.0), Ok(LendingParams::AAVE_V3_3));
        for cf in [0.0, -0.1, 1.5, f64::NAN] {
            let e = LendingParams::new(cf, 0.95, 2_000.0, 1_000.0).unwrap_err();
            assert_eq!(e.field, "close_factor", "{cf}");
            assert!(e.to_string().starts_with("close_factor: must be in (0, 1]"), "{e}");
        }
        assert!(LendingParams::new(1.0, 0.95, 2_000.0, 1_000.0).is_ok(), "1 is a valid close factor");
        assert_eq!(LendingParams::new(0.5, 1.0, 2_000.0, 1_000.0).unwrap_err().field, "full_close_hf");
        assert_eq!(
            LendingParams::new(0.5, 0.95, -1.0, 1_000.0).unwrap_err().field,
            "min_base_for_partial_usd"
        );
    }
}
