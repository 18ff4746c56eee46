//! The arbitrage flow: the traders who tie each perpetual to its index.
//!
//! An arbitrageur quotes the perp at the index ± its costs (fees on both legs, both half-spreads
//! and a required edge) for as much as its capacity allows in a round. Its quote sits in price
//! priority inside the perp's book ([`PerpBook`]): a liquidation order that walks the book down
//! to the arbitrageur's bid fills there, so *their perp orders take the other side of
//! liquidations*. It also lifts resting perp quotes that have moved beyond its level (after a
//! cross-impact shift). Every perp lot it buys it sells on the index constituents' spot books (and
//! the reverse), spread by index weight; those sales walk the spot books, move the index, and
//! through the venue's mark rule reach every position marked on it. With zero capacity nothing
//! of this happens and the index moves with the exogenous path only.
//!
//! The ledger books every liquidation fill against the book's makers; the arbitrageur's share is
//! moved from the makers to the arbitrageur after the round ([`crate::ledger::Workspace`]), at the
//! exact fill values, so money and open interest are conserved with the arbitrageur as a holder.

use liq_domain::Side;
use liq_impact::{Fill, ImpactModel, PriceImpact};

/// The arbitrageur's resting quote in one perp market for the current round, and what it filled.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ArbQuote {
    pub bid_tick: i64,
    pub bid_lots: i64,
    pub ask_tick: i64,
    pub ask_lots: i64,
    /// Lots the arbitrageur bought / sold this round and their value in lot-ticks.
    pub bought_lots: i64,
    pub bought_value: i128,
    pub sold_lots: i64,
    pub sold_value: i128,
}

/// A perpetual's book with the arbitrageur's quote in price priority.
#[derive(Debug, Clone)]
pub struct PerpBook {
    pub(crate) book: ImpactModel,
    pub(crate) quote: ArbQuote,
    /// Tick of the last trade (the mark rules' "last price").
    pub(crate) last_tick: f64,
}

impl PerpBook {
    pub(crate) fn new(book: ImpactModel) -> PerpBook {
        let last_tick = book.mid_ticks();
        PerpBook { book, quote: ArbQuote::default(), last_tick }
    }

    /// Restores the start of a run from `base` (O(levels walked) for L2 books).
    pub(crate) fn restore_from(&mut self, base: &ImpactModel) {
        self.book.restore_from(base);
        self.quote = ArbQuote::default();
        self.last_tick = base.mid_ticks();
    }

    /// The arbitrageur takes up to its quote's lots at its tick (the part of a walk it stands in).
    fn take_quote(&mut self, side: Side, lots: i64) -> Fill {
        let q = &mut self.quote;
        let (tick, avail) = match side {
            Side::Sell => (q.bid_tick, &mut q.bid_lots),
            Side::Buy => (q.ask_tick, &mut q.ask_lots),
        };
        let n = lots.min(*avail).max(0);
        if n == 0 {
            return Fill::default();
        }
        *avail -= n;
        let value = n as i128 * tick as i128;
        match side {
            Side::Sell => {
                q.bought_lots += n;
                q.bought_value += value;
            }
            Side::Buy => {
                q.sold_lots += n;
                q.sold_value += value;
            }
        }
        Fill { filled_lots: n, value_lot_ticks: value, last_tick: Some(tick) }
    }
}

fn combine(a: Fill, b: Fill) -> Fill {
    Fill {
        filled_lots: a.filled_lots + b.filled_lots,
        value_lot_ticks: a.value_lot_ticks + b.value_lot_ticks,
        last_tick: b.last_tick.or(a.last_tick),
    }
}

impl PriceImpact for PerpBook {
    fn execute(&mut self, side: Side, lots: i64, limit_tick: i64) -> Fill {
        let q = self.quote;
        // Price priority: makers better than the arbitrageur's level first, then the arbitrageur,
        // then the makers beyond it.
        let fill = match side {
            Side::Sell if q.bid_lots > 0 && q.bid_tick >= limit_tick.max(1) => {
                let f1 = self.book.execute(side, lots, limit_tick.max(q.bid_tick + 1));
                let f2 = self.take_quote(side, lots - f1.filled_lots);
                let f = combine(f1, f2);
                let rest = lots - f.filled_lots;
                if rest > 0 {
                    combine(f, self.book.execute(side, rest, limit_tick))
                } else {
                    f
                }
            }
            Side::Buy if q.ask_lots > 0 && q.ask_tick <= limit_tick => {
                let f1 = self.book.execute(side, lots, limit_tick.min(q.ask_tick - 1));
                let f2 = self.take_quote(side, lots - f1.filled_lots);
                let f = combine(f1, f2);
                let rest = lots - f.filled_lots;
                if rest > 0 {
                    combine(f, self.book.execute(side, rest, limit_tick))
                } else {
                    f
                }
            }
            _ => self.book.execute(side, lots, limit_tick),
        };
        if let Some(t) = fill.last_tick {
            self.last_tick = t as f64;
        }
        fill
    }
    fn mid_ticks(&self) -> f64 {
        self.book.mid_ticks()
    }
    fn quote_ticks(&self) -> (f64, f64) {
        self.book.quote_ticks()
    }
    fn exhausted(&self) -> Option<Side> {
        self.book.exhausted()
    }
    fn shift(&mut self, rel: f64) {
        self.book.shift(rel);
    }
    fn recover(&mut self, dt_s: f64) {
        self.book.recover(dt_s);
    }
    fn set_depth_multiplier(&mut self, multiplier: f64) {
        self.book.set_depth_multiplier(multiplier);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::{BookSpec, L2Level, MarketSpec, RiskLadder};

    fn book() -> ImpactModel {
        let market = MarketSpec {
            symbol: "T".into(),
            tick_size: 1.0,
            lot_size: 1.0,
            index_price: 100.0,
            mark_price: 100.0,
            ladder: RiskLadder::from_caps(&[(1e9, 0.01, 50.0)]).unwrap(),
            liquidation_fee_rate: 0.0,
            taker_fee_rate: 0.0,
        };
        let bids = (1..=10).map(|i| L2Level { price: 100.0 - i as f64, qty: 1.0 }).collect();
        let asks = (1..=10).map(|i| L2Level { price: 100.0 + i as f64, qty: 1.0 }).collect();
        ImpactModel::Book(
            liq_impact::book::L2Book::from_spec(
                &BookSpec::Levels { bids, asks },
                &market,
                100.0,
                f64::INFINITY,
            )
            .unwrap(),
        )
    }

    /// Hand-worked: makers bid 1 lot at each of 99…90; the arbitrageur bids 3 lots at 96. A sell
    /// of 8 lots fills 99, 98, 97 (makers, 3 lots), 96 × 3 (arbitrageur), then 96, 95 (makers):
    /// value 99+98+97 + 3·96 + 96+95 = 773; the arbitrageur holds 3 lots at 288.
    #[test]
    fn liquidation_walk_meets_the_arbitrageur_in_price_priority() {
        let mut p = PerpBook::new(book());
        p.quote = ArbQuote { bid_tick: 96, bid_lots: 3, ask_tick: 0, ask_lots: 0, ..Default::default() };
        let f = p.execute(Side::Sell, 8, 1);
        assert_eq!(f.filled_lots, 8);
        assert_eq!(f.value_lot_ticks, 773);
        assert_eq!(f.last_tick, Some(95));
        assert_eq!((p.quote.bought_lots, p.quote.bought_value), (3, 288));
        assert_eq!(p.last_tick, 95.0);
    }

    /// A limit above the arbitrageur's level never reaches it.
    #[test]
    fn limit_above_the_quote_leaves_it() {
        let mut p = PerpBook::new(book());
        p.quote = ArbQuote { bid_tick: 96, bid_lots: 3, ..Default::default() };
        let f = p.execute(Side::Sell, 8, 97);
        assert_eq!(f.filled_lots, 3);
        assert_eq!(p.quote.bought_lots, 0);
    }
}
