//! The full depth of each level under the current liquidity multiplier, `round(m × profile[k])`,
//! cached for [`crate::book::L2Book`]'s resilience step. Recovery runs every step of every
//! path and needed that product and its `round` for every materialised level twice per call
//! (libm `round` was 19% of a `stress` profile, issue 15). The multiplier changes rarely, so the
//! values are computed once per level and multiplier and reused: the same function of the same
//! inputs, so the book's results are bit-identical.

/// `round(m × profile[k])` for `k < len`, valid while the multiplier's bits equal `m_bits`.
#[derive(Debug, Clone, Default)]
pub(crate) struct FullDepth {
    values: Vec<i64>,
    m_bits: u64,
}

impl FullDepth {
    /// The first `hi` levels' full depth under multiplier `m`, computing what is missing.
    #[inline]
    pub fn levels(&mut self, m: f64, profile: &[i64], hi: usize) -> &[i64] {
        if self.m_bits != m.to_bits() {
            self.values.clear();
            self.m_bits = m.to_bits();
        }
        while self.values.len() < hi {
            let k = self.values.len();
            self.values.push(crate::book::scaled(m, profile[k]));
        }
        &self.values[..hi]
    }

    /// Level `k`'s cached full depth under the multiplier with bits `m_bits`, if cached.
    #[inline]
    pub fn get(&self, m_bits: u64, k: usize) -> Option<i64> {
        if self.m_bits == m_bits {
            self.values.get(k).copied()
        } else {
            None
        }
    }
}

/// A cache is not part of the book's state: two books are equal whatever either has cached.
impl PartialEq for FullDepth {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::FullDepth;

    /// Hand-worked: m = 0.5 over profile [3, 4, 5] gives round(1.5) = 2, 2, round(2.5) = 3
    /// (`f64::round` rounds halves away from zero); a new multiplier recomputes.
    #[test]
    fn values_follow_the_multiplier() {
        let mut c = FullDepth::default();
        assert_eq!(c.levels(0.5, &[3, 4, 5], 2), &[2, 2]);
        assert_eq!(c.levels(0.5, &[3, 4, 5], 3), &[2, 2, 3]);
        assert_eq!(c.levels(0.25, &[3, 4, 5], 3), &[1, 1, 1]);
        assert_eq!(c.levels(1.0, &[3, 4, 5], 1), &[3]);
    }
}
