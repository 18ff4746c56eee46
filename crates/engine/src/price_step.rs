//! One round's price formation on the workspace: exogenous moves of perp and spot books, the
//! index, the arbitrageurs' quotes, fills and spot hedges, a book shock's forced flow, and the
//! venue's mark on its clock. The cascade loop ([`crate::cascade`]) calls these in order; see
//! [`crate::price`] for the state and [`crate::arbitrage`] for the quote in the perp book.

use crate::ledger::Workspace;
use crate::model::EngineModel;
use liq_domain::{MarkRule, Side};
use liq_impact::PriceImpact;
use liq_margin::mark::median3;

impl Workspace {
    /// Starts a run's price state: a market at rest at its starting basis.
    pub(crate) fn start_prices(&mut self, model: &EngineModel, dt_s: f64) {
        let n_m = model.n_markets();
        let mut basis0 = Vec::with_capacity(n_m);
        let mut book0 = Vec::with_capacity(n_m);
        for k in 0..n_m {
            let tick = model.markets[k].tick_size;
            let mid = self.impact[k].mid_ticks() * tick;
            basis0.push(mid - model.index0[k]);
            book0.push(mid);
        }
        self.price.reset(&model.price, &basis0, &book0, dt_s);
    }

    /// Moves market `k`'s perp book and every spot market of its asset by `rel` (an exogenous
    /// move: news hits the whole market at unchanged depth).
    pub(crate) fn exogenous_move(&mut self, model: &EngineModel, k: usize, rel: f64) {
        self.impact[k].shift(rel);
        self.impact[k].last_tick *= 1.0 + rel;
        for (j, s) in model.price.spot.iter().enumerate() {
            if s.perp_market == k {
                self.price.spot_books[j].shift(rel);
                self.price.spot_level[j] *= 1.0 + rel;
            }
        }
        self.price.set_dirty();
    }

    /// Recomputes every index; `level[k]` is the exogenous path's level (1 = unchanged).
    pub(crate) fn refresh_index(&mut self, model: &EngineModel, level: &[f64]) {
        for (k, l) in level.iter().enumerate().take(model.n_markets()) {
            self.price.exo_level[k] = *l;
            let static_index = model.index0[k] * l;
            self.index[k] = self.price.index_price(&model.price, k, static_index);
        }
    }

    /// Sets the arbitrageurs' quotes for a round of `dt` seconds: index ∓ their costs, as many
    /// lots as `capacity × (dt − latency)` buys. No quotes in the no-impact counterfactual.
    pub(crate) fn set_arb_quotes(&mut self, model: &EngineModel, dt: f64, with_impact: bool) {
        for k in 0..model.n_markets() {
            let q = &mut self.impact[k].quote;
            *q = Default::default();
            let a = model.price.arbitrage[k];
            if !with_impact || a.capacity_usd_per_s <= 0.0 || model.price.index[k].is_none() {
                continue;
            }
            let m = &model.markets[k];
            let c = model.price.arb_cost[k];
            let budget = a.capacity_usd_per_s * (dt - a.latency_s).max(0.0);
            let bid = self.index[k] * (1.0 - c);
            let ask = self.index[k] * (1.0 + c);
            if !(bid > 0.0 && budget > 0.0) {
                continue;
            }
            q.bid_tick = (bid / m.tick_size).floor() as i64;
            q.ask_tick = (ask / m.tick_size).ceil() as i64;
            q.bid_lots = (budget / (bid * m.lot_size)).floor().min(1e15) as i64;
            q.ask_lots = (budget / (ask * m.lot_size)).floor().min(1e15) as i64;
        }
    }

    /// The exogenous book shock: market flow of `usd` (negative = sell) into each perp book at
    /// the start, taken by the book (and the arbitrageurs at their level). The seller is a
    /// ledger holder.
    pub(crate) fn apply_book_shock(&mut self, model: &EngineModel) {
        for k in 0..model.n_markets() {
            let usd = model.price.book_shock_usd[k];
            if usd == 0.0 || !usd.is_finite() {
                continue;
            }
            let m = &model.markets[k];
            let px = self.impact[k].mid_ticks() * m.tick_size;
            let lots = (usd.abs() / (px * m.lot_size)).round().min(1e15) as i64;
            let side = if usd < 0.0 { Side::Sell } else { Side::Buy };
            let limit = if usd < 0.0 { 1 } else { i64::MAX };
            let fill = self.impact[k].execute(side, lots, limit);
            if fill.filled_lots == 0 {
                continue;
            }
            let value = (fill.value_lot_ticks * m.micros_per_lot_tick() as i128) as i64;
            let s = side.sign();
            self.price.shock_size[k] += s * fill.filled_lots;
            self.price.shock_cost[k] += s * value;
            self.ext_size[k] -= s * fill.filled_lots;
            self.ext_cost[k] -= s * value;
            self.price.set_dirty();
        }
    }

    /// The arbitrageurs' round: lift perp quotes beyond their level with what is left of their
    /// capacity, move their fills of the round from the makers to them, hedge the net on the
    /// index constituents' spot books (by index weight), refresh the index. Returns whether they
    /// traded.
    pub(crate) fn arbitrage_round(&mut self, model: &EngineModel, level: &[f64]) -> bool {
        let mut traded = false;
        for k in 0..model.n_markets() {
            let q = self.impact[k].quote;
            let book = &mut self.impact[k];
            // Active side: perp asks resting at or below the arbitrageur's bid (after a shift)
            // are bought, bids at or above its ask are sold.
            let (bid_q, ask_q) = book.book.quote_ticks();
            if q.bid_lots > 0 && ask_q <= q.bid_tick as f64 {
                let f = book.book.execute(Side::Buy, q.bid_lots, q.bid_tick);
                book.quote.bid_lots -= f.filled_lots;
                book.quote.bought_lots += f.filled_lots;
                book.quote.bought_value += f.value_lot_ticks;
                if let Some(t) = f.last_tick {
                    book.last_tick = t as f64;
                }
            }
            if q.ask_lots > 0 && bid_q >= q.ask_tick as f64 {
                let f = book.book.execute(Side::Sell, q.ask_lots, q.ask_tick);
                book.quote.ask_lots -= f.filled_lots;
                book.quote.sold_lots += f.filled_lots;
                book.quote.sold_value += f.value_lot_ticks;
                if let Some(t) = f.last_tick {
                    book.last_tick = t as f64;
                }
            }
            let q = std::mem::take(&mut book.quote);
            // Keep the rest of the round's quote for later orders of the same round.
            book.quote.bid_tick = q.bid_tick;
            book.quote.bid_lots = q.bid_lots;
            book.quote.ask_tick = q.ask_tick;
            book.quote.ask_lots = q.ask_lots;
            if q.bought_lots == 0 && q.sold_lots == 0 {
                continue;
            }
            traded = true;
            let m = &model.markets[k];
            let mpt = m.micros_per_lot_tick() as i128;
            let (bv, sv) = ((q.bought_value * mpt) as i64, (q.sold_value * mpt) as i64);
            // The ledger booked these fills against the makers: move them to the arbitrageurs.
            self.ext_size[k] += q.sold_lots - q.bought_lots;
            self.ext_cost[k] += sv - bv;
            self.price.arb_perp_size[k] += q.bought_lots - q.sold_lots;
            self.price.arb_perp_cost[k] += bv - sv;
            self.price.arb_perp_bought_usd[k] += bv as f64 * 1e-6;
            self.price.arb_perp_sold_usd[k] += sv as f64 * 1e-6;
            // Hedge the net base quantity on spot, spread by index weight.
            let net_qty = (q.bought_lots - q.sold_lots) as f64 * m.lot_size;
            if net_qty == 0.0 {
                continue;
            }
            let side = if net_qty > 0.0 { Side::Sell } else { Side::Buy };
            if let Some(ix) = &model.price.index[k] {
                for &(j, w) in &ix.constituents {
                    let lots = (net_qty.abs() * w / model.price.spot[j].lot_size).round().min(1e15) as i64;
                    let usd = self.price.hedge(&model.price, j, side, lots);
                    if !self.price.spot_flow_by_venue.is_empty() {
                        let n_v = model.n_venues();
                        self.price.spot_flow_by_venue[j * n_v + model.market_venue(k)] +=
                            side.sign() as f64 * usd;
                    }
                }
            }
            self.price.set_dirty();
        }
        if traded {
            self.refresh_index(model, level);
        }
        traded
    }

    /// Advances the clock by `dt`, samples the basis for the mark rule's averages, and updates
    /// the marks if the venue's clock is due. `same_instant`: no time passed (an exogenous move
    /// at the step's start), so a mark computed at this instant is recomputed.
    pub(crate) fn tick_marks(&mut self, model: &EngineModel, dt: f64, same_instant: bool) {
        let pm = &model.price;
        if dt > 0.0 {
            self.price.t_s += dt;
            self.price.ring_pos += 1;
            for k in 0..model.n_markets() {
                let tick = model.markets[k].tick_size;
                let (b, a) = self.impact[k].quote_ticks();
                let mid = 0.5 * (b + a) * tick;
                let last = self.impact[k].last_tick * tick;
                self.price.sample(k, mid, self.index[k], median3(b * tick, a * tick, last), dt);
            }
        }
        let t = self.price.t_s;
        for v in 0..pm.mark_clock_s.len() {
            let clock = pm.mark_clock_s[v];
            let next = self.price.next_mark_s[v];
            let due = clock <= 0.0 || t + 1e-9 >= next;
            let redo = same_instant && next > t && next - clock <= t + 1e-9;
            if !(due || redo) {
                continue;
            }
            if clock > 0.0 && due {
                self.price.next_mark_s[v] = ((t / clock + 1e-9).floor() + 1.0) * clock;
            }
            self.price.prices_dirty[v] = false;
            for k in 0..model.n_markets() {
                if pm.market_venue[k] != v {
                    continue;
                }
                let tick = model.markets[k].tick_size;
                if let MarkRule::Blend { book_weight } = pm.mark_rule[k] {
                    let mid = self.impact[k].mid_ticks() * tick;
                    self.marks[k] = book_weight * mid + (1.0 - book_weight) * self.index[k];
                    continue;
                }
                let (b, a) = self.impact[k].quote_ticks();
                let last = self.impact[k].last_tick * tick;
                let others = self.other_venues_mid(model, k);
                self.marks[k] = self.price.mark(pm, k, self.index[k], (b * tick, a * tick, last), others);
            }
        }
    }

    /// The median of the perp mids of market `k`'s asset on the other venues of the scenario
    /// (Hyperliquid's third mark input, "median of Binance, OKX, Bybit … perp mid prices"); `None`
    /// with a single venue or no other listing, which leaves the rule's own fallback.
    fn other_venues_mid(&mut self, model: &EngineModel, k: usize) -> Option<f64> {
        let others = &model.price.same_asset_elsewhere[k];
        if others.is_empty() || !matches!(model.price.mark_rule[k], MarkRule::Hyperliquid { .. }) {
            return None;
        }
        let mut mids: Vec<f64> =
            others.iter().map(|&o| self.impact[o].mid_ticks() * model.markets[o].tick_size).collect();
        mids.sort_by(f64::total_cmp);
        let n = mids.len();
        Some(if n % 2 == 1 { mids[n / 2] } else { 0.5 * (mids[n / 2 - 1] + mids[n / 2]) })
    }

    /// Whether prices moved since the last mark update while the venue's clock has not yet
    /// published a new mark (the cascade must not stop before it does).
    pub(crate) fn mark_pending(&self, model: &EngineModel) -> bool {
        model.price.mark_clock_s.iter().zip(&self.price.prices_dirty).any(|(&c, &d)| c > 0.0 && d)
    }
}
