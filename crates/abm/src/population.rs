//! The populations placed at t = 0 and their comings and goings: leveraged traders' positions
//! (drawn from the configured notional, leverage and top-up laws, opened against the outside
//! world at dispersed entry prices), their re-entry after a liquidation, and the stop-loss
//! clusters resting in the book.

use crate::book::{NewOrder, OrderKind};
use crate::config::LeveragedCfg;
use crate::sched::Nanos;
use crate::sim::{Msg, Sim, LEGACY};
use liq_domain::{MarketSpec, Side};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// One leveraged trader's position as drawn: side, notional (USD) and margin as a fraction of the
/// notional (1 / leverage × (1 + top-up)).
pub(crate) struct PositionDraw {
    long: bool,
    notional: f64,
    margin_fraction: f64,
}

/// Draws a position from the leveraged population's laws: log-normal notional, log-normal chosen
/// leverage capped by the risk-limit tier, exponential top-up of the initial margin.
pub(crate) fn draw_position(c: &LeveragedCfg, spec: &MarketSpec, rng: &mut ChaCha8Rng) -> PositionDraw {
    let long = rng.random::<f64>() < c.long_fraction;
    let z: f64 = StandardNormal.sample(rng);
    let notional = c.notional_median_usd * (c.notional_sigma * z).exp();
    let z: f64 = StandardNormal.sample(rng);
    let lev = (c.leverage_median * (c.leverage_log_sigma * z).exp())
        .clamp(1.0, spec.ladder.tier(notional).max_leverage);
    let topup = -(1.0 - rng.random::<f64>()).ln() * c.topup_mean;
    PositionDraw { long, notional, margin_fraction: (1.0 + topup) / lev }
}

impl Sim<'_> {
    /// Leveraged takers open their positions against the legacy holder at their entry prices.
    pub(crate) fn open_leveraged(&mut self) {
        let c = &self.cfg.leveraged;
        let mut rng_owned = self.pop_rng.clone();
        let rng = &mut rng_owned;
        let p0 = self.cfg.market.initial_price;
        for a in self.layout.leveraged.clone() {
            let d = draw_position(c, &self.spec, rng);
            let z2: f64 = StandardNormal.sample(rng);
            let mut entry = p0 * (1.0 + c.entry_dispersion * z2);
            let lots = self.spec.lots(d.notional / entry).max(1);
            // A position already within 0.5 % of its trigger at the start would be liquidated at
            // t = 0 by construction, not by the market: open it at the initial price instead.
            let mm_rate = self.spec.ladder.tier(d.notional).mmr;
            let dist = if d.long { (p0 - entry) / entry } else { (entry - p0) / entry };
            if -dist > d.margin_fraction - mm_rate - 0.005 {
                entry = p0;
            }
            let long = d.long;
            let ticks = self.spec.ticks(entry);
            let margin = (lots as f64 * self.spec.lot_size * entry * d.margin_fraction * 1e6).round() as i64;
            self.ledger.cash[a as usize] = margin;
            self.ledger.cash[LEGACY as usize] -= margin;
            if long {
                self.ledger.trade_at(a, LEGACY, lots, ticks);
            } else {
                self.ledger.trade_at(LEGACY, a, lots, ticks);
            }
        }
        self.pop_rng = rng_owned;
    }

    /// A liquidated trader deposits new margin (from the legacy holder, which stands for the
    /// outside world) and sends an IOC order for a new position, limited 20 bp through the mid.
    pub(crate) fn reopen(&mut self, a: u32) {
        let c = &self.cfg.leveraged;
        if self.ledger.pos[a as usize] != 0 {
            return;
        }
        let rng = &mut self.pop_rng;
        let PositionDraw { long, notional, margin_fraction } = draw_position(c, &self.spec, rng);
        let j = if c.latency.jitter_us > 0.0 { rng.random::<f64>() * c.latency.jitter_us } else { 0.0 };
        let delay = ((c.latency.fixed_us + j) * 1e3) as Nanos;
        let mid = self.mid();
        let lots = self.spec.lots(notional / mid).max(1);
        // Margin for the position at the limit price plus the 20 bp of slippage the limit allows.
        let margin = (notional * margin_fraction + notional * 0.002) * 1e6;
        let margin = (margin.round() as i64).max(1);
        let cash = self.ledger.cash[a as usize];
        if cash < margin {
            self.ledger.transfer(LEGACY, a, margin - cash);
        }
        let (side, price) = if long {
            (Side::Buy, self.spec.ticks(mid * 1.002))
        } else {
            (Side::Sell, self.spec.ticks(mid * 0.998))
        };
        let o = NewOrder::new(a, side, OrderKind::Ioc, price, lots);
        self.send(0, Msg::Submit { agent: u32::MAX, order: o, lifetime: 0 }, delay);
    }

    /// Stop accounts buy (sell) their position from the legacy holder and rest a stop below
    /// (above) the initial price, at a round 10-USD level.
    pub(crate) fn place_stops(&mut self) {
        let c = &self.cfg.stops;
        let p0 = self.cfg.market.initial_price;
        let mut a = self.layout.stops.start;
        let p0t = self.spec.ticks(p0);
        for &d in &c.distances {
            for side in [Side::Sell, Side::Buy] {
                let sign = if side == Side::Sell { -1.0 } else { 1.0 };
                let trig = self.spec.ticks(((p0 * (1.0 + sign * d)) / 10.0).round() * 10.0);
                for _ in 0..c.orders_per_cluster {
                    let lots = c.order_lots;
                    let pos = if side == Side::Sell {
                        self.ledger.trade_at(a, LEGACY, lots, p0t);
                        lots
                    } else {
                        self.ledger.trade_at(LEGACY, a, lots, p0t);
                        -lots
                    };
                    let o = NewOrder {
                        owner: a,
                        side,
                        kind: OrderKind::StopMarket { trigger: trig },
                        price: 0,
                        qty: lots,
                        reduce_only: Some(pos),
                    };
                    self.ev.clear();
                    self.book.submit(o, &mut self.ev);
                    a += 1;
                }
            }
        }
    }
}
