//! Trigger detection without rescanning every account each round.
//!
//! Built once per model, shared by every run:
//! - **One-market units** (every isolated position, and every cross wallet whose equity depends
//!   on a single market's mark): their equity is affine in that mark and maintenance is piecewise
//!   linear, so the liquidation trigger is an exact price ([`liq_margin::trigger_price`]). Longs
//!   are kept per market sorted by trigger price descending, shorts ascending. A run keeps one
//!   cursor per list and, each round, advances it past the entries the current mark has reached:
//!   O(newly triggered) per round instead of O(accounts).
//! - **Multi-market cross units**: equity − maintenance at the starting marks is a buffer `B`;
//!   a relative move `r_k` of each mark changes it by at most `L × max_k |r_k|`, where
//!   `L = Σ_k (|exposure_k|·mark0_k + notional_k·mmr_k(2·notional_k))` is a Lipschitz bound
//!   valid for moves up to ±100% (maintenance margin's slope in notional is the tier's rate, and
//!   the notional at most doubles). So a unit is provably safe while `max_k |r_k| < min(B/L, 1)`; units are sorted by that distance and enter an exact watch list
//!   only once the run's largest relative move reaches it.
//!
//! Units touched during a run (partially liquidated, deleveraged) leave the static index: the
//! run puts them on its watch list and checks them exactly every round.

use crate::flatten::{BlockCount, ACCOUNTS_PER_BLOCK};
use crate::ledger::Workspace;
use crate::model::{AssetPricing, EngineModel, Unit};
use crate::price_sort::{sort_by_price, PriceOrder};
use liq_margin::{trigger_price, Trigger};
use rayon::prelude::*;

/// The blocks' lists joined in block order, allocated once at the final size.
fn concat<'a, T: Copy + 'a>(parts: impl Iterator<Item = &'a Vec<T>> + Clone) -> Vec<T> {
    let mut v = Vec::with_capacity(parts.clone().map(Vec::len).sum());
    parts.for_each(|p| v.extend_from_slice(p));
    v
}

/// The static trigger index of a model.
#[derive(Debug, Clone, Default)]
pub(crate) struct TriggerIndex {
    /// Per market: `(trigger price, unit)` of long-exposed units, descending by price.
    pub longs: Vec<Vec<(f64, Unit)>>,
    /// Per market: short-exposed units, ascending by price.
    pub shorts: Vec<Vec<(f64, Unit)>>,
    /// Multi-market cross units by safe relative distance, ascending.
    pub frontier: Vec<(f64, Unit)>,
    /// Per frontier entry (same order), per market: `L_k / buffer`, the share of the buffer a
    /// 100% move of market k alone would use (flattened, `n_markets` per entry).
    pub frontier_weights: Vec<f64>,
    /// Per market: position slots (for ADL ranking).
    pub slots_by_market: Vec<Vec<u32>>,
}

/// Per-run cursors into the index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cursors {
    pub longs: Vec<usize>,
    pub shorts: Vec<usize>,
    pub frontier: usize,
    /// Frontier entries the cursor passed whose per-market test has not admitted them yet,
    /// asleep until the total reach could let them pass ([`crate::frontier`]).
    pub pending: crate::frontier::PendingFrontier,
    /// Per market: the largest relative move from the start seen in this run.
    pub reach: Vec<f64>,
    /// Whether this run has scanned the frontier once (the first scan admits the units already
    /// under maintenance at the start, whatever the moves).
    pub scanned: bool,
}

impl Cursors {
    pub fn new(n_markets: usize) -> Self {
        Cursors {
            longs: vec![0; n_markets],
            shorts: vec![0; n_markets],
            frontier: 0,
            pending: Default::default(),
            reach: vec![0.0; n_markets],
            scanned: false,
        }
    }
    pub fn reset(&mut self) {
        self.longs.iter_mut().for_each(|c| *c = 0);
        self.shorts.iter_mut().for_each(|c| *c = 0);
        self.frontier = 0;
        self.pending.clear();
        self.reach.iter_mut().for_each(|r| *r = 0.0);
        self.scanned = false;
    }
}

impl TriggerIndex {
    /// Builds the index from a workspace holding the model's starting state (the positions'
    /// sizes, costs and margins are read from it, not from the model: the build moves the
    /// model's arrays into it rather than copying them). `counts` are the flatten's blocks and
    /// `slots_by_market` the position slots per market it wrote.
    ///
    /// Accounts are taken in the flatten's blocks on all cores (rayon): each block yields its
    /// units' trigger prices and frontier entries into lists sized by its position counts, the
    /// blocks are joined in account order, and the lists are radix-sorted on all cores
    /// ([`crate::price_sort`]): the order of a sequential stable sort by `(price, unit)`.
    pub fn build(
        model: &EngineModel,
        ws: &Workspace,
        counts: &[BlockCount],
        slots_by_market: Vec<Vec<u32>>,
    ) -> TriggerIndex {
        let n_m = model.n_markets();
        // The balances are in `ws` (the model's own arrays may be moved out meanwhile).
        let n_a = ws.wallet.len();
        let blocks: Vec<BlockEntries> = counts
            .par_iter()
            .enumerate()
            .map(|(b, c)| {
                let r = b * ACCOUNTS_PER_BLOCK..((b + 1) * ACCOUNTS_PER_BLOCK).min(n_a);
                Self::build_block(model, ws, r, c)
            })
            .collect();
        // One task per list: 2 × markets + the frontier, joined and sorted each on its own.
        let lists: Vec<(usize, bool)> = (0..n_m).flat_map(|k| [(k, true), (k, false)]).collect();
        let (sides, (frontier, frontier_weights)) = rayon::join(
            || {
                lists
                    .par_iter()
                    .map(|&(k, long)| {
                        let mut v =
                            concat(blocks.iter().map(|p| if long { &p.longs[k] } else { &p.shorts[k] }));
                        let order = if long { PriceOrder::Descending } else { PriceOrder::Ascending };
                        sort_by_price(&mut v, order, |e| e.0, |e| e.1);
                        v
                    })
                    .collect::<Vec<_>>()
            },
            || Self::sorted_frontier(&blocks, n_m),
        );
        let mut sides = sides.into_iter();
        let (mut longs, mut shorts) = (Vec::with_capacity(n_m), Vec::with_capacity(n_m));
        for _ in 0..n_m {
            longs.push(sides.next().unwrap_or_default());
            shorts.push(sides.next().unwrap_or_default());
        }
        TriggerIndex { longs, shorts, frontier, frontier_weights, slots_by_market }
    }

    /// The frontier sorted by `(distance, unit)`, each entry's weights moved with it.
    fn sorted_frontier(blocks: &[BlockEntries], n_m: usize) -> (Vec<(f64, Unit)>, Vec<f64>) {
        let mut numbered: Vec<(f64, Unit, u32)> =
            Vec::with_capacity(blocks.iter().map(|b| b.frontier.len()).sum());
        for (i, &(d, u)) in blocks.iter().flat_map(|b| &b.frontier).enumerate() {
            numbered.push((d, u, i as u32));
        }
        sort_by_price(&mut numbered, PriceOrder::Ascending, |e| e.0, |e| e.1);
        let weights_in_build_order = concat(blocks.iter().map(|b| &b.frontier_weights));
        let mut weights = Vec::with_capacity(weights_in_build_order.len());
        for &(_, _, i) in &numbered {
            let i = i as usize;
            weights.extend_from_slice(&weights_in_build_order[i * n_m..(i + 1) * n_m]);
        }
        (numbered.into_iter().map(|(d, u, _)| (d, u)).collect(), weights)
    }

    /// The unsorted index entries of accounts `accounts` (`count` their flatten block's).
    fn build_block(
        model: &EngineModel,
        ws: &Workspace,
        accounts: std::ops::Range<usize>,
        count: &BlockCount,
    ) -> BlockEntries {
        let n_m = model.n_markets();
        // A market's long or short list gets at most one entry per position in it.
        let mut idx = BlockEntries {
            longs: (0..n_m).map(|k| Vec::with_capacity(count.per_market[k])).collect(),
            shorts: (0..n_m).map(|k| Vec::with_capacity(count.per_market[k])).collect(),
            frontier: Vec::new(),
            frontier_weights: Vec::new(),
        };
        let mut deps: Vec<usize> = Vec::with_capacity(4);
        for a in accounts.start as u32..accounts.end as u32 {
            for s in model.positions_of(a) {
                if model.pos_isolated[s] {
                    let k = model.pos_market[s] as usize;
                    let spec = &model.markets[k];
                    let q = ws.size[s] as f64 * spec.lot_size;
                    let fixed = (ws.iso_margin[s] - ws.cost[s]) as f64 * 1e-6;
                    idx.insert_1d(k, Unit::isolated(s as u32), trigger_price(q, q, fixed, &spec.ladder));
                }
            }
            // Cross wallet: which marks does its equity depend on?
            deps.clear();
            let mut has_cross_position = false;
            for s in model.positions_of(a) {
                if !model.pos_isolated[s] {
                    has_cross_position = true;
                    let k = model.pos_market[s] as usize;
                    if !deps.contains(&k) {
                        deps.push(k);
                    }
                }
            }
            if !has_cross_position {
                continue;
            }
            for c in model.collateral_of(a) {
                if let AssetPricing::Market(k) = model.asset_pricing[model.coll_asset[c] as usize] {
                    if !deps.contains(&k) {
                        deps.push(k);
                    }
                }
            }
            let u = Unit::cross(a);
            let cross_positions_in = |k: usize| {
                model
                    .positions_of(a)
                    .filter(move |&s| !model.pos_isolated[s] && model.pos_market[s] as usize == k)
            };
            if deps.len() == 1 && cross_positions_in(deps[0]).count() == 1 {
                let k = deps[0];
                let s = cross_positions_in(k).next().unwrap_or(0);
                let spec = &model.markets[k];
                let q = ws.size[s] as f64 * spec.lot_size;
                let (equity, _) = ws.unit_margin(model, u);
                let exposure = ws.unit_exposure(model, u, k);
                let fixed = equity - exposure * model.mark0[k];
                idx.insert_1d(k, u, trigger_price(q, exposure, fixed, &spec.ladder));
            } else {
                let (equity, mm) = ws.unit_margin(model, u);
                let buffer = equity - mm;
                let mut lipschitz = 0.0;
                let weights_at = idx.frontier_weights.len();
                idx.frontier_weights.resize(weights_at + n_m, 0.0);
                for &k in &deps {
                    // Maintenance margin's slope while the notional at most doubles is the rate of
                    // the tier at twice the notional.
                    let spec = &model.markets[k];
                    let notional: f64 = cross_positions_in(k)
                        .map(|s| (ws.size[s] as f64 * spec.lot_size).abs() * model.mark0[k])
                        .sum();
                    let l_k = ws.unit_exposure(model, u, k).abs() * model.mark0[k]
                        + notional * spec.ladder.tier(2.0 * notional).mmr;
                    lipschitz += l_k;
                    idx.frontier_weights[weights_at + k] =
                        if buffer > 0.0 { l_k / buffer } else { f64::INFINITY };
                }
                // Capped at a 100% move, the range over which the slope bound holds.
                let distance = if lipschitz > 0.0 { (buffer / lipschitz).min(1.0) } else { 1.0 };
                idx.frontier.push((distance, u));
            }
        }
        idx
    }
}

/// One block's unsorted index entries.
struct BlockEntries {
    longs: Vec<Vec<(f64, Unit)>>,
    shorts: Vec<Vec<(f64, Unit)>>,
    frontier: Vec<(f64, Unit)>,
    frontier_weights: Vec<f64>,
}

impl BlockEntries {
    fn insert_1d(&mut self, k: usize, u: Unit, t: Trigger) {
        match t {
            Trigger::AtOrBelow(p) => self.longs[k].push((p, u)),
            Trigger::AtOrAbove(p) => self.shorts[k].push((p, u)),
            Trigger::Never => {}
        }
    }
}

impl TriggerIndex {
    /// Appends to `out` every unit the current marks may have triggered since the last call:
    /// one-market units whose exact trigger the mark has reached, and multi-market units whose
    /// safe distance the largest relative move has reached (those join the watch list). Units
    /// already on the watch list are skipped (the watch list checks them).
    pub fn advance(&self, model: &EngineModel, ws: &mut Workspace, cur: &mut Cursors, out: &mut Vec<Unit>) {
        for k in 0..model.n_markets() {
            let m = ws.marks[k];
            let longs = &self.longs[k];
            while cur.longs[k] < longs.len() && m <= longs[cur.longs[k]].0 {
                let u = longs[cur.longs[k]].1;
                cur.longs[k] += 1;
                if ws.watch_unit(u) {
                    out.push(u);
                }
            }
            let shorts = &self.shorts[k];
            while cur.shorts[k] < shorts.len() && m >= shorts[cur.shorts[k]].0 {
                let u = shorts[cur.shorts[k]].1;
                cur.shorts[k] += 1;
                if ws.watch_unit(u) {
                    out.push(u);
                }
            }
        }
        let n_m = model.n_markets();
        let mut reached_further = false;
        for k in 0..n_m {
            let reach = cur.reach[k].max((ws.marks[k] / model.mark0[k] - 1.0).abs());
            // `!=` and not `>`: a NaN counts as a change, so the scan below runs.
            reached_further |= reach != cur.reach[k];
            cur.reach[k] = reach;
        }
        // The frontier's cursor and the pending entries' tests read only `reach`: with every
        // market's reach as in the last scan, that scan's answer stands (no entry passed, none
        // admitted), so it is not repeated. A random walk sets a new extreme in a few dozen of
        // a path's 900 steps, and the pending list was re-tested in every one (issue 15).
        if cur.scanned && !reached_further {
            return;
        }
        cur.scanned = true;
        let max_move = cur.reach.iter().copied().fold(0.0, f64::max);
        // The cursor passes every unit whose distance the largest move has reached (max-norm
        // test); those then wait in `pending` until the per-market test, Σ_k reach_k·L_k/buffer
        // ≥ 1, says the moves could have used their buffer (or a move reaches 100%, the edge of
        // the bound). Both tests are sufficient for safety; the second is much tighter for a unit
        // whose exposure is spread over markets that did not move.
        let scan = crate::frontier::Scan {
            frontier: &self.frontier,
            weights: &self.frontier_weights,
            reach: &cur.reach,
            max_move,
            total_reach: cur.reach.iter().sum(),
        };
        let mut admit = |u: Unit| {
            if ws.watch_unit(u) {
                out.push(u);
            }
        };
        // Entries already waiting first, then those the cursor passes now: each entry is tested
        // at most once per scan, as before, and `out` is put in canonical order by the caller.
        cur.pending.wake(&scan, &mut admit);
        while cur.frontier < self.frontier.len() && self.frontier[cur.frontier].0 <= max_move {
            cur.pending.enter(&scan, cur.frontier as u32, &mut admit);
            cur.frontier += 1;
        }
    }
}
