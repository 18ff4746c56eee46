//! A dense map from margin units to a round number, for the run loop's bookkeeping (the units
//! waiting in the liquidation queue, each unit's liquidation episode).
//!
//! Hash maps keyed by unit cost a SipHash per look-up, several per liquidated unit and per
//! unit checked; on the 1,000,000-account bench that was ~5% of a run (issue 15). This is an
//! array indexed like [`crate::sleepers`] (cross wallets first, then isolated slots) with the
//! entries set in this run listed, so clearing costs O(entries set), not O(units).

use crate::model::{EngineModel, Unit};

/// "No entry" in the value array.
const ABSENT: u32 = u32::MAX;

/// Unit → round (the value `u32::MAX` is reserved as "absent").
#[derive(Debug, Clone, Default)]
pub(crate) struct UnitMap {
    n_accounts: u32,
    value: Vec<u32>,
    /// Indices set since the last clear (a unit may appear more than once).
    set: Vec<u32>,
    len: usize,
}

impl UnitMap {
    pub fn new(model: &EngineModel) -> UnitMap {
        UnitMap {
            n_accounts: model.n_accounts() as u32,
            value: vec![ABSENT; model.n_accounts() + model.n_positions()],
            set: Vec::new(),
            len: 0,
        }
    }

    #[inline]
    fn index(&self, u: Unit) -> usize {
        match u.isolated_slot() {
            Some(s) => self.n_accounts as usize + s as usize,
            None => u.0 as usize,
        }
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        for &i in &self.set {
            self.value[i as usize] = ABSENT;
        }
        self.set.clear();
        self.len = 0;
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn get(&self, u: Unit) -> Option<u32> {
        let v = self.value[self.index(u)];
        (v != ABSENT).then_some(v)
    }

    #[inline]
    pub fn contains(&self, u: Unit) -> bool {
        self.get(u).is_some()
    }

    /// Sets `u → round` unless `u` has an entry; true if it was absent.
    #[inline]
    pub fn insert_if_absent(&mut self, u: Unit, round: u32) -> bool {
        debug_assert_ne!(round, ABSENT);
        let i = self.index(u);
        if self.value[i] != ABSENT {
            return false;
        }
        self.value[i] = round;
        self.set.push(i as u32);
        self.len += 1;
        true
    }

    /// Removes `u`'s entry; true if it had one.
    #[inline]
    pub fn remove(&mut self, u: Unit) -> bool {
        let i = self.index(u);
        if self.value[i] == ABSENT {
            return false;
        }
        self.value[i] = ABSENT;
        self.len -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// Against `HashMap` (the structure it replaces), over random operations on cross and
        /// isolated units, with clears in between.
        #[test]
        fn behaves_like_a_hash_map(ops in proptest::collection::vec((0u8..5, 0u32..6, any::<bool>(), 0u32..50), 1..200)) {
            let mut m = UnitMap { n_accounts: 6, value: vec![ABSENT; 12], set: Vec::new(), len: 0 };
            let mut h: HashMap<Unit, u32> = HashMap::new();
            for (op, i, iso, r) in ops {
                let u = if iso { Unit::isolated(i) } else { Unit::cross(i) };
                match op {
                    0 | 1 => {
                        let fresh = !h.contains_key(&u);
                        h.entry(u).or_insert(r);
                        prop_assert_eq!(m.insert_if_absent(u, r), fresh);
                    }
                    2 => prop_assert_eq!(m.remove(u), h.remove(&u).is_some()),
                    3 => prop_assert_eq!(m.get(u), h.get(&u).copied()),
                    _ => {
                        m.clear();
                        h.clear();
                    }
                }
                prop_assert_eq!(m.is_empty(), h.is_empty());
                prop_assert_eq!(m.contains(u), h.contains_key(&u));
            }
        }
    }
}
