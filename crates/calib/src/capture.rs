//! Loader for Binance USD-M websocket captures (`<local receive ns> <json>` per line, plain or
//! gzip, as recorded by hftbacktest): the REST depth snapshot, `depthUpdate` diffs, trades and
//! bookTicker. Lines of other streams are counted per kind in [`Capture::ignored`]; lines that are
//! no recognisable event at all (not JSON, no `e` field nor stream name) are counted in
//! [`Capture::unclassified`] with their first line numbers, and a file whose non-empty lines are
//! mostly unclassified is refused — it is not a capture, and calibrating from the rest would
//! report numbers from a sliver of it. A malformed line of a known kind is an error naming file,
//! line and field. Event kinds are found with whitespace allowed around the JSON colon (`"e":
//! "trade"`, as a pretty-printer or another recorder writes it), not by byte-exact matching.
//!
//! The book itself is rebuilt by [`crate::replay::BookReplay`].

use crate::error::CalibError;
use crate::records::{Quote, Trade};
use crate::util::open_maybe_gz;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// The REST depth snapshot (`GET /fapi/v1/depth`).
#[derive(Debug, Clone, PartialEq)]
pub struct DepthSnapshot {
    pub line: usize,
    pub local_ns: u64,
    /// Transaction time `T` (ms), or event time `E` when `T` is absent.
    pub time_ms: i64,
    pub last_update_id: u64,
    /// (price, qty) pairs as sent.
    pub bids: Vec<(f64, f64)>,
    pub asks: Vec<(f64, f64)>,
}

/// One `depthUpdate` diff: every level it lists is set to the quantity given (0 deletes).
#[derive(Debug, Clone, PartialEq)]
pub struct DepthDiff {
    pub line: usize,
    pub local_ns: u64,
    pub time_ms: i64,
    /// First update id in the event (`U`).
    pub first_id: u64,
    /// Final update id in the event (`u`).
    pub last_id: u64,
    /// Final update id of the previous event of this stream (`pu`).
    pub prev_id: u64,
    pub bids: Vec<(f64, f64)>,
    pub asks: Vec<(f64, f64)>,
}

/// A bookTicker event with its order-book update id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ticker {
    pub line: usize,
    pub local_ns: u64,
    pub update_id: u64,
    pub quote: Quote,
}

/// Everything read from one capture, in file order.
#[derive(Debug, Clone)]
pub struct Capture {
    pub path: PathBuf,
    pub symbol: Option<String>,
    /// Every REST snapshot in the file (usually one, at the start).
    pub snapshots: Vec<DepthSnapshot>,
    pub diffs: Vec<DepthDiff>,
    pub trades: Vec<Trade>,
    pub tickers: Vec<Ticker>,
    /// Lines read.
    pub lines: usize,
    /// Lines of other event kinds, by kind (`e` field or stream name).
    pub ignored: BTreeMap<String, usize>,
    /// Non-empty lines that are no recognisable event (not JSON, or neither an `e` field nor a
    /// stream name): skipped, counted, and reported by `calibrate` as a warning.
    pub unclassified: usize,
    /// The first few of those lines (1-based), to point the user at them.
    pub unclassified_lines: Vec<usize>,
    /// True when reading stopped at `max_lines` before the end of the file.
    pub truncated: bool,
}

impl Capture {
    /// First and last exchange time (ms) seen in diffs, trades and tickers.
    pub fn time_span_ms(&self) -> Option<(i64, i64)> {
        let times = self
            .diffs
            .iter()
            .map(|d| d.time_ms)
            .chain(self.trades.iter().map(|t| t.time_ms))
            .chain(self.tickers.iter().map(|t| t.quote.time_ms));
        times.fold(None, |acc, t| match acc {
            None => Some((t, t)),
            Some((a, b)) => Some((a.min(t), b.max(t))),
        })
    }

    /// Mid-quote series from the bookTicker stream (time-sorted).
    pub fn ticker_mids(&self) -> crate::records::Series {
        crate::records::Series::from_pairs(
            self.tickers.iter().map(|t| (t.quote.time_ms, t.quote.mid())).collect(),
        )
    }
}

#[derive(Deserialize)]
struct Wrapped<T> {
    data: T,
}

#[derive(Deserialize)]
struct RawSnapshot {
    #[serde(rename = "lastUpdateId")]
    last_update_id: u64,
    #[serde(rename = "E", default)]
    event_time: Option<i64>,
    #[serde(rename = "T", default)]
    tx_time: Option<i64>,
    bids: Vec<[String; 2]>,
    asks: Vec<[String; 2]>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawDiff {
    #[serde(rename = "E")]
    event_time: i64,
    #[serde(rename = "T", default)]
    tx_time: Option<i64>,
    s: Option<String>,
    U: u64,
    u: u64,
    pu: u64,
    b: Vec<[String; 2]>,
    a: Vec<[String; 2]>,
}

#[derive(Deserialize)]
struct RawTrade {
    #[serde(rename = "T")]
    tx_time: i64,
    p: String,
    q: String,
    m: bool,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawTicker {
    u: u64,
    b: String,
    B: String,
    a: String,
    A: String,
    #[serde(rename = "T", default)]
    tx_time: Option<i64>,
    #[serde(rename = "E", default)]
    event_time: Option<i64>,
}

/// Reads a capture. `max_lines` bounds the lines read (tests read a prefix of large files).
pub fn load_binance_capture(path: &Path, max_lines: Option<usize>) -> Result<Capture, CalibError> {
    let reader = open_maybe_gz(path)?;
    let mut cap = Capture {
        path: path.to_path_buf(),
        symbol: None,
        snapshots: Vec::new(),
        diffs: Vec::new(),
        trades: Vec::new(),
        tickers: Vec::new(),
        lines: 0,
        ignored: BTreeMap::new(),
        unclassified: 0,
        unclassified_lines: Vec::new(),
        truncated: false,
    };
    let mut non_empty = 0usize;
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        if max_lines.is_some_and(|m| i >= m) {
            cap.truncated = true;
            break;
        }
        let line = line.map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => {
                CalibError::parse(path, n, "line", format!("not UTF-8 text: {e}"))
            }
            _ => CalibError::io(path, e),
        })?;
        cap.lines = n;
        if line.trim().is_empty() {
            continue;
        }
        non_empty += 1;
        read_line(path, n, &line, &mut cap)?;
    }
    if cap.unclassified * 2 > non_empty {
        return Err(CalibError::parse(
            path,
            cap.unclassified_lines[0],
            "json",
            format!(
                "{} of {} non-empty lines are no capture event (first at lines {:?}): not a Binance \
                 `<ns> <json>` capture",
                cap.unclassified, non_empty, cap.unclassified_lines
            ),
        ));
    }
    if cap.snapshots.is_empty() {
        return Err(CalibError::content(
            path,
            format!("no REST depth snapshot (`lastUpdateId`) in the {} lines read", cap.lines),
        ));
    }
    Ok(cap)
}

fn read_line(path: &Path, n: usize, line: &str, cap: &mut Capture) -> Result<(), CalibError> {
    let (ts, json) = line
        .split_once(' ')
        .ok_or_else(|| CalibError::parse(path, n, "timestamp", "expected `<ns> <json>`"))?;
    let local_ns: u64 =
        ts.parse().map_err(|_| CalibError::parse(path, n, "timestamp", format!("not an integer: {ts:?}")))?;
    let json = json.trim();
    let kind = string_value(json, "e");
    if has_key(json, "lastUpdateId") && !has_key(json, "e") {
        let s: RawSnapshot = decode(path, n, json)?;
        cap.snapshots.push(DepthSnapshot {
            line: n,
            local_ns,
            time_ms: epoch_ms(
                path,
                n,
                "T",
                s.tx_time.or(s.event_time).unwrap_or((local_ns / 1_000_000) as i64),
            )?,
            last_update_id: s.last_update_id,
            bids: levels(path, n, "bids", &s.bids)?,
            asks: levels(path, n, "asks", &s.asks)?,
        });
    } else if kind == Some("depthUpdate") {
        let d: RawDiff = decode(path, n, json)?;
        if cap.symbol.is_none() {
            cap.symbol = d.s.clone();
        }
        if d.u < d.U {
            return Err(CalibError::parse(path, n, "u", format!("final id u={} < first id U={}", d.u, d.U)));
        }
        cap.diffs.push(DepthDiff {
            line: n,
            local_ns,
            time_ms: epoch_ms(path, n, "T", d.tx_time.unwrap_or(d.event_time))?,
            first_id: d.U,
            last_id: d.u,
            prev_id: d.pu,
            bids: levels(path, n, "b", &d.b)?,
            asks: levels(path, n, "a", &d.a)?,
        });
    } else if kind == Some("trade") {
        let t: RawTrade = decode(path, n, json)?;
        let price = crate::util::positive(path, n, "p", &t.p)?;
        let qty = crate::util::positive(path, n, "q", &t.q)?;
        let time_ms = epoch_ms(path, n, "T", t.tx_time)?;
        cap.trades.push(Trade { time_ms, price, qty, taker_buy: !t.m });
    } else if kind == Some("bookTicker") {
        let t: RawTicker = decode(path, n, json)?;
        let time_ms = t
            .tx_time
            .or(t.event_time)
            .ok_or_else(|| CalibError::parse(path, n, "T", "bookTicker has neither `T` nor `E`"))?;
        let quote = Quote {
            time_ms: epoch_ms(path, n, "T", time_ms)?,
            bid: crate::util::positive(path, n, "b", &t.b)?,
            bid_qty: crate::util::non_negative(path, n, "B", &t.B)?,
            ask: crate::util::positive(path, n, "a", &t.a)?,
            ask_qty: crate::util::non_negative(path, n, "A", &t.A)?,
        };
        cap.tickers.push(Ticker { line: n, local_ns, update_id: t.u, quote });
    } else {
        match event_kind(json) {
            Some(k) => *cap.ignored.entry(k).or_insert(0) += 1,
            None => {
                cap.unclassified += 1;
                if cap.unclassified_lines.len() < 5 {
                    cap.unclassified_lines.push(n);
                }
            }
        }
    }
    Ok(())
}

/// An exchange time (ms) within 1970 ..= 9999 ([`crate::util::MAX_TIME_MS`]): the estimators
/// subtract times, and `T = -9223372036854775808` overflowed them (a fuzz find).
fn epoch_ms(path: &Path, n: usize, field: &str, t: i64) -> Result<i64, CalibError> {
    if (0..crate::util::MAX_TIME_MS).contains(&t) {
        Ok(t)
    } else {
        Err(CalibError::parse(path, n, field, format!("{t} ms is not a time between 1970 and 9999")))
    }
}

/// Offset just past `"key"` and the colon after it (whitespace allowed around the colon), for
/// the first occurrence of `"key"` used as a key. A `"key"` that is a value is followed by `,`,
/// `}` or `]`, not `:`, so it is skipped.
fn after_key(json: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    json.match_indices(&quoted).find_map(|(i, m)| {
        let rest = &json[i + m.len()..];
        let trimmed = rest.trim_start();
        let colon = trimmed.strip_prefix(':')?;
        Some(json.len() - colon.len())
    })
}

fn has_key(json: &str, key: &str) -> bool {
    after_key(json, key).is_some()
}

/// The string value of the first `"key": "value"` in `json` (no escapes inside: event names).
fn string_value<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let rest = json[after_key(json, key)?..].trim_start().strip_prefix('"')?;
    rest.split_once('"').map(|(v, _)| v)
}

/// Decodes either the combined-stream envelope `{"stream":..,"data":{..}}` or a bare event.
fn decode<T: DeserializeOwned>(path: &Path, n: usize, json: &str) -> Result<T, CalibError> {
    let res = if has_key(json, "stream") && has_key(json, "data") {
        serde_json::from_str::<Wrapped<T>>(json).map(|w| w.data)
    } else {
        serde_json::from_str::<T>(json)
    };
    res.map_err(|e| {
        let msg = e.to_string();
        // serde names the missing or mistyped field in its message; lift it into `field`.
        let field = msg.split('`').nth(1).unwrap_or("json").to_string();
        CalibError::parse(path, n, &field, msg)
    })
}

fn levels(path: &Path, n: usize, field: &str, raw: &[[String; 2]]) -> Result<Vec<(f64, f64)>, CalibError> {
    raw.iter()
        .enumerate()
        .map(|(i, [p, q])| {
            let price = crate::util::positive(path, n, &format!("{field}[{i}].price"), p)?;
            let qty = crate::util::non_negative(path, n, &format!("{field}[{i}].qty"), q)?;
            Ok((price, qty))
        })
        .collect()
}

/// The `e` field of an event, else the stream name: how ignored lines are counted. `None` when
/// the line is not JSON or carries neither (an unclassified line).
fn event_kind(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let data = v.get("data").unwrap_or(&v);
    data.get("e")
        .and_then(|e| e.as_str())
        .or_else(|| v.get("stream").and_then(|s| s.as_str()))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, body: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("liq-calib-capture-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn reads_each_kind_and_counts_others() {
        let body = concat!(
            "1 {\"lastUpdateId\":10,\"E\":5,\"T\":4,\"bids\":[[\"99.9\",\"1.0\"]],\"asks\":[[\"100.1\",\"2.0\"]]}\n",
            "2 {\"stream\":\"x@depth\",\"data\":{\"e\":\"depthUpdate\",\"E\":6,\"T\":6,\"s\":\"XUSDT\",\"U\":9,\"u\":12,\"pu\":8,\"b\":[[\"99.9\",\"0.000\"]],\"a\":[]}}\n",
            "3 {\"stream\":\"x@trade\",\"data\":{\"e\":\"trade\",\"E\":7,\"T\":7,\"p\":\"100.1\",\"q\":\"0.5\",\"m\":false}}\n",
            "4 {\"stream\":\"x@bookTicker\",\"data\":{\"e\":\"bookTicker\",\"u\":12,\"b\":\"99.8\",\"B\":\"1\",\"a\":\"100.1\",\"A\":\"2\",\"T\":8,\"E\":8}}\n",
            "5 {\"stream\":\"x@markPrice\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":9}}\n",
        );
        let cap = load_binance_capture(&write("ok.txt", body), None).unwrap();
        assert_eq!(cap.snapshots[0].last_update_id, 10);
        assert_eq!(cap.snapshots[0].time_ms, 4);
        assert_eq!((cap.diffs[0].first_id, cap.diffs[0].last_id, cap.diffs[0].prev_id), (9, 12, 8));
        assert_eq!(cap.diffs[0].bids, vec![(99.9, 0.0)]);
        assert!(cap.trades[0].taker_buy && cap.trades[0].qty == 0.5);
        assert_eq!(cap.tickers[0].quote.bid, 99.8);
        assert_eq!(cap.ignored.get("markPriceUpdate"), Some(&1));
        assert_eq!(cap.symbol.as_deref(), Some("XUSDT"));
        assert_eq!(cap.time_span_ms(), Some((6, 8)));
    }

    #[test]
    fn malformed_lines_name_file_line_and_field() {
        let snap = "1 {\"lastUpdateId\":10,\"bids\":[],\"asks\":[]}\n";
        let bad_price = format!(
            "{snap}2 {{\"stream\":\"x@trade\",\"data\":{{\"e\":\"trade\",\"T\":7,\"p\":\"abc\",\"q\":\"0.5\",\"m\":true}}}}\n"
        );
        let e = load_binance_capture(&write("p.txt", &bad_price), None).unwrap_err().to_string();
        assert!(e.contains("p.txt:2: field `p`"), "{e}");
        let missing = format!(
            "{snap}2 {{\"stream\":\"x\",\"data\":{{\"e\":\"depthUpdate\",\"E\":1,\"U\":1,\"u\":2,\"b\":[],\"a\":[]}}}}\n"
        );
        let e = load_binance_capture(&write("m.txt", &missing), None).unwrap_err().to_string();
        assert!(e.contains("m.txt:2: field `pu`"), "{e}");
        let e = load_binance_capture(&write("t.txt", "x {}\n"), None).unwrap_err().to_string();
        assert!(e.contains("t.txt:1: field `timestamp`"), "{e}");
        let e = load_binance_capture(&write("n.txt", "1 {\"e\":\"other\"}\n"), None).unwrap_err().to_string();
        assert!(e.contains("no REST depth snapshot"), "{e}");
    }

    /// Issue 14: the same capture with spaces after the JSON colons gave 0 trades, silently.
    #[test]
    fn spaces_after_colons_read_the_same_events() {
        let compact = concat!(
            "1 {\"lastUpdateId\":10,\"E\":5,\"T\":4,\"bids\":[[\"99.9\",\"1.0\"]],\"asks\":[[\"100.1\",\"2.0\"]]}\n",
            "2 {\"stream\":\"x@depth\",\"data\":{\"e\":\"depthUpdate\",\"E\":6,\"T\":6,\"s\":\"XUSDT\",\"U\":9,\"u\":12,\"pu\":8,\"b\":[],\"a\":[]}}\n",
            "3 {\"stream\":\"x@trade\",\"data\":{\"e\":\"trade\",\"E\":7,\"T\":7,\"p\":\"100.1\",\"q\":\"0.5\",\"m\":false}}\n",
            "4 {\"stream\":\"x@bookTicker\",\"data\":{\"e\":\"bookTicker\",\"u\":12,\"b\":\"99.8\",\"B\":\"1\",\"a\":\"100.1\",\"A\":\"2\",\"T\":8}}\n",
        );
        let spaced = compact.replace("\":", "\": ").replace(",\"", ", \"").replace("{\"", "{ \"");
        let a = load_binance_capture(&write("compact.txt", compact), None).unwrap();
        let b = load_binance_capture(&write("spaced.txt", &spaced), None).unwrap();
        assert_eq!((b.snapshots.len(), b.diffs.len(), b.trades.len(), b.tickers.len()), (1, 1, 1, 1));
        assert_eq!(
            (a.trades, a.tickers[0].quote, a.diffs[0].last_id),
            (b.trades, b.tickers[0].quote, b.diffs[0].last_id)
        );
        assert_eq!(b.unclassified, 0);
    }

    #[test]
    fn unclassified_lines_are_counted_and_a_mostly_unclassified_file_refused() {
        let snap = "1 {\"lastUpdateId\":10,\"bids\":[],\"asks\":[]}\n";
        let trade = "{\"e\":\"trade\",\"T\":7,\"p\":\"1\",\"q\":\"1\",\"m\":true}";
        // Two of four non-empty lines unclassified: kept, counted (a half is not "mostly").
        let body = format!("{snap}2 {trade}\n3 not json\n\n5 {{\"x\":1}}\n");
        let cap = load_binance_capture(&write("u.txt", &body), None).unwrap();
        assert_eq!((cap.unclassified, cap.unclassified_lines.clone()), (2, vec![3, 5]));
        assert_eq!(cap.trades.len(), 1);
        // Three of five: refused, naming the first such line.
        let body = format!("{body}6 [1,2]\n");
        let e = load_binance_capture(&write("u2.txt", &body), None).unwrap_err().to_string();
        assert!(e.contains("u2.txt:3: field `json`: 3 of 5 non-empty lines are no capture event"), "{e}");
    }
}
