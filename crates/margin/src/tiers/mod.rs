//! Published margin tables ("leverage brackets", "risk limits", "margin tiers", "liquidity
//! tiers") of each venue preset, each with its source and the date it was observed.
//!
//! Every venue here defines maintenance margin in the same shape — `notional × rate − deduction`
//! of the tier the position's notional falls in, the deduction making the function continuous at
//! tier boundaries — so every table becomes a [`RiskLadder`] without extending the domain type:
//! - Binance USDⓈ-M: `notional × mmr − cum` ([`binance`]);
//! - Bybit USDT perpetual: `position value × MMR − mmDeduction`, deduction defined by the same
//!   recursion ([`bybit`]);
//! - Hyperliquid: `notional × mmr − maintenance_deduction`, `mmr = 1 / (2 × max leverage)` of
//!   the tier ([`hyperliquid`]);
//! - dYdX v4: `|size| × oracle price × MMF`, `MMF = IMF × maintenance fraction`, one rate for
//!   every position size since the removal of nonlinear margin scaling: a one-tier ladder
//!   ([`dydx`]).
//!
//! The ladder is always rebuilt from `(cap, rate, max leverage)` by continuity
//! ([`RiskLadder::from_caps`]); where the venue publishes its deduction column it is kept next to
//! the row and the tests check that the venue's column and the continuity rule agree (a
//! disagreement would be a typo here, and every liquidation price above the bad tier would be
//! wrong).
//!
//! A scenario names a table as `"venue:SYMBOL"` ([`by_name`]) or asks for its venue's own table
//! for a market ([`for_market`], `tiers = "preset"`); [`identify`] maps a ladder back to the table
//! it came from, so outputs can say which table set priced a run.

pub mod binance;
pub mod bybit;
pub mod dydx;
pub mod hyperliquid;

use liq_domain::{DomainError, RiskLadder, VenuePreset};

/// The notional cap written where a venue publishes no position limit for its last tier
/// (Hyperliquid, dYdX). The ladder's last tier extends past its cap anyway; the cap only bounds
/// the generated population's position sizes, and 1e15 USD bounds nothing real.
pub const NO_PUBLISHED_LIMIT: f64 = 1e15;

/// One row of a published table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierRow {
    /// Upper bound of the tier's notional band, USD (the next tier's lower bound).
    pub cap_notional: f64,
    /// Maintenance margin rate of the tier.
    pub mmr: f64,
    /// Max leverage of the tier (initial margin rate = 1 / max leverage).
    pub max_leverage: f64,
    /// The deduction ("cum", "mmDeduction") as the venue publishes it, where it does.
    pub published_deduction: Option<f64>,
}

impl TierRow {
    /// A row whose venue publishes its deduction.
    pub const fn with_deduction(cap_notional: f64, mmr: f64, max_leverage: f64, deduction: f64) -> Self {
        TierRow { cap_notional, mmr, max_leverage, published_deduction: Some(deduction) }
    }

    /// A row whose venue publishes only the rate (the deduction follows by continuity).
    pub const fn rate_only(cap_notional: f64, mmr: f64, max_leverage: f64) -> Self {
        TierRow { cap_notional, mmr, max_leverage, published_deduction: None }
    }
}

/// One venue's published table for one market.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierTable {
    pub venue: VenuePreset,
    /// The venue's own symbol (`BTCUSDT`, `BTC`, `BTC-USD`).
    pub symbol: &'static str,
    /// The base asset (`BTC`), how a scenario market is matched to the table of another venue.
    pub base: &'static str,
    pub rows: &'static [TierRow],
    /// Where the numbers come from (document, endpoint, repository and commit).
    pub source: &'static str,
    /// When the numbers were observed (ISO date, or the latest date the source pins down).
    pub observed: &'static str,
}

impl TierTable {
    /// The name a scenario uses for this table: `venue:SYMBOL`.
    pub fn name(&self) -> String {
        format!("{}:{}", self.venue.name(), self.symbol)
    }

    /// The table as a validated ladder, deductions derived by continuity.
    pub fn ladder(&self) -> Result<RiskLadder, DomainError> {
        let caps: Vec<(f64, f64, f64)> =
            self.rows.iter().map(|r| (r.cap_notional, r.mmr, r.max_leverage)).collect();
        RiskLadder::from_caps(&caps)
    }
}

/// The set of tables a venue preset prices with, named and dated for outputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableSet {
    pub venue: VenuePreset,
    /// E.g. `binance-usdm-leverage-brackets`.
    pub name: &'static str,
    /// The observation date of the set (its tables' dates agree within the set).
    pub observed: &'static str,
    pub tables: &'static [TierTable],
}

/// The table set of a venue preset.
pub fn table_set(venue: VenuePreset) -> &'static TableSet {
    match venue {
        VenuePreset::Binance => &binance::TABLE_SET,
        VenuePreset::Bybit => &bybit::TABLE_SET,
        VenuePreset::Hyperliquid => &hyperliquid::TABLE_SET,
        VenuePreset::Dydx => &dydx::TABLE_SET,
    }
}

/// Why a table could not be found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TierLookupError {
    #[error("unknown built-in tier table \"{0}\" (form: \"venue:SYMBOL\" with venue one of binance, bybit, hyperliquid, dydx, or \"preset\")")]
    BadName(String),
    #[error("no built-in {venue} table for \"{symbol}\" (built in: {known}); give the market its own tiers")]
    NoTable { venue: &'static str, symbol: String, known: String },
}

fn no_table(venue: VenuePreset, symbol: &str) -> TierLookupError {
    let known: Vec<&str> = table_set(venue).tables.iter().map(|t| t.symbol).collect();
    TierLookupError::NoTable { venue: venue.name(), symbol: symbol.to_string(), known: known.join(", ") }
}

/// The table named `venue:SYMBOL` (case-insensitive). `SYMBOL` is the venue's own symbol or,
/// failing that, any symbol with the same base asset (`dydx:BTCUSDT` is dYdX's `BTC-USD`), so a
/// scenario written with one venue's market names can name another venue's tables.
pub fn by_name(name: &str) -> Result<&'static TierTable, TierLookupError> {
    let (venue, symbol) = name.split_once(':').ok_or_else(|| TierLookupError::BadName(name.to_string()))?;
    let venue = VenuePreset::parse(venue.trim()).ok_or_else(|| TierLookupError::BadName(name.to_string()))?;
    let symbol = symbol.trim();
    let tables = table_set(venue).tables;
    tables
        .iter()
        .find(|t| t.symbol.eq_ignore_ascii_case(symbol))
        .or_else(|| tables.iter().find(|t| t.base.eq_ignore_ascii_case(base_asset(symbol))))
        .ok_or_else(|| no_table(venue, symbol))
}

/// The venue's table for a scenario market, matched by base asset, so that a market named
/// `BTCUSDT` gets Hyperliquid's `BTC` and dYdX's `BTC-USD` table when the venue changes.
pub fn for_market(venue: VenuePreset, market_symbol: &str) -> Result<&'static TierTable, TierLookupError> {
    let base = base_asset(market_symbol);
    table_set(venue)
        .tables
        .iter()
        .find(|t| t.base.eq_ignore_ascii_case(base))
        .ok_or_else(|| no_table(venue, market_symbol.trim()))
}

/// The base asset of a perpetual's symbol: `BTCUSDT`, `BTC-USD`, `BTC-PERP`, `BTC/USDT:USDT`,
/// `BTC` all give `BTC`. Quote suffixes are stripped longest first so `…USDT` does not leave a `T`.
pub fn base_asset(symbol: &str) -> &str {
    let s = symbol.trim();
    let s = s.split_once(['/', ':']).map_or(s, |(b, _)| b);
    let s = s.strip_suffix("-PERP").or_else(|| s.strip_suffix("-perp")).unwrap_or(s);
    let s = s.strip_suffix('-').unwrap_or(s);
    for quote in ["-USDT", "-USDC", "-USD", "USDT", "USDC", "USD"] {
        if let Some(b) = strip_suffix_ignore_case(s, quote) {
            if !b.is_empty() {
                return b;
            }
        }
    }
    s
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let n = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(n) && s[n..].eq_ignore_ascii_case(suffix)).then(|| &s[..n])
}

/// The built-in table a market's ladder was built from, if any (exact equality: ladders from the
/// same constants are bit-identical; a scenario's own table is not a built-in even if it is
/// close). Tables can share a ladder (dYdX's BTC-USD and ETH-USD are both Large-Cap), so one whose
/// base asset is the market's is preferred.
pub fn identify(market_symbol: &str, ladder: &RiskLadder) -> Option<&'static TierTable> {
    let base = base_asset(market_symbol);
    let equal = || {
        VenuePreset::ALL
            .iter()
            .flat_map(|&v| table_set(v).tables.iter())
            .filter(|t| t.ladder().is_ok_and(|l| &l == ladder))
    };
    equal().find(|t| t.base.eq_ignore_ascii_case(base)).or_else(|| equal().next())
}

/// The risk-limit ladder of a Binance USDⓈ-M symbol (`BTCUSDT`, `ETHUSDT`, `SOLUSDT`), built
/// from its published brackets. `None` for any other symbol.
pub fn binance_brackets(symbol: &str) -> Option<RiskLadder> {
    by_name(&format!("binance:{}", symbol.trim())).ok()?.ladder().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_builds_a_valid_ladder_and_is_identified() {
        for v in VenuePreset::ALL {
            let set = table_set(v);
            assert_eq!(set.venue, v);
            for t in set.tables {
                assert_eq!(t.venue, v, "{}", t.name());
                let ladder = t.ladder().unwrap_or_else(|e| panic!("{}: {e}", t.name()));
                assert_eq!(ladder.tiers().len(), t.rows.len());
                assert_eq!(identify(t.symbol, &ladder).map(|x| x.name()), Some(t.name()));
                assert!(!t.source.is_empty());
            }
        }
    }

    #[test]
    fn published_deductions_equal_continuity() {
        for v in VenuePreset::ALL {
            for t in table_set(v).tables {
                let ladder = t.ladder().unwrap();
                for (i, (row, tier)) in t.rows.iter().zip(ladder.tiers()).enumerate() {
                    if let Some(d) = row.published_deduction {
                        assert!(
                            (d - tier.maintenance_amount).abs() < 0.01,
                            "{} tier {}: published {d} vs derived {}",
                            t.name(),
                            i + 1,
                            tier.maintenance_amount
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn names_and_markets_resolve() {
        assert_eq!(by_name("binance:btcusdt").unwrap().symbol, "BTCUSDT");
        assert_eq!(by_name(" Hyperliquid : BTC ").unwrap().symbol, "BTC");
        assert_eq!(by_name("dydx:BTC-USD").unwrap().symbol, "BTC-USD");
        assert_eq!(by_name("dydx:BTCUSDT").unwrap().symbol, "BTC-USD");
        assert_eq!(by_name("hyperliquid:ETHUSDT").unwrap().symbol, "ETH");
        assert_eq!(for_market(VenuePreset::Dydx, "ETHUSDT").unwrap().symbol, "ETH-USD");
        assert_eq!(for_market(VenuePreset::Hyperliquid, "SOLUSDT").unwrap().symbol, "SOL");
        assert_eq!(for_market(VenuePreset::Binance, "SOL-USD").unwrap().symbol, "SOLUSDT");
        assert!(matches!(by_name("ftx:BTCUSDT"), Err(TierLookupError::BadName(_))));
        assert!(matches!(by_name("BTCUSDT"), Err(TierLookupError::BadName(_))));
        let e = by_name("binance:DOGEUSDT").unwrap_err();
        assert_eq!(
            e.to_string(),
            "no built-in binance table for \"DOGEUSDT\" (built in: BTCUSDT, ETHUSDT, SOLUSDT); give the market its own tiers"
        );
        assert!(binance_brackets("DOGEUSDT").is_none());
        assert_eq!(binance_brackets("btcusdt"), binance_brackets("BTCUSDT"));
    }

    #[test]
    fn base_assets() {
        for (s, b) in [
            ("BTCUSDT", "BTC"),
            ("BTC-USD", "BTC"),
            ("BTC", "BTC"),
            ("ethusdc", "eth"),
            ("SOL/USDT:USDT", "SOL"),
            ("BTC-PERP", "BTC"),
            ("USDT", "USDT"),
            ("1000PEPEUSDT", "1000PEPE"),
        ] {
            assert_eq!(base_asset(s), b, "{s}");
        }
    }

    #[test]
    fn a_scenario_table_is_not_a_builtin() {
        let own = RiskLadder::from_caps(&[(1e6, 0.01, 20.0)]).unwrap();
        assert!(identify("BTCUSDT", &own).is_none());
    }
}
