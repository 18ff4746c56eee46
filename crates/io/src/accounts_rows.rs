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
//! everything that needs the row alone and can run on any thread; [`Merger`] does the rest, in
//! file order.

use crate::accounts_csv::ACCOUNT_COLUMNS;
use crate::convert::{self, MarketSymbols};
use crate::IoError;
use liq_domain::{Account, AssetSpec, Collateral, MarginMode, MarketId, MarketSpec, Money, Position};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::path::Path;

pub(crate) const ACCOUNT: usize = 0;
const MARKET: usize = 1;
const SIZE: usize = 2;
const ENTRY: usize = 3;
const MODE: usize = 4;
const MARGIN: usize = 5;
const WALLET: usize = 6;
const COLLATERAL: usize = 7;

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

/// A row as far as it parsed. `account.positions` holds the row's position (none on an
/// account-only row or when `error` is at [`Stage::Position`]; then `market` is its market).
#[derive(Debug)]
pub(crate) struct ParsedRow {
    pub line: u64,
    pub hash: u64,
    pub account: Account,
    pub wallet_given: bool,
    pub collateral_given: bool,
    pub market: Option<MarketId>,
    /// Boxed: an `IoError` is ~120 bytes and almost every row has none; inline it made each of
    /// a million parsed rows twice the size (679 MB peak instead of 488 MB on 1M accounts).
    pub error: Option<Box<(Stage, IoError)>>,
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

/// A row's eight values, however the file stores them.
pub(crate) trait RowCells {
    /// Column `c` as text, trimmed (empty when absent).
    fn text(&self, c: usize) -> &str;
    /// Column `c` as a number (`None` when absent); `Err` is the message for a value that is
    /// not one.
    fn number(&self, c: usize) -> Result<Option<f64>, String>;
    /// Column `c` is absent (empty cell, null).
    fn absent(&self, c: usize) -> bool;
}

/// The CSV form: eight trimmed text cells.
impl RowCells for [&str; 8] {
    fn text(&self, c: usize) -> &str {
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
pub(crate) fn parse_row(cols: &impl RowCells, line: u64, cx: &RowContext<'_>) -> Result<ParsedRow, IoError> {
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
        hash: AccountIndex::hash(id),
        wallet_given: wallet.is_some(),
        collateral_given: collateral.is_some(),
        account: Account {
            label: id.to_string(),
            wallet: wallet.unwrap_or(Money::ZERO),
            collateral: collateral.unwrap_or_default(),
            positions: Vec::new(),
        },
        market: None,
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
    let market = match cx.symbols.resolve(cols.text(MARKET)) {
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
        Ok(p) => row.account.positions = vec![p],
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

/// Rows into accounts, in file order: the cross-row checks and the account limit.
pub(crate) struct Merger<'a> {
    origin: &'a Path,
    markets: &'a [MarketSpec],
    pub out: Vec<Account>,
    index: AccountIndex,
}

impl<'a> Merger<'a> {
    pub fn new(origin: &'a Path, markets: &'a [MarketSpec], rows_hint: usize) -> Self {
        Merger {
            origin,
            markets,
            out: Vec::with_capacity(rows_hint),
            index: AccountIndex::with_capacity(rows_hint),
        }
    }

    /// Adds a row; the error is the first problem of the row in the order of the module doc.
    pub fn push(&mut self, row: ParsedRow) -> Result<(), IoError> {
        let line = Some(row.line);
        let err = |col: usize, message: String| csv_err(self.origin, line, Some(col), message);
        let id = row.account.label.as_str();
        let a = match self.index.get(id, row.hash, &self.out) {
            Some(a) => {
                let acc = &self.out[a];
                if row.wallet_given && row.account.wallet != acc.wallet {
                    return Err(err(
                        WALLET,
                        format!("contradicts {} given on the first row of account \"{id}\"", acc.wallet),
                    ));
                }
                if row.collateral_given && row.account.collateral != acc.collateral {
                    return Err(err(COLLATERAL, format!("contradicts the first row of account \"{id}\"")));
                }
                Some(a)
            }
            None => {
                if self.out.len() >= crate::limits::MAX_ACCOUNTS as usize {
                    return Err(err(
                        ACCOUNT,
                        format!("more than {} accounts (see crate::limits)", crate::limits::MAX_ACCOUNTS),
                    ));
                }
                None
            }
        };
        if matches!(row.error.as_deref(), Some((Stage::Market, _))) {
            return Err(row.error.expect("just matched").1);
        }
        if let (Some(a), Some(market)) = (a, row.market) {
            // A scan of the account's few positions: cheaper per row than a map of first lines.
            if self.out[a].positions.iter().any(|p| p.market == market) {
                return Err(err(
                    MARKET,
                    format!(
                        "account \"{id}\" already has a {} position on an earlier row: one row per account \
                         and market (rows are never summed; merge them into one row)",
                        self.markets[market.idx()].symbol
                    ),
                ));
            }
        }
        if let Some(b) = row.error {
            return Err(b.1);
        }
        match a {
            Some(a) => self.out[a].positions.extend(row.account.positions),
            None => {
                self.index.insert(id, row.hash, self.out.len());
                self.out.push(row.account);
            }
        }
        Ok(())
    }
}

/// Account id → index into the accounts read so far. Keyed by a 64-bit hash of the id, so an id
/// is stored once (in its `Account`) rather than again as a map key; a hit is confirmed against
/// the stored label, and distinct ids whose hashes collide go to a second, exact map. The hash
/// is computed where the row is parsed (on any thread), the map is only probed here.
#[derive(Default)]
pub(crate) struct AccountIndex {
    by_hash: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    collided: HashMap<String, usize>,
}

impl AccountIndex {
    fn with_capacity(n: usize) -> Self {
        AccountIndex {
            by_hash: HashMap::with_capacity_and_hasher(n, Default::default()),
            collided: HashMap::new(),
        }
    }

    /// FxHash of the bytes, then murmur3's 64-bit finalizer: Fx alone leaves the low bits
    /// (which pick the bucket) poorly mixed, and sequential ids then cluster.
    pub fn hash(id: &str) -> u64 {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = 0u64;
        let mut chunks = id.as_bytes().chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn get(&self, id: &str, hash: u64, accounts: &[Account]) -> Option<usize> {
        match self.by_hash.get(&hash) {
            Some(&i) if accounts[i].label == id => Some(i),
            Some(_) => self.collided.get(id).copied(),
            None => None,
        }
    }

    /// Inserts an id that `get` did not find.
    fn insert(&mut self, id: &str, hash: u64, i: usize) {
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(id.to_string(), i);
            }
        }
    }
}

/// The map's keys are already well-mixed hashes: use them as they are.
#[derive(Default, Clone, Copy)]
pub(crate) struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (keys are `u64`); fold anything else in for completeness.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
