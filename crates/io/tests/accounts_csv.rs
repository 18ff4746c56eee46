//! The accounts CSV: errors with file, line and column; physical line numbers; the writer's
//! exact round trip (fixture accounts and a generated population); a large-population load.

use liq_domain::{Account, AssetSpec, MarketSpec};
use liq_io::accounts_csv::{read_accounts_csv_bytes, write_accounts_csv, ACCOUNT_COLUMNS};
use liq_io::population::{generate_population, PopulationSpec};
use liq_io::{load_scenario, IoError};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Markets and assets of the good fixture (BTCUSDT, ETHUSDT; assets BTC, USDC).
fn universe() -> (Vec<MarketSpec>, Vec<AssetSpec>) {
    let s = load_scenario(&fixture("good.toml")).unwrap();
    (s.markets, s.assets)
}

fn read(text: &str) -> Result<Vec<Account>, IoError> {
    let (m, a) = universe();
    read_accounts_csv_bytes(text.as_bytes(), Path::new("accounts.csv"), &m, &a)
}

const HEADER: &str = "account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral\n";

fn check(e: &IoError, line: usize, field: &str, message_start: &str) {
    assert!(matches!(e, IoError::Csv { .. }), "{e}");
    assert_eq!(e.line(), Some(line), "{e}");
    assert_eq!(e.field(), field, "{e}");
    assert!(e.message().starts_with(message_start), "{e}");
}

#[test]
fn wrong_field_count() {
    // Line 1 header, line 2 good, line 3 has 7 fields.
    let e = read(&format!("{HEADER}a,BTCUSDT,0.5,60000,cross,,100,\nb,BTCUSDT,0.5,60000,cross,,100\n"))
        .unwrap_err();
    check(&e, 3, "", "expected 8 fields, got 7");
    assert_eq!(e.to_string(), "accounts.csv:3: expected 8 fields, got 7");
}

#[test]
fn unparsable_number_names_the_column() {
    let e = read(&format!("{HEADER}a,BTCUSDT,abc,60000,cross,,100,\n")).unwrap_err();
    check(&e, 2, "size", "expected a number, got \"abc\"");
    assert_eq!(e.column(), Some(3));
    assert_eq!(e.to_string(), "accounts.csv:2: size: expected a number, got \"abc\"");
    let e = read(&format!("{HEADER}a,BTCUSDT,1,60000,cross,,1e,\n")).unwrap_err();
    check(&e, 2, "wallet_usd", "expected a number, got \"1e\"");
}

#[test]
fn unknown_market_and_asset() {
    let e = read(&format!("{HEADER}a,BTCUSDT,1,60000,cross,,100,\na,XRPUSDT,10,0.5,cross,,,\n")).unwrap_err();
    check(&e, 3, "market", "unknown market \"XRPUSDT\" (markets: BTCUSDT, ETHUSDT)");
    let e = read(&format!("{HEADER}a,BTCUSDT,1,60000,cross,,100,DOGE:5\n")).unwrap_err();
    check(&e, 2, "collateral", "DOGE: unknown collateral asset \"DOGE\"");
}

#[test]
fn line_numbers_are_physical_lines() {
    // The quoted id on line 2 spans lines 2–3, so the bad row is on line 5 (not record 4).
    let text = format!("{HEADER}\"multi\nline\",BTCUSDT,1,60000,cross,,100,\nb,ETHUSDT,1,3000,cross,,100,\nc,ETHUSDT,-1,3000,isolated,-5,100,\n");
    let e = read(&text).unwrap_err();
    check(&e, 5, "margin_usd", "must be a positive finite amount, got -5");
}

#[test]
fn value_errors_and_conflicts() {
    let e = read(&format!("{HEADER}a,BTCUSDT,1,60000,isolated,,100,\n")).unwrap_err();
    check(&e, 2, "margin_usd", "an isolated position needs margin_usd > 0");
    let e = read(&format!("{HEADER}a,BTCUSDT,0,60000,cross,,100,\n")).unwrap_err();
    check(&e, 2, "size", "must not be zero");
    let e = read(&format!("{HEADER}a,BTCUSDT,1,NaN,cross,,100,\n")).unwrap_err();
    check(&e, 2, "entry_price", "must be a positive finite price, got NaN");
    let e = read(&format!("{HEADER}a,BTCUSDT,1,60000,cross,,100,BTC:-1\n")).unwrap_err();
    check(&e, 2, "collateral", "BTC: collateral must be a non-negative finite quantity, got -1");
    let e = read(&format!("{HEADER}a,BTCUSDT,1,60000,hedge,,100,\n")).unwrap_err();
    check(&e, 2, "mode", "expected cross or isolated, got \"hedge\"");
    // Later rows may repeat the wallet but not change it.
    let e = read(&format!(
        "{HEADER}a,BTCUSDT,1,60000,cross,,100,\na,ETHUSDT,1,3000,cross,,100,\na,ETHUSDT,1,3000,cross,,99,\n"
    ))
    .unwrap_err();
    check(&e, 4, "wallet_usd", "contradicts 100.00 given on the first row of account \"a\"");
    let e = read("account,market,size,entry_price,mode,margin_usd,wallet\n").unwrap_err();
    check(&e, 1, "", "unknown column \"wallet\"");
    let e = read("account,market,size,entry_price,mode,margin_usd,wallet_usd\n").unwrap_err();
    check(&e, 1, "collateral", "missing column");
}

#[test]
fn columns_in_any_order_and_rows_merge_by_account() {
    let text = "wallet_usd,account,market,size,entry_price,mode,margin_usd,collateral\n\
                100,a,BTCUSDT,0.002,60000,,,\n\
                ,b,ETH,1,3000,isolated,50,\n\
                ,a,ETHUSDT,-0.5,3000.004,cross,0,\n";
    let acc = read(text).unwrap();
    assert_eq!(acc.len(), 2);
    assert_eq!((acc[0].label.as_str(), acc[0].positions.len(), acc[0].wallet.0), ("a", 2, 100_000_000));
    // −0.5 ETH = −500 lots at 3,000.00 (3,000.004 rounds to the tick) = 300,000 ticks × 10
    // micro-USD: cost −1.5 × 10⁹ micro-USD.
    assert_eq!((acc[0].positions[1].size_lots, acc[0].positions[1].cost.0), (-500, -1_500_000_000));
}

#[test]
fn scenario_reports_the_csv_file() {
    let dir = std::env::temp_dir().join(format!("liq-io-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = std::fs::read_to_string(fixture("good_csv.toml")).unwrap();
    std::fs::write(dir.join("s.toml"), toml).unwrap();
    std::fs::write(
        dir.join("accounts.csv"),
        format!("{HEADER}a,BTCUSDT,1,60000,cross,,100,\nb,SOLUSDT,1,200,cross,,100,\n"),
    )
    .unwrap();
    let e = load_scenario(&dir.join("s.toml")).unwrap_err();
    assert_eq!(e.file(), dir.join("accounts.csv"));
    check(&e, 3, "market", "unknown market \"SOLUSDT\"");
    std::fs::remove_file(dir.join("accounts.csv")).unwrap();
    let e = load_scenario(&dir.join("s.toml")).unwrap_err();
    assert!(matches!(e, IoError::Read { .. }) && e.message().starts_with("cannot open accounts CSV"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn round_trip(accounts: &[Account], markets: &[MarketSpec], assets: &[AssetSpec]) -> Vec<Account> {
    let mut buf = Vec::new();
    write_accounts_csv(&mut buf, Path::new("out.csv"), accounts, markets, assets).unwrap();
    read_accounts_csv_bytes(buf.as_slice(), Path::new("out.csv"), markets, assets).unwrap()
}

#[test]
fn writer_round_trips_fixture_accounts() {
    let s = load_scenario(&fixture("good.toml")).unwrap();
    let mut buf = Vec::new();
    write_accounts_csv(&mut buf, Path::new("out.csv"), &s.accounts, &s.markets, &s.assets).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert_eq!(text.lines().next().unwrap(), ACCOUNT_COLUMNS.join(","));
    // bob's entry 61,234.56 was rounded to the tick 61,234.6 on load and is written as such;
    // carol has no positions and gets an account-only row.
    assert!(text.contains("bob,BTCUSDT,-0.003,61234.6,isolated,20.5,0,\n"), "{text}");
    assert!(text.contains("carol,,,,,,-100.25,BTC:0.01\n"), "{text}");
    assert_eq!(round_trip(&s.accounts, &s.markets, &s.assets), s.accounts);
}

#[test]
fn writer_round_trips_a_generated_population() {
    let s = load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml")).unwrap();
    let spec = PopulationSpec { accounts: 5_000, ..PopulationSpec::default() };
    let pop = generate_population(&spec, &s.markets, &s.assets, 11).unwrap();
    assert!(pop.iter().any(|a| !a.collateral.is_empty()) && pop.iter().any(|a| a.positions.len() > 1));
    assert_eq!(round_trip(&pop, &s.markets, &s.assets), pop);
}

/// A million rows: run with `cargo test --release -p liq-io --test accounts_csv -- --ignored
/// --nocapture` to see the load time (speed targets live in benchmarks, so nothing is timed here).
#[test]
#[ignore]
fn loads_a_million_rows() {
    let (m, a) = universe();
    let mut text = String::from(HEADER);
    for i in 0..1_000_000u32 {
        let (mk, size, px) =
            if i % 2 == 0 { ("BTCUSDT", "0.013", "61234.5") } else { ("ETHUSDT", "-1.25", "3012.34") };
        text.push_str(&format!("acct{i},{mk},{size},{px},cross,,1500.5,BTC:0.01\n"));
    }
    let t = std::time::Instant::now();
    let acc = read_accounts_csv_bytes(text.as_bytes(), Path::new("big.csv"), &m, &a).unwrap();
    eprintln!("1,000,000 rows loaded in {:?}", t.elapsed());
    assert_eq!(acc.len(), 1_000_000);
}
