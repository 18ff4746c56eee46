//! The magnitude check of a result file read back: [`check_magnitudes`] refuses a result JSON
//! holding any number beyond ±[`MAX_MAGNITUDE`] before it is deserialised. (Infinities are
//! written as strings by `liq_domain::serde_num::finite_or_str`, on the result types
//! themselves.)

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
