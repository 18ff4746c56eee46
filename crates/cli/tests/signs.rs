//! One sign convention across the terminal, the JSON and the HTML report (docs/outputs.md
//! "Signs"): losses and drawdowns are positive magnitudes printed without a sign, price moves
//! are signed. Each figure is read from `--json` and looked for, formatted, in the terminal
//! table and in the HTML report of the same run; its wrongly signed forms must appear in neither.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liqcascade"))
}

fn example(name: &str) -> String {
    format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn out(args: &[&str]) -> String {
    let o = bin().args(args).env("NO_COLOR", "1").output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn losses_and_drawdowns_positive_price_moves_signed_in_all_three_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = example("single-market-isolated.toml");
    let common =
        ["stress", &scenario, "--paths", "120", "--horizon", "60s", "--vol", "BTCUSDT=6%", "--seed", "3"];
    let json: serde_json::Value = serde_json::from_str(&out(&[&common[..], &["--json"]].concat())).unwrap();
    let html_path = dir.path().join("stress.html");
    let terminal = out(&[&common[..], &["--report", html_path.to_str().unwrap()]].concat());
    let html = std::fs::read_to_string(&html_path).unwrap();

    let s = &json["summary"];
    // A drawdown: positive in JSON, unsigned in the terminal and the HTML.
    let dd = s["overshoot"][0]["drawdown_cascade"][0]["es"].as_f64().unwrap();
    assert!(dd > 0.0, "a fall is a positive drawdown, got {dd}");
    let shown = liq_report::fmt::drawdown(dd);
    assert!(terminal.contains(&format!(" {shown} ")), "terminal lacks {shown}:\n{terminal}");
    assert!(html.contains(&format!("<td>{shown}</td>")), "HTML lacks {shown}");
    for wrong in [format!("-{shown}"), format!("+{shown}"), format!("−{shown}")] {
        assert!(!terminal.contains(&wrong) && !html.contains(&wrong), "{wrong} printed");
    }
    // A loss: positive in JSON, the same USD string in the terminal and the HTML.
    let es = s["loss"]["cascade"][0]["es"].as_f64().unwrap();
    assert!(es > 0.0, "the example's longs lose in the tail, got {es}");
    let shown = liq_report::fmt::usd(es);
    assert!(terminal.contains(&shown) && html.contains(&format!("<td>{shown}</td>")), "{shown}");
    assert!(!html.contains(&format!("<td>$-{}", &shown[1..])), "negative loss printed");

    // A price move: signed in the JSON of `run`, the same signed string in its terminal and HTML.
    let run = ["run", &scenario, "--shock", "BTC=-8%"];
    let json: serde_json::Value = serde_json::from_str(&out(&[&run[..], &["--json"]].concat())).unwrap();
    let html_path = dir.path().join("run.html");
    let terminal = out(&[&run[..], &["--report", html_path.to_str().unwrap()]].concat());
    let html = std::fs::read_to_string(&html_path).unwrap();
    let m = &json["markets"][0];
    let moved = m["exogenous_move"].as_f64().unwrap();
    // −8% up to the book's tick rounding of the shocked mid.
    assert!((moved + 0.08).abs() < 1e-4, "the shock is a −8% move, got {moved}");
    let shown = liq_report::fmt::pct(moved);
    assert_eq!(shown, "-8.00%");
    assert!(terminal.contains(&shown) && html.contains(&format!("<td>{shown}</td>")), "{shown}");
    let beyond = liq_report::fmt::pct(m["overshoot_beyond_exogenous"].as_f64().unwrap());
    assert!(terminal.contains(&beyond) && html.contains(&format!("<td>{beyond}</td>")), "{beyond}");
}
