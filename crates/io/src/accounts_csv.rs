//! The accounts CSV: one row per position, streamed, every error with file, line and column.
//!
//! ```text
//! account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral
//! alice,BTCUSDT,0.5,60000,cross,,10000,BTC:0.5
//! alice,ETHUSDT,-2,3000,isolated,500,,
//! bob,,,,,,250,            <- an account with no positions (wallet/collateral only)
//! ```
//!
//! Rows with the same `account` form one account, in order of first appearance; its wallet and
//! collateral come from its first row, and later rows may leave them empty or repeat them, but
//! not contradict them. An account holds at most one position per market (a venue's one-way
//! mode): a second row for the same account and market is an error, never summed. A line whose first character is `#` is a comment and is skipped (so an account id
//! cannot start with `#`); the header is required, and a file whose first line is not a header
//! of known column names is refused rather than losing its first row. At most
//! [`crate::limits::MAX_ACCOUNTS`] accounts are read. A file without quoting is cut into chunks
//! at line boundaries and parsed on all cores (`crate::accounts_split`); one with quoted
//! fields or lone `\r` line ends is read by the `csv` crate; both apply the row rules of
//! `crate::accounts_rows`, so they give the same accounts and the same first error.
//! Malformed rows are errors, never skipped: a silently dropped position would understate the
//! cascade.
//!
//! [`write_accounts_csv`] writes the same format, exactly: sizes and prices are printed from
//! their lots and ticks with the shortest round-trip `f64` form and money as exact decimals of
//! micro-USD, so writing and reading back gives identical accounts (for wallets and margins
//! below 9 × 10⁹ USD, where `f64` still carries every micro-dollar).

use crate::accounts_rows::{cells, csv_err, parse_row, RowContext, SymbolMemo};
use crate::convert::MarketSymbols;
use crate::IoError;
use liq_domain::{Account, AssetSpec, MarginMode, MarketSpec, Money};
use std::io::{Read, Write};
use std::path::Path;

/// The columns, in the order the writer uses (the reader accepts any order).
pub const ACCOUNT_COLUMNS: [&str; 8] =
    ["account", "market", "size", "entry_price", "mode", "margin_usd", "wallet_usd", "collateral"];

/// Reads an accounts CSV file: the whole file into memory, then
/// [`read_accounts_csv_bytes`].
pub fn read_accounts_csv(
    path: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| IoError::read(path, format!("cannot open accounts CSV: {e}")))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).map_err(|e| IoError::read(path, format!("cannot read accounts CSV: {e}")))?;
    read_accounts_csv_bytes(&buf, path, markets, assets)
}

/// Reads accounts CSV text held in memory; `origin` names it in errors. A file in the plain
/// form (no quoting, `\n` or `\r\n` line ends) is split and parsed on all cores
/// (`crate::accounts_split`); any other goes through the `csv` crate
/// ([`read_accounts_csv_from`]). Both apply the same row rules and give the same result.
pub fn read_accounts_csv_bytes(
    buf: &[u8],
    origin: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    read_accounts_csv_chunked(buf, origin, markets, assets, crate::accounts_split::CHUNK_BYTES)
}

/// [`read_accounts_csv_bytes`] with the parallel reader's chunk size given (tests use tiny
/// chunks so that rows, errors and accounts straddle chunk boundaries).
pub(crate) fn read_accounts_csv_chunked(
    buf: &[u8],
    origin: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
    chunk_bytes: usize,
) -> Result<Vec<Account>, IoError> {
    if let Some(r) = read_plain(buf, origin, markets, assets, chunk_bytes) {
        return r;
    }
    read_accounts_csv_from(buf, origin, markets, assets)
}

/// The parallel reader, if the file is in its plain form (else `None`).
fn read_plain(
    buf: &[u8],
    origin: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
    chunk_bytes: usize,
) -> Option<Result<Vec<Account>, IoError>> {
    if buf.starts_with(b"\xEF\xBB\xBF") {
        return None;
    }
    // The header: the first line that is neither empty nor a comment.
    let mut line = 1u64;
    let mut rest = buf;
    let header = loop {
        if rest.is_empty() {
            return None; // no header: the `csv` crate reader says so
        }
        let (l, next) = match rest.iter().position(|&x| x == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.contains(&b'"') || l.contains(&b'\r') {
            return None;
        }
        rest = next;
        if !l.is_empty() && l[0] != b'#' {
            break l;
        }
        line += 1;
    };
    let names: Vec<&[u8]> = header.split(|&x| x == b',').collect();
    let at = match header_columns(names.iter().copied(), line, origin) {
        Ok(at) => at,
        Err(e) => return Some(Err(e)),
    };
    let symbols = MarketSymbols::new(markets);
    let cx = RowContext { origin, markets, assets, symbols: &symbols };
    crate::accounts_split::read_plain(rest, line + 1, &at, &cx, chunk_bytes)
}

/// Maps the header's names to columns: `at[c]` = the file's column holding
/// `ACCOUNT_COLUMNS[c]`. Every column exactly once, no others.
fn header_columns<'a>(
    names: impl Iterator<Item = &'a [u8]>,
    line: u64,
    origin: &Path,
) -> Result<[usize; 8], IoError> {
    let mut at = [usize::MAX; 8];
    for (k, name) in names.enumerate() {
        let name = String::from_utf8_lossy(name);
        let name = name.trim();
        let Some(c) = ACCOUNT_COLUMNS.iter().position(|n| *n == name) else {
            return Err(csv_err(
                origin,
                Some(line),
                None,
                format!("unknown column \"{name}\" (columns: {})", ACCOUNT_COLUMNS.join(",")),
            ));
        };
        if at[c] != usize::MAX {
            return Err(csv_err(origin, Some(line), Some(c), "column given twice".into()));
        }
        at[c] = k;
    }
    if let Some(c) = at.iter().position(|&k| k == usize::MAX) {
        return Err(csv_err(
            origin,
            Some(line),
            Some(c),
            format!("missing column (header must be {})", ACCOUNT_COLUMNS.join(",")),
        ));
    }
    Ok(at)
}

/// Reads accounts CSV text from any reader with the `csv` crate (RFC 4180 quoting, any line
/// ends), one record at a time; `origin` names it in errors.
pub fn read_accounts_csv_from<R: Read>(
    reader: R,
    origin: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    // The header is read as the first non-comment record (not by `has_headers`) so that
    // comment lines may precede it and line numbers stay physical: `csv`'s own `comment`
    // option skips lines without counting them.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked per row, to report "expected 8 fields" with the line.
        .flexible(true)
        // No `csv::Trim`: it copies every record; fields are trimmed as `&str` instead.
        .from_reader(reader);
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        csv_err(origin, line, None, e.to_string())
    };
    // `#` as the first byte of a line is the documented comment syntax (docs/scenario-format.md):
    // without it `# note,,,,,,,` became an account named "# note".
    let is_comment = |r: &csv::ByteRecord| r.get(0).is_some_and(|f| f.first() == Some(&b'#'));
    let mut header = csv::ByteRecord::new();
    let header_line = loop {
        if !rdr.read_byte_record(&mut header).map_err(csv_error)? {
            return Err(csv_err(
                origin,
                None,
                None,
                format!("no header (expected {})", ACCOUNT_COLUMNS.join(",")),
            ));
        }
        if !is_comment(&header) {
            break header.position().map(|p| p.line()).unwrap_or(1);
        }
    };
    let at = header_columns(header.iter(), header_line, origin)?;
    let symbols = MarketSymbols::new(markets);
    let cx = RowContext { origin, markets, assets, symbols: &symbols };
    // One chunk of rows with owned ids (the record buffer is reused), merged like the parallel
    // reader's chunks; it stops at the first bad row as they do.
    let mut chunk = crate::accounts_merge::RowChunk { rows: Vec::new(), error: None };
    let mut memo = SymbolMemo::default();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                chunk.error = Some(csv_error(e));
                break;
            }
        }
        if is_comment(&rec) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let row = cells(rec.len(), |k| rec.get(k).unwrap_or_default(), &at, line, origin)
            .and_then(|cols| parse_row(&cols, line, &cx, &mut memo).map(|r| r.into_owned()));
        match row {
            Ok(r) => {
                let stop = r.error.is_some();
                chunk.rows.push(r);
                if stop {
                    break;
                }
            }
            Err(e) => {
                chunk.error = Some(e);
                break;
            }
        }
    }
    crate::accounts_merge::merge(vec![chunk], origin, markets)
}

/// An exact decimal of micro-USD (`-12.5`, `0.000001`).
fn money(m: Money) -> String {
    let sign = if m.0 < 0 { "-" } else { "" };
    let a = m.0.unsigned_abs();
    let (whole, frac) = (a / 1_000_000, a % 1_000_000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:06}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

/// `units × step` as a short exact decimal when `step` is a decimal fraction (0.1, 0.001): plain
/// `f64` multiplication would print 612346 × 0.1 as `61234.600000000006`.
fn on_grid_decimal(units: i64, step: f64) -> String {
    for d in 0..=12u32 {
        let scaled = step * 10f64.powi(d as i32);
        if (scaled - scaled.round()).abs() <= 1e-9 * scaled.max(1.0) {
            let v = i128::from(units) * scaled.round() as i128;
            let p = 10i128.pow(d);
            let sign = if v < 0 { "-" } else { "" };
            let (whole, frac) = (v.abs() / p, v.abs() % p);
            return if frac == 0 {
                format!("{sign}{whole}")
            } else {
                let f = format!("{frac:0width$}", width = d as usize);
                format!("{sign}{whole}.{}", f.trim_end_matches('0'))
            };
        }
    }
    // Not a decimal fraction: the shortest round-trip f64 is still on the grid when read back.
    format!("{}", units as f64 * step)
}

/// Writes accounts in the CSV format [`read_accounts_csv`] reads (one row per position, wallet
/// and collateral repeated on each; an account without positions gets one account-only row).
/// `origin` names the destination in errors. A position whose cost basis is not a whole number
/// of ticks per lot cannot be written exactly and is an error, never rounded.
pub fn write_accounts_csv<W: Write>(
    out: W,
    origin: &Path,
    accounts: &[Account],
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<(), IoError> {
    let err = |line: usize, field: &str, message: String| IoError::Csv {
        file: origin.to_path_buf(),
        line: Some(line),
        column: ACCOUNT_COLUMNS.iter().position(|c| *c == field).map(|c| c + 1),
        field: field.to_string(),
        message,
    };
    let mut w = csv::Writer::from_writer(out);
    let mut line = 1;
    w.write_record(ACCOUNT_COLUMNS).map_err(|e| err(line, "", e.to_string()))?;
    for a in accounts {
        let wallet = money(a.wallet);
        let mut coll = String::new();
        for c in &a.collateral {
            let asset = assets.get(c.asset.idx()).ok_or_else(|| {
                err(line + 1, "collateral", format!("asset index {} out of range", c.asset))
            })?;
            if !coll.is_empty() {
                coll.push(';');
            }
            coll.push_str(&format!("{}:{}", asset.symbol, c.qty));
        }
        if a.positions.is_empty() {
            line += 1;
            w.write_record([a.label.as_str(), "", "", "", "", "", &wallet, &coll])
                .map_err(|e| err(line, "", e.to_string()))?;
        }
        for p in &a.positions {
            line += 1;
            let m = markets
                .get(p.market.idx())
                .ok_or_else(|| err(line, "market", format!("market index {} out of range", p.market)))?;
            let per_tick = i128::from(p.size_lots) * i128::from(m.micros_per_lot_tick());
            let cost = i128::from(p.cost.0);
            if per_tick == 0 || cost % per_tick != 0 {
                return Err(err(
                    line,
                    "entry_price",
                    format!(
                        "account \"{}\": cost basis {} is not a whole number of ticks per lot",
                        a.label, p.cost
                    ),
                ));
            }
            let ticks = (cost / per_tick) as i64;
            let (mode, margin) = match p.mode {
                MarginMode::Cross => ("cross", String::new()),
                MarginMode::Isolated => ("isolated", money(p.isolated_margin)),
            };
            let size = on_grid_decimal(p.size_lots, m.lot_size);
            let price = on_grid_decimal(ticks, m.tick_size);
            w.write_record([a.label.as_str(), &m.symbol, &size, &price, mode, &margin, &wallet, &coll])
                .map_err(|e| err(line, "", e.to_string()))?;
        }
    }
    w.flush().map_err(|e| err(line, "", e.to_string()))
}

/// Writes accounts to a CSV file (see [`write_accounts_csv`]).
pub fn write_accounts_csv_file(
    path: &Path,
    accounts: &[Account],
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<(), IoError> {
    // Whole or not at all (temporary file + rename), like every output.
    let mut inner: Option<IoError> = None;
    crate::output::write_file_with(path, |w| {
        write_accounts_csv(w, path, accounts, markets, assets).map_err(|e| {
            let message = e.to_string();
            inner = Some(e);
            std::io::Error::other(message)
        })
    })
    .map_err(|e| {
        inner.take().unwrap_or_else(|| IoError::read(path, format!("cannot write accounts CSV: {e}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::{AssetId, Collateral};

    #[test]
    fn money_is_exact_decimal() {
        assert_eq!(money(Money(10_000_000_000)), "10000");
        assert_eq!(money(Money(-12_500_000)), "-12.5");
        assert_eq!(money(Money(1)), "0.000001");
        assert_eq!(money(Money(123_456_789)), "123.456789");
    }

    #[test]
    fn grid_values_print_short() {
        assert_eq!(on_grid_decimal(612_346, 0.1), "61234.6");
        assert_eq!(on_grid_decimal(-3, 0.001), "-0.003");
        assert_eq!(on_grid_decimal(228_670, 0.001), "228.67");
        assert_eq!(on_grid_decimal(5, 1.0), "5");
    }

    #[test]
    fn collateral_cell() {
        let assets = [
            AssetSpec { symbol: "BTC".into(), price: liq_domain::AssetPrice::Fixed(1.0), haircut: 0.0 },
            AssetSpec { symbol: "ETH".into(), price: liq_domain::AssetPrice::Fixed(1.0), haircut: 0.0 },
        ];
        let c = crate::accounts_rows::parse_collateral("ETH:2; BTC:0.5", &assets).unwrap();
        assert_eq!(
            c,
            vec![Collateral { asset: AssetId(0), qty: 0.5 }, Collateral { asset: AssetId(1), qty: 2.0 }]
        );
        assert!(crate::accounts_rows::parse_collateral("BTC", &assets).is_err());
        assert!(crate::accounts_rows::parse_collateral("BTC:x", &assets).is_err());
        assert!(crate::accounts_rows::parse_collateral("BTC:1;btc:2", &assets)
            .unwrap_err()
            .contains("twice"));
    }
}
