//! Number formatting shared by the HTML tables and the chart axes: USD with a scale suffix,
//! signed percentages, thousands separators, ratios that may be infinite.

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
    format!("${v:.2}{s}")
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
        assert_eq!(usd_axis(1_500_000.0), "$1.5M");
        assert_eq!(usd_axis(200_000.0), "$200k");
        assert_eq!(usd_axis(0.0), "$0");
        assert_eq!(price(99_381.9), "99,382");
        assert_eq!(price(228.671), "228.67");
        assert_eq!(pct(-0.0812), "-8.12%");
        assert_eq!(ratio(2.414), "2.41×");
        assert_eq!(ratio(f64::INFINITY), "∞");
    }
}
