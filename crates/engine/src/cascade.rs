//! The cascade loop, for an instant shock (round-based) and for a shock path (time-stepped).
//!
//! **Instant shock.** Round 0 applies the exogenous shock to every market at unchanged depth
//! and finds the units under maintenance at the new marks; their liquidation orders execute and
//! move the books. Between rounds, the relative move that liquidation flow caused in each market
//! spills to the others through the cross-impact matrix, liquidity withdraws with the realised
//! move, and consumed depth recovers for one round's duration. Round k finds the units that
//! round k−1's moves pushed under; the cascade stops at a fixed point (a round with no trigger)
//! or at the round cap, which is reported. A liquidation's generation is the round that found
//! its unit under maintenance (a unit the venue's per-block caps or slice cooldowns carry over
//! several rounds keeps that round).
//!
//! **Shock path.** Each step moves every market by the path's exogenous increment, then runs one
//! round as above (mark → triggers → liquidation orders, at most the engine's throughput per
//! step with the rest queued → fills → prices → cross-impact → withdrawal → resilience). After
//! the path ends, rounds continue without exogenous moves to the fixed point. A liquidation is
//! first-order (generation 0) if its unit is also liquidated when the same path runs with no
//! liquidation impact, else second-order (generation 1).
//!
//! **Collateral price paths** (a stablecoin depeg, `assets[].price_path`) step with the run's
//! clock in either mode; the run goes on until the last step has passed, every holder is checked
//! exactly when the price steps, and generations are labelled as on a shock path.
//!
//! Marks are fixed within a round, as a venue's mark updates on its own clock, not per fill.

use crate::index::Cursors;
use crate::ledger::Workspace;
use crate::liquidate::{AdlQueue, Liquidator, RunTotals};
use crate::model::{EngineModel, Unit};
use crate::outcome::{CascadeReport, MarketOutcome, Outcome};
use liq_impact::PriceImpact;
use std::collections::VecDeque;

/// An exogenous price path: `levels[t·n + k]` is market k's exogenous price at the end of step
/// t relative to its start (1.0 = unchanged; 0.92 = −8%).
#[derive(Debug, Clone, PartialEq)]
pub struct ExoPath {
    pub n_markets: usize,
    /// Seconds per step.
    pub dt_s: f64,
    pub levels: Vec<f64>,
}

impl ExoPath {
    /// A one-step path: the instant shock `moves` (relative, per market).
    pub fn instant(moves: &[f64], dt_s: f64) -> ExoPath {
        ExoPath { n_markets: moves.len(), dt_s, levels: moves.iter().map(|m| 1.0 + m).collect() }
    }

    pub fn n_steps(&self) -> usize {
        self.levels.len().checked_div(self.n_markets).unwrap_or(0)
    }

    #[inline]
    pub fn level(&self, t: usize, k: usize) -> f64 {
        self.levels[t * self.n_markets + k]
    }
}

/// How a run is driven.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Liquidation orders with price impact (false = the no-impact counterfactual).
    pub with_impact: bool,
    /// Keep every event (false keeps only the totals, for Monte Carlo paths).
    pub keep_events: bool,
    /// Keep marks and fund equity per round/step.
    pub keep_paths: bool,
    /// At most this many units liquidated per step; the rest wait in a FIFO queue.
    pub throughput_per_step: Option<u32>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { with_impact: true, keep_events: true, keep_paths: true, throughput_per_step: None }
    }
}

/// A reusable cascade runner: one per thread. Holds the workspace and scratch buffers so that
/// repeated runs on the same model allocate nothing proportional to the population.
#[derive(Debug, Clone)]
pub struct Cascade {
    pub ws: Workspace,
    cursors: Cursors,
    adl: Vec<[AdlQueue; 2]>,
    triggered: Vec<Unit>,
    fresh: Vec<Unit>,
    queue: VecDeque<Unit>,
    /// The units in `queue` ([`crate::unit_map`]; the value is unused).
    queued: crate::unit_map::UnitMap,
    /// Instant mode: the round in which each unit still under maintenance was first found so
    /// (its liquidation episode). A unit a venue's per-block caps or slice cooldowns carry over
    /// several rounds keeps the generation of the round that triggered it; one found safe again
    /// starts a new episode when it next falls under.
    episode: crate::unit_map::UnitMap,
    mids_before: Vec<f64>,
    mids_start: Vec<f64>,
    own_moves: Vec<f64>,
    spill: Vec<f64>,
    /// Units checked safe, asleep until a market's cumulative move (crate::sleepers).
    sleeping: crate::sleepers::Sleepers,
    /// Per market: cumulative absolute log-move of the mark over the run.
    travel: Vec<f64>,
    last_marks: Vec<f64>,
    /// Exogenous path level per market at the current step (1 = unchanged).
    exo_level: Vec<f64>,
    brute_force: bool,
    brute_seeded: bool,
    /// Per asset: its price at the last step (collateral price paths; NaN = not yet seen).
    path_last: Vec<f64>,
    /// The dynamic mitigation policies' state (crate::policy).
    policy: crate::policy::PolicyState,
    /// Events the last run kept: the next run's event log starts at that capacity instead of
    /// growing by doubling through ~15 reallocations on the 1,000,000-account bench.
    events_hint: usize,
}

/// How liquidations are labelled with their generation.
#[derive(Debug, Clone, Copy)]
pub enum Labels<'a> {
    /// Instant mode: generation = round.
    Rounds,
    /// Path mode without liquidation impact: everything is first-order (generation 0).
    AllFirstOrder,
    /// Path mode with impact: generation 0 for units in the set (liquidated on the exogenous
    /// path alone), 1 for the rest.
    FirstOrder(&'a UnitSet),
}

/// Sorted units liquidated in a run (for first-order membership in path mode).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitSet(Vec<Unit>);

impl UnitSet {
    pub fn contains(&self, u: Unit) -> bool {
        self.0.binary_search(&u).is_ok()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Cascade {
    pub fn new(model: &EngineModel) -> Cascade {
        let n = model.n_markets();
        Cascade {
            ws: Workspace::new(model),
            cursors: Cursors::new(n),
            adl: vec![[AdlQueue::default(), AdlQueue::default()]; n],
            triggered: Vec::new(),
            fresh: Vec::new(),
            queue: VecDeque::new(),
            queued: crate::unit_map::UnitMap::new(model),
            episode: crate::unit_map::UnitMap::new(model),
            mids_before: vec![0.0; n],
            mids_start: vec![0.0; n],
            own_moves: vec![0.0; n],
            spill: vec![0.0; n],
            sleeping: crate::sleepers::Sleepers::new(model),
            travel: vec![0.0; n],
            last_marks: vec![0.0; n],
            exo_level: vec![1.0; n],
            brute_force: false,
            brute_seeded: false,
            path_last: Vec::new(),
            policy: crate::policy::PolicyState::default(),
            events_hint: 0,
        }
    }

    /// Reference mode for tests: put every unit under exact watch from the start instead of
    /// using the trigger index. Results must be identical, only slower (O(units) per round).
    pub fn set_brute_force(&mut self, on: bool) {
        self.brute_force = on;
    }

    fn mid_price(&self, model: &EngineModel, k: usize) -> f64 {
        self.ws.impact[k].mid_ticks() * model.markets[k].tick_size
    }

    /// Runs the cascade for the model's instant shock. `with_impact = false` is the
    /// counterfactual in which liquidation orders fill at the mark and move no price.
    pub fn run(&mut self, model: &EngineModel, with_impact: bool) -> Outcome {
        let path = ExoPath::instant(&model.scenario.shock, model.scenario.round_duration_s);
        let opts = RunOptions { with_impact, ..RunOptions::default() };
        self.simulate(model, &path, &opts, Labels::Rounds).0
    }

    /// Runs the cascade and its counterfactual for the instant shock and derives the summary.
    /// With a collateral price path the rounds after the first are also driven by the path, so
    /// generations are labelled as on a shock path: first-order = liquidated without liquidation
    /// impact too (a depeg's own liquidations are not feedback).
    pub fn report(&mut self, model: &EngineModel) -> CascadeReport {
        if model.path_end_s > 0.0 {
            let path = ExoPath::instant(&model.scenario.shock, model.scenario.round_duration_s);
            return self.report_path(model, &path, &RunOptions::default());
        }
        let counterfactual = self.run(model, false);
        let outcome = self.run(model, true);
        CascadeReport::new(outcome, counterfactual)
    }

    /// Runs a shock path: first without liquidation impact (which fixes the first-order set),
    /// then with it, labelling each liquidation first- or second-order.
    pub fn report_path(&mut self, model: &EngineModel, path: &ExoPath, opts: &RunOptions) -> CascadeReport {
        let cf_opts = RunOptions { with_impact: false, ..opts.clone() };
        let (counterfactual, first) = self.simulate(model, path, &cf_opts, Labels::AllFirstOrder);
        let (outcome, _) = self.simulate(model, path, opts, Labels::FirstOrder(&first));
        let mut r = CascadeReport::new(outcome, counterfactual);
        r.path_run = true;
        r
    }

    /// The general loop. Returns the outcome and the set of units liquidated.
    pub fn simulate(
        &mut self,
        model: &EngineModel,
        path: &ExoPath,
        opts: &RunOptions,
        labels: Labels<'_>,
    ) -> (Outcome, UnitSet) {
        let n_m = model.n_markets();
        assert_eq!(path.n_markets, n_m, "path has {} markets, model {}", path.n_markets, n_m);
        self.ws.reset(model, opts.with_impact);
        self.ws.start_prices(model, path.dt_s);
        // Funding needs a clock: path runs only (crate::funding).
        self.ws.start_funding(model, !matches!(labels, Labels::Rounds));
        self.exo_level.iter_mut().for_each(|x| *x = 1.0);
        self.cursors.reset();
        self.queue.clear();
        self.queued.clear();
        self.episode.clear();
        self.sleeping.reset();
        self.travel.iter_mut().for_each(|t| *t = 0.0);
        self.last_marks.copy_from_slice(&model.mark0);
        self.brute_seeded = false;
        for q in self.adl.iter_mut().flatten() {
            *q = AdlQueue::default();
        }
        let fund_start = self.ws.fund_equity(model);
        self.policy.reset(model, path.dt_s);
        self.path_last.clear();
        self.path_last.resize(model.asset_path.len(), f64::NAN);
        // Wallets already below the auto-exchange threshold are converted in the first round.
        for &a in &model.auto_exchange0 {
            self.ws.recheck_unit(Unit::cross(a));
        }
        for k in 0..n_m {
            self.mids_start[k] = self.mid_price(model, k);
        }
        let mut totals = RunTotals {
            keep_events: opts.keep_events,
            events: Vec::with_capacity(if opts.keep_events { self.events_hint } else { 0 }),
            notional: vec![Vec::new(); n_m],
            adl_notional: vec![0.0; n_m],
            fund_unwind: vec![0.0; n_m],
            fund_unwind_pnl: vec![0.0; n_m],
            adl_deficit: vec![0.0; n_m],
            adl_overshoot: vec![0.0; n_m],
            collateral_sold: vec![0.0; n_m],
            round_book_lots: vec![0; n_m],
            fund_peak: (0..model.n_venues()).map(|v| self.ws.venue_fund_equity(model, v)).collect(),
            drawdown_adl_on: vec![false; model.n_venues()],
            venue_cause_notional: if model.is_multi_venue() {
                vec![0.0; model.n_venues() * (model.n_venues() + 1)]
            } else {
                Vec::new()
            },
            ..Default::default()
        };
        let mut liquidated_units: Vec<Unit> = Vec::new();
        let mut mark_after_shock = vec![0.0; n_m];
        let mut trough = model.mark0.clone();
        let mut peak = model.mark0.clone();
        let mut mark_path: Vec<Vec<f64>> = Vec::new();
        let mut fund_path: Vec<f64> = Vec::new();
        let mut index_path: Vec<Vec<f64>> = Vec::new();
        let mut exhausted: Vec<Option<crate::outcome::BookExhaustion>> = vec![None; n_m];
        let index_start = self.ws.index.clone();
        let mut fund_min = fund_start;
        let venue_fund_start: Vec<f64> = if model.is_multi_venue() {
            (0..model.n_venues()).map(|v| self.ws.venue_fund_equity(model, v)).collect()
        } else {
            Vec::new()
        };
        let mut venue_fund_min = venue_fund_start.clone();
        let dt = path.dt_s;
        let n_steps = path.n_steps();
        let mut step = 0u32;
        let mut round_cap_hit = false;
        let mut last_active_step = None;
        loop {
            let t = step as usize;
            // Exogenous move of this step: book and index move together, at unchanged depth.
            if t < n_steps {
                for k in 0..n_m {
                    let prev = if t == 0 { 1.0 } else { path.level(t - 1, k) };
                    let r = path.level(t, k) / prev - 1.0;
                    if r != 0.0 {
                        self.ws.exogenous_move(model, k, r);
                    }
                    self.exo_level[k] = path.level(t, k);
                }
                self.ws.refresh_index(model, &self.exo_level);
                self.ws.tick_marks(model, 0.0, true);
                if t == 0 {
                    mark_after_shock.copy_from_slice(&self.ws.marks);
                }
            }
            // The arbitrageurs' capacity for this round; a book shock's forced flow at the start.
            self.ws.set_arb_quotes(model, dt, opts.with_impact);
            if t == 0 {
                self.ws.apply_book_shock(model);
            }
            for k in 0..n_m {
                self.mids_before[k] = self.mid_price(model, k);
            }
            // Mark smoothing and the circuit breaker (crate::policy): a halted step trades nothing.
            let halted = self.policy.start_step(model, &mut self.ws, step as f64 * dt);
            // The round cap, lengthened by the steps a policy halted or a smoothed mark needs.
            let cap_step = n_steps.max(1) as u32 - 1 + model.scenario.round_cap + self.policy.extra_steps();
            // Leveraged tokens, dealer hedges and stops see this round's marks and trade through
            // the same books as the liquidation orders below (crate::flows).
            let token_cap = self.policy.token_cap_usd(model);
            let flowed =
                !halted && self.ws.flows_round(model, step, step as f64 * dt, opts.keep_events, token_cap);
            let t_cap = cap_step as f64 * dt;
            let flows_waiting = flowed || self.ws.flows_waiting(model, step as f64 * dt, t_cap);
            for k in 0..n_m {
                trough[k] = trough[k].min(self.ws.marks[k]);
                peak[k] = peak[k].max(self.ws.marks[k]);
            }
            self.step_collateral_paths(model);
            self.detect(model);
            // A conversion's sale moved a book this round: not a fixed point yet.
            // Its events carry the round (instant mode) or 0 (paths label liquidations only).
            let ax_generation = if matches!(labels, Labels::Rounds) { step } else { 0 };
            let converted = model.auto_exchange_threshold.is_some()
                && self.auto_exchange_round(model, &mut totals, step, ax_generation, dt);
            // Triggered units join the queue behind those still waiting for the engine.
            for &u in &self.triggered {
                self.episode.insert_if_absent(u, step);
                if self.queued.insert_if_absent(u, 0) {
                    self.queue.push_back(u);
                }
            }
            let past_path = t + 1 >= n_steps;
            if self.queue.is_empty() {
                // No liquidation this round; arbitrage may still move the index, and a venue whose
                // clock has not yet published the latest prices has not reached a fixed point.
                let arb = !halted && self.ws.arbitrage_round(model, &self.exo_level);
                // The makers hedge what they absorbed (crate::maker_hedge), possibly rounds late.
                let arb = self.ws.maker_hedge_round(model, &self.exo_level, opts.with_impact) | arb;
                self.note_exhaustion(model, step, dt, &mut exhausted);
                if opts.keep_paths {
                    mark_path.push(self.ws.marks.clone());
                    index_path.push(self.ws.index.clone());
                    fund_path.push(self.ws.fund_equity(model));
                }
                let path_ahead = model.path_end_s > self.ws.price.t_s + 1e-9;
                if past_path
                    && !arb
                    && !converted
                    && !self.ws.mark_pending(model)
                    && !path_ahead
                    && !flows_waiting
                    && !self.policy.smoothing_pending()
                {
                    break;
                }
                // Arbitrage alone still closing the basis at the cap is not a cascade that failed
                // to converge: no liquidation happened this round, so the cap is not reported.
                if past_path && step >= cap_step {
                    break;
                }
                self.between_rounds(model, dt, flowed);
                step += 1;
                continue;
            }
            if past_path && step >= cap_step {
                round_cap_hit = true;
                break;
            }
            last_active_step = Some(step);
            let budget =
                if halted { 0 } else { opts.throughput_per_step.map(|b| b as usize).unwrap_or(usize::MAX) };
            // dYdX: at most the node's liquidation attempts per block; the rest of that venue's
            // queue waits (other venues' units do not).
            let mut venue_room: Vec<usize> = model
                .venues
                .iter()
                .map(|v| {
                    v.rulebook.block_limits.map_or(usize::MAX, |l| l.max_liquidations_per_block as usize)
                })
                .collect();
            let mut venues_open = venue_room.iter().filter(|&&r| r > 0).count();
            let mut deferred: Vec<Unit> = Vec::new();
            totals.start_round();
            self.policy.start_liquidations(totals.notional.iter().map(|g| g.iter().sum()));
            {
                let mut liq = Liquidator {
                    model,
                    ws: &mut self.ws,
                    adl: &mut self.adl,
                    totals: &mut totals,
                    step,
                    generation: step,
                    round_duration_s: dt,
                    cause: None,
                };
                let mut done = 0usize;
                while done < budget && venues_open > 0 {
                    let Some(u) = self.queue.pop_front() else { break };
                    let v = if venue_room.len() == 1 { 0 } else { model.unit_venue(u) };
                    if venue_room[v] == 0
                        || !self.policy.admits(model, liq.ws, u, |k| liq.totals.notional[k].iter().sum())
                    {
                        deferred.push(u);
                        continue;
                    }
                    self.queued.remove(u);
                    liq.generation = match labels {
                        Labels::Rounds => self.episode.get(u).unwrap_or(step),
                        Labels::AllFirstOrder => 0,
                        Labels::FirstOrder(set) => u32::from(!set.contains(u)),
                    };
                    // `liquidate_unit` checks the margin itself: a queued unit the market has since
                    // lifted above maintenance is not liquidated and goes back under watch.
                    if liq.liquidate_unit(u) {
                        liquidated_units.push(u);
                        done += 1;
                        venue_room[v] = venue_room[v].saturating_sub(1);
                        if venue_room[v] == 0 {
                            venues_open -= 1;
                        }
                    } else {
                        self.episode.remove(u);
                        if liq.ws.unit_open(model, u) {
                            liq.ws.recheck_unit(u);
                        }
                    }
                }
            }
            // Units of a venue at its block limit keep their place at the head of the queue.
            for u in deferred.into_iter().rev() {
                self.queue.push_front(u);
            }
            // What the fund took over goes back into the book at the rulebook's participation
            // rate of the lots the book absorbed from liquidation orders this round.
            for k in 0..n_m {
                let rate = model.market_rulebook(k).unwind.participation;
                let max_lots = (totals.round_book_lots[k] as f64 * rate).ceil() as i64;
                let (value, pnl) = self.ws.unwind_fund(model, k, max_lots);
                totals.fund_unwind[k] += value as f64 * 1e-6;
                totals.fund_unwind_pnl[k] += pnl as f64 * 1e-6;
            }
            for v in 0..model.n_venues() {
                totals.fund_peak[v] = totals.fund_peak[v].max(self.ws.venue_fund_equity(model, v));
            }
            if !halted {
                self.ws.arbitrage_round(model, &self.exo_level);
            }
            self.ws.maker_hedge_round(model, &self.exo_level, opts.with_impact);
            self.note_exhaustion(model, step, dt, &mut exhausted);
            if opts.keep_paths {
                index_path.push(self.ws.index.clone());
                mark_path.push(self.ws.marks.clone());
                fund_path.push(self.ws.fund_equity(model));
            }
            self.between_rounds(model, dt, true);
            fund_min = fund_min.min(self.ws.fund_equity(model));
            for (v, m) in venue_fund_min.iter_mut().enumerate() {
                *m = m.min(self.ws.venue_fund_equity(model, v));
            }
            step += 1;
        }
        liquidated_units.sort_unstable();
        liquidated_units.dedup();
        let markets: Vec<MarketOutcome> = (0..n_m)
            .map(|k| MarketOutcome {
                symbol: model.markets[k].symbol.clone(),
                venue: model.is_multi_venue().then(|| model.venues[model.market_venue(k)].name.clone()),
                mark_start: model.mark0[k],
                mark_after_shock: mark_after_shock[k],
                mark_end: self.ws.marks[k],
                mark_trough: trough[k],
                mark_peak: peak[k],
                liquidated_notional_usd: totals.notional[k].iter().sum(),
                notional_by_generation: std::mem::take(&mut totals.notional[k]),
                adl_notional_usd: totals.adl_notional[k],
                fund_unwind_usd: totals.fund_unwind[k],
                fund_unwind_pnl_usd: totals.fund_unwind_pnl[k],
                adl_deficit_usd: totals.adl_deficit[k],
                adl_overshoot_usd: totals.adl_overshoot[k],
                collateral_sold_usd: totals.collateral_sold[k],
                fund_inventory_lots: self.ws.fund_size[k],
                index_start: index_start[k],
                index_end: self.ws.index[k],
                basis_end_bps: (self.mid_price(model, k) / self.ws.index[k] - 1.0) * 1e4,
                arb_perp_bought_usd: self.ws.price.arb_perp_bought_usd[k],
                arb_perp_sold_usd: self.ws.price.arb_perp_sold_usd[k],
                book_exhausted: exhausted[k],
                funding_rates: std::mem::take(&mut self.ws.funding.rates[k]),
                funding_paid_usd: self.ws.funding.paid_usd(k),
                maker_hedge_usd: self.ws.price.hedgers.perp_usd[k],
            })
            .collect();
        let fund_end = self.ws.fund_equity(model);
        let venues = crate::outcome::venue_outcomes(
            model,
            &markets,
            &totals.venue_cause_notional,
            &venue_fund_start,
            &venue_fund_min,
            &(0..venue_fund_start.len()).map(|v| self.ws.venue_fund_equity(model, v)).collect::<Vec<_>>(),
        );
        if opts.keep_events {
            self.events_hint = totals.events.len();
        }
        let outcome = Outcome {
            with_impact: opts.with_impact,
            events: totals.events,
            rounds: last_active_step.map(|s| s + 1).unwrap_or(0),
            round_cap_hit,
            markets,
            accounts_liquidated: totals.accounts_liquidated,
            insurance_fund_start_usd: fund_start,
            insurance_fund_end_usd: fund_end,
            insurance_fund_min_usd: fund_min.min(fund_end),
            adl_notional_usd: totals.adl_notional.iter().sum(),
            adl_deficit_usd: totals.adl_deficit.iter().sum(),
            adl_overshoot_usd: totals.adl_overshoot.iter().sum(),
            collateral_sold_usd: totals.collateral_sold.iter().sum(),
            adl_counterparties: totals.adl_counterparties,
            fund_unwind_pnl_usd: totals.fund_unwind_pnl.iter().sum(),
            liquidation_retries: totals.retries,
            // Whatever the fund's equity cannot cover at the end marks is still uncovered.
            bad_debt_usd: (-fund_end).max(0.0),
            liquidation_fees_usd: totals.fees,
            accounts_equity_change_usd: self.ws.accounts_equity_total(model) - model.accounts_equity0,
            step_s: dt,
            mark_path,
            fund_path,
            spot: model
                .price
                .spot
                .iter()
                .enumerate()
                .map(|(j, sm)| crate::outcome::SpotOutcome {
                    name: sm.name.clone(),
                    market: sm.perp_market,
                    price_start: sm.price0,
                    price_end: self.ws.price.spot_price(&model.price, j),
                    arb_traded_usd: self.ws.price.arb_spot_usd[j],
                    maker_hedge_usd: self.ws.price.hedgers.spot_usd[j],
                })
                .collect(),
            arbitrage_equity_change_usd: self.ws.price.arb_equity(
                &model.price,
                &model.markets,
                &self.ws.marks,
            ),
            index_path,
            ledger: opts.keep_events.then(|| self.ws.ledger_report(model)),
            venues,
            channels: self.ws.flows.totals(),
            flow_events: std::mem::take(&mut self.ws.flows.events),
            funding: std::mem::take(&mut self.ws.funding.events),
            desk_hedge: self.ws.desk_hedge_outcome(model),
        };
        (outcome, UnitSet(liquidated_units))
    }

    /// Finds the units under maintenance now, in a canonical order. Candidates are the units the
    /// static index newly reaches, the units changed since their last check, and the sleeping
    /// units whose wake-up threshold some market's cumulative movement has passed. Each is
    /// checked exactly; a safe one goes back to sleep, in the heap of every market it depends on,
    /// until that market's cumulative absolute log-move `S_k = Σ_rounds |ln(m_k / m_k,prev)|` has
    /// grown by `θ = ln(1 + buffer / L)` (`L` its Lipschitz bound at the current marks). While
    /// every market has moved less than that since the check, each relative move is below
    /// `e^θ − 1 = buffer / L`, so the buffer cannot have been used up:
    /// `Σ_k L_k·|r_k| < Σ_k L_k·buffer/L = buffer`.
    fn detect(&mut self, model: &EngineModel) {
        for k in 0..model.n_markets() {
            self.travel[k] += (self.ws.marks[k] / self.last_marks[k]).ln().abs();
            self.last_marks[k] = self.ws.marks[k];
        }
        self.fresh.clear();
        if self.brute_force {
            if !self.brute_seeded {
                self.brute_seeded = true;
                for a in 0..model.n_accounts() as u32 {
                    if self.ws.watch_unit(Unit::cross(a)) {
                        self.fresh.push(Unit::cross(a));
                    }
                }
                for s in 0..model.n_positions() as u32 {
                    if model.pos_isolated[s as usize] && self.ws.watch_unit(Unit::isolated(s)) {
                        self.fresh.push(Unit::isolated(s));
                    }
                }
            }
        } else {
            model.index.advance(model, &mut self.ws, &mut self.cursors, &mut self.fresh);
        }
        self.fresh.append(&mut self.ws.recheck);
        self.sleeping.wake(&self.travel, &mut self.fresh);
        self.fresh.sort_unstable();
        self.fresh.dedup();
        // A canonical order (by unit) makes the outcome independent of how the units were found:
        // the index and a brute-force scan liquidate in the same sequence.
        self.triggered.clear();
        for &u in &self.fresh {
            if !self.queued.is_empty() && self.queued.contains(u) {
                continue;
            }
            let (e, mm, lip, deps) = self.ws.unit_margin_lipschitz(model, u);
            // A closed unit has no maintenance margin and no exposure: it drops out here.
            if deps == 0 && mm == 0.0 {
                continue;
            }
            if e >= mm && !self.episode.is_empty() {
                self.episode.remove(u);
            }
            if e < mm {
                self.triggered.push(u);
            } else if lip > 0.0 {
                // The bound holds while every relative move since now stays within ±100%, which
                // a cumulative log-move of ln 2 guarantees.
                let theta = ((e - mm) / lip).ln_1p().min(std::f64::consts::LN_2);
                self.sleeping.sleep(u, deps, &self.travel, theta);
            }
        }
    }

    /// A collateral price path stepped: every account holding that asset is checked exactly this
    /// round (the trigger index follows the marks, not exogenous collateral prices).
    fn step_collateral_paths(&mut self, model: &EngineModel) {
        let mut stepped = false;
        for (asset, last) in self.path_last.iter_mut().enumerate() {
            if model.asset_path[asset].is_empty() {
                continue;
            }
            let p = self.ws.asset_price(model, asset);
            if p != *last {
                stepped = true;
                *last = p;
            }
        }
        if stepped {
            for &a in &model.path_holders {
                self.ws.recheck_unit(Unit::cross(a));
            }
        }
    }

    /// Binance's auto-exchange over the cross wallets checked this round; true if any converted.
    fn auto_exchange_round(
        &mut self,
        model: &EngineModel,
        totals: &mut RunTotals,
        step: u32,
        generation: u32,
        dt: f64,
    ) -> bool {
        let mut liq = Liquidator {
            model,
            ws: &mut self.ws,
            adl: &mut self.adl,
            totals,
            step,
            generation,
            round_duration_s: dt,
            // An auto-exchange is the venue's conversion, not a liquidation caused by a flow.
            cause: None,
        };
        let mut any = false;
        for &u in &self.fresh {
            if let Some(a) = u.cross_account() {
                any |= liq.auto_exchange(a);
            }
        }
        // Binance's third trigger watches accounts without positions every round (the trigger
        // index follows positions; their LTV moves with the collateral's price).
        for &a in &model.ltv_watch {
            any |= liq.auto_exchange(a);
        }
        any
    }

    /// Records the first round in which a walk emptied a side of each perp book.
    fn note_exhaustion(
        &self,
        model: &EngineModel,
        step: u32,
        dt: f64,
        exhausted: &mut [Option<crate::outcome::BookExhaustion>],
    ) {
        for (k, slot) in exhausted.iter_mut().enumerate() {
            if slot.is_none() {
                if let Some(side) = self.ws.impact[k].exhausted() {
                    *slot = Some(crate::outcome::BookExhaustion {
                        side,
                        round: step,
                        time_s: step as f64 * dt,
                        quote_beyond_usd: self.mid_price(model, k),
                    });
                }
            }
        }
    }

    /// Price formation after a round: cross-impact of this round's own moves, liquidity
    /// withdrawal with the realised move, resilience over `dt`, new marks.
    fn between_rounds(&mut self, model: &EngineModel, dt: f64, traded: bool) {
        let n_m = model.n_markets();
        if traded {
            for k in 0..n_m {
                self.own_moves[k] = self.mid_price(model, k) / self.mids_before[k] - 1.0;
            }
            model.cross_impact.spill(&self.own_moves, &mut self.spill);
        } else {
            self.spill.iter_mut().for_each(|x| *x = 0.0);
        }
        let sens = model.scenario.withdrawal_sensitivity;
        let floor = model.scenario.withdrawal_floor;
        for k in 0..n_m {
            if self.spill[k] != 0.0 {
                self.ws.impact[k].shift(self.spill[k]);
            }
            if sens > 0.0 {
                let realised = (self.mid_price(model, k) / self.mids_start[k] - 1.0).abs();
                self.ws.impact[k].set_depth_multiplier((-sens * realised).exp().max(floor));
            }
            self.ws.impact[k].recover(dt);
        }
        // Spot books recover and withdraw by the same laws as the perp's.
        for j in 0..model.price.spot.len() {
            let k = model.price.spot[j].perp_market;
            if sens > 0.0 {
                let realised = (self.mid_price(model, k) / self.mids_start[k] - 1.0).abs();
                self.ws.price.spot_books[j].set_depth_multiplier((-sens * realised).exp().max(floor));
            }
            self.ws.price.spot_books[j].recover(dt);
        }
        if model.price.has_spot_index() {
            self.ws.refresh_index(model, &self.exo_level);
        }
        self.ws.tick_marks(model, dt, false);
        self.ws.funding_tick(model);
    }
}

/// Convenience: builds a runner, runs the cascade and its counterfactual.
pub fn run_cascade(model: &EngineModel) -> CascadeReport {
    Cascade::new(model).report(model)
}
