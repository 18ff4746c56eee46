//! The accounts' labels, kept as one text buffer.
//!
//! A model of a million accounts held its labels as a million `String`s: a million allocations
//! at every build (about a tenth of `EngineModel::new` on 1M accounts, issue 15) and as many
//! pointers to chase when an output names accounts. [`AccountLabels`] stores them end to end in
//! one buffer with a `u32` start offset per account: two allocations, whatever the population.

use crate::model::EngineError;
use liq_domain::Account;
use rayon::prelude::*;

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

/// Accounts per task when the labels are copied on all cores.
const ACCOUNTS_PER_BLOCK: usize = 65_536;

impl AccountLabels {
    /// The labels of `accounts`, in order. Refused if they total 4 GiB or more (the offsets are
    /// `u32`; a population that large would not fit the machine this runs on anyway).
    pub fn of_accounts(accounts: &[Account]) -> Result<AccountLabels, EngineError> {
        // Blocks are copied on all cores into their own buffers, then joined: the join is one
        // copy of the text, and every offset of a block moves by the same amount.
        let blocks: Vec<(String, Vec<u32>)> = accounts
            .par_chunks(ACCOUNTS_PER_BLOCK)
            .map(|block| {
                let bytes: usize = block.iter().map(|a| a.label.len()).sum();
                let mut text = String::with_capacity(bytes);
                let mut ends = Vec::with_capacity(block.len());
                for a in block {
                    text.push_str(&a.label);
                    // Within a block the offsets are relative; a block over 4 GiB fails below.
                    ends.push(text.len() as u32);
                }
                (text, ends)
            })
            .collect();
        let total: usize = blocks.iter().map(|(t, _)| t.len()).sum();
        if total > u32::MAX as usize {
            return Err(EngineError::invalid(
                "accounts",
                format!("the account labels total {total} bytes: at most {} are supported", u32::MAX),
            ));
        }
        let mut text = String::with_capacity(total);
        let mut starts = Vec::with_capacity(accounts.len() + 1);
        starts.push(0u32);
        for (t, ends) in &blocks {
            let base = text.len() as u32;
            text.push_str(t);
            starts.extend(ends.iter().map(|&e| base + e));
        }
        Ok(AccountLabels { text, starts })
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

    fn account(label: &str) -> Account {
        Account {
            label: label.to_string(),
            wallet: liq_domain::Money(0),
            collateral: Vec::new(),
            positions: Vec::new(),
        }
    }

    #[test]
    fn every_label_reads_back_in_order_across_blocks() {
        // More than one block, with empty and multi-byte labels among them.
        let labels: Vec<String> = (0..ACCOUNTS_PER_BLOCK * 2 + 17)
            .map(|i| match i % 5 {
                0 => String::new(),
                1 => format!("acct-{i}"),
                2 => format!("ünïcødé-{i}"),
                _ => format!("a{i}"),
            })
            .collect();
        let accounts: Vec<Account> = labels.iter().map(|l| account(l)).collect();
        let arena = AccountLabels::of_accounts(&accounts).unwrap();
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
        let arena = AccountLabels::of_accounts(&[]).unwrap();
        assert!(arena.is_empty());
        assert_eq!(arena.get(0), None);
        assert_eq!(arena, AccountLabels::default());
    }
}
