//! Number formatting shared by the HTML tables and the chart axes: USD with a scale suffix,
//! signed percentages (price moves), unsigned drawdowns, thousands separators, ratios that may be
//! infinite, and the 95% intervals of the tail figures.

/// `1234567.8` → `1,234,568`.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return ratio(x);
    }
    let digits = format!("{:.0}", x.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 && digits.chars().any(|c| c != '0') {
        format!("-{out}")
    } else {
        out
    }
}

/// USD with a scale suffix and two decimals: `$12.35M`.
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return ratio(x);
    }
    let (v, s) = scaled(x);
    let t = format!("{v:.2}");
    // A sum that is zero up to rounding (or −0.0) prints as $0.00, not $-0.00.
    let t = if t == "-0.00" { "0.00" } else { t.as_str() };
    format!("${t}{s}")
}

/// `x` divided to its thousands scale, with the suffix (`k`, `M`, `B`).
fn scaled(x: f64) -> (f64, &'static str) {
    let a = x.abs();
    if a >= 1e9 {
        (x / 1e9, "B")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    }
}

/// USD for axis ticks: as short as the scale allows (`$1.5M`, `$200k`, `$0`).
pub fn usd_axis(x: f64) -> String {
    let (v, s) = scaled(x);
    let t = format!("{v:.2}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    let t = if t == "-0" { "0" } else { t };
    format!("${t}{s}")
}

/// A price: thousands separators from 1,000 up, else two to four decimals.
pub fn price(x: f64) -> String {
    if x.abs() >= 1000.0 {
        thousands(x)
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

/// Signed percentage with two decimals: `-8.12%`.
pub fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

/// A drawdown (or another magnitude) in percent without a sign: positive = a fall, so a 1.27%
/// drawdown reads `1.27%` everywhere (docs/outputs.md "Signs"); price moves use [`pct`].
pub fn drawdown(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// A 95% interval of USD figures, `$1.20M – $1.52M`; an unbounded end reads `∞`, a missing
/// interval `–`.
pub fn usd_interval(i: Option<liq_stress::interval::Interval>) -> String {
    i.map_or("–".into(), |i| format!("{} – {}", usd(i.lo), usd(i.hi)))
}

/// A 95% interval of drawdowns, `3.10% – 4.02%`.
pub fn drawdown_interval(i: Option<liq_stress::interval::Interval>) -> String {
    i.map_or("–".into(), |i| {
        let end = |x: f64| if x.is_finite() { drawdown(x) } else { ratio(x) };
        format!("{} – {}", end(i.lo), end(i.hi))
    })
}

/// A 95% interval of ratios, `1.10–1.25×`.
pub fn ratio_interval(i: liq_stress::interval::Interval) -> String {
    let end = |x: f64| if x.is_finite() { format!("{x:.2}") } else { ratio(x) };
    format!("{}–{}×", end(i.lo), end(i.hi))
}

/// A ratio: `2.41×`, or `∞` when the base was zero.
pub fn ratio(x: f64) -> String {
    if x.is_nan() {
        "n/a".into()
    } else if x.is_infinite() {
        if x > 0.0 { "∞" } else { "−∞" }.into()
    } else {
        format!("{x:.2}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(-999.0), "-999");
        assert_eq!(thousands(-0.2), "0");
        assert_eq!(usd(12_345_678.0), "$12.35M");
        assert_eq!(usd(-2_500.0), "$-2.50k");
        assert_eq!(usd(-0.0), "$0.00");
        assert_eq!(usd(-0.004), "$0.00");
        assert_eq!(usd(-0.005_1), "$-0.01");
        assert_eq!(usd_axis(1_500_000.0), "$1.5M");
        assert_eq!(usd_axis(200_000.0), "$200k");
        assert_eq!(usd_axis(0.0), "$0");
        assert_eq!(price(99_381.9), "99,382");
        assert_eq!(price(228.671), "228.67");
        assert_eq!(pct(-0.0812), "-8.12%");
        assert_eq!(ratio(2.414), "2.41×");
        assert_eq!(ratio(f64::INFINITY), "∞");
        assert_eq!(drawdown(0.0127), "1.27%");
        let i = liq_stress::interval::Interval { lo: 1.1e6, hi: f64::INFINITY };
        assert_eq!(usd_interval(Some(i)), "$1.10M – ∞");
        assert_eq!(ratio_interval(liq_stress::interval::Interval { lo: 1.1, hi: 1.254 }), "1.10–1.25×");
    }
}
