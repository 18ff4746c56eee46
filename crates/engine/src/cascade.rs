//! The round-based cascade for an instant shock.
//!
//! Round 0 applies the exogenous shock to every market at unchanged depth and finds the units
//! under maintenance at the new marks; their liquidation orders execute and move the books.
//! Between rounds, the relative move that liquidation flow caused in each market spills to the
//! others through the cross-impact matrix, liquidity withdraws with the realised move, and
//! consumed depth recovers for one round's duration. Round k finds the units that round k−1's
//! moves pushed under; the cascade stops at a fixed point (a round with no trigger) or at the
//! round cap, which is reported. Marks are fixed within a round, as a venue's mark updates on
//! its own clock, not per fill.

use crate::index::Cursors;
use crate::ledger::Workspace;
use crate::liquidate::{AdlQueue, Liquidator, RunTotals};
use crate::model::{EngineModel, Unit};
use crate::outcome::{CascadeReport, MarketOutcome, Outcome};
use liq_impact::PriceImpact;

/// A reusable cascade runner: one per thread. Holds the workspace and scratch buffers so that
/// repeated runs on the same model allocate nothing proportional to the population.
#[derive(Debug, Clone)]
pub struct Cascade {
    pub ws: Workspace,
    cursors: Cursors,
    adl: Vec<[AdlQueue; 2]>,
    triggered: Vec<Unit>,
    fresh: Vec<Unit>,
    mids_before: Vec<f64>,
    mids_start: Vec<f64>,
    own_moves: Vec<f64>,
    spill: Vec<f64>,
    brute_force: bool,
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
            mids_before: vec![0.0; n],
            mids_start: vec![0.0; n],
            own_moves: vec![0.0; n],
            spill: vec![0.0; n],
            brute_force: false,
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

    fn update_marks(&mut self, model: &EngineModel) {
        let w = model.scenario.mark_book_weight;
        for k in 0..model.n_markets() {
            let mid = self.mid_price(model, k);
            self.ws.marks[k] = w * mid + (1.0 - w) * self.ws.index[k];
        }
    }

    /// Runs the cascade for the model's shock. `with_impact = false` is the counterfactual in
    /// which liquidation orders fill at the mark and move no price.
    pub fn run(&mut self, model: &EngineModel, with_impact: bool) -> Outcome {
        let n_m = model.n_markets();
        self.ws.reset(model, with_impact);
        self.cursors.reset();
        for q in self.adl.iter_mut().flatten() {
            *q = AdlQueue::default();
        }
        let fund_start = self.ws.fund_equity(model);
        for k in 0..n_m {
            self.mids_start[k] = self.mid_price(model, k);
        }
        // Round 0: the exogenous shock moves book and index together, at unchanged depth.
        for k in 0..n_m {
            let r = model.scenario.shock[k];
            self.ws.impact[k].shift(r);
            self.ws.index[k] = model.index0[k] * (1.0 + r);
        }
        self.update_marks(model);
        let mark_after_shock = self.ws.marks.clone();
        let mut trough = self.ws.marks.clone();
        let mut peak = self.ws.marks.clone();
        let mut fund_min = fund_start.min(self.ws.fund_equity(model));
        let mut totals =
            RunTotals { notional: vec![Vec::new(); n_m], adl_notional: vec![0.0; n_m], ..Default::default() };
        let dt = model.scenario.round_duration_s;
        let mut generation = 0u32;
        let mut round_cap_hit = false;
        loop {
            self.fresh.clear();
            if self.brute_force {
                if generation == 0 {
                    for a in 0..model.n_accounts() as u32 {
                        self.ws.watch_unit(Unit::cross(a));
                    }
                    for s in 0..model.n_positions() as u32 {
                        if model.pos_isolated[s as usize] {
                            self.ws.watch_unit(Unit::isolated(s));
                        }
                    }
                }
            } else {
                model.index.advance(model, &mut self.ws, &mut self.cursors, &mut self.fresh);
            }
            // Every watched unit (new or touched earlier) is checked exactly; closed units leave
            // the list for good so later rounds do not pay for them.
            self.triggered.clear();
            let ws = &mut self.ws;
            let mut watch = std::mem::take(&mut ws.watch);
            watch.retain(|&u| ws.unit_open(model, u));
            self.triggered.extend(watch.iter().copied().filter(|&u| {
                let (e, mm) = ws.unit_margin(model, u);
                e < mm
            }));
            ws.watch = watch;
            if self.triggered.is_empty() {
                break;
            }
            // A canonical order (by unit) makes the outcome independent of how the units were
            // found: the index and a brute-force scan must liquidate in the same sequence.
            self.triggered.sort_unstable();
            if generation >= model.scenario.round_cap {
                round_cap_hit = true;
                break;
            }
            for k in 0..n_m {
                self.mids_before[k] = self.mid_price(model, k);
            }
            let triggered = std::mem::take(&mut self.triggered);
            {
                let mut liq = Liquidator {
                    model,
                    ws: &mut self.ws,
                    adl: &mut self.adl,
                    totals: &mut totals,
                    generation,
                    round_duration_s: dt,
                };
                for &u in &triggered {
                    liq.liquidate_unit(u);
                }
            }
            self.triggered = triggered;
            // Price formation between rounds.
            for k in 0..n_m {
                self.own_moves[k] = self.mid_price(model, k) / self.mids_before[k] - 1.0;
            }
            model.cross_impact.spill(&self.own_moves, &mut self.spill);
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
            self.update_marks(model);
            for k in 0..n_m {
                trough[k] = trough[k].min(self.ws.marks[k]);
                peak[k] = peak[k].max(self.ws.marks[k]);
            }
            fund_min = fund_min.min(self.ws.fund_equity(model));
            generation += 1;
        }
        let mut accounts: Vec<u32> =
            totals.events.iter().filter(|e| e.kind.liquidates()).map(|e| e.account).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let markets = (0..n_m)
            .map(|k| MarketOutcome {
                symbol: model.markets[k].symbol.clone(),
                mark_start: model.mark0[k],
                mark_after_shock: mark_after_shock[k],
                mark_end: self.ws.marks[k],
                mark_trough: trough[k],
                mark_peak: peak[k],
                liquidated_notional_usd: totals.notional[k].iter().sum(),
                notional_by_generation: std::mem::take(&mut totals.notional[k]),
                adl_notional_usd: totals.adl_notional[k],
                fund_inventory_lots: self.ws.fund_size[k],
            })
            .collect();
        Outcome {
            with_impact,
            events: totals.events,
            rounds: generation,
            round_cap_hit,
            markets,
            accounts_liquidated: accounts.len() as u64,
            insurance_fund_start_usd: fund_start,
            insurance_fund_end_usd: self.ws.fund_equity(model),
            insurance_fund_min_usd: fund_min,
            adl_notional_usd: totals.adl_notional.iter().sum(),
            // Whatever the fund's equity cannot cover at the end marks is still uncovered.
            bad_debt_usd: (-self.ws.fund_equity(model)).max(0.0),
            liquidation_fees_usd: totals.fees,
        }
    }

    /// Runs the cascade and its counterfactual and derives the summary.
    pub fn report(&mut self, model: &EngineModel) -> CascadeReport {
        let counterfactual = self.run(model, false);
        let outcome = self.run(model, true);
        CascadeReport::new(outcome, counterfactual)
    }
}

/// Convenience: builds a runner, runs the cascade and its counterfactual.
pub fn run_cascade(model: &EngineModel) -> CascadeReport {
    Cascade::new(model).report(model)
}
