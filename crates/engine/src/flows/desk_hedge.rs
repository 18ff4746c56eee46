//! A desk's delta hedge of its own book, as a flow of the cascade (`stress --portfolio FILE
//! --hedge delta:INTERVAL[,band=X%][,ratio=R]`).
//!
//! The desk holds `positions[k]` base units of market `k` (the portfolio file's sizes): its delta
//! there is `positions[k] × mark` USD. Every `interval_s` (from t = 0, the first step) the desk
//! compares its hedge with the target `−ratio × positions[k]` and, where the gap is larger than
//! `band × |positions[k]|` (the band is a fraction of the portfolio's delta, the same at any mark
//! because both sides scale with it), sends a market order for the whole gap into that market's
//! perp book, like every other flow ([`super`]): it walks the book the liquidations walk at that
//! time, its impact moves the marks the next step's triggers see, and a partial fill (a book
//! emptied that step) leaves a gap the next rebalance closes.
//!
//! The hedge is a ledger holder that starts flat (no entry against the makers: the desk's book is
//! outside the venue's ledger, its hedge is not) and pays the market's `taker_fee_rate` on every
//! fill into the venue's fee income, so money stays conserved with it. Its cost is reported as
//! the impact (fill value against the mark it decided on) plus the fees, USD.
//!
//! A linear book's delta is constant in base units, so after the first rebalance the target does
//! not move: the interval and band matter through fills the book could not take at once. This is
//! stated in DESIGN.md "Dynamic hedging of one's own book" with the measured figures.

use crate::model::{EngineError, EngineModel};
use serde::Serialize;

/// The desk's hedge settings and book.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskHedgeSpec {
    /// The desk's position per market (scenario order), base units (negative = short).
    pub positions: Vec<f64>,
    /// Seconds between rebalancing decisions (> 0).
    pub interval_s: f64,
    /// No trade while |target − hedge| ≤ band × |position| (fraction, ≥ 0).
    pub band: f64,
    /// Hedge ratio: the target hedge is −ratio × position (0 < ratio ≤ 1).
    pub ratio: f64,
}

/// What the desk's hedge did over one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeskHedgeOutcome {
    /// Rebalancing decisions that traded in at least one market.
    pub rebalances: u64,
    /// |notional| traded, USD.
    pub traded_usd: f64,
    /// Σ over fills of the value paid beyond (bought) or short of (sold) the mark the desk decided
    /// on, USD: the book's impact and half-spread.
    pub impact_usd: f64,
    /// Taker fees paid on the fills, USD.
    pub fees_usd: f64,
    /// The hedge's equity change at the end marks (its position's value − what it paid, fees
    /// included), USD.
    pub pnl_usd: f64,
    /// The hedge's position per market at the end, lots.
    pub position_lots: Vec<i64>,
}

/// Running totals while a run trades.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeskTotals {
    pub rebalances: u64,
    pub traded_usd: f64,
    pub impact_usd: f64,
    pub fees_usd: f64,
}

impl DeskHedgeSpec {
    /// Checks the settings against a model of `n_markets` markets; errors name the `--hedge`
    /// field.
    pub fn validate(&self, n_markets: usize) -> Result<(), EngineError> {
        if self.positions.len() != n_markets {
            return Err(EngineError::invalid(
                "hedge.positions",
                format!("{} positions for {n_markets} markets", self.positions.len()),
            ));
        }
        if let Some(q) = self.positions.iter().find(|q| !q.is_finite()) {
            return Err(EngineError::invalid("hedge.positions", format!("{q} is not a finite size")));
        }
        if !(self.interval_s.is_finite() && self.interval_s > 0.0) {
            return Err(EngineError::invalid("hedge.interval", "must be a positive number of seconds"));
        }
        if !(self.band.is_finite() && self.band >= 0.0) {
            return Err(EngineError::invalid("hedge.band", "must be a non-negative fraction"));
        }
        if !(self.ratio.is_finite() && self.ratio > 0.0 && self.ratio <= 1.0) {
            return Err(EngineError::invalid("hedge.ratio", "must be in (0, 1]"));
        }
        Ok(())
    }

    /// The order that closes the gap to the target in market `k`, lots, or `None` inside the band.
    pub(crate) fn gap_lots(&self, k: usize, held_lots: i64, lot_size: f64) -> Option<i64> {
        let q = self.positions[k];
        let target = (-self.ratio * q / lot_size).round().clamp(-1e15, 1e15) as i64;
        let gap = target - held_lots;
        (gap != 0 && gap.unsigned_abs() as f64 * lot_size > self.band * q.abs()).then_some(gap)
    }
}

impl EngineModel {
    /// This model with the desk's hedge as a flow: one holder per market the desk holds, starting
    /// flat.
    pub fn with_desk_hedge(&self, spec: DeskHedgeSpec) -> Result<EngineModel, EngineError> {
        spec.validate(self.n_markets())?;
        if self.flows.desk.is_some() {
            return Err(EngineError::invalid("hedge", "the model already carries a desk hedge"));
        }
        let mut m = self.clone();
        for (k, &q) in spec.positions.iter().enumerate() {
            if q != 0.0 {
                m.flows.desk_markets.push((k, m.flows.holders.len()));
                m.flows.holders.push(super::Holder0 {
                    channel: super::Channel::DeskHedge,
                    market: k,
                    size0: 0,
                    cost0: 0,
                });
            }
        }
        if m.flows.desk_markets.is_empty() {
            return Err(EngineError::invalid("hedge", "the portfolio holds nothing: no delta to hedge"));
        }
        m.flows.desk = Some(spec);
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(band: f64, ratio: f64) -> DeskHedgeSpec {
        DeskHedgeSpec { positions: vec![1000.0], interval_s: 30.0, band, ratio }
    }

    #[test]
    fn gap_is_the_whole_distance_to_the_target_outside_the_band() {
        // Hand-worked: 1,000 BTC long, lot 0.001, ratio 1 → target −1,000,000 lots.
        assert_eq!(spec(0.0, 1.0).gap_lots(0, 0, 0.001), Some(-1_000_000));
        // Half hedged: the other half.
        assert_eq!(spec(0.0, 0.5).gap_lots(0, 0, 0.001), Some(-500_000));
        assert_eq!(spec(0.0, 1.0).gap_lots(0, -400_000, 0.001), Some(-600_000));
        // A 10% band is 100 BTC: a 100-BTC gap stays (not strictly beyond), a 100.001-BTC one trades.
        assert_eq!(spec(0.1, 1.0).gap_lots(0, -900_000, 0.001), None);
        assert_eq!(spec(0.1, 1.0).gap_lots(0, -899_999, 0.001), Some(-100_001));
        // Hedged: nothing to do at any band.
        assert_eq!(spec(0.0, 1.0).gap_lots(0, -1_000_000, 0.001), None);
    }

    #[test]
    fn bad_settings_are_refused_by_field() {
        let field = |s: DeskHedgeSpec| match s.validate(1) {
            Err(EngineError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(DeskHedgeSpec { interval_s: -5.0, ..spec(0.0, 1.0) }), "hedge.interval");
        assert_eq!(field(spec(f64::NAN, 1.0)), "hedge.band");
        assert_eq!(field(spec(0.0, 1.5)), "hedge.ratio");
        assert_eq!(field(DeskHedgeSpec { positions: vec![1.0, 2.0], ..spec(0.0, 1.0) }), "hedge.positions");
    }
}
