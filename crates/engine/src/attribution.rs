//! Generation tracing by venue: which venue's forced flow moved the price that put a position
//! under maintenance (multi-venue scenarios only; DESIGN.md "Several venues in one scenario").
//!
//! The mark of market `k` has moved from its start by three parts, each with one owner:
//!
//! - the **exogenous** part `index₀ × (L − 1)`, `L` the exogenous path's level: the shock;
//! - the **index** part `index − index₀ × L`: what the arbitrageurs' spot hedges did to the
//!   index's constituents. It is split over venues by the signed USD each venue's arbitrageurs
//!   traded on those constituents (index-weighted), counting only flow in the direction the index
//!   moved: the arbitrageurs hedged a venue's perp flow, so that venue's flow moved the index;
//! - the **basis** part `(mark − index) − (mark₀ − index₀)`: the venue's own book (its
//!   liquidations, a book shock into it, or its mark rule's inputs), owned by the market's venue.
//!
//! Of each part only its *adverse* side counts (down for a long, up for a short), in USD: the
//! position's size times the adverse move. A unit's cause is the owner with the largest adverse
//! USD summed over its open positions (a cross wallet's markets together), computed when its
//! liquidation starts, and every event of that liquidation carries it. Ties go to the exogenous
//! shock, then the lowest venue index, so the attribution is deterministic. A unit with no adverse
//! part (under maintenance from the start) is attributed to the shock.

use crate::ledger::Workspace;
use crate::model::{EngineModel, Unit};
use crate::outcome::EventCause;

impl Workspace {
    /// Adds the adverse USD move of a position of `qty` base units (signed) in market `k` to each
    /// owner's score: `scores[0]` the exogenous shock, `scores[1 + v]` venue `v`.
    fn add_cause_scores(&self, model: &EngineModel, k: usize, qty: f64, scores: &mut [f64]) {
        let n_v = model.n_venues();
        let s = qty.signum();
        let w = qty.abs();
        let adverse = |x: f64| (-s * x).max(0.0) * w;
        let level = self.price.exo_level[k];
        let static_index = model.index0[k] * level;
        scores[0] += adverse(model.index0[k] * (level - 1.0));
        let own = model.market_venue(k);
        scores[1 + own] += adverse((self.marks[k] - self.index[k]) - (model.mark0[k] - model.index0[k]));
        let d_index = self.index[k] - static_index;
        let index_adverse = adverse(d_index);
        if index_adverse <= 0.0 {
            return;
        }
        let Some(ix) = &model.price.index[k] else { return };
        let dir = d_index.signum();
        let mut shares = vec![0.0f64; n_v];
        for &(j, wj) in &ix.constituents {
            for (v, sh) in shares.iter_mut().enumerate() {
                let f = self.price.spot_flow_by_venue.get(j * n_v + v).copied().unwrap_or(0.0);
                if f * dir > 0.0 {
                    *sh += wj * f.abs();
                }
            }
        }
        let total: f64 = shares.iter().sum();
        if total > 0.0 {
            for v in 0..n_v {
                scores[1 + v] += index_adverse * shares[v] / total;
            }
        }
    }

    /// The cause of liquidating unit `u` now: the owner with the largest adverse USD move summed
    /// over the unit's open positions (a cross wallet's markets together), ties to the shock and
    /// then the lowest venue index.
    pub(crate) fn unit_cause(&self, model: &EngineModel, u: Unit) -> EventCause {
        let mut scores = vec![0.0f64; model.n_venues() + 1];
        let slots = match u.isolated_slot() {
            Some(s) => s as usize..s as usize + 1,
            None => model.positions_of(u.0),
        };
        for slot in slots {
            if self.size[slot] == 0 || (u.isolated_slot().is_none() && model.pos_isolated[slot]) {
                continue;
            }
            let k = model.pos_market[slot] as usize;
            let qty = self.size[slot] as f64 * model.markets[k].lot_size;
            self.add_cause_scores(model, k, qty, &mut scores);
        }
        let mut best = (scores[0], EventCause::Exogenous);
        for (v, &x) in scores.iter().enumerate().skip(1) {
            if x > best.0 {
                best = (x, EventCause::Venue((v - 1) as u16));
            }
        }
        best.1
    }
}
