//! The bounds of `liq_abm::config::limits` are safe to run at (issue 14): a market with every
//! work-sizing knob at its limit simulates a few seconds in bounded time and memory, where the
//! patches beyond them hung or aborted.

use liq_abm::config::limits;
use std::time::{Duration, Instant};

#[test]
fn a_market_at_the_bounds_runs_in_bounded_time() {
    let mut c = liq_abm::default_config();
    c.arbitrageur.wake_ms = limits::MIN_PERIOD_MS;
    c.noise.limit_rate_per_s = limits::MAX_RATE_PER_S;
    // 16/s × 8^1.988 ≈ 996 market orders per second at the volatility clamp (by hand).
    c.noise.vol_activity_exponent = 1.988;
    c.validate().unwrap();
    let t0 = Instant::now();
    let events = liq_abm::run::run_abm_events(&c, 1, 5.0).unwrap();
    // ≥ 5,000 arbitrageur wake-ups and ≈ 5,000 noise limit orders in five simulated seconds.
    assert!(events > 10_000, "{events} events");
    assert!(t0.elapsed() < Duration::from_secs(60), "{:?}", t0.elapsed());
}
