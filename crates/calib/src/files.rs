//! CSV loaders for generic and exchange formats: trades (`time,price,qty,side[,market]`), L2
//! snapshots (`time,side,price,qty[,market]`), price paths (`timestamp,market,price`), the
//! Binance liquidation-stream dump (`!forceOrder@arr`, 12 columns, no header) and Binance's
//! trade tape as dumped by the stream (`event_time_ms, symbol, agg_trade_id, price, qty,
//! trade_time_ms, is_buyer_maker`, no header). Files may be gzip. Every malformed row is an error
//! naming file, line and field; nothing is skipped.

use crate::book::{BookSide, L2Book};
use crate::error::CalibError;
use crate::records::{PricePoint, Trade};
use crate::util::{non_negative, open_maybe_gz, positive, time_ms};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Rows of a CSV file with their 1-based line numbers, and the header's column lookup.
pub(crate) struct Table {
    pub rows: Vec<(usize, csv::StringRecord)>,
    header: Vec<String>,
}

impl Table {
    pub(crate) fn read(path: &Path, has_header: bool) -> Result<Self, CalibError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(has_header)
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(open_maybe_gz(path)?);
        let header = if has_header {
            let h = rdr.headers().map_err(|e| csv_err(path, &e))?;
            h.iter().map(|s| s.trim().to_ascii_lowercase()).collect()
        } else {
            Vec::new()
        };
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_err(path, &e))?;
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            if rec.iter().all(|f| f.is_empty()) {
                continue; // a blank line carries no row
            }
            rows.push((line, rec));
        }
        Ok(Self { rows, header })
    }

    /// Index of the first header column named like one of `names` (case-insensitive).
    pub(crate) fn col(&self, path: &Path, names: &[&str]) -> Result<usize, CalibError> {
        self.opt_col(names).ok_or_else(|| {
            CalibError::parse(
                path,
                1,
                names[0],
                format!("missing column (accepted names: {})", names.join(", ")),
            )
        })
    }

    pub(crate) fn opt_col(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.iter().any(|n| h == n))
    }

    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }
}

pub(crate) fn csv_err(path: &Path, e: &csv::Error) -> CalibError {
    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::Io(_) => CalibError::content(path, e.to_string()),
        _ => CalibError::parse(path, line, "row", e.to_string()),
    }
}

/// Field `i` of a row (a row shorter than the header is already a csv error).
pub(crate) fn field(rec: &csv::StringRecord, i: usize) -> &str {
    rec.get(i).unwrap_or("")
}

/// Parses a taker side: `buy`/`b`/`bid`/`long` or `sell`/`s`/`ask`/`short` (any case).
pub fn parse_side(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "buy" | "b" | "bid" | "long" | "1" => Some(true),
        "sell" | "s" | "ask" | "a" | "short" | "-1" => Some(false),
        _ => None,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" => Some(true),
        "false" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// Trades of one market, time-sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketTrades {
    pub market: String,
    pub trades: Vec<Trade>,
}

fn group(mut by: BTreeMap<String, Vec<Trade>>) -> Vec<MarketTrades> {
    by.iter_mut().for_each(|(_, v)| v.sort_by_key(|t| t.time_ms));
    by.into_iter().map(|(market, trades)| MarketTrades { market, trades }).collect()
}

/// Generic trades CSV with a header: `time` (or `timestamp`, `time_ms`), `price` (or `px`), `qty`
/// (or `size`, `sz`, `quantity`), `side` (taker side), optional `market` (or `symbol`, `coin`).
/// Without a market column every row belongs to `default_market`.
pub fn load_trades_csv(path: &Path, default_market: &str) -> Result<Vec<MarketTrades>, CalibError> {
    let t = Table::read(path, true)?;
    let ct = t.col(path, &["time", "timestamp", "time_ms", "ts"])?;
    let cp = t.col(path, &["price", "px"])?;
    let cq = t.col(path, &["qty", "size", "sz", "quantity", "amount"])?;
    let cs = t.col(path, &["side", "taker_side"])?;
    let cm = t.opt_col(&["market", "symbol", "coin"]);
    let mut by: BTreeMap<String, Vec<Trade>> = BTreeMap::new();
    for (line, r) in &t.rows {
        let side = field(r, cs);
        let taker_buy = parse_side(side).ok_or_else(|| {
            CalibError::parse(path, *line, "side", format!("expected buy or sell, got {side:?}"))
        })?;
        let trade = Trade {
            time_ms: time_ms(path, *line, "time", field(r, ct))?,
            price: positive(path, *line, "price", field(r, cp))?,
            qty: positive(path, *line, "qty", field(r, cq))?,
            taker_buy,
        };
        let m = cm.map(|c| field(r, c).to_string()).unwrap_or_else(|| default_market.to_string());
        by.entry(m).or_default().push(trade);
    }
    Ok(group(by))
}

/// Binance trade tape dump (`binance_trades.csv` of the shared data): no header, columns
/// `event_time_ms, symbol, agg_trade_id, price, qty, trade_time_ms, is_buyer_maker`.
pub fn load_binance_trade_tape(path: &Path) -> Result<Vec<MarketTrades>, CalibError> {
    let t = Table::read(path, false)?;
    let mut by: BTreeMap<String, Vec<Trade>> = BTreeMap::new();
    for (line, r) in &t.rows {
        if r.len() != 7 {
            return Err(CalibError::parse(
                path,
                *line,
                "row",
                format!("expected 7 columns, got {}", r.len()),
            ));
        }
        let maker = field(r, 6);
        let buyer_maker = parse_bool(maker).ok_or_else(|| {
            CalibError::parse(path, *line, "is_buyer_maker", format!("not a boolean: {maker:?}"))
        })?;
        let trade = Trade {
            time_ms: time_ms(path, *line, "trade_time_ms", field(r, 5))?,
            price: positive(path, *line, "price", field(r, 3))?,
            qty: positive(path, *line, "qty", field(r, 4))?,
            taker_buy: !buyer_maker,
        };
        by.entry(field(r, 1).to_string()).or_default().push(trade);
    }
    Ok(group(by))
}

/// One L2 snapshot of one market.
#[derive(Debug, Clone, PartialEq)]
pub struct L2Snapshot {
    pub time_ms: i64,
    pub market: String,
    pub book: L2Book,
}

/// L2 snapshot CSV with a header: `time`, `side` (`bid`/`ask`, also `buy`/`sell`), `price`,
/// `qty`, optional `market`. Rows with the same (market, time) form one snapshot.
pub fn load_l2_snapshots_csv(path: &Path, default_market: &str) -> Result<Vec<L2Snapshot>, CalibError> {
    let t = Table::read(path, true)?;
    let ct = t.col(path, &["time", "timestamp", "time_ms", "ts"])?;
    let cs = t.col(path, &["side"])?;
    let cp = t.col(path, &["price", "px"])?;
    let cq = t.col(path, &["qty", "size", "sz", "quantity"])?;
    let cm = t.opt_col(&["market", "symbol", "coin"]);
    let mut by: BTreeMap<(String, i64), L2Book> = BTreeMap::new();
    for (line, r) in &t.rows {
        let s = field(r, cs);
        let side = match parse_side(s) {
            Some(true) => BookSide::Bid,
            Some(false) => BookSide::Ask,
            None => {
                return Err(CalibError::parse(path, *line, "side", format!("expected bid or ask, got {s:?}")))
            }
        };
        let time = time_ms(path, *line, "time", field(r, ct))?;
        let price = positive(path, *line, "price", field(r, cp))?;
        let qty = non_negative(path, *line, "qty", field(r, cq))?;
        let m = cm.map(|c| field(r, c).to_string()).unwrap_or_else(|| default_market.to_string());
        by.entry((m, time)).or_default().set(side, price, qty);
    }
    if by.is_empty() {
        return Err(CalibError::content(path, "no rows"));
    }
    Ok(by.into_iter().map(|((market, time_ms), book)| L2Snapshot { time_ms, market, book }).collect())
}

/// Price paths CSV with a header: `timestamp` (or `time`), `market` (or `symbol`), `price`.
pub fn load_price_paths(path: &Path) -> Result<Vec<PricePoint>, CalibError> {
    let t = Table::read(path, true)?;
    let ct = t.col(path, &["timestamp", "time", "time_ms", "ts"])?;
    let cm = t.col(path, &["market", "symbol", "coin"])?;
    let cp = t.col(path, &["price", "px", "close"])?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, r) in &t.rows {
        let market = field(r, cm);
        if market.is_empty() {
            return Err(CalibError::parse(path, *line, "market", "empty"));
        }
        out.push(PricePoint {
            time_ms: time_ms(path, *line, "timestamp", field(r, ct))?,
            market: market.to_string(),
            price: positive(path, *line, "price", field(r, cp))?,
        });
    }
    out.sort_by_key(|p| p.time_ms);
    Ok(out)
}

/// One forced (liquidation) order from Binance's `!forceOrder@arr` stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForceOrder {
    pub line: usize,
    /// Symbol as dumped (the shared dump removed the `USDT` suffix).
    pub symbol: String,
    /// Order side: `SELL` closes a long (a long was liquidated).
    pub sell: bool,
    pub order_type: String,
    pub time_in_force: String,
    pub original_qty: f64,
    /// The order's limit (bankruptcy-side) price.
    pub price: f64,
    pub avg_price: f64,
    pub status: String,
    pub last_filled_qty: f64,
    pub filled_qty: f64,
    pub time_ms: i64,
    pub usd_size: f64,
}

/// The liquidation-stream dump: no header, 12 columns (see `shared/data/SOURCES.md`).
pub fn load_force_orders(path: &Path) -> Result<Vec<ForceOrder>, CalibError> {
    let t = Table::read(path, false)?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, r) in &t.rows {
        let l = *line;
        if r.len() != 12 {
            return Err(CalibError::parse(path, l, "row", format!("expected 12 columns, got {}", r.len())));
        }
        let side = field(r, 1);
        let sell = match side {
            "SELL" => true,
            "BUY" => false,
            _ => {
                return Err(CalibError::parse(path, l, "side", format!("expected BUY or SELL, got {side:?}")))
            }
        };
        out.push(ForceOrder {
            line: l,
            symbol: field(r, 0).to_string(),
            sell,
            order_type: field(r, 2).to_string(),
            time_in_force: field(r, 3).to_string(),
            original_qty: positive(path, l, "original_qty", field(r, 4))?,
            price: positive(path, l, "price", field(r, 5))?,
            avg_price: non_negative(path, l, "avg_price", field(r, 6))?,
            status: field(r, 7).to_string(),
            last_filled_qty: non_negative(path, l, "last_filled_qty", field(r, 8))?,
            filled_qty: non_negative(path, l, "accumulated_filled_qty", field(r, 9))?,
            time_ms: time_ms(path, l, "trade_time_ms", field(r, 10))?,
            // A notional: a negative one would be subtracted from the liquidated totals (issue 14).
            usd_size: non_negative(path, l, "usd_size", field(r, 11))?,
        });
    }
    out.sort_by_key(|o| o.time_ms);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn write(name: &str, body: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("liq-calib-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn generic_trades_by_market_and_errors() {
        let p =
            write("t.csv", "time,price,qty,side,market\n2000,10,1,sell,B\n1000,10.5,2,buy,B\n1500,3,1,s,A\n");
        let m = load_trades_csv(&p, "X").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].market, "A");
        // Sorted by time within a market: the 1000 ms buy first.
        assert_eq!(m[1].trades[0], Trade { time_ms: 1_000_000, price: 10.5, qty: 2.0, taker_buy: true });
        let bad = write("bad.csv", "time,price,qty,side\n1000,10,1,buy\n1001,10,-1,buy\n");
        let e = load_trades_csv(&bad, "X").unwrap_err().to_string();
        assert!(e.contains("bad.csv:3: field `qty`"), "{e}");
        let no_side = write("ns.csv", "time,price,qty\n1,1,1\n");
        assert!(load_trades_csv(&no_side, "X").unwrap_err().to_string().contains("field `side`"));
    }

    #[test]
    fn l2_snapshots_and_price_paths() {
        let p = write("l2.csv", "time,side,price,qty\n5,bid,99,1\n5,ask,101,2\n6,bid,98,1\n6,ask,100,1\n");
        let s = load_l2_snapshots_csv(&p, "M").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].book.mid(), Some(100.0));
        assert_eq!(s[1].book.mid(), Some(99.0));
        let pp =
            write("pp.csv", "timestamp,market,price\n2024-01-01 00:00:01,BTC,2\n2024-01-01 00:00:00,BTC,1\n");
        let v = load_price_paths(&pp).unwrap();
        assert_eq!(v[0].price, 1.0);
        let bad = write("pp2.csv", "timestamp,market,price\n1,BTC,abc\n");
        assert!(load_price_paths(&bad).unwrap_err().to_string().contains("pp2.csv:2: field `price`"));
    }

    #[test]
    fn force_orders_and_trade_tape_rows() {
        let p =
            write("fo.csv", "LRC,SELL,LIMIT,IOC,226,0.16815,0.17057,FILLED,226,226,1737908829829,38.0019\n");
        let v = load_force_orders(&p).unwrap();
        assert!(v[0].sell && v[0].usd_size == 38.0019 && v[0].time_ms == 1_737_908_829_829);
        let bad = write("fo2.csv", "LRC,HOLD,LIMIT,IOC,226,0.1,0.1,FILLED,226,226,1737908829829,38\n");
        assert!(load_force_orders(&bad).unwrap_err().to_string().contains("fo2.csv:1: field `side`"));
        // Issue 14: a negative `usd_size` was summed into the liquidated notional.
        let neg =
            write("fo3.csv", "LRC,SELL,LIMIT,IOC,226,0.16815,0.17057,FILLED,226,226,1737908829829,-38\n");
        let e = load_force_orders(&neg).unwrap_err().to_string();
        assert!(e.contains("fo3.csv:1: field `usd_size`: must be ≥ 0"), "{e}");
        let tape =
            write("tape.csv", "1737897220002, BTCUSDT, 2541757614, 104943.5, 0.15, 1737897219873, False\n");
        let m = load_binance_trade_tape(&tape).unwrap();
        assert!(m[0].trades[0].taker_buy && m[0].trades[0].time_ms == 1_737_897_219_873);
    }
}
