//! Conversions shared by the scenario file and the accounts CSV: symbol lookup and the exact
//! conversion of a position from base units and USD to lots, ticks and micro-USD.
//!
//! Both inputs describe positions the same way, so they must agree to the micro-dollar: the
//! same account written inline or as a CSV row loads to the same `Position` (and the scenario
//! hashes the same). Errors are `(field, message)` with the field relative to the position
//! (`size`, `entry_price`, `margin_usd`); the caller prefixes its own path or CSV line.

use liq_domain::{AssetId, AssetSpec, MarginMode, MarketId, MarketSpec, Money, Position};

/// A field-relative error: `(field, message)`.
pub(crate) type FieldError = (&'static str, String);

/// Relative tolerance for "on the grid": a size or price must be within 1e-9 of a whole number
/// of lots/ticks, which absorbs decimal→binary rounding (0.3 / 0.001) but catches real typos.
pub(crate) const GRID_TOLERANCE: f64 = 1e-9;

/// Largest number of lots or ticks accepted; far beyond any real market, far below where `f64`
/// stops being exact on integers (2^53), so `as i64` can never saturate.
const MAX_UNITS: f64 = 1e15;

/// Resolves market symbols: exact (case-insensitive) first, then the short form (`BTC` for
/// `BTCUSDT`, `BTC-PERP`, `BTCUSD`) when exactly one market has it.
pub(crate) struct MarketSymbols {
    upper: Vec<String>,
    /// Multi-venue scenarios: each market's venue name (lower case); empty for one venue.
    venue: Vec<String>,
}

impl MarketSymbols {
    pub fn new(markets: &[MarketSpec]) -> Self {
        Self { upper: markets.iter().map(|m| m.symbol.to_ascii_uppercase()).collect(), venue: Vec::new() }
    }

    /// Symbols of a multi-venue scenario: `VENUE:SYMBOL` selects a venue's market, and a bare
    /// symbol listed on several venues is ambiguous (except through [`MarketSymbols::resolve_all`]).
    pub fn with_venues(markets: &[MarketSpec], venue: Vec<String>) -> Self {
        Self { venue: venue.into_iter().map(|v| v.to_ascii_lowercase()).collect(), ..Self::new(markets) }
    }

    /// Every market a name matches: with a `VENUE:` prefix that venue's, else one per venue
    /// (an asset-wide move: `shock.moves.BTC` moves BTC on every venue).
    pub fn resolve_all(&self, symbol: &str) -> Result<Vec<MarketId>, String> {
        if self.venue.is_empty() || symbol.contains(':') {
            return self.resolve(symbol).map(|m| vec![m]);
        }
        let mut names: Vec<&str> = self.venue.iter().map(String::as_str).collect();
        names.sort_unstable();
        names.dedup();
        let mut out = Vec::new();
        for v in names {
            match self.resolve(&format!("{v}:{symbol}")) {
                Ok(m) => out.push(m),
                Err(e) if e.starts_with("unknown") => {}
                Err(e) => return Err(e),
            }
        }
        if out.is_empty() {
            return self.resolve(symbol).map(|m| vec![m]);
        }
        out.sort_unstable();
        Ok(out)
    }

    pub fn resolve(&self, symbol: &str) -> Result<MarketId, String> {
        let mut t = symbol.trim();
        // `VENUE:SYMBOL` in a multi-venue scenario: only that venue's markets are candidates.
        let mut only: Option<&str> = None;
        if !self.venue.is_empty() {
            if let Some((v, s)) = t.split_once(':') {
                let v = v.trim();
                if !self.venue.iter().any(|x| x.eq_ignore_ascii_case(v)) {
                    let mut names = self.venue.clone();
                    names.dedup();
                    return Err(format!(
                        "unknown venue \"{v}\" in \"{symbol}\" (venues: {})",
                        names.join(", ")
                    ));
                }
                only = Some(v);
                t = s.trim();
            }
        }
        let cand = |i: usize| only.is_none_or(|v| self.venue[i].eq_ignore_ascii_case(v));
        // Exact match without allocating first: this runs once per CSV row.
        let exact: Vec<usize> =
            (0..self.upper.len()).filter(|&i| cand(i) && self.upper[i].eq_ignore_ascii_case(t)).collect();
        match exact.as_slice() {
            [i] => return Ok(MarketId(*i as u16)),
            [] => {}
            many => {
                return Err(format!(
                    "\"{symbol}\" is listed on several venues ({}): write VENUE:{t}",
                    many.iter().map(|&i| self.venue[i].as_str()).collect::<Vec<_>>().join(", ")
                ))
            }
        }
        let s = t.to_ascii_uppercase();
        let short: Vec<usize> = (0..self.upper.len())
            .filter(|&i| {
                let u = &self.upper[i];
                cand(i)
                    && [u.strip_suffix("USDT"), u.strip_suffix("USD"), u.strip_suffix("-PERP")]
                        .contains(&Some(s.as_str()))
            })
            .collect();
        match short.as_slice() {
            [i] => Ok(MarketId(*i as u16)),
            [] => Err(format!("unknown market \"{symbol}\" (markets: {})", self.upper.join(", "))),
            _ => Err(format!(
                "\"{symbol}\" is ambiguous: it is the short form of {}",
                short.iter().map(|&i| self.upper[i].as_str()).collect::<Vec<_>>().join(" and ")
            )),
        }
    }
}

/// Resolves collateral asset symbols (case-insensitive, exact).
pub(crate) fn resolve_asset(assets: &[AssetSpec], symbol: &str) -> Result<AssetId, String> {
    let s = symbol.trim();
    assets.iter().position(|a| a.symbol.eq_ignore_ascii_case(s)).map(|i| AssetId(i as u16)).ok_or_else(|| {
        let known: Vec<&str> = assets.iter().map(|a| a.symbol.as_str()).collect();
        let hint = if s.eq_ignore_ascii_case("USDT") || s.eq_ignore_ascii_case("USD") {
            "; USD(T) balances go in wallet_usd"
        } else {
            ""
        };
        format!("unknown collateral asset \"{symbol}\" (assets: [{}]){hint}", known.join(", "))
    })
}

/// Whole units of `step` in `x`, if `x` is on the grid (within [`GRID_TOLERANCE`] relative).
pub(crate) fn on_grid(x: f64, step: f64) -> Option<i64> {
    let units = x / step;
    if !units.is_finite() || units.abs() > MAX_UNITS {
        return None;
    }
    let r = units.round();
    ((units - r).abs() <= GRID_TOLERANCE * r.abs().max(1.0)).then_some(r as i64)
}

/// A non-negative USD amount (margin, wallet parts) to micro-USD.
pub(crate) fn usd(v: f64, what: &str) -> Result<Money, String> {
    if !v.is_finite() {
        return Err(format!("must be a finite number, got {v}"));
    }
    if v.abs() > 1e12 {
        return Err(format!("{what} {v} USD is beyond the supported range (±1e12 USD)"));
    }
    Ok(Money::from_usd(v))
}

/// Builds a position from base-unit size and USD entry price.
///
/// - `size`: signed (negative = short), non-zero, finite, on the lot grid → `size_lots`.
/// - `entry_price`: positive, finite; **rounded to the nearest tick** (venues fill on ticks, so
///   an average entry between ticks is a display artefact) → cost = lots × ticks × value of one
///   lot at one tick, exact in micro-USD.
/// - isolated positions need `margin_usd` > 0; cross positions take none (absent or 0).
pub(crate) fn position(
    market: &MarketSpec,
    id: MarketId,
    size: f64,
    entry_price: f64,
    mode: MarginMode,
    margin_usd: Option<f64>,
) -> Result<Position, FieldError> {
    if !size.is_finite() {
        return Err(("size", format!("must be a finite number, got {size}")));
    }
    if size == 0.0 {
        return Err(("size", "must not be zero (omit the position instead)".into()));
    }
    let lots = on_grid(size, market.lot_size).filter(|&l| l != 0).ok_or_else(|| {
        (
            "size",
            format!(
                "{size} is not a whole number of lots (lot_size {} of {})",
                market.lot_size, market.symbol
            ),
        )
    })?;
    if !(entry_price.is_finite() && entry_price > 0.0) {
        return Err(("entry_price", format!("must be a positive finite price, got {entry_price}")));
    }
    let ticks = market.ticks(entry_price);
    if ticks < 1 || (ticks as f64) > MAX_UNITS {
        return Err((
            "entry_price",
            format!("{entry_price} is not a usable price for tick_size {}", market.tick_size),
        ));
    }
    let cost = lots
        .checked_mul(ticks)
        .and_then(|v| v.checked_mul(market.micros_per_lot_tick()))
        .ok_or_else(|| ("size", format!("notional of {size} at {entry_price} overflows the exact ledger")))?;
    let isolated_margin = match (mode, margin_usd) {
        (MarginMode::Isolated, None) => {
            return Err(("margin_usd", "an isolated position needs margin_usd > 0".into()));
        }
        (MarginMode::Isolated, Some(m)) => {
            if !(m.is_finite() && m > 0.0) {
                return Err(("margin_usd", format!("must be a positive finite amount, got {m}")));
            }
            usd(m, "margin").map_err(|e| ("margin_usd", e))?
        }
        (MarginMode::Cross, None) => Money::ZERO,
        (MarginMode::Cross, Some(0.0)) => Money::ZERO,
        (MarginMode::Cross, Some(m)) => {
            return Err((
                "margin_usd",
                format!("{m} given for a cross position; margin_usd applies to isolated positions only"),
            ));
        }
    };
    Ok(Position { market: id, size_lots: lots, cost: Money(cost), mode, isolated_margin })
}

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::RiskLadder;

    fn btc() -> MarketSpec {
        MarketSpec {
            symbol: "BTCUSDT".into(),
            tick_size: 0.1,
            lot_size: 0.001,
            index_price: 60_000.0,
            mark_price: 60_000.0,
            ladder: RiskLadder::from_caps(&[(50_000.0, 0.004, 125.0)]).unwrap(),
            liquidation_fee_rate: 0.0125,
            taker_fee_rate: 0.0005,
        }
    }

    #[test]
    fn cost_is_exact() {
        // 0.5 BTC = 500 lots; 60,000.04 rounds to 600,000 ticks; one lot-tick = 0.1 × 0.001 USD
        // = 100 micro-USD; cost = 500 × 600,000 × 100 = 3e10 micro-USD = 30,000 USD.
        let p = position(&btc(), MarketId(0), 0.5, 60_000.04, MarginMode::Cross, None).unwrap();
        assert_eq!((p.size_lots, p.cost), (500, Money(30_000_000_000)));
        let p = position(&btc(), MarketId(0), -0.003, 100.0, MarginMode::Isolated, Some(1.5)).unwrap();
        assert_eq!((p.size_lots, p.cost, p.isolated_margin), (-3, Money(-300_000), Money(1_500_000)));
    }

    #[test]
    fn rejects_off_grid_and_bad_values() {
        let m = btc();
        assert_eq!(position(&m, MarketId(0), 0.0005, 1.0, MarginMode::Cross, None).unwrap_err().0, "size");
        assert_eq!(position(&m, MarketId(0), f64::NAN, 1.0, MarginMode::Cross, None).unwrap_err().0, "size");
        assert_eq!(
            position(&m, MarketId(0), 1.0, -1.0, MarginMode::Cross, None).unwrap_err().0,
            "entry_price"
        );
        assert_eq!(
            position(&m, MarketId(0), 1.0, 1.0, MarginMode::Isolated, None).unwrap_err().0,
            "margin_usd"
        );
        assert_eq!(
            position(&m, MarketId(0), 1.0, 1.0, MarginMode::Cross, Some(5.0)).unwrap_err().0,
            "margin_usd"
        );
        // 0.3 / 0.001 is 299.99999999999994 in binary: still on the grid.
        assert_eq!(position(&m, MarketId(0), 0.3, 1.0, MarginMode::Cross, None).unwrap().size_lots, 300);
    }

    #[test]
    fn resolves_short_forms() {
        let mut eth = btc();
        eth.symbol = "ETHUSDT".into();
        let s = MarketSymbols::new(&[btc(), eth]);
        assert_eq!(s.resolve("btcusdt"), Ok(MarketId(0)));
        assert_eq!(s.resolve("ETH"), Ok(MarketId(1)));
        assert!(s.resolve("SOL").unwrap_err().contains("unknown market \"SOL\""));
    }
}
