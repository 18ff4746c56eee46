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
//! Of each part only its *adverse* side counts (down for a long, up for a short). The cause is
//! the owner with the largest adverse share; ties go to the exogenous shock, then the lowest venue
//! index, so the attribution is deterministic. A position whose mark has no adverse part (it was
//! under maintenance from the start) is attributed to the shock.

use crate::ledger::Workspace;
use crate::model::EngineModel;
use crate::outcome::EventCause;

impl Workspace {
    /// The cause of a liquidation of a position of sign `sign` (+1 long) in market `k`, now.
    pub(crate) fn cause_of(&self, model: &EngineModel, k: usize, sign: i64) -> EventCause {
        let n_v = model.n_venues();
        let s = sign.signum() as f64;
        let adverse = |x: f64| (-s * x).max(0.0);
        let level = self.price.exo_level[k];
        let static_index = model.index0[k] * level;
        let exo = adverse(model.index0[k] * (level - 1.0));
        let d_index = self.index[k] - static_index;
        let basis = adverse((self.marks[k] - self.index[k]) - (model.mark0[k] - model.index0[k]));
        let own = model.market_venue(k);
        let mut best = (exo, EventCause::Exogenous);
        let index_adverse = adverse(d_index);
        let mut shares = vec![0.0f64; n_v];
        if index_adverse > 0.0 {
            if let Some(ix) = &model.price.index[k] {
                let dir = d_index.signum();
                for &(j, w) in &ix.constituents {
                    for (v, sh) in shares.iter_mut().enumerate() {
                        let f = self.price.spot_flow_by_venue.get(j * n_v + v).copied().unwrap_or(0.0);
                        if f * dir > 0.0 {
                            *sh += w * f.abs();
                        }
                    }
                }
            }
        }
        let total: f64 = shares.iter().sum();
        for v in 0..n_v {
            let mut score = if total > 0.0 { index_adverse * shares[v] / total } else { 0.0 };
            if v == own {
                score += basis;
            }
            if score > best.0 {
                best = (score, EventCause::Venue(v as u16));
            }
        }
        best.1
    }
}
