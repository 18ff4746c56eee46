//! Per-run mutable state and the exact ledger.
//!
//! A [`Workspace`] holds the mutable copy of every balance and position plus the entities a
//! liquidation trades with: the external liquidity (the book's makers, one per market, holding
//! whatever the population does not so that open interest long = short), the insurance fund
//! (or backstop vault) with its cash, taken-over inventory and seized collateral, the buyers of
//! sold collateral ([`crate::spot_sale`]), and the venue's fee income. Every transfer moves whole micro-dollars between two of them, so
//! `Σ (cash − cost basis)` over all holders never changes; [`Workspace::ledger_total`] is that sum.
//!
//! A workspace is reused across runs: only the accounts a run touched are restored from the
//! model (tracked with epoch stamps, so a reset costs O(touched), not O(accounts)). That is what
//! keeps a cascade on 1,000,000 accounts in the low milliseconds.

use crate::arbitrage::PerpBook;
use crate::model::{AssetPricing, EngineModel, Unit};
use crate::price::PriceState;
use liq_impact::{ImpactModel, NoImpact, PriceImpact};

/// The causes of every change of the insurance fund's cash in a run, micro-USD: start + fees +
/// surplus − cover − below_bankruptcy − collateral_bought + unwind_realised + funding +
/// seized_sold = cash at the end, exactly (a test recomputes it from `run --json`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FundFlows {
    /// Liquidation (clearance) fees charged to liquidated accounts.
    pub fees: i64,
    /// Equity left above bankruptcy after a full liquidation (Binance, Bybit).
    pub surplus: i64,
    /// Negative equity of liquidated accounts the fund covered.
    pub cover: i64,
    /// dYdX: fills below bankruptcy paid by the fund.
    pub below_bankruptcy: i64,
    /// Cash paid for collateral that covered a negative wallet, less the proceeds of selling it
    /// into the market (`crate::spot_sale`; what is not sold the fund holds).
    pub collateral_bought: i64,
    /// P&L realised by selling taken-over inventory back into the book.
    pub unwind_realised: i64,
    /// Funding received on taken-over inventory, less funding paid ([`crate::funding`]).
    pub funding: i64,
    /// Proceeds of selling collateral the fund seized through the surplus rule
    /// (`collateral.sale = "book"`; `crate::spot_sale`).
    pub seized_sold: i64,
    /// Those proceeds less the value of the same collateral at the price it was seized at: the
    /// sale's P&L against holding it at the seizure price (not a cash item).
    pub seized_sale_pnl: i64,
}

/// Indices into [`Workspace`]'s per-account stamps.
const TOUCHED: usize = 0;
const LIQUIDATED: usize = 1;
const WATCHED: usize = 2;

/// Who takes the other side of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counterparty {
    /// The book's makers in a market.
    External(usize),
    /// The insurance fund / backstop vault, in a market.
    Fund(usize),
    /// Another account's position slot (ADL).
    Slot(u32),
    /// The other side was already booked (the inner half of an ADL match).
    Booked,
}

/// Mutable per-run state.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) wallet: Vec<i64>,
    pub(crate) size: Vec<i64>,
    pub(crate) cost: Vec<i64>,
    pub(crate) iso_margin: Vec<i64>,
    pub(crate) coll_qty: Vec<f64>,
    pub(crate) ext_size: Vec<i64>,
    pub(crate) ext_cost: Vec<i64>,
    /// Each venue's fund cash (one entry per venue).
    pub(crate) fund_cash: Vec<i64>,
    pub(crate) fund_size: Vec<i64>,
    pub(crate) fund_cost: Vec<i64>,
    /// Seized collateral per venue and asset, `[venue × n_assets + asset]`.
    pub(crate) fund_coll: Vec<f64>,
    /// The buyers of sold collateral (the book's makers): asset bought per asset, and the cash
    /// they paid (micro-USD, ≤ 0) — a holder of its own so each flow's ledger can be checked.
    pub(crate) coll_buyer_qty: Vec<f64>,
    pub(crate) coll_buyer_cash: i64,
    pub(crate) fee_income: i64,
    /// Every change of the fund's cash in this run, by cause (micro-USD).
    pub(crate) fund_flows: FundFlows,
    pub(crate) marks: Vec<f64>,
    pub(crate) index: Vec<f64>,
    /// Each perp's book with the arbitrageurs' quote in it.
    pub(crate) impact: Vec<PerpBook>,
    /// The depth-carrying models while a counterfactual run uses [`NoImpact`].
    parked: Vec<PerpBook>,
    /// Spot books, index state, and the arbitrageurs and exogenous sellers as holders.
    pub(crate) price: PriceState,
    /// The non-liquidation flows and their holders ([`crate::flows`]).
    pub(crate) flows: crate::flows::FlowState,
    /// Funding on a path: premium averages, payments, events ([`crate::funding`]).
    pub(crate) funding: crate::funding::FundingState,
    // Epoch stamps: an account is "touched" in this run iff stamp == epoch.
    pub(crate) epoch: u32,
    /// Per account, its three stamps side by side: `[TOUCHED]` modified (reset restores it),
    /// `[LIQUIDATED]` counted as liquidated, `[WATCHED]` its cross unit tracked by the run (its
    /// static index entry is stale; the run checks it through its recheck list and sleep heap).
    /// One array, not three: an account liquidated is detected, touched and counted within a
    /// few instructions, and on 1,000,000 accounts each separate array cost a cache miss.
    account_stamps: Vec<[u32; 3]>,
    touched_accounts: Vec<u32>,
    /// Isolated units tracked by the run (stamp == epoch), as `[WATCHED]` for cross units.
    pub(crate) unit_stamp_iso: Vec<u32>,
    /// Units changed since their last exact check (checked at the next round).
    pub(crate) recheck: Vec<Unit>,
    /// Round of each unit's last partial slice (venues with a cooldown).
    pub(crate) last_partial: Vec<(Unit, u32)>,
    /// Per market, over the accounts' position slots at the model's start: net size, long
    /// lots and short lots ([`Workspace::accounts_open_interest`]).
    oi0: Vec<[i64; 3]>,
    /// The same three per market for the accounts' slots now: kept by [`Workspace::close_slot`],
    /// the one place an account's size changes, so the ledger needs no pass over every slot.
    oi: Vec<[i64; 3]>,
}

impl Workspace {
    /// A fresh workspace for `model` (allocates once; reuse it across runs).
    pub fn new(model: &EngineModel) -> Workspace {
        let n_m = model.n_markets();
        let mut ws = Workspace {
            wallet: model.wallet0.clone(),
            size: model.size0.clone(),
            cost: model.cost0.clone(),
            iso_margin: model.iso_margin0.clone(),
            coll_qty: model.coll_qty0.clone(),
            ext_size: vec![0; n_m],
            ext_cost: vec![0; n_m],
            fund_cash: model.venues.iter().map(|v| v.fund0).collect(),
            fund_size: vec![0; n_m],
            fund_cost: vec![0; n_m],
            fund_coll: vec![0.0; model.asset_haircut.len() * model.n_venues()],
            coll_buyer_qty: vec![0.0; model.asset_haircut.len()],
            coll_buyer_cash: 0,
            fee_income: 0,
            fund_flows: FundFlows::default(),
            marks: model.mark0.clone(),
            index: model.index0.clone(),
            impact: model.impact0.iter().cloned().map(PerpBook::new).collect(),
            parked: Vec::new(),
            price: PriceState::new(&model.price, n_m),
            flows: crate::flows::FlowState::new(&model.flows),
            funding: crate::funding::FundingState::new(model),
            epoch: 0,
            account_stamps: vec![[0; 3]; model.n_accounts()],
            touched_accounts: Vec::new(),
            unit_stamp_iso: vec![0; model.n_positions()],
            recheck: Vec::new(),
            last_partial: Vec::new(),
            oi0: vec![[0; 3]; n_m],
            oi: Vec::new(),
        };
        // `zip`, not indexing: the model build makes a workspace while the starting sizes are
        // moved out of the model (`EngineModel::start_totals_and_index`); that workspace is used
        // for the start totals and the trigger index only, which never read open interest.
        for (&size, &k) in model.size0.iter().zip(&model.pos_market) {
            let oi = &mut ws.oi0[k as usize];
            oi[0] += size;
            oi[1] += size.max(0);
            oi[2] += (-size).max(0);
        }
        ws.reset(model, true);
        ws
    }

    /// Restores the state the model starts from. `with_impact = false` replaces every impact
    /// model by [`NoImpact`] at the starting mid (the counterfactual run).
    pub fn reset(&mut self, model: &EngineModel, with_impact: bool) {
        for &a in &self.touched_accounts {
            let a = a as usize;
            self.wallet[a] = model.wallet0[a];
            for s in model.positions_of(a as u32) {
                self.size[s] = model.size0[s];
                self.cost[s] = model.cost0[s];
                self.iso_margin[s] = model.iso_margin0[s];
            }
            for c in model.collateral_of(a as u32) {
                self.coll_qty[c] = model.coll_qty0[c];
            }
        }
        self.touched_accounts.clear();
        self.oi.clone_from(&self.oi0);
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // Stamps wrapped: clear them so no stale stamp equals the new epoch.
            self.account_stamps.fill([0; 3]);
            self.unit_stamp_iso.fill(0);
            self.epoch = 1;
        }
        self.ext_size.copy_from_slice(&model.ext_size0);
        self.ext_cost.copy_from_slice(&model.ext_cost0);
        for (c, v) in self.fund_cash.iter_mut().zip(&model.venues) {
            *c = v.fund0;
        }
        self.fund_size.iter_mut().for_each(|x| *x = 0);
        self.fund_cost.iter_mut().for_each(|x| *x = 0);
        self.fund_coll.iter_mut().for_each(|x| *x = 0.0);
        self.coll_buyer_qty.iter_mut().for_each(|x| *x = 0.0);
        self.coll_buyer_cash = 0;
        self.fee_income = 0;
        self.fund_flows = FundFlows::default();
        self.marks.copy_from_slice(&model.mark0);
        self.index.copy_from_slice(&model.index0);
        // The impact models with depth are parked, not dropped, during a counterfactual run, so
        // that switching back restores them in O(levels walked) instead of copying whole books.
        let live_is_none = matches!(self.impact.first().map(|p| &p.book), Some(ImpactModel::None(_)));
        if with_impact {
            if live_is_none && !self.parked.is_empty() {
                std::mem::swap(&mut self.impact, &mut self.parked);
            }
            for (dst, src) in self.impact.iter_mut().zip(&model.impact0) {
                dst.restore_from(src);
            }
        } else {
            if !live_is_none {
                std::mem::swap(&mut self.impact, &mut self.parked);
            }
            self.impact.clear();
            self.impact.extend(
                model
                    .impact0
                    .iter()
                    .map(|src| PerpBook::new(ImpactModel::None(NoImpact::new(src.mid_ticks())))),
            );
        }
        self.recheck.clear();
        self.last_partial.clear();
        self.flows.reset(&model.flows);
    }

    /// Per market, over the accounts' position slots now and at the start:
    /// `([net, long, short] lots now, long lots at the start)`. O(markets).
    pub(crate) fn accounts_open_interest(&self) -> (&[[i64; 3]], impl Iterator<Item = i64> + '_) {
        (&self.oi, self.oi0.iter().map(|oi| oi[1]))
    }

    /// The state as text with the run-local encodings made canonical (`crate::reset_check`):
    /// stamps reduced to "touched in the current epoch", the parked books dropped.
    #[cfg(test)]
    pub(crate) fn canonical_text(&self) -> String {
        let mut w = self.clone();
        let epoch = w.epoch;
        w.account_stamps.iter_mut().flatten().for_each(|s| *s = u32::from(*s == epoch));
        w.unit_stamp_iso.iter_mut().for_each(|s| *s = u32::from(*s == epoch));
        w.epoch = 1;
        w.parked.clear();
        format!("{w:?}")
    }

    /// Marks an account as modified in this run (so reset restores it).
    #[inline]
    pub(crate) fn touch_account(&mut self, a: u32) {
        let st = &mut self.account_stamps[a as usize][TOUCHED];
        if *st != self.epoch {
            *st = self.epoch;
            self.touched_accounts.push(a);
        }
    }

    /// Marks an account as liquidated in this run; true the first time.
    #[inline]
    pub(crate) fn mark_liquidated(&mut self, a: u32) -> bool {
        let st = &mut self.account_stamps[a as usize][LIQUIDATED];
        if *st == self.epoch {
            return false;
        }
        *st = self.epoch;
        true
    }

    /// Marks a unit as tracked by the run. Returns false if it already was.
    #[inline]
    pub(crate) fn watch_unit(&mut self, u: Unit) -> bool {
        let st = match u.isolated_slot() {
            Some(s) => &mut self.unit_stamp_iso[s as usize],
            None => &mut self.account_stamps[u.0 as usize][WATCHED],
        };
        if *st == self.epoch {
            return false;
        }
        *st = self.epoch;
        true
    }

    /// A unit changed (trade, ADL, surplus): track it and check it exactly next round.
    #[inline]
    pub(crate) fn recheck_unit(&mut self, u: Unit) {
        self.watch_unit(u);
        self.recheck.push(u);
    }

    /// Price of a collateral asset at the current marks.
    #[inline]
    pub(crate) fn asset_price(&self, model: &EngineModel, asset: usize) -> f64 {
        match model.asset_pricing[asset] {
            AssetPricing::Fixed(p) => p,
            AssetPricing::Market(k) => self.marks[k],
            AssetPricing::Path(p0) => crate::model::path_price(&model.asset_path[asset], p0, self.price.t_s),
        }
    }

    /// Quantity of collateral slot `c` that counts as margin: its tiered value (Bybit's value
    /// ratio by tiers of quantity) or `qty × (1 − haircut)`. Price-free, so the counted value is
    /// linear in the price.
    #[inline]
    pub(crate) fn coll_counted(&self, model: &EngineModel, c: usize) -> f64 {
        let asset = model.coll_asset[c] as usize;
        let tiers = &model.asset_tiers[asset];
        if tiers.is_empty() {
            self.coll_qty[c] * (1.0 - model.asset_haircut[asset])
        } else {
            liq_margin::collateral::tiered_value(self.coll_qty[c], tiers)
        }
    }

    /// Equity and maintenance margin (USD) of a margin unit at the current marks.
    pub(crate) fn unit_margin(&self, model: &EngineModel, u: Unit) -> (f64, f64) {
        match u.isolated_slot() {
            Some(s) => {
                let s = s as usize;
                let spec = &model.markets[model.pos_market[s] as usize];
                let m = self.marks[model.pos_market[s] as usize];
                let q = self.size[s] as f64 * spec.lot_size;
                let equity = (self.iso_margin[s] - self.cost[s]) as f64 * 1e-6 + q * m;
                let mm = if self.size[s] == 0 { 0.0 } else { spec.ladder.maintenance_margin(q * m) };
                (equity, mm)
            }
            None => {
                let a = u.0;
                let mut equity = self.wallet[a as usize] as f64 * 1e-6;
                let mut mm = 0.0;
                for s in model.positions_of(a) {
                    if model.pos_isolated[s] || self.size[s] == 0 {
                        continue;
                    }
                    let k = model.pos_market[s] as usize;
                    let spec = &model.markets[k];
                    let q = self.size[s] as f64 * spec.lot_size;
                    equity += q * self.marks[k] - self.cost[s] as f64 * 1e-6;
                    mm += spec.ladder.maintenance_margin(q * self.marks[k]);
                }
                equity += self.collateral_value(model, a);
                (equity, mm)
            }
        }
    }

    /// Value (USD) of an account's collateral after haircuts, at the current marks.
    pub(crate) fn collateral_value(&self, model: &EngineModel, a: u32) -> f64 {
        model
            .collateral_of(a)
            .map(|c| self.coll_counted(model, c) * self.asset_price(model, model.coll_asset[c] as usize))
            .sum()
    }

    /// Equity, maintenance margin and a Lipschitz bound `L` of `equity − maintenance` in the
    /// marks: `|Δ(equity − mm)| ≤ Σ_k (|exposure_k| + |size_k|·mmr_k(2N_k))·m_k·|Δm_k/m_k|` for
    /// relative moves up to +100%, where `mmr_k(2N_k)` is the rate of the tier at twice the
    /// position's notional (maintenance margin's slope never exceeds it while the notional at
    /// most doubles). With every relative move at most `x ≤ 1` the buffer shrinks by at most `L·x`.
    /// Also returns the markets the unit depends on as a bit mask (bit k = market k; markets
    /// beyond 63 fold into bit 63).
    pub(crate) fn unit_margin_lipschitz(&self, model: &EngineModel, u: Unit) -> (f64, f64, f64, u64) {
        // One pass over the unit's positions and collateral: this runs for every unit the
        // detector checks, so it avoids walking the account three times.
        let bit = |k: usize| 1u64 << k.min(63);
        match u.isolated_slot() {
            Some(s) => {
                let s = s as usize;
                let k = model.pos_market[s] as usize;
                let spec = &model.markets[k];
                let m = self.marks[k];
                let q = self.size[s] as f64 * spec.lot_size;
                let n = q.abs() * m;
                let equity = (self.iso_margin[s] - self.cost[s]) as f64 * 1e-6 + q * m;
                let mm = if self.size[s] == 0 { 0.0 } else { spec.ladder.maintenance_margin(n) };
                (equity, mm, n * (1.0 + spec.ladder.tier(2.0 * n).mmr), bit(k))
            }
            None => {
                let a = u.0;
                let mut equity = self.wallet[a as usize] as f64 * 1e-6;
                let (mut mm, mut lip, mut deps) = (0.0, 0.0, 0u64);
                for s in model.positions_of(a) {
                    if model.pos_isolated[s] || self.size[s] == 0 {
                        continue;
                    }
                    let k = model.pos_market[s] as usize;
                    let spec = &model.markets[k];
                    let m = self.marks[k];
                    let q = self.size[s] as f64 * spec.lot_size;
                    let n = q.abs() * m;
                    equity += q * m - self.cost[s] as f64 * 1e-6;
                    mm += spec.ladder.maintenance_margin(n);
                    lip += n * (1.0 + spec.ladder.tier(2.0 * n).mmr);
                    deps |= bit(k);
                }
                for c in model.collateral_of(a) {
                    let asset = model.coll_asset[c] as usize;
                    let counted = self.coll_counted(model, c);
                    let price = self.asset_price(model, asset);
                    equity += counted * price;
                    if let AssetPricing::Market(k) = model.asset_pricing[asset] {
                        lip += counted * price;
                        deps |= bit(k);
                    }
                }
                (equity, mm, lip, deps)
            }
        }
    }

    /// Base-unit exposure of a unit's equity to market `k`'s mark (positions plus collateral
    /// priced there, after haircut).
    pub(crate) fn unit_exposure(&self, model: &EngineModel, u: Unit, k: usize) -> f64 {
        match u.isolated_slot() {
            Some(s) => self.size[s as usize] as f64 * model.markets[k].lot_size,
            None => {
                let a = u.0;
                let mut x = 0.0;
                for s in model.positions_of(a) {
                    if !model.pos_isolated[s] && model.pos_market[s] as usize == k {
                        x += self.size[s] as f64 * model.markets[k].lot_size;
                    }
                }
                for c in model.collateral_of(a) {
                    let asset = model.coll_asset[c] as usize;
                    if model.asset_pricing[asset] == AssetPricing::Market(k) {
                        x += self.coll_counted(model, c);
                    }
                }
                x
            }
        }
    }

    /// Whether a unit still has an open position.
    pub(crate) fn unit_open(&self, model: &EngineModel, u: Unit) -> bool {
        match u.isolated_slot() {
            Some(s) => self.size[s as usize] != 0,
            None => model.positions_of(u.0).any(|s| !model.pos_isolated[s] && self.size[s] != 0),
        }
    }

    /// Cash of the unit's margin holder (isolated margin or cross wallet), mutable.
    #[inline]
    fn holder(&mut self, model: &EngineModel, slot: usize) -> &mut i64 {
        if model.pos_isolated[slot] {
            &mut self.iso_margin[slot]
        } else {
            &mut self.wallet[model.pos_account[slot] as usize]
        }
    }

    /// Closes `lots` (> 0, ≤ |size|) of position `slot` at total value `value` (micro-USD ≥ 0),
    /// realising PnL into the margin holder, with `cp` taking the other side.
    pub(crate) fn close_slot(
        &mut self,
        model: &EngineModel,
        slot: usize,
        lots: i64,
        value: i64,
        cp: Counterparty,
    ) {
        debug_assert!(lots > 0 && lots <= self.size[slot].abs());
        let size = self.size[slot];
        let sign = size.signum();
        // Pro-rata share of the cost basis, exact in i128 (rounded toward zero); whatever the
        // rounding leaves stays in the remaining cost, so no micro-dollar is lost.
        let cost_removed = (self.cost[slot] as i128 * lots as i128 / size.abs() as i128) as i64;
        let realised = sign * value - cost_removed;
        self.size[slot] -= sign * lots;
        self.cost[slot] -= cost_removed;
        let oi = &mut self.oi[model.pos_market[slot] as usize];
        oi[0] -= sign * lots;
        oi[1] += self.size[slot].max(0) - size.max(0);
        oi[2] += (-self.size[slot]).max(0) - (-size).max(0);
        if self.size[slot] == 0 {
            // Nothing left to carry a basis: the remainder is realised too.
            let rest = self.cost[slot];
            self.cost[slot] = 0;
            *self.holder(model, slot) -= rest;
        }
        *self.holder(model, slot) += realised;
        let acct = model.pos_account[slot];
        self.touch_account(acct);
        // The other side buys what this side sells (and vice versa).
        match cp {
            Counterparty::External(k) => {
                self.ext_size[k] += sign * lots;
                self.ext_cost[k] += sign * value;
            }
            Counterparty::Fund(k) => {
                self.fund_size[k] += sign * lots;
                self.fund_cost[k] += sign * value;
            }
            Counterparty::Slot(c) => {
                let c = c as usize;
                debug_assert_eq!(self.size[c].signum(), -sign);
                self.close_slot(model, c, lots, value, Counterparty::Booked);
            }
            Counterparty::Booked => {}
        }
    }

    /// Moves `amount` micro-USD from a position's margin holder to the insurance fund.
    pub(crate) fn pay_fund_from_slot(&mut self, model: &EngineModel, slot: usize, amount: i64) {
        *self.holder(model, slot) -= amount;
        self.fund_cash[model.market_venue(model.pos_market[slot] as usize)] += amount;
        self.fund_flows.fees += amount;
        self.touch_account(model.pos_account[slot]);
    }

    /// Moves `amount` micro-USD from the insurance fund to a position's margin holder (dYdX: the
    /// fund pays a liquidation fill worse than bankruptcy).
    pub(crate) fn pay_slot_from_fund(&mut self, model: &EngineModel, slot: usize, amount: i64) {
        *self.holder(model, slot) += amount;
        self.fund_cash[model.market_venue(model.pos_market[slot] as usize)] -= amount;
        self.fund_flows.below_bankruptcy += amount;
        self.touch_account(model.pos_account[slot]);
    }

    /// Sends at most `max_lots` of the fund's inventory in market `k` into the book as an IOC
    /// order (the backstop working out what it took over, at the rulebook's participation rate).
    /// The makers take the other side. Returns the value traded and the P&L the sale realised
    /// against the inventory's average takeover cost, both micro-USD.
    pub(crate) fn unwind_fund(&mut self, model: &EngineModel, k: usize, max_lots: i64) -> (i64, i64) {
        let inv = self.fund_size[k];
        if inv == 0 || max_lots <= 0 {
            return (0, 0);
        }
        let lots = max_lots.min(inv.abs());
        let side = liq_domain::Side::closing(inv);
        let limit = match side {
            liq_domain::Side::Sell => 0,
            liq_domain::Side::Buy => i64::MAX,
        };
        let fill = self.impact[k].execute(side, lots, limit);
        if fill.filled_lots == 0 {
            return (0, 0);
        }
        let value = (fill.value_lot_ticks * model.markets[k].micros_per_lot_tick() as i128) as i64;
        let sign = inv.signum();
        // Realised P&L: proceeds against the pro-rata share of the takeover cost, moved to the
        // fund's cash so that the rest of the inventory keeps its average cost. The money
        // identity holds: cash +pnl, cost basis −share, makers' basis +sign·value.
        let cost_share = (self.fund_cost[k] as i128 * fill.filled_lots as i128 / inv.abs() as i128) as i64;
        let mut pnl = sign * value - cost_share;
        self.fund_size[k] -= sign * fill.filled_lots;
        self.fund_cost[k] -= cost_share;
        if self.fund_size[k] == 0 {
            // Nothing left to carry a basis: the rounding remainder is realised too.
            pnl -= self.fund_cost[k];
            self.fund_cost[k] = 0;
        }
        self.fund_cash[model.market_venue(k)] += pnl;
        self.fund_flows.unwind_realised += pnl;
        self.ext_size[k] += sign * fill.filled_lots;
        self.ext_cost[k] += sign * value;
        (value, pnl)
    }

    /// Equity of every venue's insurance fund together (USD): cash + inventory marked to market
    /// + seized collateral.
    pub fn fund_equity(&self, model: &EngineModel) -> f64 {
        let mut e = self.fund_cash_total() as f64 * 1e-6;
        for k in 0..model.n_markets() {
            e += self.fund_size[k] as f64 * model.markets[k].lot_size * self.marks[k]
                - self.fund_cost[k] as f64 * 1e-6;
        }
        for asset in 0..model.asset_haircut.len() {
            e += self.fund_coll_of_asset(asset) * self.asset_price(model, asset);
        }
        e
    }

    /// Equity of venue `v`'s insurance fund (USD): what its backstop decisions read. For a
    /// single-venue scenario the same number as [`Workspace::fund_equity`], bit for bit.
    pub fn venue_fund_equity(&self, model: &EngineModel, v: usize) -> f64 {
        if model.n_venues() == 1 {
            return self.fund_equity(model);
        }
        let mut e = self.fund_cash[v] as f64 * 1e-6;
        for k in 0..model.n_markets() {
            if model.market_venue(k) == v {
                e += self.fund_size[k] as f64 * model.markets[k].lot_size * self.marks[k]
                    - self.fund_cost[k] as f64 * 1e-6;
            }
        }
        let n_a = model.asset_haircut.len();
        for asset in 0..n_a {
            let q = self.fund_coll[v * n_a + asset];
            if q != 0.0 {
                e += q * self.asset_price(model, asset);
            }
        }
        e
    }

    /// Cash of every venue's fund together, micro-USD.
    pub(crate) fn fund_cash_total(&self) -> i64 {
        self.fund_cash.iter().sum()
    }

    /// Seized collateral of `asset` over every venue's fund.
    pub(crate) fn fund_coll_of_asset(&self, asset: usize) -> f64 {
        let n_a = self.fund_coll.len() / self.fund_cash.len().max(1);
        let mut q = self.fund_coll[asset];
        for v in 1..self.fund_cash.len() {
            q += self.fund_coll[v * n_a + asset];
        }
        q
    }

    /// `Σ (cash − cost basis)` over accounts, external makers, fund and fee income: constant
    /// across a run (the money-conservation invariant).
    pub fn ledger_total(&self) -> i128 {
        let mut t: i128 = 0;
        t += self.wallet.iter().map(|&x| x as i128).sum::<i128>();
        t += self.iso_margin.iter().map(|&x| x as i128).sum::<i128>();
        t -= self.cost.iter().map(|&x| x as i128).sum::<i128>();
        t -= self.ext_cost.iter().map(|&x| x as i128).sum::<i128>();
        t -= self.fund_cost.iter().map(|&x| x as i128).sum::<i128>();
        t += self.fund_cash_total() as i128 + self.fee_income as i128 + self.coll_buyer_cash as i128;
        t += self.price.ledger_part();
        t += self.flows.ledger_part();
        t
    }

    /// Equity of all accounts together (USD): cash, positions at the current marks and
    /// collateral at market value without haircut. O(markets + assets): the ledger identity
    /// (money and open interest are conserved) gives the accounts' part from the other holders'.
    pub fn accounts_equity_total(&self, model: &EngineModel) -> f64 {
        let mut others: i128 =
            self.fund_cash_total() as i128 + self.fee_income as i128 + self.coll_buyer_cash as i128;
        others -= self.ext_cost.iter().map(|&x| x as i128).sum::<i128>();
        others -= self.fund_cost.iter().map(|&x| x as i128).sum::<i128>();
        others += self.price.ledger_part();
        others += self.flows.ledger_part();
        let mut e = (model.ledger_total0 - others) as f64 * 1e-6;
        for k in 0..model.n_markets() {
            let held = self.ext_size[k]
                + self.fund_size[k]
                + self.price.arb_perp_size[k]
                + self.price.shock_size[k]
                + self.flows.held(&model.flows, k);
            e -= held as f64 * model.markets[k].lot_size * self.marks[k];
        }
        for (asset, &total) in model.collateral_total0.iter().enumerate() {
            e += (total - self.fund_coll_of_asset(asset) - self.coll_buyer_qty[asset])
                * self.asset_price(model, asset);
        }
        e
    }

    /// The same total as [`Workspace::accounts_equity_total`] summed account by account, O(n):
    /// the reference the O(1) identity is tested against.
    pub fn accounts_equity_by_scan(&self, model: &EngineModel) -> f64 {
        let mut e = 0.0;
        for a in 0..model.n_accounts() as u32 {
            e += self.wallet[a as usize] as f64 * 1e-6;
            for s in model.positions_of(a) {
                let k = model.pos_market[s] as usize;
                e += (self.iso_margin[s] - self.cost[s]) as f64 * 1e-6
                    + self.size[s] as f64 * model.markets[k].lot_size * self.marks[k];
            }
            for c in model.collateral_of(a) {
                e += self.coll_qty[c] * self.asset_price(model, model.coll_asset[c] as usize);
            }
        }
        e
    }

    /// Net open position per market over accounts, makers and fund (must be 0: long = short).
    pub fn net_open_interest(&self, model: &EngineModel) -> Vec<i64> {
        let mut net: Vec<i64> = (0..model.n_markets())
            .map(|k| {
                self.ext_size[k]
                    + self.fund_size[k]
                    + self.price.arb_perp_size[k]
                    + self.price.shock_size[k]
                    + self.flows.held(&model.flows, k)
            })
            .collect();
        for s in 0..self.size.len() {
            net[model.pos_market[s] as usize] += self.size[s];
        }
        net
    }

    /// Long open interest per market (lots), counting every holder.
    pub fn long_open_interest(&self, model: &EngineModel) -> Vec<i64> {
        let mut oi: Vec<i64> = (0..model.n_markets())
            .map(|k| {
                self.ext_size[k].max(0)
                    + self.fund_size[k].max(0)
                    + self.price.arb_perp_size[k].max(0)
                    + self.price.shock_size[k].max(0)
            })
            .collect();
        for s in 0..self.size.len() {
            oi[model.pos_market[s] as usize] += self.size[s].max(0);
        }
        for (h, &s) in model.flows.holders.iter().zip(&self.flows.size) {
            oi[h.market] += s.max(0);
        }
        oi
    }

    /// Total collateral quantity per asset over accounts, fund and the buyers of sold collateral
    /// (conserved).
    pub fn collateral_totals(&self, model: &EngineModel) -> Vec<f64> {
        let mut t: Vec<f64> = (0..model.asset_haircut.len())
            .map(|a| self.fund_coll_of_asset(a) + self.coll_buyer_qty[a])
            .collect();
        for (c, &q) in self.coll_qty.iter().enumerate() {
            t[model.coll_asset[c] as usize] += q;
        }
        t
    }

    /// Current marks.
    pub fn marks(&self) -> &[f64] {
        &self.marks
    }

    /// Equity (USD) of an account's cross wallet at the current marks.
    pub fn cross_equity(&self, model: &EngineModel, account: u32) -> f64 {
        self.unit_margin(model, Unit::cross(account)).0
    }

    /// Equity of every margin unit that still has exposure, for invariant checks:
    /// `(unit, equity, maintenance)`.
    pub fn unit_margins(&self, model: &EngineModel) -> Vec<(Unit, f64, f64)> {
        let mut out = Vec::new();
        for a in 0..model.n_accounts() as u32 {
            let (e, mm) = self.unit_margin(model, Unit::cross(a));
            out.push((Unit::cross(a), e, mm));
            for s in model.positions_of(a) {
                if model.pos_isolated[s] {
                    let u = Unit::isolated(s as u32);
                    let (e, mm) = self.unit_margin(model, u);
                    out.push((u, e, mm));
                }
            }
        }
        out
    }
}
