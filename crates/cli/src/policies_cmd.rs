//! `liqcascade policies`: the same Monte Carlo paths under the baseline and each `--policy`
//! (common random numbers), with paired intervals of each policy's difference from the baseline
//! (`liq_stress::policies`; docs/guide.md "Comparing mitigation policies").

use crate::InputError;
use anyhow::Result;
use clap::Args;
use liq_domain::Scenario;
use liq_engine::EngineModel;
use liq_stress::policies::{compare, run_policy_paths, PolicyComparison, METRICS};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PoliciesArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// A policy case, NAME[=VALUE] (repeatable; `+` joins several into one case): throttle=USD,
    /// breaker=MOVE/WINDOW/HALT, vol-margin=VOL, fund=SCALE, adl=pro-rata, mark-smoothing=DURATION,
    /// token-cap=USD.
    #[arg(long = "policy", value_name = "NAME[=VALUE]", required = true)]
    pub policies: Vec<String>,
    // The Monte Carlo paths: the same paths for every case.
    #[command(flatten)]
    pub mc: crate::stress_cmd::MonteCarloArgs,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Run on this venue preset instead of the scenario's (binance, bybit, hyperliquid, dydx).
    #[arg(long)]
    pub venue: Option<String>,
    #[command(flatten)]
    pub book: crate::book::BookArgs,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

pub fn run(args: PoliciesArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .report_flags(&args.out)
        .scenario(args.scenario.as_ref())
        .input(args.mc.corr_file.as_deref())
        .input(args.book.accounts.as_deref())
        .check()?;
    let base = crate::book::load(args.scenario.as_ref(), args.venue.as_deref(), &args.book)?;
    let opts = crate::stress_cmd::options(&args.mc)?;
    let cfg =
        liq_options::stress::config(&opts, &base, args.scenario.is_none()).map_err(|e| InputError(e.0))?;
    let mut cases: Vec<Scenario> = vec![base.clone()];
    let mut names = vec!["baseline".to_string()];
    for p in &args.policies {
        cases.push(liq_options::policies::apply_policy(p, &base, &cfg).map_err(|e| InputError(e.0))?);
        names.push(p.trim().to_string());
    }
    let models = cases
        .iter()
        .zip(&names)
        .map(|(s, n)| EngineModel::new(s).map_err(|e| InputError(format!("--policy {n}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let pb = crate::stress_cmd::progress(cfg.paths, crate::quiet(), "paths × policies");
    let rows = run_policy_paths(&models, &cfg, 0..cfg.paths, args.mc.throughput, &|n| pb.inc(n))
        .map_err(|e| InputError(e.to_string()))?;
    pb.finish_and_clear();
    let comparison = compare(&names, &rows, cfg.seed);
    let hash = liq_io::hash::scenario_hash(&base);
    if args.out.wanted() {
        let meta = liq_io::output::RunMeta {
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: base.name.clone(),
            scenario_hash: hash.clone(),
            seed: cfg.seed,
            venue: base.venue.name().to_string(),
            adl_policy: base.engine.adl_policy.name().to_string(),
            margin_tables: liq_io::output::margin_tables(&base),
            collateral_tables: liq_io::output::collateral_tables(&base),
            shock: Vec::new(),
        };
        let input = liq_report::ReportInput::new(meta).with_policies(&cfg, &comparison);
        crate::report_cmd::emit(&args.out, &input)?;
    }
    if args.json {
        let doc = liq_options::policies::document(&cases, &cfg, &comparison, &hash, &base.name);
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        out!("{}", render(&cfg, &comparison))?;
    }
    Ok(())
}

fn fmt(metric: &str, x: f64) -> String {
    if !x.is_finite() {
        return if x > 0.0 { "+inf".into() } else { "-inf".into() };
    }
    if metric == "overshoot" {
        format!("{:+.3}%", x * 100.0)
    } else {
        format!("{:.3}M", x / 1e6)
    }
}

/// The terminal table: per case and figure, mean and ES99 with the paired differences.
pub fn render(cfg: &liq_stress::MonteCarloConfig, cmp: &[PolicyComparison]) -> String {
    let mut s = format!(
        "Mitigation policies on {} common paths (horizon {} s, {} steps, seed {}); Δ = case − baseline, [95% paired interval]\n",
        cfg.paths, cfg.horizon_s, cfg.steps, cfg.seed
    );
    for c in cmp {
        s.push_str(&format!("\n{}\n", c.policy));
        s.push_str(&format!(
            "  {:<18} {:>12} {:>34} {:>12} {:>34}\n",
            "figure", "mean", "Δ mean", "ES99", "Δ ES99"
        ));
        for (i, m) in c.metrics.iter().enumerate() {
            let metric = METRICS[i];
            let iv = |lo: f64, hi: f64| format!("[{}, {}]", fmt(metric, lo), fmt(metric, hi));
            s.push_str(&format!(
                "  {:<18} {:>12} {:>34} {:>12} {:>34}\n",
                metric,
                fmt(metric, m.mean),
                format!(
                    "{} {}",
                    fmt(metric, m.mean_diff),
                    iv(m.mean_diff_interval.lo, m.mean_diff_interval.hi)
                ),
                fmt(metric, m.es99),
                format!(
                    "{} {}",
                    fmt(metric, m.es99_diff),
                    iv(m.es99_diff_interval.lo, m.es99_diff_interval.hi)
                ),
            ));
        }
    }
    s
}
