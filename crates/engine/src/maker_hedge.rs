//! The perp makers' hedge on spot: how forced flow the perp book absorbs reaches the index.
//!
//! The makers resting in a perp book ([`crate::ledger::Workspace`]'s `ext_size`, the holder on
//! the other side of every liquidation fill the arbitrageurs did not take) end a round with an
//! inventory they did not choose; so does the backstop that took a unit over at bankruptcy (the
//! insurance fund, Hyperliquid's liquidator vault), whose unwind later moves that inventory to
//! the makers (the sum of the two is what the unwind leaves unchanged, so nothing is hedged
//! twice). Bybit sends its lowest risk tier straight to the backstop, so without the backstop's
//! part most of its forced flow would never be hedged. They hedge it on spot (DESIGN.md "The makers' hedge"): per
//! round, market `k`'s makers target a spot position of `−hedge_ratio × inventory`, where the
//! inventory is the one they held `⌊latency / dt⌋` rounds before (they see fills late), and send
//! the gap to the index constituents' spot books by index weight, at most
//! `capacity × (dt − latency mod dt)` USD in the round. The orders are market orders: they walk
//! the spot books, so what they do to the index is set by spot depth; the venue's own mark rule
//! carries the index to the mark. Unlike the arbitrageurs, the hedgers require no basis: they
//! trade to shed risk, not for an edge.
//!
//! The hedgers are a ledger holder of their own (`maker_hedgers`): spot inventory per spot market
//! and cash, against the spot books' makers, so money and spot quantity are conserved. Their perp
//! leg stays with the makers and the fund (it is their inventory), so open interest is unchanged;
//! the fund's reported equity does not include the hedge's P&L (the hedgers' row of the ledger
//! does), which leaves the fund's figures as they were without the hedge. With
//! `hedge_ratio = 0` (or no capacity) nothing here runs and the outcome is exactly that of a
//! scenario without the hedge. It is off in the no-impact counterfactual, whose liquidations
//! move no price. Per round the work is O(markets × constituents) with no allocation: the
//! latency ring is sized when the run starts.

use crate::ledger::Workspace;
use crate::model::EngineModel;
use crate::price::PriceModel;
use liq_domain::Side;
use liq_impact::PriceImpact;

/// Largest latency in rounds the ring holds (a latency of an hour at 1-s rounds); longer
/// latencies hedge this many rounds late.
pub const MAX_LAG_ROUNDS: usize = 3_600;

/// Per-run state of the makers' hedgers.
#[derive(Debug, Clone, Default)]
pub struct MakerHedgeState {
    /// Spot inventory per spot market, lots (signed), and cash, micro-USD, since the start.
    pub(crate) spot_lots: Vec<i64>,
    pub(crate) cash: i64,
    /// Per perp market: base quantity hedged so far (+ bought spot, − sold).
    pub(crate) hedged_qty: Vec<f64>,
    /// Per perp market: USD of spot sent for its makers (both directions).
    pub(crate) perp_usd: Vec<f64>,
    /// Per spot market: USD the hedgers traded there.
    pub(crate) spot_usd: Vec<f64>,
    /// Per perp market: rounds of lag and seconds of capacity per round.
    lag: Vec<usize>,
    budget_s: Vec<f64>,
    /// Makers' inventory (base units) of the last `ring_len` rounds, `[k × ring_len + slot]`.
    ring: Vec<f64>,
    ring_len: usize,
    ring_pos: usize,
}

impl MakerHedgeState {
    pub(crate) fn new(pm: &PriceModel, n_m: usize) -> MakerHedgeState {
        let n_s = pm.spot.len();
        MakerHedgeState {
            spot_lots: vec![0; n_s],
            cash: 0,
            hedged_qty: vec![0.0; n_m],
            perp_usd: vec![0.0; n_m],
            spot_usd: vec![0.0; n_s],
            lag: vec![0; n_m],
            budget_s: vec![0.0; n_m],
            ring: Vec::new(),
            ring_len: 1,
            ring_pos: 0,
        }
    }

    /// Restores the start of a run with rounds of `dt_s` seconds.
    pub(crate) fn reset(&mut self, pm: &PriceModel, dt_s: f64) {
        self.spot_lots.iter_mut().for_each(|x| *x = 0);
        self.cash = 0;
        for v in [&mut self.hedged_qty, &mut self.perp_usd, &mut self.spot_usd] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
        let dt = dt_s.max(1e-9);
        for (k, h) in pm.maker_hedge.iter().enumerate() {
            let rounds = (h.latency_s / dt + 1e-9).floor();
            self.lag[k] = (rounds as usize).min(MAX_LAG_ROUNDS);
            self.budget_s[k] = (dt - (h.latency_s - rounds * dt).max(0.0)).max(0.0);
        }
        self.ring_len = self.lag.iter().copied().max().unwrap_or(0) + 1;
        self.ring.clear();
        self.ring.resize(self.ring_len * pm.maker_hedge.len(), 0.0);
        self.ring_pos = 0;
    }

    /// `Σ cash` of the hedgers, micro-USD: their part of the conserved ledger total (their spot
    /// trades move cash to and from the spot makers, booked there).
    pub(crate) fn ledger_part(&self) -> i128 {
        self.cash as i128
    }

    /// The hedgers' equity change (USD) at the current spot prices.
    pub(crate) fn equity(&self, pm: &PriceModel, spot_price: impl Fn(usize) -> f64) -> f64 {
        let mut e = self.cash as f64 * 1e-6;
        for (j, s) in pm.spot.iter().enumerate() {
            e += self.spot_lots[j] as f64 * s.lot_size * spot_price(j);
        }
        e
    }
}

impl Workspace {
    /// The makers' hedge round (module doc). Returns whether the hedgers traded or still have
    /// inventory to hedge in a later round (so the cascade is not at a fixed point).
    pub(crate) fn maker_hedge_round(
        &mut self,
        model: &EngineModel,
        level: &[f64],
        with_impact: bool,
    ) -> bool {
        let pm = &model.price;
        if !with_impact || !pm.has_maker_hedge() {
            return false;
        }
        let n_m = model.n_markets();
        let len = self.price.hedgers.ring_len;
        let pos = self.price.hedgers.ring_pos;
        self.price.hedgers.ring_pos = (pos + 1) % len;
        let mut traded = false;
        let mut pending = false;
        for k in 0..n_m {
            let h = pm.maker_hedge[k];
            let Some(ix) = pm.index[k].as_ref().filter(|_| h.is_active()) else { continue };
            let m = &model.markets[k];
            // The liquidity providers' inventory: the makers' and the backstop's (module doc).
            let lp_lots = self.ext_size[k] - model.ext_size0[k] + self.fund_size[k];
            let inventory = lp_lots as f64 * m.lot_size;
            let st = &mut self.price.hedgers;
            st.ring[k * len + pos] = inventory;
            let lag = st.lag[k];
            let seen = st.ring[k * len + (pos + len - lag) % len];
            pending |= seen != inventory;
            let gap = -h.hedge_ratio * seen - st.hedged_qty[k];
            let px = self.index[k];
            if px.is_nan() || px <= 0.0 || gap == 0.0 {
                continue;
            }
            let qty = gap.abs().min(h.capacity_usd_per_s * st.budget_s[k] / px);
            let side = if gap > 0.0 { Side::Buy } else { Side::Sell };
            let mut filled_qty = 0.0;
            for &(j, w) in &ix.constituents {
                // Rounded toward zero, so a round never overshoots its target and the gap
                // shrinks every round something fills: the hedge comes to rest.
                let lots = (qty * w / pm.spot[j].lot_size + 1e-9).floor().min(1e15) as i64;
                let (base, usd) = self.hedge_on_spot(model, j, side, lots);
                filled_qty += base;
                self.price.hedgers.perp_usd[k] += usd;
                if !self.price.spot_flow_by_venue.is_empty() {
                    let n_v = model.n_venues();
                    self.price.spot_flow_by_venue[j * n_v + model.market_venue(k)] +=
                        side.sign() as f64 * usd;
                }
            }
            if filled_qty > 0.0 {
                traded = true;
                let st = &mut self.price.hedgers;
                st.hedged_qty[k] += side.sign() as f64 * filled_qty;
                // Still short of the target after this round's capacity: hedge on next round.
                pending |= qty < gap.abs();
            }
        }
        if traded {
            self.price.set_dirty();
            self.refresh_index(model, level);
        }
        traded || pending
    }

    /// Sends `lots` of a hedge order (`side`) to spot market `j` as a market order, booked
    /// between the hedgers and the spot makers. Returns the base quantity filled and its USD.
    fn hedge_on_spot(&mut self, model: &EngineModel, j: usize, side: Side, lots: i64) -> (f64, f64) {
        if lots <= 0 {
            return (0.0, 0.0);
        }
        let limit = match side {
            Side::Sell => 1,
            Side::Buy => i64::MAX,
        };
        let p = &mut self.price;
        let fill = p.spot_books[j].execute(side, lots, limit);
        if fill.filled_lots == 0 {
            return (0.0, 0.0);
        }
        p.spot_traded[j] = true;
        let spot = &model.price.spot[j];
        let value = (fill.value_lot_ticks * spot.micros_per_lot_tick as i128) as i64;
        let s = side.sign();
        p.hedgers.spot_lots[j] += s * fill.filled_lots;
        p.hedgers.cash -= s * value;
        p.spot_maker_lots[j] -= s * fill.filled_lots;
        p.spot_maker_cash[j] += s * value;
        let usd = value as f64 * 1e-6;
        p.hedgers.spot_usd[j] += usd;
        (fill.filled_lots as f64 * spot.lot_size, usd)
    }

    /// Per spot market: the net spot lots of every holder that trades it (arbitrageurs, makers'
    /// hedgers, spot makers). Spot trades only move lots between them, so every entry is zero.
    pub fn spot_net_lots(&self) -> Vec<i64> {
        let p = &self.price;
        (0..p.spot_maker_lots.len())
            .map(|j| p.spot_maker_lots[j] + p.arb_spot_lots[j] + p.hedgers.spot_lots[j])
            .collect()
    }
}
