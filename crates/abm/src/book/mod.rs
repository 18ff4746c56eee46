//! The L3 matching engine: one order book with integer ticks and lots and book-assigned order ids.
//!
//! This module owns the book's state and its public API ([`Book::submit`], [`Book::cancel`],
//! [`Book::amend`], best prices and depth queries). Matching itself (price-time and pro-rata,
//! fill-or-kill checks, stop triggering) lives in [`matching`]; the level array and occupancy
//! bitmap in [`levels`]; the message and event vocabulary in [`types`]; a deliberately naive
//! reference book that the property tests compare against in [`reference`](mod@reference).
//!
//! Layout, chosen for throughput (see the `matching` benchmark):
//! * a dense array of `levels::Level`s, one per tick of a fixed price window, each the head and
//!   tail of an intrusive doubly-linked FIFO list of orders;
//! * orders in a slab (`Vec` + free list); the id encodes the slot, so cancel and amend find their
//!   order with one array access and no hash map;
//! * best bid and ask cached in fields (O(1) to read) and re-found through a two-level bitmap only
//!   when the best level empties;
//! * stops in two `BTreeMap`s ordered by trigger (they are rare and never on the hot path).

pub mod levels;
pub mod matching;
pub mod reference;
pub mod types;
pub mod workload;

use levels::{Bitmap, Level, NIL};
use liq_domain::Side;
use std::collections::BTreeMap;
pub use types::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Free,
    Resting,
    Stop,
    /// Being matched as an incoming order (new, amended, or a triggered stop).
    Taking,
}

/// One slab entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub gen: u32,
    pub owner: u32,
    pub prev: u32,
    pub next: u32,
    pub qty: Lots,
    pub price: Tick,
    pub side: Side,
    pub state: State,
    pub post_only: bool,
    pub stop_limit: bool,
}

/// How an incoming order treats what it does not fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tif {
    Gtc,
    Ioc,
    Fok,
    PostOnly,
}

/// An L3 order book.
#[derive(Debug, Clone)]
pub struct Book {
    pub(crate) cfg: BookConfig,
    pub(crate) levels: Vec<Level>,
    pub(crate) bits: Bitmap,
    pub(crate) nodes: Vec<Node>,
    pub(crate) free_head: u32,
    /// Best bid in ticks, `i64::MIN` when there are no bids.
    pub(crate) best_bid: Tick,
    /// Best ask in ticks, `i64::MAX` when there are no asks.
    pub(crate) best_ask: Tick,
    pub(crate) last_trade: Option<Tick>,
    /// Buy stops by (trigger, arrival): the lowest trigger fires first.
    pub(crate) stops_buy: BTreeMap<(Tick, u64), u32>,
    /// Sell stops by (−trigger, arrival): the highest trigger fires first.
    pub(crate) stops_sell: BTreeMap<(Tick, u64), u32>,
    pub(crate) seq: u64,
    /// (trigger, arrival) of the stop order in each slot; kept out of [`Node`] so the nodes the
    /// matching loop touches stay small.
    pub(crate) stop_meta: Vec<(Tick, u64)>,
    pub(crate) scratch: Vec<(u32, Lots)>,
}

impl Book {
    /// An empty book over `cfg`'s price window.
    pub fn new(cfg: BookConfig) -> Result<Book, BookError> {
        cfg.validate()?;
        let n = (cfg.max_price - cfg.min_price + 1) as usize;
        Ok(Book {
            cfg,
            levels: vec![Level::EMPTY; n],
            bits: Bitmap::new(n),
            nodes: Vec::with_capacity(1 << 16),
            free_head: NIL,
            best_bid: i64::MIN,
            best_ask: i64::MAX,
            last_trade: None,
            stops_buy: BTreeMap::new(),
            stops_sell: BTreeMap::new(),
            seq: 0,
            stop_meta: Vec::new(),
            scratch: Vec::new(),
        })
    }

    pub fn config(&self) -> &BookConfig {
        &self.cfg
    }

    #[inline]
    pub fn best_bid(&self) -> Option<Tick> {
        (self.best_bid != i64::MIN).then_some(self.best_bid)
    }

    #[inline]
    pub fn best_ask(&self) -> Option<Tick> {
        (self.best_ask != i64::MAX).then_some(self.best_ask)
    }

    /// Price of the last trade, if any.
    #[inline]
    pub fn last_trade(&self) -> Option<Tick> {
        self.last_trade
    }

    /// Resting quantity at `price` (0 outside the window).
    #[inline]
    pub fn level_qty(&self, price: Tick) -> Lots {
        self.level_index(price).map(|i| self.levels[i].qty).unwrap_or(0)
    }

    /// Total resting quantity on `side` within `ticks` ticks of that side's best price (inclusive).
    pub fn depth_within(&self, side: Side, ticks: Tick) -> Lots {
        let mut total = 0;
        let mut cur = match side {
            Side::Buy => self.best_bid(),
            Side::Sell => self.best_ask(),
        };
        let Some(best) = cur else { return 0 };
        while let Some(p) = cur {
            if (p - best).abs() > ticks {
                break;
            }
            let li = (p - self.cfg.min_price) as usize;
            total += self.levels[li].qty;
            cur = self.neighbour_level(side, li);
        }
        total
    }

    /// The next occupied level beyond `li` on `side`'s away-from-the-touch direction.
    #[inline]
    pub(crate) fn neighbour_level(&self, side: Side, li: usize) -> Option<Tick> {
        let next = match side {
            Side::Buy => li.checked_sub(1).and_then(|j| self.bits.prev_at_or_below(j)),
            Side::Sell => self.bits.next_at_or_above(li + 1),
        };
        next.map(|j| j as Tick + self.cfg.min_price)
    }

    /// The resting order `id`, if it is live (stop orders are not resting).
    pub fn order(&self, id: OrderId) -> Option<RestingOrder> {
        let s = self.live(id)?;
        let n = &self.nodes[s as usize];
        (n.state == State::Resting).then_some(RestingOrder {
            id,
            owner: n.owner,
            side: n.side,
            price: n.price,
            qty: n.qty,
        })
    }

    /// Every resting order in priority order: bids best first, then asks best first, FIFO
    /// within a level. O(orders); for tests and snapshots.
    pub fn orders(&self) -> Vec<RestingOrder> {
        let mut out = Vec::new();
        for side in [Side::Buy, Side::Sell] {
            let mut cur = match side {
                Side::Buy => self.best_bid(),
                Side::Sell => self.best_ask(),
            };
            while let Some(p) = cur {
                let li = (p - self.cfg.min_price) as usize;
                let mut s = self.levels[li].head;
                while s != NIL {
                    let n = &self.nodes[s as usize];
                    out.push(RestingOrder {
                        id: OrderId::new(n.gen, s),
                        owner: n.owner,
                        side: n.side,
                        price: n.price,
                        qty: n.qty,
                    });
                    s = n.next;
                }
                cur = self.neighbour_level(side, li);
            }
        }
        out
    }

    /// Waiting stop orders, as `(id, side, trigger, limit price or None, qty)`: buys by trigger
    /// ascending, then sells by trigger descending (the order in which they would fire).
    pub fn stop_orders(&self) -> Vec<(OrderId, Side, Tick, Option<Tick>, Lots)> {
        self.stops_buy
            .values()
            .chain(self.stops_sell.values())
            .map(|&s| {
                let n = &self.nodes[s as usize];
                let trigger = self.stop_meta[s as usize].0;
                (OrderId::new(n.gen, s), n.side, trigger, n.stop_limit.then_some(n.price), n.qty)
            })
            .collect()
    }

    /// Number of resting orders plus waiting stops (O(1): slab size minus free slots is not
    /// tracked, so this counts the levels' order counts; for statistics, not the hot path).
    pub fn resting_count(&self) -> usize {
        self.levels.iter().map(|l| l.count as usize).sum()
    }

    /// Submits an order; returns the id the book gave it (also on rejection, so the caller can
    /// match the `Rejected` event). Events go to `ev`.
    #[inline]
    pub fn submit(&mut self, o: NewOrder, ev: &mut Vec<Event>) -> OrderId {
        let slot = self.alloc();
        let id = OrderId::new(self.nodes[slot as usize].gen, slot);
        let reject = |b: &mut Book, ev: &mut Vec<Event>, reason| {
            ev.push(Event::Rejected { id, owner: o.owner, reason });
            b.free(slot);
            id
        };
        if o.qty <= 0 {
            return reject(self, ev, RejectReason::BadQuantity);
        }
        let mut qty = o.qty;
        if let Some(pos) = o.reduce_only {
            let reducible = match o.side {
                Side::Buy => pos.saturating_neg().max(0),
                Side::Sell => pos.max(0),
            };
            if reducible == 0 {
                return reject(self, ev, RejectReason::ReduceOnlyWouldIncrease);
            }
            qty = qty.min(reducible);
        }
        let needs_price = !matches!(o.kind, OrderKind::Market | OrderKind::StopMarket { .. });
        if needs_price && self.level_index(o.price).is_none() {
            return reject(self, ev, RejectReason::PriceOutOfRange);
        }
        {
            let n = &mut self.nodes[slot as usize];
            n.owner = o.owner;
            n.side = o.side;
            n.qty = qty;
            n.price = o.price;
            n.post_only = o.kind == OrderKind::PostOnly;
            n.state = State::Taking;
        }
        match o.kind {
            OrderKind::Market => self.execute(slot, None, qty, Tif::Ioc, ev),
            OrderKind::Limit => self.execute(slot, Some(o.price), qty, Tif::Gtc, ev),
            OrderKind::Ioc => self.execute(slot, Some(o.price), qty, Tif::Ioc, ev),
            OrderKind::Fok => self.execute(slot, Some(o.price), qty, Tif::Fok, ev),
            OrderKind::PostOnly => self.execute(slot, Some(o.price), qty, Tif::PostOnly, ev),
            OrderKind::StopMarket { trigger } | OrderKind::StopLimit { trigger } => {
                if self.level_index(trigger).is_none() {
                    return reject(self, ev, RejectReason::PriceOutOfRange);
                }
                self.seq += 1;
                let seq = self.seq;
                if self.stop_meta.len() < self.nodes.len() {
                    self.stop_meta.resize(self.nodes.len(), (0, 0));
                }
                self.stop_meta[slot as usize] = (trigger, seq);
                let n = &mut self.nodes[slot as usize];
                n.stop_limit = matches!(o.kind, OrderKind::StopLimit { .. });
                n.state = State::Stop;
                match o.side {
                    Side::Buy => self.stops_buy.insert((trigger, seq), slot),
                    Side::Sell => self.stops_sell.insert((-trigger, seq), slot),
                };
                ev.push(Event::StopAccepted { id, owner: o.owner, side: o.side, trigger });
            }
        }
        if !(self.stops_buy.is_empty() && self.stops_sell.is_empty()) {
            self.run_stops(ev);
        }
        id
    }

    /// Cancels a resting or stop order. Returns whether it was live (a `Rejected` event says
    /// why not otherwise).
    #[inline]
    pub fn cancel(&mut self, id: OrderId, ev: &mut Vec<Event>) -> bool {
        let Some(slot) = self.live(id) else {
            ev.push(Event::Rejected { id, owner: u32::MAX, reason: RejectReason::UnknownOrder });
            return false;
        };
        let n = self.nodes[slot as usize];
        match n.state {
            State::Resting => self.unlink(slot),
            _ => self.remove_stop(slot),
        }
        ev.push(Event::Canceled { id, owner: n.owner, remaining: n.qty, reason: CancelReason::User });
        self.free(slot);
        true
    }

    /// Changes a resting order's price and/or size. A size reduction at the same price keeps
    /// the order's place in the queue; anything else sends it to the back of its (new) level,
    /// matching first if the new price crosses (a post-only order is cancelled instead).
    pub fn amend(&mut self, id: OrderId, price: Tick, qty: Lots, ev: &mut Vec<Event>) -> bool {
        let Some(slot) = self.live(id) else {
            ev.push(Event::Rejected { id, owner: u32::MAX, reason: RejectReason::UnknownOrder });
            return false;
        };
        let n = self.nodes[slot as usize];
        let reason = if n.state == State::Stop {
            Some(RejectReason::NotAmendable)
        } else if qty <= 0 {
            Some(RejectReason::BadQuantity)
        } else if self.level_index(price).is_none() {
            Some(RejectReason::PriceOutOfRange)
        } else {
            None
        };
        if let Some(reason) = reason {
            ev.push(Event::Rejected { id, owner: n.owner, reason });
            return false;
        }
        if price == n.price && qty <= n.qty {
            let li = (price - self.cfg.min_price) as usize;
            self.levels[li].qty -= n.qty - qty;
            self.nodes[slot as usize].qty = qty;
            ev.push(Event::Amended { id, owner: n.owner, price, qty, priority_kept: true });
            return true;
        }
        self.unlink(slot);
        {
            let m = &mut self.nodes[slot as usize];
            m.state = State::Taking;
            m.price = price;
            m.qty = qty;
        }
        ev.push(Event::Amended { id, owner: n.owner, price, qty, priority_kept: false });
        let tif = if n.post_only { Tif::PostOnly } else { Tif::Gtc };
        self.execute(slot, Some(price), qty, tif, ev);
        self.run_stops(ev);
        true
    }

    // ---- internals shared with `matching` ----

    #[inline]
    pub(crate) fn level_index(&self, price: Tick) -> Option<usize> {
        (price >= self.cfg.min_price && price <= self.cfg.max_price)
            .then(|| (price - self.cfg.min_price) as usize)
    }

    /// The slot of a live (resting or stop) order.
    #[inline]
    pub(crate) fn live(&self, id: OrderId) -> Option<u32> {
        let s = id.slot();
        let n = self.nodes.get(s as usize)?;
        (n.gen == id.generation() && matches!(n.state, State::Resting | State::Stop)).then_some(s)
    }

    #[inline]
    pub(crate) fn alloc(&mut self) -> u32 {
        if self.free_head != NIL {
            let s = self.free_head;
            self.free_head = self.nodes[s as usize].next;
            s
        } else {
            self.nodes.push(Node {
                gen: 1,
                owner: 0,
                prev: NIL,
                next: NIL,
                qty: 0,
                price: 0,
                side: Side::Buy,
                state: State::Free,
                post_only: false,
                stop_limit: false,
            });
            (self.nodes.len() - 1) as u32
        }
    }

    #[inline]
    pub(crate) fn free(&mut self, s: u32) {
        let n = &mut self.nodes[s as usize];
        n.gen = n.gen.wrapping_add(1);
        n.state = State::Free;
        n.next = self.free_head;
        self.free_head = s;
    }

    /// Appends order `s` (price, side and qty set) to the back of its level.
    #[inline]
    pub(crate) fn rest(&mut self, s: u32) {
        let (price, side, qty) = {
            let n = &self.nodes[s as usize];
            (n.price, n.side, n.qty)
        };
        let li = (price - self.cfg.min_price) as usize;
        let lvl = &mut self.levels[li];
        let tail = lvl.tail;
        lvl.tail = s;
        if tail == NIL {
            lvl.head = s;
        }
        lvl.qty += qty;
        lvl.count += 1;
        let first = lvl.count == 1;
        if tail != NIL {
            self.nodes[tail as usize].next = s;
        }
        let n = &mut self.nodes[s as usize];
        n.prev = tail;
        n.next = NIL;
        n.state = State::Resting;
        if first {
            self.bits.set(li);
        }
        match side {
            Side::Buy if price > self.best_bid => self.best_bid = price,
            Side::Sell if price < self.best_ask => self.best_ask = price,
            _ => {}
        }
    }

    /// Takes resting order `s` out of its level (its quantity leaves the level total).
    #[inline]
    pub(crate) fn unlink(&mut self, s: u32) {
        let n = self.nodes[s as usize];
        let li = (n.price - self.cfg.min_price) as usize;
        if n.prev != NIL {
            self.nodes[n.prev as usize].next = n.next;
        } else {
            self.levels[li].head = n.next;
        }
        if n.next != NIL {
            self.nodes[n.next as usize].prev = n.prev;
        } else {
            self.levels[li].tail = n.prev;
        }
        let lvl = &mut self.levels[li];
        lvl.qty -= n.qty;
        lvl.count -= 1;
        if lvl.count == 0 {
            self.level_emptied(li, n.side);
        }
    }

    /// Clears an emptied level and re-finds the best price if it was the best.
    #[inline]
    pub(crate) fn level_emptied(&mut self, li: usize, side: Side) {
        self.bits.clear(li);
        let price = li as Tick + self.cfg.min_price;
        match side {
            Side::Buy if price == self.best_bid => {
                self.best_bid = self.neighbour_level(Side::Buy, li).unwrap_or(i64::MIN);
            }
            Side::Sell if price == self.best_ask => {
                self.best_ask = self.neighbour_level(Side::Sell, li).unwrap_or(i64::MAX);
            }
            _ => {}
        }
    }

    pub(crate) fn remove_stop(&mut self, s: u32) {
        let (trigger, seq) = self.stop_meta[s as usize];
        match self.nodes[s as usize].side {
            Side::Buy => self.stops_buy.remove(&(trigger, seq)),
            Side::Sell => self.stops_sell.remove(&(-trigger, seq)),
        };
    }
}
