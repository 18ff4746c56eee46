//! Fire-sale inputs from files: holdings + leverage-limit CSVs with precise errors, and the
//! EBA 2018 stress-test file from the shared data folder.

use liq_network::{fire_sale, load_eba_2018, load_fire_sale_csv, FireSaleParams, NetworkError};
use std::path::PathBuf;

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("liq-network-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const LIMITS: &str = "institution,equity,other_assets,max_leverage\nB,20,0,10\nA,10,0,10\n";

#[test]
fn loads_the_two_bank_example() {
    let h = write("h_ok.csv", "institution,x,y\nA,50,50\nB,0,100\n");
    let l = write("l_ok.csv", LIMITS);
    let sys = load_fire_sale_csv(&h, &l).unwrap();
    assert_eq!(sys.institutions, vec!["A", "B"]);
    assert_eq!(sys.equity, vec![10.0, 20.0]);
    // Default depth = total holdings: x 50, y 150.
    assert_eq!(sys.depth, vec![50.0, 150.0]);
    // The loaded system runs: with no non-tradable assets there is no room for the model's 5% cash.
    let e = fire_sale(&sys, &FireSaleParams::published(vec![-0.02, 0.0])).unwrap_err().to_string();
    assert!(e.starts_with("other_assets: institution `A`"), "{e}");
}

fn load_err(holdings: &str, limits: &str, tag: &str) -> String {
    let h = write(&format!("h_{tag}.csv"), holdings);
    let l = write(&format!("l_{tag}.csv"), limits);
    load_fire_sale_csv(&h, &l).unwrap_err().to_string()
}

#[test]
fn bad_files_name_file_line_and_field() {
    let e = load_err("institution,x,y\nA,50,50\nB,0,-1\n", LIMITS, "neg");
    assert!(e.ends_with("h_neg.csv:3: field `y`: -1 is negative"), "{e}");
    let e = load_err("institution,x,y\nA,NaN,50\nB,0,1\n", LIMITS, "nan");
    assert!(e.ends_with("h_nan.csv:2: field `x`: NaN is not a finite number"), "{e}");
    let e = load_err("institution,x,y\nA,50\nB,0,1\n", LIMITS, "ragged");
    assert!(e.ends_with("h_ragged.csv:2: field `row`: 2 fields, the header has 3"), "{e}");
    let e = load_err("institution,x,y\nA,5,abc\nB,0,1\n", LIMITS, "text");
    assert!(e.contains("field `y`: `abc` is not a number"), "{e}");
    let e = load_err(
        "institution,x,y\nA,5,5\nB,0,1\n",
        "institution,equity,other_assets,max_leverage\nA,1,0,0.5\n",
        "lev",
    );
    assert!(e.ends_with("l_lev.csv:2: field `max_leverage`: 0.5 is below 1"), "{e}");
    let e = load_err(
        "institution,x,y\nA,5,5\nB,0,1\n",
        "institution,equity,other_assets,max_leverage\nA,1,0,5\n",
        "missing",
    );
    assert!(e.contains("no row for `B`"), "{e}");
    let e = load_err(
        "institution,x,y\nA,5,5\n",
        "institution,equity,other_assets,max_leverage\nC,1,0,5\n",
        "unknown",
    );
    assert!(e.contains("`C` is not in the holdings file"), "{e}");
    let missing =
        load_fire_sale_csv(&PathBuf::from("/nonexistent/h.csv"), &PathBuf::from("/nonexistent/l.csv"));
    assert!(matches!(missing, Err(NetworkError::Io { .. })));
}

fn eba_path() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/eba-2018/EBA_2018.csv");
    if p.exists() {
        Some(p)
    } else {
        assert!(
            std::env::var_os("LIQ_REQUIRE_SHARED").is_none_or(|v| v != "1"),
            "{} is missing and LIQ_REQUIRE_SHARED=1 (CI must run this test)",
            p.display()
        );
        println!("note: {} is absent; skipping the EBA 2018 test", p.display());
        None
    }
}

#[test]
fn eba_2018_loads_and_runs() {
    let Some(path) = eba_path() else { return };
    let sys = load_eba_2018(&path).unwrap();
    assert_eq!(sys.institutions.len(), 48);
    // First row `AT01 14712 6.55 34241 13+27682`: govbonds 13 + 27,682 = 27,695, corporate
    // 34,241 − 27,695 = 6,546; total assets 14,712 / 0.0655 = 224,610.69; other = total − 34,241.
    assert_eq!(sys.institutions[0], "AT01");
    assert_eq!(sys.holdings[0], vec![27_695.0, 6_546.0]);
    assert!((sys.other_assets[0] - (14_712.0 / 0.0655 - 34_241.0)).abs() < 1e-6);
    // `DK07 9354 4.80 0 0`: no securities at all.
    assert_eq!(sys.holdings[6], vec![0.0, 0.0]);
    assert!((sys.max_leverage[0] - 1.0 / 0.03).abs() < 1e-12);
    // Every bank starts within the 3% leverage-ratio limit (smallest ratio in the file: DE21's
    // 3.41%), so without a shock and without price impact nobody defaults (DE21 and NL33, under
    // the 4% buffer, delever at unchanged prices).
    let mut calm = FireSaleParams::published(vec![0.0, 0.0]);
    calm.impact_drop = 0.0;
    assert_eq!(fire_sale(&sys, &calm).unwrap().total_defaults, 0);
    // A 10% fall in government bonds breaks some limits and the sales spill into corporates.
    let out = fire_sale(&sys, &FireSaleParams::published(vec![-0.10, 0.0])).unwrap();
    assert!(out.total_sold[0] > 0.0 && out.final_prices[1] < 1.0, "{:?}", out.final_prices);
}

#[test]
fn eba_bad_rows_are_named() {
    let p = write("eba_bad.csv", "bank_id,CET1E,leverage,debt_sec,govbonds\nXX01 100 5 50 10+x\n");
    let e = load_eba_2018(&p).unwrap_err().to_string();
    assert!(e.ends_with("eba_bad.csv:2: field `govbonds`: `x` is not a number"), "{e}");
    let p = write("eba_bad2.csv", "bank_id,CET1E,leverage,debt_sec,govbonds\nXX01 100 5 50 60\n");
    let e = load_eba_2018(&p).unwrap_err().to_string();
    assert!(e.ends_with("eba_bad2.csv:2: field `govbonds`: 60 exceeds debt_sec 50"), "{e}");
}
