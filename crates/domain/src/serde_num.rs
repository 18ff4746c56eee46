//! Serde for `f64`s that may be infinite or NaN, shared by every result type.
//!
//! JSON has no infinity: `serde_json` writes `f64::INFINITY` as `null` and then refuses to read
//! `null` back into an `f64`. Amplification is infinite when the first-order notional is zero
//! and something was still liquidated, a cascade/linear ratio is infinite when the linear figure
//! is zero (the insurance fund has no delta), and an order-statistic interval is unbounded above
//! when the paths are too few. Those fields go through [`finite_or_str`]: finite numbers as
//! numbers, the rest as `"inf"`, `"-inf"` or `"nan"`; reading accepts the same (and `null`, which
//! results written before this rule used for infinity, as `+inf`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `#[serde(with = "liq_domain::serde_num::finite_or_str")]` for an `f64` that may be non-finite.
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
        Null(()),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match NumOrStr::deserialize(d)? {
            NumOrStr::Num(x) => Ok(x),
            NumOrStr::Null(()) => Ok(f64::INFINITY),
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

/// [`finite_or_str`] for every element of a `Vec<f64>`.
pub mod vec_finite_or_str {
    use super::*;
    use serde::ser::SerializeSeq;

    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    pub(super) struct Num(#[serde(with = "super::finite_or_str")] pub(super) f64);

    pub fn serialize<S: Serializer>(xs: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(xs.len()))?;
        for &x in xs {
            seq.serialize_element(&Num(x))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<Num>::deserialize(d)?.into_iter().map(|n| n.0).collect())
    }
}

/// [`finite_or_str`] for every element of a matrix (`Vec<Vec<f64>>`).
pub mod matrix_finite_or_str {
    use super::vec_finite_or_str::Num;
    use super::*;
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(rows: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(rows.len()))?;
        for row in rows {
            let row: Vec<Num> = row.iter().map(|&x| Num(x)).collect();
            seq.serialize_element(&row)?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        Ok(Vec::<Vec<Num>>::deserialize(d)?
            .into_iter()
            .map(|r| r.into_iter().map(|n| n.0).collect())
            .collect())
    }
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
        for (x, text) in
            [(2.5, r#"{"x":2.5}"#), (f64::INFINITY, r#"{"x":"inf"}"#), (f64::NEG_INFINITY, r#"{"x":"-inf"}"#)]
        {
            let s = serde_json::to_string(&R { x }).unwrap();
            assert_eq!(s, text);
            assert_eq!(serde_json::from_str::<R>(&s).unwrap().x, x);
        }
        let s = serde_json::to_string(&R { x: f64::NAN }).unwrap();
        assert!(serde_json::from_str::<R>(&s).unwrap().x.is_nan());
        assert!(serde_json::from_str::<R>(r#"{"x":"lots"}"#).is_err());
        assert_eq!(serde_json::from_str::<R>(r#"{"x":null}"#).unwrap().x, f64::INFINITY);
    }

    #[derive(Serialize, Deserialize, Debug)]
    struct M {
        #[serde(with = "super::vec_finite_or_str")]
        v: Vec<f64>,
        #[serde(with = "super::matrix_finite_or_str")]
        m: Vec<Vec<f64>>,
    }

    #[test]
    fn vectors_and_matrices_round_trip_non_finite() {
        let x = M { v: vec![1.5, f64::INFINITY], m: vec![vec![0.25, f64::NEG_INFINITY], vec![]] };
        let s = serde_json::to_string(&x).unwrap();
        assert_eq!(s, r#"{"v":[1.5,"inf"],"m":[[0.25,"-inf"],[]]}"#);
        let y: M = serde_json::from_str(&s).unwrap();
        assert_eq!(y.v, x.v);
        assert_eq!(y.m, x.m);
    }
}
