//! The discrete-event scheduler: a binary heap of events keyed by (time in ns, sequence number).
//!
//! The sequence number is assigned at scheduling, so two events at the same nanosecond run in
//! the order they were scheduled, whatever the heap's internal layout: a run is a pure function
//! of its seed. Latencies are drawn per agent from the agent's own random stream, so adding an
//! agent does not shift the draws of the others.

use crate::config::LatencyCfg;
use rand::Rng;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Nanoseconds since the start of the run.
pub type Nanos = u64;

/// What happens when an event comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// The index takes its next step.
    IndexTick,
    /// The venue recomputes the mark and runs its liquidation engine.
    MarkTick,
    /// The 1-second sampler (price path, spread, depth, realised volatility).
    Sample,
    /// An agent wakes up to decide.
    Wake(u32),
    /// A message sent earlier reaches the venue (index into the message slab).
    Arrive(u32),
    /// A liquidated leveraged trader comes back with a new position (account number).
    Reopen(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    time: Nanos,
    seq: u64,
    what: What,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the heap pops the earliest (time, seq) first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The event queue.
#[derive(Debug, Default)]
pub struct Scheduler {
    heap: BinaryHeap<Entry>,
    seq: u64,
    now: Nanos,
    popped: u64,
}

impl Scheduler {
    pub fn new() -> Scheduler {
        Scheduler { heap: BinaryHeap::with_capacity(4096), seq: 0, now: 0, popped: 0 }
    }

    /// Schedules `what` at absolute time `at` (never before now).
    #[inline]
    pub fn at(&mut self, at: Nanos, what: What) {
        self.seq += 1;
        self.heap.push(Entry { time: at.max(self.now), seq: self.seq, what });
    }

    /// Schedules `what` after `delay` ns.
    #[inline]
    pub fn after(&mut self, delay: Nanos, what: What) {
        self.at(self.now.saturating_add(delay), what);
    }

    /// The next event due at or before `until`, advancing the clock to it.
    #[inline]
    pub fn pop(&mut self, until: Nanos) -> Option<(Nanos, What)> {
        let e = self.heap.peek()?;
        if e.time > until {
            return None;
        }
        let e = self.heap.pop()?;
        self.now = e.time;
        self.popped += 1;
        Some((e.time, e.what))
    }

    #[inline]
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// Events processed so far.
    pub fn processed(&self) -> u64 {
        self.popped
    }
}

/// Draws a latency in ns: fixed + uniform jitter.
#[inline]
pub fn latency(cfg: &LatencyCfg, rng: &mut impl Rng) -> Nanos {
    let j = if cfg.jitter_us > 0.0 { rng.random::<f64>() * cfg.jitter_us } else { 0.0 };
    ((cfg.fixed_us + j) * 1_000.0) as Nanos
}

/// Seconds → ns.
#[inline]
pub fn secs(s: f64) -> Nanos {
    (s.max(0.0) * 1e9) as Nanos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_scheduling_order() {
        let mut s = Scheduler::new();
        s.at(20, What::Wake(1));
        s.at(10, What::Wake(2));
        s.at(20, What::Wake(3));
        s.at(10, What::Wake(4));
        let order: Vec<_> = std::iter::from_fn(|| s.pop(u64::MAX)).collect();
        assert_eq!(
            order,
            vec![(10, What::Wake(2)), (10, What::Wake(4)), (20, What::Wake(1)), (20, What::Wake(3))]
        );
        // Nothing past the horizon.
        s.at(30, What::Sample);
        assert_eq!(s.pop(29), None);
        assert_eq!(s.processed(), 4);
    }
}
