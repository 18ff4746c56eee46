//! Closed-form liquidation prices as the venues publish them, kept next to the general
//! [`trigger_price`](crate::trigger_price) so the tests can check one against the other.
//!
//! The engine does not need these (it uses `trigger_price` for every venue); they exist because a
//! formula copied from a venue's page is the most direct evidence that our margin model is the
//! venue's. Each function names its source.

/// Hyperliquid's maintenance margin rate for an asset whose max leverage is `max_leverage`:
/// half the initial margin rate at max leverage, `1 / (2 × max_leverage)`.
/// Source: Hyperliquid Docs, "Liquidations"
/// (hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations) — "The maintenance margin is half
/// of the initial margin at max leverage, which varies from 3-50x … between 1% (for 50x max
/// leverage assets) and 16.7% (for 3x max leverage assets)". `None` for leverage below 1.
#[inline]
pub fn hyperliquid_maintenance_rate(max_leverage: f64) -> Option<f64> {
    (max_leverage.is_finite() && max_leverage >= 1.0).then(|| 0.5 / max_leverage)
}

/// Hyperliquid's liquidation price:
/// `liq_price = price − side × margin_available / position_size / (1 − l × side)`, with
/// `l = 1 / MAINTENANCE_LEVERAGE` (the maintenance margin rate), `side` = +1 long / −1 short,
/// `position_size` the absolute size and `margin_available` = equity of the unit minus its
/// maintenance margin at `price` (cross: account value − maintenance margin required; isolated:
/// isolated margin − maintenance margin required).
/// Source: Hyperliquid Docs, "Liquidations", section "Computing liquidation price" (as quoted by
/// the Hyperliquid community wiki, architecture/hypercore/dex/clearinghouse/liquidations.md).
#[inline]
pub fn hyperliquid_liquidation_price(
    price: f64,
    side: f64,
    margin_available: f64,
    position_size: f64,
    maintenance_rate: f64,
) -> f64 {
    price - side * margin_available / position_size / (1.0 - maintenance_rate * side)
}

/// dYdX v4 liquidation price of one position, cross form:
/// `p' = (e − s × p − MMR_o) / (|s| × MMF − s)`, where `e` is the account equity, `s` the signed
/// size, `p` the price the equity was measured at, `MMF` the position's maintenance margin fraction
/// and `MMR_o` the maintenance requirement of the account's *other* positions (0 for the isolated
/// form). Source: dYdX v4 documentation, "Liquidations" — "Isolated Liquidation Price" and "Cross
/// Liquidation Price" (github.com/dydxprotocol/v4-documentation,
/// docs/pages/concepts/trading/liquidations.mdx).
#[inline]
pub fn dydx_liquidation_price(equity: f64, size: f64, price: f64, mmf: f64, other_requirement: f64) -> f64 {
    (equity - size * price - other_requirement) / (size.abs() * mmf - size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyperliquid_rates_at_the_documented_ends() {
        // 50x → 1/(2·50) = 1%; 3x → 1/6 ≈ 16.7%, the two ends the docs quote.
        assert_eq!(hyperliquid_maintenance_rate(50.0), Some(0.01));
        assert!((hyperliquid_maintenance_rate(3.0).unwrap() - 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(hyperliquid_maintenance_rate(0.5), None);
        assert_eq!(hyperliquid_maintenance_rate(f64::NAN), None);
    }
}
