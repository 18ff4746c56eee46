//! Loads each report kind (instant cascade, path run, Monte Carlo stress, sensitivity, one
//! agent-based market run, exposure network, replay) in
//! headless Chromium (Debian's `chromium`, installed by `.ci/run`): every chart must draw
//! (pixel statistics of its canvas), a hover over a data point must show that point's value in
//! the tooltip, formatted in the chart's unit, the console must stay free of errors, and a
//! screenshot of each kind is decoded and checked (size, non-blank share, colours).
//!
//! The hover is a real DOM `mousemove` on the chart's canvas at the pixel of a data point
//! (ECharts' `convertToPixel`), sent by a probe script the test appends to a copy of the page;
//! the probe writes what it saw into a `<pre id="probe">` that `--dump-dom` returns.
//!
//! Without Chromium the test prints a note and passes, so a developer machine without a browser
//! still runs the suite; under `LIQ_REQUIRE_SHARED=1` (CI) a missing browser is a failure.

mod common;

use liq_report::{render_html, ReportInput};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs Chromium headless with `extra` arguments on `url`; returns (stdout, stderr).
fn chromium(profile: &Path, extra: &[&str], url: &str) -> (String, String) {
    std::fs::create_dir_all(profile).unwrap();
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
        "--hide-scrollbars",
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
        if start.elapsed() > Duration::from_secs(180) {
            // Our own child, by handle: never left running.
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (std::fs::read_to_string(out_path).unwrap(), std::fs::read_to_string(err_path).unwrap())
}

/// The probe: per chart, canvas pixel statistics and the tooltip after a hover on a data point.
const PROBE: &str = r#"<script>
(function () {
  function stats(canvas) {
    var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height;
    var d = ctx.getImageData(0, 0, w, h).data, ink = 0;
    for (var i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink++; }
    return ink / (w * h);
  }
  function target(chart) {
    var opt = chart.getOption(), s = opt.series[0], data = s.data, k = Math.floor(data.length / 2);
    for (var n = 0; n < data.length; n++) {
      var i = (k + n) % data.length, d = data[i];
      var v = (d && d.value !== undefined) ? d.value : d;
      if (v === null || v === undefined) continue;
      var horizontal = opt.yAxis[0].type === "category" && opt.xAxis[0].type !== "category";
      var point, value;
      if (s.type === "heatmap") { point = [v[0], v[1]]; value = v[2]; }
      else if (Array.isArray(v)) { point = [v[0], v[1]]; value = v[1]; }
      else if (horizontal) { point = [v, i]; value = v; }
      else { point = [i, v]; value = v; }
      return { point: point, value: value };
    }
    return null;
  }
  function run() {
    var out = [];
    var charts = (window.liqReport || { charts: {} }).charts;
    Object.keys(charts).forEach(function (id) {
      var chart = charts[id], el = document.getElementById("chart-" + id);
      var canvas = el.querySelector("canvas");
      var t = target(chart), r = { id: id, ink: canvas ? stats(canvas) : 0, value: t ? t.value : null, tip: "" };
      if (t) {
        var px = chart.convertToPixel({ seriesIndex: 0 }, t.point);
        var box = canvas.getBoundingClientRect();
        canvas.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: box.left + px[0], clientY: box.top + px[1] }));
        r.px = px;
      }
      out.push(r);
    });
    setTimeout(function () {
      out.forEach(function (r) {
        var el = document.getElementById("chart-" + r.id), tip = "";
        el.querySelectorAll("div").forEach(function (d) {
          if (d.style.zIndex === "9999999" && d.style.display !== "none") tip += d.textContent;
        });
        r.tip = tip;
      });
      var pre = document.createElement("pre");
      pre.id = "probe";
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    }, 400);
  }
  window.addEventListener("load", function () { setTimeout(run, 200); });
})();
</script>"#;

/// Formats `x` as the page does in `unit` (assets/report.js mirrors `liq_report::fmt`).
fn formatted(unit: &str, x: f64) -> String {
    match unit {
        "price" => liq_report::fmt::price(x),
        "ratio" => format!("{x:.2}×"),
        _ => liq_report::fmt::usd(x),
    }
}

/// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) into
/// (width, height, RGB triples).
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    use std::io::Read;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut w, mut h, mut channels) = (0u32, 0u32, 0usize);
    let mut idat = Vec::new();
    let mut i = 8;
    while i + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        let kind = &bytes[i + 4..i + 8];
        let body = &bytes[i + 8..i + 8 + len];
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(body[0..4].try_into().unwrap());
                h = u32::from_be_bytes(body[4..8].try_into().unwrap());
                assert_eq!(body[8], 8, "bit depth");
                channels = match body[9] {
                    2 => 3,
                    6 => 4,
                    c => panic!("colour type {c}"),
                };
                assert_eq!(body[12], 0, "interlaced");
            }
            b"IDAT" => idat.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        i += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).unwrap();
    let stride = w as usize * channels;
    let mut prev = vec![0u8; stride];
    let mut px = Vec::with_capacity((w * h) as usize);
    for row in raw.chunks_exact(stride + 1) {
        let (f, line) = (row[0], &row[1..]);
        let mut cur = vec![0u8; stride];
        for x in 0..stride {
            let a = if x >= channels { cur[x - channels] as i32 } else { 0 };
            let b = prev[x] as i32;
            let c = if x >= channels { prev[x - channels] as i32 } else { 0 };
            let pred = match f {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                _ => panic!("filter {f}"),
            };
            cur[x] = (line[x] as i32 + pred) as u8;
        }
        for p in cur.chunks_exact(channels) {
            px.push([p[0], p[1], p[2]]);
        }
        prev = cur;
    }
    assert_eq!(px.len(), (w * h) as usize);
    (w, h, px)
}

/// The report kinds.
fn kinds() -> Vec<(&'static str, ReportInput)> {
    let (model, report, meta) = common::engine_report("cross-margin-multi-market.toml");
    let fixed = common::fixed_input();
    let mut run = ReportInput::from_cascade(&meta, &report);
    run.critical = fixed.critical.clone();
    run.liquidation_maps = fixed.liquidation_maps.clone();
    // A path run: the example's shock as a 20-step linear crash.
    let path = liq_stress::paths::linear_crash(model.shock(), 20, 1.0);
    let path_report = liq_engine::Cascade::new(&model).report_path(&model, &path, &Default::default());
    let mut path_input = ReportInput::from_cascade(&meta, &path_report);
    path_input.leverage_maps = fixed.leverage_maps.clone();
    let mut stress = ReportInput::new(common::meta());
    stress.stress = fixed.stress.clone();
    stress.liquidation_maps = fixed.liquidation_maps.clone();
    let sensitivity = ReportInput::new(common::meta()).with_sensitivity(&common::sensitivity());
    // One ABM run with a −3% shock at 20 s: its price path and liquidation bars.
    let mut cfg = liq_abm::default_config();
    cfg.shock = Some(liq_abm::ShockCfg { at_s: 20.0, index_move: -0.03, over_s: 5.0 });
    let out = liq_abm::run_abm(&cfg, 7, 60.0).unwrap();
    let section = liq_report::abm_replay::AbmSection::new(
        "embedded default",
        "0123456789abcdef",
        cfg.shock.as_ref(),
        &out,
        vec![],
    );
    let abm = ReportInput::new(common::meta()).with_abm(section);
    // The example's exposure network, with its own cascade (as `network --report` writes it).
    let (net, _) = liq_network::report::analyse_with_graph(&model, &Default::default()).unwrap();
    let network = ReportInput::from_cascade(&meta, &report).with_network(net);
    // A replay over six minutes: a simulated wave one minute behind a recorded one.
    let (sim, rec) = (vec![0.0, 1e5, 8e5, 4e5, 1e5, 0.0], vec![2e5, 9e5, 3e5, 5e4, 0.0, 0.0]);
    let series = liq_replay::SymbolSeries {
        symbol: "BTCUSDT".into(),
        first_price: Some(99_000.0),
        comparison: liq_replay::metrics::compare(&sim, &rec, 40, 25),
        sim_notional_usd: sim,
        rec_notional_usd: rec,
        sim_count: vec![0, 4, 20, 12, 4, 0],
        rec_count: vec![5, 14, 5, 1, 0, 0],
    };
    let mut total = series.clone();
    total.symbol = "ALL".into();
    let replay = ReportInput::new(common::meta()).with_replay(liq_report::abm_replay::ReplaySection {
        trades: "trades.csv".into(),
        force_orders: "force_orders.csv".into(),
        verdict: "verdict: POORLY identified (example)".into(),
        report: liq_replay::ReplayReport {
            window_start_ms: 1_700_000_040_000,
            window_end_ms: 1_700_000_400_000,
            step_s: 10.0,
            minutes: 6,
            accounts: 1_000,
            symbols: vec![series],
            total,
            rec_unmatched_usd: 0.0,
            sim_after_window_usd: 0.0,
            fit: None,
            notes: vec![],
        },
    });
    vec![
        ("run", run),
        ("path", path_input),
        ("stress", stress),
        ("sensitivity", sensitivity),
        ("abm", abm),
        ("network", network),
        ("replay", replay),
    ]
}

#[test]
fn every_report_kind_draws_hovers_and_screenshots_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("LIQ_REQUIRE_SHARED").as_deref() != Ok("1"),
            "{CHROMIUM} is required under LIQ_REQUIRE_SHARED=1 (apt-get install chromium)"
        );
        println!("note: {CHROMIUM} not found; skipping the browser check (apt-get install chromium)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (kind, input) in kinds() {
        let html = render_html(&input);
        let specs = liq_report::interactive::all_specs(&input);
        assert!(!specs.is_empty(), "{kind}: no charts");
        let file = dir.path().join(format!("{kind}.html"));
        std::fs::write(&file, &html).unwrap();
        let probe_file = dir.path().join(format!("{kind}-probe.html"));
        // The page's own `</body>` is the last one (the inlined library holds the string too).
        let end = html.rfind("</body>").expect("closing body");
        std::fs::write(&probe_file, format!("{}{PROBE}{}", &html[..end], &html[end..])).unwrap();

        let (dom, log) = chromium(
            &dir.path().join(format!("profile-dom-{kind}")),
            &[
                "--dump-dom",
                "--virtual-time-budget=8000",
                "--window-size=1280,2000",
                "--enable-logging=stderr",
                "--v=0",
            ],
            &format!("file://{}", probe_file.display()),
        );
        let console: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("Uncaught") || l.contains("net::ERR") || l.contains("Failed to load"))
            .collect();
        assert!(console.is_empty(), "{kind}: console errors:\n{}", console.join("\n"));
        let start = dom.find("<pre id=\"probe\">").unwrap_or_else(|| panic!("{kind}: the probe did not run"));
        let text = &dom[start + "<pre id=\"probe\">".len()..];
        let text = text[..text.find("</pre>").unwrap()].replace("&quot;", "\"").replace("&amp;", "&");
        let probe: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(probe.len(), specs.len(), "{kind}: charts drawn");
        for (spec, p) in specs.iter().zip(&probe) {
            assert_eq!(p["id"], spec.id.as_str());
            let ink = p["ink"].as_f64().unwrap();
            // Axes and text alone ink about 0.3% of a chart; a drawn series far more.
            assert!(ink > 0.005, "{kind}/{}: canvas nearly blank ({ink:.4} of pixels inked)", spec.id);
            let tip = p["tip"].as_str().unwrap();
            let value =
                p["value"].as_f64().unwrap_or_else(|| panic!("{kind}/{}: no data point to hover", spec.id));
            let want = formatted(spec.unit, value);
            assert!(
                tip.contains(&want),
                "{kind}/{}: hover shows {tip:?}, expected the value {want}",
                spec.id
            );
        }

        let shot = dir.path().join(format!("{kind}.png"));
        chromium(
            &dir.path().join(format!("profile-shot-{kind}")),
            &[
                &format!("--screenshot={}", shot.display()),
                "--window-size=1280,1800",
                "--virtual-time-budget=5000",
            ],
            &format!("file://{}", file.display()),
        );
        let bytes = std::fs::read(&shot).unwrap_or_else(|_| panic!("{kind}: no screenshot"));
        assert!(bytes.len() > 40_000, "{kind}: screenshot only {} bytes", bytes.len());
        let (w, h, px) = decode_png(&bytes);
        assert_eq!((w, h), (1280, 1800), "{kind}");
        let inked = px.iter().filter(|p| p.iter().any(|&c| c < 235)).count() as f64 / px.len() as f64;
        let mut colours: Vec<[u8; 3]> = px.iter().map(|p| [p[0] & 0xf0, p[1] & 0xf0, p[2] & 0xf0]).collect();
        colours.sort_unstable();
        colours.dedup();
        assert!(inked > 0.03, "{kind}: screenshot {:.1}% inked", inked * 100.0);
        assert!(colours.len() > 30, "{kind}: screenshot has {} colours: charts not drawn?", colours.len());
        println!(
            "{kind}: {} charts hovered; screenshot {} bytes, {:.1}% inked, {} colours",
            specs.len(),
            bytes.len(),
            inked * 100.0,
            colours.len()
        );
    }
}
