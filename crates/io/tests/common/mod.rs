//! Fixtures shared by the scenario-section tests: one perp market's TOML ([`one_perp!`], the
//! first 13 lines of each section test's base, so the line numbers a test expects follow from
//! its own section), a line editor and the validation-error extractor.

#![allow(dead_code, unused_macros, unused_imports)]

use liq_io::{parse_scenario_str, Format, IoError};
use std::path::Path;

/// One Binance perp with a one-tier table and a one-level book: 13 lines ending in a newline.
/// A macro, not a `const`, so `concat!(one_perp!(), r#"[section]…"#)` builds each test's base
/// at compile time.
macro_rules! one_perp {
    () => {
        r#"name = "t"
venue = "binance"
[[markets]]
symbol = "BTCUSDT"
tick_size = 0.1
lot_size = 0.001
index_price = 60000.0
liquidation_fee_rate = 0.0125
taker_fee_rate = 0.0005
tiers = [{ cap_notional = 1e9, mmr = 0.005, max_leverage = 100.0 }]
[markets.book]
bids = [[59999.9, 1.0]]
asks = [[60000.0, 1.0]]
"#
    };
}
pub(crate) use one_perp;

/// `base` with its 1-based line `line` replaced.
pub fn with_line(base: &str, line: usize, replacement: &str) -> String {
    base.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { replacement } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses `text` as the file `t.toml`.
pub fn parse(text: &str) -> Result<liq_domain::Scenario, IoError> {
    parse_scenario_str(text, Format::Toml, Path::new("t.toml"))
}

/// The (line, field, message) of the error `text` must be refused with (a validation error, or a
/// syntax error that names its field).
pub fn err(text: &str) -> (Option<usize>, String, String) {
    match parse(text) {
        Err(IoError::Invalid { line, field, message, .. }) => (line, field, message),
        Err(IoError::Syntax { line, field, message, .. }) => (line, field, message),
        other => panic!("expected an error, got {other:?}"),
    }
}
