//! The scenario hash of the CLI's snapshot fixture, pinned: the hash is over the canonical
//! binary form since issue 15 (it was over re-serialised JSON before, `267808627f627aae` for
//! this file), and `crates/cli/tests/snapshots/cli__run_json_snapshot.snap` records it.

#[test]
fn small_fixture_hash_is_pinned() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures/small.toml");
    let s = liq_io::load_scenario(&p).unwrap();
    let h = liq_io::hash::scenario_hash(&s);
    assert_ne!(h, "267808627f627aae", "the hash is no longer over JSON");
    // b5f9964ee03f5e73 before the merged scenario gained `engine.adl_policy` (issue 12).
    assert_eq!(h, "df9df779f727aa58");
}
