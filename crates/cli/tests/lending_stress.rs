//! `stress` on a lending book: the same document at 1 and 4 threads, distributions ordered, and
//! a missing volatility refused (a lending book has no default).

use std::path::Path;
use std::process::Command;

fn stress(threads: &str, extra: &[&str]) -> std::process::Output {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aave-v3.toml");
    Command::new(env!("CARGO_BIN_EXE_liqcascade"))
        .env("RAYON_NUM_THREADS", threads)
        .args(["stress", example.to_str().unwrap(), "--paths", "12", "--horizon", "10m", "--step", "12s"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn lending_stress_is_thread_count_invariant() {
    let args = ["--vol", "WETH=30%", "--vol", "WBTC=25%", "--corr", "0.8", "--json"];
    let one = stress("1", &args);
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    let four = stress("4", &args);
    assert_eq!(one.stdout, four.stdout);
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    let s = &v["lending_stress"];
    assert_eq!(s["paths"], 12);
    let d = &s["seized_usd"];
    let f = |k: &str| d[k].as_f64().unwrap();
    assert!(f("p50") <= f("p95") && f("p95") <= f("p99") && f("p99") <= f("max"), "{d}");
    assert_eq!(v["meta"]["venue"], "aave-v3");
}

#[test]
fn lending_stress_needs_every_volatility() {
    let out = stress("1", &["--vol", "WETH=30%", "--corr", "0.8"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no daily volatility for reserve WBTC"), "{err}");
    let out = stress("1", &["--vol", "WETH=30%", "--vol", "WBTC=30%", "--portfolio", "p.csv"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--portfolio is not supported"));
}
