//! `liqcascade policies`: the `--json` document has exactly the fields of
//! `$defs/policies_document` in docs/result.schema.json, the baseline's differences are zero, the
//! report carries the comparison, and a bad `--policy` is refused naming it.

mod common;
use common::{run, single};
use serde_json::Value;

/// The object's keys are exactly the schema's properties and include every required one.
fn same_keys(schema: &Value, v: &Value, path: &str) {
    let props: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    let obj = v.as_object().unwrap_or_else(|| panic!("{path}: not an object"));
    for k in obj.keys() {
        assert!(props.contains(&k), "{path}: '{k}' is not in the schema");
    }
    for r in schema["required"].as_array().unwrap() {
        assert!(obj.contains_key(r.as_str().unwrap()), "{path}: missing '{r}'");
    }
}

#[test]
fn json_matches_the_schema_and_the_report_has_the_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("p.html");
    let s = single();
    let out = run(&[
        "policies",
        &s,
        "--paths",
        "6",
        "--horizon",
        "60s",
        "--step",
        "5s",
        "--vol",
        "BTC=8%",
        "--policy",
        "fund=2",
        "--policy",
        "throttle=50k+breaker=3%/30s/60s",
        "--json",
        "--report",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/result.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let d = &schema["$defs"]["policies_document"];
    same_keys(d, &doc, "");
    same_keys(&d["properties"]["meta"], &doc["meta"], "meta");
    let cases = doc["policies"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    assert_eq!(doc["meta"]["case_hashes"].as_array().unwrap().len(), 3);
    assert_eq!(doc["meta"]["case_hashes"][0], doc["meta"]["scenario_hash"]);
    assert_ne!(doc["meta"]["case_hashes"][1], doc["meta"]["case_hashes"][0]);
    let case_schema = &d["properties"]["policies"]["items"];
    for c in cases {
        same_keys(case_schema, c, "policies[]");
        assert_eq!(c["metrics"].as_array().unwrap().len(), 6);
        for m in c["metrics"].as_array().unwrap() {
            same_keys(&case_schema["properties"]["metrics"]["items"], m, "metrics[]");
        }
    }
    assert_eq!(cases[0]["policy"], "baseline");
    for m in cases[0]["metrics"].as_array().unwrap() {
        assert_eq!(m["mean_diff"], 0.0);
        assert_eq!(m["es99_diff"], 0.0);
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Mitigation policies on common paths"));
    assert!(page.contains("throttle=50k+breaker=3%/30s/60s"));
}

#[test]
fn a_bad_policy_is_refused_naming_it() {
    let s = single();
    for (p, needle) in [
        ("throttle=-5", "--policy throttle=-5"),
        ("breaker=5%", "MOVE/WINDOW/HALT"),
        ("warp=9", "unknown policy"),
        ("throttle", "needs a value"),
    ] {
        let out =
            run(&["policies", &s, "--paths", "2", "--horizon", "10s", "--vol", "BTC=5%", "--policy", p]);
        assert_eq!(out.status.code(), Some(2), "{p}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{p}: {err}");
    }
}
