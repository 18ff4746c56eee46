//! The liquidation engine: what happens to one margin unit found below maintenance.
//!
//! Per step, repeated while the unit stays below maintenance: pick the position with the
//! largest maintenance margin; let the rulebook say how many lots this step closes (dYdX: within
//! its per-block limits); send a liquidation order (IOC, or Bybit's FillOrKill) limited at the
//! bankruptcy price or at dYdX's fillable price; book the fills against the external makers and
//! charge the liquidation fee. What follows is the venue's (`AfterOrder`): the rest of the
//! position to the backstop at bankruptcy (Binance, Bybit), the unfilled part to the backstop and
//! another slice (Hyperliquid), or nothing — the unit is retried next round (dYdX). Bybit's
//! lowest-tier positions and units under Hyperliquid's 2/3-of-maintenance line go to the backstop
//! without an order. A unit with negative equity on a venue whose ADL triggers on it
//! (Hyperliquid, dYdX) is deleveraged. The hand-over to the backstop and ADL is
//! `Liquidator::hand_over` in `deleverage.rs`, with the ADL queue and counterparties. When a
//! unit is fully closed its surplus goes to the fund (Binance, Bybit) or stays with the user,
//! collateral covering a negative wallet is converted and sold into its market
//! (`crate::spot_sale`), and the fund covers any remainder, so no account
//! ends with silently negative equity; the fund's negative equity is the **bad debt**.

use crate::ledger::{Counterparty, Workspace};
use crate::model::{EngineModel, Unit};
use crate::outcome::{EventCause, EventKind, LiquidationEvent};
use liq_domain::{CollateralSale, Side};
use liq_impact::PriceImpact;
use liq_margin::rulebook::{fillable_price, AdlTrigger, AfterOrder, OrderKind, OrderLimit};

pub(crate) use crate::deleverage::AdlQueue;

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
    /// Per market: P&L the fund realised on what it sent back, against its takeover cost, USD.
    pub fund_unwind_pnl: Vec<f64>,
    /// Per market: the shortfall ADL had to cover (loss at bankruptcy of the lots it took), USD.
    pub adl_deficit: Vec<f64>,
    /// Per market: ADL notional closed beyond that deficit, USD.
    pub adl_overshoot: Vec<f64>,
    /// Per market: proceeds of collateral sold into the market (conversions and auto-exchange),
    /// USD — the collateral channel's flow.
    pub collateral_sold: Vec<f64>,
    /// ADL closes (one per counterparty position and hand-over).
    pub adl_counterparties: u64,
    /// dYdX: liquidation orders that left lots unfilled for the next round.
    pub retries: u64,
    pub fees: f64,
    /// Per market: lots the book absorbed from liquidation orders this round (the volume the
    /// backstop's unwind participates in).
    pub round_book_lots: Vec<i64>,
    /// Per venue: highest fund equity seen in the run (Bybit's 8-hour maximum; a run is shorter
    /// than 8 h).
    pub fund_peak: Vec<f64>,
    /// Per venue, Bybit: whether the drawdown ADL is on (it stops only above the stop ratio).
    pub drawdown_adl_on: Vec<bool>,
    /// Multi-venue runs only: liquidated notional by `[venue × (n_venues + 1) + cause]`, cause 0
    /// the exogenous shock and `1 + u` venue `u`'s flow (see [`crate::attribution`]).
    pub venue_cause_notional: Vec<f64>,
}

impl RunTotals {
    /// Clears the per-round counters.
    pub fn start_round(&mut self) {
        self.round_book_lots.iter_mut().for_each(|x| *x = 0);
    }
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
    /// Multi-venue runs: the cause of the unit being liquidated (`crate::attribution`), carried by
    /// each of its events.
    pub cause: Option<EventCause>,
}

impl Liquidator<'_> {
    pub(crate) fn record(&mut self, mut e: LiquidationEvent) {
        if let Some(cause) = self.cause {
            if e.kind.liquidates() {
                let n_v = self.model.n_venues();
                let v = self.model.market_venue(e.market as usize);
                let c = match cause {
                    EventCause::Exogenous => 0,
                    EventCause::Venue(u) => 1 + u as usize,
                };
                self.totals.venue_cause_notional[v * (n_v + 1) + c] += e.notional_usd;
            }
            e.cause = Some(cause);
        }
        if e.kind.liquidates() {
            let row = &mut self.totals.notional[e.market as usize];
            let g = e.generation as usize;
            if row.len() <= g {
                row.resize(g + 1, 0.0);
            }
            row[g] += e.notional_usd;
        }
        self.totals.fees += e.liquidation_fee_usd;
        if matches!(e.kind, EventKind::CollateralSale | EventKind::AutoExchange) {
            if let Some(x) = self.totals.collateral_sold.get_mut(e.market as usize) {
                *x += e.notional_usd;
            }
        }
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
        let rb = self.model.unit_rulebook(u);
        self.cause = self.model.is_multi_venue().then(|| self.ws.unit_cause(self.model, u));
        let mut stepped = false;
        // dYdX: one order per position per block, and the subaccount's notional cap per block.
        let mut ordered: Vec<usize> = Vec::new();
        let mut liquidated_usd = 0.0;
        let mut wait = false;
        loop {
            if !self.ws.unit_open(self.model, u) {
                break;
            }
            let (equity, mm) = self.ws.unit_margin(self.model, u);
            if equity >= mm {
                break;
            }
            stepped = true;
            // Hyperliquid and dYdX deleverage a unit whose value is negative (the vault's and the
            // book's steps are for units still worth something).
            if rb.adl.trigger == AdlTrigger::NegativeEquity && equity < 0.0 {
                self.hand_over_unit(u, EventKind::FundTakeover, true);
                break;
            }
            if let Some(ratio) = rb.backstop_equity_ratio {
                if equity < ratio * mm {
                    self.hand_over_unit(u, EventKind::Backstop, false);
                    break;
                }
            }
            // The position carrying the most maintenance margin goes first.
            let Some(slot) = self
                .unit_slots(u)
                .filter(|s| !ordered.contains(s))
                .max_by(|&a, &b| self.position_mm(a).total_cmp(&self.position_mm(b)).then(b.cmp(&a)))
            else {
                break;
            };
            let k = self.model.pos_market[slot] as usize;
            let spec = &self.model.markets[k];
            let mark = self.ws.marks[k];
            let size = self.ws.size[slot];
            let pb = self.bankruptcy_price(u, slot, equity);
            let notional = size.abs() as f64 * spec.lot_size * mark;
            // Bybit: the lowest risk-limit tier is taken over at bankruptcy without an order.
            if rb.lowest_tier_to_backstop && spec.ladder.tier_index(notional) == 0 {
                self.hand_over(u, slot, size.abs(), pb, EventKind::FundTakeover);
                continue;
            }
            let close = match rb.block_limits {
                Some(limits) => {
                    let cap = limits.max_notional_this_block(notional, liquidated_usd);
                    if cap <= 0.0 {
                        wait = true;
                        break;
                    }
                    if cap >= notional {
                        size.abs()
                    } else {
                        ((cap / (spec.lot_size * mark)).floor() as i64).clamp(1, size.abs())
                    }
                }
                // Within a venue's cooldown after a partial slice, the whole position goes.
                None => rb.next_close_lots_after(
                    &spec.ladder,
                    size,
                    spec.lot_size,
                    mark,
                    self.since_last_partial(u),
                ),
            };
            let side = Side::closing(size);
            let limit_price = self.order_limit_price(slot, equity, mm, pb, close);
            let limit = match side {
                Side::Sell => (limit_price / spec.tick_size).ceil().max(0.0) as i64,
                Side::Buy => {
                    let t = (limit_price / spec.tick_size).floor();
                    if t >= i64::MAX as f64 {
                        i64::MAX
                    } else {
                        t as i64
                    }
                }
            };
            let fill = match rb.order_kind {
                OrderKind::ImmediateOrCancel => self.ws.impact[k].execute(side, close, limit),
                OrderKind::FillOrKill => {
                    // Fill in full or not at all: try on a copy of the book, keep it if it filled.
                    let mut probe = self.ws.impact[k].clone();
                    let f = probe.execute(side, close, limit);
                    if f.filled_lots == close {
                        self.ws.impact[k] = probe;
                        f
                    } else {
                        liq_impact::Fill::default()
                    }
                }
            };
            if fill.filled_lots > 0 {
                self.totals.round_book_lots[k] += fill.filled_lots;
                let value = (fill.value_lot_ticks * spec.micros_per_lot_tick() as i128) as i64;
                liquidated_usd += value as f64 * 1e-6;
                self.ws.close_slot(self.model, slot, fill.filled_lots, value, Counterparty::External(k));
                self.recheck_slot_unit(slot);
                let mut fund_flow = 0.0;
                if rb.fund_pays_below_bankruptcy {
                    // dYdX: a fill worse than bankruptcy is paid by the fund (the limit kept it
                    // within what the fund holds).
                    let (e_after, _) = self.ws.unit_margin(self.model, u);
                    if e_after < 0.0 {
                        let pay = Money_from_f64(-e_after);
                        self.ws.pay_slot_from_fund(self.model, slot, pay);
                        fund_flow -= pay as f64 * 1e-6;
                    }
                }
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
                self.record(LiquidationEvent {
                    liquidation_fee_usd: fee_usd,
                    fund_flow_usd: fee_usd + fund_flow,
                    ..e
                });
            }
            let unfilled = close - fill.filled_lots;
            match rb.after_order {
                AfterOrder::TakeoverRest => {
                    // One order; if the unit is still below maintenance after it (a killed FOK
                    // changes nothing), the rest of the position goes to the backstop at its
                    // bankruptcy price. A unit the order restored keeps the rest.
                    let (e, m) = self.ws.unit_margin(self.model, u);
                    let rest = self.ws.size[slot].abs();
                    if rest > 0 && e < m {
                        let pb = self.bankruptcy_price(u, slot, e);
                        self.hand_over(u, slot, rest, pb, EventKind::FundTakeover);
                    }
                }
                AfterOrder::TakeoverUnfilledThenStep => {
                    if unfilled > 0 {
                        self.hand_over(u, slot, unfilled, pb, EventKind::FundTakeover);
                    }
                }
                AfterOrder::RetryNextRound => {
                    ordered.push(slot);
                    if unfilled > 0 {
                        self.totals.retries += 1;
                        wait = true;
                    }
                }
            }
            if close < size.abs() && rb.cooldown_s() > 0.0 {
                self.ws.last_partial.push((u, self.step));
            }
        }
        if stepped && !self.ws.unit_open(self.model, u) {
            self.settle_closed_unit(u, true);
        } else if stepped && (wait || !ordered.is_empty()) {
            // dYdX: what the block's limits or the book left is liquidated again next round.
            self.ws.recheck_unit(u);
        }
        stepped
    }

    /// Hands every open position of `u` to the backstop / ADL at its bankruptcy price (straight to
    /// ADL with `adl_first`).
    fn hand_over_unit(&mut self, u: Unit, kind: EventKind, adl_first: bool) {
        let slots: Vec<usize> = self.unit_slots(u).collect();
        for s in slots {
            let (e, _) = self.ws.unit_margin(self.model, u);
            let lots = self.ws.size[s].abs();
            let pb = self.bankruptcy_price(u, s, e);
            self.hand_over_as(u, s, lots, pb, kind, adl_first);
        }
    }

    /// The price the liquidation order of `lots` of `slot` is limited at: the bankruptcy price
    /// `pb`, or dYdX's fillable price, kept where the fund can pay what a fill below bankruptcy
    /// costs (a fill the fund cannot pay is rejected, `IsValidInsuranceFundDelta`; bounding the
    /// limit so that even the worst lot is payable is the conservative form of that check).
    fn order_limit_price(&self, slot: usize, equity: f64, mm: f64, pb: f64, lots: i64) -> f64 {
        let k = self.model.pos_market[slot] as usize;
        let rb = self.model.market_rulebook(k);
        let OrderLimit::FillablePrice { bankruptcy_adjustment, spread_to_maintenance_ratio } = rb.order_limit
        else {
            return pb;
        };
        let k = self.model.pos_market[slot] as usize;
        let spec = &self.model.markets[k];
        let mark = self.ws.marks[k];
        let q = self.ws.size[slot] as f64 * spec.lot_size;
        let fp = fillable_price(
            q,
            mark,
            equity,
            mm,
            self.position_mm(slot),
            bankruptcy_adjustment,
            spread_to_maintenance_ratio,
        );
        if !rb.fund_pays_below_bankruptcy {
            return if q > 0.0 { fp.max(pb) } else { fp.min(pb) };
        }
        let qty = lots as f64 * spec.lot_size;
        let room = self.ws.venue_fund_equity(self.model, self.model.market_venue(k)).max(0.0)
            / qty.max(f64::MIN_POSITIVE);
        if q > 0.0 {
            fp.max(pb - room).max(0.0)
        } else {
            fp.min(pb + room)
        }
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

    pub(crate) fn recheck_slot_unit(&mut self, slot: usize) {
        let u = if self.model.pos_isolated[slot] {
            Unit::isolated(slot as u32)
        } else {
            Unit::cross(self.model.pos_account[slot])
        };
        self.ws.recheck_unit(u);
    }

    /// Whether closing `lots` of `slot` leaves the unit with no open position.
    pub(crate) fn closes_unit(&self, u: Unit, slot: usize, lots: i64) -> bool {
        lots == self.ws.size[slot].abs() && self.unit_slots(u).all(|s| s == slot)
    }

    /// The event of closing `lots` of `slot` (whose size had sign `sign` before the close) at
    /// total value `value` (micro-USD), at the round's mark; fees, fund flow and counterparty
    /// are zero/none for the caller to set.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn close_event(
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
            cause: None,
        }
    }

    /// The fund takes `lots` of `slot` at total value `v` (its equity may go below zero: that is
    /// the bad debt the outcome reports).
    pub(crate) fn fund_take(&mut self, u: Unit, slot: usize, lots: i64, v: i64, pb: f64, kind: EventKind) {
        let model = self.model;
        let k = model.pos_market[slot] as usize;
        let sign = self.ws.size[slot].signum();
        let venue = model.market_venue(k);
        let before = self.ws.venue_fund_equity(model, venue);
        self.ws.close_slot(model, slot, lots, v, Counterparty::Fund(k));
        self.recheck_slot_unit(slot);
        let after = self.ws.venue_fund_equity(model, venue);
        let e = self.close_event(u, slot, sign, lots, v, pb, kind);
        self.record(LiquidationEvent { fund_flow_usd: after - before, ..e });
    }

    /// After a unit's last position is closed: surplus to the fund (if it was liquidated under a
    /// surplus-to-fund rulebook) or back to the user, collateral covering a negative wallet, the
    /// fund covering the rest.
    pub(crate) fn settle_closed_unit(&mut self, u: Unit, liquidated: bool) {
        let model = self.model;
        let account = model.unit_account(u);
        let venue = model.unit_venue(u);
        let n_a = model.asset_haircut.len();
        let rb_surplus = liquidated && model.venues[venue].rulebook.surplus_to_fund;
        match u.isolated_slot() {
            Some(s) => {
                let s = s as usize;
                let rem = self.ws.iso_margin[s];
                if rem > 0 {
                    self.ws.iso_margin[s] = 0;
                    if rb_surplus {
                        self.ws.fund_cash[venue] += rem;
                        self.ws.fund_flows.surplus += rem;
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
                // Collateral covers a negative wallet first: the venue converts it at its value
                // ratio and sells it into the asset's market (Binance: "when users get
                // liquidated, auto exchange will be immediately triggered if the … balance … is
                // not enough to cover the deficit"; elsewhere the same rule, assumed — see
                // docs/venues.md). `collateral.sale = "fund"` keeps it with the fund instead.
                if self.ws.wallet[a] < 0 && model.collateral_of(account).any(|c| self.ws.coll_qty[c] > 0.0) {
                    self.convert_and_record(account, EventKind::CollateralSale);
                }
                if rb_surplus {
                    let wallet = self.ws.wallet[a];
                    let mut seized = 0.0;
                    let mut taken = Vec::new();
                    for c in model.collateral_of(account) {
                        let asset = model.coll_asset[c] as usize;
                        let q = std::mem::take(&mut self.ws.coll_qty[c]);
                        self.ws.fund_coll[venue * n_a + asset] += q;
                        let price = self.ws.asset_price(model, asset);
                        seized += q * price;
                        if q > 0.0 {
                            taken.push((asset, q, price));
                        }
                    }
                    if wallet > 0 {
                        self.ws.wallet[a] = 0;
                        self.ws.fund_cash[venue] += wallet;
                        self.ws.fund_flows.surplus += wallet;
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
                    // The seized collateral goes to market like converted collateral (same
                    // `collateral.sale` choice): the fund holds cash, not the asset, so the
                    // collateral channel is not switched off by who ends up owning it. Assumed:
                    // no venue publishes what it does with seized collateral (docs/venues.md).
                    if model.collateral_sale == CollateralSale::Book {
                        for (asset, q, price) in taken {
                            self.sell_seized_and_record(account, venue, asset, q, price);
                        }
                    }
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
        let venue = self.model.market_venue(self.model.pos_market[slot] as usize);
        self.ws.fund_cash[venue] -= amount;
        self.ws.fund_flows.cover += amount;
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
            cause: None,
        });
    }
}

/// USD → micro-USD, rounded.
#[allow(non_snake_case)]
#[inline]
pub(crate) fn Money_from_f64(usd: f64) -> i64 {
    liq_domain::Money::from_usd(usd).0
}
