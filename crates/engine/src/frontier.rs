//! The frontier's pending entries, woken by a bound instead of re-tested on every scan.
//!
//! A multi-market cross unit the frontier's cursor has passed waits until the per-market test
//! `used = Σ_k w_k·reach_k ≥ 1` admits it (`w_k = L_k / buffer`, [`crate::index`]). The test was
//! re-run over every pending entry whenever a market's reach grew: on the 1,000,000-account
//! bench (BTC −10%) hundreds of thousands of entries whose exposure is mostly ETH/SOL, in each
//! of ~46 rounds, a quarter of a run's time (issue 15).
//!
//! Every `reach_k` only grows during a run and every `w_k ≥ 0`, so between two scans `s` and
//! `t` `used_t − used_s = Σ_k w_k·(reach_k,t − reach_k,s) ≤ w_max·(R_t − R_s)`, with
//! `R = Σ_k reach_k` and `w_max` the entry's largest weight. An entry tested at `s` with
//! `used_s < 1` therefore cannot pass before `R` has grown by `(1 − used_s) / w_max`; it sleeps
//! in a min-heap keyed by that `R`, shortened by a slack far above the rounding of the sums
//! (ε·n_markets relative), and is re-tested, with the very same arithmetic as before, only once
//! `R` has reached its key. An entry the old loop admitted at a scan is hence popped and
//! admitted at that same scan: the admitted set of every round is unchanged, bit for bit.

use crate::model::Unit;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Slack in units of `used`, far above the rounding error of a sum of at most 64 products
/// (~1e-14 relative) and far below any buffer a test could tell apart.
const USED_SLACK: f64 = 1e-9;

/// Pending frontier entries by the total reach at which each must be re-tested.
#[derive(Debug, Clone, Default)]
pub(crate) struct PendingFrontier {
    /// `(key bits, entry)`: keys are finite and ≥ 0 or +∞, so their bits order as the keys.
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// Entries popped this scan and still waiting (re-inserted after the scan).
    again: Vec<(u64, u32)>,
}

/// The index's data one scan reads.
pub(crate) struct Scan<'a> {
    pub frontier: &'a [(f64, Unit)],
    pub weights: &'a [f64],
    pub reach: &'a [f64],
    pub max_move: f64,
    /// `Σ_k reach_k`, summed in market order.
    pub total_reach: f64,
}

impl Scan<'_> {
    /// The per-market test, exactly as the index has always computed it: `Some(used)` while
    /// the entry must keep waiting, `None` once it is admitted.
    fn waiting(&self, e: usize) -> Option<f64> {
        let n_m = self.reach.len();
        let w = &self.weights[e * n_m..(e + 1) * n_m];
        let used: f64 = w.iter().zip(self.reach).map(|(w, r)| if *r > 0.0 { w * r } else { 0.0 }).sum();
        // A unit already at or under maintenance (distance ≤ 0: no buffer to use up) is
        // checked at once: the per-market test would wait for a move it does not need.
        if used >= 1.0 || self.max_move >= 1.0 || self.frontier[e].0 <= 0.0 {
            None
        } else {
            Some(used)
        }
    }

    /// The total reach before which entry `e`, tested now at `used`, cannot pass (bits).
    fn wake_key(&self, e: usize, used: f64) -> u64 {
        let n_m = self.reach.len();
        let w = &self.weights[e * n_m..(e + 1) * n_m];
        let mut w_max = 0.0f64;
        for &x in w {
            if x.is_nan() {
                return 0;
            }
            w_max = w_max.max(x);
        }
        let need = ((1.0 - used) * (1.0 - 1e-6) - USED_SLACK) / w_max;
        let key = self.total_reach + need - USED_SLACK * (1.0 + self.total_reach);
        // NaN (0/0) or a key at or below zero: test again at the next scan.
        if key > 0.0 {
            key.to_bits()
        } else {
            0
        }
    }
}

impl PendingFrontier {
    pub fn clear(&mut self) {
        self.heap.clear();
        self.again.clear();
    }

    /// An entry the frontier's cursor just passed: admitted now or put to sleep.
    pub fn enter(&mut self, scan: &Scan<'_>, e: u32, admit: &mut impl FnMut(Unit)) {
        match scan.waiting(e as usize) {
            None => admit(scan.frontier[e as usize].1),
            Some(used) => self.heap.push(Reverse((scan.wake_key(e as usize, used), e))),
        }
    }

    /// Re-tests every entry whose key the total reach has reached.
    pub fn wake(&mut self, scan: &Scan<'_>, admit: &mut impl FnMut(Unit)) {
        let r_bits = if scan.total_reach > 0.0 { scan.total_reach.to_bits() } else { 0 };
        // A move of 100% admits everything (the edge of the bound): test them all.
        let all = scan.max_move >= 1.0 || scan.total_reach.is_nan();
        while let Some(&Reverse((key, e))) = self.heap.peek() {
            if !all && key > r_bits {
                break;
            }
            self.heap.pop();
            match scan.waiting(e as usize) {
                None => admit(scan.frontier[e as usize].1),
                Some(used) => self.again.push((scan.wake_key(e as usize, used), e)),
            }
        }
        for (key, e) in self.again.drain(..) {
            self.heap.push(Reverse((key, e)));
        }
    }
}
