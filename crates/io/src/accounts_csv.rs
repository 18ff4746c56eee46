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
//! [`crate::limits::MAX_ACCOUNTS`] accounts are read. Rows are read as raw bytes into one reused record and numbers parsed in
//! place, so a 1,000,000-row population loads in a fraction of a second in release. Malformed
//! rows are errors, never skipped: a silently dropped position would understate the cascade.
//!
//! [`write_accounts_csv`] writes the same format, exactly: sizes and prices are printed from
//! their lots and ticks with the shortest round-trip `f64` form and money as exact decimals of
//! micro-USD, so writing and reading back gives identical accounts (for wallets and margins
//! below 9 × 10⁹ USD, where `f64` still carries every micro-dollar).

use crate::convert::{self, MarketSymbols};
use crate::IoError;
use liq_domain::{Account, AssetSpec, Collateral, MarginMode, MarketSpec, Money};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::{Read, Write};
use std::path::Path;

/// The columns, in the order the writer uses (the reader accepts any order).
pub const ACCOUNT_COLUMNS: [&str; 8] =
    ["account", "market", "size", "entry_price", "mode", "margin_usd", "wallet_usd", "collateral"];

const ACCOUNT: usize = 0;
const MARKET: usize = 1;
const SIZE: usize = 2;
const ENTRY: usize = 3;
const MODE: usize = 4;
const MARGIN: usize = 5;
const WALLET: usize = 6;
const COLLATERAL: usize = 7;

/// Reads an accounts CSV file.
pub fn read_accounts_csv(
    path: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    let f = std::fs::File::open(path)
        .map_err(|e| IoError::read(path, format!("cannot open accounts CSV: {e}")))?;
    read_accounts_csv_from(std::io::BufReader::with_capacity(1 << 16, f), path, markets, assets)
}

/// Reads accounts CSV text from any reader; `origin` names it in errors.
pub fn read_accounts_csv_from<R: Read>(
    reader: R,
    origin: &Path,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    let err = |line: Option<u64>, col: Option<usize>, message: String| IoError::Csv {
        file: origin.to_path_buf(),
        line: line.map(|l| l as usize),
        column: col.map(|c| c + 1),
        field: col.map(|c| ACCOUNT_COLUMNS[c].to_string()).unwrap_or_default(),
        message,
    };
    // The header is read as the first non-comment record (not by `has_headers`) so that
    // comment lines may precede it and line numbers stay physical: `csv`'s own `comment`
    // option skips lines without counting them.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        // Field counts are checked here, to report "expected 8 fields" with the line.
        .flexible(true)
        // No `csv::Trim`: it copies every record (a third of the load time); fields are
        // trimmed as `&str` below instead.
        .from_reader(reader);
    let csv_err = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        err(line, None, e.to_string())
    };
    // `#` as the first byte of a line is the documented comment syntax (docs/scenario-format.md):
    // without it `# note,,,,,,,` became an account named "# note".
    let is_comment = |r: &csv::ByteRecord| r.get(0).is_some_and(|f| f.first() == Some(&b'#'));
    let mut header = csv::ByteRecord::new();
    let header_line = loop {
        if !rdr.read_byte_record(&mut header).map_err(csv_err)? {
            return Err(err(None, None, format!("no header (expected {})", ACCOUNT_COLUMNS.join(","))));
        }
        if !is_comment(&header) {
            break header.position().map(|p| p.line()).unwrap_or(1);
        }
    };
    // order[k] = index into ACCOUNT_COLUMNS of the file's k-th column.
    let mut at = [usize::MAX; 8];
    for (k, name) in header.iter().enumerate() {
        let name = String::from_utf8_lossy(name);
        let name = name.trim();
        let Some(c) = ACCOUNT_COLUMNS.iter().position(|n| *n == name) else {
            return Err(err(
                Some(header_line),
                None,
                format!("unknown column \"{name}\" (columns: {})", ACCOUNT_COLUMNS.join(",")),
            ));
        };
        if at[c] != usize::MAX {
            return Err(err(Some(header_line), Some(c), "column given twice".into()));
        }
        at[c] = k;
    }
    if let Some(c) = at.iter().position(|&k| k == usize::MAX) {
        return Err(err(
            Some(header_line),
            Some(c),
            format!("missing column (header must be {})", ACCOUNT_COLUMNS.join(",")),
        ));
    }

    let symbols = MarketSymbols::new(markets);
    let mut out: Vec<Account> = Vec::new();
    let mut index = AccountIndex::default();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(e)),
        }
        if is_comment(&rec) {
            continue;
        }
        let line = rec.position().map(|p| p.line());
        if rec.len() != ACCOUNT_COLUMNS.len() {
            return Err(err(
                line,
                None,
                format!("expected {} fields, got {}", ACCOUNT_COLUMNS.len(), rec.len()),
            ));
        }
        let mut cols = [""; 8];
        for (c, k) in at.iter().enumerate() {
            let raw = rec.get(*k).unwrap_or_default();
            cols[c] =
                std::str::from_utf8(raw).map_err(|_| err(line, Some(c), "not valid UTF-8".into()))?.trim();
        }
        let num = |c: usize| -> Result<Option<f64>, IoError> {
            if cols[c].is_empty() {
                return Ok(None);
            }
            cols[c]
                .parse::<f64>()
                .map(Some)
                .map_err(|_| err(line, Some(c), format!("expected a number, got \"{}\"", cols[c])))
        };
        let id = cols[ACCOUNT];
        if id.is_empty() {
            return Err(err(line, Some(ACCOUNT), "must not be empty".into()));
        }
        let wallet = num(WALLET)?
            .map(|v| crate::scenario_file::wallet(v).map_err(|e| err(line, Some(WALLET), e)))
            .transpose()?;
        let collateral = if cols[COLLATERAL].is_empty() {
            None
        } else {
            Some(parse_collateral(cols[COLLATERAL], assets).map_err(|e| err(line, Some(COLLATERAL), e))?)
        };
        let a = match index.get(id, &out) {
            Some(a) => {
                let acc = &out[a];
                if wallet.is_some_and(|w| w != acc.wallet) {
                    return Err(err(
                        line,
                        Some(WALLET),
                        format!("contradicts {} given on the first row of account \"{id}\"", acc.wallet),
                    ));
                }
                if collateral.as_ref().is_some_and(|c| *c != acc.collateral) {
                    return Err(err(
                        line,
                        Some(COLLATERAL),
                        format!("contradicts the first row of account \"{id}\""),
                    ));
                }
                a
            }
            None => {
                if out.len() >= crate::limits::MAX_ACCOUNTS as usize {
                    return Err(err(
                        line,
                        Some(ACCOUNT),
                        format!("more than {} accounts (see crate::limits)", crate::limits::MAX_ACCOUNTS),
                    ));
                }
                index.insert(id, out.len());
                out.push(Account {
                    label: id.to_string(),
                    wallet: wallet.unwrap_or(Money::ZERO),
                    collateral: collateral.unwrap_or_default(),
                    positions: Vec::with_capacity(1),
                });
                out.len() - 1
            }
        };
        if [MARKET, SIZE, ENTRY, MODE, MARGIN].iter().all(|&c| cols[c].is_empty()) {
            continue; // an account-only row
        }
        if cols[MARKET].is_empty() {
            return Err(err(line, Some(MARKET), "must not be empty on a position row".into()));
        }
        let market = symbols.resolve(cols[MARKET]).map_err(|e| err(line, Some(MARKET), e))?;
        // A scan of the account's few positions: cheaper per row than a map of first lines.
        if out[a].positions.iter().any(|p| p.market == market) {
            return Err(err(
                line,
                Some(MARKET),
                format!(
                    "account \"{id}\" already has a {} position on an earlier row: one row per account \
                     and market (rows are never summed; merge them into one row)",
                    markets[market.idx()].symbol
                ),
            ));
        }
        let size =
            num(SIZE)?.ok_or_else(|| err(line, Some(SIZE), "must not be empty on a position row".into()))?;
        let entry = num(ENTRY)?
            .ok_or_else(|| err(line, Some(ENTRY), "must not be empty on a position row".into()))?;
        let mode = match cols[MODE] {
            "" | "cross" => MarginMode::Cross,
            "isolated" => MarginMode::Isolated,
            other => {
                return Err(err(line, Some(MODE), format!("expected cross or isolated, got \"{other}\"")))
            }
        };
        let margin = num(MARGIN)?;
        let pos = convert::position(&markets[market.idx()], market, size, entry, mode, margin).map_err(
            |(f, e)| {
                let c = ACCOUNT_COLUMNS.iter().position(|n| *n == f);
                err(line, c, e)
            },
        )?;
        out[a].positions.push(pos);
    }
    Ok(out)
}

/// `BTC:0.5;ETH:2` → collateral sorted by asset index, with the same checks as inline
/// `collateral` tables (parsed straight into the result: this runs once per row).
fn parse_collateral(s: &str, assets: &[AssetSpec]) -> Result<Vec<Collateral>, String> {
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

/// Account id → index into the accounts read so far. Keyed by a 64-bit hash of the id, so an id
/// is stored once (in its `Account`) rather than again as a map key; a hit is confirmed against
/// the stored label, and distinct ids whose hashes collide go to a second, exact map.
#[derive(Default)]
struct AccountIndex {
    by_hash: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    collided: HashMap<String, usize>,
}

impl AccountIndex {
    /// FxHash of the bytes, then murmur3's 64-bit finalizer: Fx alone leaves the low bits
    /// (which pick the bucket) poorly mixed, and sequential ids then cluster.
    fn hash(id: &str) -> u64 {
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

    fn get(&self, id: &str, accounts: &[Account]) -> Option<usize> {
        match self.by_hash.get(&Self::hash(id)) {
            Some(&i) if accounts[i].label == id => Some(i),
            Some(_) => self.collided.get(id).copied(),
            None => None,
        }
    }

    /// Inserts an id that `get` did not find.
    fn insert(&mut self, id: &str, i: usize) {
        match self.by_hash.entry(Self::hash(id)) {
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
struct Prehashed(u64);

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
    use liq_domain::AssetId;

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
        let c = parse_collateral("ETH:2; BTC:0.5", &assets).unwrap();
        assert_eq!(
            c,
            vec![Collateral { asset: AssetId(0), qty: 0.5 }, Collateral { asset: AssetId(1), qty: 2.0 }]
        );
        assert!(parse_collateral("BTC", &assets).is_err());
        assert!(parse_collateral("BTC:x", &assets).is_err());
        assert!(parse_collateral("BTC:1;btc:2", &assets).unwrap_err().contains("twice"));
    }
}
