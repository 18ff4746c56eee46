//! Serde helpers for ratios that may be infinite.
//!
//! JSON has no infinity: `serde_json` writes `f64::INFINITY` as `null` and then refuses to read
//! `null` back into an `f64`. Amplification is infinite when the first-order notional is zero
//! and something was still liquidated, and a cascade/linear ratio is infinite when the linear
//! figure is zero (the insurance-fund portfolio has no delta), so those fields go through
//! [`finite_or_str`]: finite numbers as numbers, the rest as `"inf"`, `"-inf"` or `"nan"`.
//!
//! The other direction, numbers too large to draw: [`check_magnitudes`] refuses a result JSON
//! holding any number beyond ±[`MAX_MAGNITUDE`] before it is deserialised.

use serde::{Deserialize, Deserializer, Serializer};

/// `#[serde(with = "crate::num::finite_or_str")]` for an `f64` that may be non-finite.
pub mod finite_or_str {
    use super::*;

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else if x.is_nan() {
            s.serialize_str("nan")
        } else if *x > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        Num(f64),
        Str(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match NumOrStr::deserialize(d)? {
            NumOrStr::Num(x) => Ok(x),
            NumOrStr::Str(s) => match s.as_str() {
                "inf" | "+inf" | "infinity" => Ok(f64::INFINITY),
                "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
                "nan" | "NaN" => Ok(f64::NAN),
                other => Err(serde::de::Error::custom(format!(
                    "expected a number, \"inf\", \"-inf\" or \"nan\", got \"{other}\""
                ))),
            },
        }
    }
}

/// The largest magnitude a result JSON may hold in any number but the seed: 1e15. As USD that
/// is a thousand times every crypto market together; as a price, a ratio or a time in seconds it
/// is beyond anything the engine writes. Past it the charts' axis arithmetic loses meaning
/// (±1.7e308 overflowed a range to infinity and the tick search never ended: issue 14).
pub const MAX_MAGNITUDE: f64 = 1e15;

/// Refuses a result JSON holding a number beyond ±[`MAX_MAGNITUDE`] (the `seed`, an opaque
/// integer, excepted), naming the field by its dotted path (`cascade.summary.amplification`).
pub fn check_magnitudes(v: &serde_json::Value) -> Result<(), String> {
    fn walk(v: &serde_json::Value, path: &mut String) -> Result<(), String> {
        match v {
            serde_json::Value::Number(n) => match n.as_f64() {
                Some(x) if x.abs() <= MAX_MAGNITUDE => Ok(()),
                _ if path == "meta.seed" => Ok(()),
                _ => Err(format!(
                    "field `{path}`: {n} is beyond ±{MAX_MAGNITUDE:e}, the largest magnitude a report draws"
                )),
            },
            serde_json::Value::Array(a) => a.iter().enumerate().try_for_each(|(i, x)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(x, path)?;
                path.truncate(len);
                Ok(())
            }),
            serde_json::Value::Object(o) => o.iter().try_for_each(|(k, x)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                walk(x, path)?;
                path.truncate(len);
                Ok(())
            }),
            _ => Ok(()),
        }
    }
    walk(v, &mut String::new())
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug)]
    struct R {
        #[serde(with = "super::finite_or_str")]
        x: f64,
    }

    #[test]
    fn round_trips_non_finite() {
        for (x, text) in [(2.5, r#"{"x":2.5}"#), (f64::INFINITY, r#"{"x":"inf"}"#)] {
            let s = serde_json::to_string(&R { x }).unwrap();
            assert_eq!(s, text);
            assert_eq!(serde_json::from_str::<R>(&s).unwrap().x, x);
        }
        let s = serde_json::to_string(&R { x: f64::NAN }).unwrap();
        assert!(serde_json::from_str::<R>(&s).unwrap().x.is_nan());
        assert!(serde_json::from_str::<R>(r#"{"x":"lots"}"#).is_err());
    }

    #[test]
    fn magnitudes_beyond_1e15_are_refused_by_field() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"meta":{"seed":18446744073709551615},"a":[1,{"b":-1.7e308}]}"#).unwrap();
        let e = super::check_magnitudes(&v).unwrap_err();
        assert!(e.starts_with("field `a[1].b`: -1.7e+308 is beyond ±1e15"), "{e}");
        let ok: serde_json::Value =
            serde_json::from_str(r#"{"meta":{"seed":18446744073709551615},"x":1e15}"#).unwrap();
        assert_eq!(super::check_magnitudes(&ok), Ok(()));
    }
}
