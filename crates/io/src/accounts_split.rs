//! The parallel accounts-CSV reader: the file's bytes cut at line boundaries into one chunk per
//! few hundred kilobytes, each chunk split into rows and parsed on its own thread (rayon), the
//! rows then merged into accounts by `crate::accounts_merge`.
//!
//! It reads the plain form of the format only: no `"` anywhere, lines ended by `\n` or `\r\n`,
//! no byte-order mark. Then a line is a record and a comma a field separator, exactly as the
//! `csv` crate (RFC 4180) splits them, blank lines skipped as it skips them. Anything else —
//! a quoted field, a lone `\r` — returns `None` and the caller reads the file with the `csv`
//! crate instead, so every file is read by the rules of docs/scenario-format.md whichever
//! reader takes it (a test checks both give the same accounts and the same errors).
//!
//! No allocation per row: a row's id stays a slice of the file's bytes until its account is
//! built, its numbers are parsed in place and its market is resolved through a per-chunk memo
//! of the cells seen (only a collateral cell's list and a row's error allocate); each chunk
//! stops at its first bad row, since nothing after the first error in the file is reported.

use crate::accounts_merge::RowChunk;
use crate::accounts_rows::{cells, parse_row, RowContext, SymbolMemo};
use crate::IoError;
use rayon::prelude::*;

/// Bytes per chunk: enough rows (≈ 5,000 of a typical 60-byte row) to amortise a task, small
/// enough that two to a few dozen threads are balanced on a 58 MB file.
pub(crate) const CHUNK_BYTES: usize = 1 << 18;

/// The rows of one chunk up to its first bad row, with line numbers relative to the chunk.
struct Chunk<'a> {
    rows: RowChunk<'a>,
    /// `\n`s in the chunk (to number the next chunk's lines).
    newlines: u64,
    /// The chunk is not in the plain form: the whole file goes to the `csv` crate.
    not_plain: bool,
}

/// Reads the data rows after the header (`body` starts at line `first_line`), or `None` when
/// the file is not in the plain form (module doc). `at[c]` is the file column of column `c`.
pub(crate) fn read_plain(
    body: &[u8],
    first_line: u64,
    at: &[usize; 8],
    cx: &RowContext<'_>,
    chunk_bytes: usize,
) -> Option<Result<Vec<liq_domain::Account>, IoError>> {
    let bounds = chunk_bounds(body, chunk_bytes.max(1));
    let mut chunks: Vec<Chunk<'_>> =
        bounds.par_windows(2).map(|w| parse_chunk(&body[w[0]..w[1]], at, cx)).collect();
    if chunks.iter().any(|c| c.not_plain) {
        return None;
    }
    // Line numbers from chunk-relative to the file's.
    let mut line0 = first_line;
    for c in &mut chunks {
        let by = line0;
        line0 += c.newlines;
        c.rows.rows.par_iter_mut().for_each(|row| {
            row.line += by;
            if let Some(b) = &mut row.error {
                shift_line(&mut b.1, by);
            }
        });
        if let Some(e) = &mut c.rows.error {
            shift_line(e, by);
        }
    }
    let chunks = chunks.into_iter().map(|c| c.rows).collect();
    Some(crate::accounts_merge::merge(chunks, cx.origin, cx.markets))
}

/// Chunk starts: every `chunk_bytes`, moved forward past the next `\n`, plus the end.
fn chunk_bounds(body: &[u8], chunk_bytes: usize) -> Vec<usize> {
    let mut b = vec![0];
    let mut at = chunk_bytes;
    while at < body.len() {
        match body[at..].iter().position(|&x| x == b'\n') {
            Some(i) => {
                let next = at + i + 1;
                if next < body.len() {
                    b.push(next);
                }
                at = next + chunk_bytes;
            }
            None => break,
        }
    }
    b.push(body.len());
    b
}

fn shift_line(e: &mut IoError, by: u64) {
    if let IoError::Csv { line: Some(l), .. } = e {
        *l += by as usize;
    }
}

/// Splits and parses one chunk; lines are numbered from 0 at the chunk's start.
fn parse_chunk<'a>(chunk: &'a [u8], at: &[usize; 8], cx: &RowContext<'_>) -> Chunk<'a> {
    let mut out = Chunk {
        rows: RowChunk { rows: Vec::with_capacity(chunk.len() / 48), error: None },
        newlines: 0,
        not_plain: false,
    };
    let mut memo = SymbolMemo::default();
    if chunk.contains(&b'"') {
        out.not_plain = true;
        return out;
    }
    let mut fields: Vec<&[u8]> = Vec::with_capacity(8);
    let mut rest = chunk;
    let mut line = 0u64;
    while !rest.is_empty() {
        let (mut l, next) = match rest.iter().position(|&x| x == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        let this_line = line;
        if next.len() < rest.len() - l.len() {
            line += 1;
        }
        rest = next;
        if let Some(s) = l.strip_suffix(b"\r") {
            l = s;
        }
        if l.contains(&b'\r') {
            out.not_plain = true;
            return out;
        }
        // The `csv` crate skips empty lines and `#` starts a comment (first byte of a line).
        if l.is_empty() || l[0] == b'#' {
            continue;
        }
        fields.clear();
        fields.extend(l.split(|&x| x == b','));
        let row = cells(fields.len(), |k| fields[k], at, this_line, cx.origin)
            .and_then(|cols| parse_row(&cols, this_line, cx, &mut memo));
        match row {
            Ok(r) => {
                let stop = r.error.is_some();
                out.rows.rows.push(r);
                if stop {
                    break;
                }
            }
            Err(e) => {
                out.rows.error = Some(e);
                break;
            }
        }
    }
    // Count the newlines of the whole chunk even when it stopped early: a later chunk's lines
    // are not needed then, but the count must not lie.
    out.newlines = line + rest.iter().filter(|&&x| x == b'\n').count() as u64;
    out
}

#[cfg(test)]
mod tests {
    use crate::accounts_csv::{read_accounts_csv_chunked, read_accounts_csv_from};
    use liq_domain::{AssetPrice, AssetSpec, MarketSpec};
    use proptest::prelude::*;
    use std::path::Path;

    fn markets() -> Vec<MarketSpec> {
        static M: std::sync::OnceLock<Vec<MarketSpec>> = std::sync::OnceLock::new();
        M.get_or_init(|| crate::default_scenario::default_scenario().unwrap().markets).clone()
    }

    fn assets() -> Vec<AssetSpec> {
        vec![AssetSpec { symbol: "BTC".into(), price: AssetPrice::Fixed(60_000.0), haircut: 0.05 }]
    }

    /// Pieces rows are built from: good and bad values of every column, so that generated files
    /// hit every check (and its order within a row) and the cross-row rules (ids repeat).
    fn row() -> impl Strategy<Value = String> {
        let id = prop::sample::select(vec!["a", "b", "c", "d", "", " a ", "é"]);
        let market = prop::sample::select(vec!["BTCUSDT", "ETH", "SOLUSDT", "", "DOGE", "btc"]);
        let size = prop::sample::select(vec!["0.5", "-2", "1", "0", "x", "", "0.0005", "NaN"]);
        let entry = prop::sample::select(vec!["60000", "3000", "228.67", "", "-1", "abc"]);
        let mode = prop::sample::select(vec!["cross", "isolated", "", "iso"]);
        let margin = prop::sample::select(vec!["", "500", "0", "-5", "q"]);
        let wallet = prop::sample::select(vec!["", "1000", "250", "inf", "z"]);
        let coll = prop::sample::select(vec!["", "BTC:0.5", "BTC:1", "ETH:1", "BTC", "BTC:1;BTC:2"]);
        (id, market, size, entry, mode, margin, wallet, coll)
            .prop_map(|(i, m, s, e, mo, ma, w, c)| format!("{i},{m},{s},{e},{mo},{ma},{w},{c}"))
    }

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => row(),
            1 => Just("# a comment, with commas".to_string()),
            1 => Just("a,BTCUSDT,1,60000".to_string()),
            1 => Just("b,,,,,,10,".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The parallel reader, cut into chunks of a few bytes (so rows, accounts and errors
        /// straddle chunk boundaries), returns exactly what the `csv` crate reader returns:
        /// the same accounts, or the same first error (line, column, field and message); and
        /// the same file with `\r\n` line ends reads the same. (The `csv` crate itself is not
        /// the reference for `\r\n` files: it numbers a record after a `\r\n` from the line
        /// before, and does not count blank lines, while errors promise the physical line:
        /// blank lines are tested on their own below.)
        #[test]
        fn parallel_reader_equals_csv_crate_reader(
            lines in prop::collection::vec(line(), 0..40),
            crlf in any::<bool>(),
            chunk in 1usize..64,
            header_after_comment in any::<bool>(),
        ) {
            let file = |end: &str| {
                let mut text = String::new();
                if header_after_comment {
                    text.push_str("# leading comment");
                    text.push_str(end);
                }
                text.push_str("account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral");
                for l in &lines {
                    text.push_str(end);
                    text.push_str(l);
                }
                text
            };
            let (m, a) = (markets(), assets());
            let origin = Path::new("t.csv");
            let text = file("\n");
            let fast = read_accounts_csv_chunked(text.as_bytes(), origin, &m, &a, chunk);
            let reference = read_accounts_csv_from(text.as_bytes(), origin, &m, &a);
            prop_assert_eq!(&fast, &reference, "{}", text);
            if crlf {
                let crlf_text = file("\r\n");
                let fast_crlf = read_accounts_csv_chunked(crlf_text.as_bytes(), origin, &m, &a, chunk);
                prop_assert_eq!(&fast_crlf, &fast, "{}", crlf_text);
            }
        }
    }

    /// Blank lines count as lines: the error is on the row's physical line (the `csv` crate
    /// reader, which the same file without quotes never reaches, would say line 2).
    #[test]
    fn blank_lines_keep_physical_line_numbers() {
        let text = "account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral\n\n\
                    a,BTCUSDT,0.5,60000,cross,500,,\n";
        let (m, a) = (markets(), assets());
        let e = read_accounts_csv_chunked(text.as_bytes(), Path::new("b.csv"), &m, &a, 4).unwrap_err();
        assert!(e.to_string().starts_with("b.csv:3: margin_usd: 500 given for a cross position"), "{e}");
    }

    /// A quoted field (which may hold a comma or a line end) sends the file to the `csv` crate
    /// reader, which reads the RFC 4180 quoting: the account id is `x,y`, on the right line.
    #[test]
    fn quoted_files_are_read_by_the_csv_crate() {
        let text = "account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral\n\
                    \"x,y\",BTCUSDT,1,60000,isolated,100,,\nz,BTCUSDT,zz,60000,isolated,100,,\n";
        let (m, a) = (markets(), assets());
        let e = read_accounts_csv_chunked(text.as_bytes(), Path::new("q.csv"), &m, &a, 8).unwrap_err();
        assert_eq!(e.to_string(), "q.csv:3: size: expected a number, got \"zz\"");
        let good = "account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral\n\
                    \"x,y\",BTCUSDT,1,60000,isolated,100,,\n";
        let ok = read_accounts_csv_chunked(good.as_bytes(), Path::new("q.csv"), &m, &a, 8).unwrap();
        assert_eq!(ok[0].label, "x,y");
    }
}
