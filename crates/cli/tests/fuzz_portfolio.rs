//! Fuzz target for the portfolio CSV of `liqcascade stress --portfolio FILE` (issue 14, item 7),
//! run end to end through the binary: its reader is private to the command. An exit by panic
//! (status 101) or by signal (an allocation abort) is a crash; any other failure must name the
//! file on stderr. Each execution is a whole (two-path) stress run, so the target runs a
//! fortieth of `LIQ_FUZZ_ITERS`.
//!
//! The reader is helper h1's (issue 14 item 3); crashes it finds are h1's to fix.

use liq_fuzz::{fuzz, Target};
use std::path::Path;
use std::process::Command;

fn load(p: &Path) -> Result<(), String> {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/single-market-isolated.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_liqcascade"))
        .arg("stress")
        .arg(&scenario)
        .args(["--paths", "2", "--vol", "BTCUSDT=0.05", "--quiet", "--portfolio"])
        .arg(p)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => Ok(()),
        Some(101) | None => panic!("liqcascade stress crashed ({}): {stderr}", out.status),
        Some(_) => Err(stderr),
    }
}

#[test]
fn fuzz_portfolio_csv() {
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/portfolio_csv");
    let mut t = Target::new("portfolio_csv", "csv", Path::new(env!("CARGO_TARGET_TMPDIR")))
        .regressions(reg)
        .seed("market,size\nBTCUSDT,1.5\n")
        .seed("market,size\nBTCUSDT,-2\nBTC,0.25\n");
    t.cost = 40;
    t.bound = std::time::Duration::from_secs(60);
    fuzz(&t, load);
}
