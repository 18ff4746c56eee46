//! One accounts-CSV row from its eight cells, and the merge of rows into accounts: the rules of
//! docs/scenario-format.md § Accounts CSV, shared by the two ways of splitting a file into
//! rows ([`crate::accounts_csv`]'s `csv`-crate reader for files with quoting, and the parallel
//! splitter of [`crate::accounts_split`] for the rest), so both give the same accounts and the
//! same first error, message for message.
//!
//! A row is checked in a fixed order, and the order is part of the contract (the first
//! problem of the first bad row is the one reported): the row's own cells up to its collateral
//! (the cells stage), then against earlier rows of the same account (a contradicting wallet or
//! collateral, the account limit), then its market ([`Stage::Market`]), then "one position per
//! account and market", then the rest of its position ([`Stage::Position`]). [`parse_row`] does
//! everything that needs the row alone and can run on any thread; `crate::accounts_merge`
//! does the rest, reporting the first problem in file order.

use crate::accounts_csv::ACCOUNT_COLUMNS;
use crate::convert::{self, MarketSymbols};
use crate::IoError;
use liq_domain::{AssetSpec, Collateral, MarginMode, MarketId, MarketSpec, Money, Position};
use std::borrow::Cow;
use std::path::Path;

pub(crate) const ACCOUNT: usize = 0;
pub(crate) const MARKET: usize = 1;
const SIZE: usize = 2;
const ENTRY: usize = 3;
const MODE: usize = 4;
const MARGIN: usize = 5;
pub(crate) const WALLET: usize = 6;
pub(crate) const COLLATERAL: usize = 7;

/// An accounts-CSV error at `line` in column `col` (an index into [`ACCOUNT_COLUMNS`]).
pub(crate) fn csv_err(origin: &Path, line: Option<u64>, col: Option<usize>, message: String) -> IoError {
    IoError::Csv {
        file: origin.to_path_buf(),
        line: line.map(|l| l as usize),
        column: col.map(|c| c + 1),
        field: col.map(|c| ACCOUNT_COLUMNS[c].to_string()).unwrap_or_default(),
        message,
    }
}

/// Where in a row's checks an error after the lookup arose (see the module doc); errors before
/// it (field count, UTF-8, the id, the wallet, the collateral: the "cells" stage) are returned
/// as `Err` by [`cells`] and [`parse_row`] and end the row at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// The market cell of a position row: after the lookup.
    Market,
    /// The rest of the position: after the one-position-per-market check.
    Position,
}

/// A row as far as it parsed, compact: no allocation besides an owned id (readers that cannot
/// lend one), a collateral cell's list and the error. `position` is the row's position (none on
/// an account-only row or when `error` is set; `market` is its market from the lookup on).
#[derive(Debug)]
pub(crate) struct ParsedRow<'a> {
    pub line: u64,
    /// [`id_hash`] of `id`, computed here (on the parsing thread) for the merge's sort.
    pub hash: u64,
    /// The account id, trimmed: borrowed from the file's bytes where the reader can lend them.
    pub id: Cow<'a, str>,
    /// The wallet cell (zero when empty; `wallet_given` says which).
    pub wallet: Money,
    pub wallet_given: bool,
    /// The collateral cell, `None` when empty.
    pub collateral: Option<Vec<Collateral>>,
    pub market: Option<MarketId>,
    pub position: Option<Position>,
    /// Boxed: an `IoError` is ~120 bytes and almost every row has none.
    pub error: Option<Box<(Stage, IoError)>>,
}

impl ParsedRow<'_> {
    /// The row with its id owned, for readers whose cells do not outlive the row (a reused
    /// record, a decoded batch): the id becomes the account's label, so this is the label's
    /// one allocation, made early.
    pub fn into_owned(self) -> ParsedRow<'static> {
        let ParsedRow { line, hash, id, wallet, wallet_given, collateral, market, position, error } = self;
        let id = Cow::Owned(id.into_owned());
        ParsedRow { line, hash, id, wallet, wallet_given, collateral, market, position, error }
    }
}

/// The row's cells in [`ACCOUNT_COLUMNS`] order, raw bytes (`at[c]` = the file's column of `c`).
/// `Err` is a cells-stage error: nothing of the row can be used.
pub(crate) fn cells<'a>(
    n_fields: usize,
    field: impl Fn(usize) -> &'a [u8],
    at: &[usize; 8],
    line: u64,
    origin: &Path,
) -> Result<[&'a str; 8], IoError> {
    if n_fields != ACCOUNT_COLUMNS.len() {
        return Err(csv_err(
            origin,
            Some(line),
            None,
            format!("expected {} fields, got {}", ACCOUNT_COLUMNS.len(), n_fields),
        ));
    }
    let mut cols = [""; 8];
    for (c, k) in at.iter().enumerate() {
        cols[c] = std::str::from_utf8(field(*k))
            .map_err(|_| csv_err(origin, Some(line), Some(c), "not valid UTF-8".into()))?
            .trim();
    }
    Ok(cols)
}

/// What [`parse_row`] needs besides the row.
pub(crate) struct RowContext<'a> {
    pub origin: &'a Path,
    pub markets: &'a [MarketSpec],
    pub assets: &'a [AssetSpec],
    pub symbols: &'a MarketSymbols,
}

/// A row's eight values, however the file stores them; text lives as long as `'a`.
pub(crate) trait RowCells<'a> {
    /// Column `c` as text, trimmed (empty when absent).
    fn text(&self, c: usize) -> &'a str;
    /// Column `c` as a number (`None` when absent); `Err` is the message for a value that is
    /// not one.
    fn number(&self, c: usize) -> Result<Option<f64>, String>;
    /// Column `c` is absent (empty cell, null).
    fn absent(&self, c: usize) -> bool;
}

/// The CSV form: eight trimmed text cells.
impl<'a> RowCells<'a> for [&'a str; 8] {
    fn text(&self, c: usize) -> &'a str {
        self[c]
    }
    fn number(&self, c: usize) -> Result<Option<f64>, String> {
        if self[c].is_empty() {
            return Ok(None);
        }
        self[c].parse::<f64>().map(Some).map_err(|_| format!("expected a number, got \"{}\"", self[c]))
    }
    fn absent(&self, c: usize) -> bool {
        self[c].is_empty()
    }
}

/// Parses one row's values. `Err` is a cells-stage error; later errors come back inside
/// the row so the merge can put the cross-row checks before them.
pub(crate) fn parse_row<'a>(
    cols: &impl RowCells<'a>,
    line: u64,
    cx: &RowContext<'_>,
    memo: &mut SymbolMemo,
) -> Result<ParsedRow<'a>, IoError> {
    let err = |col: Option<usize>, message: String| csv_err(cx.origin, Some(line), col, message);
    let num = |c: usize| -> Result<Option<f64>, IoError> { cols.number(c).map_err(|m| err(Some(c), m)) };
    let id = cols.text(ACCOUNT);
    if id.is_empty() {
        return Err(err(Some(ACCOUNT), "must not be empty".into()));
    }
    let wallet = num(WALLET)?
        .map(|v| crate::scenario_file::wallet(v).map_err(|e| err(Some(WALLET), e)))
        .transpose()?;
    let collateral = if cols.absent(COLLATERAL) {
        None
    } else {
        Some(parse_collateral(cols.text(COLLATERAL), cx.assets).map_err(|e| err(Some(COLLATERAL), e))?)
    };
    let mut row = ParsedRow {
        line,
        hash: id_hash(id),
        id: Cow::Borrowed(id),
        wallet: wallet.unwrap_or(Money::ZERO),
        wallet_given: wallet.is_some(),
        collateral,
        market: None,
        position: None,
        error: None,
    };
    if [MARKET, SIZE, ENTRY, MODE, MARGIN].iter().all(|&c| cols.absent(c)) {
        return Ok(row); // an account-only row
    }
    if cols.absent(MARKET) {
        row.error =
            Some(Box::new((Stage::Market, err(Some(MARKET), "must not be empty on a position row".into()))));
        return Ok(row);
    }
    let market = match memo.resolve(cols.text(MARKET), cx.symbols) {
        Ok(m) => m,
        Err(e) => {
            row.error = Some(Box::new((Stage::Market, err(Some(MARKET), e))));
            return Ok(row);
        }
    };
    row.market = Some(market);
    let position = || -> Result<Position, IoError> {
        let size = num(SIZE)?.ok_or_else(|| err(Some(SIZE), "must not be empty on a position row".into()))?;
        let entry =
            num(ENTRY)?.ok_or_else(|| err(Some(ENTRY), "must not be empty on a position row".into()))?;
        let mode = match cols.text(MODE) {
            "" | "cross" => MarginMode::Cross,
            "isolated" => MarginMode::Isolated,
            other => return Err(err(Some(MODE), format!("expected cross or isolated, got \"{other}\""))),
        };
        let margin = num(MARGIN)?;
        convert::position(&cx.markets[market.idx()], market, size, entry, mode, margin).map_err(|(f, e)| {
            let c = ACCOUNT_COLUMNS.iter().position(|n| *n == f);
            err(c, e)
        })
    };
    match position() {
        Ok(p) => row.position = Some(p),
        Err(e) => row.error = Some(Box::new((Stage::Position, e))),
    }
    Ok(row)
}

/// `BTC:0.5;ETH:2` → collateral sorted by asset index, with the same checks as inline
/// `collateral` tables (parsed straight into the result: this runs once per row).
pub(crate) fn parse_collateral(s: &str, assets: &[AssetSpec]) -> Result<Vec<Collateral>, String> {
    let mut out: Vec<Collateral> = Vec::with_capacity(2);
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (sym, qty) = part.split_once(':').ok_or_else(|| format!("expected ASSET:QTY, got \"{part}\""))?;
        let (sym, qty) = (sym.trim(), qty.trim());
        let qty: f64 =
            qty.parse().map_err(|_| format!("expected a number after \"{sym}:\", got \"{qty}\""))?;
        let asset = convert::resolve_asset(assets, sym).map_err(|e| format!("{sym}: {e}"))?;
        if !(qty.is_finite() && qty >= 0.0) {
            return Err(format!("{sym}: collateral must be a non-negative finite quantity, got {qty}"));
        }
        if out.iter().any(|c| c.asset == asset) {
            return Err(format!("{sym}: asset listed twice"));
        }
        out.push(Collateral { asset, qty });
    }
    out.sort_by_key(|c| c.asset);
    Ok(out)
}

/// A reader's memo of the market cells it has resolved: a file names a few markets a million
/// times, and [`MarketSymbols::resolve`] (case folding, venue prefixes, short forms) is a pure
/// function of the cell, so the first answer for each exact cell is reused. Only successes are
/// kept (an unknown market ends the reader's chunk).
#[derive(Default)]
pub(crate) struct SymbolMemo {
    known: Vec<(String, MarketId)>,
}

impl SymbolMemo {
    /// Entries kept: more distinct spellings than this are resolved each time (still right).
    const CAP: usize = 16;

    pub fn resolve(&mut self, cell: &str, symbols: &MarketSymbols) -> Result<MarketId, String> {
        if let Some((_, m)) = self.known.iter().find(|(s, _)| s == cell) {
            return Ok(*m);
        }
        let m = symbols.resolve(cell)?;
        if self.known.len() < Self::CAP {
            self.known.push((cell.to_string(), m));
        }
        Ok(m)
    }
}

/// The 64-bit hash of an account id the merge sorts by (`crate::accounts_merge`): the length,
/// then each 8-byte word (the last zero-padded) folded in by a 64×64→128-bit multiply whose
/// halves are XORed (wyhash's mixing step and constants). Equal hashes are only candidates:
/// the merge compares the ids themselves, so this decides speed, never the result. The FxHash
/// used before it mixed the last bytes in one at a time and gave 109,310 distinct values for
/// the 200,000 ids `pop-0000000`…`pop-0199999` (the bench's), making the merge sort ids in
/// every run of equal hashes; this one gives 1,000,000 for 1,000,000 such ids (tested).
pub(crate) fn id_hash(id: &str) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    fn fold(a: u64, b: u64) -> u64 {
        let p = u128::from(a) * u128::from(b);
        (p as u64) ^ ((p >> 64) as u64)
    }
    let bytes = id.as_bytes();
    let mut h = (bytes.len() as u64) ^ P0;
    for c in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        h = fold(h ^ u64::from_le_bytes(w), P1);
    }
    fold(h, P0)
}

#[cfg(test)]
mod tests {
    /// Ids as generators write them do not collide (the merge stays one sort): a million
    /// sequential ids of the bench's form, and of two other common forms, all distinct.
    #[test]
    fn sequential_ids_do_not_collide() {
        for form in [|i: u32| format!("pop-{i:07}"), |i: u32| format!("{i}"), |i: u32| format!("user_{i:x}")]
        {
            let mut h: Vec<u64> = (0..1_000_000).map(|i| super::id_hash(&form(i))).collect();
            h.sort_unstable();
            h.dedup();
            assert_eq!(h.len(), 1_000_000);
        }
    }
}
