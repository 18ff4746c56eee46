//! The running deficit of one side of an [`crate::book::L2Book`] against its full depth, kept
//! between resilience steps so that `recover` does not re-sum every materialised level each
//! round (issue 15: `recover` was the largest item of a `stress` profile, 19% of the CPU, because
//! a book a liquidation walked deep carries thousands of materialised levels through every
//! later step of the path).
//!
//! What it caches, for the levels `k < hi` it covers and the multiplier whose bits it was
//! computed under:
//! - `missing = Σ_k max(full_k − depth_k, 0)`, the number `recover` decays;
//! - `gap_hi`, a level such that no covered level `k ≥ gap_hi` has `depth_k < full_k`, so the
//!   refill, which closes the hole from its outer edge inwards, can start there instead of at
//!   the last materialised level.
//!
//! Both are integers updated exactly at every change of a covered level (a walk's take, a
//! refill), levels materialised since are summed when `recover` next runs, and anything else
//! that rewrites depth (withdrawal, restoring a book) invalidates the cache, which is then
//! rebuilt from the levels. So `recover` computes the same integers as a full re-sum and the
//! book's results are bit-identical; `crates/impact/tests/deficit_cache.rs` checks that against
//! a fresh re-sum after random walks, withdrawals and recoveries.

/// The cached deficit of one ladder (module doc).
#[derive(Debug, Clone, Default)]
pub(crate) struct Deficit {
    valid: bool,
    m_bits: u64,
    /// Levels `0..hi` are covered.
    hi: usize,
    missing: i64,
    gap_hi: usize,
    /// Pure functions of their keys, memoised (valid whatever `valid` says): `exp(−dt/τ)` for
    /// `(dt, τ)` bits, and `round(missing × decay)` for `(missing, decay bits)`. A walked side
    /// keeps a deficit of a few lots that `round` never decays (`m·(1 − e^(−dt/τ)) < ½`), so
    /// the same product was rounded again every round; libm's `exp` and `round` were 8% of a
    /// `stress` profile.
    decay_key: (u64, u64),
    decay: f64,
    kept_key: (i64, u64),
    kept: i64,
    /// The book's rest mark (crate::book, "A book at rest"); used on the bid side only.
    pub rest: AtRest,
}

impl Deficit {
    /// Something rewrote depth in a way the cache does not follow: rebuild at the next use.
    #[inline]
    pub fn invalidate(&mut self) {
        self.valid = false;
    }

    /// A walk took `take` lots from level `k`, which held `before`; `full` is that level's full
    /// depth if the full-depth cache holds it. Levels the cache does not cover yet are summed
    /// when it is next brought up to date.
    #[inline]
    pub fn on_take(&mut self, k: usize, before: i64, take: i64, full: Option<i64>) {
        if !self.valid || k >= self.hi {
            return;
        }
        let Some(f) = full else {
            self.valid = false;
            return;
        };
        self.missing += (f - (before - take)).max(0) - (f - before).max(0);
        self.gap_hi = self.gap_hi.max(k + 1);
    }

    /// Brings the cache up to date for levels `0..full.len()` under the multiplier with bits
    /// `m_bits`, and returns `(missing, gap_hi)`.
    pub fn update(&mut self, m_bits: u64, full: &[i64], depth: &[i64]) -> (i64, usize) {
        debug_assert_eq!(full.len(), depth.len());
        let hi = full.len();
        if !self.valid || self.m_bits != m_bits || self.hi > hi {
            self.valid = true;
            self.m_bits = m_bits;
            self.hi = 0;
            self.missing = 0;
            self.gap_hi = 0;
        }
        for k in self.hi..hi {
            let gap = full[k] - depth[k];
            if gap > 0 {
                self.missing += gap;
                self.gap_hi = k + 1;
            }
        }
        self.hi = hi;
        (self.missing, self.gap_hi)
    }

    /// `exp(−dt_s / tau_s)` (0 for τ = 0), memoised.
    #[inline]
    pub fn decay(&mut self, dt_s: f64, tau_s: f64) -> f64 {
        let key = (dt_s.to_bits(), tau_s.to_bits());
        if self.decay_key != key || self.decay_key == (0, 0) {
            self.decay_key = key;
            self.decay = if tau_s == 0.0 { 0.0 } else { (-dt_s / tau_s).exp() };
        }
        self.decay
    }

    /// `round(missing × decay)` as an integer, memoised.
    #[inline]
    pub fn kept(&mut self, missing: i64, decay: f64) -> i64 {
        let key = (missing, decay.to_bits());
        if self.kept_key != key || self.kept_key == (0, 0) {
            self.kept_key = key;
            self.kept = (missing as f64 * decay).round() as i64;
        }
        self.kept
    }

    /// The refill added `added` lots in total and looked at levels down to `lowest` (inclusive):
    /// every level above `lowest` it passed is now full.
    #[inline]
    pub fn after_refill(&mut self, added: i64, lowest: usize) {
        self.missing -= added;
        self.gap_hi = self.gap_hi.min(lowest + 1);
    }
}

/// The length (bits) of a resilience step that left its book unchanged, if nothing has changed
/// the book since (crate::book, "A book at rest").
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AtRest(Option<u64>);

impl AtRest {
    #[inline]
    pub fn holds(&self, dt_s: f64) -> bool {
        self.0 == Some(dt_s.to_bits())
    }
    #[inline]
    pub fn set(&mut self, dt_s: f64) {
        self.0 = Some(dt_s.to_bits());
    }
    #[inline]
    pub fn clear(&mut self) {
        self.0 = None;
    }
}

/// Knowing that the book is at rest is not part of its state.
impl PartialEq for AtRest {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A cache is not part of the book's state: two books are equal whatever either has cached.
impl PartialEq for Deficit {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::Deficit;

    /// Hand-worked: full [5, 5, 5], depth [0, 3, 5] → missing 5 + 2 = 7, last gap at level 1
    /// (gap_hi 2); a take of 2 from level 2 (5 → 3) adds 2 and moves gap_hi to 3; a refill of 4
    /// that stopped at level 1 leaves 5 missing and gap_hi 2.
    #[test]
    fn follows_takes_and_refills() {
        let mut d = Deficit::default();
        let full = [5, 5, 5];
        assert_eq!(d.update(1, &full, &[0, 3, 5]), (7, 2));
        d.on_take(2, 5, 2, Some(5));
        assert_eq!(d.update(1, &full, &[0, 3, 3]), (9, 3));
        d.after_refill(4, 1);
        assert_eq!(d.update(1, &full, &[0, 5, 5]), (5, 2));
        // A new multiplier rebuilds from the levels: full [2, 2, 2] over depth [0, 5, 5].
        assert_eq!(d.update(2, &[2, 2, 2], &[0, 5, 5]), (2, 1));
        // Levels materialised later are summed on the next update.
        assert_eq!(d.update(2, &[2, 2, 2, 2], &[0, 5, 5, 1]), (3, 4));
    }

    /// Hand-worked: e^(−1/2) = 0.6065…, so 7 lots keep round(4.245…) = 4; the memo answers the
    /// same for the same keys and recomputes for new ones (τ = 0: no decay, nothing kept).
    #[test]
    fn memos_are_the_functions() {
        let mut d = Deficit::default();
        let x = d.decay(1.0, 2.0);
        assert_eq!(x.to_bits(), (-0.5f64).exp().to_bits());
        assert_eq!(d.kept(7, x), 4);
        assert_eq!(d.kept(7, x), 4);
        assert_eq!(d.kept(8, x), 5);
        assert_eq!(d.decay(1.0, 0.0), 0.0);
        assert_eq!(d.kept(8, 0.0), 0);
        assert_eq!(d.decay(1.0, 2.0).to_bits(), x.to_bits());
    }
}
