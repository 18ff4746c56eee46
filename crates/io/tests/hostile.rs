//! Issue 14's hostile inputs that fall on the io loaders, one regression test each: nothing is
//! dropped, merged or allocated silently (headerless CSV, `#` comment rows, duplicate position
//! rows, a 4,294,967,295-account population, out-of-range shocks).

use liq_domain::Account;
use liq_io::accounts_csv::read_accounts_csv_bytes;
use liq_io::population::PopulationSpec;
use liq_io::{load_scenario, parse_scenario_str, Format, IoError};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn read(text: &str) -> Result<Vec<Account>, IoError> {
    let s = load_scenario(&fixture("good.toml")).unwrap();
    read_accounts_csv_bytes(text.as_bytes(), Path::new("accounts.csv"), &s.markets, &s.assets)
}

const HEADER: &str = "account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral\n";

#[test]
fn a_csv_without_its_header_is_refused_not_short_of_a_row() {
    // The first position would have been taken as the header and lost.
    let e = read("alice,BTCUSDT,0.5,60000,cross,,10000,\nbob,BTCUSDT,1,60000,cross,,500,\n").unwrap_err();
    assert_eq!(e.line(), Some(1), "{e}");
    assert!(e.message().starts_with("unknown column \"alice\""), "{e}");
}

#[test]
fn hash_comment_rows_are_skipped_never_accounts() {
    // `# comment,,,,,,,` has the full 8 fields: before, it became an account named "# comment".
    let text = format!(
        "# a population written by hand\n{HEADER}# comment,,,,,,,\nalice,BTCUSDT,0.5,60000,cross,,10000,\n"
    );
    let accounts = read(&text).unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].label, "alice");
    // Line numbers stay physical across comment lines: the bad row is line 4.
    let text = format!("{HEADER}# one\n# two\nbob,BTCUSDT,x,60000,cross,,1,\n");
    let e = read(&text).unwrap_err();
    assert_eq!((e.line(), e.field()), (Some(4), "size"), "{e}");
}

#[test]
fn a_duplicated_position_row_is_an_error_not_a_sum() {
    let row = "alice,BTCUSDT,0.5,60000,cross,,10000,\n";
    let e = read(&format!("{HEADER}{row}{row}")).unwrap_err();
    assert_eq!((e.line(), e.field()), (Some(3), "market"), "{e}");
    assert!(e.message().contains("already has a BTCUSDT position"), "{e}");
    // The short symbol form names the same market.
    let e = read(&format!("{HEADER}{row}alice,BTC,-0.1,60000,cross,,,\n")).unwrap_err();
    assert_eq!(e.line(), Some(3), "{e}");
    // Two markets for one account stay two positions.
    let ok = read(&format!("{HEADER}{row}alice,ETHUSDT,-2,3000,isolated,500,,\n")).unwrap();
    assert_eq!(ok[0].positions.len(), 2);
}

const SMALL: &str = r#"name = "t"
venue = "binance"
[[markets]]
symbol = "BTCUSDT"
tick_size = 0.1
lot_size = 0.001
index_price = 60000.0
liquidation_fee_rate = 0.0125
taker_fee_rate = 0.0005
tiers = "binance:BTCUSDT"
[markets.book]
bids = [[59999.9, 1.0]]
asks = [[60000.0, 1.0]]
"#;

#[test]
fn a_scenarios_inputs_include_its_accounts_csv() {
    // What `run s.toml --result accounts.csv` is checked against.
    let files = liq_io::scenario_input_files(&fixture("good_csv.toml"));
    assert_eq!(files, vec![fixture("good_csv.toml"), fixture("accounts.csv")]);
}

#[test]
fn inline_duplicate_positions_are_an_error() {
    let text = format!(
        "{SMALL}[[accounts]]\nid = \"a\"\nwallet_usd = 1000.0\npositions = [\n  {{ market = \"BTCUSDT\", size = 0.01, entry_price = 60000.0 }},\n  {{ market = \"BTCUSDT\", size = 0.01, entry_price = 60000.0 }},\n]\n"
    );
    let e = parse_scenario_str(&text, Format::Toml, Path::new("s.toml")).unwrap_err();
    assert_eq!(e.field(), "accounts[0].positions[1].market", "{e}");
    assert!(e.message().contains("one position per market"), "{e}");
}

#[test]
fn a_4294967295_account_population_is_refused_before_allocating() {
    // Before: an abort from a Vec::with_capacity(4,294,967,295) of accounts.
    let spec = PopulationSpec { accounts: u32::MAX, ..PopulationSpec::default() };
    let mut table = toml::Table::new();
    table.insert("population".into(), toml::Value::try_from(&spec).unwrap());
    let text = format!("{SMALL}{}", toml::to_string(&table).unwrap());
    let e = parse_scenario_str(&text, Format::Toml, Path::new("s.toml")).unwrap_err();
    assert_eq!(e.field(), "population.accounts", "{e}");
    assert!(e.line().is_some(), "{e}");
    assert!(e.message().contains("at most 10000000"), "{e}");
}

#[test]
fn shocks_beyond_the_bounds_are_refused() {
    for (v, start) in [("1e10", "a move of"), ("1e308", "a move of"), ("-1.0", "a price cannot fall")] {
        let text = format!("{SMALL}[shock]\nmoves = {{ BTCUSDT = {v} }}\n");
        let e = parse_scenario_str(&text, Format::Toml, Path::new("s.toml")).unwrap_err();
        assert_eq!((e.line(), e.field()), (Some(15), "shock.moves.BTCUSDT"), "{e}");
        assert!(e.message().starts_with(start), "{v}: {e}");
    }
    // Factor × beta is the move: 0.5 × 30 = +1500 % > +900 %.
    let text = format!("{SMALL}[shock]\nfactor = 0.5\nbetas = {{ BTCUSDT = 30.0 }}\n");
    assert!(parse_scenario_str(&text, Format::Toml, Path::new("s.toml")).is_err());
}

mod outputs {
    use liq_io::output::{check_outputs, write_file_with, Target};
    use std::path::Path;

    fn dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "liq-io-outputs-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_input_a_missing_directory_and_a_collision_are_refused() {
        let d = dir();
        let s = d.join("s.toml");
        std::fs::write(&s, "x").unwrap();
        let e = check_outputs(&[Target::file("result", &s)], &[&s]).unwrap_err();
        assert!(e.to_string().contains("one of this command's inputs"), "{e}");
        let e = check_outputs(&[Target::file("events", &d.join("nope/e.csv"))], &[]).unwrap_err();
        assert!(e.to_string().starts_with("--events "), "{e}");
        let o = d.join("o.csv");
        let e = check_outputs(&[Target::file("csv", &o), Target::file("report", &o)], &[]).unwrap_err();
        assert!(e.to_string().contains("also the output of csv"), "{e}");
        assert!(
            check_outputs(&[Target::file("csv", &o), Target::dir("plots", &d.join("plots"))], &[&s]).is_ok()
        );
        // The probe file is gone.
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let d = dir();
        let t = d.join("t.csv");
        std::fs::write(&t, "old\n").unwrap();
        let r = write_file_with(&t, |w| {
            w.write_all(b"half a row")?;
            Err(std::io::Error::other("disk gone"))
        });
        assert!(r.unwrap_err().to_string().contains("disk gone"));
        assert_eq!(std::fs::read_to_string(&t).unwrap(), "old\n");
        write_file_with(&t, |w| w.write_all(b"new\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&t).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "temporary file left");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_keeps_its_link() {
        let d = dir();
        let (real, link) = (d.join("real.csv"), d.join("link.csv"));
        std::fs::write(&real, "old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file_with(&link, |w| w.write_all(b"new\n")).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 2, "temporary file left");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn system_paths_are_written_in_place() {
        // Never a temporary file in /dev, never a rename over /dev/stdout's symlink.
        assert!(liq_io::output::is_special(Path::new("/dev/stdout")));
        assert!(liq_io::output::is_special(Path::new("/proc/self/fd/1")));
        assert!(!liq_io::output::is_special(&std::env::temp_dir().join("no-such-file.csv")));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dev_full_is_written_in_place_and_fails() {
        if !Path::new("/dev/full").exists() {
            println!("note: /dev/full is absent; skipping");
            return;
        }
        let r = write_file_with(Path::new("/dev/full"), |w| w.write_all(&[0u8; 100_000]));
        assert!(r.is_err());
        assert!(std::fs::metadata("/dev/full").is_ok_and(|m| !m.is_file()));
    }
}
