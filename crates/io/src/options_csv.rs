//! The options open-interest CSV the dealers hedge (docs/scenario-format.md, *Options
//! open-interest CSV*): one row per listed option with
//! `market,strike,expiry_days,type,open_interest,dealer_sign`, `#` comment lines allowed.
//!
//! Every malformed row is refused with the file, the row's physical line and the column: an
//! unknown `type` (only `call` and `put`), a non-positive strike or expiry, a negative open
//! interest, a dealer sign other than 1 and −1, an unknown market.

use crate::convert::MarketSymbols;
use crate::IoError;
use liq_domain::MarketSpec;
use liq_domain::{OptionOpenInterest, OptionType};
use std::io::Read;
use std::path::Path;

/// The columns, in the documented order (the header must name them; any order is accepted).
pub const OPTION_COLUMNS: [&str; 6] =
    ["market", "strike", "expiry_days", "type", "open_interest", "dealer_sign"];

/// At most this many rows (a listed-options chain has a few thousand; this bounds memory).
const MAX_ROWS: usize = 1_000_000;

/// Reads an options CSV from a file.
pub fn read_options_csv(path: &Path, markets: &[MarketSpec]) -> Result<Vec<OptionOpenInterest>, IoError> {
    let f = std::fs::File::open(path)
        .map_err(|e| IoError::read(path, format!("cannot open options CSV: {e}")))?;
    read_options_csv_from(f, path, markets)
}

/// Reads an options CSV from any reader; `origin` names it in errors.
pub fn read_options_csv_from<R: Read>(
    reader: R,
    origin: &Path,
    markets: &[MarketSpec],
) -> Result<Vec<OptionOpenInterest>, IoError> {
    let symbols = MarketSymbols::new(markets);
    let err = |line: Option<u64>, col: Option<usize>, message: String| IoError::Csv {
        file: origin.to_path_buf(),
        line: line.map(|l| l as usize),
        column: col.map(|c| c + 1),
        field: col.map(|c| OPTION_COLUMNS[c].to_string()).unwrap_or_default(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let csv_err = |e: csv::Error| err(e.position().map(|p| p.line()), None, e.to_string());
    let is_comment = |r: &csv::StringRecord| r.get(0).is_some_and(|f| f.trim_start().starts_with('#'));
    let mut rec = csv::StringRecord::new();
    // order[j] = index into OPTION_COLUMNS of the file's j-th column.
    let mut order: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    while rdr.read_record(&mut rec).map_err(csv_err)? {
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if is_comment(&rec) || rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if order.is_empty() {
            for name in rec.iter() {
                let name = name.trim();
                let c = OPTION_COLUMNS.iter().position(|c| *c == name).ok_or_else(|| {
                    err(
                        Some(line),
                        None,
                        format!("unknown column \"{name}\" (expected {})", OPTION_COLUMNS.join(",")),
                    )
                })?;
                if order.contains(&c) {
                    return Err(err(Some(line), Some(c), "column given twice".into()));
                }
                order.push(c);
            }
            if let Some(missing) = (0..OPTION_COLUMNS.len()).find(|c| !order.contains(c)) {
                return Err(err(Some(line), Some(missing), "missing column".into()));
            }
            continue;
        }
        if rec.len() != order.len() {
            return Err(err(Some(line), None, format!("expected {} fields, got {}", order.len(), rec.len())));
        }
        if out.len() >= MAX_ROWS {
            return Err(err(Some(line), None, format!("more than {MAX_ROWS} rows")));
        }
        let mut cells = [""; 6];
        for (j, &c) in order.iter().enumerate() {
            cells[c] = rec.get(j).unwrap_or("").trim();
        }
        let num = |c: usize| -> Result<f64, IoError> {
            cells[c]
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(Some(line), Some(c), format!("not a finite number: \"{}\"", cells[c])))
        };
        let market = symbols.resolve(cells[0]).map_err(|m| err(Some(line), Some(0), m))?;
        let strike = num(1)?;
        if strike <= 0.0 {
            return Err(err(Some(line), Some(1), format!("must be a positive price, got {strike}")));
        }
        let days = num(2)?;
        if days <= 0.0 {
            return Err(err(Some(line), Some(2), format!("must be in the future (> 0 days), got {days}")));
        }
        let option_type = match cells[3].to_ascii_lowercase().as_str() {
            "call" | "c" => OptionType::Call,
            "put" | "p" => OptionType::Put,
            other => {
                return Err(err(
                    Some(line),
                    Some(3),
                    format!("unknown option type \"{other}\" (call or put)"),
                ))
            }
        };
        let open_interest = num(4)?;
        if open_interest < 0.0 {
            return Err(err(Some(line), Some(4), format!("must be ≥ 0, got {open_interest}")));
        }
        let dealer_sign = match cells[5] {
            "1" | "+1" => 1,
            "-1" => -1,
            other => {
                return Err(err(
                    Some(line),
                    Some(5),
                    format!("must be 1 (dealers long) or -1 (short), got \"{other}\""),
                ))
            }
        };
        out.push(OptionOpenInterest {
            market,
            strike,
            expiry_years: days / 365.0,
            option_type,
            open_interest,
            dealer_sign,
        });
    }
    if order.is_empty() {
        return Err(err(None, None, format!("no header (expected {})", OPTION_COLUMNS.join(","))));
    }
    Ok(out)
}
