//! Leveraged tokens: a fund holding a long perp position of `L × NAV` that trades back to target
//! leverage at a scheduled daily time and intraday when the price has moved far enough since its
//! last rebalance.
//!
//! The rule is FTX's (help.ftx.com "Leveraged Tokens on March 12th" and "How Do Leveraged Tokens
//! Rebalance", retrieved 2026-12-02 from the copies named in DESIGN.md): desired position =
//! L × NAV / mark, rebalance size = desired − current, sent as market orders into the perp book;
//! daily at 00:02 UTC and intraday once leverage reaches 4× for a 3× token (a move of
//! −1/9 ≈ −11.1%), intraday only to reduce leverage since 2019-09-25. Bybit's BTC3L
//! (help-center article 000001605, 2024-10-17) rebalances when leverage leaves [2, 4] — the same
//! trigger on the way down.
//!
//! After a move r from a rebalance at which the position was exactly L × NAV, the trade is
//! `L·NAV·(1+L·r) − L·NAV·(1+r) = NAV·L·(L−1)·r` (a sale after a fall): [`rebalance_trade_usd`].

use liq_domain::LeveragedTokenSpec;

/// The USD trade that brings a token from `exposure_usd` (position value at the mark) back to
/// `leverage × nav_usd`; negative = sell.
pub fn rebalance_trade_usd(leverage: f64, nav_usd: f64, exposure_usd: f64) -> f64 {
    leverage * nav_usd - exposure_usd
}

/// Per-run state of one token (the cascade's and the ABM's token agents keep one each).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenState {
    /// Mark at the last rebalance (the start counts as one).
    pub last_mark: f64,
    pub daily_done: bool,
    /// NAV reached zero: the token is wound up and trades no more.
    pub bust: bool,
}

/// Why a token rebalances now, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTrigger {
    Daily,
    Intraday,
}

/// Whether the token rebalances at time `t_s` and mark `mark`, given its NAV and exposure.
pub fn due(
    spec: &LeveragedTokenSpec,
    st: &TokenState,
    t_s: f64,
    mark: f64,
    nav_usd: f64,
    exposure_usd: f64,
) -> Option<TokenTrigger> {
    if st.bust {
        return None;
    }
    if !st.daily_done && spec.daily_rebalance_at_s.is_some_and(|d| t_s + 1e-9 >= d) {
        return Some(TokenTrigger::Daily);
    }
    let moved = (mark / st.last_mark - 1.0).abs();
    if moved + 1e-12 < spec.intraday_move {
        return None;
    }
    // Reduce-only: the rebalance must lower leverage (exposure above target).
    let reduces = exposure_usd > spec.leverage * nav_usd;
    (!spec.intraday_reduce_only || reduces).then_some(TokenTrigger::Intraday)
}
