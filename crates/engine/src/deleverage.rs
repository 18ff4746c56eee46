//! The hand-over of what a liquidation order did not place: to the backstop as far as the
//! venue's ADL trigger lets it take (Binance's position cap, Bybit's drawdown trigger, negative
//! equity on Hyperliquid and dYdX), then auto-deleveraging — the venue's queue of opposite
//! positions (or the pro-rata comparison policy), the price the deleveraged positions close at,
//! the event of each close with its counterparty, and the deficit/overshoot measure.
//!
//! The queue of a market and side is ranked once per round at the round's marks by the
//! rulebook's [`AdlRanking`] (Binance's LeveragePnL, Bybit's PnL% × effective leverage,
//! Hyperliquid's `(mark/entry) × (notional/account value)`, dYdX's list from a pseudo-random
//! start). [`AdlPolicy::ProRata`] instead closes every eligible opposite position by the same
//! fraction. Ranking functions and their sources are in `liq_margin::adl`.

use crate::ledger::Counterparty;
use crate::liquidate::{Liquidator, Money_from_f64};
use crate::model::Unit;
use crate::outcome::{EventKind, LiquidationEvent};
use liq_margin::adl::{
    adl_score, binance_leverage_pnl, hyperliquid_adl_index, pro_rata_shares, random_start,
};
use liq_margin::rulebook::{AdlPolicy, AdlPrice, AdlRanking, AdlTrigger};

/// ADL queue of one market and side, built lazily once per round.
#[derive(Debug, Clone, Default)]
pub(crate) struct AdlQueue {
    built_for: Option<u32>,
    slots: Vec<(f64, u32)>,
    cursor: usize,
}

impl Liquidator<'_> {
    /// Hands `lots` of `slot` over at bankruptcy price `pb`: to the backstop as far as the
    /// venue's ADL trigger lets it take them, then to ADL, and whatever ADL cannot place to the
    /// backstop regardless (its equity may go negative: bad debt).
    pub(crate) fn hand_over(&mut self, u: Unit, slot: usize, lots: i64, pb: f64, kind: EventKind) {
        self.hand_over_as(u, slot, lots, pb, kind, false);
    }

    /// [`Liquidator::hand_over`], with `adl_first` skipping the backstop: a unit deleveraged for
    /// its negative equity (Hyperliquid, dYdX) goes to ADL position by position even once the
    /// first close has brought its equity back to about zero.
    pub(crate) fn hand_over_as(
        &mut self,
        u: Unit,
        slot: usize,
        lots: i64,
        pb: f64,
        kind: EventKind,
        adl_first: bool,
    ) {
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
        let fund_eq = self.ws.venue_fund_equity(model, model.market_venue(k));
        let fund_lots = if adl_first { 0 } else { self.backstop_lots(u, k, sign, lots, loss, fund_eq, mark) };
        // Value of the first `d` lots: the cumulative split keeps the parts summing to `value`.
        let cum = |d: i64| -> i64 { (value as i128 * d as i128 / lots as i128) as i64 };
        let mut done = 0i64;
        if fund_lots > 0 {
            self.fund_take(u, slot, fund_lots, cum(fund_lots), pb, kind);
            done = fund_lots;
        }
        if done < lots {
            let (adl_lots, adl_notional) = self.deleverage(u, slot, lots - done, done, &cum, pb);
            if adl_lots > 0 {
                // The shortfall the ADL'd lots carried: their share of the hand-over's loss.
                let deficit = (loss * adl_lots as f64 / lots as f64).max(0.0);
                self.totals.adl_deficit[k] += deficit;
                self.totals.adl_overshoot[k] += liq_margin::adl::adl_overshoot(adl_notional, deficit);
            }
            done += adl_lots;
        }
        if done < lots {
            let v = value - cum(done);
            self.fund_take(u, slot, lots - done, v, pb, kind);
        }
    }

    /// How many of `lots` (a hand-over of sign `sign` in market `k` with loss `loss`) the backstop
    /// takes before ADL, by the venue's trigger.
    #[allow(clippy::too_many_arguments)]
    fn backstop_lots(
        &mut self,
        u: Unit,
        k: usize,
        sign: i64,
        lots: i64,
        loss: f64,
        fund_eq: f64,
        mark: f64,
    ) -> i64 {
        // While the fund's equity carries the loss it takes everything, else the share it can.
        let carried = if loss <= 0.0 || fund_eq >= loss {
            lots
        } else {
            ((lots as f64 * fund_eq.max(0.0) / loss).floor() as i64).clamp(0, lots)
        };
        match self.model.market_rulebook(k).adl.trigger {
            AdlTrigger::FundCannotTake { position_cap_of_fund } => match position_cap_of_fund {
                None => carried,
                Some(cap) => {
                    // Binance's maximum net notional position: |inventory after| × mark ≤ cap ×
                    // fund equity.
                    let lot_value = self.model.markets[k].lot_size * mark;
                    let allowed = if lot_value > 0.0 {
                        (cap * fund_eq.max(0.0) / lot_value).floor().min(i64::MAX as f64 / 4.0) as i64
                    } else {
                        i64::MAX / 4
                    };
                    let room = (allowed - sign * self.ws.fund_size[k]).max(0);
                    carried.min(room)
                }
            },
            AdlTrigger::FundDrawdown { trigger_ratio, stop_ratio, min_balance_usd } => {
                let v = self.model.market_venue(k);
                let peak = self.totals.fund_peak[v].max(fund_eq);
                self.totals.fund_peak[v] = peak;
                let ratio = if peak > 0.0 { (fund_eq - peak) / peak } else { 0.0 };
                if self.totals.drawdown_adl_on[v] {
                    if ratio > stop_ratio {
                        self.totals.drawdown_adl_on[v] = false;
                    }
                } else if fund_eq > min_balance_usd && ratio < trigger_ratio {
                    self.totals.drawdown_adl_on[v] = true;
                }
                if self.totals.drawdown_adl_on[v] {
                    0
                } else {
                    carried
                }
            }
            AdlTrigger::NegativeEquity => {
                // Only a unit worth less than nothing is deleveraged; the vault (Hyperliquid)
                // takes the others whole.
                if self.ws.unit_margin(self.model, u).0 < 0.0 {
                    0
                } else {
                    lots
                }
            }
        }
    }

    /// Closes up to `lots` of `slot` against opposite positions, the `done` lots before them
    /// having gone to the backstop; `cum(d)` is the bankruptcy value of the hand-over's first `d`
    /// lots and `pb` its bankruptcy price. Returns the lots closed and their notional (USD).
    pub(crate) fn deleverage(
        &mut self,
        u: Unit,
        slot: usize,
        lots: i64,
        done: i64,
        cum: &dyn Fn(i64) -> i64,
        pb: f64,
    ) -> (i64, f64) {
        let model = self.model;
        let k = model.pos_market[slot] as usize;
        let sign = self.ws.size[slot].signum();
        let exclude = model.pos_account[slot];
        let mut closed = 0i64;
        let mut notional = 0.0;
        match model.market_rulebook(k).adl.policy {
            AdlPolicy::Ranked => {
                while closed < lots {
                    let Some(c) = self.next_adl_counterparty(k, -sign, exclude) else { break };
                    let n = (lots - closed).min(self.ws.size[c as usize].abs());
                    notional += self.adl_close(u, slot, c, n, done + closed, cum, pb);
                    closed += n;
                }
            }
            AdlPolicy::ProRata => {
                let eligible: Vec<u32> = model.index.slots_by_market[k]
                    .iter()
                    .copied()
                    .filter(|&c| {
                        self.ws.size[c as usize].signum() == -sign && model.pos_account[c as usize] != exclude
                    })
                    .collect();
                let sizes: Vec<i64> = eligible.iter().map(|&c| self.ws.size[c as usize].abs()).collect();
                let shares = pro_rata_shares(lots, &sizes);
                for (&c, &n) in eligible.iter().zip(&shares) {
                    if n > 0 {
                        notional += self.adl_close(u, slot, c, n, done + closed, cum, pb);
                        closed += n;
                    }
                }
            }
        }
        (closed, notional)
    }

    /// One ADL close: `n` lots of `slot` against counterparty position `c`, the hand-over's
    /// lots before them being `offset`. Returns the notional (USD).
    #[allow(clippy::too_many_arguments)]
    fn adl_close(
        &mut self,
        u: Unit,
        slot: usize,
        c: u32,
        n: i64,
        offset: i64,
        cum: &dyn Fn(i64) -> i64,
        pb: f64,
    ) -> f64 {
        let model = self.model;
        let k = model.pos_market[slot] as usize;
        let spec = &model.markets[k];
        let sign = self.ws.size[slot].signum();
        let v = match model.market_rulebook(k).adl.price {
            AdlPrice::Bankruptcy => cum(offset + n) - cum(offset),
            // Hyperliquid: "closed at the previous mark price" (the round's mark).
            AdlPrice::PreviousMark => spec.value(n, spec.ticks(self.ws.marks[k])).0.max(0),
        };
        self.ws.close_slot(model, slot, n, v, Counterparty::Slot(c));
        self.recheck_slot_unit(slot);
        self.recheck_slot_unit(c as usize);
        // A deleveraged position closed at the bankruptcy price of another can leave its own
        // unit, once empty, below zero: settle it like any closed unit (no surplus rule, it was
        // not liquidated).
        let cu = if model.pos_isolated[c as usize] {
            Unit::isolated(c)
        } else {
            Unit::cross(model.pos_account[c as usize])
        };
        if !self.ws.unit_open(model, cu) {
            self.settle_closed_unit(cu, false);
        }
        let usd = v as f64 * 1e-6;
        self.totals.adl_notional[k] += usd;
        self.totals.adl_counterparties += 1;
        let e = self.close_event(u, slot, sign, n, v, pb, EventKind::Adl);
        self.record(LiquidationEvent { counterparty: Some(model.pos_account[c as usize]), ..e });
        usd
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

    /// Ranks every open position on one side of a market by the venue's ADL ranking at the
    /// current marks. O(positions in the market), once per market, side and round, and only
    /// when ADL runs.
    fn build_adl_queue(&mut self, k: usize, side_sign: i64) {
        let model = self.model;
        let spec = &model.markets[k];
        let mark = self.ws.marks[k];
        let qi = usize::from(side_sign < 0);
        let ranking = model.market_rulebook(k).adl.ranking;
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
            let (equity, mm) = self.ws.unit_margin(model, unit);
            let qty = size as f64 * spec.lot_size;
            let value = qty * mark;
            let cost = self.ws.cost[s as usize] as f64 * 1e-6;
            let score = match ranking {
                AdlRanking::ProfitAndEffectiveLeverage => {
                    let pnl_fraction = if cost != 0.0 { (value - cost) / cost.abs() } else { 0.0 };
                    let effective_leverage = if equity > 0.0 { value.abs() / equity } else { f64::INFINITY };
                    adl_score(pnl_fraction, effective_leverage)
                }
                AdlRanking::BinanceLeveragePnl => {
                    // Wallet balance of the margin unit: the isolated margin, or the cross
                    // wallet with its collateral; the rest of the equity is unrealised PnL.
                    let wallet = match unit.isolated_slot() {
                        Some(i) => self.ws.iso_margin[i as usize] as f64 * 1e-6,
                        None => {
                            let a = model.pos_account[s as usize];
                            self.ws.wallet[a as usize] as f64 * 1e-6 + self.ws.collateral_value(model, a)
                        }
                    };
                    binance_leverage_pnl(equity - wallet, wallet, mm)
                }
                AdlRanking::HyperliquidIndex => {
                    let entry = if qty != 0.0 { (cost / qty).abs() } else { mark };
                    hyperliquid_adl_index(qty, mark, entry, equity)
                }
                // dYdX: list order; the rotation below supplies the pseudo-random start.
                AdlRanking::RandomStart => 0.0,
            };
            slots.push((score, s));
        }
        slots.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if ranking == AdlRanking::RandomStart {
            let start = random_start(slots.len(), self.step, k);
            slots.rotate_left(start);
        }
        self.adl[k][qi] = AdlQueue { built_for: Some(self.step), slots, cursor: 0 };
    }
}
