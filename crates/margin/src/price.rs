//! Liquidation trigger and bankruptcy prices of a margin unit that depends on one market.
//!
//! A *margin unit* is an isolated position, or the cross wallet of an account. When only one
//! market's mark `m` moves, its equity is affine in `m`:
//! `equity(m) = fixed_usd + exposure_qty × m`, where `exposure_qty` is the position size in base
//! units plus any collateral in the same asset counted after haircut, and `fixed_usd` gathers
//! the wallet or isolated margin, minus the cost basis, plus everything valued at other marks.
//! Maintenance margin is `|size_qty| × m × mmr(tier) − cum(tier)`, continuous and piecewise
//! linear in `m`, so the trigger `equity(m) = maintenance(m)` has a closed form on each tier and
//! the one that lands inside its own tier's notional band is the answer. For an isolated position
//! this is exactly Binance's published liquidation-price formula (see
//! [`binance_liquidation_price`], which the tests check against it).

use liq_domain::RiskLadder;

/// Where a margin unit gets liquidated as one mark moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// Liquidated once the mark is at or below this price (long exposure).
    AtOrBelow(f64),
    /// Liquidated once the mark is at or above this price (short exposure).
    AtOrAbove(f64),
    /// No mark of this market liquidates it (over-collateralised or no net exposure).
    Never,
}

impl Trigger {
    /// Whether a mark of `m` triggers liquidation.
    #[inline]
    pub fn hit(self, m: f64) -> bool {
        match self {
            Trigger::AtOrBelow(p) => m <= p,
            Trigger::AtOrAbove(p) => m >= p,
            Trigger::Never => false,
        }
    }
}

/// The mark at which `fixed_usd + exposure_qty·m` equals the maintenance margin of a position of
/// `size_qty` base units under `ladder`.
pub fn trigger_price(size_qty: f64, exposure_qty: f64, fixed_usd: f64, ladder: &RiskLadder) -> Trigger {
    let abs_q = size_qty.abs();
    let tiers = ladder.tiers();
    let last = tiers.len() - 1;
    // g(m) = fixed + exposure·m − |q|·m·mmr_t + cum_t ; liquidation when g(m) < 0.
    let slope0 = exposure_qty - abs_q * tiers[0].mmr;
    if slope0.abs() < 1e-15 {
        return if fixed_usd < 0.0 { Trigger::AtOrAbove(0.0) } else { Trigger::Never };
    }
    for (t, tier) in tiers.iter().enumerate() {
        let slope = exposure_qty - abs_q * tier.mmr;
        if slope.abs() < 1e-15 || slope.signum() != slope0.signum() {
            continue;
        }
        let m = -(fixed_usd + tier.maintenance_amount) / slope;
        let notional = abs_q * m;
        let in_band =
            notional >= tier.floor_notional - 1e-9 && (t == last || notional <= tier.cap_notional + 1e-9);
        if m.is_finite() && in_band {
            return if slope0 > 0.0 {
                Trigger::AtOrBelow(m.max(0.0))
            } else {
                Trigger::AtOrAbove(m.max(0.0))
            };
        }
    }
    // No root at a positive price: g keeps one sign for every m > 0.
    if slope0 > 0.0 {
        // Long exposure: g(0⁺) = fixed. If even a zero mark leaves equity above maintenance it is
        // never liquidated; otherwise it already is.
        if fixed_usd >= 0.0 {
            Trigger::Never
        } else {
            Trigger::AtOrBelow(f64::INFINITY)
        }
    } else if fixed_usd >= 0.0 {
        // Short exposure with g(0⁺) ≥ 0 and no positive root cannot happen for a finite ladder
        // (g → −∞); treat as never to stay conservative with degenerate inputs.
        Trigger::Never
    } else {
        Trigger::AtOrAbove(0.0)
    }
}

/// The mark at which equity `fixed_usd + exposure_qty·m` reaches zero, if it is positive.
#[inline]
pub fn bankruptcy_price(exposure_qty: f64, fixed_usd: f64) -> Option<f64> {
    if exposure_qty == 0.0 {
        return None;
    }
    let m = -fixed_usd / exposure_qty;
    (m.is_finite() && m > 0.0).then_some(m)
}

/// Money that moves to the insurance fund when a liquidation of `size_qty` (signed: positive for
/// a long being sold) fills at `fill_price` instead of the bankruptcy price:
/// `size_qty × (fill_price − bankruptcy_price)`. Positive: the fill beat bankruptcy and the
/// surplus goes to the fund (on venues whose rulebook has `surplus_to_fund`). Negative: the fill
/// was worse and the fund pays the shortfall. Non-finite input gives 0.
#[inline]
pub fn liquidation_surplus(size_qty: f64, fill_price: f64, bankruptcy_price: f64) -> f64 {
    let s = size_qty * (fill_price - bankruptcy_price);
    if s.is_finite() {
        s
    } else {
        0.0
    }
}

/// Binance's margin ratio, `maintenance margin / margin balance`: liquidation at 1.0 (100 %).
/// A unit with no positive equity returns `f64::INFINITY`.
/// Source: Binance FAQ "Binance Futures Liquidation Protocols" (Margin Ratio = Maintenance Margin /
/// Margin Balance; liquidated when it hits 100 %).
#[inline]
pub fn margin_ratio(maintenance: f64, equity: f64) -> f64 {
    if equity.is_nan() || equity <= 0.0 {
        return f64::INFINITY;
    }
    let r = maintenance / equity;
    if r.is_finite() {
        r
    } else {
        f64::INFINITY
    }
}

/// Binance USD-M liquidation price, the published formula
/// `LP = (WB − TMM1 + UPNL1 + cumB − Side1·Position1·EP1) / (Position1·MMR_B − Side1·Position1)`,
/// where `WB` is the wallet balance (the isolated margin for an isolated position), `TMM1` and
/// `UPNL1` the maintenance margin and unrealised PnL of all *other* positions (0 in isolated
/// mode), `cumB` and `MMR_B` the maintenance amount and rate of the position's bracket,
/// `Side1` = +1 long / −1 short and `Position1` the absolute size.
/// Source: Binance Support FAQ "How to Calculate Liquidation Price of USDⓈ-M Contracts".
#[allow(clippy::too_many_arguments)]
pub fn binance_liquidation_price(
    wallet_balance: f64,
    other_maintenance: f64,
    other_upnl: f64,
    cum: f64,
    side: f64,
    abs_size: f64,
    entry_price: f64,
    mmr: f64,
) -> f64 {
    (wallet_balance - other_maintenance + other_upnl + cum - side * abs_size * entry_price)
        / (abs_size * mmr - side * abs_size)
}
