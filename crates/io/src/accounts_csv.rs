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
//! not contradict them. Rows are read as raw bytes into one reused record and numbers parsed in
//! place, so a 1,000,000-row population loads in a fraction of a second in release. Malformed
//! rows are errors, never skipped: a silently dropped position would understate the cascade.
//!
//! [`write_accounts_csv`] writes the same format, exactly: sizes and prices are printed from
//! their lots and ticks with the shortest round-trip `f64` form and money as exact decimals of
//! micro-USD, so writing and reading back gives identical accounts (for wallets and margins
//! below 9 × 10⁹ USD, where `f64` still carries every micro-dollar).

use crate::convert::{self, MarketSymbols};
use crate::IoError;
use liq_domain::{Account, AssetSpec, MarginMode, MarketSpec, Money};
use std::collections::{BTreeMap, HashMap};
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
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        // Field counts are checked here, to report "expected 8 fields" with the line.
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let csv_err = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        err(line, None, e.to_string())
    };
    // order[k] = index into ACCOUNT_COLUMNS of the file's k-th column.
    let header = rdr.byte_headers().map_err(csv_err)?.clone();
    let mut at = [usize::MAX; 8];
    for (k, name) in header.iter().enumerate() {
        let name = String::from_utf8_lossy(name);
        let Some(c) = ACCOUNT_COLUMNS.iter().position(|n| *n == name) else {
            return Err(err(
                Some(1),
                None,
                format!("unknown column \"{name}\" (columns: {})", ACCOUNT_COLUMNS.join(",")),
            ));
        };
        if at[c] != usize::MAX {
            return Err(err(Some(1), Some(c), "column given twice".into()));
        }
        at[c] = k;
    }
    if let Some(c) = at.iter().position(|&k| k == usize::MAX) {
        return Err(err(
            Some(1),
            Some(c),
            format!("missing column (header must be {})", ACCOUNT_COLUMNS.join(",")),
        ));
    }

    let symbols = MarketSymbols::new(markets);
    let mut out: Vec<Account> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(e)),
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
            cols[c] = std::str::from_utf8(raw).map_err(|_| err(line, Some(c), "not valid UTF-8".into()))?;
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
            let map = parse_collateral(cols[COLLATERAL]).map_err(|e| err(line, Some(COLLATERAL), e))?;
            let c = crate::scenario_file::collateral(&map, assets)
                .map_err(|(sym, e)| err(line, Some(COLLATERAL), format!("{sym}: {e}")))?;
            Some(c)
        };
        let a = match index.get(id) {
            Some(&a) => {
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
                index.insert(id.to_string(), out.len());
                out.push(Account {
                    label: id.to_string(),
                    wallet: wallet.unwrap_or(Money::ZERO),
                    collateral: collateral.unwrap_or_default(),
                    positions: Vec::new(),
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

/// `BTC:0.5;ETH:2` → {BTC: 0.5, ETH: 2}.
fn parse_collateral(s: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut map = BTreeMap::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (sym, qty) = part.split_once(':').ok_or_else(|| format!("expected ASSET:QTY, got \"{part}\""))?;
        let qty: f64 = qty
            .trim()
            .parse()
            .map_err(|_| format!("expected a number after \"{sym}:\", got \"{}\"", qty.trim()))?;
        if map.insert(sym.trim().to_string(), qty).is_some() {
            return Err(format!("asset {} listed twice", sym.trim()));
        }
    }
    Ok(map)
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
            let size = format!("{}", m.qty(p.size_lots));
            let price = format!("{}", m.price(ticks));
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
    let f = std::fs::File::create(path)
        .map_err(|e| IoError::read(path, format!("cannot create accounts CSV: {e}")))?;
    write_accounts_csv(std::io::BufWriter::new(f), path, accounts, markets, assets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_decimal() {
        assert_eq!(money(Money(10_000_000_000)), "10000");
        assert_eq!(money(Money(-12_500_000)), "-12.5");
        assert_eq!(money(Money(1)), "0.000001");
        assert_eq!(money(Money(123_456_789)), "123.456789");
    }

    #[test]
    fn collateral_cell() {
        let m = parse_collateral("BTC:0.5; ETH:2").unwrap();
        assert_eq!(m.get("ETH"), Some(&2.0));
        assert!(parse_collateral("BTC").is_err());
        assert!(parse_collateral("BTC:x").is_err());
    }
}
