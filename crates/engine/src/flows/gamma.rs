//! Options dealers' delta hedge: Black-76 Greeks with a flat volatility on the dealers' net
//! options book, hedged on the perp at a fixed interval.
//!
//! Black-76 prices an option on a forward F; the perp's mark stands for F (a perpetual has no
//! expiry basis to speak of over an options' life of days to months) and the discount factor is
//! taken as 1 (r = 0: USD rates over a few weeks change a delta by far less than the vol does),
//! so `d1 = (ln(F/K) + σ²T/2) / (σ√T)`, call delta `N(d1)`, put delta `N(d1) − 1`, gamma
//! `φ(d1) / (F σ √T)` for both (Black 1976, J. Financial Economics 3, 167–179).
//!
//! The dealers hold `−hedge_ratio × Σ sign·OI·delta` of the underlying: short options (short
//! gamma) make that hedge fall with the price, so dealers sell into falls and buy into rises.

use liq_domain::{OptionOpenInterest, OptionType};
use statrs::function::erf::erfc;

/// Standard normal CDF.
fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal density.
fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

fn d1(f: f64, k: f64, t: f64, vol: f64) -> f64 {
    ((f / k).ln() + 0.5 * vol * vol * t) / (vol * t.sqrt())
}

/// Black-76 delta (r = 0) of one option on one unit of the underlying. At or after expiry the
/// option is its intrinsic payoff's delta (1 or 0 for a call, −1 or 0 for a put).
pub fn black76_delta(option_type: OptionType, f: f64, k: f64, t: f64, vol: f64) -> f64 {
    if t <= 0.0 {
        return match option_type {
            OptionType::Call => f64::from(u8::from(f > k)),
            OptionType::Put => -f64::from(u8::from(f < k)),
        };
    }
    let n = norm_cdf(d1(f, k, t, vol));
    match option_type {
        OptionType::Call => n,
        OptionType::Put => n - 1.0,
    }
}

/// Black-76 gamma (r = 0): `φ(d1) / (F σ √T)`, the same for calls and puts.
pub fn black76_gamma(f: f64, k: f64, t: f64, vol: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    norm_pdf(d1(f, k, t, vol)) / (f * vol * t.sqrt())
}

/// The dealers' options delta (units of the underlying) at price `f`, `elapsed_years` after the
/// start, over the rows of one market.
pub fn dealer_delta<'a>(
    rows: impl Iterator<Item = &'a OptionOpenInterest>,
    f: f64,
    elapsed_years: f64,
    vol: f64,
) -> f64 {
    rows.map(|o| {
        let t = o.expiry_years - elapsed_years;
        f64::from(o.dealer_sign) * o.open_interest * black76_delta(o.option_type, f, o.strike, t, vol)
    })
    .sum()
}

/// The dealers' options gamma (units of the underlying per USD) at price `f`.
pub fn dealer_gamma<'a>(
    rows: impl Iterator<Item = &'a OptionOpenInterest>,
    f: f64,
    elapsed_years: f64,
    vol: f64,
) -> f64 {
    rows.map(|o| {
        let t = o.expiry_years - elapsed_years;
        f64::from(o.dealer_sign) * o.open_interest * black76_gamma(f, o.strike, t, vol)
    })
    .sum()
}

/// The dealers' hedge adjustment, lots: from `held_lots` to the target `−hedge_ratio × delta`
/// (`delta` = [`dealer_delta`], units of the underlying), or `None` when it rounds to zero lots
/// or is worth less than `min_trade_usd` at `mark`. The cascade's dealers and the ABM's dealer
/// agent both trade this.
pub fn hedge_gap_lots(
    hedge_ratio: f64,
    delta: f64,
    held_lots: i64,
    lot: f64,
    mark: f64,
    min_trade_usd: f64,
) -> Option<i64> {
    let gap = -hedge_ratio * delta - held_lots as f64 * lot;
    let lots = (gap / lot).round().clamp(-1e15, 1e15) as i64;
    (lots != 0 && (lots as f64 * lot * mark).abs() >= min_trade_usd).then_some(lots)
}

/// Seconds per year for time to expiry (Deribit quotes on a 365-day year).
pub const SECONDS_PER_YEAR: f64 = 365.0 * 86_400.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_cdf_matches_tables() {
        // Φ(1) = 0.841344746, Φ(−1.96) = 0.024997895 (standard normal tables).
        assert!((norm_cdf(1.0) - 0.841_344_746).abs() < 1e-9);
        assert!((norm_cdf(-1.96) - 0.024_997_895).abs() < 1e-9);
    }

    #[test]
    fn at_the_money_gamma_is_the_closed_form() {
        // Hand-worked: F = K = 100, σ = 0.5, T = 0.25 → σ√T = 0.25, d1 = 0.125,
        // φ(0.125) = exp(−0.0078125)/√(2π) = 0.3958377, Γ = 0.3958377 / (100 × 0.25) = 0.01583351.
        let g = black76_gamma(100.0, 100.0, 0.25, 0.5);
        assert!((g - 0.015_833_51).abs() < 1e-8, "{g}");
        // Put-call parity of deltas: call − put = 1 (r = 0).
        let c = black76_delta(OptionType::Call, 90.0, 100.0, 0.25, 0.5);
        let p = black76_delta(OptionType::Put, 90.0, 100.0, 0.25, 0.5);
        assert!((c - p - 1.0).abs() < 1e-12);
    }
}
