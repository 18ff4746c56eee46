//! Margin units seen from outside the engine: for every isolated position and every cross wallet
//! with positions, its equity and maintenance at the starting marks and how they change when one
//! market's mark moves. Built only from the engine's read-only API (`positions()`,
//! `start_margins()`, `account_collateral`, `asset_market`), so the analyses never reach into the
//! engine's arrays.
//!
//! Equity is affine in each mark: `equity(m) = equity0 + Σ_k exposure_k·(m_k − m0_k)`, where
//! `exposure_k` is the unit's position size in market k plus collateral priced at k after its
//! haircut. The engine does not expose haircuts, so the after-haircut value of one unit of each
//! volatile asset is recovered from accounts holding that asset alone: their start equity minus
//! wallet and position P&L, divided by the quantity (median over up to 64 such accounts). With no
//! such account the haircut is taken as 0 (the most sensitive case); an engine accessor for the
//! haircut would remove this inference.

use liq_engine::EngineModel;
use liq_margin::{trigger_price, Trigger};
use rayon::prelude::*;

/// One margin unit at the start.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitView {
    pub account: u32,
    /// The isolated position slot, or `None` for the account's cross wallet.
    pub isolated_slot: Option<u32>,
    /// Equity at the starting marks, USD.
    pub equity0: f64,
    /// Maintenance margin at the starting marks, USD.
    pub maint0: f64,
    /// `(market, signed size in base units)` of each open position of the unit.
    pub positions: Vec<(usize, f64)>,
    /// `(market, d equity / d mark)` for every market the equity depends on.
    pub exposure: Vec<(usize, f64)>,
}

impl UnitView {
    /// Sensitivity of equity to market `k`'s mark.
    pub fn exposure_to(&self, k: usize) -> f64 {
        self.exposure.iter().filter(|e| e.0 == k).map(|e| e.1).sum()
    }

    /// Whether the unit's margin depends on one market only, through one position there (the
    /// case the closed-form trigger covers exactly).
    pub fn single_market(&self) -> Option<usize> {
        let k = self.positions.first()?.0;
        (self.positions.len() == 1 && self.exposure.iter().all(|e| e.0 == k)).then_some(k)
    }

    /// Equity minus maintenance when market `k`'s mark is `m` and every other mark is unchanged.
    pub fn buffer_at(&self, model: &EngineModel, k: usize, m: f64) -> f64 {
        let m0 = model.mark0[k];
        let equity = self.equity0 + self.exposure_to(k) * (m - m0);
        let mut maint = self.maint0;
        let ladder = &model.markets[k].ladder;
        for &(pk, q) in &self.positions {
            if pk == k {
                maint += ladder.maintenance_margin(q * m) - ladder.maintenance_margin(q * m0);
            }
        }
        equity - maint
    }

    /// The mark of market `k` (others unchanged) at which the unit reaches maintenance.
    /// One-market units use the closed form of `liq_margin::trigger_price`; the others bisect
    /// the buffer, which is piecewise linear in the mark, between the starting mark and the far
    /// end of the search range (0, or `max_up` × the mark for short exposure).
    pub fn trigger(&self, model: &EngineModel, k: usize, max_up: f64) -> Trigger {
        let m0 = model.mark0[k];
        if self.single_market() == Some(k) {
            let q = self.positions[0].1;
            let x = self.exposure_to(k);
            return trigger_price(q, x, self.equity0 - x * m0, &model.markets[k].ladder);
        }
        if self.buffer_at(model, k, m0) < 0.0 {
            // Already under maintenance at the start (the engine liquidates it in round 0).
            return if self.exposure_to(k) >= 0.0 { Trigger::AtOrBelow(m0) } else { Trigger::AtOrAbove(m0) };
        }
        let down = self.buffer_at(model, k, 0.0);
        let up = self.buffer_at(model, k, m0 * max_up);
        // Search the side on which the buffer falls below zero; down first (the usual crash).
        if down < 0.0 {
            Trigger::AtOrBelow(bisect(|m| self.buffer_at(model, k, m), 0.0, m0))
        } else if up < 0.0 {
            Trigger::AtOrAbove(bisect(|m| self.buffer_at(model, k, m), m0 * max_up, m0))
        } else {
            Trigger::Never
        }
    }
}

/// Root of `f` between `bad` (f < 0) and `good` (f ≥ 0): returns the point closest to `good`
/// where f < 0 up to 1e-10 relative, i.e. the trigger mark.
fn bisect(f: impl Fn(f64) -> f64, mut bad: f64, mut good: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (bad + good);
        if f(mid) < 0.0 {
            bad = mid;
        } else {
            good = mid;
        }
        if (bad - good).abs() <= 1e-12 * good.abs().max(1.0) {
            break;
        }
    }
    0.5 * (bad + good)
}

/// Every margin unit with an open position, isolated ones and cross wallets.
pub fn unit_views(model: &EngineModel) -> Vec<UnitView> {
    let margins = model.start_margins();
    let coll_factor = collateral_factors(model, &margins);
    // Each unit's view depends on that unit alone, and rayon's `collect` keeps the input order:
    // the same vector on any thread count. In parallel because `run` builds it for every unit
    // of the book to print one line (`shock_side_line`): on 1,000,000 units its two small
    // vectors each were 7% of the whole process.
    margins
        .into_par_iter()
        .filter_map(|(u, equity0, maint0)| {
            if let Some(slot) = u.isolated_slot() {
                let p = model.position(slot);
                return Some(UnitView {
                    account: p.account,
                    isolated_slot: Some(slot),
                    equity0,
                    maint0,
                    positions: vec![(p.market, p.qty)],
                    exposure: vec![(p.market, p.qty)],
                });
            }
            let a = u.cross_account()?;
            let mut positions = Vec::new();
            let mut exposure: Vec<(usize, f64)> = Vec::new();
            for s in model.account_positions(a) {
                let p = model.position(s as u32);
                if !p.isolated {
                    positions.push((p.market, p.qty));
                    add(&mut exposure, p.market, p.qty);
                }
            }
            if positions.is_empty() {
                return None;
            }
            for (asset, qty) in model.account_collateral(a) {
                if let Some(k) = model.asset_market(asset) {
                    add(&mut exposure, k, qty * coll_factor[asset]);
                }
            }
            Some(UnitView { account: a, isolated_slot: None, equity0, maint0, positions, exposure })
        })
        .collect()
}

/// [`unit_views`]'s view of one unit written into `view`, reusing its vectors (a pass that looks
/// at each unit once and keeps nothing: [`crate::concentration::concentration_in`]); `false`
/// for a cross wallet without positions, which has no view. The same values as
/// [`unit_views`] builds (a test compares them on every unit of the default).
pub(crate) fn fill_view(
    model: &EngineModel,
    coll_factor: &[f64],
    (u, equity0, maint0): (liq_engine::Unit, f64, f64),
    view: &mut UnitView,
) -> bool {
    view.equity0 = equity0;
    view.maint0 = maint0;
    view.positions.clear();
    view.exposure.clear();
    if let Some(slot) = u.isolated_slot() {
        let p = model.position(slot);
        view.account = p.account;
        view.isolated_slot = Some(slot);
        view.positions.push((p.market, p.qty));
        view.exposure.push((p.market, p.qty));
        return true;
    }
    let Some(a) = u.cross_account() else { return false };
    view.account = a;
    view.isolated_slot = None;
    for s in model.account_positions(a) {
        let p = model.position(s as u32);
        if !p.isolated {
            view.positions.push((p.market, p.qty));
            add(&mut view.exposure, p.market, p.qty);
        }
    }
    if view.positions.is_empty() {
        return false;
    }
    for (asset, qty) in model.account_collateral(a) {
        if let Some(k) = model.asset_market(asset) {
            add(&mut view.exposure, k, qty * coll_factor[asset]);
        }
    }
    true
}

fn add(v: &mut Vec<(usize, f64)>, k: usize, x: f64) {
    match v.iter_mut().find(|e| e.0 == k) {
        Some(e) => e.1 += x,
        None => v.push((k, x)),
    }
}

/// `1 − haircut` of each market-priced asset, inferred as the module doc explains (1.0 for
/// fixed-price assets and when nothing can be inferred).
pub(crate) fn collateral_factors(model: &EngineModel, margins: &[(liq_engine::Unit, f64, f64)]) -> Vec<f64> {
    let n_assets = (0..model.n_accounts() as u32)
        .flat_map(|a| model.account_collateral(a).map(|(asset, _)| asset + 1))
        .max()
        .unwrap_or(0);
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); n_assets];
    for &(u, equity0, _) in margins {
        let Some(a) = u.cross_account() else { continue };
        let mut coll = model.account_collateral(a);
        let (Some((asset, qty)), None) = (coll.next(), coll.next()) else { continue };
        let Some(k) = model.asset_market(asset) else { continue };
        if qty <= 0.0 || samples[asset].len() >= 64 {
            continue;
        }
        let mut pnl = 0.0;
        for s in model.account_positions(a) {
            let p = model.position(s as u32);
            if !p.isolated {
                pnl += p.qty * model.mark0[p.market] - p.cost_usd;
            }
        }
        let value = equity0 - model.wallet_usd(a) - pnl;
        samples[asset].push(value / (qty * model.mark0[k]));
    }
    samples
        .into_iter()
        .map(|mut s| {
            if s.is_empty() {
                return 1.0;
            }
            s.sort_by(f64::total_cmp);
            s[s.len() / 2].clamp(0.0, 1.0)
        })
        .collect()
}
