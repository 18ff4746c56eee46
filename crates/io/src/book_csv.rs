//! A market's explicit book levels from a columnar CSV file (`[markets.book] levels_csv =
//! "btc.book.csv"`), the form for books too large to paste into the scenario (issue 15: a
//! 60,000-level-a-side book written inline is a 3 MB TOML array per market that the TOML parser
//! reads into a document tree, value by value).
//!
//! ```text
//! side,price,qty
//! bid,61799.9,1.25
//! bid,61799.8,0.4
//! ask,61800.0,2.0
//! ```
//!
//! One row per level; `side` is `bid` or `ask`; the rows of each side keep their file order,
//! which must be strictly away from mid (bids descending, asks ascending), so the two sides may
//! be given in either order or interleaved. The rules per level are the inline form's (the same
//! check, `check_level`, gives the same message): prices on the tick grid, quantities positive
//! whole numbers of lots, at least one level a side, best ask above best bid. The header is
//! required (the three names, any order); a line starting with `#` is a comment; quoting is not
//! part of the format (a field with `"` is refused, not read). Every error names the file, line
//! and column. The result is exactly the `BookSpec::Levels` the inline arrays give, so the
//! scenario hash does not depend on where the levels were written.

use crate::convert::on_grid;
use crate::IoError;
use liq_domain::{BookSpec, L2Level, MarketSpec};
use std::io::Write as _;
use std::path::Path;

/// The columns, in the order the writer uses.
pub const BOOK_COLUMNS: [&str; 3] = ["side", "price", "qty"];

/// The one check of an explicit level, shared with the inline `bids`/`asks` arrays: the
/// level's price in ticks if it is on the grids and strictly beyond `prev_ticks` away from mid
/// (`dir` = −1 for bids, +1 for asks), else the message.
pub(crate) fn check_level(
    price: f64,
    qty: f64,
    prev_ticks: Option<i64>,
    m: &MarketSpec,
    dir: i64,
) -> Result<i64, String> {
    let ticks = (price.is_finite() && price > 0.0)
        .then(|| on_grid(price, m.tick_size))
        .flatten()
        .ok_or_else(|| format!("price {price} is not a positive price on the tick grid ({})", m.tick_size))?;
    if !(qty.is_finite() && qty > 0.0 && on_grid(qty, m.lot_size).is_some()) {
        return Err(format!("quantity {qty} is not a positive whole number of lots ({})", m.lot_size));
    }
    if let Some(prev) = prev_ticks {
        if (ticks - prev) * dir <= 0 {
            let order = if dir < 0 { "strictly descending" } else { "strictly ascending" };
            return Err(format!("levels must be {order} by price"));
        }
    }
    Ok(ticks)
}

/// Reads a book CSV file for market `m` (format in the module doc).
pub fn read_book_csv(path: &Path, m: &MarketSpec) -> Result<BookSpec, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::read(path, format!("cannot read book CSV: {e}")))?;
    read_book_csv_bytes(&bytes, path, m)
}

/// [`read_book_csv`] on bytes in memory; `origin` names them in errors.
pub fn read_book_csv_bytes(bytes: &[u8], origin: &Path, m: &MarketSpec) -> Result<BookSpec, IoError> {
    let err = |line: usize, col: Option<usize>, message: String| IoError::Csv {
        file: origin.to_path_buf(),
        line: Some(line),
        column: col.map(|c| c + 1),
        field: col.map(|c| BOOK_COLUMNS[c].to_string()).unwrap_or_default(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        err(line, None, "not valid UTF-8".into())
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut at: Option<[usize; 3]> = None;
    // Per side (0 = bids, 1 = asks): the levels and the last price in ticks.
    let mut sides: [(Vec<L2Level>, Option<i64>); 2] = [(Vec::new(), None), (Vec::new(), None)];
    let mut last_line = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        last_line = line;
        if l.contains('"') {
            return Err(err(line, None, "quoted fields are not part of the book CSV format".into()));
        }
        let mut cells = [""; 3];
        let mut n = 0;
        for c in l.split(',') {
            if n < 3 {
                cells[n] = c.trim();
            }
            n += 1;
        }
        if n != 3 {
            return Err(err(line, None, format!("expected 3 fields ({}), got {n}", BOOK_COLUMNS.join(","))));
        }
        let Some(at) = at else {
            at = Some(header(&cells).map_err(|(c, m)| err(line, c, m))?);
            continue;
        };
        let side = match cells[at[0]] {
            "bid" => 0,
            "ask" => 1,
            other => return Err(err(line, Some(0), format!("expected bid or ask, got \"{other}\""))),
        };
        let num = |c: usize| -> Result<f64, IoError> {
            cells[at[c]]
                .parse::<f64>()
                .map_err(|_| err(line, Some(c), format!("expected a number, got \"{}\"", cells[at[c]])))
        };
        let (price, qty) = (num(1)?, num(2)?);
        let (levels, prev) = &mut sides[side];
        let col =
            if price.is_finite() && price > 0.0 && on_grid(price, m.tick_size).is_some() { 2 } else { 1 };
        let ticks = check_level(price, qty, *prev, m, if side == 0 { -1 } else { 1 }).map_err(|msg| {
            // The order check is about the price; the grid checks name their own column.
            let c = if msg.starts_with("levels must") { 1 } else { col };
            err(line, Some(c), msg)
        })?;
        *prev = Some(ticks);
        levels.push(L2Level { price, qty });
    }
    if at.is_none() {
        return Err(err(1, None, format!("no header (expected {})", BOOK_COLUMNS.join(","))));
    }
    let [(bids, _), (asks, _)] = sides;
    let end = last_line.max(1);
    for (levels, name) in [(&bids, "bid"), (&asks, "ask")] {
        if levels.is_empty() {
            return Err(err(end, Some(0), format!("no {name} levels: a book needs at least one a side")));
        }
    }
    if bids[0].price >= asks[0].price {
        return Err(err(
            end,
            Some(1),
            format!("best ask {} is not above best bid {}", asks[0].price, bids[0].price),
        ));
    }
    Ok(BookSpec::Levels { bids, asks })
}

/// `at[c]` = the file's column holding `BOOK_COLUMNS[c]`; each name exactly once.
fn header(cells: &[&str; 3]) -> Result<[usize; 3], (Option<usize>, String)> {
    let mut at = [usize::MAX; 3];
    for (k, name) in cells.iter().enumerate() {
        let Some(c) = BOOK_COLUMNS.iter().position(|n| n == name) else {
            return Err((
                None,
                format!("unknown column \"{name}\" (header must be {})", BOOK_COLUMNS.join(",")),
            ));
        };
        if at[c] != usize::MAX {
            return Err((Some(c), "column given twice".into()));
        }
        at[c] = k;
    }
    Ok(at)
}

/// Writes explicit levels in the format [`read_book_csv`] reads (bids then asks, each price and
/// quantity in Rust's shortest round-trip form, so reading back gives the same `f64`s).
pub fn write_book_csv(
    out: &mut impl std::io::Write,
    bids: &[L2Level],
    asks: &[L2Level],
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(out);
    writeln!(w, "{}", BOOK_COLUMNS.join(","))?;
    for (side, levels) in [("bid", bids), ("ask", asks)] {
        for l in levels {
            writeln!(w, "{side},{},{}", l.price, l.qty)?;
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default scenario's BTCUSDT: tick 0.1, lot 0.001.
    fn market() -> MarketSpec {
        let m = crate::default_scenario::default_scenario().unwrap().markets[0].clone();
        assert_eq!((m.tick_size, m.lot_size), (0.1, 0.001));
        m
    }

    fn read(text: &str) -> Result<BookSpec, IoError> {
        read_book_csv_bytes(text.as_bytes(), Path::new("b.csv"), &market())
    }

    #[test]
    fn reads_both_sides_in_file_order() {
        let b = read("# snapshot\nqty,side,price\n1.25,bid,99.9\n2,ask,100.1\n0.4,bid,99.8\n").unwrap();
        let BookSpec::Levels { bids, asks } = b else { panic!("levels") };
        assert_eq!(bids, vec![L2Level { price: 99.9, qty: 1.25 }, L2Level { price: 99.8, qty: 0.4 }]);
        assert_eq!(asks, vec![L2Level { price: 100.1, qty: 2.0 }]);
    }

    #[test]
    fn write_then_read_is_identity() {
        let bids = vec![L2Level { price: 61_799.9, qty: 1.25 }, L2Level { price: 61_799.8, qty: 0.001 }];
        let asks = vec![L2Level { price: 61_800.0, qty: 2.0 }];
        let mut out = Vec::new();
        write_book_csv(&mut out, &bids, &asks).unwrap();
        assert_eq!(
            read_book_csv_bytes(&out, Path::new("b.csv"), &market()).unwrap(),
            BookSpec::Levels { bids, asks }
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = |t: &str| read(t).unwrap_err().to_string();
        assert_eq!(
            e("side,price,qty\nbid,99.9,1\nbid,99.95,1\nask,100,1\n"),
            "b.csv:3: price: price 99.95 is not a positive price on the tick grid (0.1)"
        );
        assert_eq!(
            e("side,price,qty\nbid,99.9,1\nbid,99.9,1\nask,100,1\n"),
            "b.csv:3: price: levels must be strictly descending by price"
        );
        assert_eq!(
            e("side,price,qty\nbid,99.9,0.0005\nask,100,1\n"),
            "b.csv:2: qty: quantity 0.0005 is not a positive whole number of lots (0.001)"
        );
        assert_eq!(e("side,price,qty\nbuy,99.9,1\n"), "b.csv:2: side: expected bid or ask, got \"buy\"");
        assert_eq!(e("side,price,qty\nbid,x,1\n"), "b.csv:2: price: expected a number, got \"x\"");
        assert_eq!(e("side,price,qty\nbid,99.9\n"), "b.csv:2: expected 3 fields (side,price,qty), got 2");
        assert_eq!(
            e("side,price,qty\nbid,99.9,1\n"),
            "b.csv:2: side: no ask levels: a book needs at least one a side"
        );
        assert_eq!(
            e("side,price,qty\nbid,100,1\nask,100,1\n"),
            "b.csv:3: price: best ask 100 is not above best bid 100"
        );
        assert!(e("side,px,qty\n").contains("unknown column \"px\""));
        assert!(e("").contains("no header"));
        assert!(e("side,price,qty\nbid,\"99.9\",1\n").starts_with("b.csv:2: quoted"));
    }
}
