//! Every scenario under `examples/` loads and runs through the instant cascade, and the run
//! conserves the ledger: money only moves between accounts, the insurance fund and bad debt.
//!
//! The examples are documentation (`liqcascade run examples/X.toml`), so this test is what keeps
//! them runnable as the scenario format and the engine evolve.

use liq_engine::{Cascade, EngineModel};
use std::path::{Path, PathBuf};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_example_runs_and_conserves_the_ledger() {
    let files = examples();
    // The four documented in docs/guide.md, at least.
    for name in
        ["single-market-isolated", "cross-margin-multi-market", "volatile-collateral", "lending-protocol"]
    {
        assert!(
            files.iter().any(|p| p.file_stem().is_some_and(|s| s == name)),
            "examples/{name}.toml is missing"
        );
    }
    for path in files {
        // Lending books (venue "aave-v3") have their own shape and engine.
        if liq_io::scenario_venue(&path).is_some_and(|v| liq_io::is_lending_venue(&v)) {
            let s = liq_io::load_lending_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                (10..=200).contains(&s.borrowers.len()),
                "{}: {} borrowers",
                path.display(),
                s.borrowers.len()
            );
            let out = liq_engine::LendingModel::new(&s).unwrap().report();
            out.lending.ledger.check().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        let scenario = liq_io::load_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
        // Hand-written books stay small; an example that generates its population per venue
        // (multi-venue.toml: the default's 120,000 accounts split between three venues) is as
        // large as the default scenario, which runs in well under a second.
        let generated = std::fs::read_to_string(&path).is_ok_and(|t| t.contains("[venues.population]"));
        let max = if generated { 200_000 } else { 200 };
        assert!(
            (10..=max).contains(&scenario.accounts.len()),
            "{}: {} accounts (examples stay small: 10–{max})",
            path.display(),
            scenario.accounts.len()
        );
        let model = EngineModel::new(&scenario).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut cascade = Cascade::new(&model);
        let before = cascade.ws.ledger_total();
        let report = cascade.report(&model);
        let after = cascade.ws.ledger_total();
        assert_eq!(before, after, "{}: ledger total changed", path.display());
        let s = &report.summary;
        println!(
            "{}: {} accounts, liquidated {:.0} USD (first-order {:.0}, amplification {:.2}, vs no-impact {:.2}), \
             {} rounds, fund {:.0} → {:.0}, ADL {:.0}, bad debt {:.0}",
            path.file_name().unwrap().to_string_lossy(),
            scenario.accounts.len(),
            s.liquidated_notional_usd,
            s.first_order_notional_usd,
            s.amplification,
            s.counterfactual_amplification,
            s.rounds,
            s.insurance_fund_start_usd,
            s.insurance_fund_end_usd,
            s.adl_notional_usd,
            s.bad_debt_usd
        );
        assert!(!s.round_cap_hit, "{}: round cap hit", path.display());
        // Each example is there to show a cascade: something must be liquidated.
        assert!(s.liquidated_notional_usd > 0.0, "{}: nothing liquidated", path.display());
    }
}
