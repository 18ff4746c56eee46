//! The lending cascade (`venue = "aave-v3"`): borrowers checked once a block against the oracle,
//! liquidated by `liquidationCall`s as Aave v3.3 allows, and liquidators who sell the seized
//! collateral into that asset's spot book, which moves the oracle and can liquidate the next
//! borrowers.
//!
//! This module owns the run: [`LendingModel`] (immutable, built from a
//! `liq_domain::LendingScenario`) and [`LendingModel::run`], the block loop (the per-run state and
//! the two steps of a block are `lending_state`). The protocol's maths — health
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
use crate::lending_outcome::{LendingOutcome, LendingReport};
use crate::lending_state::State;
use crate::model::EngineError;
use crate::outcome::Outcome;
use liq_domain::{ImpactKind, LendingScenario, MarketSpec, RiskLadder};
use liq_impact::{ImpactModel, PriceImpact};
use liq_margin::lending::LendingParams;

/// One collateral reserve, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Reserve {
    /// The spot book's grid (as a `MarketSpec`, the impact crate's input).
    pub spec: MarketSpec,
    pub lt: f64,
    pub bonus: f64,
    pub fee: f64,
}

/// The immutable form of a lending scenario.
#[derive(Debug, Clone)]
pub struct LendingModel {
    pub name: String,
    /// Borrower labels, scenario order (the event log's `account_label`).
    pub labels: Vec<String>,
    pub(crate) params: LendingParams,
    pub(crate) rules: liq_domain::LendingRules,
    pub(crate) reserves: Vec<Reserve>,
    pub(crate) books0: Vec<ImpactModel>,
    /// Borrowers × reserves, row-major, lots.
    pub(crate) coll0: Vec<i64>,
    pub(crate) debt0: Vec<i64>,
    pub(crate) shock: Vec<f64>,
}

/// Largest `block_cap`.
pub const MAX_BLOCKS: u32 = 2_000_000;
/// Most collateral reserves in one book (Aave v3 Ethereum Core lists about 50).
pub const MAX_RESERVES: usize = 256;

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
        // The run keeps the oracle per block: the cap bounds its memory (2M blocks = 277 days
        // of Ethereum, 9 days of Solana slots; 16 MB per reserve).
        if !(1..=MAX_BLOCKS).contains(&r.block_cap) {
            return Err(invalid(
                "lending.block_cap",
                format!("must be in 1..={MAX_BLOCKS}, got {}", r.block_cap),
            ));
        }
        if s.reserves.is_empty() || s.reserves.len() > MAX_RESERVES {
            return Err(invalid(
                "reserves",
                format!(
                    "between 1 and {MAX_RESERVES} collateral reserves are supported, got {}",
                    s.reserves.len()
                ),
            ));
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
