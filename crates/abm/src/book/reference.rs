//! A brute-force reference book: every order in one `Vec`, every question answered by a linear
//! scan. It is slow on purpose — nothing in it can be wrong in the clever ways the real book's
//! slab, intrusive lists and bitmaps could be — and the property tests require the real book to
//! emit exactly the same events and end in exactly the same state on random message streams.
//! It follows the conventions written at the top of [`super::matching`]. Ids come from the
//! caller (the tests pass the id the real book assigned).

use super::{CancelReason, Event, Lots, MatchRule, NewOrder, OrderId, OrderKind, RejectReason, RestingOrder};
use super::{StpMode, Tick};
use liq_domain::Side;

#[derive(Debug, Clone)]
struct RefOrder {
    id: OrderId,
    owner: u32,
    side: Side,
    price: Tick,
    qty: Lots,
    seq: u64,
    post_only: bool,
}

#[derive(Debug, Clone)]
struct RefStop {
    id: OrderId,
    owner: u32,
    side: Side,
    trigger: Tick,
    limit: Option<Tick>,
    qty: Lots,
    seq: u64,
}

/// The reference book.
#[derive(Debug, Clone)]
pub struct RefBook {
    min_price: Tick,
    max_price: Tick,
    rule: MatchRule,
    stp: StpMode,
    orders: Vec<RefOrder>,
    stops: Vec<RefStop>,
    last: Option<Tick>,
    seq: u64,
}

impl RefBook {
    pub fn new(min_price: Tick, max_price: Tick, rule: MatchRule, stp: StpMode) -> RefBook {
        RefBook { min_price, max_price, rule, stp, orders: vec![], stops: vec![], last: None, seq: 0 }
    }

    fn in_range(&self, p: Tick) -> bool {
        p >= self.min_price && p <= self.max_price
    }

    pub fn submit(&mut self, id: OrderId, o: NewOrder, ev: &mut Vec<Event>) {
        let rej = |ev: &mut Vec<Event>, reason| ev.push(Event::Rejected { id, owner: o.owner, reason });
        if o.qty <= 0 {
            return rej(ev, RejectReason::BadQuantity);
        }
        let mut qty = o.qty;
        if let Some(pos) = o.reduce_only {
            let r = if o.side == Side::Buy { (-pos).max(0) } else { pos.max(0) };
            if r == 0 {
                return rej(ev, RejectReason::ReduceOnlyWouldIncrease);
            }
            qty = qty.min(r);
        }
        let needs_price = !matches!(o.kind, OrderKind::Market | OrderKind::StopMarket { .. });
        if needs_price && !self.in_range(o.price) {
            return rej(ev, RejectReason::PriceOutOfRange);
        }
        let po = o.kind == OrderKind::PostOnly;
        match o.kind {
            OrderKind::Market => self.incoming(id, o.owner, o.side, None, qty, Tif::Ioc, po, ev),
            OrderKind::Limit => self.incoming(id, o.owner, o.side, Some(o.price), qty, Tif::Gtc, po, ev),
            OrderKind::Ioc => self.incoming(id, o.owner, o.side, Some(o.price), qty, Tif::Ioc, po, ev),
            OrderKind::Fok => self.incoming(id, o.owner, o.side, Some(o.price), qty, Tif::Fok, po, ev),
            OrderKind::PostOnly => self.incoming(id, o.owner, o.side, Some(o.price), qty, Tif::Post, po, ev),
            OrderKind::StopMarket { trigger } | OrderKind::StopLimit { trigger } => {
                if !self.in_range(trigger) {
                    return rej(ev, RejectReason::PriceOutOfRange);
                }
                self.seq += 1;
                let limit = matches!(o.kind, OrderKind::StopLimit { .. }).then_some(o.price);
                self.stops.push(RefStop {
                    id,
                    owner: o.owner,
                    side: o.side,
                    trigger,
                    limit,
                    qty,
                    seq: self.seq,
                });
                ev.push(Event::StopAccepted { id, owner: o.owner, side: o.side, trigger });
            }
        }
        self.fire_stops(ev);
    }

    pub fn cancel(&mut self, id: OrderId, ev: &mut Vec<Event>) {
        if let Some(i) = self.orders.iter().position(|o| o.id == id) {
            let o = self.orders.remove(i);
            ev.push(Event::Canceled { id, owner: o.owner, remaining: o.qty, reason: CancelReason::User });
        } else if let Some(i) = self.stops.iter().position(|o| o.id == id) {
            let o = self.stops.remove(i);
            ev.push(Event::Canceled { id, owner: o.owner, remaining: o.qty, reason: CancelReason::User });
        } else {
            ev.push(Event::Rejected { id, owner: u32::MAX, reason: RejectReason::UnknownOrder });
        }
    }

    pub fn amend(&mut self, id: OrderId, price: Tick, qty: Lots, ev: &mut Vec<Event>) {
        let Some(i) = self.orders.iter().position(|o| o.id == id) else {
            let (owner, reason) = match self.stops.iter().find(|o| o.id == id) {
                Some(s) => (s.owner, RejectReason::NotAmendable),
                None => (u32::MAX, RejectReason::UnknownOrder),
            };
            return ev.push(Event::Rejected { id, owner, reason });
        };
        let o = self.orders[i].clone();
        if qty <= 0 || !self.in_range(price) {
            let reason = if qty <= 0 { RejectReason::BadQuantity } else { RejectReason::PriceOutOfRange };
            return ev.push(Event::Rejected { id, owner: o.owner, reason });
        }
        if price == o.price && qty <= o.qty {
            self.orders[i].qty = qty;
            return ev.push(Event::Amended { id, owner: o.owner, price, qty, priority_kept: true });
        }
        self.orders.remove(i);
        ev.push(Event::Amended { id, owner: o.owner, price, qty, priority_kept: false });
        let tif = if o.post_only { Tif::Post } else { Tif::Gtc };
        self.incoming(id, o.owner, o.side, Some(price), qty, tif, o.post_only, ev);
        self.fire_stops(ev);
    }

    /// Resting orders in priority order, as [`super::Book::orders`] reports them.
    pub fn orders(&self) -> Vec<RestingOrder> {
        let mut v: Vec<&RefOrder> = self.orders.iter().collect();
        v.sort_by_key(|o| match o.side {
            Side::Buy => (0, -o.price, o.seq),
            Side::Sell => (1, o.price, o.seq),
        });
        v.iter()
            .map(|o| RestingOrder { id: o.id, owner: o.owner, side: o.side, price: o.price, qty: o.qty })
            .collect()
    }

    /// Waiting stops, as [`super::Book::stop_orders`] reports them.
    pub fn stop_orders(&self) -> Vec<(OrderId, Side, Tick, Option<Tick>, Lots)> {
        let mut v: Vec<&RefStop> = self.stops.iter().collect();
        v.sort_by_key(|s| match s.side {
            Side::Buy => (0, s.trigger, s.seq),
            Side::Sell => (1, -s.trigger, s.seq),
        });
        v.iter().map(|s| (s.id, s.side, s.trigger, s.limit, s.qty)).collect()
    }

    pub fn best_bid(&self) -> Option<Tick> {
        self.orders.iter().filter(|o| o.side == Side::Buy).map(|o| o.price).max()
    }

    pub fn best_ask(&self) -> Option<Tick> {
        self.orders.iter().filter(|o| o.side == Side::Sell).map(|o| o.price).min()
    }

    pub fn last_trade(&self) -> Option<Tick> {
        self.last
    }

    fn crosses(side: Side, px: Tick, lim: Tick) -> bool {
        if side == Side::Buy {
            px <= lim
        } else {
            px >= lim
        }
    }

    /// Best opposite price crossing `lim`.
    fn best_opposite(&self, side: Side, lim: Tick) -> Option<Tick> {
        let p = if side == Side::Buy { self.best_ask() } else { self.best_bid() }?;
        Self::crosses(side, p, lim).then_some(p)
    }

    /// Indices of the opposite orders at `px`, by arrival.
    fn level(&self, side: Side, px: Tick) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.orders.len())
            .filter(|&i| self.orders[i].side != side && self.orders[i].price == px)
            .collect();
        v.sort_by_key(|&i| self.orders[i].seq);
        v
    }

    #[allow(clippy::too_many_arguments)]
    fn incoming(
        &mut self,
        id: OrderId,
        owner: u32,
        side: Side,
        limit: Option<Tick>,
        qty: Lots,
        tif: Tif,
        post_only: bool,
        ev: &mut Vec<Event>,
    ) {
        let lim = limit.unwrap_or(if side == Side::Buy { self.max_price } else { self.min_price });
        if tif == Tif::Post && self.best_opposite(side, lim).is_some() {
            return ev.push(Event::Canceled {
                id,
                owner,
                remaining: qty,
                reason: CancelReason::PostOnlyWouldCross,
            });
        }
        if tif == Tif::Fok {
            // Dry run on a copy: simple and obviously the same walk.
            let mut copy = self.clone();
            let mut scratch = Vec::new();
            let (rem, _) = copy.take(id, owner, side, lim, qty, &mut scratch);
            if rem > 0 {
                return ev.push(Event::Canceled {
                    id,
                    owner,
                    remaining: qty,
                    reason: CancelReason::FokUnfilled,
                });
            }
        }
        let (rem, killed) = self.take(id, owner, side, lim, qty, ev);
        if rem == 0 {
            return;
        }
        if killed {
            ev.push(Event::Canceled { id, owner, remaining: rem, reason: CancelReason::SelfTrade });
        } else if matches!(tif, Tif::Gtc | Tif::Post) {
            self.seq += 1;
            self.orders.push(RefOrder { id, owner, side, price: lim, qty: rem, seq: self.seq, post_only });
            ev.push(Event::Added { id, owner, side, price: lim, qty: rem });
        } else {
            ev.push(Event::Canceled { id, owner, remaining: rem, reason: CancelReason::Unfilled });
        }
    }

    fn take(
        &mut self,
        taker: OrderId,
        owner: u32,
        side: Side,
        lim: Tick,
        mut rem: Lots,
        ev: &mut Vec<Event>,
    ) -> (Lots, bool) {
        while rem > 0 {
            let Some(px) = self.best_opposite(side, lim) else { break };
            let mut idx = self.level(side, px);
            if self.stp != StpMode::Allow
                && self.rule == MatchRule::ProRata
                && idx.iter().any(|&i| self.orders[i].owner == owner)
            {
                if self.stp == StpMode::CancelTaking {
                    return (rem, true);
                }
                for &i in &idx {
                    let o = &self.orders[i];
                    if o.owner == owner {
                        let (id, remaining) = (o.id, o.qty);
                        ev.push(Event::Canceled { id, owner, remaining, reason: CancelReason::SelfTrade });
                    }
                }
                self.orders.retain(|o| !(o.price == px && o.side != side && o.owner == owner));
                continue;
            }
            let total: Lots = idx.iter().map(|&i| self.orders[i].qty).sum();
            let mut alloc: Vec<Lots> = match self.rule {
                MatchRule::PriceTime => vec![0; idx.len()],
                MatchRule::ProRata if rem >= total => idx.iter().map(|&i| self.orders[i].qty).collect(),
                MatchRule::ProRata => {
                    let mut a: Vec<Lots> = idx
                        .iter()
                        .map(|&i| (rem as i128 * self.orders[i].qty as i128 / total as i128) as Lots)
                        .collect();
                    let mut left = rem - a.iter().sum::<Lots>();
                    for x in a.iter_mut() {
                        if left > 0 {
                            *x += 1;
                            left -= 1;
                        }
                    }
                    a
                }
            };
            if self.rule == MatchRule::PriceTime {
                // Walk the queue; stop at the first own order under STP.
                for (k, &i) in idx.iter().enumerate() {
                    if rem == 0 {
                        break;
                    }
                    let o = &self.orders[i];
                    if o.owner == owner && self.stp != StpMode::Allow {
                        if self.stp == StpMode::CancelTaking {
                            self.apply(side, taker, owner, px, &idx, &alloc, ev);
                            return (rem, true);
                        }
                        alloc[k] = -1; // cancel marker
                        continue;
                    }
                    let f = rem.min(o.qty);
                    alloc[k] = f;
                    rem -= f;
                }
            } else {
                rem -= alloc.iter().sum::<Lots>();
            }
            self.apply(side, taker, owner, px, &idx, &alloc, ev);
            idx.clear();
        }
        (rem, false)
    }

    /// Applies one level's fills (`-1` marks a self-trade cancel) in queue order.
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &mut self,
        side: Side,
        taker: OrderId,
        owner: u32,
        px: Tick,
        idx: &[usize],
        alloc: &[Lots],
        ev: &mut Vec<Event>,
    ) {
        let mut gone = vec![];
        for (&i, &a) in idx.iter().zip(alloc) {
            let o = &mut self.orders[i];
            if a < 0 {
                ev.push(Event::Canceled {
                    id: o.id,
                    owner,
                    remaining: o.qty,
                    reason: CancelReason::SelfTrade,
                });
                gone.push(i);
            } else if a > 0 {
                o.qty -= a;
                ev.push(Event::Trade {
                    maker: o.id,
                    maker_owner: o.owner,
                    taker,
                    taker_owner: owner,
                    taker_side: side,
                    price: px,
                    qty: a,
                    maker_remaining: o.qty,
                });
                self.last = Some(px);
                if o.qty == 0 {
                    gone.push(i);
                }
            }
        }
        gone.sort_unstable();
        for i in gone.into_iter().rev() {
            self.orders.remove(i);
        }
    }

    fn fire_stops(&mut self, ev: &mut Vec<Event>) {
        while let Some(last) = self.last {
            let buy = (0..self.stops.len())
                .filter(|&i| self.stops[i].side == Side::Buy && self.stops[i].trigger <= last)
                .min_by_key(|&i| (self.stops[i].trigger, self.stops[i].seq));
            let sell = (0..self.stops.len())
                .filter(|&i| self.stops[i].side == Side::Sell && self.stops[i].trigger >= last)
                .min_by_key(|&i| (-self.stops[i].trigger, self.stops[i].seq));
            let Some(i) = buy.or(sell) else { return };
            let s = self.stops.remove(i);
            ev.push(Event::StopTriggered { id: s.id, owner: s.owner });
            match s.limit {
                Some(p) => self.incoming(s.id, s.owner, s.side, Some(p), s.qty, Tif::Gtc, false, ev),
                None => self.incoming(s.id, s.owner, s.side, None, s.qty, Tif::Ioc, false, ev),
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tif {
    Gtc,
    Ioc,
    Fok,
    Post,
}
