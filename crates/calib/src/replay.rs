//! Rebuilds the L2 book of a [`Capture`] from its REST snapshot and `depthUpdate` diffs, with
//! Binance's sequence rules checked and every violation reported, and verifies the rebuilt book
//! against the capture's own bookTicker stream.
//!
//! Rules (Binance USD-M "How to manage a local order book"): drop diffs with `u` < the snapshot's
//! `lastUpdateId`; the first applied diff must have `U ≤ lastUpdateId ≤ u` — or `pu ≤
//! lastUpdateId`, which also proves nothing is missing (the event before it is inside the
//! snapshot; update ids are shared across symbols, so `U` need not be `lastUpdateId + 1`);
//! each later diff's
//! `pu` must equal the previous diff's `u`. A diff whose `u` is not above the last applied `u` is
//! out of sequence (a duplicate or a late packet) and is skipped, reported. A gap (`pu` ≠ previous
//! `u`) is reported; if a later snapshot covers it the book re-syncs from that snapshot, otherwise
//! the diff is applied and the book is marked unreliable from there ([`BookReplay::reliable`]).

use crate::book::{BookSide, L2Book};
use crate::capture::{Capture, DepthSnapshot};
use serde::{Deserialize, Serialize};

/// What went wrong with the sequence, where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SequenceIssue {
    /// The first diff after the snapshot starts after it: updates between are missing.
    StartGap { line: usize, snapshot_id: u64, first_id: u64 },
    /// `pu` of this diff differs from `u` of the previous applied diff.
    Gap { line: usize, expected_prev: u64, got_prev: u64 },
    /// `u` not above the last applied `u`: skipped.
    OutOfSequence { line: usize, last_applied: u64, got_last: u64 },
    /// The book re-synchronised from a later snapshot after a gap.
    Resynced { line: usize, snapshot_id: u64 },
}

/// Steps through a capture's diffs in file order, maintaining the book.
pub struct BookReplay<'a> {
    cap: &'a Capture,
    book: L2Book,
    next: usize,
    last_applied: Option<u64>,
    snapshot_id: u64,
    time_ms: i64,
    reliable: bool,
    issues: Vec<SequenceIssue>,
}

fn load_snapshot(s: &DepthSnapshot) -> L2Book {
    let mut b = L2Book::default();
    for &(p, q) in &s.bids {
        b.set(BookSide::Bid, p, q);
    }
    for &(p, q) in &s.asks {
        b.set(BookSide::Ask, p, q);
    }
    b
}

impl<'a> BookReplay<'a> {
    /// Starts from the capture's first snapshot (a capture always has one).
    pub fn new(cap: &'a Capture) -> Self {
        let snap = &cap.snapshots[0];
        Self {
            cap,
            book: load_snapshot(snap),
            next: 0,
            last_applied: None,
            snapshot_id: snap.last_update_id,
            time_ms: snap.time_ms,
            reliable: true,
            issues: Vec::new(),
        }
    }

    /// The current book.
    pub fn book(&self) -> &L2Book {
        &self.book
    }

    /// Exchange time (ms) of the last applied diff, or of the snapshot.
    pub fn time_ms(&self) -> i64 {
        self.time_ms
    }

    /// Update id the book reflects (last applied `u`, or the snapshot's id).
    pub fn update_id(&self) -> u64 {
        self.last_applied.unwrap_or(self.snapshot_id)
    }

    /// False once an unrepaired gap was applied across.
    pub fn reliable(&self) -> bool {
        self.reliable
    }

    /// Every sequence issue met so far.
    pub fn issues(&self) -> &[SequenceIssue] {
        &self.issues
    }

    /// The next diff that would be applied, if any (skipping ones before the snapshot).
    pub fn peek(&self) -> Option<&'a crate::capture::DepthDiff> {
        self.cap.diffs[self.next..].iter().find(|d| d.last_id > self.snapshot_id)
    }

    /// Applies the next diff; returns false at the end of the capture.
    pub fn step(&mut self) -> bool {
        let Some(d) = self.cap.diffs.get(self.next) else { return false };
        self.next += 1;
        if d.last_id < self.snapshot_id {
            return true; // older than the snapshot: already contained in it
        }
        match self.last_applied {
            None => {
                if d.first_id > self.snapshot_id && d.prev_id > self.snapshot_id {
                    self.issues.push(SequenceIssue::StartGap {
                        line: d.line,
                        snapshot_id: self.snapshot_id,
                        first_id: d.first_id,
                    });
                    self.reliable = false;
                }
            }
            Some(last) if d.last_id <= last => {
                self.issues.push(SequenceIssue::OutOfSequence {
                    line: d.line,
                    last_applied: last,
                    got_last: d.last_id,
                });
                return true;
            }
            Some(last) if d.prev_id != last => {
                self.issues.push(SequenceIssue::Gap {
                    line: d.line,
                    expected_prev: last,
                    got_prev: d.prev_id,
                });
                if self.resync(d.first_id) {
                    return true;
                }
                self.reliable = false;
            }
            Some(_) => {}
        }
        for &(p, q) in &d.bids {
            self.book.set(BookSide::Bid, p, q);
        }
        for &(p, q) in &d.asks {
            self.book.set(BookSide::Ask, p, q);
        }
        self.last_applied = Some(d.last_id);
        self.time_ms = d.time_ms;
        true
    }

    /// After a gap, restarts from the first later snapshot at or beyond the missing updates, and
    /// rewinds to the diffs that follow it. True if such a snapshot exists.
    fn resync(&mut self, gap_end: u64) -> bool {
        let Some(s) = self.cap.snapshots.iter().find(|s| s.last_update_id >= gap_end.saturating_sub(1))
        else {
            return false;
        };
        if s.last_update_id <= self.snapshot_id {
            return false;
        }
        self.book = load_snapshot(s);
        self.snapshot_id = s.last_update_id;
        self.last_applied = None;
        self.time_ms = s.time_ms;
        self.issues.push(SequenceIssue::Resynced { line: s.line, snapshot_id: s.last_update_id });
        // Diffs covering the new snapshot may sit before it in the file; rescan from the start.
        self.next = 0;
        true
    }

    /// Applies every diff whose exchange time is ≤ `t_ms`.
    pub fn advance_to_time(&mut self, t_ms: i64) {
        while self.peek().is_some_and(|d| d.time_ms <= t_ms) {
            self.step();
        }
    }

    /// Applies every diff whose final id is ≤ `id`.
    pub fn advance_to_update(&mut self, id: u64) {
        while self.peek().is_some_and(|d| d.last_id <= id) {
            self.step();
        }
    }

    /// Runs to the end and returns the sequence issues.
    pub fn run_to_end(mut self) -> Vec<SequenceIssue> {
        while self.step() {}
        self.issues
    }
}

/// One bookTicker that disagrees with the rebuilt book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TickerMismatch {
    pub line: usize,
    pub update_id: u64,
    pub ticker: (f64, f64),
    pub book: (Option<f64>, Option<f64>),
}

/// Result of checking the rebuilt book against bookTicker.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TickerCheck {
    /// Tickers whose update id pins the book state exactly (see [`check_against_tickers`]).
    pub checked: usize,
    /// Of those, how many agree on best bid and best ask price.
    pub matched: usize,
    /// ... and also on both best quantities.
    pub matched_with_qty: usize,
    /// Tickers whose id falls inside a diff's `[U, u]` range: the book never passes through their
    /// state as a whole diff, so they cannot be compared.
    pub not_comparable: usize,
    pub mismatches: Vec<TickerMismatch>,
    pub sequence_issues: Vec<SequenceIssue>,
}

/// Compares the rebuilt book with every bookTicker at which the book's state is determined: a
/// ticker with id `t` such that the last applied diff has `u ≤ t` and the next diff has `U > t`
/// (no update of this book happened between them). Mismatches are listed (at most 100 kept).
pub fn check_against_tickers(cap: &Capture) -> TickerCheck {
    let mut tickers: Vec<_> = cap.tickers.iter().collect();
    tickers.sort_by_key(|t| t.update_id);
    let mut r = BookReplay::new(cap);
    let mut out = TickerCheck::default();
    for t in tickers {
        if t.update_id < r.update_id() {
            out.not_comparable += 1;
            continue;
        }
        r.advance_to_update(t.update_id);
        let pinned = r.update_id() <= t.update_id && r.peek().is_none_or(|d| d.first_id > t.update_id);
        if !pinned || r.peek().is_none() {
            // After the last diff we cannot know whether unseen updates happened.
            out.not_comparable += 1;
            continue;
        }
        out.checked += 1;
        let (bb, ba) = (r.book().best_bid(), r.book().best_ask());
        let q = &t.quote;
        let price_ok = bb.map(|b| b.0) == Some(q.bid) && ba.map(|a| a.0) == Some(q.ask);
        if price_ok {
            out.matched += 1;
            let qty_ok = |x: Option<(f64, f64)>, want: f64| x.is_some_and(|x| (x.1 - want).abs() < 1e-9);
            if qty_ok(bb, q.bid_qty) && qty_ok(ba, q.ask_qty) {
                out.matched_with_qty += 1;
            }
        } else if out.mismatches.len() < 100 {
            out.mismatches.push(TickerMismatch {
                line: t.line,
                update_id: t.update_id,
                ticker: (q.bid, q.ask),
                book: (bb.map(|b| b.0), ba.map(|a| a.0)),
            });
        }
    }
    out.sequence_issues = r.run_to_end();
    out
}
