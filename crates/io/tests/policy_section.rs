//! The `[policy]` section of a scenario file: a valid section loads as written (and changes the
//! scenario hash, which stays pinned without it: tests/hash_pin.rs), and each bad value is
//! refused with its file, line and field.

mod common;

use common::err;

/// Line numbers on the right are the ones the error tests expect.
const BASE: &str = concat!(
    common::one_perp!(),
    r#"[policy]
liquidation_throttle_usd_per_s = 2e6
circuit_breaker = { move = 0.05, window_s = 60, halt_s = 300 }
vol_scaled_maintenance = { reference_daily_vol = 0.02, daily_vol = { BTCUSDT = 0.05 } }
insurance_fund_scale = 2.0
mark_smoothing_s = 30.0
token_rebalance_cap_usd_per_s = 1e6
"#
);

fn with(line: usize, replacement: &str) -> String {
    common::with_line(BASE, line, replacement)
}

#[test]
fn valid_section_loads_as_written_and_is_hashed() {
    let s = common::parse(BASE).unwrap();
    let p = &s.policy;
    assert_eq!(p.liquidation_throttle_usd_per_s, Some(2e6));
    let b = p.circuit_breaker.unwrap();
    assert_eq!((b.move_frac, b.window_s, b.halt_s), (0.05, 60.0, 300.0));
    let v = p.vol_scaled_maintenance.as_ref().unwrap();
    assert_eq!((v.reference_daily_vol, v.daily_vol.as_slice()), (0.02, &[0.05][..]));
    assert_eq!(p.insurance_fund_scale, Some(2.0));
    assert_eq!(p.mark_smoothing_s, Some(30.0));
    assert_eq!(p.token_rebalance_cap_usd_per_s, Some(1e6));
    // The same scenario without the section hashes differently, and as if it never had one.
    let without: String = BASE.lines().take(13).collect::<Vec<_>>().join("\n");
    let off = common::parse(&without).unwrap();
    assert!(off.policy.is_off());
    assert_ne!(liq_io::hash::scenario_hash(&s), liq_io::hash::scenario_hash(&off));
    let empty = format!("{without}\n[policy]\n");
    let empty = common::parse(&empty).unwrap();
    assert_eq!(liq_io::hash::scenario_hash(&empty), liq_io::hash::scenario_hash(&off));
}

#[test]
fn bad_values_are_refused_with_line_and_field() {
    for (line, text, field, needle) in [
        (15, "liquidation_throttle_usd_per_s = -1", "policy.liquidation_throttle_usd_per_s", "positive"),
        (
            16,
            "circuit_breaker = { move = 1.5, window_s = 60, halt_s = 300 }",
            "policy.circuit_breaker.move",
            "(0, 1)",
        ),
        (
            16,
            "circuit_breaker = { move = 0.05, window_s = 0, halt_s = 300 }",
            "policy.circuit_breaker.window_s",
            "positive",
        ),
        (
            17,
            "vol_scaled_maintenance = { reference_daily_vol = 0, daily_vol = { BTCUSDT = 0.05 } }",
            "policy.vol_scaled_maintenance.reference_daily_vol",
            "positive",
        ),
        (
            17,
            "vol_scaled_maintenance = { reference_daily_vol = 0.02, daily_vol = { DOGE = 0.05 } }",
            "policy.vol_scaled_maintenance.daily_vol.DOGE",
            "DOGE",
        ),
        (18, "insurance_fund_scale = -2", "policy.insurance_fund_scale", "≥ 0"),
        (19, "mark_smoothing_s = 0", "policy.mark_smoothing_s", "positive"),
        (20, "token_rebalance_cap_usd_per_s = nan", "policy.token_rebalance_cap_usd_per_s", "positive"),
    ] {
        let (l, f, m) = err(&with(line, text));
        assert_eq!((l, f.as_str()), (Some(line), field), "{text}: {m}");
        assert!(m.contains(needle), "{text}: {m}");
    }
}

#[test]
fn unknown_policy_keys_are_refused() {
    let (l, f, m) = err(&with(19, "mark_smothing_s = 30"));
    assert_eq!(l, Some(19), "{f}: {m}");
    assert!(m.contains("unknown field"), "{m}");
}
