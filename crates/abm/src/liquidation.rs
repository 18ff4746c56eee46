//! The venue's liquidation engine inside the ABM, with the cascade engine's rules
//! (`liq-engine::liquidate`), reimplemented for one market and the ABM's ledger.
//!
//! On every mark tick, each leveraged account whose trigger the mark has reached is liquidated
//! step by step while its equity stays below maintenance (`RiskLadder::maintenance_margin`):
//! the rulebook says how many lots a step closes (`Rulebook::next_close_lots_after`), an IOC
//! order limited at the bankruptcy price (`liq_margin::bankruptcy_price`) goes into this book,
//! the fills are booked and the liquidation fee charged; what the book does not take goes to the
//! insurance fund at the bankruptcy price while the fund's equity carries the loss, then to ADL of
//! the highest-ranked opposite positions (`liq_margin::adl_score`), then to the fund anyway (its
//! negative equity is the bad debt). A fully closed account's surplus goes to the fund (rulebooks
//! with `surplus_to_fund`) and a deficit is covered by the fund. Hyperliquid's backstop takes the
//! whole account below 2/3 of maintenance.
//!
//! **Generation.** A liquidation is generation 0 when no liquidation order that pushed the price
//! against it (a sell for a long, a buy for a short) traded in the preceding `cascade_window_s`;
//! otherwise its generation is one more than the highest generation among those orders. So the
//! first liquidation of a cascade is 0 and each liquidation that follows a price-moving
//! liquidation in the same direction within the window is a later generation.

use crate::ledger::Ledger;
use crate::sched::{secs, Nanos};
use crate::sim::{Layout, Sim, FUND};
use liq_domain::Side;
use liq_engine::{EventKind, LiquidationEvent};
use liq_margin::{adl_score, bankruptcy_price, trigger_price, Trigger};
use std::collections::{BTreeSet, VecDeque};

/// Trigger index and cascade bookkeeping.
#[derive(Debug, Clone, Default)]
pub(crate) struct LiqState {
    /// Long accounts by trigger price (micro-USD), highest first via `Reverse` ordering.
    longs: BTreeSet<(std::cmp::Reverse<i64>, u32)>,
    /// Short accounts by trigger price, lowest first.
    shorts: BTreeSet<(i64, u32)>,
    /// The key each account is filed under, if any.
    filed: Vec<Option<(bool, i64)>>,
    /// Recent liquidation orders that traded: (time, side of the order, generation).
    recent: VecDeque<(Nanos, Side, u32)>,
    /// Last partial-slice time per account (cooldown rulebooks).
    last_partial: Vec<Option<Nanos>>,
    pub events: Vec<LiquidationEvent>,
    pub accounts_liquidated: u64,
    liquidated: Vec<bool>,
    /// Notional the fund has sent back into the book, USD.
    pub fund_unwound_usd: f64,
}

impl LiqState {
    pub fn init(&mut self, ledger: &Ledger, _layout: &Layout) {
        let n = ledger.pos.len();
        self.filed = vec![None; n];
        self.last_partial = vec![None; n];
        self.liquidated = vec![false; n];
    }
}

impl Sim<'_> {
    /// Re-files account `a` in the trigger index from its current position and balance.
    pub(crate) fn update_trigger(&mut self, a: u32) {
        if let Some((long, key)) = self.liq.filed[a as usize].take() {
            if long {
                self.liq.longs.remove(&(std::cmp::Reverse(key), a));
            } else {
                self.liq.shorts.remove(&(key, a));
            }
        }
        if !self.layout.leveraged.contains(&a) {
            return;
        }
        let pos = self.ledger.pos[a as usize];
        if pos == 0 {
            return;
        }
        let q = pos as f64 * self.spec.lot_size;
        let key = |p: f64| (p.min(1e12) * 1e6) as i64;
        match trigger_price(q, q, self.ledger.fixed_usd(a), &self.spec.ladder) {
            Trigger::AtOrBelow(p) => {
                self.liq.longs.insert((std::cmp::Reverse(key(p)), a));
                self.liq.filed[a as usize] = Some((true, key(p)));
            }
            Trigger::AtOrAbove(p) => {
                self.liq.shorts.insert((key(p), a));
                self.liq.filed[a as usize] = Some((false, key(p)));
            }
            Trigger::Never => {}
        }
    }

    /// Liquidates every account the current mark has triggered.
    pub(crate) fn run_liquidations(&mut self, now: Nanos) {
        let mark_key = (self.mark * 1e6) as i64;
        loop {
            let next = match (self.liq.longs.first(), self.liq.shorts.first()) {
                (Some(&(std::cmp::Reverse(k), a)), _) if k >= mark_key => a,
                (_, Some(&(k, a))) if k <= mark_key => a,
                _ => break,
            };
            self.liquidate(next, now);
            self.update_trigger(next);
            // An account whose trigger is hit but whose exact equity is still above maintenance
            // (rounding at the boundary) would loop forever: drop it from the index until its
            // position changes.
            if let Some((long, key)) = self.liq.filed[next as usize] {
                let hit = if long { key >= mark_key } else { key <= mark_key };
                if hit {
                    self.liq.filed[next as usize] = None;
                    if long {
                        self.liq.longs.remove(&(std::cmp::Reverse(key), next));
                    } else {
                        self.liq.shorts.remove(&(key, next));
                    }
                }
            }
        }
    }

    /// The insurance fund sends the positions it took over back into the book: an IOC of at most
    /// `insurance_fund_unwind_lots_per_s × dt` lots, limited `fund_unwind_limit_bps` through the
    /// mid, so that a takeover still reaches the price (as the cascade engine's fund does).
    pub(crate) fn fund_unwind(&mut self, dt_s: f64) {
        let pos = self.ledger.pos[FUND as usize];
        let rate = self.cfg.insurance_fund_unwind_lots_per_s;
        if pos == 0 || rate <= 0.0 {
            return;
        }
        let clip = ((rate * dt_s).round() as i64).max(1).min(pos.abs());
        let side = Side::closing(pos);
        let mid = self.mid();
        let slip = self.cfg.fund_unwind_limit_bps * 1e-4;
        let worst = match side {
            Side::Sell => mid * (1.0 - slip),
            Side::Buy => mid * (1.0 + slip),
        };
        self.submit_closing_ioc(FUND, side, worst, clip, pos);
        for e in &self.ev {
            if let crate::book::Event::Trade { taker_owner, qty, price, .. } = *e {
                if taker_owner == FUND {
                    self.liq.fund_unwound_usd += (qty * price * self.ledger.unit) as f64 * 1e-6;
                }
            }
        }
        self.book_events();
    }

    /// Sends `owner`'s reduce-only IOC for `qty` lots of its `position`, limited at `worst` (USD,
    /// rounded to the tick on the safe side and kept inside the book's price window); the
    /// book's events are left in `self.ev`.
    fn submit_closing_ioc(&mut self, owner: u32, side: Side, worst: f64, qty: i64, position: i64) {
        let bc = *self.book.config();
        let ticks = worst / self.spec.tick_size;
        let limit = match side {
            Side::Sell => ticks.ceil() as i64,
            Side::Buy => ticks.floor() as i64,
        }
        .clamp(bc.min_price, bc.max_price);
        self.ev.clear();
        let o = crate::book::NewOrder {
            owner,
            side,
            kind: crate::book::OrderKind::Ioc,
            price: limit,
            qty,
            reduce_only: Some(position),
        };
        self.book.submit(o, &mut self.ev);
    }

    fn margin(&self, a: u32) -> (f64, f64) {
        let q = self.ledger.pos[a as usize] as f64 * self.spec.lot_size;
        let eq = self.ledger.equity_usd(a, self.mark, self.spec.lot_size);
        (eq, self.spec.ladder.maintenance_margin(q * self.mark))
    }

    /// Generation of a liquidation of a position of sign `sign` starting now.
    pub(crate) fn generation(&mut self, now: Nanos, sign: i64) -> u32 {
        let w = secs(self.cfg.cascade_window_s);
        while self.liq.recent.front().is_some_and(|r| r.0 + w < now) {
            self.liq.recent.pop_front();
        }
        // Sell liquidations hurt longs, buy liquidations hurt shorts.
        let hurting = if sign > 0 { Side::Sell } else { Side::Buy };
        self.liq.recent.iter().filter(|r| r.1 == hurting).map(|r| r.2 + 1).max().unwrap_or(0)
    }

    fn liquidate(&mut self, a: u32, now: Nanos) {
        let rb = self.rulebook.clone();
        let sign0 = self.ledger.pos[a as usize].signum();
        let gen = self.generation(now, sign0);
        let mut stepped = false;
        loop {
            let size = self.ledger.pos[a as usize];
            if size == 0 {
                break;
            }
            let (equity, mm) = self.margin(a);
            if equity >= mm {
                break;
            }
            stepped = true;
            let q = size as f64 * self.spec.lot_size;
            let pb = bankruptcy_price(q, self.ledger.fixed_usd(a)).unwrap_or(0.0);
            if rb.backstop_equity_ratio.is_some_and(|r| equity < r * mm) {
                self.takeover_or_adl(a, size.abs(), pb, EventKind::Backstop, gen);
                break;
            }
            let since = self.liq.last_partial[a as usize].map(|t| now.saturating_sub(t) as f64 * 1e-9);
            let close =
                rb.next_close_lots_after(&self.spec.ladder, size, self.spec.lot_size, self.mark, since);
            let side = Side::closing(size);
            // Never trade through bankruptcy.
            self.submit_closing_ioc(a, side, pb, close, size);
            let (mut filled, mut value) = (0i64, 0i64);
            for e in &self.ev {
                if let crate::book::Event::Trade { taker_owner, qty, price, .. } = *e {
                    if taker_owner == a {
                        filled += qty;
                        value += qty * price * self.ledger.unit;
                    }
                }
            }
            // Stops the order fired trade too; every trade goes to the ledger.
            self.book_events();
            if filled > 0 {
                self.liq.recent.push_back((now, side, gen));
                let mut fee = 0;
                if rb.charges_liquidation_fee {
                    let due = (value as f64 * self.spec.liquidation_fee_rate).round() as i64;
                    let eq_after = self.ledger.equity_usd(a, self.mark, self.spec.lot_size);
                    fee = due.min((eq_after * 1e6).floor().max(0.0) as i64);
                    if fee > 0 {
                        self.ledger.transfer(a, FUND, fee);
                    }
                }
                self.record(now, gen, a, EventKind::MarketFill, -sign0 * filled, value, pb, fee, fee, None);
            }
            let unfilled = close - filled;
            if unfilled > 0 {
                self.takeover_or_adl(a, unfilled, pb, EventKind::FundTakeover, gen);
            }
            if close < size.abs() && rb.cooldown_s() > 0.0 {
                self.liq.last_partial[a as usize] = Some(now);
            }
        }
        if stepped && self.ledger.pos[a as usize] == 0 {
            self.settle_closed(a, now, gen);
            let mean = self.cfg.leveraged.reentry_mean_s;
            if mean > 0.0 {
                let u: f64 = rand::Rng::random(&mut self.pop_rng);
                self.sched.after(secs(-(1.0 - u).ln() * mean), crate::sched::What::Reopen(a));
            }
        }
        if stepped && !self.liq.liquidated[a as usize] {
            self.liq.liquidated[a as usize] = true;
            self.liq.accounts_liquidated += 1;
        }
    }

    /// Fund equity at the mark, USD.
    fn fund_equity(&self) -> f64 {
        self.ledger.equity_usd(FUND, self.mark, self.spec.lot_size)
    }

    fn takeover_or_adl(&mut self, a: u32, lots: i64, pb: f64, kind: EventKind, gen: u32) {
        let now = self.sched.now();
        let sign = self.ledger.pos[a as usize].signum();
        // Closing the last lots uses the value that brings the account's equity exactly to zero,
        // so rounding the bankruptcy price to a tick leaves no micro-dollars behind.
        let value = if lots == self.ledger.pos[a as usize].abs() {
            let fixed = self.ledger.cash[a as usize] - self.ledger.cost[a as usize];
            (-sign * fixed).max(0)
        } else {
            (lots * self.spec.ticks(pb) * self.ledger.unit).max(0)
        };
        let worth = lots as f64 * self.spec.lot_size * self.mark;
        let loss = sign as f64 * (value as f64 * 1e-6 - worth);
        let fund_eq = self.fund_equity();
        let fund_lots = if loss <= 0.0 || fund_eq >= loss {
            lots
        } else {
            ((lots as f64 * fund_eq.max(0.0) / loss).floor() as i64).clamp(0, lots)
        };
        let part = |done: i64, n: i64| -> i64 {
            ((value as i128 * (done + n) as i128) / lots as i128
                - (value as i128 * done as i128) / lots as i128) as i64
        };
        let (mut done, mut done_value) = (0i64, 0i64);
        if fund_lots > 0 {
            let v = part(0, fund_lots);
            self.fund_take(a, fund_lots, v, pb, kind, gen);
            done = fund_lots;
            done_value = v;
        }
        if done < lots {
            // ADL queue: opposite positions outside the fund and the account, best score first.
            let mut queue: Vec<(f64, u32)> = (0..self.layout.total)
                .filter(|&c| c != a && c != FUND && self.ledger.pos[c as usize].signum() == -sign)
                .map(|c| {
                    let p = self.ledger.pos[c as usize];
                    let q = p as f64 * self.spec.lot_size;
                    let value_now = q * self.mark;
                    let basis = self.ledger.cost[c as usize] as f64 * 1e-6;
                    let pnl = if basis != 0.0 { (value_now - basis) / basis.abs() } else { 0.0 };
                    let eq = self.ledger.equity_usd(c, self.mark, self.spec.lot_size);
                    let lev = if eq > 0.0 { value_now.abs() / eq } else { f64::INFINITY };
                    (adl_score(pnl, lev), c)
                })
                .collect();
            queue.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            for (_, c) in queue {
                if done >= lots {
                    break;
                }
                let n = (lots - done).min(self.ledger.pos[c as usize].abs());
                let v = part(done, n);
                if sign > 0 {
                    self.ledger.trade(c, a, n, v);
                } else {
                    self.ledger.trade(a, c, n, v);
                }
                self.update_trigger(c);
                self.record(now, gen, a, EventKind::Adl, -sign * n, v, pb, 0, 0, Some(c));
                done += n;
                done_value += v;
            }
        }
        if done < lots {
            self.fund_take(a, lots - done, value - done_value, pb, kind, gen);
        }
    }

    fn fund_take(&mut self, a: u32, lots: i64, v: i64, pb: f64, kind: EventKind, gen: u32) {
        let sign = self.ledger.pos[a as usize].signum();
        let before = self.fund_equity();
        if sign > 0 {
            self.ledger.trade(FUND, a, lots, v);
        } else {
            self.ledger.trade(a, FUND, lots, v);
        }
        let flow = ((self.fund_equity() - before) * 1e6).round() as i64;
        self.record(self.sched.now(), gen, a, kind, -sign * lots, v, pb, 0, flow, None);
    }

    fn settle_closed(&mut self, a: u32, now: Nanos, gen: u32) {
        let rem = self.ledger.cash[a as usize];
        if rem > 0 && self.rulebook.surplus_to_fund {
            self.ledger.transfer(a, FUND, rem);
            self.record(now, gen, a, EventKind::SurplusToFund, 0, 0, 0.0, 0, rem, None);
        } else if rem < 0 {
            self.ledger.transfer(FUND, a, -rem);
            self.record(now, gen, a, EventKind::FundCover, 0, 0, 0.0, 0, rem, None);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        now: Nanos,
        gen: u32,
        a: u32,
        kind: EventKind,
        lots: i64,
        value: i64,
        pb: f64,
        fee: i64,
        fund_flow: i64,
        counterparty: Option<u32>,
    ) {
        let qty = lots as f64 * self.spec.lot_size;
        let notional = value as f64 * 1e-6;
        self.liq.events.push(LiquidationEvent {
            generation: gen,
            time_s: now as f64 * 1e-9,
            account: a,
            market: 0,
            isolated: false,
            kind,
            lots,
            qty,
            price: if qty != 0.0 { notional / qty.abs() } else { 0.0 },
            notional_usd: notional,
            mark: self.mark,
            bankruptcy_price: pb,
            liquidation_fee_usd: fee as f64 * 1e-6,
            fund_flow_usd: fund_flow as f64 * 1e-6,
            counterparty,
            cause: None,
        });
    }
}
