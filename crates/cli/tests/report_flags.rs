//! `--report` and `--result` on the analysis commands (issue 13 item 7): `sweep` writes its
//! shock→loss curve into the report, `map` its liquidation map, each file with the run's
//! version, scenario hash and seed, and neither may overwrite its input.

mod common;
use common::{run, single};

#[test]
fn sweep_and_map_write_their_section_into_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let s = single();
    for (cmd, extra, section_absent) in [
        (
            "sweep",
            &["--points", "3", "--from", "-5%", "--to", "-15%"][..],
            "No critical-shock sweep in this file.",
        ),
        ("map", &["--no-cascade"][..], "No liquidation map in this file."),
    ] {
        let html = dir.path().join(format!("{cmd}.html"));
        let json = dir.path().join(format!("{cmd}.json"));
        let mut args =
            vec![cmd, s.as_str(), "--report", html.to_str().unwrap(), "--result", json.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(!page.contains(section_absent), "{cmd}: its own section is in the report");
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let meta = &doc["meta"];
        assert!(meta["version"].is_string() && meta["scenario_hash"].as_str().unwrap().len() == 16, "{meta}");
        assert!(meta["seed"].is_u64(), "{meta}");
    }
    // A report over the scenario file is refused before anything runs.
    let out = run(&["sweep", s.as_str(), "--report", s.as_str()]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
