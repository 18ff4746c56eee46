//! The L2 order book a liquidation order walks: integer ticks, integer lots, resilience and
//! liquidity withdrawal.
//!
//! This module owns [`L2Book`], built from a scenario's [`BookSpec`] (explicit levels, or a
//! notional-per-bps depth profile spread over every tick around the mid).
//!
//! # Representation
//! Each side is a dense `Vec<i64>` of lots per tick, indexed by the distance `k` in ticks from
//! that side's best level at construction (bids descend from it, asks ascend). A cursor points
//! at the best non-empty level, so a walk starts where the last one stopped and never searches.
//! The profile (the depth at construction, "full" depth) is kept alongside: it is what
//! resilience refills towards. Beyond the last generated level there is no depth: an order that
//! gets there stops filling.
//!
//! Levels a walk has never reached are *lazy*: they hold `round(f × profile)`, where `f` is a
//! fraction shared by all untouched levels that follows the same withdrawal and resilience rules
//! as a real level. That makes `recover` and `set_depth_multiplier` cost proportional to the
//! walked part of the book instead of the whole ±25% range (≈150,000 ticks per side for BTC),
//! which matters because the engine calls them every round.
//!
//! # Mid price
//! The mid is the midpoint of the best bid and ask *after market makers re-quote*: when one side
//! has been walked further from its starting level than the other, the other side's quote moves
//! to keep the quoted spread, e.g. after a sell walk mid = best available bid + spread / 2.
//! Why: on a real venue an ask left resting far above the last trades is repriced at once (the
//! BTCUSDT spread stays at one tick through cascades); without the rule the mid, and with it the
//! mark, would move only half as far as the trades that moved it, and the cascade would see
//! half of its own price impact. The rule only sets the mid: resting depth on the re-quoting
//! side stays where it is. A side walked to exhaustion quotes at its deepest level.
//!
//! # Shift, resilience, withdrawal
//! - `shift(rel)`: the reference price (a float, in ticks) is multiplied by `1 + rel` and every
//!   level, holes included, moves by the rounded change of the reference. Sub-tick moves
//!   accumulate in the float reference, so many small cross-impact shifts add up exactly.
//!   The shape is kept in ticks (a level 100 ticks from the reference stays 100 ticks away).
//! - `recover(dt)`: Obizhaeva–Wang resilience. The side's total deficit against its target
//!   `round(multiplier × profile)` decays by `exp(−dt/τ)` (rounded half away from zero), and the
//!   refill arrives at the current best price first, so the hole closes from its outer edge
//!   back towards the reference and the mid returns at the pace of the depth, as in the
//!   block-shaped book of Obizhaeva and Wang (2013). τ = +∞: no recovery; τ = 0:
//!   instant recovery at any `dt > 0`; a negative or NaN τ is rejected when the book is built.
//! - `set_depth_multiplier(m)`: withdrawal is instant and return is not. Every level is clipped
//!   to `round(m × profile)` at once (market makers pull quotes immediately); raising `m` never
//!   adds depth by itself — levels climb to the new target only through `recover`, at the
//!   resilience rate. So a consumed level is never refilled beyond what `recover` allows.
//!
//! # A book at rest
//! Most books, most steps, have nothing to refill: a spot book nobody traded, a perp book whose
//! last walk has healed, or one left a few lots short that `round` never decays
//! (`missing·(1 − e^(−dt/τ)) < ½`). A resilience step on such a book is the identity, and the
//! step is a function of the book's state and `dt` only (the reference and offset, which
//! `shift` moves, do not enter it). So once a step of length `dt` added no lot and left the
//! lazy levels' fraction with the same bits, every later step of that length is the identity
//! too until a walk, a new multiplier or a restore changes the state: `recover` returns at
//! once (issue 15: `recover` was the largest single item of a `stress` profile, spot books
//! included). `crates/impact/tests/book_rest.rs` checks it against a book that never skips.

use crate::{Fill, ImpactError, PriceImpact};
use liq_domain::{BookSpec, DepthProfile, L2Level, MarketSpec, Side};

/// Largest number of tick levels per side: a guard against a mis-typed price turning the dense
/// representation into gigabytes (4M levels = 32 MB per array; BTC at ±25% needs ≈155,000).
pub const MAX_LEVELS_PER_SIDE: usize = 4_000_000;

/// Tolerance, in ticks or lots, for a price or size to count as lying on the market's grid.
const GRID_TOLERANCE: f64 = 1e-6;

/// One side of the book in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookSide {
    Bid,
    Ask,
}

/// One side's dense levels.
#[derive(Debug, Clone, PartialEq)]
struct Ladder {
    /// Tick of level 0 when the reference has not moved.
    anchor: i64,
    /// −1 for bids (ticks descend with `k`), +1 for asks.
    dir: i64,
    /// Full depth per level, lots.
    profile: Vec<i64>,
    /// Current depth per level, valid for `k < hi`.
    depth: Vec<i64>,
    /// Levels `0..hi` are materialised; the rest hold `round(f × profile[k])`.
    hi: usize,
    /// First level with depth > 0, or `len` when the side is exhausted.
    best: usize,
    /// Last level with profile > 0.
    deepest: usize,
    /// `round(multiplier × profile[k])` for the resilience step (a cache, not state). Boxed:
    /// inline it made `ImpactModel::Book` 64 bytes larger for a field only recovery reads.
    full: Box<crate::full_depth::FullDepth>,
    /// The running deficit against `full` for the resilience step (a cache, crate::deficit);
    /// boxed for the same reason as `full`. The bid side's also carries the whole book's
    /// rest mark (module doc, "A book at rest"), which inline would grow the enum again.
    deficit: Box<crate::deficit::Deficit>,
}

#[inline]
pub(crate) fn scaled(fraction: f64, lots: i64) -> i64 {
    (fraction * lots as f64).round() as i64
}

impl Ladder {
    fn new(anchor: i64, dir: i64, profile: Vec<i64>, fraction: f64) -> Self {
        let deepest = profile.iter().rposition(|&l| l > 0).unwrap_or(0);
        let mut ladder = Self {
            anchor,
            dir,
            depth: vec![0; profile.len()],
            profile,
            hi: 0,
            best: 0,
            deepest,
            full: Default::default(),
            deficit: Default::default(),
        };
        ladder.settle_from(0, fraction);
        ladder
    }

    #[inline]
    fn len(&self) -> usize {
        self.profile.len()
    }

    /// Depth of level `k`, materialising it (and the levels before it) on the way.
    #[inline]
    fn touch(&mut self, k: usize, fraction: f64) {
        while self.hi <= k {
            self.depth[self.hi] = scaled(fraction, self.profile[self.hi]);
            self.hi += 1;
        }
    }

    /// Moves the cursor to the first non-empty level at or after `k`.
    fn settle_from(&mut self, mut k: usize, fraction: f64) {
        let n = self.len();
        while k < n {
            self.touch(k, fraction);
            if self.depth[k] > 0 {
                break;
            }
            k += 1;
        }
        self.best = k;
    }

    /// Restores `base`'s state (a ladder built from the same profile), copying only the levels a
    /// walk has materialised: O(levels walked), not O(levels).
    fn restore_from(&mut self, base: &Ladder) {
        self.depth[..base.hi].copy_from_slice(&base.depth[..base.hi]);
        self.hi = base.hi;
        self.best = base.best;
        self.anchor = base.anchor;
        self.dir = base.dir;
        self.deepest = base.deepest;
        self.deficit.invalidate();
    }

    fn depth_at(&self, k: usize, fraction: f64) -> i64 {
        if k < self.hi {
            self.depth[k]
        } else {
            scaled(fraction, self.profile[k])
        }
    }

    fn total(&self, fraction: f64) -> i64 {
        (0..self.len()).map(|k| self.depth_at(k, fraction)).sum()
    }

    /// Walks up to `lots` from the cursor through levels `..= k_max`. Returns (filled, Σ take × k,
    /// last k filled).
    #[inline]
    fn walk(&mut self, lots: i64, k_max: usize, fraction: f64, m_bits: u64) -> (i64, i128, usize) {
        let mut remaining = lots;
        let mut weighted: i128 = 0;
        let mut last = 0;
        let mut k = self.best;
        let stop = k_max.min(self.len().saturating_sub(1));
        while remaining > 0 && k <= stop && k < self.len() {
            if k >= self.hi {
                self.touch(k, fraction);
            }
            let d = self.depth[k];
            if d > 0 {
                let take = d.min(remaining);
                self.depth[k] = d - take;
                self.deficit.on_take(k, d, take, self.full.get(m_bits, k));
                remaining -= take;
                weighted += take as i128 * k as i128;
                last = k;
                if take < d {
                    break;
                }
            }
            k += 1;
        }
        self.settle_from(k.min(self.len()), fraction);
        (lots - remaining, weighted, last)
    }
}

/// An L2 book in integer ticks and lots. See the module documentation for its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct L2Book {
    bids: Ladder,
    asks: Ladder,
    /// Quoted spread at construction, ticks.
    spread_ticks: i64,
    /// Reference price in ticks at construction and now; levels move by the rounded difference.
    reference0: f64,
    reference: f64,
    /// Integer offset of every level from its position at construction.
    offset: i64,
    /// Depth multiplier (liquidity withdrawal), ≥ 0.
    multiplier: f64,
    /// Fraction of profile held by levels no walk has reached (≤ `multiplier` after any call).
    fraction: f64,
    tau_s: f64,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ImpactError {
    ImpactError::Invalid { field: field.into(), message: message.into() }
}

/// Checks a market's tick and lot and the resilience constant, common to every model.
pub(crate) fn check_market(market: &MarketSpec, resilience_tau_s: f64) -> Result<(), ImpactError> {
    for (name, v) in [("tick_size", market.tick_size), ("lot_size", market.lot_size)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(invalid(name, format!("must be a positive finite number, got {v}")));
        }
    }
    if resilience_tau_s.is_nan() || resilience_tau_s < 0.0 {
        return Err(invalid(
            "resilience_tau_s",
            format!("must be ≥ 0 (0 = instant recovery, inf = none), got {resilience_tau_s}"),
        ));
    }
    Ok(())
}

/// Converts `value / unit` to an integer, requiring it to lie on the grid.
fn on_grid(value: f64, unit: f64, field: &str, what: &str) -> Result<i64, ImpactError> {
    if !(value.is_finite() && value > 0.0) {
        return Err(invalid(field, format!("must be a positive finite number, got {value}")));
    }
    let x = value / unit;
    if x > 1e15 {
        return Err(invalid(field, format!("{value} is too large for the market's {what} grid")));
    }
    let n = x.round();
    if (x - n).abs() > GRID_TOLERANCE + n * 1e-12 || n < 1.0 {
        return Err(invalid(field, format!("{value} is not a whole number of {what}s ({unit})")));
    }
    Ok(n as i64)
}

/// Converts one side's explicit levels to (best tick, dense lots). `dir` = −1 for bids.
fn dense_levels(
    levels: &[L2Level],
    market: &MarketSpec,
    name: &str,
    dir: i64,
) -> Result<(i64, Vec<i64>), ImpactError> {
    if levels.is_empty() {
        return Err(invalid(name, "needs at least one level"));
    }
    let mut ticks = Vec::with_capacity(levels.len());
    for (i, l) in levels.iter().enumerate() {
        let t = on_grid(l.price, market.tick_size, &format!("{name}[{i}].price"), "tick")?;
        let q = on_grid(l.qty, market.lot_size, &format!("{name}[{i}].qty"), "lot")?;
        if let Some(&(prev, _)) = ticks.last() {
            if (t - prev) * dir <= 0 {
                let order = if dir < 0 { "strictly descending" } else { "strictly ascending" };
                return Err(invalid(
                    format!("{name}[{i}].price"),
                    format!("{name} must be {order} by price"),
                ));
            }
        }
        ticks.push((t, q));
    }
    let best = ticks[0].0;
    let span = ((ticks[ticks.len() - 1].0 - best) * dir) as usize + 1;
    if span > MAX_LEVELS_PER_SIDE {
        return Err(invalid(
            name,
            format!("spans {span} ticks, more than the {MAX_LEVELS_PER_SIDE} a book side may hold"),
        ));
    }
    let mut dense = vec![0; span];
    for (t, q) in ticks {
        dense[((t - best) * dir) as usize] = q;
    }
    Ok((best, dense))
}

/// Spreads a side's notional-per-bucket profile over every tick, converting to lots at each
/// tick's price. Lots are emitted by rounding the running total, so each side's total is exact
/// to half a lot. A bucket narrower than a tick passes its notional to the next tick.
fn profile_levels(
    notional: &[f64],
    name: &str,
    bucket_bps: f64,
    best: i64,
    dir: i64,
    mid_ticks: f64,
    market: &MarketSpec,
) -> Result<Vec<i64>, ImpactError> {
    if notional.is_empty() {
        return Err(invalid(name, "needs at least one bucket"));
    }
    for (i, &n) in notional.iter().enumerate() {
        if !(n.is_finite() && n >= 0.0) {
            return Err(invalid(format!("{name}[{i}]"), format!("must be a finite notional ≥ 0, got {n}")));
        }
    }
    if notional.iter().all(|&n| n == 0.0) {
        return Err(invalid(name, "has no depth in any bucket"));
    }
    let reach_bps = notional.len() as f64 * bucket_bps;
    if dir < 0 && reach_bps >= 10_000.0 {
        return Err(invalid(name, format!("reaches {reach_bps} bps below mid: bids need a positive price")));
    }
    // Bucket of each tick by its distance from mid; 1e-9 keeps exact boundaries (5.0 bps
    // computed as 4.999999…) in the upper bucket.
    let bucket_of = |k: usize| -> usize {
        let t = best + dir * k as i64;
        let dist_bps = (t as f64 - mid_ticks) * dir as f64 / mid_ticks * 1e4;
        (dist_bps / bucket_bps + 1e-9).floor().max(0.0) as usize
    };
    let mut counts = vec![0usize; notional.len()];
    let mut k = 0usize;
    loop {
        let b = bucket_of(k);
        if b >= notional.len() || best + dir * k as i64 <= 0 {
            break;
        }
        counts[b] += 1;
        k += 1;
        if k > MAX_LEVELS_PER_SIDE {
            return Err(invalid(
                name,
                format!("needs more than {MAX_LEVELS_PER_SIDE} ticks: the profile is too wide for this tick"),
            ));
        }
    }
    let mut lots = Vec::with_capacity(k);
    let (mut exact, mut emitted, mut carry) = (0.0_f64, 0_i64, 0.0_f64);
    for (b, (&n, &c)) in notional.iter().zip(&counts).enumerate() {
        if c == 0 {
            carry += n;
            continue;
        }
        let per_tick = n / c as f64;
        for j in 0..c {
            let kk = lots.len();
            let price = (best + dir * kk as i64) as f64 * market.tick_size;
            let usd = per_tick + if j == 0 { std::mem::take(&mut carry) } else { 0.0 };
            exact += usd / price / market.lot_size;
            let total = exact.round() as i64;
            lots.push(total - emitted);
            emitted = total;
            debug_assert_eq!(bucket_of(kk), b);
        }
    }
    Ok(lots)
}

impl L2Book {
    /// Builds a book from a scenario's specification. For explicit levels `mid_price` is not
    /// used (the book's own best bid and ask define the mid); for a profile it is the centre.
    /// Errors name the field (`bids[3].price`, `bid_notional_usd[7]`).
    pub fn from_spec(
        spec: &BookSpec,
        market: &MarketSpec,
        mid_price: f64,
        resilience_tau_s: f64,
    ) -> Result<Self, ImpactError> {
        check_market(market, resilience_tau_s)?;
        let (bid_best, bid_levels, ask_best, ask_levels) = match spec {
            BookSpec::Levels { bids, asks } => {
                let (bb, bl) = dense_levels(bids, market, "bids", -1)?;
                let (ba, al) = dense_levels(asks, market, "asks", 1)?;
                if bb >= ba {
                    return Err(invalid(
                        "asks[0].price",
                        format!("best ask {} is not above best bid {}", asks[0].price, bids[0].price),
                    ));
                }
                (bb, bl, ba, al)
            }
            BookSpec::Profile(p) => Self::profile_sides(p, market, mid_price)?,
        };
        let reference = (bid_best + ask_best) as f64 / 2.0;
        Ok(Self {
            bids: Ladder::new(bid_best, -1, bid_levels, 1.0),
            asks: Ladder::new(ask_best, 1, ask_levels, 1.0),
            spread_ticks: ask_best - bid_best,
            reference0: reference,
            reference,
            offset: 0,
            multiplier: 1.0,
            fraction: 1.0,
            tau_s: resilience_tau_s,
        })
    }

    fn profile_sides(
        p: &DepthProfile,
        market: &MarketSpec,
        mid_price: f64,
    ) -> Result<(i64, Vec<i64>, i64, Vec<i64>), ImpactError> {
        if !(mid_price.is_finite() && mid_price > 0.0) {
            return Err(invalid("mid_price", format!("must be a positive finite price, got {mid_price}")));
        }
        if !(p.bucket_bps.is_finite() && p.bucket_bps > 0.0) {
            return Err(invalid(
                "bucket_bps",
                format!("must be a positive finite number, got {}", p.bucket_bps),
            ));
        }
        if p.spread_ticks < 1 {
            return Err(invalid("spread_ticks", format!("must be ≥ 1, got {}", p.spread_ticks)));
        }
        let mid_ticks = mid_price / market.tick_size;
        if mid_ticks < p.spread_ticks as f64 || mid_ticks > 1e15 {
            return Err(invalid(
                "mid_price",
                format!("{mid_price} is not a usable price for this tick size"),
            ));
        }
        let best_bid = (mid_ticks - p.spread_ticks as f64 / 2.0).round() as i64;
        let best_ask = best_bid + p.spread_ticks;
        let bids = profile_levels(
            &p.bid_notional_usd,
            "bid_notional_usd",
            p.bucket_bps,
            best_bid,
            -1,
            mid_ticks,
            market,
        )?;
        let asks = profile_levels(
            &p.ask_notional_usd,
            "ask_notional_usd",
            p.bucket_bps,
            best_ask,
            1,
            mid_ticks,
            market,
        )?;
        Ok((best_bid, bids, best_ask, asks))
    }

    fn ladder(&self, side: BookSide) -> &Ladder {
        match side {
            BookSide::Bid => &self.bids,
            BookSide::Ask => &self.asks,
        }
    }

    #[inline]
    fn tick_of(&self, ladder: &Ladder, k: usize) -> i64 {
        ladder.anchor + self.offset + ladder.dir * k as i64
    }

    /// Best price with depth on `side`, or `None` when the side is exhausted.
    pub fn best_tick(&self, side: BookSide) -> Option<i64> {
        let l = self.ladder(side);
        (l.best < l.len()).then(|| self.tick_of(l, l.best))
    }

    /// The deepest tick the book holds (full) depth at on `side`.
    pub fn deepest_tick(&self, side: BookSide) -> i64 {
        let l = self.ladder(side);
        self.tick_of(l, l.deepest)
    }

    /// Lots resting at `tick` on `side` (0 outside the book).
    pub fn depth_at_tick(&self, side: BookSide, tick: i64) -> i64 {
        let l = self.ladder(side);
        let k = (tick - l.anchor - self.offset) * l.dir;
        if k < 0 || k as usize >= l.len() {
            return 0;
        }
        l.depth_at(k as usize, self.fraction)
    }

    /// Total lots resting on `side` (walks every level: for tests and reports, not hot paths).
    pub fn total_lots(&self, side: BookSide) -> i64 {
        self.ladder(side).total(self.fraction)
    }

    /// Quoted spread at construction, ticks.
    pub fn spread_ticks(&self) -> i64 {
        self.spread_ticks
    }

    /// The current depth multiplier.
    pub fn depth_multiplier(&self) -> f64 {
        self.multiplier
    }

    pub fn resilience_tau_s(&self) -> f64 {
        self.tau_s
    }

    /// Restores the state of `base`, a book built from the same specification (the cascade
    /// engine's starting book), in O(levels any walk has reached) instead of copying the whole
    /// ±25% range: a Monte Carlo run resets its books once per path. Falls back to a full copy
    /// when the two books do not share a shape.
    pub fn restore_from(&mut self, base: &L2Book) {
        let same_shape = self.bids.len() == base.bids.len()
            && self.asks.len() == base.asks.len()
            && self.bids.profile.first() == base.bids.profile.first()
            && self.asks.profile.last() == base.asks.profile.last();
        if !same_shape {
            self.clone_from(base);
            return;
        }
        self.bids.restore_from(&base.bids);
        self.asks.restore_from(&base.asks);
        self.spread_ticks = base.spread_ticks;
        self.reference0 = base.reference0;
        self.reference = base.reference;
        self.offset = base.offset;
        self.multiplier = base.multiplier;
        self.fraction = base.fraction;
        self.tau_s = base.tau_s;
        self.bids.deficit.rest.clear();
    }

    /// Quote of a side for the mid rule: its best level, or its deepest level when exhausted.
    fn quote(&self, l: &Ladder) -> i64 {
        self.tick_of(l, l.best.min(l.len().saturating_sub(1)))
    }
}

impl PriceImpact for L2Book {
    fn execute(&mut self, side: Side, lots: i64, limit_tick: i64) -> Fill {
        if lots <= 0 {
            return Fill::default();
        }
        self.bids.deficit.rest.clear();
        let fraction = self.fraction;
        let offset = self.offset;
        let ladder = match side {
            Side::Sell => &mut self.bids,
            Side::Buy => &mut self.asks,
        };
        let base = ladder.anchor + offset;
        // Levels allowed by the limit (and, for sells, by prices staying ≥ one tick).
        let k_max = match side {
            Side::Sell => base - limit_tick.max(1),
            Side::Buy => limit_tick - base,
        };
        if k_max < 0 {
            return Fill::default();
        }
        let (filled, weighted, last) = ladder.walk(lots, k_max as usize, fraction, self.multiplier.to_bits());
        if filled == 0 {
            return Fill::default();
        }
        let dir = ladder.dir as i128;
        Fill {
            filled_lots: filled,
            value_lot_ticks: base as i128 * filled as i128 + dir * weighted,
            last_tick: Some(base + ladder.dir * last as i64),
        }
    }

    fn mid_ticks(&self) -> f64 {
        let (bid, ask) = self.quote_ticks();
        ((bid + ask) / 2.0).max(0.0)
    }

    fn exhausted(&self) -> Option<Side> {
        if self.bids.best >= self.bids.len() {
            Some(Side::Sell)
        } else if self.asks.best >= self.asks.len() {
            Some(Side::Buy)
        } else {
            None
        }
    }

    fn quote_ticks(&self) -> (f64, f64) {
        let (bid, ask) = (self.quote(&self.bids), self.quote(&self.asks));
        // The side walked further from its starting level leads; the other re-quotes to keep
        // the spread (see the module documentation for why).
        let (bid, ask) = match self.bids.best.cmp(&self.asks.best) {
            std::cmp::Ordering::Greater => (bid, ask.min(bid + self.spread_ticks)),
            std::cmp::Ordering::Less => (bid.max(ask - self.spread_ticks), ask),
            std::cmp::Ordering::Equal => (bid, ask),
        };
        (bid as f64, ask as f64)
    }

    fn shift(&mut self, rel: f64) {
        if !rel.is_finite() {
            return;
        }
        self.reference *= (1.0 + rel).max(0.0);
        let offset = (self.reference - self.reference0).round();
        // A reference beyond i64 ticks is not a price; keep the last representable offset.
        if offset.abs() < 1e15 {
            self.offset = offset as i64;
        }
    }

    fn recover(&mut self, dt_s: f64) {
        if dt_s.is_nan() || dt_s <= 0.0 || self.tau_s.is_infinite() || self.bids.deficit.rest.holds(dt_s) {
            return;
        }
        let fraction_before = self.fraction.to_bits();
        let mut added = 0;
        let decay = self.bids.deficit.decay(dt_s, self.tau_s);
        let m = self.multiplier;
        let mut starts = [0usize; 2];
        for (i, ladder) in [&mut self.bids, &mut self.asks].into_iter().enumerate() {
            // Obizhaeva–Wang: the side's total missing volume decays by exp(−dt/τ), and new
            // limit orders arrive at the current best price, improving it step by step: the hole
            // closes from its outer edge (next to the remaining depth) back towards the reference,
            // so the best price, and with it the mid, returns at the pace of the depth. Refilling
            // every level by the same fraction would put a few lots on the level next to the
            // reference at once and snap the mid back long before the depth returns.
            let full = ladder.full.levels(m, &ladder.profile, ladder.hi);
            let depth = &mut ladder.depth[..ladder.hi];
            // The cached deficit and the highest level still short of full (crate::deficit):
            // the same integers a re-sum over every level gives, without the re-sum.
            let (missing, gap_hi) = ladder.deficit.update(m.to_bits(), full, depth);
            let mut refill = missing - ladder.deficit.kept(missing, decay);
            let to_add = refill;
            let mut k = gap_hi;
            while refill > 0 && k > 0 {
                k -= 1;
                let gap = full[k] - depth[k];
                if gap > 0 {
                    let add = gap.min(refill);
                    depth[k] += add;
                    refill -= add;
                }
            }
            if to_add > 0 {
                added += to_add - refill;
                ladder.deficit.after_refill(to_add - refill, k);
                // The refill only added depth, at levels `k..`: every level below the lower of
                // the old best and `k` is still empty, so the scan for the best starts there.
                starts[i] = ladder.best.min(k);
            } else {
                starts[i] = ladder.best;
            }
        }
        self.fraction = m - (m - self.fraction) * decay;
        let fraction = self.fraction;
        self.bids.settle_from(starts[0], fraction);
        self.asks.settle_from(starts[1], fraction);
        // Nothing refilled and the untouched levels' fraction kept its bits: this step was the
        // identity, and so is every later one of the same length until something else moves
        // the book (the step is a function of the state, and the state did not change).
        if added == 0 && fraction.to_bits() == fraction_before {
            self.bids.deficit.rest.set(dt_s);
        }
    }

    fn set_depth_multiplier(&mut self, multiplier: f64) {
        if multiplier.is_nan() {
            return;
        }
        let m = multiplier.clamp(0.0, 1e6);
        self.bids.deficit.rest.clear();
        self.multiplier = m;
        self.fraction = self.fraction.min(m);
        let fraction = self.fraction;
        for ladder in [&mut self.bids, &mut self.asks] {
            ladder.deficit.invalidate();
            for k in 0..ladder.hi {
                ladder.depth[k] = ladder.depth[k].min(scaled(m, ladder.profile[k]));
            }
            ladder.settle_from(ladder.best, fraction);
        }
    }
}

#[cfg(test)]
mod restore_tests {
    use super::*;
    use liq_domain::{L2Level, RiskLadder};

    /// Walk, shift, withdraw and recover a copy, restore it from the original: it must equal the
    /// original in every observable (mid, depth at every tick) and behave identically after.
    #[test]
    fn restore_equals_fresh_clone() {
        let market = MarketSpec {
            symbol: "T".into(),
            tick_size: 1.0,
            lot_size: 0.001,
            index_price: 1000.0,
            mark_price: 1000.0,
            ladder: RiskLadder::from_caps(&[(1e9, 0.01, 50.0)]).unwrap(),
            liquidation_fee_rate: 0.0,
            taker_fee_rate: 0.0,
        };
        let bids: Vec<L2Level> = (1..50).map(|i| L2Level { price: 1000.0 - i as f64, qty: 0.5 }).collect();
        let asks: Vec<L2Level> = (1..50).map(|i| L2Level { price: 1000.0 + i as f64, qty: 0.5 }).collect();
        let base = L2Book::from_spec(&BookSpec::Levels { bids, asks }, &market, 1000.0, 10.0).unwrap();
        let mut b = base.clone();
        b.execute(Side::Sell, 7_000, 0);
        b.shift(-0.01);
        b.set_depth_multiplier(0.5);
        b.recover(3.0);
        b.execute(Side::Buy, 2_000, i64::MAX);
        b.restore_from(&base);
        assert_eq!(b.mid_ticks(), base.mid_ticks());
        for t in 900..1100 {
            assert_eq!(b.depth_at_tick(BookSide::Bid, t), base.depth_at_tick(BookSide::Bid, t));
            assert_eq!(b.depth_at_tick(BookSide::Ask, t), base.depth_at_tick(BookSide::Ask, t));
        }
        let mut fresh = base.clone();
        assert_eq!(b.execute(Side::Sell, 9_000, 0), fresh.execute(Side::Sell, 9_000, 0));
        assert_eq!(b.mid_ticks(), fresh.mid_ticks());
    }
}
