//! Square-root law against its closed form, with hand-worked numbers.
//!
//! Set-up: P₀ = 50,000 USD = 500,000 ticks of 0.1; lot 0.001 → one lot is $50 at P₀;
//! Y = 1, σ = 0.02, δ = 0.5, V = $1e9. 200,000 lots = $1e7 = 0.01·V.

mod common;

use common::market;
use liq_domain::{Side, SquareRootParams};
use liq_impact::sqrt_law::SquareRootImpact;
use liq_impact::{Fill, PriceImpact};

fn model(tau_s: f64) -> SquareRootImpact {
    let p = SquareRootParams { y: 1.0, delta: 0.5, daily_volatility: 0.02, daily_volume_usd: 1e9 };
    SquareRootImpact::new(&p, &market(0.1, 0.001, 50_000.0), 50_000.0, tau_s).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

#[test]
fn buy_of_one_percent_of_volume_moves_point_two_percent() {
    let mut m = model(f64::INFINITY);
    let f = m.execute(Side::Buy, 200_000, i64::MAX);
    // ΔP/P = 1 · 0.02 · √0.01 = 0.002 → mid 501,000 ticks.
    assert!(close(m.mid_ticks(), 501_000.0), "{}", m.mid_ticks());
    // Average of the curve = 0.002 / (δ + 1) = 0.001333… → 500,666.67 → 500,667.
    assert_eq!(
        f,
        Fill { filled_lots: 200_000, value_lot_ticks: 200_000 * 500_667, last_tick: Some(500_667) }
    );
    assert!(close(m.flow_usd(), 1e7));
}

#[test]
fn sell_is_symmetric() {
    let mut m = model(f64::INFINITY);
    let f = m.execute(Side::Sell, 200_000, 0);
    assert!(close(m.mid_ticks(), 499_000.0));
    // 500,000 · (1 − 0.001333…) = 499,333.33 → 499,333.
    assert_eq!(f.last_tick, Some(499_333));
    // Buying it back brings the flow, and the mid, back to the start.
    m.execute(Side::Buy, 200_000, i64::MAX);
    assert!(close(m.mid_ticks(), 500_000.0));
}

#[test]
fn limit_caps_the_marginal_price() {
    let mut m = model(f64::INFINITY);
    // Limit 500,500 = +0.1%: flow at which s = 0.001 is V·(0.001/0.02)² = $2.5e6 = 50,000 lots.
    let f = m.execute(Side::Buy, 200_000, 500_500);
    assert_eq!(f.filled_lots, 50_000);
    // Average 0.001/1.5 → 500,333.33 → 500,333.
    assert_eq!(f.last_tick, Some(500_333));
    assert!(close(m.mid_ticks(), 500_500.0));
    // At the limit already: nothing more fills.
    assert_eq!(m.execute(Side::Buy, 10, 500_500).filled_lots, 0);
}

#[test]
fn sell_limit_from_an_impacted_state() {
    let mut m = model(f64::INFINITY);
    m.execute(Side::Buy, 200_000, i64::MAX); // flow $1e7, mid 501,000
                                             // Selling down to 500,500 brings the flow to $2.5e6: room $7.5e6 = 150,000 lots.
    let f = m.execute(Side::Sell, 1_000_000, 500_500);
    assert_eq!(f.filled_lots, 150_000);
    // F(x) = 0.02·1e9/1.5·(x/1e9)^1.5: F(1e7) = 13,333.33, F(2.5e6) = 1,666.67;
    // average move 11,666.67 / 7.5e6 = 0.00155556 → 500,777.78 → 500,778.
    assert_eq!(f.last_tick, Some(500_778));
    assert!(close(m.mid_ticks(), 500_500.0));
}

#[test]
fn flow_decays_with_resilience() {
    let mut m = model(60.0);
    m.execute(Side::Buy, 200_000, i64::MAX);
    m.recover(60.0);
    // Flow $1e7·e^-1: move 0.002·e^-0.5 = 0.00121306 → 500,606.53 ticks.
    assert!(close(m.flow_usd(), 1e7 * (-1.0f64).exp()));
    assert!((m.mid_ticks() - 500_606.53).abs() < 0.01, "{}", m.mid_ticks());
    let mut instant = model(0.0);
    instant.execute(Side::Buy, 200_000, i64::MAX);
    instant.recover(1.0);
    assert_eq!(instant.mid_ticks(), 500_000.0);
}

#[test]
fn withdrawal_shrinks_volume() {
    let mut m = model(f64::INFINITY);
    m.set_depth_multiplier(0.25);
    m.execute(Side::Buy, 200_000, i64::MAX);
    // Q/V = 1e7 / 2.5e8 = 0.04: move 0.02·0.2 = 0.004 → 502,000.
    assert!(close(m.mid_ticks(), 502_000.0));
    // NaN is ignored; 0 is floored at a tiny positive multiplier rather than dividing by zero.
    m.set_depth_multiplier(f64::NAN);
    assert!(close(m.mid_ticks(), 502_000.0));
    m.set_depth_multiplier(0.0);
    assert!(m.mid_ticks().is_finite());
}

#[test]
fn shift_moves_the_reference() {
    let mut m = model(f64::INFINITY);
    m.shift(0.01);
    assert!(close(m.mid_ticks(), 505_000.0));
    m.shift(-2.0);
    assert_eq!(m.mid_ticks(), 0.0);
    // Prices at or below zero do not fill sells.
    assert_eq!(m.execute(Side::Sell, 1, 0), Fill::default());
}
