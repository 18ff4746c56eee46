//! Price formation around the perpetual's book: spot books, the index, the venue's mark rule on
//! its clock, and the arbitrageurs, the makers' hedgers ([`crate::maker_hedge`]) and exogenous
//! sellers as ledger holders.
//!
//! `PriceModel` is the static part (built once per model); [`PriceState`] the per-run part,
//! held by the [`crate::ledger::Workspace`] so that the ledger identities see every holder:
//! the arbitrageurs (perp position and cost, spot inventory, cash), the spot books' makers, and
//! the exogenous seller of a book shock.
//!
//! The index of a market whose constituents no flow has traded is `index₀ × L(t)` (L the
//! exogenous path level), bit for bit today's static index: so a scenario with spot markets and
//! zero arbitrage capacity gives exactly the outcome of one without them.

use crate::maker_hedge::MakerHedgeState;
use crate::model::EngineError;
use liq_domain::{
    ArbitrageSpec, FundingSpec, IndexSpec, MakerHedgeSpec, MarkRule, MarketId, MarketSpec, Scenario, Side,
    VenueId,
};
use liq_impact::{ImpactModel, PriceImpact};
use liq_margin::mark::{self, HlEma, MarkInputs};

/// One spot market, resolved.
#[derive(Debug, Clone)]
pub(crate) struct SpotModel {
    pub name: String,
    pub perp_market: usize,
    pub tick_size: f64,
    pub lot_size: f64,
    pub price0: f64,
    pub micros_per_lot_tick: i64,
}

/// The static price-formation model.
#[derive(Debug, Clone)]
pub(crate) struct PriceModel {
    pub spot: Vec<SpotModel>,
    pub spot_books0: Vec<ImpactModel>,
    /// Per perp market.
    pub index: Vec<Option<IndexSpec>>,
    pub arbitrage: Vec<ArbitrageSpec>,
    /// Per perp market: the arbitrageur's total cost as a fraction of price (fees of both legs,
    /// both half-spreads at the start, required edge).
    pub arb_cost: Vec<f64>,
    /// Per perp market: its venue's resolved mark rule.
    pub mark_rule: Vec<MarkRule>,
    /// Per venue: the clock its marks update on (0 = every round).
    pub mark_clock_s: Vec<f64>,
    /// Per perp market: its venue.
    pub market_venue: Vec<usize>,
    /// Per perp market: the markets of the same asset on the other venues (their mids are the
    /// "other venues' perp prices" of Hyperliquid's mark; empty for a single venue).
    pub same_asset_elsewhere: Vec<Vec<usize>>,
    pub last_funding_rate: Vec<f64>,
    /// Per venue: its funding clock.
    pub funding: Vec<FundingSpec>,
    pub book_shock_usd: Vec<f64>,
    /// Per perp market: its makers' hedge on spot ([`crate::maker_hedge`]); `NONE` for a market
    /// without a spot index (there is nothing to hedge on).
    pub maker_hedge: Vec<MakerHedgeSpec>,
}

impl PriceModel {
    pub(crate) fn build(s: &Scenario, perp_books: &[ImpactModel]) -> Result<PriceModel, EngineError> {
        let n_m = s.markets.len();
        let p = &s.price;
        let n_v = s.n_venues();
        let venue_rules: Vec<(MarkRule, f64)> = (0..n_v)
            .map(|v| {
                let v = VenueId(v as u16);
                let preset = s.venue_preset(v);
                match s.venue_mark(v) {
                    MarkRule::Venue => mark::venue_mark_rule(preset),
                    // A custom blend updates every round (the engine's behaviour before venue rules).
                    MarkRule::Blend { book_weight } => (MarkRule::Blend { book_weight }, 0.0),
                    other => (other, mark::venue_mark_rule(preset).1),
                }
            })
            .collect();
        let market_venue: Vec<usize> = (0..n_m).map(|k| s.venue_of(MarketId(k as u16)).idx()).collect();
        let asset: Vec<String> = (0..n_m).map(|k| s.market_asset_key(MarketId(k as u16))).collect();
        let same_asset_elsewhere: Vec<Vec<usize>> = (0..n_m)
            .map(|k| {
                (0..n_m).filter(|&o| market_venue[o] != market_venue[k] && asset[o] == asset[k]).collect()
            })
            .collect();
        // Each venue's funding clock: the scenario's for a single venue; with several, each
        // preset's interval and the scenario's time to the next funding within it.
        let funding: Vec<FundingSpec> = (0..n_v)
            .map(|v| {
                if n_v == 1 {
                    return p.funding;
                }
                let interval_s = mark::venue_funding_interval_s(s.venue_preset(VenueId(v as u16)));
                FundingSpec {
                    interval_s,
                    time_to_next_s: p.funding.time_to_next_s.rem_euclid(interval_s),
                    ..p.funding
                }
            })
            .collect();
        let mut spot = Vec::with_capacity(p.spot.len());
        let mut spot_books0 = Vec::with_capacity(p.spot.len());
        for (j, sm) in p.spot.iter().enumerate() {
            if sm.perp_market >= n_m {
                return Err(EngineError::invalid(
                    format!("spot_markets[{j}].market"),
                    format!("unknown market index {}", sm.perp_market),
                ));
            }
            let perp = &s.markets[sm.perp_market];
            let spec = MarketSpec {
                symbol: sm.name.clone(),
                tick_size: sm.tick_size,
                lot_size: sm.lot_size,
                index_price: sm.price,
                mark_price: sm.price,
                ladder: perp.ladder.clone(),
                liquidation_fee_rate: 0.0,
                taker_fee_rate: sm.taker_fee_rate,
            };
            let mpt = sm.tick_size * sm.lot_size * 1e6;
            if !(mpt.is_finite() && mpt >= 1.0 && (mpt - mpt.round()).abs() < 1e-6) {
                return Err(EngineError::invalid(
                    format!("spot_markets[{j}].tick_size"),
                    format!("tick × lot × 1e6 = {mpt} must be a whole number of micro-USD"),
                ));
            }
            let book =
                ImpactModel::build(&s.impact.kind, &sm.book, &spec, j, sm.price, s.impact.resilience_tau_s)
                    .map_err(|e| EngineError::invalid(format!("spot_markets[{j}].book"), e.to_string()))?;
            spot.push(SpotModel {
                name: sm.name.clone(),
                perp_market: sm.perp_market,
                tick_size: sm.tick_size,
                lot_size: sm.lot_size,
                price0: sm.price,
                micros_per_lot_tick: mpt.round() as i64,
            });
            spot_books0.push(book);
        }
        let index: Vec<Option<IndexSpec>> = (0..n_m).map(|k| p.index.get(k).cloned().flatten()).collect();
        for (k, ix) in index.iter().enumerate() {
            if let Some(ix) = ix {
                for &(j, _) in &ix.constituents {
                    if j >= spot.len() || asset[spot[j].perp_market] != asset[k] {
                        return Err(EngineError::invalid(
                            format!("index[{k}].constituents"),
                            format!("spot market {j} does not trade market {k}'s asset"),
                        ));
                    }
                }
            }
        }
        let arbitrage: Vec<ArbitrageSpec> =
            (0..n_m).map(|k| p.arbitrage.get(k).copied().unwrap_or(ArbitrageSpec::NONE)).collect();
        let mut arb_cost = vec![0.0; n_m];
        for k in 0..n_m {
            let Some(ix) = &index[k] else { continue };
            let half_rel = |b: &ImpactModel| {
                let (bid, ask) = b.quote_ticks();
                if bid + ask > 0.0 {
                    (ask - bid) / (ask + bid)
                } else {
                    0.0
                }
            };
            let (mut spot_fee, mut spot_half) = (0.0, 0.0);
            for &(j, w) in &ix.constituents {
                spot_fee += w * p.spot[j].taker_fee_rate;
                spot_half += w * half_rel(&spot_books0[j]);
            }
            // The perp's half-spread at the start, from its book's quotes.
            let a = &arbitrage[k];
            arb_cost[k] = a.perp_fee_rate + spot_fee + half_rel(&perp_books[k]) + spot_half + a.min_edge;
        }
        let maker_hedge = (0..n_m)
            .map(|k| match (&index[k], p.maker_hedge.get(k)) {
                (Some(_), Some(h)) => *h,
                _ => MakerHedgeSpec::NONE,
            })
            .collect();
        Ok(PriceModel {
            spot,
            spot_books0,
            index,
            arbitrage,
            arb_cost,
            mark_rule: market_venue.iter().map(|&v| venue_rules[v].0).collect(),
            mark_clock_s: venue_rules.iter().map(|r| r.1).collect(),
            market_venue,
            same_asset_elsewhere,
            last_funding_rate: (0..n_m).map(|k| p.last_funding_rate.get(k).copied().unwrap_or(0.0)).collect(),
            funding,
            book_shock_usd: (0..n_m).map(|k| s.book_shock_usd.get(k).copied().unwrap_or(0.0)).collect(),
            maker_hedge,
        })
    }

    /// Whether any market has an index built from spot markets.
    pub(crate) fn has_spot_index(&self) -> bool {
        self.index.iter().any(Option::is_some)
    }

    /// Whether any market's makers hedge on spot.
    pub(crate) fn has_maker_hedge(&self) -> bool {
        self.maker_hedge.iter().any(MakerHedgeSpec::is_active)
    }
}

/// Per-run price-formation state and the holders it adds to the ledger.
#[derive(Debug, Clone, Default)]
pub struct PriceState {
    pub(crate) spot_books: Vec<ImpactModel>,
    /// Product of the exogenous moves applied to each spot market.
    pub(crate) spot_level: Vec<f64>,
    pub(crate) spot_traded: Vec<bool>,
    /// Per perp market: the exogenous path's level at the last index refresh (1 = unchanged).
    pub(crate) exo_level: Vec<f64>,
    /// Multi-venue runs only: signed USD (+ bought, − sold) the arbitrageurs of each venue's
    /// markets traded on each spot market, `[spot × n_venues + venue]` (the attribution's input).
    pub(crate) spot_flow_by_venue: Vec<f64>,
    /// Spot makers' cash (micro-USD) and inventory (lots), relative to the start.
    pub(crate) spot_maker_cash: Vec<i64>,
    pub(crate) spot_maker_lots: Vec<i64>,
    /// Arbitrageurs: spot inventory (lots) per spot market, cash (micro-USD), perp position.
    pub(crate) arb_spot_lots: Vec<i64>,
    pub(crate) arb_cash: i64,
    pub(crate) arb_perp_size: Vec<i64>,
    pub(crate) arb_perp_cost: Vec<i64>,
    /// The exogenous seller (or buyer) of a book shock: perp position and cost per market.
    pub(crate) shock_size: Vec<i64>,
    pub(crate) shock_cost: Vec<i64>,
    /// Per perp market: (mid − index) samples of the moving-average window, ring position, sum.
    pub(crate) basis_ring: Vec<Vec<f64>>,
    pub(crate) ring_pos: usize,
    pub(crate) basis_sum: Vec<f64>,
    pub(crate) basis_ema: Vec<HlEma>,
    pub(crate) book_ema: Vec<HlEma>,
    /// Seconds since the start of the run, the time of the next mark update, and whether prices
    /// changed since the last mark update.
    pub(crate) t_s: f64,
    /// Per venue.
    pub(crate) next_mark_s: Vec<f64>,
    pub(crate) prices_dirty: Vec<bool>,
    /// Per perp market: USD the arbitrageurs bought and sold on the perp; per spot market: USD
    /// they traded there.
    pub(crate) arb_perp_bought_usd: Vec<f64>,
    pub(crate) arb_perp_sold_usd: Vec<f64>,
    pub(crate) arb_spot_usd: Vec<f64>,
    pub(crate) scratch: Vec<(f64, f64)>,
    pub(crate) items: Vec<(f64, f64)>,
    /// Per perp market: the constituents' prices (bits) the venue's index rule last saw and
    /// what it returned. The rule is a pure function of them (the weights are the market's
    /// own), and the index is refreshed up to four times a step while most steps move no spot
    /// price twice: recomputing the weighted median was 5% of a `stress` profile (issue 15).
    pub(crate) index_memo: Vec<(Vec<u64>, Option<f64>)>,
    /// Per perp market: the funding rate the mark's funding basis reads (the scenario's last
    /// rate, then each rate a funding time on the path applies: [`crate::funding`]).
    pub(crate) last_funding_rate: Vec<f64>,
    /// The perp makers' hedgers (a ledger holder, [`crate::maker_hedge`]).
    pub(crate) hedgers: MakerHedgeState,
}

impl PriceState {
    pub(crate) fn new(pm: &PriceModel, n_m: usize) -> PriceState {
        let n_s = pm.spot.len();
        PriceState {
            spot_books: pm.spot_books0.clone(),
            spot_level: vec![1.0; n_s],
            spot_traded: vec![false; n_s],
            exo_level: vec![1.0; n_m],
            spot_flow_by_venue: if pm.mark_clock_s.len() > 1 {
                vec![0.0; n_s * pm.mark_clock_s.len()]
            } else {
                Vec::new()
            },
            spot_maker_cash: vec![0; n_s],
            spot_maker_lots: vec![0; n_s],
            arb_spot_lots: vec![0; n_s],
            arb_cash: 0,
            arb_perp_size: vec![0; n_m],
            arb_perp_cost: vec![0; n_m],
            shock_size: vec![0; n_m],
            shock_cost: vec![0; n_m],
            basis_ring: vec![Vec::new(); n_m],
            ring_pos: 0,
            basis_sum: vec![0.0; n_m],
            basis_ema: vec![HlEma::steady(0.0, 150.0); n_m],
            book_ema: vec![HlEma::steady(0.0, 30.0); n_m],
            t_s: 0.0,
            next_mark_s: vec![0.0; pm.mark_clock_s.len()],
            prices_dirty: vec![false; pm.mark_clock_s.len()],
            arb_perp_bought_usd: vec![0.0; n_m],
            arb_perp_sold_usd: vec![0.0; n_m],
            arb_spot_usd: vec![0.0; n_s],
            scratch: Vec::new(),
            items: Vec::new(),
            index_memo: vec![(Vec::new(), None); n_m],
            last_funding_rate: pm.last_funding_rate.clone(),
            hedgers: MakerHedgeState::new(pm, n_m),
        }
    }

    /// Restores the start of a run: spot books in O(levels walked), holders to zero, the mark
    /// rule's averages to a market at rest at the starting basis.
    pub(crate) fn reset(&mut self, pm: &PriceModel, basis0: &[f64], book0: &[f64], dt_s: f64) {
        for (dst, src) in self.spot_books.iter_mut().zip(&pm.spot_books0) {
            dst.restore_from(src);
        }
        self.spot_level.iter_mut().for_each(|x| *x = 1.0);
        self.spot_traded.iter_mut().for_each(|x| *x = false);
        self.exo_level.iter_mut().for_each(|x| *x = 1.0);
        self.spot_flow_by_venue.iter_mut().for_each(|x| *x = 0.0);
        for v in [&mut self.spot_maker_cash, &mut self.spot_maker_lots, &mut self.arb_spot_lots] {
            v.iter_mut().for_each(|x| *x = 0);
        }
        self.arb_cash = 0;
        for v in
            [&mut self.arb_perp_size, &mut self.arb_perp_cost, &mut self.shock_size, &mut self.shock_cost]
        {
            v.iter_mut().for_each(|x| *x = 0);
        }
        for v in [&mut self.arb_perp_bought_usd, &mut self.arb_perp_sold_usd, &mut self.arb_spot_usd] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
        // The moving-average window in rounds; bounded so that a tiny step cannot size it.
        for (k, ring) in self.basis_ring.iter_mut().enumerate() {
            let window = match pm.mark_rule[k] {
                MarkRule::MedianOfThree { basis_window_s } => {
                    ((basis_window_s / dt_s.max(1e-9)).round() as usize).clamp(1, MAX_BASIS_SAMPLES)
                }
                _ => 1,
            };
            ring.clear();
            ring.resize(window, basis0[k]);
            self.basis_sum[k] = basis0[k] * window as f64;
        }
        self.ring_pos = 0;
        for k in 0..self.basis_ema.len() {
            let (ema_s, fb_s) = match pm.mark_rule[k] {
                MarkRule::Hyperliquid { ema_s, fallback_ema_s } => (ema_s, fallback_ema_s),
                _ => (150.0, 30.0),
            };
            self.basis_ema[k] = HlEma::steady(basis0[k], ema_s);
            self.book_ema[k] = HlEma::steady(book0[k], fb_s);
        }
        self.hedgers.reset(pm, dt_s);
        self.t_s = 0.0;
        self.last_funding_rate.copy_from_slice(&pm.last_funding_rate);
        self.next_mark_s.iter_mut().for_each(|x| *x = 0.0);
        self.prices_dirty.iter_mut().for_each(|x| *x = false);
    }

    /// Price of spot market `j` now: its book's mid once a flow has traded it, else its start
    /// price times the exogenous moves (exact, with no rounding to the tick).
    pub(crate) fn spot_price(&self, pm: &PriceModel, j: usize) -> f64 {
        if self.spot_traded[j] {
            self.spot_books[j].mid_ticks() * pm.spot[j].tick_size
        } else {
            pm.spot[j].price0 * self.spot_level[j]
        }
    }

    /// The index of perp market `k`: `static_index` (index₀ × L) while no constituent has traded,
    /// else the venue's rule over the constituents' prices.
    pub(crate) fn index_price(&mut self, pm: &PriceModel, k: usize, static_index: f64) -> f64 {
        let Some(ix) = &pm.index[k] else { return static_index };
        if !ix.constituents.iter().any(|&(j, _)| self.spot_traded[j]) {
            return static_index;
        }
        let mut items = std::mem::take(&mut self.items);
        items.clear();
        items.extend(ix.constituents.iter().map(|&(j, w)| (self.spot_price(pm, j), w)));
        let (seen, last) = &mut self.index_memo[k];
        let same = seen.len() == items.len() && seen.iter().zip(&items).all(|(&b, &(p, _))| b == p.to_bits());
        if !same {
            seen.clear();
            seen.extend(items.iter().map(|&(p, _)| p.to_bits()));
            *last = mark::index_price(ix.rule, &items, &mut self.scratch);
        }
        let p = last.unwrap_or(static_index);
        self.items = items;
        p
    }

    /// Records this round's basis samples and EMA steps (`dt` seconds since the last).
    pub(crate) fn sample(&mut self, k: usize, mid: f64, index: f64, book_median: f64, dt: f64) {
        let ring = &mut self.basis_ring[k];
        let pos = self.ring_pos % ring.len();
        self.basis_sum[k] += (mid - index) - ring[pos];
        ring[pos] = mid - index;
        if dt > 0.0 {
            self.basis_ema[k].update(mid - index, dt);
            self.book_ema[k].update(book_median, dt);
        }
    }

    /// The mark of perp market `k` under the resolved rule.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn mark(
        &self,
        pm: &PriceModel,
        k: usize,
        index: f64,
        (bid, ask, last): (f64, f64, f64),
        other_perps: Option<f64>,
    ) -> f64 {
        let n = self.basis_ring[k].len().max(1) as f64;
        let f = pm.funding[pm.market_venue[k]];
        let left = if f.interval_s > 0.0 {
            let to_next = (f.time_to_next_s - self.t_s).rem_euclid(f.interval_s);
            to_next / f.interval_s
        } else {
            0.0
        };
        let x = MarkInputs {
            index,
            bid,
            ask,
            last,
            basis_ma: self.basis_sum[k] / n,
            basis_ema: self.basis_ema[k].value(),
            book_ema: self.book_ema[k].value(),
            other_perps,
            last_funding_rate: self.last_funding_rate[k],
            funding_time_left: left,
        };
        mark::mark_price(pm.mark_rule[k], &x)
    }

    /// Prices moved: every venue's next mark update has something to publish.
    pub(crate) fn set_dirty(&mut self) {
        self.prices_dirty.iter_mut().for_each(|x| *x = true);
    }

    /// Sends `lots` of an arbitrage hedge (`side`) to spot market `j` as a market order; books the
    /// fill between the arbitrageurs and the spot makers. Returns the USD traded.
    pub(crate) fn hedge(&mut self, pm: &PriceModel, j: usize, side: Side, lots: i64) -> f64 {
        if lots <= 0 {
            return 0.0;
        }
        let limit = match side {
            Side::Sell => 1,
            Side::Buy => i64::MAX,
        };
        let fill = self.spot_books[j].execute(side, lots, limit);
        if fill.filled_lots == 0 {
            return 0.0;
        }
        self.spot_traded[j] = true;
        self.set_dirty();
        let value = (fill.value_lot_ticks * pm.spot[j].micros_per_lot_tick as i128) as i64;
        let s = side.sign();
        // The arbitrageur buys (s = +1) or sells; the makers take the other side.
        self.arb_spot_lots[j] += s * fill.filled_lots;
        self.arb_cash -= s * value;
        self.spot_maker_lots[j] -= s * fill.filled_lots;
        self.spot_maker_cash[j] += s * value;
        let usd = value as f64 * 1e-6;
        self.arb_spot_usd[j] += usd;
        usd
    }

    /// `Σ cash − Σ perp cost` over the holders this module adds (arbitrageurs, spot makers, the
    /// exogenous seller, the makers' hedgers), micro-USD: part of the conserved ledger total. Spot trades move cash
    /// between arbitrageurs and makers only, so the spot part is always zero; the perp part
    /// moves cost basis to and from the perp's makers.
    pub(crate) fn ledger_part(&self) -> i128 {
        let mut t: i128 = self.arb_cash as i128;
        t += self.spot_maker_cash.iter().map(|&x| x as i128).sum::<i128>();
        t -= self.arb_perp_cost.iter().map(|&x| x as i128).sum::<i128>();
        t -= self.shock_cost.iter().map(|&x| x as i128).sum::<i128>();
        t + self.hedgers.ledger_part()
    }

    /// Arbitrageurs' equity change (USD) at perp marks `marks` and current spot prices.
    pub(crate) fn arb_equity(&self, pm: &PriceModel, markets: &[MarketSpec], marks: &[f64]) -> f64 {
        let mut e = self.arb_cash as f64 * 1e-6;
        for (k, m) in markets.iter().enumerate() {
            e += self.arb_perp_size[k] as f64 * m.lot_size * marks[k] - self.arb_perp_cost[k] as f64 * 1e-6;
        }
        for (j, s) in pm.spot.iter().enumerate() {
            e += self.arb_spot_lots[j] as f64 * s.lot_size * self.spot_price(pm, j);
        }
        e
    }
}

/// Largest moving-average window, in samples (a 5-minute window at 0.1-s steps).
pub const MAX_BASIS_SAMPLES: usize = 3_000;
