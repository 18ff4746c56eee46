//! The lending-protocol scenario file (`venue = "aave-v3"`, docs/scenario-format.md "Lending
//! books"): `[lending]` rules, `[[reserves]]` with their spot books, borrowers inline or from
//! `borrowers_csv`, and `[shock] moves`.
//!
//! Same two passes as the perp file: serde into `deny_unknown_fields` raw structs (line from the
//! parser), then validation into a `liq_domain::LendingScenario` whose range checks are the
//! engine's own (`liq_engine::LendingModel::new`, one place per rule), re-labelled here with the
//! line of the field they name. Books reuse the perp file's `book_at`.

use super::raw::RawBook;
use super::validate::{book_at, Ctx};
use crate::{Format, IoError};
use liq_domain::{Borrower, LendingReserve, LendingRules, LendingScenario, MarketSpec, Money, RiskLadder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The venue names that select this file shape.
pub(crate) const LENDING_VENUES: [&str; 1] = ["aave-v3"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLendingScenario {
    name: String,
    #[serde(default)]
    seed: u64,
    venue: String,
    #[serde(default)]
    lending: RawLending,
    #[serde(default)]
    shock: RawLendingShock,
    reserves: Vec<RawReserve>,
    #[serde(default)]
    borrowers: Vec<RawBorrower>,
    borrowers_csv: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLending {
    close_factor: f64,
    full_close_hf: f64,
    min_base_for_partial_usd: f64,
    min_leftover_usd: f64,
    block_s: f64,
    liquidator_delay_s: f64,
    resilience_tau_s: f64,
    block_cap: u32,
}

impl Default for RawLending {
    fn default() -> Self {
        let p = liq_margin::lending::LendingParams::AAVE_V3_3;
        Self {
            close_factor: p.close_factor,
            full_close_hf: p.full_close_hf,
            min_base_for_partial_usd: p.min_base_for_partial_usd,
            min_leftover_usd: p.min_leftover_usd,
            // One Ethereum block (post-merge slots are 12 s).
            block_s: 12.0,
            // 0 s: the liquidation bots that dominate Aave swap the seized collateral in the
            // liquidation's own transaction (argued in DESIGN.md "Lending protocols").
            liquidator_delay_s: 0.0,
            // The perp file's default resilience (30 s).
            resilience_tau_s: 30.0,
            // 100,000 blocks: 2 weeks of Ethereum, 11 hours of Solana slots; a bound, reported.
            block_cap: 100_000,
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLendingShock {
    #[serde(default)]
    moves: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReserve {
    symbol: String,
    liquidation_threshold: f64,
    liquidation_bonus: f64,
    protocol_fee: f64,
    price: f64,
    tick_size: f64,
    lot_size: f64,
    book: RawBook,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBorrower {
    id: String,
    debt_usd: f64,
    #[serde(default)]
    collateral: BTreeMap<String, f64>,
}

/// The `venue` a scenario text names, if it parses that far.
///
/// Only the top-level keys are parsed where that suffices: `run` asks this of every scenario,
/// and parsing a file with 60,000 inline book levels a side into a `toml::Table` here (a second
/// full parse besides the loader's) was a fifth of the whole process on 1,000,000 accounts
/// (issue 15 profile). A TOML key at the top level must come before the first table header, so
/// the text up to it holds `venue`; should that prefix not parse on its own (the cut fell inside
/// a multi-line value), the whole text is parsed as before.
pub(crate) fn venue_of(text: &str, format: Format) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Venue {
        venue: Option<serde_json::Value>,
    }
    match format {
        Format::Toml => {
            let head = crate::toml_top_level(text);
            let table =
                toml::from_str::<toml::Table>(head).or_else(|_| toml::from_str::<toml::Table>(text)).ok()?;
            table.get("venue")?.as_str().map(str::to_owned)
        }
        // serde skips every other key without building it.
        Format::Json => serde_json::from_str::<Venue>(text).ok()?.venue?.as_str().map(str::to_owned),
    }
}

pub(crate) fn parse(text: &str, format: Format, origin: &Path) -> Result<LendingScenario, IoError> {
    let raw: RawLendingScenario = super::deserialize_as(text, format, origin)?;
    let ctx = Ctx { file: origin, text, format };
    if raw.name.trim().is_empty() {
        return Err(ctx.err("name", "must not be empty"));
    }
    if !LENDING_VENUES.iter().any(|v| v.eq_ignore_ascii_case(raw.venue.trim())) {
        return Err(
            ctx.err("venue", format!("a lending book needs venue \"aave-v3\", got \"{}\"", raw.venue))
        );
    }
    if raw.reserves.is_empty() {
        return Err(ctx.err("reserves", "at least one collateral reserve is required"));
    }
    let l = &raw.lending;
    let rules = LendingRules {
        close_factor: l.close_factor,
        full_close_hf: l.full_close_hf,
        min_base_for_partial_usd: l.min_base_for_partial_usd,
        min_leftover_usd: l.min_leftover_usd,
        block_s: l.block_s,
        liquidator_delay_s: l.liquidator_delay_s,
        resilience_tau_s: l.resilience_tau_s,
        block_cap: l.block_cap,
    };
    let ladder = RiskLadder::from_caps(&[(1e15, 0.01, 1.0)]).map_err(|e| ctx.err("reserves", e.message))?;
    let mut reserves: Vec<LendingReserve> = Vec::with_capacity(raw.reserves.len());
    for (k, r) in raw.reserves.iter().enumerate() {
        let symbol = r.symbol.trim().to_string();
        if symbol.is_empty() {
            return Err(ctx.err(format!("reserves[{k}].symbol"), "must not be empty"));
        }
        if let Some(j) = reserves.iter().position(|o| o.symbol.eq_ignore_ascii_case(&symbol)) {
            return Err(ctx.err(
                format!("reserves[{k}].symbol"),
                format!("duplicate reserve: reserves[{j}] is also {symbol}"),
            ));
        }
        // The book's grid, as the perp file's books are checked against their market.
        let grid = MarketSpec {
            symbol: symbol.clone(),
            tick_size: r.tick_size,
            lot_size: r.lot_size,
            index_price: r.price,
            mark_price: r.price,
            ladder: ladder.clone(),
            liquidation_fee_rate: 0.0,
            taker_fee_rate: 0.0,
        };
        grid.validate().map_err(|e| {
            ctx.err(format!("reserves[{k}].{}", e.field.replace("index_price", "price")), e.message)
        })?;
        let book = book_at(&ctx, &format!("reserves[{k}].book"), &r.book, &grid)?;
        reserves.push(LendingReserve {
            symbol,
            liquidation_threshold: r.liquidation_threshold,
            liquidation_bonus: r.liquidation_bonus,
            protocol_fee: r.protocol_fee,
            price: r.price,
            tick_size: r.tick_size,
            lot_size: r.lot_size,
            book,
        });
    }
    let find = |s: &str| reserves.iter().position(|r| r.symbol.eq_ignore_ascii_case(s.trim()));
    let mut shock = vec![0.0; reserves.len()];
    for (sym, &mv) in &raw.shock.moves {
        let f = format!("shock.moves.{sym}");
        let k = find(sym).ok_or_else(|| ctx.err(&f, format!("unknown reserve {sym}")))?;
        crate::limits::check_move(mv).map_err(|m| ctx.err(&f, m))?;
        shock[k] = mv;
    }
    let mut borrowers = Vec::with_capacity(raw.borrowers.len());
    for (i, b) in raw.borrowers.iter().enumerate() {
        let p = format!("borrowers[{i}]");
        let debt =
            crate::convert::usd(b.debt_usd, "debt").map_err(|m| ctx.err(format!("{p}.debt_usd"), m))?;
        if debt.is_negative() {
            return Err(ctx.err(format!("{p}.debt_usd"), "must not be negative"));
        }
        let mut collateral = vec![0.0; reserves.len()];
        for (sym, &q) in &b.collateral {
            let k = find(sym)
                .ok_or_else(|| ctx.err(format!("{p}.collateral.{sym}"), format!("unknown reserve {sym}")))?;
            collateral[k] = q;
        }
        borrowers.push(Borrower { label: b.id.clone(), collateral, debt });
    }
    if let Some(csv) = &raw.borrowers_csv {
        let path = origin.parent().unwrap_or(Path::new("")).join(csv);
        borrowers.extend(read_borrowers_csv(&path, &reserves)?);
    }
    crate::limits::check_accounts(borrowers.len() as u64).map_err(|e| ctx.err("borrowers", e))?;
    let scenario = LendingScenario { name: raw.name, seed: raw.seed, rules, reserves, borrowers, shock };
    // The engine's checks, one place per rule; its field names are the file's.
    if let Err(liq_engine::EngineError::Invalid { field, message }) = liq_engine::LendingModel::new(&scenario)
    {
        return Err(ctx.err(field, message));
    }
    Ok(scenario)
}

/// `id,debt_usd,<RESERVE>...`: one borrower a row, collateral quantity per reserve column.
fn read_borrowers_csv(path: &Path, reserves: &[LendingReserve]) -> Result<Vec<Borrower>, IoError> {
    let err = |line: Option<u64>, field: &str, message: String| IoError::Csv {
        file: path.to_path_buf(),
        line: line.map(|l| l as usize),
        column: None,
        field: field.to_string(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_path(path)
        .map_err(|e| IoError::read(path, format!("cannot open borrowers CSV: {e}")))?;
    let headers = rdr.headers().map_err(|e| err(Some(1), "header", e.to_string()))?.clone();
    if headers.get(0) != Some("id") || headers.get(1) != Some("debt_usd") {
        return Err(err(Some(1), "header", "must start with id,debt_usd then one column per reserve".into()));
    }
    let mut cols = Vec::new();
    for (c, h) in headers.iter().enumerate().skip(2) {
        let k = reserves
            .iter()
            .position(|r| r.symbol.eq_ignore_ascii_case(h))
            .ok_or_else(|| err(Some(1), h, format!("unknown reserve {h}")))?;
        cols.push((c, k));
    }
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(e.position().map(|p| p.line()), "", e.to_string()))?;
        let line = rec.position().map(|p| p.line());
        let num = |c: usize, name: &str| -> Result<f64, IoError> {
            let s = rec.get(c).unwrap_or("");
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| err(line, name, format!("expected a non-negative number, got \"{s}\"")))
        };
        let debt = Money::from_usd(num(1, "debt_usd")?);
        if debt.usd() > 1e12 {
            return Err(err(line, "debt_usd", "above 1e12 USD".into()));
        }
        let mut collateral = vec![0.0; reserves.len()];
        for &(c, k) in &cols {
            collateral[k] = num(c, &reserves[k].symbol)?;
        }
        out.push(Borrower { label: rec.get(0).unwrap_or("").to_string(), collateral, debt });
        crate::limits::check_accounts(out.len() as u64).map_err(|m| err(line, "", m))?;
    }
    Ok(out)
}
