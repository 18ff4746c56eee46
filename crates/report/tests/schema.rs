//! `docs/result.schema.json` describes the `run --json` document: a document built from a real
//! cascade report (the same `RunDocument` the CLI prints) satisfies it, and the schema names
//! every field the document has. The check walks `serde_json::Value`s and covers the keywords
//! the schema uses: `type`, `required`, `properties`, `additionalProperties: false`, `items`,
//! `prefixItems`, `minItems`, `maxItems`, `minimum`, `pattern` (only `^[0-9a-f]{16}$`).

mod common;

use liq_io::output::RunDocument;
use serde_json::Value;

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64(),
        _ => false,
    }
}

/// Errors of `v` against `s`, with JSON-pointer-like paths.
fn check(s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(x) => vec![x.as_str()],
            Value::Array(xs) => xs.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.iter().any(|t| type_ok(t, v)) {
            errs.push(format!("{path}: expected {types:?}, got {v}"));
            return;
        }
    }
    if let (Some(min), Some(x)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if x < min {
            errs.push(format!("{path}: {x} < minimum {min}"));
        }
    }
    if let (Some(p), Some(x)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
        assert_eq!(p, "^[0-9a-f]{16}$", "the test only knows this pattern");
        if !(x.len() == 16 && x.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())) {
            errs.push(format!("{path}: '{x}' does not match {p}"));
        }
    }
    if let Value::Object(obj) = v {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                errs.push(format!("{path}: missing required '{r}'"));
            }
        }
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => check(ps, x, &format!("{path}/{k}"), errs),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errs.push(format!("{path}: '{k}' is not in the schema"))
                }
                None => {}
            }
        }
    }
    if let Value::Array(xs) = v {
        if let Some(n) = s.get("minItems").and_then(Value::as_u64) {
            if (xs.len() as u64) < n {
                errs.push(format!("{path}: fewer than {n} items"));
            }
        }
        if let Some(n) = s.get("maxItems").and_then(Value::as_u64) {
            if (xs.len() as u64) > n {
                errs.push(format!("{path}: more than {n} items"));
            }
        }
        let prefix = s.get("prefixItems").and_then(Value::as_array);
        for (i, x) in xs.iter().enumerate() {
            let item = prefix.and_then(|p| p.get(i)).or_else(|| s.get("items"));
            if let Some(item) = item {
                check(item, x, &format!("{path}/{i}"), errs);
            }
        }
    }
}

fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/result.schema.json");
    let text = std::fs::read_to_string(path).expect("docs/result.schema.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

#[test]
fn run_json_documents_satisfy_the_schema() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    for example in ["single-market-isolated.toml", "cross-margin-multi-market.toml", "lending-protocol.toml"]
    {
        let (_, report, meta) = common::engine_report(example);
        let doc = serde_json::to_value(RunDocument::new(&meta, &report)).unwrap();
        let mut errs = Vec::new();
        check(&schema, &doc, "", &mut errs);
        assert!(errs.is_empty(), "{example}:\n{}", errs.join("\n"));
        assert!(!doc["generations"].as_array().unwrap().is_empty());
    }
}

#[test]
fn lending_run_json_satisfies_the_schema() {
    // The lending venue's document: the common fields plus `lending` (examples/aave-v3.toml).
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/aave-v3.toml");
    let s = liq_io::load_lending_scenario(std::path::Path::new(path)).unwrap();
    let report = liq_engine::LendingModel::new(&s).unwrap().report();
    let meta = liq_io::output::RunMeta {
        version: "0".into(),
        scenario: s.name.clone(),
        scenario_hash: liq_io::hash::lending_scenario_hash(&s),
        seed: s.seed,
        venue: "aave-v3".into(),
        // Aave has no ADL: no policy applies.
        adl_policy: "none".into(),
        margin_tables: Vec::new(),
        collateral_tables: Vec::new(),
        shock: vec![("WETH".into(), -0.15)],
    };
    let doc = serde_json::to_value(RunDocument::lending(&meta, &report)).unwrap();
    let mut errs = Vec::new();
    check(&schema(), &doc, "", &mut errs);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    assert!(doc["lending"]["liquidation_calls"].as_u64().unwrap() > 0);
}

/// A change to a valid document.
type Edit = dyn Fn(&mut Value);

#[test]
fn the_checker_rejects_what_the_schema_forbids() {
    let schema = schema();
    let (_, report, meta) = common::engine_report("single-market-isolated.toml");
    let good = serde_json::to_value(RunDocument::new(&meta, &report)).unwrap();
    let cases: Vec<(&str, Box<Edit>)> = vec![
        ("missing required 'summary'", Box::new(|d| drop(d.as_object_mut().unwrap().remove("summary")))),
        ("expected [\"string\"]", Box::new(|d| d["meta"]["venue"] = Value::from(3))),
        ("'extra' is not in the schema", Box::new(|d| d["summary"]["extra"] = Value::from(1))),
        ("does not match", Box::new(|d| d["meta"]["scenario_hash"] = Value::from("XYZ"))),
        ("expected [\"integer\"]", Box::new(|d| d["generations"][0]["accounts"] = Value::from(1.5))),
        ("more than 2 items", Box::new(|d| d["meta"]["shock"][0] = serde_json::json!(["BTCUSDT", -0.1, 1]))),
    ];
    for (want, edit) in cases {
        let mut d = good.clone();
        edit(&mut d);
        let mut errs = Vec::new();
        check(&schema, &d, "", &mut errs);
        assert!(errs.iter().any(|e| e.contains(want)), "{want}: {errs:?}");
    }
    // Infinite amplification serialises as the string "inf", which the schema allows.
    let mut d = good;
    let mut summary = report.summary.clone();
    summary.amplification = f64::INFINITY;
    assert_eq!(serde_json::to_value(&summary).unwrap()["amplification"], "inf");
    d["summary"]["amplification"] = Value::from("inf");
    let mut errs = Vec::new();
    check(&schema, &d, "", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
}

/// A path run with funding on: the `funding` lines, the per-market `funding_rates` and
/// `funding_paid_usd` and the fund's `funding_usd` satisfy the schema too.
#[test]
fn funding_run_json_satisfies_the_schema() {
    let mut scenario = liq_io::load_scenario(&common::example("single-market-isolated.toml")).unwrap();
    scenario.price.funding.accrue = true;
    scenario.price.funding.time_to_next_s = 5.0;
    scenario.price.last_funding_rate = vec![-0.01; scenario.markets.len()];
    let model = liq_engine::EngineModel::new(&scenario).unwrap();
    let n = model.n_markets();
    let path = liq_engine::ExoPath { n_markets: n, dt_s: 1.0, levels: vec![1.0; 10 * n] };
    let report = liq_engine::Cascade::new(&model).report_path(&model, &path, &Default::default());
    let (_, _, meta) = common::engine_report("single-market-isolated.toml");
    let doc = serde_json::to_value(RunDocument::new(&meta, &report)).unwrap();
    let mut errs = Vec::new();
    check(&schema(), &doc, "", &mut errs);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    assert!(!doc["funding"].as_array().unwrap().is_empty());
    assert!(doc["markets"][0]["funding_paid_usd"].is_object());
}
