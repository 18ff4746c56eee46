//! Per-account risk: where each account is liquidated and what one cascade run did to it.
//!
//! Before the run, from the margin units ([`crate::units`]): the liquidation price of each
//! position (the mark of its market at which its unit reaches maintenance, every other mark
//! unchanged) and its distance from the mark; for a cross wallet holding several markets also the
//! *common move*, the one relative move of every mark together that liquidates it (the usual
//! shape of a crypto sell-off, where BTC, ETH and SOL fall together). After the run, from the
//! event log: the first generation in which the account was liquidated, the notional liquidated,
//! the size ADL closed against it as a counterparty, the flows between it and the insurance fund,
//! and the P&L the closes realised against the starting marks.
//!
//! Sign conventions (the same as the event log): P&L and equity change are positive for a gain;
//! a distance is the relative move of the mark to the trigger (−0.05 = the mark falling 5%);
//! `fund_flow_usd` is positive into the fund.

use crate::units::UnitView;
use liq_engine::{EngineModel, EventKind, Outcome};
use liq_margin::Trigger;
use serde::Serialize;

/// A position's liquidation level as the run starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionRisk {
    pub market: String,
    /// Signed size in base units (negative = short).
    pub qty: f64,
    pub isolated: bool,
    pub mark: f64,
    /// The mark at which the position's margin unit is liquidated, this market moving alone;
    /// `None` if no mark of this market liquidates it.
    pub liquidation_price: Option<f64>,
    /// `liquidation_price / mark − 1` (0 for a unit already under maintenance).
    pub distance: Option<f64>,
}

/// One account: its levels before the run and what the run did to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRisk {
    pub account: String,
    pub positions: Vec<PositionRisk>,
    /// Cross wallets in more than one market: the common relative move of every mark that
    /// liquidates the wallet, the smaller in size of the move down and the move up.
    pub cross_common_move: Option<f64>,
    /// The smallest move (in size, signed) that liquidates any unit of the account.
    pub nearest_move: Option<f64>,
    /// The first generation in which the account was liquidated, if it was.
    pub generation: Option<u32>,
    /// Notional closed from the account's liquidated units (book fills, takeovers, ADL), USD.
    pub liquidated_notional_usd: f64,
    /// Base units ADL closed from the account's positions as a counterparty (absolute).
    pub adl_closed_qty: f64,
    pub adl_closed_notional_usd: f64,
    /// Liquidation fees the account paid, USD.
    pub liquidation_fees_usd: f64,
    /// Net flow from the account's liquidations into the insurance fund, USD (the event log's
    /// `fund_flow_usd` summed over the account's events).
    pub fund_flow_usd: f64,
    /// P&L realised by the run's closes of the account's positions, against the starting marks:
    /// `Σ −Δq·(fill − mark0)` over its closes (as liquidated account and as ADL counterparty),
    /// minus fees, minus the equity it left to the fund, plus the cover the fund paid into it.
    pub realised_pnl_usd: f64,
    /// `realised_pnl_usd` plus the positions still open at the end valued at the end marks
    /// (collateral held is revalued separately by the engine's ledger and not included here).
    pub position_pnl_usd: f64,
}

/// The per-account view of a run. `units` are [`crate::units::unit_views`] of `model`; `outcome`
/// is the run with impact (`CascadeReport::outcome`).
pub fn account_risk(model: &EngineModel, units: &[UnitView], outcome: &Outcome) -> Vec<AccountRisk> {
    let n = model.n_accounts();
    let mut out: Vec<AccountRisk> = (0..n)
        .map(|a| AccountRisk {
            account: model.labels[a].to_string(),
            positions: Vec::new(),
            cross_common_move: None,
            nearest_move: None,
            generation: None,
            liquidated_notional_usd: 0.0,
            adl_closed_qty: 0.0,
            adl_closed_notional_usd: 0.0,
            liquidation_fees_usd: 0.0,
            fund_flow_usd: 0.0,
            realised_pnl_usd: 0.0,
            position_pnl_usd: 0.0,
        })
        .collect();
    for u in units {
        let r = &mut out[u.account as usize];
        for &(k, qty) in &u.positions {
            let m0 = model.mark0[k];
            let (price, distance) = match u.trigger(model, k, 10.0) {
                Trigger::AtOrBelow(p) => (Some(p.min(m0)), Some(p.min(m0) / m0 - 1.0)),
                Trigger::AtOrAbove(p) => (Some(p.max(m0)), Some(p.max(m0) / m0 - 1.0)),
                Trigger::Never => (None, None),
            };
            r.positions.push(PositionRisk {
                market: model.markets[k].symbol.clone(),
                qty,
                isolated: u.isolated_slot.is_some(),
                mark: m0,
                liquidation_price: price,
                distance,
            });
            r.nearest_move = nearer(r.nearest_move, distance);
        }
        if u.isolated_slot.is_none() && u.positions.len() > 1 {
            r.cross_common_move = common_move(model, u);
            r.nearest_move = nearer(r.nearest_move, r.cross_common_move);
        }
    }
    // Remaining size per position slot after the run, to value what is still open.
    let mut remaining: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for p in model.positions() {
        remaining[p.account as usize].push((p.market, p.qty));
    }
    let close = |r: &mut AccountRisk, rem: &mut Vec<(usize, f64)>, k: usize, dq: f64, px: f64| {
        r.realised_pnl_usd += -dq * (px - model.mark0[k]);
        if let Some(e) = rem.iter_mut().find(|e| e.0 == k) {
            e.1 += dq;
        }
    };
    for e in &outcome.events {
        let a = e.account as usize;
        let k = e.market as usize;
        out[a].liquidation_fees_usd += e.liquidation_fee_usd;
        out[a].realised_pnl_usd -= e.liquidation_fee_usd;
        match e.kind {
            EventKind::SurplusToFund | EventKind::FundCover => {
                out[a].fund_flow_usd += e.fund_flow_usd;
                out[a].realised_pnl_usd -= e.fund_flow_usd;
            }
            kind => {
                debug_assert!(kind.liquidates());
                out[a].fund_flow_usd += e.liquidation_fee_usd;
                out[a].liquidated_notional_usd += e.notional_usd;
                out[a].generation = Some(out[a].generation.map_or(e.generation, |g| g.min(e.generation)));
                close(&mut out[a], &mut remaining[a], k, e.qty, e.price);
                if let (EventKind::Adl, Some(c)) = (kind, e.counterparty) {
                    let c = c as usize;
                    out[c].adl_closed_qty += e.qty.abs();
                    out[c].adl_closed_notional_usd += e.notional_usd;
                    // The counterparty's position moves the other way at the same price.
                    close(&mut out[c], &mut remaining[c], k, -e.qty, e.price);
                }
            }
        }
    }
    for (a, r) in out.iter_mut().enumerate() {
        let open: f64 =
            remaining[a].iter().map(|&(k, q)| q * (outcome.markets[k].mark_end - model.mark0[k])).sum();
        r.position_pnl_usd = r.realised_pnl_usd + open;
    }
    out
}

/// The smaller in size of two signed moves.
fn nearer(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.abs() < x.abs() { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Equity minus maintenance of a unit when every mark it depends on moves by `x` (relative).
fn buffer_common(model: &EngineModel, u: &UnitView, x: f64) -> f64 {
    let mut b = u.equity0 - u.maint0;
    for &(k, e) in &u.exposure {
        b += e * model.mark0[k] * x;
    }
    for &(k, q) in &u.positions {
        let ladder = &model.markets[k].ladder;
        let m0 = model.mark0[k];
        b -= ladder.maintenance_margin(q * m0 * (1.0 + x)) - ladder.maintenance_margin(q * m0);
    }
    b
}

/// The common relative move that liquidates a cross unit: the buffer is a linear function minus
/// a convex one (maintenance is convex in notional), so it is concave in the move and the moves
/// that keep it above maintenance form one interval around 0; each end is found by bisection
/// (down to −99%, up to +900%, the bounds of `--shock`).
fn common_move(model: &EngineModel, u: &UnitView) -> Option<f64> {
    if buffer_common(model, u, 0.0) < 0.0 {
        return Some(0.0);
    }
    let root = |far: f64| -> Option<f64> {
        if buffer_common(model, u, far) >= 0.0 {
            return None;
        }
        let (mut bad, mut good) = (far, 0.0);
        for _ in 0..200 {
            let mid = 0.5 * (bad + good);
            if buffer_common(model, u, mid) < 0.0 {
                bad = mid;
            } else {
                good = mid;
            }
            if (bad - good).abs() < 1e-12 {
                break;
            }
        }
        Some(0.5 * (bad + good))
    };
    nearer(root(-0.99), root(9.0))
}

/// Accounts ordered riskiest first: those the run liquidated (earliest generation first, then
/// the larger loss), then the others by the size of the move that would liquidate them; accounts
/// with no position last.
pub fn riskiest_first(risks: &[AccountRisk]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..risks.len()).collect();
    let key = |r: &AccountRisk| -> (u8, f64, f64) {
        match (r.generation, r.nearest_move) {
            (Some(g), _) => (0, g as f64, r.position_pnl_usd),
            (None, Some(m)) => (1, m.abs(), 0.0),
            (None, None) => (2, 0.0, 0.0),
        }
    };
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(&risks[a]), key(&risks[b]));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(ka.2.total_cmp(&kb.2)).then(a.cmp(&b))
    });
    order
}
