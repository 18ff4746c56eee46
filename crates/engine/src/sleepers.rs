//! The units a run checked safe, asleep until some market they depend on has moved far enough
//! that their buffer could be used up ([`crate::cascade`]'s `detect` has the bound).
//!
//! Per market a min-heap of `(wake-up travel, unit, sleep number)`. A unit that depends on
//! several markets sleeps in each of their heaps; when one wakes it and the check finds it safe
//! again, it goes back to sleep in all of them under a new number. The entries of its earlier
//! sleep are then superseded: the new bound was computed later, from the unit's state at that
//! check, and says it is safe for as long as every market stays below the new thresholds. So
//! an earlier entry that comes due wakes nothing: if the unit were under maintenance then, one
//! of its newer entries would be due too (or, had its state changed, it would be on the
//! workspace's recheck list). Without this, each wake-up of a unit spread over three markets
//! left two entries behind, each of which later woke it for a check the bound already answered:
//! popping and re-checking those was a tenth of a `stress` profile (issue 15).
//!
//! Skipping them changes no result: the units found under maintenance each round are the same
//! (the checks skipped are of units provably safe, and a safe check changes nothing on a path
//! run). `crates/options/tests/stress_digest.rs` pins 24 default paths bit for bit and the
//! engine's brute-force comparison tests run every unit through exact checks.

use crate::model::{EngineModel, Unit};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Index of unit `u` in `Sleepers::latest`: cross wallets first, then isolated slots.
#[inline]
fn slot(n_accounts: u32, u: Unit) -> usize {
    match u.isolated_slot() {
        Some(s) => n_accounts as usize + s as usize,
        None => u.0 as usize,
    }
}

/// The sleeping units of a run (module doc).
#[derive(Debug, Clone, Default)]
pub(crate) struct Sleepers {
    heaps: Vec<BinaryHeap<Reverse<(u64, u32, u32)>>>,
    /// Per unit (cross wallets, then isolated slots): the number of its latest sleep, 0 = none.
    latest: Vec<u32>,
    /// Units whose `latest` this run set, to clear at the next run without an O(units) pass.
    touched: Vec<u32>,
    next: u32,
    n_accounts: u32,
}

impl Sleepers {
    pub fn new(model: &EngineModel) -> Sleepers {
        Sleepers {
            heaps: vec![BinaryHeap::new(); model.n_markets()],
            latest: vec![0; model.n_accounts() + model.n_positions()],
            touched: Vec::new(),
            next: 1,
            n_accounts: model.n_accounts() as u32,
        }
    }

    /// Empties every heap for a new run.
    pub fn reset(&mut self) {
        self.heaps.iter_mut().for_each(|h| h.clear());
        for &i in &self.touched {
            self.latest[i as usize] = 0;
        }
        self.touched.clear();
        self.next = 1;
    }

    /// Puts `u` to sleep in the heap of every market `k` with bit `k` of `deps` set, until that
    /// market's travel reaches `travel[k] + theta`.
    pub fn sleep(&mut self, u: Unit, deps: u64, travel: &[f64], theta: f64) {
        let i = slot(self.n_accounts, u);
        // Numbers are per run; a run with four billion sleeps falls back to waking on every
        // entry (number 0 is never current), which is the behaviour without the numbering.
        let n = self.next;
        self.next = self.next.saturating_add(1);
        if self.latest[i] == 0 {
            self.touched.push(i as u32);
        }
        self.latest[i] = if n == u32::MAX { 0 } else { n };
        for (k, heap) in self.heaps.iter_mut().enumerate() {
            if deps & (1u64 << k.min(63)) != 0 {
                let wake = travel[k] + theta;
                heap.push(Reverse((wake.to_bits(), u.0, n)));
            }
        }
    }

    /// Appends to `out` every unit one of whose current entries `travel` has reached.
    pub fn wake(&mut self, travel: &[f64], out: &mut Vec<Unit>) {
        for (heap, &t) in self.heaps.iter_mut().zip(travel) {
            while let Some(&Reverse((wake, u, n))) = heap.peek() {
                if f64::from_bits(wake) > t {
                    break;
                }
                heap.pop();
                let latest = self.latest[slot(self.n_accounts, Unit(u))];
                if latest == 0 || latest == n {
                    out.push(Unit(u));
                }
            }
        }
    }
}
