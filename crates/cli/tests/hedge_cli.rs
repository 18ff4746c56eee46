//! `liqcascade stress --portfolio FILE --hedge …`: the `hedge` object of `--json` has exactly the
//! fields of `$defs/stress_hedge` in docs/result.schema.json, the unhedged side is the plain
//! run's, the table and the report carry the comparison, and bad input is refused naming the
//! flag and the value.

mod common;
use common::{run, single};
use serde_json::Value;

/// Keys of `v` (recursively for object-valued properties) are the schema's.
fn same_keys(schema: &Value, v: &Value, path: &str) {
    let props = schema["properties"].as_object().unwrap();
    let obj = v.as_object().unwrap_or_else(|| panic!("{path}: not an object"));
    for (k, x) in obj {
        let sub = props.get(k).unwrap_or_else(|| panic!("{path}: '{k}' is not in the schema"));
        if x.is_object() && sub.get("properties").is_some() {
            same_keys(sub, x, &format!("{path}.{k}"));
        }
    }
    for r in schema["required"].as_array().unwrap() {
        assert!(obj.contains_key(r.as_str().unwrap()), "{path}: missing '{r}'");
    }
}

const BASE: [&str; 8] = ["--paths", "8", "--horizon", "60s", "--step", "5s", "--vol", "BTC=8%"];

#[test]
fn json_matches_the_schema_and_the_table_and_report_carry_the_hedge() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("desk.csv");
    std::fs::write(&book, "market,size\nBTCUSDT,2\n").unwrap();
    let html = dir.path().join("h.html");
    let s = single();
    let mut args = vec!["stress", &s];
    args.extend(BASE);
    let plain_args = [args.clone(), vec!["--portfolio", book.to_str().unwrap(), "--json"]].concat();
    let plain = run(&plain_args);
    assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
    let hedged_args = [
        args.clone(),
        vec!["--portfolio", book.to_str().unwrap(), "--hedge", "delta:15s,band=1%", "--json", "--report"],
        vec![html.to_str().unwrap()],
    ]
    .concat();
    let out = run(&hedged_args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let plain: Value = serde_json::from_slice(&plain.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/result.schema.json"))
            .unwrap(),
    )
    .unwrap();
    same_keys(&schema["$defs"]["stress_hedge"], &doc["hedge"], "hedge");
    assert!(plain.get("hedge").is_none());
    // The unhedged side is the plain run's own summary, on the same paths.
    assert_eq!(doc["summary"], plain["summary"]);
    let es_c = &plain["summary"]["loss"]["cascade"][0];
    assert_eq!(doc["hedge"]["es99"]["unhedged"], es_c["es"]);
    assert_eq!(doc["hedge"]["settings"]["interval_s"], 15.0);
    assert_eq!(doc["hedge"]["settings"]["band"], 0.01);
    assert!(doc["hedge"]["max_rebalances"].as_u64().unwrap() >= 1);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Delta hedge of the portfolio") && page.contains("hedging cost per path"));
    let table_args = [args, vec!["--portfolio", book.to_str().unwrap(), "--hedge", "delta:15s"]].concat();
    let t = run(&table_args);
    let text = String::from_utf8_lossy(&t.stdout);
    assert!(text.contains("delta hedge of the portfolio") && text.contains("paired 95% interval"), "{text}");
}

#[test]
fn bad_hedges_are_refused_naming_the_flag_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("desk.csv");
    std::fs::write(&book, "market,size\nBTCUSDT,2\n").unwrap();
    let s = single();
    for (h, portfolio, needle) in [
        ("gamma:30s", book.to_str().unwrap(), "--hedge gamma:30s: unknown hedge 'gamma'"),
        ("delta:-5s", book.to_str().unwrap(), "--hedge delta:-5s: interval"),
        ("delta:30s,band=abc", book.to_str().unwrap(), "--hedge delta:30s,band=abc: band"),
        ("delta:30s,ratio=3", book.to_str().unwrap(), "(0, 1]"),
        ("delta:30s", "aggregate", "needs --portfolio FILE"),
    ] {
        let mut args = vec!["stress", &s];
        args.extend(BASE);
        args.extend(["--portfolio", portfolio, "--hedge", h]);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{h}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{h}: {err}");
    }
}
