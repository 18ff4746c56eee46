//! Auto-deleveraging ranking.
//!
//! When the insurance fund cannot absorb a bankrupt position, the venues close opposite-side
//! positions against it, most profitable and most leveraged first. The ranking used here is the
//! one Bybit and BitMEX publish and Binance describes in prose:
//!
//! * `score = PnL% × effective leverage` when `PnL% > 0`,
//! * `score = PnL% / effective leverage` otherwise,
//!
//! with `PnL% = unrealised PnL / |entry value|` ([`pnl_fraction`]) and
//! `effective leverage = |mark value| / equity of the margin unit` ([`effective_leverage`]). For an
//! isolated position the equity is `|size| × |mark − bankruptcy price|`, which gives BitMEX's
//! `|mark value| / (mark value − bankrupt value)` ([`effective_leverage_from_bankruptcy`]).
//! Dividing (not multiplying) a loss by the leverage keeps a losing, highly levered position
//! behind every profitable one but ahead of a losing, lightly levered one.
//!
//! Sources (observed 2025): Bybit Help Center "What is Auto-Deleveraging (ADL)?"
//! (help.bybit.com/hc/en-us/articles/900000031623) — "ranking is derived in order of highest profit
//! and effective leverage use"; Binance FAQ "What Is Auto-Deleveraging (ADL) and How Does It Work"
//! (www.binance.com/en/support/faq/360033525471) — traders ranked by unrealised PnL as a share of
//! collateral and by margin ratio ("LeveragePnL"); the page's closing formula is an image that was
//! not available to check term by term. Hyperliquid ranks by "unrealized pnl and leverage used"
//! and dYdX v4 picks offsetting accounts at random; see `docs/venues.md`.

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

/// Unrealised PnL as a fraction of the entry value: `size × (mark − entry) / |size × entry|`.
/// Signed (negative for a loss); 0 for a zero or non-finite input.
#[inline]
pub fn pnl_fraction(size_qty: f64, entry_price: f64, mark: f64) -> f64 {
    let entry_value = (size_qty * entry_price).abs();
    let f = size_qty * (mark - entry_price) / entry_value;
    if f.is_finite() {
        f
    } else {
        0.0
    }
}

/// Effective leverage of a margin unit: `|size × mark| / equity`. A unit with no positive equity
/// returns `f64::INFINITY` (it is at or past bankruptcy, the most levered there can be).
#[inline]
pub fn effective_leverage(size_qty: f64, mark: f64, equity: f64) -> f64 {
    let value = (size_qty * mark).abs();
    if equity.is_nan() || equity <= 0.0 {
        return f64::INFINITY;
    }
    let l = value / equity;
    if l.is_finite() {
        l
    } else {
        f64::INFINITY
    }
}

/// BitMEX's form for an isolated position: `|mark| / |mark − bankruptcy price|`, equal to
/// [`effective_leverage`] because the equity of an isolated position is `|size| × |mark − bp|`.
/// Returns `f64::INFINITY` at the bankruptcy price.
#[inline]
pub fn effective_leverage_from_bankruptcy(mark: f64, bankruptcy_price: f64) -> f64 {
    let gap = (mark - bankruptcy_price).abs();
    if gap.is_nan() || gap == 0.0 {
        return f64::INFINITY;
    }
    let l = mark.abs() / gap;
    if l.is_finite() {
        l
    } else {
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_three_positions_by_hand() {
        // Three longs, all marked at 100 (hand-worked, no venue example was found):
        // A: 10 @ 80, equity 250:  PnL% = 20/80 = 0.25;  eff. lev = 1,000/250 = 4; score 1.0
        // B:  5 @ 50, equity 250:  PnL% = 50/50 = 1.0;   eff. lev =   500/250 = 2; score 2.0
        // C: 20 @ 110, equity 400: PnL% = −10/110;       eff. lev = 2,000/400 = 5;
        //    score = −(1/11)/5 = −1/55 ≈ −0.018182
        let a = adl_score(pnl_fraction(10.0, 80.0, 100.0), effective_leverage(10.0, 100.0, 250.0));
        let b = adl_score(pnl_fraction(5.0, 50.0, 100.0), effective_leverage(5.0, 100.0, 250.0));
        let c = adl_score(pnl_fraction(20.0, 110.0, 100.0), effective_leverage(20.0, 100.0, 400.0));
        assert!((a - 1.0).abs() < 1e-12);
        assert!((b - 2.0).abs() < 1e-12);
        assert!((c + 1.0 / 55.0).abs() < 1e-12);
        let mut ranked = [("A", a), ("B", b), ("C", c)];
        ranked.sort_by(|x, y| y.1.total_cmp(&x.1));
        assert_eq!(ranked.map(|r| r.0), ["B", "A", "C"]);
    }

    #[test]
    fn short_pnl_sign_and_losers_order() {
        // Short 2 @ 100 marked at 90: PnL = +20 on an entry value of 200 → +10%.
        assert!((pnl_fraction(-2.0, 100.0, 90.0) - 0.1).abs() < 1e-12);
        // Two losers with the same −10%: the more levered one (×5) ranks ahead of the ×2 one,
        // because −0.1/5 = −0.02 > −0.1/2 = −0.05.
        assert!(adl_score(-0.1, 5.0) > adl_score(-0.1, 2.0));
    }

    #[test]
    fn bitmex_form_matches_equity_form_for_isolated() {
        // Isolated long 3 @ 100 with 60 margin: bankruptcy = 100 − 60/3 = 80. At mark 90 the equity
        // is 60 + 3 × (90 − 100) = 30 = 3 × (90 − 80); both forms give 270/30 = 90/10 = 9.
        assert!((effective_leverage(3.0, 90.0, 30.0) - 9.0).abs() < 1e-12);
        assert!((effective_leverage_from_bankruptcy(90.0, 80.0) - 9.0).abs() < 1e-12);
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert_eq!(effective_leverage(1.0, 100.0, 0.0), f64::INFINITY);
        assert_eq!(effective_leverage(1.0, 100.0, f64::NAN), f64::INFINITY);
        assert_eq!(effective_leverage_from_bankruptcy(80.0, 80.0), f64::INFINITY);
        assert_eq!(pnl_fraction(0.0, 100.0, 90.0), 0.0);
        assert_eq!(adl_score(0.5, f64::INFINITY), f64::MAX);
        assert_eq!(adl_score(-0.5, 0.0), f64::MIN);
    }
}
