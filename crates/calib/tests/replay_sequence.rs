//! Book rebuilding: Binance sequence rules on hand-made captures (gap, out-of-sequence diff,
//! start gap, resync from a later snapshot) and the bookTicker check.

use liq_calib::{check_against_tickers, load_binance_capture, BookReplay, SequenceIssue};
use std::path::PathBuf;

fn write(name: &str, lines: &[String]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liq-calib-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn snap(id: u64, bid: &str, ask: &str) -> String {
    format!("1 {{\"lastUpdateId\":{id},\"E\":1,\"T\":1,\"bids\":[[\"{bid}\",\"1.0\"]],\"asks\":[[\"{ask}\",\"1.0\"]]}}")
}

fn diff(t: i64, u0: u64, u1: u64, pu: u64, bids: &str, asks: &str) -> String {
    format!(
        "{t} {{\"stream\":\"s\",\"data\":{{\"e\":\"depthUpdate\",\"E\":{t},\"T\":{t},\"s\":\"XUSDT\",\"U\":{u0},\"u\":{u1},\"pu\":{pu},\"b\":[{bids}],\"a\":[{asks}]}}}}"
    )
}

fn ticker(t: i64, u: u64, b: &str, a: &str) -> String {
    format!(
        "{t} {{\"stream\":\"s\",\"data\":{{\"e\":\"bookTicker\",\"u\":{u},\"b\":\"{b}\",\"B\":\"1\",\"a\":\"{a}\",\"A\":\"1\",\"T\":{t},\"E\":{t}}}}}"
    )
}

#[test]
fn diffs_apply_in_sequence_and_tickers_match() {
    // Snapshot id 10; the diff covering it (U 8 ≤ 10 ≤ u 12) arrives *before* it in the file, as
    // in the real capture; a diff older than the snapshot (u 7) is ignored.
    let lines = vec![
        diff(2, 5, 7, 4, "[\"99.0\",\"5.0\"]", ""),
        diff(3, 8, 12, 7, "[\"99.5\",\"2.0\"]", ""),
        snap(10, "99.0", "101.0"),
        diff(4, 13, 15, 12, "", "[\"100.5\",\"3.0\"]"),
        // Ticker 12: book after diff u=12 (bid 99.5) and next diff starts at 13 > 12: checkable.
        ticker(3, 12, "99.5", "101.0"),
        // Ticker 14 falls inside [13, 15]: not comparable.
        ticker(4, 14, "99.5", "101.0"),
        // Ticker 16 ≥ last u 15 but no later diff: not comparable (unseen updates may follow).
        ticker(5, 16, "99.5", "100.5"),
    ];
    let cap = load_binance_capture(&write("ok.txt", &lines), None).unwrap();
    let check = check_against_tickers(&cap);
    assert_eq!((check.checked, check.matched, check.not_comparable), (1, 1, 2));
    assert!(check.sequence_issues.is_empty());
    let mut r = BookReplay::new(&cap);
    r.advance_to_time(4);
    assert_eq!(r.book().best_bid(), Some((99.5, 2.0)));
    assert_eq!(r.book().best_ask(), Some((100.5, 3.0)));
    assert_eq!(r.update_id(), 15);
    assert!(r.reliable());
}

#[test]
fn gaps_out_of_sequence_and_start_gaps_are_reported() {
    let lines = vec![
        snap(10, "99.0", "101.0"),
        diff(2, 12, 14, 11, "", ""), // U 12 > 10: updates 11 missing → start gap
        diff(3, 15, 16, 14, "", ""),
        diff(4, 15, 16, 14, "", ""), // duplicate: out of sequence, skipped
        diff(5, 19, 20, 18, "", ""), // pu 18 ≠ 16: gap
    ];
    let cap = load_binance_capture(&write("gap.txt", &lines), None).unwrap();
    let mut r = BookReplay::new(&cap);
    while r.step() {}
    assert_eq!(
        r.issues(),
        &[
            SequenceIssue::StartGap { line: 2, snapshot_id: 10, first_id: 12 },
            SequenceIssue::OutOfSequence { line: 4, last_applied: 16, got_last: 16 },
            SequenceIssue::Gap { line: 5, expected_prev: 16, got_prev: 18 },
        ]
    );
    assert!(!r.reliable());
}

#[test]
fn a_later_snapshot_repairs_a_gap() {
    let lines = vec![
        snap(10, "99.0", "101.0"),
        diff(2, 11, 12, 10, "[\"99.2\",\"1.0\"]", ""),
        diff(3, 20, 22, 19, "[\"99.4\",\"1.0\"]", ""), // gap (pu 19 ≠ 12)
        snap(21, "98.0", "102.0"),                     // covers it: U 20 ≤ 21 ≤ u 22
        diff(4, 23, 24, 22, "", "[\"101.5\",\"1.0\"]"),
    ];
    let cap = load_binance_capture(&write("resync.txt", &lines), None).unwrap();
    let mut r = BookReplay::new(&cap);
    while r.step() {}
    assert!(matches!(r.issues()[0], SequenceIssue::Gap { line: 3, .. }));
    assert!(matches!(r.issues()[1], SequenceIssue::Resynced { snapshot_id: 21, .. }));
    assert!(r.reliable());
    // From snapshot 21 (bid 98.0): diff 20–22 re-applied (bid 99.4), then ask 101.5.
    assert_eq!(r.book().best_bid(), Some((99.4, 1.0)));
    assert_eq!(r.book().best_ask(), Some((101.5, 1.0)));
}
