//! Fuzz target for the result JSON (`liqcascade report RESULT.json`, issue 14 items 2 and 7):
//! mutants of the hand-written fixture and of the example scenario's real report are read with
//! [`ReportInput::read_json`] and, when accepted, rendered to HTML and to every chart. Reading
//! must refuse, naming the file, whatever rendering cannot draw; rendering an accepted input
//! must succeed, and nothing may panic or hang (±1.7e308 once hung the chart axes).

mod common;

use liq_fuzz::{fuzz, Target};
use liq_report::ReportInput;
use std::path::Path;

#[global_allocator]
static ALLOC: liq_fuzz::CappedAlloc = liq_fuzz::CappedAlloc::new(1 << 30);

fn load(p: &Path) -> Result<(), String> {
    let input = ReportInput::read_json(p).map_err(|e| e.to_string())?;
    // An accepted input must render: an error here is a failure (it names no file).
    liq_report::try_render_html(&input).map_err(|e| format!("rendering an accepted input: {e}"))?;
    Ok(())
}

#[test]
fn fuzz_result_json() {
    let fixed = serde_json::to_vec_pretty(&common::fixed_input()).unwrap();
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/result_json");
    let mut t = Target::new("result_json", "json", Path::new(env!("CARGO_TARGET_TMPDIR")))
        .regressions(reg)
        .seed(fixed);
    // Rendering a full report takes tens of milliseconds in a debug build.
    t.bound = std::time::Duration::from_secs(10);
    fuzz(&t, load);
}

/// Issue 14: `report` on a result JSON holding ±1.7e308 hung. Every number of the fixture, in
/// turn, replaced by ±1.7e308: each input is refused (naming the file) or rendered, in bounded time.
#[test]
fn every_number_at_plus_minus_1_7e308_renders_or_is_refused() {
    let fixed = serde_json::to_vec_pretty(&common::fixed_input()).unwrap();
    let spans = liq_fuzz::mutate::number_spans(&fixed);
    let mut t = Target::new("result_json_extremes", "json", Path::new(env!("CARGO_TARGET_TMPDIR")));
    t.bound = std::time::Duration::from_secs(10);
    for &(s, e) in &spans {
        // ±1e15 is the largest magnitude accepted: it must render.
        for x in ["1.7e308", "-1.7e308", "1e15", "-1e15"] {
            let mut v = fixed.clone();
            v.splice(s..e, x.bytes());
            t = t.seed(v);
        }
    }
    let stats = liq_fuzz::run(&t, load, 0, 0);
    assert!(stats.failures.is_empty(), "{:?}", stats.failures);
    assert_eq!(stats.executions as usize, 4 * spans.len());
}
