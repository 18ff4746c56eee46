//! The accounts' labels, kept as one text buffer.
//!
//! A model of a million accounts held its labels as a million `String`s: a million allocations
//! at every build (about a tenth of `EngineModel::new` on 1M accounts, issue 15) and as many
//! pointers to chase when an output names accounts. [`AccountLabels`] stores them end to end in
//! one buffer with a `u32` start offset per account: two allocations, whatever the population.
//! The flatten writes both on all cores, in the same pass that reads each account
//! (`crate::flatten`); labels totalling 4 GiB or more are refused there.

/// Every account's label, addressed by the account's dense index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLabels {
    /// The labels one after the other.
    text: String,
    /// `starts[a]..starts[a + 1]` is account `a`'s label in `text` (one entry more than accounts).
    starts: Vec<u32>,
}

impl Default for AccountLabels {
    fn default() -> Self {
        AccountLabels { text: String::new(), starts: vec![0] }
    }
}

impl AccountLabels {
    /// The labels from their text and each account's start offset (`starts` has one entry more
    /// than accounts, the last being the text's length; the flatten writes both,
    /// `crate::flatten`).
    pub(crate) fn from_parts(text: String, starts: Vec<u32>) -> AccountLabels {
        debug_assert!(starts.last().is_some_and(|&e| e as usize == text.len()));
        AccountLabels { text, starts }
    }

    /// Labels one by one (the test reference builds them this way).
    #[cfg(test)]
    pub(crate) fn from_strs<'a>(labels: impl IntoIterator<Item = &'a str>) -> AccountLabels {
        let mut out = AccountLabels::default();
        for l in labels {
            out.text.push_str(l);
            out.starts.push(out.text.len() as u32);
        }
        out
    }

    /// The label of account `a`, if there is one.
    #[inline]
    pub fn get(&self, a: usize) -> Option<&str> {
        let (start, end) = (*self.starts.get(a)?, *self.starts.get(a + 1)?);
        Some(&self.text[start as usize..end as usize])
    }

    /// The number of accounts.
    #[inline]
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether there are no accounts.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The labels in account order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.starts.windows(2).map(|w| &self.text[w[0] as usize..w[1] as usize])
    }

    /// Whether some account carries `label`.
    pub fn contains(&self, label: &str) -> bool {
        self.iter().any(|l| l == label)
    }
}

impl std::ops::Index<usize> for AccountLabels {
    type Output = str;

    /// The label of account `a`; panics if there is no such account, as a slice does.
    #[inline]
    fn index(&self, a: usize) -> &str {
        match self.get(a) {
            Some(l) => l,
            None => panic!("account {a} out of range: the model has {} accounts", self.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_reads_back_in_order() {
        // Empty and multi-byte labels among them.
        let labels: Vec<String> = (0..1_000)
            .map(|i| match i % 4 {
                0 => String::new(),
                1 => format!("acct-{i}"),
                2 => format!("ünïcødé-{i}"),
                _ => format!("a{i}"),
            })
            .collect();
        let arena = AccountLabels::from_strs(labels.iter().map(String::as_str));
        assert_eq!(arena.len(), labels.len());
        assert!(arena.iter().eq(labels.iter().map(String::as_str)));
        for (i, l) in labels.iter().enumerate() {
            assert_eq!(&arena[i], l.as_str());
            assert_eq!(arena.get(i), Some(l.as_str()));
        }
        assert_eq!(arena.get(labels.len()), None);
        assert!(arena.contains("ünïcødé-2"));
        assert!(!arena.contains("acct-0"), "account 0's label is empty");
    }

    #[test]
    fn no_accounts_no_labels() {
        let arena = AccountLabels::from_strs([]);
        assert!(arena.is_empty());
        assert_eq!(arena.get(0), None);
        assert_eq!(arena, AccountLabels::default());
    }
}
