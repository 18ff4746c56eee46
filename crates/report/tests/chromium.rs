//! Renders the report in headless Chromium (Debian's `chromium`, installed by `.ci/run`) and
//! checks that the browser parsed every chart and logged no console error. Without Chromium the
//! test prints a note and passes, so a developer machine without a browser still runs the suite.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs Chromium headless with `extra` arguments on `url`; returns (stdout, stderr).
fn chromium(profile: &Path, extra: &[&str], url: &str) -> (String, String) {
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null());
    let out_path = profile.join("stdout.txt");
    let err_path = profile.join("stderr.txt");
    cmd.stdout(std::fs::File::create(&out_path).unwrap()).stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().expect("chromium starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            // Our own child, by handle: never left running.
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (std::fs::read_to_string(out_path).unwrap(), std::fs::read_to_string(err_path).unwrap())
}

#[test]
fn report_renders_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        println!("note: {CHROMIUM} not found; skipping the browser check (apt-get install chromium)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The fixed input has every section; the engine example adds a real cascade's paths.
    let (_, report, meta) = common::engine_report("cross-margin-multi-market.toml");
    let mut input = common::fixed_input();
    input.cascade = liq_report::ReportInput::from_cascade(&meta, &report).cascade;
    let html = liq_report::render_html(&input);
    let expected = html.matches("<svg").count();
    assert_eq!(expected, 3 + 1 + 1 + 1 + 2 + 1, "three price paths, waterfall, fund, curve, two bars, map");
    let file = dir.path().join("report.html");
    std::fs::write(&file, &html).unwrap();
    let url = format!("file://{}", file.display());

    let profile = dir.path().join("profile-dom");
    std::fs::create_dir_all(&profile).unwrap();
    let (dom, _) = chromium(&profile, &["--dump-dom"], &url);
    assert_eq!(dom.matches("<svg").count(), expected, "the browser's DOM lost a chart");
    // Each parsed chart has its text (title, axes, legend) and drawn shapes.
    for (i, svg) in dom.split("<svg").skip(1).enumerate() {
        let body = &svg[..svg.find("</svg>").expect("closed svg")];
        assert!(body.matches("<text").count() >= 5, "chart {i}: too little text");
        assert!(
            body.contains("<rect") || body.contains("<polyline") || body.contains("<circle"),
            "chart {i}"
        );
    }

    let profile = dir.path().join("profile-log");
    std::fs::create_dir_all(&profile).unwrap();
    let shot = dir.path().join("report.png");
    let (_, log) = chromium(
        &profile,
        &[
            "--enable-logging=stderr",
            "--v=0",
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,4000",
        ],
        &url,
    );
    let console: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("net::ERR")
                || l.contains("Failed to load")
        })
        .collect();
    assert!(console.is_empty(), "console errors:\n{}", console.join("\n"));
    let png = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(png > 50_000, "screenshot {} bytes", png);
}
