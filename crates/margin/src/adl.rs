//! Auto-deleveraging ranking.
//!
//! Binance and Bybit rank the opposite-side positions for ADL by
//! `PnL% × effective leverage` when PnL% > 0 and `PnL% / effective leverage` otherwise, where
//! `PnL% = unrealised PnL / |entry value|` and effective leverage = `|mark value| / equity of the
//! margin unit`. The most profitable, most leveraged positions are closed first.

/// ADL ranking score: higher is deleveraged first.
#[inline]
pub fn adl_score(pnl_fraction: f64, effective_leverage: f64) -> f64 {
    if !pnl_fraction.is_finite() || !effective_leverage.is_finite() || effective_leverage <= 0.0 {
        // A unit with no positive equity has infinite effective leverage; rank profitable ones
        // first and losing ones last, as the formula does in the limit.
        return if pnl_fraction > 0.0 { f64::MAX } else { f64::MIN };
    }
    if pnl_fraction > 0.0 {
        pnl_fraction * effective_leverage
    } else {
        pnl_fraction / effective_leverage
    }
}
