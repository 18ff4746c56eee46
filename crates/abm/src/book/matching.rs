//! Matching: an incoming order against the opposite side, under price-time or pro-rata, with
//! self-trade prevention, fill-or-kill pre-checks and stop triggering.
//!
//! Conventions (the reference book follows the same ones, and the property tests hold both to
//! them): trades print at the maker's price; a level is consumed before the next one; under
//! `CancelResting` a self-match cancels the resting order where the walk meets it (pro-rata: every
//! own order at a level is cancelled before the level is allocated); under `CancelTaking` the
//! incoming remainder is cancelled where the walk meets an own order (pro-rata: before a level
//! that holds one). A fill-or-kill order checks, before touching anything, that the same walk
//! would fill it in full. Stops fire on the last trade price after each message: buy stops
//! (trigger ≤ last) lowest trigger first, then sell stops (trigger ≥ last) highest first, each
//! executing as a new incoming order, which may fire more stops.

use super::levels::NIL;
use super::{Book, CancelReason, Event, Lots, MatchRule, OrderId, State, StpMode, Tick, Tif};
use liq_domain::Side;

impl Book {
    /// Matches incoming order `slot` (owner, side set; not in any level) and rests, cancels or
    /// frees what remains according to `tif`. `limit == None` is a market order.
    #[inline]
    pub(crate) fn execute(
        &mut self,
        slot: u32,
        limit: Option<Tick>,
        qty: Lots,
        tif: Tif,
        ev: &mut Vec<Event>,
    ) {
        let (owner, side, gen) = {
            let n = &self.nodes[slot as usize];
            (n.owner, n.side, n.gen)
        };
        let id = OrderId::new(gen, slot);
        let lim = limit.unwrap_or(match side {
            Side::Buy => self.cfg.max_price,
            Side::Sell => self.cfg.min_price,
        });
        let cancel = |b: &mut Book, ev: &mut Vec<Event>, remaining, reason| {
            ev.push(Event::Canceled { id, owner, remaining, reason });
            b.free(slot);
        };
        if tif == Tif::PostOnly && self.crosses(side, lim) {
            return cancel(self, ev, qty, CancelReason::PostOnlyWouldCross);
        }
        if tif == Tif::Fok && self.fillable(owner, side, lim, qty) < qty {
            return cancel(self, ev, qty, CancelReason::FokUnfilled);
        }
        let (rem, killed) = match self.cfg.rule {
            MatchRule::PriceTime => self.take_price_time(id, owner, side, lim, qty, ev),
            MatchRule::ProRata => self.take_pro_rata(id, owner, side, lim, qty, ev),
        };
        if rem == 0 {
            self.free(slot);
        } else if killed {
            cancel(self, ev, rem, CancelReason::SelfTrade);
        } else if matches!(tif, Tif::Gtc | Tif::PostOnly) {
            let n = &mut self.nodes[slot as usize];
            n.qty = rem;
            n.price = lim;
            self.rest(slot);
            ev.push(Event::Added { id, owner, side, price: lim, qty: rem });
        } else {
            cancel(self, ev, rem, CancelReason::Unfilled);
        }
    }

    /// Whether an order on `side` limited at `lim` would trade with the best opposite level.
    #[inline]
    pub(crate) fn crosses(&self, side: Side, lim: Tick) -> bool {
        match side {
            Side::Buy => self.best_ask <= lim,
            Side::Sell => self.best_bid != i64::MIN && self.best_bid >= lim,
        }
    }

    /// Best opposite price if it crosses `lim`.
    #[inline]
    fn crossing_level(&self, side: Side, lim: Tick) -> Option<Tick> {
        match side {
            Side::Buy => (self.best_ask <= lim).then_some(self.best_ask),
            Side::Sell => (self.best_bid != i64::MIN && self.best_bid >= lim).then_some(self.best_bid),
        }
    }

    /// Price-time matching; returns (remaining, cancelled by self-trade prevention).
    #[inline]
    fn take_price_time(
        &mut self,
        taker: OrderId,
        owner: u32,
        side: Side,
        lim: Tick,
        mut rem: Lots,
        ev: &mut Vec<Event>,
    ) -> (Lots, bool) {
        let stp = self.cfg.stp;
        let maker_side = opposite(side);
        while rem > 0 {
            let Some(px) = self.crossing_level(side, lim) else { break };
            let li = (px - self.cfg.min_price) as usize;
            let mut traded = false;
            let mut killed = false;
            while rem > 0 {
                let head = self.levels[li].head;
                if head == NIL {
                    break;
                }
                let n = &mut self.nodes[head as usize];
                if n.owner == owner && stp != StpMode::Allow {
                    if stp == StpMode::CancelTaking {
                        killed = true;
                        break;
                    }
                    let (id, q) = (OrderId::new(n.gen, head), n.qty);
                    self.unlink(head);
                    self.free(head);
                    ev.push(Event::Canceled { id, owner, remaining: q, reason: CancelReason::SelfTrade });
                    if self.levels[li].count == 0 {
                        // `unlink` already cleared the level and moved the best price.
                        break;
                    }
                    continue;
                }
                let f = rem.min(n.qty);
                n.qty -= f;
                rem -= f;
                let (maker_owner, left, next) = (n.owner, n.qty, n.next);
                ev.push(Event::Trade {
                    maker: OrderId::new(n.gen, head),
                    maker_owner,
                    taker,
                    taker_owner: owner,
                    taker_side: side,
                    price: px,
                    qty: f,
                    maker_remaining: left,
                });
                traded = true;
                let lvl = &mut self.levels[li];
                lvl.qty -= f;
                if left == 0 {
                    // Pop the head: the filled maker leaves the book.
                    lvl.head = next;
                    lvl.count -= 1;
                    if next == NIL {
                        lvl.tail = NIL;
                        self.level_emptied(li, maker_side);
                    } else {
                        self.nodes[next as usize].prev = NIL;
                    }
                    self.free(head);
                }
            }
            if traded {
                self.last_trade = Some(px);
            }
            if killed {
                return (rem, true);
            }
        }
        (rem, false)
    }

    /// Pro-rata matching; returns (remaining, cancelled by self-trade prevention).
    fn take_pro_rata(
        &mut self,
        taker: OrderId,
        owner: u32,
        side: Side,
        lim: Tick,
        mut rem: Lots,
        ev: &mut Vec<Event>,
    ) -> (Lots, bool) {
        let stp = self.cfg.stp;
        while rem > 0 {
            let Some(px) = self.crossing_level(side, lim) else { break };
            let li = (px - self.cfg.min_price) as usize;
            if stp != StpMode::Allow {
                let mut s = self.levels[li].head;
                while s != NIL {
                    let n = self.nodes[s as usize];
                    if n.owner == owner {
                        if stp == StpMode::CancelTaking {
                            return (rem, true);
                        }
                        self.unlink(s);
                        self.free(s);
                        ev.push(Event::Canceled {
                            id: OrderId::new(n.gen, s),
                            owner,
                            remaining: n.qty,
                            reason: CancelReason::SelfTrade,
                        });
                    }
                    s = n.next;
                }
                if self.levels[li].count == 0 {
                    continue;
                }
            }
            let level_qty = self.levels[li].qty;
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            let mut s = self.levels[li].head;
            if rem >= level_qty {
                while s != NIL {
                    let n = &self.nodes[s as usize];
                    scratch.push((s, n.qty));
                    s = n.next;
                }
                rem -= level_qty;
            } else {
                let mut given = 0;
                while s != NIL {
                    let n = &self.nodes[s as usize];
                    let a = (rem as i128 * n.qty as i128 / level_qty as i128) as Lots;
                    scratch.push((s, a));
                    given += a;
                    s = n.next;
                }
                // rem < level size, so every order's share is below its size and has room for
                // one more lot; fewer lots than orders are left by rounding.
                let mut left = rem - given;
                for e in scratch.iter_mut() {
                    if left == 0 {
                        break;
                    }
                    e.1 += 1;
                    left -= 1;
                }
                rem = 0;
            }
            for &(s, a) in &scratch {
                if a == 0 {
                    continue;
                }
                let n = &mut self.nodes[s as usize];
                n.qty -= a;
                let left = n.qty;
                ev.push(Event::Trade {
                    maker: OrderId::new(n.gen, s),
                    maker_owner: n.owner,
                    taker,
                    taker_owner: owner,
                    taker_side: side,
                    price: px,
                    qty: a,
                    maker_remaining: left,
                });
                self.levels[li].qty -= a;
                if left == 0 {
                    self.unlink(s);
                    self.free(s);
                }
            }
            self.scratch = scratch;
            self.last_trade = Some(px);
        }
        (rem, false)
    }

    /// How much of `qty` an order would fill up to `lim`, walking the book as matching would
    /// (stops early once `qty` is reached).
    pub(crate) fn fillable(&self, owner: u32, side: Side, lim: Tick, qty: Lots) -> Lots {
        let stp = self.cfg.stp;
        let mut got = 0;
        let mut cur = self.crossing_level(side, lim);
        let maker_side = opposite(side);
        while let Some(px) = cur {
            let crosses = match side {
                Side::Buy => px <= lim,
                Side::Sell => px >= lim,
            };
            if !crosses || got >= qty {
                break;
            }
            let li = (px - self.cfg.min_price) as usize;
            let mut s = self.levels[li].head;
            // Quantity at this level the order could take (own orders excluded).
            let mut avail = 0;
            while s != NIL {
                let n = &self.nodes[s as usize];
                if n.owner == owner && stp != StpMode::Allow {
                    if stp == StpMode::CancelTaking {
                        if self.cfg.rule == MatchRule::ProRata {
                            // Pro-rata checks the whole level before allocating any of it.
                            return got;
                        }
                        return got + avail;
                    }
                } else {
                    avail += n.qty;
                }
                s = n.next;
            }
            got += avail;
            cur = self.neighbour_level(maker_side, li);
        }
        got
    }

    /// Fires stops whose trigger the last trade price has reached, until none is left.
    pub(crate) fn run_stops(&mut self, ev: &mut Vec<Event>) {
        while let Some(last) = self.last_trade {
            let slot =
                if let Some((&(t, seq), &s)) = self.stops_buy.first_key_value().filter(|e| e.0 .0 <= last) {
                    self.stops_buy.remove(&(t, seq));
                    s
                } else if let Some((&(nt, seq), &s)) =
                    self.stops_sell.first_key_value().filter(|e| -e.0 .0 >= last)
                {
                    self.stops_sell.remove(&(nt, seq));
                    s
                } else {
                    return;
                };
            let n = &mut self.nodes[slot as usize];
            n.state = State::Taking;
            let (qty, price, limit) = (n.qty, n.price, n.stop_limit);
            ev.push(Event::StopTriggered { id: OrderId::new(n.gen, slot), owner: n.owner });
            if limit {
                self.execute(slot, Some(price), qty, Tif::Gtc, ev);
            } else {
                self.execute(slot, None, qty, Tif::Ioc, ev);
            }
        }
    }
}

#[inline]
pub(crate) fn opposite(side: Side) -> Side {
    match side {
        Side::Buy => Side::Sell,
        Side::Sell => Side::Buy,
    }
}
