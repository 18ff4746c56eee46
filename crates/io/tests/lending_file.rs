//! The lending-book file (`venue = "aave-v3"`): it loads into the shape the engine runs, and bad
//! rules are refused with the file, line and field (docs/scenario-format.md "Lending books").

use liq_io::{parse_lending_scenario_str, Format};
use std::path::Path;

const GOOD: &str = r#"name = "t"
venue = "aave-v3"

[lending]
close_factor = 0.5

[shock]
moves = { WETH = -0.1 }

[[reserves]]
symbol = "WETH"
liquidation_threshold = 0.83
liquidation_bonus = 0.05
protocol_fee = 0.1
price = 3000.0
tick_size = 0.01
lot_size = 0.001
book = { profile = { bucket_bps = 10.0, spread_ticks = 1, bid_notional_usd = [100000.0], ask_notional_usd = [100000.0] } }

[[borrowers]]
id = "a"
debt_usd = 20000.0
collateral = { WETH = 10.0 }
"#;

fn parse(text: &str) -> Result<liq_domain::LendingScenario, liq_io::IoError> {
    parse_lending_scenario_str(text, Format::Toml, Path::new("book.toml"))
}

#[test]
fn a_lending_book_loads_with_aave_v3_3_defaults() {
    let s = parse(GOOD).unwrap();
    assert_eq!(s.rules.full_close_hf, 0.95);
    assert_eq!(s.rules.min_base_for_partial_usd, 2_000.0);
    assert_eq!(s.rules.block_s, 12.0);
    assert_eq!(s.shock, vec![-0.1]);
    assert_eq!(s.borrowers[0].debt.0, 20_000_000_000);
    assert!(liq_io::is_lending_venue("AAVE-V3"));
}

/// `(replace this, with this, expected line, expected field)`.
fn refused(from: &str, to: &str, line: usize, field: &str) {
    assert!(GOOD.contains(from), "{from}");
    let text = GOOD.replacen(from, to, 1);
    let e = parse(&text).expect_err(to);
    let msg = e.to_string();
    assert!(msg.starts_with(&format!("book.toml:{line}: {field}: ")), "{to}: {msg}");
}

#[test]
fn bad_rules_are_refused_with_file_line_and_field() {
    refused("close_factor = 0.5", "close_factor = 0.0", 5, "lending.close_factor");
    refused("close_factor = 0.5", "close_factor = 1.5", 5, "lending.close_factor");
    refused(
        "liquidation_threshold = 0.83",
        "liquidation_threshold = 1.0",
        12,
        "reserves[0].liquidation_threshold",
    );
    refused(
        "liquidation_threshold = 0.83",
        "liquidation_threshold = 0.0",
        12,
        "reserves[0].liquidation_threshold",
    );
    refused("liquidation_bonus = 0.05", "liquidation_bonus = -0.01", 13, "reserves[0].liquidation_bonus");
    refused("protocol_fee = 0.1", "protocol_fee = 1.5", 14, "reserves[0].protocol_fee");
    refused("moves = { WETH = -0.1 }", "moves = { WBTC = -0.1 }", 8, "shock.moves.WBTC");
    refused("debt_usd = 20000.0", "debt_usd = -5.0", 22, "borrowers[0].debt_usd");
    refused(
        "collateral = { WETH = 10.0 }",
        "collateral = { WETH = -1.0 }",
        23,
        "borrowers[0].collateral.WETH",
    );
    refused("venue = \"aave-v3\"", "venue = \"binance\"", 2, "venue");
    // A typo is a syntax error with its line (deny_unknown_fields).
    refused("close_factor = 0.5", "close_factr = 0.5", 5, "lending.close_factr");
}

#[test]
fn a_perp_loader_names_the_lending_shape() {
    let perp = "name = \"t\"\nvenue = \"aave-v3\"\nmarkets = []\n";
    let e = liq_io::parse_scenario_str(perp, Format::Toml, Path::new("p.toml")).unwrap_err().to_string();
    assert!(e.contains("lending venue"), "{e}");
}

/// `examples/aave-v3.toml` states Aave v3 Ethereum's own WETH and WBTC parameters
/// (`liq_margin::aave_reserves`: bgd-labs/aave-proposals-v3 snapshot, unchanged to 2026-02-20).
#[test]
fn the_aave_example_carries_aaves_published_reserve_parameters() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aave-v3.toml");
    let s = liq_io::load_lending_scenario(&path).unwrap();
    assert_eq!(s.reserves.len(), 2);
    for r in &s.reserves {
        let p = liq_margin::aave_reserves::aave_v3_ethereum(&r.symbol).expect("a published reserve");
        assert_eq!(
            (r.liquidation_threshold, r.liquidation_bonus, r.protocol_fee),
            (p.liquidation_threshold, p.liquidation_bonus, p.protocol_fee),
            "{}",
            r.symbol
        );
    }
}
