//! Bounds on the knobs that size the simulation's work (issue 14: a subnormal `wake_ms` and a
//! huge `vol_activity_exponent` hung `abm`, a huge `limit_rate_per_s` aborted on allocation).
//! The scheduler's clock counts nanoseconds and an agent reschedules itself after each event,
//! so a period that rounds to zero, or a rate so high that its waiting time does, fires the
//! same agent at the same instant for ever; and every order posted lives in the book's node
//! arena, so the event rate also sizes memory.

use super::{err, non_neg, AbmConfig, ConfigError};

/// Shortest period of a clocked agent or process (`*_ms`): 1 ms, the resolution of Binance's
/// event and transaction times, below which no market data calibrates an agent.
pub const MIN_PERIOD_MS: f64 = 1.0;
/// Highest peak rate of one order stream, per second: 1,000, sixty times the BTCUSDT
/// capture's taker rate (16/s). For noise market orders the peak is `market_rate_per_s ×
/// 8^vol_activity_exponent` (the volatility ratio is clamped to 8 in the intensity), so the
/// exponent is bounded through it.
pub const MAX_RATE_PER_S: f64 = 1_000.0;
/// Most agents of one kind (makers, momentum traders, leveraged traders, noise accounts):
/// one million, thirty times the default population of leveraged traders.
pub const MAX_AGENTS: usize = 1_000_000;
/// Most quote levels per maker side, stop orders per cluster, stop clusters, concurrent
/// metaorders: 1,000 (the defaults are 16, 20, 5 and 3). Each is work per event.
pub const MAX_PER_AGENT: usize = 1_000;
/// Shortest mean waiting time in seconds (momentum wake-ups, execution child orders):
/// [`MIN_PERIOD_MS`] in seconds.
pub const MIN_MEAN_WAIT_S: f64 = MIN_PERIOD_MS * 1e-3;
/// Highest value of one lot at the top of the price window, USD: 100,000 (BTCUSDT's lot,
/// 0.001 BTC, is about $60). With every lot count at most [`MAX_LOTS`], one trade is worth
/// at most $1e12 = 1e18 micro-dollars, inside the ledger's `i64` with 9× headroom; a
/// `lot_size` of 1e12 overflowed the ledger's `lots × ticks × micro-dollars` (a fuzz find).
pub const MAX_LOT_VALUE_USD: f64 = 1e5;
/// Most lots of any size, cap or inventory knob: ten million (the largest default, the
/// arbitrageur's inventory cap, is five million).
pub const MAX_LOTS: f64 = 1e7;
/// Largest money knob (insurance fund, median leveraged notional), USD: 1e12, the same
/// headroom argument as [`MAX_LOT_VALUE_USD`].
pub const MAX_USD: f64 = 1e12;

fn period_ms(field: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v >= MIN_PERIOD_MS {
        Ok(())
    } else {
        Err(err(field, format!("must be a period of at least {} ms, got {v}", MIN_PERIOD_MS)))
    }
}

fn wait_s(field: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v >= MIN_MEAN_WAIT_S {
        Ok(())
    } else {
        Err(err(field, format!("must be at least {} s, got {v}", MIN_MEAN_WAIT_S)))
    }
}

fn rate(field: &str, v: f64) -> Result<(), ConfigError> {
    non_neg(field, v)?;
    if v > MAX_RATE_PER_S {
        return Err(err(field, format!("must be at most {} per second, got {v}", MAX_RATE_PER_S)));
    }
    Ok(())
}

/// `x` is a number no larger than `max` (false for NaN).
fn finite_at_most(x: f64, max: f64) -> bool {
    x.is_finite() && x <= max
}

fn at_most(field: &str, v: usize, max: usize) -> Result<(), ConfigError> {
    if v <= max {
        Ok(())
    } else {
        Err(err(field, format!("must be at most {max}, got {v}")))
    }
}

impl AbmConfig {
    /// The bounds of [`limits`]: periods, rates and counts that size the simulation's work.
    pub(super) fn validate_work(&self) -> Result<(), ConfigError> {
        use self::{MAX_AGENTS, MAX_PER_AGENT, MAX_RATE_PER_S};
        period_ms("index.dt_ms", self.index.dt_ms)?;
        period_ms("mark_dt_ms", self.mark_dt_ms)?;
        period_ms("makers.requote_ms", self.makers.requote_ms)?;
        period_ms("arbitrageur.wake_ms", self.arbitrageur.wake_ms)?;
        wait_s("momentum.wake_mean_s", self.momentum.wake_mean_s)?;
        wait_s("execution.child_interval_s", self.execution.child_interval_s)?;
        // A Hawkes kernel decaying in 5e-324 s excites the next order at the same nanosecond
        // without end (a fuzz find, a hang).
        for (k, d) in self.noise.hawkes_decays_s.iter().enumerate() {
            wait_s(&format!("noise.hawkes_decays_s[{k}]"), *d)?;
        }
        // 0 = a liquidated trader does not come back; otherwise a real waiting time.
        if self.leveraged.reentry_mean_s != 0.0 {
            wait_s("leveraged.reentry_mean_s", self.leveraged.reentry_mean_s)?;
        }
        let n = &self.noise;
        rate("noise.market_rate_per_s", n.market_rate_per_s)?;
        rate("noise.limit_rate_per_s", n.limit_rate_per_s)?;
        rate("execution.arrivals_per_hour", self.execution.arrivals_per_hour / 3_600.0)
            .map_err(|e| err(&e.field, format!("{} (as a rate per second)", e.message)))?;
        non_neg("noise.vol_activity_exponent", n.vol_activity_exponent)?;
        let peak = n.market_rate_per_s * 8f64.powf(n.vol_activity_exponent);
        if !finite_at_most(peak, MAX_RATE_PER_S) {
            return Err(err(
                "noise.vol_activity_exponent",
                format!(
                    "market_rate_per_s × 8^exponent = {peak} orders per second at the volatility clamp, \
                     above {MAX_RATE_PER_S}"
                ),
            ));
        }
        let m = &self.market;
        let lot_value = m.lot_size * m.initial_price * (1.0 + m.price_window);
        if !finite_at_most(lot_value, MAX_LOT_VALUE_USD) {
            return Err(err(
                "market.lot_size",
                format!(
                    "one lot is worth {lot_value} USD at the top of the price window, above {}",
                    MAX_LOT_VALUE_USD
                ),
            ));
        }
        let lots: [(&str, f64); 11] = [
            ("makers.size_lots", self.makers.size_lots as f64),
            ("makers.max_inventory_lots", self.makers.max_inventory_lots as f64),
            ("noise.size_cap_lots", n.size_cap_lots as f64),
            ("momentum.max_position_lots", self.momentum.max_position_lots as f64),
            ("momentum.min_trade_lots", self.momentum.min_trade_lots as f64),
            ("execution.size_min_lots", self.execution.size_min_lots),
            ("execution.size_cap_lots", self.execution.size_cap_lots as f64),
            ("arbitrageur.clip_lots", self.arbitrageur.clip_lots as f64),
            ("arbitrageur.max_inventory_lots", self.arbitrageur.max_inventory_lots as f64),
            ("stops.order_lots", self.stops.order_lots as f64),
            ("insurance_fund_unwind_lots_per_s", self.insurance_fund_unwind_lots_per_s),
        ];
        for (field, v) in lots {
            if !finite_at_most(v.abs(), MAX_LOTS) {
                return Err(err(field, format!("must be at most {} lots, got {v}", MAX_LOTS)));
            }
        }
        for (field, v) in [
            ("insurance_fund_usd", self.insurance_fund_usd),
            ("leveraged.notional_median_usd", self.leveraged.notional_median_usd),
        ] {
            if !finite_at_most(v.abs(), MAX_USD) {
                return Err(err(field, format!("must be at most {} USD, got {v}", MAX_USD)));
            }
        }
        // The market's shape: a price of at least ten ticks (a tick of 1.7e308 left the book's
        // price window empty, a fuzz find), and a symbol whose risk-limit ladder is published.
        if !(m.tick_size > 0.0 && m.initial_price / m.tick_size >= 10.0) {
            return Err(err(
                "market.tick_size",
                format!(
                    "the initial price {} must be at least ten ticks of {}",
                    m.initial_price, m.tick_size
                ),
            ));
        }
        if liq_margin::binance_brackets(&m.symbol).is_none() {
            return Err(err("market.symbol", format!("no published risk-limit ladder for {:?}", m.symbol)));
        }
        // Leveraged positions: notional median × e^(σ·z), margin × (1 + top-up × Exp(1)). A
        // draw six standard deviations out with a top-up twenty means out (probability about
        // 1e-9 and 2e-9 per trader) must still be worth at most MAX_USD; σ = 1.7e308 and a
        // top-up mean of 1e308 overflowed the ledger (fuzz finds).
        let l = &self.leveraged;
        let worst = l.notional_median_usd * (6.0 * l.notional_sigma).exp() * (1.0 + 20.0 * l.topup_mean);
        if !finite_at_most(worst, MAX_USD) {
            return Err(err(
                "leveraged.notional_sigma",
                format!(
                    "notional_median_usd × e^(6 notional_sigma) × (1 + 20 topup_mean) = {worst} USD, above {}",
                    MAX_USD
                ),
            ));
        }
        // Entry prices p0 × (1 + dispersion × z): a 6σ entry stays inside the price window.
        if !finite_at_most(6.0 * l.entry_dispersion, m.price_window) {
            return Err(err(
                "leveraged.entry_dispersion",
                format!(
                    "must be at most price_window / 6 = {}, got {}",
                    m.price_window / 6.0,
                    l.entry_dispersion
                ),
            ));
        }
        at_most("makers.count", self.makers.count, MAX_AGENTS)?;
        at_most("noise.accounts", n.accounts, MAX_AGENTS)?;
        at_most("momentum.count", self.momentum.count, MAX_AGENTS)?;
        at_most("leveraged.count", self.leveraged.count, MAX_AGENTS)?;
        at_most("makers.levels", self.makers.levels, MAX_PER_AGENT)?;
        at_most("stops.orders_per_cluster", self.stops.orders_per_cluster, MAX_PER_AGENT)?;
        at_most("stops.distances", self.stops.distances.len(), MAX_PER_AGENT)?;
        at_most("noise.metaorders_active", n.metaorders_active, MAX_PER_AGENT)?;
        Ok(())
    }
}
