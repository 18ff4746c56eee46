//! The lending cascade (`venue = "aave-v3"`): borrowers checked once a block against the oracle,
//! liquidated by `liquidationCall`s as Aave v3.3 allows, and liquidators who sell the seized
//! collateral into that asset's spot book, which moves the oracle and can liquidate the next
//! borrowers.
//!
//! This module owns the run: [`LendingModel`] (immutable, built from a
//! `liq_domain::LendingScenario`) and [`LendingModel::run`]. The protocol's maths — health
//! factor, close factor, seizure with bonus and protocol fee, dust rule — is
//! `liq_margin::lending` (aave-dao/aave-v3-origin v3.3.0, commit 5431379f, 2025-02-24, cited
//! there rule by rule); here it is applied to integer lots and micro-USD:
//!
//! - Per block (Ethereum 12 s; 0.4 s for Solana-slot comparisons) the oracle of each reserve is
//!   its spot book's mid at the start of the block (Aave reads a Chainlink feed that aggregates
//!   spot venues; the book stands for that aggregate market).
//! - A borrower with HF < 1 (`HEALTH_FACTOR_LIQUIDATION_THRESHOLD`) is liquidated by repeated
//!   calls within the block, each capped by the close factor (`max_liquidatable_debt_usd`), until
//!   HF ≥ 1, the debt or collateral is gone, or a call would leave dust (`MUST_NOT_LEAVE_DUST`:
//!   the contract reverts, so the call is refused and counted). The liquidator seizes the reserve
//!   the borrower holds most of (by value), the largest seizure one call allows.
//! - Seized collateral: liquidator's share + protocol fee (`seize`), rounded down to whole lots
//!   (Aave rounds the collateral amount down, `percentDiv`/integer division); the fee's lots go
//!   to the treasury in kind (Aave transfers aTokens to the treasury).
//! - When a call takes the borrower's last collateral, the debt left is burnt into the deficit
//!   (`LiquidationLogic._burnDebtTokens`, `hasNoCollateralLeft`).
//! - The liquidator sells its share `liquidator_delay_s` later as a market order into the spot
//!   book (what the book cannot fill waits for the next block); fills move the book, and the next
//!   block's oracle sees it.
//!
//! Generations: instant shock — a borrower first liquidated before any liquidator sale has
//! executed is generation 0, otherwise one more than the latest generation whose sale executed
//! before it; on a recorded path — 0 if the no-impact run (sales move no price) also liquidates
//! it, else 1 (the perp engine's path convention).

use crate::cascade::ExoPath;
use crate::lending_outcome::{LendingLedger, LendingOutcome, LendingReport, ReserveLending};
use crate::model::EngineError;
use crate::outcome::{EventKind, LiquidationEvent, MarketOutcome, Outcome};
use liq_domain::{ImpactKind, LendingScenario, MarketSpec, RiskLadder, Side};
use liq_impact::{ImpactModel, NoImpact, PriceImpact};
use liq_margin::lending::{self as aave, Collateral, LendingParams};
use std::collections::VecDeque;

/// Most `liquidationCall`s on one borrower within one block. Each call under the 50% close factor
/// halves the debt, so 64 calls reach any HF the collateral allows; the bound only stops a
/// degenerate sequence of zero-lot calls.
const MAX_CALLS_PER_BLOCK: u32 = 64;

/// One collateral reserve, resolved.
#[derive(Debug, Clone)]
struct Reserve {
    /// The spot book's grid (as a `MarketSpec`, the impact crate's input).
    spec: MarketSpec,
    lt: f64,
    bonus: f64,
    fee: f64,
}

/// The immutable form of a lending scenario.
#[derive(Debug, Clone)]
pub struct LendingModel {
    pub name: String,
    /// Borrower labels, scenario order (the event log's `account_label`).
    pub labels: Vec<String>,
    params: LendingParams,
    rules: liq_domain::LendingRules,
    reserves: Vec<Reserve>,
    books0: Vec<ImpactModel>,
    /// Borrowers × reserves, row-major, lots.
    coll0: Vec<i64>,
    debt0: Vec<i64>,
    shock: Vec<f64>,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> EngineError {
    EngineError::Invalid { field: field.into(), message: message.into() }
}

impl LendingModel {
    /// Resolves and checks a scenario; errors name the field in the scenario format's words.
    pub fn new(s: &LendingScenario) -> Result<LendingModel, EngineError> {
        let r = &s.rules;
        let params = LendingParams::new(
            r.close_factor,
            r.full_close_hf,
            r.min_base_for_partial_usd,
            r.min_leftover_usd,
        )
        .map_err(|e| invalid(format!("lending.{}", e.field), e.message))?;
        for (field, v) in [("lending.block_s", r.block_s), ("lending.resilience_tau_s", r.resilience_tau_s)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(field, format!("must be a positive finite number, got {v}")));
            }
        }
        if !(r.liquidator_delay_s.is_finite() && r.liquidator_delay_s >= 0.0) {
            return Err(invalid(
                "lending.liquidator_delay_s",
                format!("must be a non-negative number of seconds, got {}", r.liquidator_delay_s),
            ));
        }
        if r.block_cap == 0 {
            return Err(invalid("lending.block_cap", "must be at least 1"));
        }
        if s.reserves.is_empty() {
            return Err(invalid("reserves", "at least one collateral reserve is required"));
        }
        // Any ladder will do: the spot book reads only the grid and symbol of its MarketSpec.
        let ladder =
            RiskLadder::from_caps(&[(1e15, 0.01, 1.0)]).map_err(|e| invalid("reserves", e.message))?;
        let mut reserves = Vec::with_capacity(s.reserves.len());
        let mut books0 = Vec::with_capacity(s.reserves.len());
        for (k, res) in s.reserves.iter().enumerate() {
            let p = |f: &str| format!("reserves[{k}].{f}");
            // PoolConfigurator.configureReserveAsCollateral (v3.3): threshold < 100% and
            // `liquidationThreshold.percentMul(liquidationBonus) <= PERCENTAGE_FACTOR`, i.e. a
            // liquidation at HF 1 cannot seize more collateral than the position holds.
            let lt = res.liquidation_threshold;
            if !(lt.is_finite() && lt > 0.0 && lt < 1.0) {
                return Err(invalid(p("liquidation_threshold"), format!("must be in (0, 1), got {lt}")));
            }
            let b = res.liquidation_bonus;
            if !(b.is_finite() && b >= 0.0) {
                return Err(invalid(
                    p("liquidation_bonus"),
                    format!("must be ≥ 0 (a fraction, 0.05 = 5%), got {b}"),
                ));
            }
            if lt * (1.0 + b) > 1.0 {
                return Err(invalid(
                    p("liquidation_bonus"),
                    format!("liquidation_threshold × (1 + bonus) = {} exceeds 1 (Aave's PoolConfigurator refuses it)", lt * (1.0 + b)),
                ));
            }
            let f = res.protocol_fee;
            if !(f.is_finite() && (0.0..=1.0).contains(&f)) {
                return Err(invalid(p("protocol_fee"), format!("must be in [0, 1], got {f}")));
            }
            let spec = MarketSpec {
                symbol: res.symbol.clone(),
                tick_size: res.tick_size,
                lot_size: res.lot_size,
                index_price: res.price,
                mark_price: res.price,
                ladder: ladder.clone(),
                liquidation_fee_rate: 0.0,
                taker_fee_rate: 0.0,
            };
            spec.validate().map_err(|e| invalid(p(&e.field.replace("index_price", "price")), e.message))?;
            let book =
                ImpactModel::build(&ImpactKind::Book, &res.book, &spec, k, res.price, r.resilience_tau_s)
                    .map_err(|liq_impact::ImpactError::Invalid { field, message }| {
                        invalid(field.replacen("markets[", "reserves[", 1), message)
                    })?;
            reserves.push(Reserve { spec, lt, bonus: b, fee: f });
            books0.push(book);
        }
        let n_r = reserves.len();
        let mut coll0 = Vec::with_capacity(s.borrowers.len() * n_r);
        let mut debt0 = Vec::with_capacity(s.borrowers.len());
        for (i, b) in s.borrowers.iter().enumerate() {
            if b.collateral.len() != n_r {
                return Err(invalid(format!("borrowers[{i}].collateral"), "one quantity per reserve"));
            }
            for (k, &q) in b.collateral.iter().enumerate() {
                let lots = q / reserves[k].spec.lot_size;
                if !(q.is_finite() && q >= 0.0 && lots < 1e15) {
                    return Err(invalid(
                        format!("borrowers[{i}].collateral.{}", reserves[k].spec.symbol),
                        format!("must be a non-negative quantity below 1e15 lots, got {q}"),
                    ));
                }
                coll0.push(lots.round() as i64);
            }
            if b.debt.0 < 0 {
                return Err(invalid(format!("borrowers[{i}].debt_usd"), "must not be negative"));
            }
            debt0.push(b.debt.0);
        }
        let mut shock = s.shock.clone();
        shock.resize(n_r, 0.0);
        Ok(LendingModel {
            name: s.name.clone(),
            labels: s.borrowers.iter().map(|b| b.label.clone()).collect(),
            params,
            rules: s.rules,
            reserves,
            books0,
            coll0,
            debt0,
            shock,
        })
    }

    pub fn n_reserves(&self) -> usize {
        self.reserves.len()
    }

    pub fn n_borrowers(&self) -> usize {
        self.debt0.len()
    }

    pub fn symbols(&self) -> Vec<String> {
        self.reserves.iter().map(|r| r.spec.symbol.clone()).collect()
    }

    pub fn shock(&self) -> &[f64] {
        &self.shock
    }

    /// The instant shock: the run and its no-impact counterfactual.
    pub fn report(&self) -> LendingReport {
        let path = ExoPath::instant(&self.shock, self.rules.block_s);
        let cf = self.run(&path, false, None);
        let run = self.run(&path, true, None);
        LendingReport { report: crate::CascadeReport::new(run.0, cf.0), lending: run.1 }
    }

    /// A recorded (or constructed) path of the reserves' prices: levels per reserve relative to
    /// the start, held between steps; generation 0 = also liquidated without price impact.
    pub fn report_path(&self, path: &ExoPath) -> LendingReport {
        let cf = self.run(path, false, None);
        let mut first: Vec<bool> = vec![false; self.n_borrowers()];
        for e in &cf.0.events {
            first[e.account as usize] = true;
        }
        let run = self.run(path, true, Some(&first));
        LendingReport { report: crate::CascadeReport::new(run.0, cf.0), lending: run.1 }
    }

    /// One run. `first_order` (path mode) marks the borrowers the counterfactual liquidates.
    pub fn run(
        &self,
        path: &ExoPath,
        with_impact: bool,
        first_order: Option<&[bool]>,
    ) -> (Outcome, LendingOutcome) {
        let mut st = State::new(self, with_impact);
        let instant = path.n_steps() == 1 && first_order.is_none();
        let bs = self.rules.block_s;
        // The path's span in blocks; after it the cascade runs until it is quiet.
        let path_blocks =
            if instant { 1 } else { ((path.n_steps() as f64 * path.dt_s) / bs).ceil() as u64 + 1 };
        let mut level = vec![1.0; self.n_reserves()];
        let mut block: u32 = 0;
        let cap_hit = loop {
            let t = block as f64 * bs;
            if block > 0 {
                st.books.iter_mut().for_each(|b| b.recover(bs));
            }
            // Exogenous move to the path's latest level at this block: step s ends at
            // (s + 1)·dt, so a block at t sees the steps that ended by t (no look-ahead) and the
            // starting level before the first one ends.
            let done = if instant { Some(0) } else { ((t / path.dt_s + 1e-9) as usize).checked_sub(1) };
            for (k, l) in level.iter_mut().enumerate() {
                let target = match done {
                    Some(s) => path.level(s.min(path.n_steps().saturating_sub(1)), k),
                    None => 1.0,
                };
                if target != *l {
                    st.books[k].shift(target / *l - 1.0);
                    *l = target;
                }
            }
            let oracle: Vec<f64> = (0..self.n_reserves()).map(|k| st.oracle(self, k)).collect();
            st.track(&oracle);
            let liquidated = st.liquidate_block(self, &oracle, t, instant, first_order);
            let sold = st.sell_due(self, t);
            block += 1;
            // A sale moved a book: the next block's oracle may liquidate someone.
            let quiet = !liquidated && !sold && st.pending.is_empty();
            if (block as u64 >= path_blocks && quiet) || block >= self.rules.block_cap {
                break !quiet || (block as u64) < path_blocks;
            }
        };
        st.finish(self, with_impact, block, cap_hit)
    }
}

/// A liquidator's sale waiting for its delay.
#[derive(Debug, Clone, Copy)]
struct Sale {
    due_s: f64,
    reserve: usize,
    lots: i64,
    generation: u32,
}

/// The per-run state.
struct State {
    books: Vec<ImpactModel>,
    coll: Vec<i64>,
    debt: Vec<i64>,
    generation: Vec<Option<u32>>,
    pending: VecDeque<Sale>,
    /// Highest generation whose sale has (partly) executed, if any.
    sold_generation: Option<u32>,
    l: LendingLedger,
    events: Vec<LiquidationEvent>,
    calls: u64,
    dust_refusals: u64,
    sale_proceeds: i64,
    repaid_by_gen: Vec<i64>,
    seized_usd_by_gen: Vec<Vec<f64>>,
    bonus_usd: f64,
    fee_usd: f64,
    oracle_start: Vec<f64>,
    oracle_after_shock: Option<Vec<f64>>,
    trough: Vec<f64>,
    peak: Vec<f64>,
    oracle_path: Vec<Vec<f64>>,
}

impl State {
    fn new(m: &LendingModel, with_impact: bool) -> State {
        let n_r = m.n_reserves();
        let books = m
            .books0
            .iter()
            .map(|b| if with_impact { b.clone() } else { ImpactModel::None(NoImpact::new(b.mid_ticks())) })
            .collect::<Vec<_>>();
        let mut start = vec![0i64; n_r];
        for (j, q) in m.coll0.iter().enumerate() {
            start[j % n_r] += q;
        }
        let debt_start = m.debt0.iter().sum();
        let oracle_start: Vec<f64> =
            (0..n_r).map(|k| books[k].mid_ticks() * m.reserves[k].spec.tick_size).collect();
        State {
            books,
            coll: m.coll0.clone(),
            debt: m.debt0.clone(),
            generation: vec![None; m.n_borrowers()],
            pending: VecDeque::new(),
            sold_generation: None,
            l: LendingLedger {
                borrower_lots: start.clone(),
                borrower_lots_start: start,
                liquidator_lots: vec![0; n_r],
                treasury_lots: vec![0; n_r],
                maker_lots: vec![0; n_r],
                debt_start,
                debt: debt_start,
                repaid: 0,
                deficit: 0,
                liquidator_cash: 0,
                maker_cash: 0,
                pool_cash: 0,
            },
            events: Vec::new(),
            calls: 0,
            dust_refusals: 0,
            sale_proceeds: 0,
            repaid_by_gen: Vec::new(),
            seized_usd_by_gen: vec![Vec::new(); n_r],
            bonus_usd: 0.0,
            fee_usd: 0.0,
            trough: oracle_start.clone(),
            peak: oracle_start.clone(),
            oracle_start,
            oracle_after_shock: None,
            oracle_path: Vec::new(),
        }
    }

    fn oracle(&self, m: &LendingModel, k: usize) -> f64 {
        self.books[k].mid_ticks() * m.reserves[k].spec.tick_size
    }

    fn track(&mut self, oracle: &[f64]) {
        if self.oracle_after_shock.is_none() {
            self.oracle_after_shock = Some(oracle.to_vec());
        }
        for (k, &p) in oracle.iter().enumerate() {
            self.trough[k] = self.trough[k].min(p);
            self.peak[k] = self.peak[k].max(p);
        }
        self.oracle_path.push(oracle.to_vec());
    }

    /// Every borrower under HF 1 at this block's oracle, in borrower order; `true` if any call
    /// executed.
    fn liquidate_block(
        &mut self,
        m: &LendingModel,
        oracle: &[f64],
        t: f64,
        instant: bool,
        first_order: Option<&[bool]>,
    ) -> bool {
        let n_r = m.n_reserves();
        let mut any = false;
        let mut coll = vec![Collateral { value_usd: 0.0, liquidation_threshold: 0.0 }; n_r];
        for i in 0..m.n_borrowers() {
            for _ in 0..MAX_CALLS_PER_BLOCK {
                if self.debt[i] <= 0 {
                    break;
                }
                for k in 0..n_r {
                    let r = &m.reserves[k];
                    coll[k] = Collateral {
                        value_usd: self.coll[i * n_r + k] as f64 * r.spec.lot_size * oracle[k],
                        liquidation_threshold: r.lt,
                    };
                }
                let debt_usd = self.debt[i] as f64 / 1e6;
                let hf = aave::health_factor(&coll, debt_usd);
                if !aave::is_liquidatable(hf) {
                    break;
                }
                // The reserve worth most: the largest seizure one call allows.
                let Some(k) = (0..n_r)
                    .filter(|&k| self.coll[i * n_r + k] > 0)
                    .max_by(|&a, &b| coll[a].value_usd.total_cmp(&coll[b].value_usd).then(b.cmp(&a)))
                else {
                    break;
                };
                let r = &m.reserves[k];
                let balance = coll[k].value_usd;
                let max_debt = aave::max_liquidatable_debt_usd(&m.params, hf, balance, debt_usd, debt_usd);
                let s = aave::seize(max_debt, balance, 1.0 + r.bonus, r.fee);
                if aave::leaves_dust(&m.params, &s, debt_usd, balance) {
                    self.dust_refusals += 1;
                    break;
                }
                let have = self.coll[i * n_r + k];
                let lot_usd = r.spec.lot_size * oracle[k];
                let takes_all = s.collateral_seized_usd() >= balance;
                // Rounded down to whole lots; the 1e-9 absorbs f64 noise on exact amounts (13,650 / 3).
                let lots_of = |usd: f64| (usd / lot_usd + 1e-9).floor() as i64;
                let seized = if takes_all { have } else { lots_of(s.collateral_seized_usd()).min(have) };
                let fee_lots = lots_of(s.protocol_fee_usd).clamp(0, seized);
                let repaid = (((s.debt_repaid_usd * 1e6).round()) as i64).clamp(0, self.debt[i]);
                // Less than one lot: no liquidator pays debt for nothing.
                if seized == 0 {
                    break;
                }
                let gen = *self.generation[i].get_or_insert_with(|| match first_order {
                    Some(f) => u32::from(!f[i]),
                    None if instant => self.sold_generation.map_or(0, |g| g + 1),
                    None => 0,
                });
                self.coll[i * n_r + k] -= seized;
                self.debt[i] -= repaid;
                let to_liquidator = seized - fee_lots;
                self.l.borrower_lots[k] -= seized;
                self.l.treasury_lots[k] += fee_lots;
                self.l.liquidator_lots[k] += to_liquidator;
                self.l.liquidator_cash -= repaid;
                self.l.pool_cash += repaid;
                self.l.repaid += repaid;
                self.l.debt -= repaid;
                // `_burnDebtTokens`: no collateral left in any reserve → the rest is deficit.
                if self.debt[i] > 0 && (0..n_r).all(|j| self.coll[i * n_r + j] == 0) {
                    self.l.deficit += self.debt[i];
                    self.l.debt -= self.debt[i];
                    self.debt[i] = 0;
                }
                if to_liquidator > 0 {
                    self.pending.push_back(Sale {
                        due_s: t + m.rules.liquidator_delay_s,
                        reserve: k,
                        lots: to_liquidator,
                        generation: gen,
                    });
                }
                let g = gen as usize;
                if self.repaid_by_gen.len() <= g {
                    self.repaid_by_gen.resize(g + 1, 0);
                }
                self.repaid_by_gen[g] += repaid;
                let seized_usd = seized as f64 * lot_usd;
                for v in &mut self.seized_usd_by_gen {
                    if v.len() <= g {
                        v.resize(g + 1, 0.0);
                    }
                }
                self.seized_usd_by_gen[k][g] += seized_usd;
                let bonus = seized_usd - repaid as f64 / 1e6;
                let fee = fee_lots as f64 * lot_usd;
                self.bonus_usd += bonus;
                self.fee_usd += fee;
                self.calls += 1;
                any = true;
                let qty = seized as f64 * r.spec.lot_size;
                // The collateral price at which this reserve alone would no longer cover the
                // debt net of the other reserves: the lending analogue of a bankruptcy price.
                let others: f64 = (0..n_r).filter(|&j| j != k).map(|j| coll[j].value_usd).sum();
                let q_before = have as f64 * r.spec.lot_size;
                self.events.push(LiquidationEvent {
                    generation: gen,
                    time_s: t,
                    account: i as u32,
                    market: k as u16,
                    isolated: false,
                    kind: EventKind::CollateralSeizure,
                    lots: -seized,
                    qty: -qty,
                    price: oracle[k],
                    notional_usd: seized_usd,
                    mark: oracle[k],
                    bankruptcy_price: ((debt_usd - others) / q_before).max(0.0),
                    liquidation_fee_usd: bonus,
                    fund_flow_usd: fee,
                    counterparty: None,
                });
            }
        }
        any
    }

    /// Liquidators' sales due by `t`: market orders into the reserve's book; the unfilled rest
    /// waits for the next block. `true` if anything filled.
    fn sell_due(&mut self, m: &LendingModel, t: f64) -> bool {
        let mut sold = false;
        let mut waiting = VecDeque::with_capacity(self.pending.len());
        while let Some(mut s) = self.pending.pop_front() {
            if s.due_s > t + 1e-9 {
                waiting.push_back(s);
                continue;
            }
            let fill = self.books[s.reserve].execute(Side::Sell, s.lots, 1);
            if fill.filled_lots > 0 {
                let value =
                    (fill.value_lot_ticks * m.reserves[s.reserve].spec.micros_per_lot_tick() as i128) as i64;
                self.l.liquidator_cash += value;
                self.l.maker_cash -= value;
                self.l.liquidator_lots[s.reserve] -= fill.filled_lots;
                self.l.maker_lots[s.reserve] += fill.filled_lots;
                self.sale_proceeds += value;
                sold = true;
                self.sold_generation =
                    Some(self.sold_generation.map_or(s.generation, |g| g.max(s.generation)));
            }
            s.lots -= fill.filled_lots;
            if s.lots > 0 {
                waiting.push_back(s);
            }
        }
        self.pending = waiting;
        sold
    }

    fn finish(
        mut self,
        m: &LendingModel,
        with_impact: bool,
        blocks: u32,
        cap_hit: bool,
    ) -> (Outcome, LendingOutcome) {
        let n_r = m.n_reserves();
        let end: Vec<f64> = (0..n_r).map(|k| self.oracle(m, k)).collect();
        self.track(&end);
        self.oracle_path.pop();
        let after = self.oracle_after_shock.clone().unwrap_or_else(|| self.oracle_start.clone());
        let mut accounts: Vec<u32> = self.events.iter().map(|e| e.account).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let markets = (0..n_r)
            .map(|k| MarketOutcome {
                symbol: m.reserves[k].spec.symbol.clone(),
                mark_start: self.oracle_start[k],
                mark_after_shock: after[k],
                mark_end: end[k],
                mark_trough: self.trough[k],
                mark_peak: self.peak[k],
                liquidated_notional_usd: self.seized_usd_by_gen[k].iter().sum(),
                notional_by_generation: std::mem::take(&mut self.seized_usd_by_gen[k]),
                adl_notional_usd: 0.0,
                fund_unwind_usd: 0.0,
                fund_unwind_pnl_usd: 0.0,
                adl_deficit_usd: 0.0,
                adl_overshoot_usd: 0.0,
                fund_inventory_lots: 0,
                index_start: self.oracle_start[k],
                index_end: end[k],
                basis_end_bps: 0.0,
                arb_perp_bought_usd: 0.0,
                arb_perp_sold_usd: 0.0,
                book_exhausted: self.books[k].exhausted().filter(|s| *s == Side::Sell).map(|side| {
                    crate::outcome::BookExhaustion {
                        side,
                        round: blocks.saturating_sub(1),
                        time_s: blocks.saturating_sub(1) as f64 * m.rules.block_s,
                        quote_beyond_usd: end[k],
                    }
                }),
            })
            .collect();
        let unsold_usd: f64 =
            (0..n_r).map(|k| self.l.liquidator_lots[k] as f64 * m.reserves[k].spec.lot_size * end[k]).sum();
        let deficit_usd = self.l.deficit as f64 / 1e6;
        let equity = |coll: &[i64], debt: &[i64], prices: &[f64]| -> f64 {
            let c: f64 = coll
                .iter()
                .enumerate()
                .map(|(j, &q)| q as f64 * m.reserves[j % n_r].spec.lot_size * prices[j % n_r])
                .sum();
            c - debt.iter().sum::<i64>() as f64 / 1e6
        };
        let outcome = Outcome {
            with_impact,
            rounds: blocks,
            round_cap_hit: cap_hit,
            markets,
            accounts_liquidated: accounts.len() as u64,
            // No insurance fund in Aave's liquidation path: the deficit is left to the
            // Umbrella / safety module outside the run, so it is the bad debt.
            insurance_fund_start_usd: 0.0,
            insurance_fund_end_usd: 0.0,
            insurance_fund_min_usd: 0.0,
            adl_notional_usd: 0.0,
            adl_deficit_usd: 0.0,
            adl_overshoot_usd: 0.0,
            adl_counterparties: 0,
            fund_unwind_pnl_usd: 0.0,
            liquidation_retries: self.pending.len() as u64,
            bad_debt_usd: deficit_usd,
            liquidation_fees_usd: self.bonus_usd,
            accounts_equity_change_usd: equity(&self.coll, &self.debt, &end)
                - equity(&m.coll0, &m.debt0, &self.oracle_start),
            step_s: m.rules.block_s,
            mark_path: std::mem::take(&mut self.oracle_path),
            fund_path: Vec::new(),
            spot: Vec::new(),
            arbitrage_equity_change_usd: 0.0,
            index_path: Vec::new(),
            ledger: None,
            events: std::mem::take(&mut self.events),
        };
        let reserves = (0..n_r)
            .map(|k| {
                let lot = m.reserves[k].spec.lot_size;
                ReserveLending {
                    symbol: m.reserves[k].spec.symbol.clone(),
                    seized_qty: (self.l.borrower_lots_start[k] - self.l.borrower_lots[k]) as f64 * lot,
                    sold_qty: self.l.maker_lots[k] as f64 * lot,
                    unsold_qty: self.l.liquidator_lots[k] as f64 * lot,
                    treasury_qty: self.l.treasury_lots[k] as f64 * lot,
                    oracle_start: self.oracle_start[k],
                    oracle_end: end[k],
                    oracle_trough: self.trough[k],
                }
            })
            .collect();
        let lending = LendingOutcome {
            debt_start_usd: self.l.debt_start as f64 / 1e6,
            debt_repaid_by_generation: self.repaid_by_gen.iter().map(|&x| x as f64 / 1e6).collect(),
            debt_repaid_usd: self.l.repaid as f64 / 1e6,
            collateral_seized_usd: outcome.liquidated_notional_usd(),
            bonus_usd: self.bonus_usd,
            protocol_fee_usd: self.fee_usd,
            deficit_usd,
            liquidator_pnl_usd: (self.l.liquidator_cash as f64) / 1e6 + unsold_usd,
            liquidator_sale_proceeds_usd: self.sale_proceeds as f64 / 1e6,
            liquidation_calls: self.calls,
            dust_refusals: self.dust_refusals,
            blocks,
            block_s: m.rules.block_s,
            reserves,
            ledger: self.l,
        };
        (outcome, lending)
    }
}
