//! Auto-deleveraging: each venue's ranking, the pro-rata comparison policy and the overshoot
//! measure.
//!
//! When the backstop cannot absorb a bankrupt position, the venues close opposite-side
//! positions against it. Rankings here: Binance's "LeveragePnL" ([`binance_leverage_pnl`]),
//! Hyperliquid's sorting index ([`hyperliquid_adl_index`]), dYdX v4's pseudo-random start
//! ([`random_start`]) and the one Bybit and BitMEX publish ([`adl_score`]):
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
//! collateral and by margin ratio ("LeveragePnL", "unrealized PnL/collateral multiplied by the
//! margin ratio"); the page's closing formula is an image, transcribed on Binance's developer
//! forum (dev.binance.vision/t/17801): `Pnl Percent = max(0, uPnL) / max(1, Wallet Balance)`,
//! `Margin Ratio = MM / (Wallet Balance + uPnL)` (0 if that is ≤ 0), `LeveragePnl = Pnl Percent ×
//! Margin Ratio`. Hyperliquid Docs "Auto-deleveraging": `(mark_price / entry_price) ×
//! (notional_position / account_value)`. dYdX v4 `x/clob/keeper/deleveraging.go`
//! (`OffsetSubaccountPerpetualPosition`): subaccounts with an offsetting position, iterated from a
//! pseudo-random index. See `docs/venues.md`.

/// Binance's "LeveragePnL": `max(0, uPnL) / max(1, wallet) × MM / (wallet + uPnL)`, with the
/// margin ratio 0 when the margin balance `wallet + uPnL` is not positive. Higher is first.
#[inline]
pub fn binance_leverage_pnl(unrealised_pnl: f64, wallet_balance: f64, maintenance: f64) -> f64 {
    let pnl_percent = unrealised_pnl.max(0.0) / wallet_balance.max(1.0);
    let margin_balance = wallet_balance + unrealised_pnl;
    let margin_ratio = if margin_balance > 0.0 { maintenance / margin_balance } else { 0.0 };
    let x = pnl_percent * margin_ratio;
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// Hyperliquid's ADL sorting index `(mark / entry) × (notional / account value)`, higher first.
/// The page writes the price ratio for a long; for a short (`size < 0`) the engine uses
/// `entry / mark`, the same ratio measured in the position's favour (an assumption: the page
/// gives one form and says the queue ranks "users in profit"). An account with no positive value
/// ranks first, as its leverage is unbounded.
#[inline]
pub fn hyperliquid_adl_index(size: f64, mark: f64, entry: f64, account_value: f64) -> f64 {
    let ratio = if size >= 0.0 { mark / entry } else { entry / mark };
    if account_value.is_nan() || account_value <= 0.0 {
        return f64::MAX;
    }
    let x = ratio * (size * mark).abs() / account_value;
    if x.is_finite() {
        x
    } else {
        f64::MAX
    }
}

/// dYdX's start index into `n` offsetting subaccounts. The chain draws it from the block's
/// pseudo-random source (`GetPseudoRand`); the engine hashes `(round, market)` with SplitMix64 so
/// that a run is reproducible.
pub fn random_start(n: usize, round: u32, market: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut z = ((round as u64) << 32 ^ market as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % n as u64) as usize
}

/// Pro-rata ADL: splits `lots` over positions of `sizes` (absolute lots) in proportion to size,
/// by largest remainder (ties to the earlier position), each share capped at its size. Returns
/// the shares; their sum is `min(lots, Σ sizes)`.
pub fn pro_rata_shares(lots: i64, sizes: &[i64]) -> Vec<i64> {
    let total: i128 = sizes.iter().map(|&s| s.max(0) as i128).sum();
    if total == 0 || lots <= 0 {
        return vec![0; sizes.len()];
    }
    if lots as i128 >= total {
        return sizes.iter().map(|&s| s.max(0)).collect();
    }
    let mut shares: Vec<i64> = Vec::with_capacity(sizes.len());
    let mut rems: Vec<(i128, usize)> = Vec::with_capacity(sizes.len());
    for (i, &s) in sizes.iter().enumerate() {
        let num = lots as i128 * s.max(0) as i128;
        shares.push((num / total) as i64);
        rems.push((num % total, i));
    }
    let mut left = lots - shares.iter().sum::<i64>();
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in &rems {
        if left == 0 {
            break;
        }
        if shares[i] < sizes[i] {
            shares[i] += 1;
            left -= 1;
        }
    }
    shares
}

/// ADL overshoot of one hand-over: the notional closed by ADL beyond the deficit it had to
/// cover. `adl_notional` (USD) was closed against counterparties to place lots whose loss
/// against the mark, at the liquidated position's bankruptcy price, is `deficit` (USD, the
/// shortfall those lots carried; 0 if they carried none). `max(0, notional − deficit)`: a queue
/// that closes a whole winning position to cover a small shortfall overshoots by nearly all of
/// it (the measure of the 2025-10-10 analyses, which compare the ADL taken with the shortfall).
pub fn adl_overshoot(adl_notional: f64, deficit: f64) -> f64 {
    if adl_notional.is_nan() || adl_notional <= 0.0 {
        return 0.0;
    }
    (adl_notional - deficit.max(0.0)).max(0.0)
}

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
    fn binance_leverage_pnl_forum_example() {
        // The worked numbers in the dev.binance.vision thread quoting Binance's formula:
        // uPnL 40.2, wallet 4.27 → Pnl Percent = 40.2 / 4.27 = 9.4145; the thread's margin ratio
        // 13.42% is MM / (4.27 + 40.2), i.e. MM = 0.1342 × 44.47 = 5.9679; LeveragePnl ≈ 1.2634.
        let mm = 0.1342 * 44.47;
        let x = binance_leverage_pnl(40.2, 4.27, mm);
        assert!((x - 40.2 / 4.27 * 0.1342).abs() < 1e-12);
        assert!((x - 1.2634).abs() < 1e-4);
        // A loser and a wiped-out account rank 0; a wallet below 1 is floored at 1.
        assert_eq!(binance_leverage_pnl(-5.0, 100.0, 1.0), 0.0);
        assert_eq!(binance_leverage_pnl(10.0, -20.0, 1.0), 0.0);
        assert!((binance_leverage_pnl(1.0, 0.5, 0.3) - 1.0 * 0.3 / 1.5).abs() < 1e-12);
    }

    #[test]
    fn binance_ranks_four_accounts_by_hand() {
        // Hand-worked: (uPnL, wallet, MM) → PnL% × MM/(wallet + uPnL)
        // A (50, 100, 3):  0.5 × 3/150 = 0.01
        // B (20, 20, 4):   1.0 × 4/40  = 0.1
        // C (200, 1000, 6): 0.2 × 6/1200 = 0.001
        // D (−10, 50, 5):  0
        let mut r = [
            ("A", binance_leverage_pnl(50.0, 100.0, 3.0)),
            ("B", binance_leverage_pnl(20.0, 20.0, 4.0)),
            ("C", binance_leverage_pnl(200.0, 1000.0, 6.0)),
            ("D", binance_leverage_pnl(-10.0, 50.0, 5.0)),
        ];
        assert!((r[0].1 - 0.01).abs() < 1e-15 && (r[1].1 - 0.1).abs() < 1e-15);
        r.sort_by(|x, y| y.1.total_cmp(&x.1));
        assert_eq!(r.map(|x| x.0), ["B", "A", "C", "D"]);
    }

    #[test]
    fn hyperliquid_index_ranks_by_hand() {
        // Hand-worked, mark 110: long 1 @ 100 in an account worth 50: 1.1 × 110/50 = 2.42;
        // long 2 @ 55 worth 1,000: 2 × 220/1000 = 0.44; short 1 @ 121 worth 11:
        // (121/110) × 110/11 = 11.
        let a = hyperliquid_adl_index(1.0, 110.0, 100.0, 50.0);
        let b = hyperliquid_adl_index(2.0, 110.0, 55.0, 1000.0);
        let c = hyperliquid_adl_index(-1.0, 110.0, 121.0, 11.0);
        assert!((a - 2.42).abs() < 1e-12 && (b - 0.44).abs() < 1e-12 && (c - 11.0).abs() < 1e-12);
        assert_eq!(hyperliquid_adl_index(1.0, 110.0, 100.0, 0.0), f64::MAX);
    }

    #[test]
    fn pro_rata_and_overshoot() {
        // 10 lots over 5, 3, 2: exact shares 5, 3, 2 → all closed.
        assert_eq!(pro_rata_shares(10, &[5, 3, 2]), vec![5, 3, 2]);
        // 7 lots over 5, 3, 2 (total 10): 3.5, 2.1, 1.4 → 3, 2, 1 and one more to the largest
        // remainder (0.5 of the first).
        assert_eq!(pro_rata_shares(7, &[5, 3, 2]), vec![4, 2, 1]);
        assert_eq!(pro_rata_shares(3, &[0, 0]), vec![0, 0]);
        // Overshoot: 1,000 of notional closed to cover a 40 deficit → 960; no deficit → all.
        assert!((adl_overshoot(1000.0, 40.0) - 960.0).abs() < 1e-12);
        assert_eq!(adl_overshoot(1000.0, 0.0), 1000.0);
        assert_eq!(adl_overshoot(1000.0, 2000.0), 0.0);
        assert_eq!(adl_overshoot(0.0, 5.0), 0.0);
        assert!(random_start(7, 3, 1) < 7 && random_start(0, 0, 0) == 0);
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
