//! The `[funding]` section's accrual switch and cap: valid values load as written, bad ones are
//! refused with file, line and field, and the scenario hash is unchanged while accrual is off.

mod common;

use liq_io::hash::scenario_hash;
use liq_io::{parse_scenario_str, Format, IoError};
use std::path::Path;

/// One perp market; the funding section is appended by each test (its first line is line 15).
const BASE: &str = concat!(
    common::one_perp!(),
    r#"[shock]
"#
);

fn load(funding: &str) -> Result<liq_domain::Scenario, IoError> {
    parse_scenario_str(&format!("{BASE}{funding}"), Format::Toml, Path::new("f.toml"))
}

fn err(funding: &str) -> (String, Option<usize>, String) {
    match load(funding) {
        Err(IoError::Invalid { file, line, field, .. }) => (file.display().to_string(), line, field),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn accrue_and_cap_load_as_written() {
    let s = load("[funding]\naccrue = true\ncap = 0.02\ntime_to_next_s = 60.0\n").unwrap();
    assert!(s.price.funding.accrue);
    assert_eq!(s.price.funding.cap, Some(0.02));
    assert_eq!(s.price.funding.time_to_next_s, 60.0);
    // Binance's 8-hour interval when none is given.
    assert_eq!(s.price.funding.interval_s, 28_800.0);
    let off = load("").unwrap();
    assert!(!off.price.funding.accrue);
    assert_eq!(off.price.funding.cap, None);
}

#[test]
fn a_negative_cap_is_refused_with_file_line_and_field() {
    let (file, line, field) = err("[funding]\naccrue = true\ncap = -0.01\n");
    assert_eq!((file.as_str(), line, field.as_str()), ("f.toml", Some(17), "funding.cap"));
    let (_, line, field) = err("[funding]\ncap = 2.0\n");
    assert_eq!((line, field.as_str()), (Some(16), "funding.cap"));
}

#[test]
fn a_non_positive_interval_is_refused_with_file_line_and_field() {
    let (file, line, field) = err("[funding]\naccrue = true\ninterval_s = 0.0\n");
    assert_eq!((file.as_str(), line, field.as_str()), ("f.toml", Some(17), "funding.interval_s"));
    let (_, line, field) = err("[funding]\ninterval_s = -3600.0\n");
    assert_eq!((line, field.as_str()), (Some(16), "funding.interval_s"));
    // Accrual settles every position at each funding time: an interval under a second is refused
    // (without accrual it only sets the mark's funding basis and stays allowed).
    let (_, line, field) = err("[funding]\ninterval_s = 0.5\naccrue = true\n");
    assert_eq!((line, field.as_str()), (Some(16), "funding.interval_s"));
    assert!(load("[funding]\ninterval_s = 0.5\n").is_ok());
}

/// Accrual off (written out or absent) serialises as before, so existing scenarios keep their
/// hash; switching it on, or giving a cap, changes the hash.
#[test]
fn the_hash_sees_accrual_only_when_on() {
    let none = scenario_hash(&load("").unwrap());
    let off = scenario_hash(&load("[funding]\naccrue = false\n").unwrap());
    assert_eq!(none, off);
    let on = scenario_hash(&load("[funding]\naccrue = true\n").unwrap());
    assert_ne!(none, on);
    let capped = scenario_hash(&load("[funding]\naccrue = true\ncap = 0.01\n").unwrap());
    assert_ne!(on, capped);
}
