//! `liqcascade abm --experiment withdrawal|stops|matching`: the same shock under two arms that
//! differ in one switch, for one seed or (`--seeds A-B`) for every seed of a range — one seed is
//! one draw of the market, and whether a switch makes cascades larger is a statement about many.

use crate::abm_calib_cmd::AbmMeta;
use crate::table::{pct, usd};
use crate::InputError;
use anyhow::Result;
use liq_abm::experiments::{ArmSummary, Comparison};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;

/// One experiment's function: config, shock, seed, duration → the two arms.
pub type Experiment =
    fn(&liq_abm::AbmConfig, &liq_abm::ShockCfg, u64, f64) -> Result<Comparison, liq_abm::ConfigError>;

/// The experiment named on the command line.
pub fn by_name(name: &str) -> Result<Experiment, InputError> {
    match name {
        "withdrawal" => Ok(liq_abm::experiments::maker_withdrawal),
        "stops" => Ok(liq_abm::experiments::stop_clusters),
        "matching" => Ok(liq_abm::experiments::matching_rule),
        other => Err(InputError(format!("--experiment {other}: expected withdrawal, stops or matching"))),
    }
}

/// The two arms over all seeds.
#[derive(Debug, Serialize)]
struct ArmsTogether {
    labels: [String; 2],
    /// Liquidated notional summed over the seeds, per arm, USD.
    liquidated_notional_usd: [f64; 2],
    /// Seeds where the first arm liquidated more than the second.
    seeds_first_arm_larger: usize,
    /// Mean over the seeds of the lowest 1-s mid after the shock over the mid before it, − 1.
    mean_trough_after_shock: [f64; 2],
    /// Seeds where the first arm's trough was deeper.
    seeds_first_arm_deeper: usize,
}

fn together(runs: &[Comparison]) -> ArmsTogether {
    let arm = |c: &Comparison, k: usize| c.arms[k].clone();
    let sum = |k: usize, f: fn(&ArmSummary) -> f64| runs.iter().map(|c| f(&arm(c, k))).sum::<f64>();
    let n = runs.len().max(1) as f64;
    ArmsTogether {
        labels: runs.first().map(|c| [c.arms[0].label.clone(), c.arms[1].label.clone()]).unwrap_or_default(),
        liquidated_notional_usd: [0, 1].map(|k| sum(k, |a| a.liquidated_notional_usd)),
        seeds_first_arm_larger: runs
            .iter()
            .filter(|c| c.arms[0].liquidated_notional_usd > c.arms[1].liquidated_notional_usd)
            .count(),
        mean_trough_after_shock: [0, 1].map(|k| sum(k, |a| a.trough_after_shock) / n),
        seeds_first_arm_deeper: runs
            .iter()
            .filter(|c| c.arms[0].trough_after_shock < c.arms[1].trough_after_shock)
            .count(),
    }
}

#[derive(Serialize)]
struct ExperimentDocument<'a> {
    meta: &'a AbmMeta,
    runs: &'a [Comparison],
    together: &'a ArmsTogether,
}

/// Runs `experiment` for every seed (in parallel, gathered in seed order) and prints one table
/// (or `--json`): a row per seed and arm, then the arms over all seeds.
pub fn run(
    experiment: Experiment,
    cfg: &liq_abm::AbmConfig,
    shock: &liq_abm::ShockCfg,
    seeds: &[u64],
    duration_s: f64,
    meta: &AbmMeta,
    json: bool,
) -> Result<()> {
    use std::io::IsTerminal;
    let hidden = crate::quiet() || !std::io::stderr().is_terminal() || seeds.len() < 2;
    let pb = crate::stress_cmd::progress(seeds.len() as u64, hidden, "seeds");
    let runs: Vec<Comparison> = seeds
        .par_iter()
        .map(|&seed| {
            let c = experiment(cfg, shock, seed, duration_s).map_err(|e| InputError(e.to_string()));
            pb.inc(1);
            c
        })
        .collect::<Result<_, _>>()?;
    pb.finish_and_clear();
    let all = together(&runs);
    if json {
        if let [one] = runs.as_slice() {
            outln!("{}", serde_json::to_string_pretty(&crate::abm_calib_cmd::with_meta(meta, one))?)?;
        } else {
            let doc = ExperimentDocument { meta, runs: &runs, together: &all };
            outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        }
        return Ok(());
    }
    out!("{}", render(meta, shock, &runs, &all))?;
    Ok(())
}

fn render(meta: &AbmMeta, shock: &liq_abm::ShockCfg, runs: &[Comparison], all: &ArmsTogether) -> String {
    let mut o = String::new();
    let name = runs.first().map(|c| c.experiment.as_str()).unwrap_or("");
    let who = match (meta.seed, meta.seeds) {
        (_, Some([a, b])) => format!("seeds {a}–{b}"),
        (Some(s), None) => format!("seed {s}"),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        o,
        "experiment {name} · config {} ({}) · {who} · shock {} at {:.0} s over {:.0} s · {:.0} s each",
        meta.config_source,
        meta.config_hash,
        pct(shock.index_move),
        shock.at_s,
        shock.over_s,
        meta.duration_s
    );
    let _ = writeln!(
        o,
        "  {:>6} {:<16} {:>14} {:>10} {:>12} {:>12} {:>10}",
        "seed", "arm", "liquidated", "accounts", "ADL", "bad debt", "trough"
    );
    for c in runs {
        for a in &c.arms {
            let _ = writeln!(
                o,
                "  {:>6} {:<16} {:>14} {:>10} {:>12} {:>12} {:>10}",
                c.seed,
                a.label,
                usd(a.liquidated_notional_usd),
                a.accounts_liquidated,
                usd(a.adl_notional_usd),
                usd(a.bad_debt_usd),
                pct(a.trough_after_shock)
            );
        }
    }
    if runs.len() > 1 {
        let [l0, l1] = &all.labels;
        let [s0, s1] = all.liquidated_notional_usd;
        let _ = writeln!(
            o,
            "  over {} seeds: liquidated {} ({l0}) vs {} ({l1}), {:.2}×; {l0} larger on {} of {} seeds",
            runs.len(),
            usd(s0),
            usd(s1),
            if s1 > 0.0 { s0 / s1 } else { f64::NAN },
            all.seeds_first_arm_larger,
            runs.len()
        );
        let [t0, t1] = all.mean_trough_after_shock;
        let _ = writeln!(
            o,
            "  mean trough after the shock {} ({l0}) vs {} ({l1}); {l0} deeper on {} of {} seeds",
            pct(t0),
            pct(t1),
            all.seeds_first_arm_deeper,
            runs.len()
        );
    }
    o
}
