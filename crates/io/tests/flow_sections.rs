//! The forced-flow sections of a scenario file (`[[leveraged_tokens]]`, `[dealers]` with its
//! `options_csv`, `[[stops]]`): a valid file loads as written, and each bad input is refused with
//! its file, line and field — a negative AUM, a leverage ≤ 1, an options row of unknown type.

mod common;

use common::err;
use liq_io::{load_scenario, IoError};
use std::path::Path;

/// Line numbers on the right are the ones the error tests expect.
const BASE: &str = concat!(
    common::one_perp!(),
    r#"[[leveraged_tokens]]
name = "BTC3L"
market = "BTCUSDT"
leverage = 3.0
aum_usd = 1e6
intraday_move = 0.1111
[[stops]]
market = "BTCUSDT"
move = -0.05
side = "sell"
kind = "stop_loss"
notional_usd = 2e5
"#
);

fn with(line: usize, replacement: &str) -> String {
    common::with_line(BASE, line, replacement)
}

#[test]
fn valid_sections_load_as_written() {
    let s = common::parse(BASE).unwrap();
    let t = &s.flows.leveraged_tokens[0];
    assert_eq!((t.leverage, t.aum_usd, t.intraday_move, t.intraday_reduce_only), (3.0, 1e6, 0.1111, true));
    assert_eq!(t.daily_rebalance_at_s, None);
    let st = &s.flows.stops[0];
    // move −5% from the 60,000 mark.
    assert_eq!(st.price, 57_000.0);
    assert!(st.triggers_below());
    assert!(s.flows.dealers.is_none());
}

/// Sizes past the ledger's range are refused before anything is built (a 1e13 USD stop cluster
/// overflowed the i64 micro-USD of its holder's position value and panicked the engine).
#[test]
fn flow_sizes_beyond_the_ledgers_range_are_refused() {
    for (line, text, field) in [
        (25, "notional_usd = 1e13", "stops[0].notional_usd"),
        (18, "aum_usd = 2e11", "leveraged_tokens[0].aum_usd"),
        (17, "leverage = 50.0", "leveraged_tokens[0].leverage"),
    ] {
        let (l, f, msg) = err(&with(line, text));
        assert_eq!((l, f.as_str()), (Some(line), field), "{text}: {msg}");
        assert!(msg.contains("at most"), "{msg}");
    }
    // At the bounds they load.
    assert!(common::parse(&with(25, "notional_usd = 1e11")).is_ok());
}

#[test]
fn negative_aum_is_refused_with_its_line() {
    let (line, field, msg) = err(&with(18, "aum_usd = -5e5"));
    assert_eq!((line, field.as_str()), (Some(18), "leveraged_tokens[0].aum_usd"));
    assert!(msg.contains("positive"), "{msg}");
}

#[test]
fn leverage_of_one_or_less_is_refused() {
    for bad in ["leverage = 1.0", "leverage = 0.5", "leverage = -3.0"] {
        let (line, field, msg) = err(&with(17, bad));
        assert_eq!((line, field.as_str()), (Some(17), "leveraged_tokens[0].leverage"), "{bad}");
        assert!(msg.contains("above 1"), "{msg}");
    }
}

#[test]
fn a_stop_needs_exactly_one_of_price_and_move() {
    let (line, field, _) = err(&with(22, "move = -0.05\nprice = 50000.0"));
    assert_eq!(field, "stops[0]");
    assert_eq!(line, Some(20));
    let (line, field, _) = err(&with(25, "notional_usd = 0"));
    assert_eq!((line, field.as_str()), (Some(25), "stops[0].notional_usd"));
}

#[test]
fn dealers_without_an_options_table_are_refused() {
    let text = format!("{BASE}[dealers]\nvol = 0.6\nrebalance_interval_s = 5\n");
    match common::parse(&text) {
        Err(IoError::Syntax { line, message, .. }) => {
            assert_eq!(line, Some(26));
            assert!(message.contains("options_csv"), "{message}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("liq-flow-sections-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn an_options_row_of_unknown_type_is_refused_with_file_line_and_column() {
    let d = temp_dir("type");
    let text = BASE.replacen(
        "[[stops]]",
        "[dealers]\noptions_csv = \"o.csv\"\nvol = 0.6\nrebalance_interval_s = 5\n[[stops]]",
        1,
    );
    std::fs::write(d.join("s.toml"), text).unwrap();
    std::fs::write(
        d.join("o.csv"),
        "# a comment line\nmarket,strike,expiry_days,type,open_interest,dealer_sign\n\
         BTCUSDT,60000,30,put,10,-1\nBTCUSDT,65000,30,straddle,10,-1\n",
    )
    .unwrap();
    match load_scenario(&d.join("s.toml")) {
        Err(IoError::Csv { file, line, field, message, .. }) => {
            assert_eq!(file, d.join("o.csv"));
            assert_eq!((line, field.as_str()), (Some(4), "type"));
            assert!(message.contains("straddle"), "{message}");
        }
        other => panic!("expected a CSV error, got {other:?}"),
    }
    // A valid table loads: the put's expiry in years, its sign.
    std::fs::write(
        d.join("o.csv"),
        "market,strike,expiry_days,type,open_interest,dealer_sign\nBTC,60000,36.5,put,10,-1\n",
    )
    .unwrap();
    let s = load_scenario(&d.join("s.toml")).unwrap();
    let o = &s.flows.dealers.as_ref().unwrap().options[0];
    assert_eq!((o.strike, o.expiry_years, o.open_interest, o.dealer_sign), (60000.0, 0.1, 10.0, -1));
    // A dealer sign other than ±1 and a negative open interest are refused on their columns.
    for (row, col) in [("BTC,60000,30,put,10,0", "dealer_sign"), ("BTC,60000,30,call,-1,1", "open_interest")]
    {
        std::fs::write(
            d.join("o.csv"),
            format!("market,strike,expiry_days,type,open_interest,dealer_sign\n{row}\n"),
        )
        .unwrap();
        match load_scenario(&d.join("s.toml")) {
            Err(IoError::Csv { line, field, .. }) => assert_eq!((line, field.as_str()), (Some(2), col)),
            other => panic!("expected a CSV error, got {other:?}"),
        }
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn the_channels_example_loads_its_options_book() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/channels/default-with-flows.toml");
    let s = load_scenario(Path::new(path)).unwrap();
    let d = s.flows.dealers.as_ref().unwrap();
    let total: f64 = d.options.iter().map(|o| o.open_interest).sum();
    // 28e9 USD / 1.05e5 USD per contract × 0.0163 (DESIGN.md, Other forced flows).
    assert!((total - 4350.0).abs() < 1e-9);
    assert_eq!(s.flows.leveraged_tokens.len(), 2);
}
