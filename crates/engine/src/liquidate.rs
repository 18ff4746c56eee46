//! The liquidation engine: what happens to one margin unit found below maintenance.
//!
//! One step, repeated while the unit stays below maintenance (within a cooldown, in full):
//! pick the position with the largest maintenance margin; let the rulebook say how many lots
//! this step closes; compute the unit's bankruptcy price for that market (the mark at which its
//! equity would be zero, other marks held); send an IOC order limited at that price to the
//! market's impact model; book the fills against the external makers and charge the liquidation
//! fee; hand what the book did not take to the insurance fund at the bankruptcy price while the
//! fund's equity can carry the loss, then to auto-deleveraging of the highest-ranked opposite
//! positions, and whatever is left to the fund anyway, counting the fund's equity that goes below
//! zero is reported as **bad debt**. A unit whose equity fell below the backstop ratio (Hyperliquid) skips the
//! book and goes to the backstop whole. When a unit is fully closed its surplus goes to the fund
//! (Binance, Bybit) or stays with the user, volatile collateral covers a negative wallet, and the
//! fund covers any remainder, so no account ends with silently negative equity.

use crate::ledger::{Counterparty, Workspace};
use crate::model::{EngineModel, Unit};
use crate::outcome::{EventKind, LiquidationEvent};
use liq_domain::Side;
use liq_impact::PriceImpact;
use liq_margin::adl_score;

/// ADL queue of one market and side, built lazily once per round.
#[derive(Debug, Clone, Default)]
pub(crate) struct AdlQueue {
    built_for: Option<u32>,
    slots: Vec<(f64, u32)>,
    cursor: usize,
}

/// Accumulators of one run.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunTotals {
    /// Whether individual events are kept (Monte Carlo paths keep only the totals).
    pub keep_events: bool,
    pub events: Vec<LiquidationEvent>,
    pub accounts_liquidated: u64,
    /// [market][generation] liquidated notional.
    pub notional: Vec<Vec<f64>>,
    pub adl_notional: Vec<f64>,
    /// Per market: value the fund sent back into the book, USD.
    pub fund_unwind: Vec<f64>,
    pub fees: f64,
}

/// One run's view: model, mutable state, ADL queues, totals.
pub(crate) struct Liquidator<'a> {
    pub model: &'a EngineModel,
    pub ws: &'a mut Workspace,
    pub adl: &'a mut [[AdlQueue; 2]],
    pub totals: &'a mut RunTotals,
    /// Round (instant mode) or time step (path mode) being processed: the clock for cooldowns
    /// and for rebuilding ADL queues.
    pub step: u32,
    /// Generation label of the unit being liquidated (the round in instant mode; 0 = first-order,
    /// 1 = second-order in path mode).
    pub generation: u32,
    /// Wall-clock seconds one round or step stands for (cooldowns are in seconds).
    pub round_duration_s: f64,
}

impl Liquidator<'_> {
    fn record(&mut self, e: LiquidationEvent) {
        if e.kind.liquidates() {
            let row = &mut self.totals.notional[e.market as usize];
            let g = e.generation as usize;
            if row.len() <= g {
                row.resize(g + 1, 0.0);
            }
            row[g] += e.notional_usd;
        }
        self.totals.fees += e.liquidation_fee_usd;
        if e.kind.liquidates() && self.ws.mark_liquidated(e.account) {
            self.totals.accounts_liquidated += 1;
        }
        if self.totals.keep_events {
            self.totals.events.push(e);
        }
    }

    /// Seconds since this unit's last partial slice in this run, if it had one.
    fn since_last_partial(&self, u: Unit) -> Option<f64> {
        self.ws
            .last_partial
            .iter()
            .rev()
            .find(|&&(v, _)| v == u)
            .map(|&(_, g)| (self.step - g) as f64 * self.round_duration_s)
    }

    /// Open position slots of a unit.
    fn unit_slots(&self, u: Unit) -> impl Iterator<Item = usize> + '_ {
        let model = self.model;
        let ws = &*self.ws;
        let (range, iso) = match u.isolated_slot() {
            Some(s) => (s as usize..s as usize + 1, true),
            None => (model.positions_of(u.0), false),
        };
        range.filter(move |&s| model.pos_isolated[s] == iso && ws.size[s] != 0)
    }

    /// Liquidates `u` if it is below maintenance, step by step.
    /// Returns whether anything was liquidated (false: the unit was not below maintenance).
    pub fn liquidate_unit(&mut self, u: Unit) -> bool {
        let rb = &self.model.rulebook;
        let mut stepped = false;
        loop {
            if !self.ws.unit_open(self.model, u) {
                break;
            }
            let (equity, mm) = self.ws.unit_margin(self.model, u);
            if equity >= mm {
                break;
            }
            stepped = true;
            if let Some(ratio) = rb.backstop_equity_ratio {
                if equity < ratio * mm {
                    let slots: Vec<usize> = self.unit_slots(u).collect();
                    for s in slots {
                        let (e, _) = self.ws.unit_margin(self.model, u);
                        let lots = self.ws.size[s].abs();
                        let pb = self.bankruptcy_price(u, s, e);
                        self.takeover_or_adl(u, s, lots, pb, EventKind::Backstop);
                    }
                    break;
                }
            }
            // The position carrying the most maintenance margin goes first.
            let Some(slot) = self
                .unit_slots(u)
                .max_by(|&a, &b| self.position_mm(a).total_cmp(&self.position_mm(b)).then(b.cmp(&a)))
            else {
                break;
            };
            let k = self.model.pos_market[slot] as usize;
            let spec = &self.model.markets[k];
            let mark = self.ws.marks[k];
            let size = self.ws.size[slot];
            // Within a venue's cooldown after a partial slice, the whole position goes.
            let close =
                rb.next_close_lots_after(&spec.ladder, size, spec.lot_size, mark, self.since_last_partial(u));
            let pb = self.bankruptcy_price(u, slot, equity);
            let side = Side::closing(size);
            // Never trade through bankruptcy: a sell may not fill below it, a buy not above.
            let limit = match side {
                Side::Sell => (pb / spec.tick_size).ceil().max(0.0) as i64,
                Side::Buy => {
                    let t = (pb / spec.tick_size).floor();
                    if t >= i64::MAX as f64 {
                        i64::MAX
                    } else {
                        t as i64
                    }
                }
            };
            let fill = self.ws.impact[k].execute(side, close, limit);
            if fill.filled_lots > 0 {
                let value = (fill.value_lot_ticks * spec.micros_per_lot_tick() as i128) as i64;
                self.ws.close_slot(self.model, slot, fill.filled_lots, value, Counterparty::External(k));
                self.recheck_slot_unit(slot);
                let mut fee = 0i64;
                if rb.charges_liquidation_fee {
                    let (e_after, _) = self.ws.unit_margin(self.model, u);
                    let due = (value as f64 * spec.liquidation_fee_rate).round() as i64;
                    // The fee never pushes the unit below zero equity.
                    fee = due.min((e_after * 1e6).floor().max(0.0) as i64);
                    if fee > 0 {
                        self.ws.pay_fund_from_slot(self.model, slot, fee);
                    }
                }
                let fee_usd = fee as f64 * 1e-6;
                let e = self.close_event(
                    u,
                    slot,
                    size.signum(),
                    fill.filled_lots,
                    value,
                    pb,
                    EventKind::MarketFill,
                );
                self.record(LiquidationEvent { liquidation_fee_usd: fee_usd, fund_flow_usd: fee_usd, ..e });
            }
            let unfilled = close - fill.filled_lots;
            if unfilled > 0 {
                self.takeover_or_adl(u, slot, unfilled, pb, EventKind::FundTakeover);
            }
            if close < size.abs() && rb.cooldown_s() > 0.0 {
                self.ws.last_partial.push((u, self.step));
            }
        }
        if stepped && !self.ws.unit_open(self.model, u) {
            self.settle_closed_unit(u, true);
        }
        stepped
    }

    fn position_mm(&self, s: usize) -> f64 {
        let k = self.model.pos_market[s] as usize;
        let spec = &self.model.markets[k];
        spec.ladder.maintenance_margin(self.ws.size[s] as f64 * spec.lot_size * self.ws.marks[k])
    }

    /// Mark of the slot's market at which the unit's equity (now `equity`) would be zero.
    fn bankruptcy_price(&self, u: Unit, slot: usize, equity: f64) -> f64 {
        let k = self.model.pos_market[slot] as usize;
        let x = self.ws.unit_exposure(self.model, u, k);
        let mark = self.ws.marks[k];
        if x == 0.0 {
            mark
        } else {
            (mark - equity / x).max(0.0)
        }
    }

    fn recheck_slot_unit(&mut self, slot: usize) {
        let u = if self.model.pos_isolated[slot] {
            Unit::isolated(slot as u32)
        } else {
            Unit::cross(self.model.pos_account[slot])
        };
        self.ws.recheck_unit(u);
    }

    /// Whether closing `lots` of `slot` leaves the unit with no open position.
    fn closes_unit(&self, u: Unit, slot: usize, lots: i64) -> bool {
        lots == self.ws.size[slot].abs() && self.unit_slots(u).all(|s| s == slot)
    }

    /// Hands `lots` of `slot` over at bankruptcy: to the fund while its equity carries the loss,
    /// then to ADL, then to the fund regardless (bad debt).
    fn takeover_or_adl(&mut self, u: Unit, slot: usize, lots: i64, pb: f64, kind: EventKind) {
        let model = self.model;
        let k = model.pos_market[slot] as usize;
        let spec = &model.markets[k];
        let mark = self.ws.marks[k];
        let sign = self.ws.size[slot].signum();
        // Total value of the hand-over. Closing the unit's last lots uses the exact value that
        // brings its equity to zero, so rounding the bankruptcy price to a tick cannot leave a
        // few micro-dollars of negative equity behind.
        let value: i64 = if self.closes_unit(u, slot, lots) {
            // Holder after the close = fixed + sign × value, with fixed = margin − cost basis.
            let fixed = match u.isolated_slot() {
                Some(_) => self.ws.iso_margin[slot],
                None => {
                    let a = model.pos_account[slot];
                    self.ws.wallet[a as usize] + Money_from_f64(self.ws.collateral_value(model, a))
                }
            } - self.ws.cost[slot];
            (-sign * fixed).max(0)
        } else {
            spec.value(lots, spec.ticks(pb)).0.max(0)
        };
        let worth = lots as f64 * spec.lot_size * mark;
        // The taker's immediate mark-to-market loss on the whole hand-over.
        let loss = sign as f64 * (value as f64 * 1e-6 - worth);
        let fund_eq = self.ws.fund_equity(model);
        let fund_lots = if loss <= 0.0 || fund_eq >= loss {
            lots
        } else {
            ((lots as f64 * fund_eq.max(0.0) / loss).floor() as i64).clamp(0, lots)
        };
        let mut done = 0i64;
        let mut done_value = 0i64;
        // Value of the next `n` lots: the cumulative split keeps the parts summing to `value`.
        let part = |done: i64, n: i64| -> i64 {
            ((value as i128 * (done + n) as i128) / lots as i128
                - (value as i128 * done as i128) / lots as i128) as i64
        };
        if fund_lots > 0 {
            let v = part(done, fund_lots);
            self.fund_take(u, slot, fund_lots, v, pb, kind);
            done += fund_lots;
            done_value += v;
        }
        // ADL against the opposite side, best-ranked first.
        while done < lots {
            let Some(c) = self.next_adl_counterparty(k, -sign, model.pos_account[slot]) else { break };
            let n = (lots - done).min(self.ws.size[c as usize].abs());
            let v = part(done, n);
            self.ws.close_slot(model, slot, n, v, Counterparty::Slot(c));
            self.recheck_slot_unit(slot);
            self.recheck_slot_unit(c as usize);
            // A deleveraged position closed at the bankruptcy price of another can leave its own
            // unit, once empty, below zero: settle it like any closed unit (no surplus rule, it
            // was not liquidated).
            let cu = if model.pos_isolated[c as usize] {
                Unit::isolated(c)
            } else {
                Unit::cross(model.pos_account[c as usize])
            };
            if !self.ws.unit_open(model, cu) {
                self.settle_closed_unit(cu, false);
            }
            self.totals.adl_notional[k] += v as f64 * 1e-6;
            let e = self.close_event(u, slot, sign, n, v, pb, EventKind::Adl);
            self.record(LiquidationEvent { counterparty: Some(model.pos_account[c as usize]), ..e });
            done += n;
            done_value += v;
        }
        if done < lots {
            let v = value - done_value;
            self.fund_take(u, slot, lots - done, v, pb, kind);
        }
    }

    /// The event of closing `lots` of `slot` (whose size had sign `sign` before the close) at
    /// total value `value` (micro-USD), at the round's mark; fees, fund flow and counterparty
    /// are zero/none for the caller to set.
    #[allow(clippy::too_many_arguments)]
    fn close_event(
        &self,
        u: Unit,
        slot: usize,
        sign: i64,
        lots: i64,
        value: i64,
        pb: f64,
        kind: EventKind,
    ) -> LiquidationEvent {
        let k = self.model.pos_market[slot] as usize;
        let qty = self.model.markets[k].qty(lots);
        LiquidationEvent {
            generation: self.generation,
            time_s: self.step as f64 * self.round_duration_s,
            account: self.model.pos_account[slot],
            market: k as u16,
            isolated: u.isolated_slot().is_some(),
            kind,
            lots: -sign * lots,
            qty: -(sign as f64) * qty,
            price: value as f64 * 1e-6 / qty,
            notional_usd: value as f64 * 1e-6,
            mark: self.ws.marks[k],
            bankruptcy_price: pb,
            liquidation_fee_usd: 0.0,
            fund_flow_usd: 0.0,
            counterparty: None,
        }
    }

    /// The fund takes `lots` of `slot` at total value `v` (its equity may go below zero: that is
    /// the bad debt the outcome reports).
    fn fund_take(&mut self, u: Unit, slot: usize, lots: i64, v: i64, pb: f64, kind: EventKind) {
        let model = self.model;
        let k = model.pos_market[slot] as usize;
        let sign = self.ws.size[slot].signum();
        let before = self.ws.fund_equity(model);
        self.ws.close_slot(model, slot, lots, v, Counterparty::Fund(k));
        self.recheck_slot_unit(slot);
        let after = self.ws.fund_equity(model);
        let e = self.close_event(u, slot, sign, lots, v, pb, kind);
        self.record(LiquidationEvent { fund_flow_usd: after - before, ..e });
    }

    /// The highest-ranked open position on `side_sign` in market `k` outside `exclude_account`.
    fn next_adl_counterparty(&mut self, k: usize, side_sign: i64, exclude_account: u32) -> Option<u32> {
        let qi = usize::from(side_sign < 0);
        if self.adl[k][qi].built_for != Some(self.step) {
            self.build_adl_queue(k, side_sign);
        }
        let q = &mut self.adl[k][qi];
        while q.cursor < q.slots.len() {
            let c = q.slots[q.cursor].1;
            let size = self.ws.size[c as usize];
            if size.signum() == side_sign && self.model.pos_account[c as usize] != exclude_account {
                return Some(c);
            }
            q.cursor += 1;
        }
        None
    }

    /// Ranks every open position on one side of a market by the venues' ADL score at the current
    /// marks. O(positions in the market), once per market, side and round, and only when the
    /// fund is exhausted.
    fn build_adl_queue(&mut self, k: usize, side_sign: i64) {
        let model = self.model;
        let spec = &model.markets[k];
        let mark = self.ws.marks[k];
        let qi = usize::from(side_sign < 0);
        let mut slots = std::mem::take(&mut self.adl[k][qi].slots);
        slots.clear();
        for &s in &model.index.slots_by_market[k] {
            let size = self.ws.size[s as usize];
            if size.signum() != side_sign {
                continue;
            }
            let unit = if model.pos_isolated[s as usize] {
                Unit::isolated(s)
            } else {
                Unit::cross(model.pos_account[s as usize])
            };
            let (equity, _) = self.ws.unit_margin(model, unit);
            let value = size as f64 * spec.lot_size * mark;
            let cost = self.ws.cost[s as usize] as f64 * 1e-6;
            let pnl_fraction = if cost != 0.0 { (value - cost) / cost.abs() } else { 0.0 };
            let effective_leverage = if equity > 0.0 { value.abs() / equity } else { f64::INFINITY };
            slots.push((adl_score(pnl_fraction, effective_leverage), s));
        }
        slots.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        self.adl[k][qi] = AdlQueue { built_for: Some(self.step), slots, cursor: 0 };
    }

    /// After a unit's last position is closed: surplus to the fund (if it was liquidated under a
    /// surplus-to-fund rulebook) or back to the user, collateral covering a negative wallet, the
    /// fund covering the rest.
    fn settle_closed_unit(&mut self, u: Unit, liquidated: bool) {
        let model = self.model;
        let account = model.unit_account(u);
        let rb_surplus = liquidated && model.rulebook.surplus_to_fund;
        match u.isolated_slot() {
            Some(s) => {
                let s = s as usize;
                let rem = self.ws.iso_margin[s];
                if rem > 0 {
                    self.ws.iso_margin[s] = 0;
                    if rb_surplus {
                        self.ws.fund_cash += rem;
                        self.record_fund(account, s, EventKind::SurplusToFund, rem);
                    } else {
                        self.ws.wallet[account as usize] += rem;
                        self.ws.recheck_unit(Unit::cross(account));
                    }
                } else if rem < 0 {
                    self.fund_cover(account, s, -rem, |ws, amt| ws.iso_margin[s] += amt);
                }
            }
            None => {
                let a = account as usize;
                if rb_surplus {
                    let wallet = self.ws.wallet[a];
                    let mut seized = 0.0;
                    for c in model.collateral_of(account) {
                        let asset = model.coll_asset[c] as usize;
                        let q = std::mem::take(&mut self.ws.coll_qty[c]);
                        self.ws.fund_coll[asset] += q;
                        seized += q * self.ws.asset_price(model, asset);
                    }
                    if wallet > 0 {
                        self.ws.wallet[a] = 0;
                        self.ws.fund_cash += wallet;
                    }
                    let slot = model.positions_of(account).start;
                    if wallet > 0 || seized > 0.0 {
                        self.record_fund(
                            account,
                            slot,
                            EventKind::SurplusToFund,
                            wallet.max(0) + Money_from_f64(seized),
                        );
                    }
                }
                // Volatile collateral covers a negative wallet: the fund buys it at the haircut
                // price (the venue's conversion discount).
                for c in model.collateral_of(account) {
                    if self.ws.wallet[a] >= 0 {
                        break;
                    }
                    let asset = model.coll_asset[c] as usize;
                    let unit_price = self.ws.asset_price(model, asset) * (1.0 - model.asset_haircut[asset]);
                    if unit_price <= 0.0 || self.ws.coll_qty[c] <= 0.0 {
                        continue;
                    }
                    let need = (-self.ws.wallet[a]) as f64 * 1e-6;
                    let q = (need / unit_price).min(self.ws.coll_qty[c]);
                    let pay = Money_from_f64(q * unit_price);
                    self.ws.coll_qty[c] -= q;
                    self.ws.fund_coll[asset] += q;
                    self.ws.fund_cash -= pay;
                    self.ws.wallet[a] += pay;
                }
                if self.ws.wallet[a] < 0 {
                    let need = -self.ws.wallet[a];
                    let slot = model.positions_of(account).start;
                    self.fund_cover(account, slot, need, |ws, amt| ws.wallet[a] += amt);
                }
            }
        }
    }

    fn fund_cover(
        &mut self,
        account: u32,
        slot: usize,
        amount: i64,
        credit: impl FnOnce(&mut Workspace, i64),
    ) {
        self.ws.fund_cash -= amount;
        credit(self.ws, amount);
        self.ws.touch_account(account);
        self.record_fund(account, slot, EventKind::FundCover, -amount);
    }

    fn record_fund(&mut self, account: u32, slot: usize, kind: EventKind, into_fund: i64) {
        let k = self.model.pos_market[slot] as usize;
        self.record(LiquidationEvent {
            generation: self.generation,
            time_s: self.step as f64 * self.round_duration_s,
            account,
            market: k as u16,
            isolated: self.model.pos_isolated[slot],
            kind,
            lots: 0,
            qty: 0.0,
            price: 0.0,
            notional_usd: 0.0,
            mark: self.ws.marks[k],
            bankruptcy_price: 0.0,
            liquidation_fee_usd: 0.0,
            fund_flow_usd: into_fund as f64 * 1e-6,
            counterparty: None,
        });
    }
}

/// USD → micro-USD, rounded.
#[allow(non_snake_case)]
#[inline]
fn Money_from_f64(usd: f64) -> i64 {
    liq_domain::Money::from_usd(usd).0
}
