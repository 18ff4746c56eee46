//! Loaders for fire-sale inputs: a holdings CSV and a leverage-limits CSV, and the EBA 2018
//! stress-test file used by the overlapping-portfolio literature. Errors name the file, the line
//! and the field.
//!
//! - Holdings: header `institution,<asset 1>,<asset 2>,…`; one row per institution, holdings as
//!   non-negative numbers (value at the starting price).
//! - Limits: header `institution,equity,other_assets,max_leverage`; one row per institution of
//!   the holdings file, in any order.
//! - Depth defaults to the system's total holdings of each asset (selling every unit held moves
//!   the price by exp(−β)); β defaults to 1. Both are public fields to override.
//! - EBA 2018 (`shared/data/eba-2018/EBA_2018.csv`, from ox-inet-resilience/firesale_stresstest):
//!   header `bank_id,CET1E,leverage,debt_sec,govbonds` with commas, rows with spaces; `govbonds`
//!   may be a sum `a+b`. Total assets = CET1E / (leverage/100); the two tradable assets are
//!   government bonds and corporate bonds (`debt_sec − govbonds`); other assets = total −
//!   debt_sec; the limit is the Basel III 3% minimum leverage ratio, λ_max = 1/0.03.

use crate::error::NetworkError;
use crate::firesale::FireSaleSystem;
use std::path::{Path, PathBuf};

/// Basel III minimum leverage ratio (Tier 1 / exposure), as used by Cont–Schaanning.
pub const BASEL_MIN_LEVERAGE_RATIO: f64 = 0.03;

fn read(path: &Path) -> Result<String, NetworkError> {
    std::fs::read_to_string(path).map_err(|source| NetworkError::Io { path: path.to_path_buf(), source })
}

fn err(path: &Path, line: usize, field: &str, message: impl Into<String>) -> NetworkError {
    NetworkError::File {
        path: PathBuf::from(path),
        line: line as u64,
        field: field.into(),
        message: message.into(),
    }
}

/// Parses a non-negative finite number (`what` names the field in errors).
fn number(path: &Path, line: usize, field: &str, s: &str) -> Result<f64, NetworkError> {
    let v: f64 =
        s.trim().parse().map_err(|_| err(path, line, field, format!("`{}` is not a number", s.trim())))?;
    if !v.is_finite() {
        return Err(err(path, line, field, format!("{v} is not a finite number")));
    }
    if v < 0.0 {
        return Err(err(path, line, field, format!("{v} is negative")));
    }
    Ok(v)
}

/// Non-empty, non-comment lines with their 1-based numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// Loads holdings and leverage limits.
pub fn load_fire_sale_csv(holdings: &Path, limits: &Path) -> Result<FireSaleSystem, NetworkError> {
    let text = read(holdings)?;
    let mut it = lines(&text);
    let (_, header) = it.next().ok_or_else(|| err(holdings, 1, "header", "empty file"))?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    if cols.len() < 2 {
        return Err(err(holdings, 1, "header", "need `institution` and at least one asset column"));
    }
    let assets: Vec<String> = cols[1..].iter().map(|s| s.to_string()).collect();
    let mut institutions = Vec::new();
    let mut rows = Vec::new();
    for (ln, line) in it {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != cols.len() {
            return Err(err(
                holdings,
                ln,
                "row",
                format!("{} fields, the header has {}", f.len(), cols.len()),
            ));
        }
        let name = f[0].trim().to_string();
        if institutions.contains(&name) {
            return Err(err(holdings, ln, cols[0], format!("institution `{name}` appears twice")));
        }
        let row = f[1..]
            .iter()
            .zip(&assets)
            .map(|(s, a)| number(holdings, ln, a, s))
            .collect::<Result<Vec<_>, _>>()?;
        institutions.push(name);
        rows.push(row);
    }
    if institutions.is_empty() {
        return Err(err(holdings, 1, "rows", "no institutions"));
    }
    let n = institutions.len();
    let text = read(limits)?;
    let mut it = lines(&text);
    let (_, header) = it.next().ok_or_else(|| err(limits, 1, "header", "empty file"))?;
    let expected = ["institution", "equity", "other_assets", "max_leverage"];
    let cols: Vec<String> = header.split(',').map(|s| s.trim().to_ascii_lowercase()).collect();
    if cols != expected {
        return Err(err(limits, 1, "header", format!("expected `{}`", expected.join(","))));
    }
    let mut equity = vec![f64::NAN; n];
    let mut other = vec![0.0; n];
    let mut lev = vec![0.0; n];
    for (ln, line) in it {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 4 {
            return Err(err(limits, ln, "row", format!("{} fields, expected 4", f.len())));
        }
        let name = f[0].trim();
        let i = institutions
            .iter()
            .position(|x| x == name)
            .ok_or_else(|| err(limits, ln, "institution", format!("`{name}` is not in the holdings file")))?;
        // Equity may be negative (an institution already insolvent), but must be a number.
        let e: f64 = f[1]
            .trim()
            .parse()
            .map_err(|_| err(limits, ln, "equity", format!("`{}` is not a number", f[1].trim())))?;
        if !e.is_finite() {
            return Err(err(limits, ln, "equity", format!("{e} is not a finite number")));
        }
        if !equity[i].is_nan() {
            // Before, a second row silently replaced the first.
            return Err(err(limits, ln, "institution", format!("`{name}` appears twice")));
        }
        equity[i] = e;
        other[i] = number(limits, ln, "other_assets", f[2])?;
        lev[i] = number(limits, ln, "max_leverage", f[3])?;
        if lev[i] < 1.0 {
            return Err(err(limits, ln, "max_leverage", format!("{} is below 1", lev[i])));
        }
    }
    if let Some(i) = equity.iter().position(|e| e.is_nan()) {
        return Err(err(limits, 0, "institution", format!("no row for `{}`", institutions[i])));
    }
    let depth = default_depth(&rows, assets.len());
    let sys = FireSaleSystem {
        institutions,
        assets,
        holdings: rows,
        equity,
        other_assets: other,
        max_leverage: lev,
        depth,
        beta: 1.0,
    };
    sys.validate().map_err(|e| in_file(holdings, e))?;
    Ok(sys)
}

/// A check of the loaded system that no single line failed names the file it came from (line
/// 0: the file as a whole).
fn in_file(path: &Path, e: NetworkError) -> NetworkError {
    err(path, 0, "file", e.to_string())
}

fn default_depth(rows: &[Vec<f64>], m: usize) -> Vec<f64> {
    // An asset nobody holds gets depth 1 so the price formula stays defined; it is never sold.
    (0..m).map(|k| rows.iter().map(|r| r[k]).sum::<f64>()).map(|d| if d > 0.0 { d } else { 1.0 }).collect()
}

/// Loads the EBA 2018 file (format in the module doc).
pub fn load_eba_2018(path: &Path) -> Result<FireSaleSystem, NetworkError> {
    let text = read(path)?;
    let mut it = lines(&text);
    let (_, header) = it.next().ok_or_else(|| err(path, 1, "header", "empty file"))?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    if cols != ["bank_id", "CET1E", "leverage", "debt_sec", "govbonds"] {
        return Err(err(path, 1, "header", "expected `bank_id,CET1E,leverage,debt_sec,govbonds`"));
    }
    let mut sys = FireSaleSystem {
        institutions: Vec::new(),
        assets: vec!["government_bonds".into(), "corporate_bonds".into()],
        holdings: Vec::new(),
        equity: Vec::new(),
        other_assets: Vec::new(),
        max_leverage: Vec::new(),
        depth: Vec::new(),
        beta: 1.0,
    };
    for (ln, line) in it {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 5 {
            return Err(err(path, ln, "row", format!("{} fields, expected 5 separated by spaces", f.len())));
        }
        let cet1 = number(path, ln, "CET1E", f[1])?;
        let ratio = number(path, ln, "leverage", f[2])?;
        if ratio <= 0.0 {
            return Err(err(path, ln, "leverage", "must be > 0 (a percentage)"));
        }
        let debt = number(path, ln, "debt_sec", f[3])?;
        let gov = f[4].split('+').map(|s| number(path, ln, "govbonds", s)).sum::<Result<f64, _>>()?;
        if gov > debt {
            return Err(err(path, ln, "govbonds", format!("{gov} exceeds debt_sec {debt}")));
        }
        let total = cet1 / (ratio / 100.0);
        if !total.is_finite() {
            // A leverage ratio of 1e-320 % made total assets infinite (a fuzz find).
            return Err(err(
                path,
                ln,
                "leverage",
                format!("CET1E / leverage = {total}: not a finite balance sheet"),
            ));
        }
        if sys.institutions.iter().any(|b| b == f[0]) {
            return Err(err(path, ln, "bank_id", format!("bank `{}` appears twice", f[0])));
        }
        if total < debt {
            return Err(err(path, ln, "debt_sec", format!("{debt} exceeds total assets {total}")));
        }
        sys.institutions.push(f[0].to_string());
        sys.holdings.push(vec![gov, debt - gov]);
        sys.equity.push(cet1);
        sys.other_assets.push(total - debt);
        sys.max_leverage.push(1.0 / BASEL_MIN_LEVERAGE_RATIO);
    }
    if sys.institutions.is_empty() {
        return Err(err(path, 1, "rows", "no banks"));
    }
    sys.depth = default_depth(&sys.holdings, 2);
    sys.validate().map_err(|e| in_file(path, e))?;
    Ok(sys)
}
