//! Rows into accounts without a map: the account identity of every row established by one
//! parallel sort of `(id hash, row)` pairs, then the cross-row checks run only on the rows that
//! need them, and the accounts built on all cores in order of first appearance.
//!
//! The rules are those of `crate::accounts_rows` (docs/scenario-format.md § Accounts CSV), and
//! the error reported is the one a row-by-row merge in file order reports: every check of a
//! row looks only backwards (at the first row of its account, at earlier rows of it, at the
//! number of accounts before it), so a row's first problem can be worked out for each row on
//! its own, and the first row that has one is the first error. Rows that can have a problem
//! are few — a repeated id (its wallet, collateral and market against the account's earlier
//! rows), the row past the account limit, a row whose own position failed — so only they are
//! examined. A test checks this against a sequential reference merge on generated files.
//!
//! Identity: sorting the pairs puts equal hashes together with the earliest row first; a run of
//! equal hashes is sorted again by the ids themselves (a collision of distinct ids stays two
//! accounts, and a run of one id repeated a million times is one more sort, not a quadratic
//! scan). What comes out is the list of repeated rows with the first row of their account,
//! empty for the usual file of one row per account.

use crate::accounts_rows::{csv_err, ParsedRow, Stage, ACCOUNT, COLLATERAL, MARKET, WALLET};
use crate::IoError;
use liq_domain::{Account, MarketSpec, Money, Position};
use rayon::prelude::*;
use std::path::Path;

/// The rows of one chunk (CSV) or row group (Parquet), in file order, up to its first bad row,
/// and the cells-stage error that ended it (a row nothing of which could be read).
pub(crate) struct RowChunk<'a> {
    pub rows: Vec<ParsedRow<'a>>,
    pub error: Option<IoError>,
}

/// Merges the chunks (in file order) into accounts, or returns the first error in file order.
pub(crate) fn merge(
    chunks: Vec<RowChunk<'_>>,
    origin: &Path,
    markets: &[MarketSpec],
) -> Result<Vec<Account>, IoError> {
    merge_limited(chunks, origin, markets, crate::limits::MAX_ACCOUNTS as usize)
}

/// [`merge`] refusing more than `max` accounts (tests use a small one).
fn merge_limited(
    mut chunks: Vec<RowChunk<'_>>,
    origin: &Path,
    markets: &[MarketSpec],
    max: usize,
) -> Result<Vec<Account>, IoError> {
    // Nothing after the first cells-stage error matters: every check looks backwards.
    let mut tail = None;
    if let Some(c) = chunks.iter().position(|c| c.error.is_some()) {
        chunks.truncate(c + 1);
        tail = chunks[c].error.take();
    }
    let lens: Vec<usize> = chunks.iter().map(|c| c.rows.len()).collect();
    let starts: Vec<usize> = lens
        .iter()
        .scan(0usize, |s, &n| {
            let r = *s;
            *s += n;
            Some(r)
        })
        .collect();
    let n: usize = lens.iter().sum();
    let rows = Rows { chunks: &chunks, starts: &starts };
    let repeats = repeated_rows(&rows, n, &lens);
    if let Some(e) = first_error(&rows, &repeats, n, origin, markets, max) {
        return Err(e);
    }
    if let Some(e) = tail {
        return Err(e);
    }
    Ok(build(chunks, &starts, &repeats))
}

/// The rows of all chunks, addressed by their index in file order.
struct Rows<'r, 'a> {
    chunks: &'r [RowChunk<'a>],
    starts: &'r [usize],
}

impl<'a> Rows<'_, 'a> {
    fn get(&self, i: usize) -> &ParsedRow<'a> {
        let (c, k) = locate(self.starts, i);
        &self.chunks[c].rows[k]
    }
}

/// Chunk and index within it of row `i` (`i` < the number of rows): the last chunk starting at
/// or before `i`, which is never an empty one (an empty chunk starts where the next does).
fn locate(starts: &[usize], i: usize) -> (usize, usize) {
    let c = starts.partition_point(|&s| s <= i) - 1;
    (c, i - starts[c])
}

/// Rows whose id appeared on an earlier row, as `(row, first row of the account)`, sorted by row.
fn repeated_rows(rows: &Rows<'_, '_>, n: usize, lens: &[usize]) -> Vec<(usize, usize)> {
    let mut keys: Vec<(u64, usize)> = vec![(0, 0); n];
    let mut parts: Vec<&mut [(u64, usize)]> = Vec::with_capacity(lens.len());
    let mut rest = keys.as_mut_slice();
    for &len in lens {
        let (a, b) = rest.split_at_mut(len);
        parts.push(a);
        rest = b;
    }
    parts.into_par_iter().zip(rows.chunks.par_iter().zip(rows.starts.par_iter())).for_each(
        |(part, (chunk, &start))| {
            for (k, (slot, r)) in part.iter_mut().zip(&chunk.rows).enumerate() {
                *slot = (r.hash, start + k);
            }
        },
    );
    keys.par_sort_unstable();
    // Runs of equal hashes: rare (a repeated id, or a 64-bit collision). Found in parallel
    // over blocks of the sorted keys; a run is handled by the block holding its first key.
    let block = (n / (4 * rayon::current_num_threads().max(1))).max(1 << 14);
    let mut repeats: Vec<(usize, usize)> = (0..n.div_ceil(block))
        .into_par_iter()
        .flat_map_iter(|b| {
            let mut out = Vec::new();
            let mut s = b * block;
            // Start at a run's first key: a run begun in the block before is that block's.
            while s < n && s > 0 && s < (b + 1) * block && keys[s - 1].0 == keys[s].0 {
                s += 1;
            }
            while s < (b + 1) * block && s < n {
                let mut e = s + 1;
                while e < n && keys[e].0 == keys[s].0 {
                    e += 1;
                }
                if e - s > 1 {
                    same_hash_run(rows, &keys[s..e], &mut out);
                }
                s = e;
            }
            out
        })
        .collect();
    repeats.par_sort_unstable();
    repeats
}

/// A run of rows with one hash: grouped by id, each row after the first of its id is a repeat.
fn same_hash_run(rows: &Rows<'_, '_>, run: &[(u64, usize)], out: &mut Vec<(usize, usize)>) {
    let mut by_id: Vec<(&str, usize)> = run.iter().map(|&(_, i)| (rows.get(i).id.as_ref(), i)).collect();
    by_id.sort_unstable();
    let mut first = 0;
    for k in 1..by_id.len() {
        if by_id[k].0 == by_id[first].0 {
            out.push((by_id[k].1, by_id[first].1));
        } else {
            first = k;
        }
    }
}

/// The first row (in file order) that has a problem, and its first problem (module doc).
fn first_error(
    rows: &Rows<'_, '_>,
    repeats: &[(usize, usize)],
    n: usize,
    origin: &Path,
    markets: &[MarketSpec],
    max: usize,
) -> Option<IoError> {
    // The row that would be account number `max + 1`.
    let over_limit = (n - repeats.len() > max).then(|| {
        let mut seen = 0;
        let mut r = repeats.iter().peekable();
        (0..n)
            .find(|&i| {
                if r.peek().is_some_and(|x| x.0 == i) {
                    r.next();
                    return false;
                }
                seen += 1;
                seen > max
            })
            .unwrap_or(n)
    });
    // A row with an error of its own ends its chunk: one per chunk at most.
    let own: Vec<usize> = rows
        .chunks
        .iter()
        .zip(rows.starts)
        .filter_map(|(c, &s)| c.rows.last().filter(|r| r.error.is_some()).map(|_| s + c.rows.len() - 1))
        .collect();
    let mut candidates: Vec<usize> = repeats.iter().map(|r| r.0).chain(own).chain(over_limit).collect();
    candidates.sort_unstable();
    candidates.dedup();
    // Earlier rows of each repeated account, by first row: `repeats` sorted by first.
    let mut by_first: Vec<(usize, usize)> = repeats.iter().map(|&(r, f)| (f, r)).collect();
    by_first.sort_unstable();
    for i in candidates {
        let row = rows.get(i);
        let err = |col: usize, message: String| csv_err(origin, Some(row.line), Some(col), message);
        let id = row.id.as_ref();
        let first = repeats.binary_search_by_key(&i, |r| r.0).ok().map(|k| repeats[k].1);
        if let Some(f) = first {
            let acc = rows.get(f);
            if row.wallet_given && row.wallet != acc.wallet {
                return Some(err(
                    WALLET,
                    format!("contradicts {} given on the first row of account \"{id}\"", acc.wallet),
                ));
            }
            let coll = |r: &ParsedRow<'_>| r.collateral.clone().unwrap_or_default();
            if row.collateral.is_some() && coll(row) != coll(acc) {
                return Some(err(COLLATERAL, format!("contradicts the first row of account \"{id}\"")));
            }
        } else if over_limit == Some(i) {
            return Some(err(
                ACCOUNT,
                format!("more than {} accounts (see crate::limits)", crate::limits::MAX_ACCOUNTS),
            ));
        }
        if let Some(b) = row.error.as_deref().filter(|b| b.0 == Stage::Market) {
            return Some(b.1.clone());
        }
        if let (Some(f), Some(market)) = (first, row.market) {
            let lo = by_first.partition_point(|x| x.0 < f);
            let earlier = std::iter::once(f)
                .chain(by_first[lo..].iter().take_while(|x| x.0 == f).map(|x| x.1))
                .take_while(|&j| j < i);
            if earlier.into_iter().any(|j| rows.get(j).position.as_ref().is_some_and(|p| p.market == market))
            {
                return Some(err(
                    MARKET,
                    format!(
                        "account \"{id}\" already has a {} position on an earlier row: one row per account \
                         and market (rows are never summed; merge them into one row)",
                        markets[market.idx()].symbol
                    ),
                ));
            }
        }
        if let Some(b) = row.error.as_deref() {
            return Some(b.1.clone());
        }
    }
    None
}

/// The accounts, in order of first appearance, each with its rows' positions in file order.
/// Each chunk's rows become accounts on their own thread, written into the chunk's stretch of
/// the result, and are freed there (rows and accounts are not both whole in memory).
fn build(mut chunks: Vec<RowChunk<'_>>, starts: &[usize], repeats: &[(usize, usize)]) -> Vec<Account> {
    // The repeated rows' positions, moved out first (other chunks' accounts receive them).
    let mut moved: Vec<(usize, usize, Position)> = Vec::new(); // (first row, row, position)
    for &(r, f) in repeats {
        let (c, k) = locate(starts, r);
        if let Some(p) = chunks[c].rows[k].position.take() {
            moved.push((f, r, p));
        }
    }
    moved.sort_unstable_by_key(|m| (m.0, m.1));
    let new_in = |c: usize, len: usize| {
        let (lo, hi) = (starts[c], starts[c] + len);
        len - (repeats.partition_point(|x| x.0 < hi) - repeats.partition_point(|x| x.0 < lo))
    };
    let counts: Vec<usize> = chunks.iter().enumerate().map(|(c, ch)| new_in(c, ch.rows.len())).collect();
    let total: usize = counts.iter().sum();
    let mut out: Vec<Account> = (0..total)
        .into_par_iter()
        .map(|_| Account {
            label: String::new(),
            wallet: Money::ZERO,
            collateral: Vec::new(),
            positions: Vec::new(),
        })
        .collect();
    let mut parts: Vec<&mut [Account]> = Vec::with_capacity(chunks.len());
    let mut rest = out.as_mut_slice();
    for &k in &counts {
        let (a, b) = rest.split_at_mut(k);
        parts.push(a);
        rest = b;
    }
    let jobs: Vec<(RowChunk<'_>, usize)> = chunks.drain(..).zip(starts.iter().copied()).collect();
    jobs.into_par_iter().zip(parts).for_each(|((chunk, start), part)| {
        let mut slots = part.iter_mut();
        let mut rep = repeats[repeats.partition_point(|x| x.0 < start)..].iter().peekable();
        for (k, row) in chunk.rows.into_iter().enumerate() {
            let i = start + k;
            if rep.peek().is_some_and(|x| x.0 == i) {
                rep.next();
                continue;
            }
            let lo = moved.partition_point(|m| m.0 < i);
            let more = moved[lo..].iter().take_while(|m| m.0 == i);
            let mut positions =
                Vec::with_capacity(usize::from(row.position.is_some()) + more.clone().count());
            positions.extend(row.position);
            positions.extend(more.map(|m| m.2.clone()));
            if let Some(slot) = slots.next() {
                *slot = Account {
                    label: row.id.into_owned(),
                    wallet: row.wallet,
                    collateral: row.collateral.unwrap_or_default(),
                    positions,
                };
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    //! The merge against a row-by-row reference: the merge this module replaced (a map from id
    //! to account, the checks in file order), rewritten plainly.
    use super::*;
    use crate::accounts_rows::{id_hash, ParsedRow, Stage};
    use liq_domain::{AssetId, Collateral, MarginMode, MarketId};
    use proptest::prelude::*;
    use std::borrow::Cow;
    use std::collections::HashMap;

    fn reference(
        chunks: &[RowChunk<'_>],
        origin: &Path,
        markets: &[MarketSpec],
        max: usize,
    ) -> Result<Vec<Account>, IoError> {
        let mut out: Vec<Account> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for c in chunks {
            for row in &c.rows {
                let err = |col: usize, m: String| csv_err(origin, Some(row.line), Some(col), m);
                let id = row.id.as_ref();
                let a = index.get(id).copied();
                match a {
                    Some(a) => {
                        if row.wallet_given && row.wallet != out[a].wallet {
                            return Err(err(
                                WALLET,
                                format!(
                                    "contradicts {} given on the first row of account \"{id}\"",
                                    out[a].wallet
                                ),
                            ));
                        }
                        if row.collateral.is_some() && row.collateral.as_ref() != Some(&out[a].collateral) {
                            return Err(err(
                                COLLATERAL,
                                format!("contradicts the first row of account \"{id}\""),
                            ));
                        }
                    }
                    None if out.len() >= max => {
                        return Err(err(
                            ACCOUNT,
                            format!("more than {} accounts (see crate::limits)", crate::limits::MAX_ACCOUNTS),
                        ));
                    }
                    None => {}
                }
                if let Some(b) = row.error.as_deref().filter(|b| b.0 == Stage::Market) {
                    return Err(b.1.clone());
                }
                if let (Some(a), Some(m)) = (a, row.market) {
                    if out[a].positions.iter().any(|p| p.market == m) {
                        return Err(err(
                            MARKET,
                            format!(
                                "account \"{id}\" already has a {} position on an earlier row: one row per account \
                                 and market (rows are never summed; merge them into one row)",
                                markets[m.idx()].symbol
                            ),
                        ));
                    }
                }
                if let Some(b) = row.error.as_deref() {
                    return Err(b.1.clone());
                }
                match a {
                    Some(a) => out[a].positions.extend(row.position.clone()),
                    None => {
                        index.insert(id.to_string(), out.len());
                        out.push(Account {
                            label: id.to_string(),
                            wallet: row.wallet,
                            collateral: row.collateral.clone().unwrap_or_default(),
                            positions: row.position.clone().into_iter().collect(),
                        });
                    }
                }
            }
            if let Some(e) = &c.error {
                return Err(e.clone());
            }
        }
        Ok(out)
    }

    fn markets() -> Vec<MarketSpec> {
        static M: std::sync::OnceLock<Vec<MarketSpec>> = std::sync::OnceLock::new();
        M.get_or_init(|| crate::default_scenario::default_scenario().unwrap().markets).clone()
    }

    /// A generated row: ids from a small set (repeats; three of them with one hash), every
    /// kind of own error, wallets and collateral that agree or contradict.
    #[derive(Debug, Clone)]
    struct Gen {
        id: u8,
        wallet: Option<i64>,
        coll: Option<u8>,
        market: Option<u16>,
        error: u8,
    }

    fn gen_row() -> impl Strategy<Value = Gen> {
        (0u8..6, prop::option::of(0i64..3), prop::option::of(0u8..2), prop::option::of(0u16..3), 0u8..12)
            .prop_map(|(id, wallet, coll, market, error)| Gen { id, wallet, coll, market, error })
    }

    fn row(g: &Gen, line: u64) -> ParsedRow<'static> {
        let id = format!("acct{}", g.id);
        let origin = Path::new("m.csv");
        let market = g.market.map(MarketId);
        let (market, position, error) = match (g.error, market) {
            (0, _) => (
                None,
                None,
                Some(Box::new((
                    Stage::Market,
                    csv_err(origin, Some(line), Some(MARKET), "bad market".into()),
                ))),
            ),
            (1, Some(m)) => (
                Some(m),
                None,
                Some(Box::new((Stage::Position, csv_err(origin, Some(line), Some(2), "bad size".into())))),
            ),
            (_, Some(m)) => (
                Some(m),
                Some(Position {
                    market: m,
                    size_lots: 1,
                    cost: Money(line as i64),
                    mode: MarginMode::Cross,
                    isolated_margin: Money::ZERO,
                }),
                None,
            ),
            (_, None) => (None, None, None),
        };
        ParsedRow {
            line,
            // Distinct ids sharing a hash must stay distinct accounts (the hash is a function
            // of the id: ids 0 to 2 share one, the others have their own).
            hash: if g.id < 3 { 7 } else { id_hash(&id) },
            id: Cow::Owned(id),
            wallet: Money(g.wallet.unwrap_or(0)),
            wallet_given: g.wallet.is_some(),
            collateral: g.coll.map(|q| vec![Collateral { asset: AssetId(0), qty: f64::from(q) }]),
            market,
            position,
            error,
        }
    }

    /// Chunks as a reader makes them: each up to its first bad row; a cells-stage error ends one.
    fn chunks_of(rows: &[Gen], cuts: &[usize], cells_error_at: Option<usize>) -> Vec<RowChunk<'static>> {
        let mut chunks = vec![RowChunk { rows: Vec::new(), error: None }];
        let mut stopped = false;
        for (i, g) in rows.iter().enumerate() {
            if cuts.contains(&i) {
                chunks.push(RowChunk { rows: Vec::new(), error: None });
                stopped = false;
            }
            if stopped {
                continue;
            }
            let c = chunks.last_mut().unwrap();
            if cells_error_at == Some(i) {
                c.error = Some(csv_err(
                    Path::new("m.csv"),
                    Some(i as u64 + 2),
                    None,
                    "expected 8 fields, got 3".into(),
                ));
                stopped = true;
                continue;
            }
            let r = row(g, i as u64 + 2);
            stopped = r.error.is_some();
            c.rows.push(r);
        }
        chunks
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The same accounts, or the same first error, as the row-by-row reference.
        #[test]
        fn merge_equals_row_by_row_reference(
            rows in prop::collection::vec(gen_row(), 0..60),
            cuts in prop::collection::vec(0usize..60, 0..6),
            cells_error_at in prop::option::of(0usize..80),
            max in prop_oneof![Just(usize::MAX), 1usize..5],
        ) {
            let m = markets();
            let chunks = chunks_of(&rows, &cuts, cells_error_at);
            let want = reference(&chunks, Path::new("m.csv"), &m, max);
            let got = merge_limited(chunks, Path::new("m.csv"), &m, max);
            prop_assert_eq!(got, want);
        }
    }

    /// One id repeated on 200,000 account-only rows is one account (a sort, not a quadratic scan
    /// of the run of equal hashes), and a second position on a market it holds is refused on
    /// its own line.
    #[test]
    fn long_run_of_one_id() {
        let m = markets();
        let rows: Vec<ParsedRow<'static>> = (0..200_000u64)
            .map(|i| row(&Gen { id: 1, wallet: None, coll: None, market: None, error: 5 }, i + 2))
            .collect();
        let ok = merge(vec![RowChunk { rows, error: None }], Path::new("m.csv"), &m).unwrap();
        assert_eq!(ok.len(), 1);
        let g = |market| Gen { id: 1, wallet: None, coll: None, market, error: 5 };
        let rows = vec![row(&g(None), 2), row(&g(Some(0)), 3), row(&g(None), 4), row(&g(Some(0)), 5)];
        let e = merge(vec![RowChunk { rows, error: None }], Path::new("m.csv"), &m).unwrap_err();
        assert!(
            e.to_string().starts_with("m.csv:5: market: account \"acct1\" already has a BTCUSDT position"),
            "{e}"
        );
    }
}
