//! The vocabulary of the matching engine: orders in, events out, configuration and errors.
//!
//! Prices are integer ticks and quantities integer lots. Events are small `Copy` values pushed
//! into a caller-provided `Vec`, so a caller that reuses its buffer allocates nothing per message.

use liq_domain::Side;

/// Price in integer ticks.
pub type Tick = i64;
/// Quantity in integer lots.
pub type Lots = i64;

/// An order id assigned by the book: `generation << 32 | slot`. The slot makes the id → order
/// lookup a single array access with no hashing; the generation (bumped each time a slot is
/// reused) keeps an id from ever naming a later order in the same slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct OrderId(pub u64);

impl OrderId {
    #[inline]
    pub(crate) fn new(generation: u32, slot: u32) -> OrderId {
        OrderId(((generation as u64) << 32) | slot as u64)
    }
    #[inline]
    pub(crate) fn slot(self) -> u32 {
        self.0 as u32
    }
    #[inline]
    pub(crate) fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// Order type and time in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    /// Good-till-cancel limit: matches what it crosses, rests the remainder.
    Limit,
    /// Matches at any price until filled or the opposite side is empty; never rests.
    Market,
    /// Immediate-or-cancel limit: matches up to its price, cancels the remainder.
    Ioc,
    /// Fill-or-kill limit: fills in full up to its price, or does nothing at all.
    Fok,
    /// Limit that must rest: cancelled (not matched) if it would cross.
    PostOnly,
    /// Becomes a market order once the last trade price reaches `trigger`
    /// (a buy stop at or above it, a sell stop at or below it).
    StopMarket { trigger: Tick },
    /// Becomes a GTC limit at the order's price once the last trade price reaches `trigger`.
    StopLimit { trigger: Tick },
}

/// An order as the caller sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewOrder {
    /// Who sends it: self-trade prevention compares owners.
    pub owner: u32,
    pub side: Side,
    pub kind: OrderKind,
    /// Limit price (ignored for `Market` and `StopMarket`).
    pub price: Tick,
    pub qty: Lots,
    /// Reduce-only: `Some(position)` with the caller's signed position in lots. The order is
    /// clamped to the size that reduces that position and rejected if it cannot reduce it. The
    /// book does not track positions: the clamp applies when the order is submitted.
    pub reduce_only: Option<Lots>,
}

impl NewOrder {
    /// A GTC limit order.
    pub fn limit(owner: u32, side: Side, price: Tick, qty: Lots) -> NewOrder {
        NewOrder { owner, side, kind: OrderKind::Limit, price, qty, reduce_only: None }
    }
    /// A market order.
    pub fn market(owner: u32, side: Side, qty: Lots) -> NewOrder {
        NewOrder { owner, side, kind: OrderKind::Market, price: 0, qty, reduce_only: None }
    }
    /// An order of any kind.
    pub fn new(owner: u32, side: Side, kind: OrderKind, price: Tick, qty: Lots) -> NewOrder {
        NewOrder { owner, side, kind, price, qty, reduce_only: None }
    }
}

/// How an incoming order is matched against a price level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// First come, first served within a level.
    PriceTime,
    /// Within a level, each resting order gets `floor(taker × its size / level size)`; the lots
    /// left by rounding go one each to the earliest orders that still have room (CME-style
    /// pro-rata with FIFO top-up). A taker that clears the level fills everybody in full.
    ProRata,
}

/// Self-trade prevention: what happens when an order would trade with a resting order of the
/// same owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StpMode {
    /// Self-trades are allowed.
    Allow,
    /// The resting order is cancelled and matching continues.
    CancelResting,
    /// The incoming order's remainder is cancelled.
    CancelTaking,
}

/// Why an order left the book without trading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CancelReason {
    /// The owner cancelled it.
    User,
    /// Remainder of a market or IOC order that found nothing more to match.
    Unfilled,
    /// A fill-or-kill order that could not fill in full.
    FokUnfilled,
    /// A post-only order that would have crossed.
    PostOnlyWouldCross,
    /// Self-trade prevention.
    SelfTrade,
}

/// Why a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RejectReason {
    /// Quantity not positive.
    BadQuantity,
    /// Limit or trigger price outside the book's price window.
    PriceOutOfRange,
    /// A reduce-only order that would not reduce the position.
    ReduceOnlyWouldIncrease,
    /// Cancel or amend of an id that is not live.
    UnknownOrder,
    /// Amend of a stop order (cancel and resubmit instead).
    NotAmendable,
}

/// Everything the book does, in the order it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Event {
    /// An order (or the remainder of one) now rests in the book.
    Added { id: OrderId, owner: u32, side: Side, price: Tick, qty: Lots },
    /// A trade at the maker's price. `maker_remaining == 0` means the maker left the book.
    Trade {
        maker: OrderId,
        maker_owner: u32,
        taker: OrderId,
        taker_owner: u32,
        taker_side: Side,
        price: Tick,
        qty: Lots,
        maker_remaining: Lots,
    },
    /// An order left the book, or an incoming order's remainder was dropped.
    Canceled { id: OrderId, owner: u32, remaining: Lots, reason: CancelReason },
    /// A resting order changed. If the priority was lost, any trades the re-entered order makes
    /// follow, and it rests with whatever remains.
    Amended { id: OrderId, owner: u32, price: Tick, qty: Lots, priority_kept: bool },
    /// A stop order was accepted and waits for its trigger.
    StopAccepted { id: OrderId, owner: u32, side: Side, trigger: Tick },
    /// A stop order's trigger was reached; it now executes.
    StopTriggered { id: OrderId, owner: u32 },
    /// A message was refused.
    Rejected { id: OrderId, owner: u32, reason: RejectReason },
}

/// Shape of the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BookConfig {
    /// Lowest price the book accepts, ticks.
    pub min_price: Tick,
    /// Highest price the book accepts, ticks. One level array entry per tick in between.
    pub max_price: Tick,
    pub rule: MatchRule,
    pub stp: StpMode,
}

/// The largest price window a book can have (levels are indexed by `u32`, and the window is a
/// dense array: 2^26 levels is 1.5 GB of level memory, beyond any sensible use).
pub const MAX_LEVELS: i64 = 1 << 26;

/// A book configuration that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("book config {field}: {message}")]
pub struct BookError {
    pub field: &'static str,
    pub message: String,
}

impl BookConfig {
    pub fn validate(&self) -> Result<(), BookError> {
        if self.min_price < 0 {
            return Err(BookError {
                field: "min_price",
                message: format!("must be ≥ 0, got {}", self.min_price),
            });
        }
        if self.max_price < self.min_price {
            return Err(BookError {
                field: "max_price",
                message: format!("{} is below min_price {}", self.max_price, self.min_price),
            });
        }
        if self.max_price - self.min_price + 1 > MAX_LEVELS {
            return Err(BookError {
                field: "max_price",
                message: format!(
                    "window of {} ticks exceeds {MAX_LEVELS}",
                    self.max_price - self.min_price + 1
                ),
            });
        }
        Ok(())
    }
}

/// One resting order, as [`crate::book::Book::orders`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestingOrder {
    pub id: OrderId,
    pub owner: u32,
    pub side: Side,
    pub price: Tick,
    pub qty: Lots,
}
