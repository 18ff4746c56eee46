//! Mitigation policies on common random numbers (`liq_stress::policies`): the paired difference
//! and its interval worked by hand on three paths, the runner against one cascade run per path
//! and model done separately, and the same rows at one and four threads.

mod common;
use common::*;
use liq_engine::{Cascade, EngineModel, ExoPath, Labels, RunOptions};
use liq_stress::montecarlo::{draw_path, CorrelationFactor};
use liq_stress::policies::{compare, run_policy_paths, PolicyRow};

fn row(liquidated: f64) -> PolicyRow {
    PolicyRow {
        liquidated_usd: liquidated,
        overshoot: 0.0,
        fund_drawdown_usd: 0.0,
        adl_usd: 0.0,
        adl_overshoot_usd: 0.0,
        bad_debt_usd: 0.0,
    }
}

#[test]
fn hand_worked_paired_difference_on_three_paths() {
    // Baseline liquidates 1, 2, 3 (M USD) on paths 0–2, the policy 0.5, 2, 2: differences
    // d = (−0.5, 0, −1), mean −0.5, sample variance ((0)² + (0.5)² + (−0.5)²)/2 = 0.25, s = 0.5,
    // standard error 0.5/√3 = 0.288675; t(0.975, 2 df) = 4.302653, half-width 1.242069: the
    // interval is [−1.742069, 0.742069] (it straddles 0: three paths cannot tell).
    // ES99 over three paths is the worst path: 2 (policy) − 3 (baseline) = −1.
    let base = vec![row(1e6), row(2e6), row(3e6)];
    let pol = vec![row(0.5e6), row(2e6), row(2e6)];
    let c = compare(&["baseline".into(), "p".into()], &[base, pol], 7);
    let m = &c[1].metrics[0];
    assert_eq!(m.metric, "liquidated_usd");
    assert!((m.mean - 1.5e6).abs() < 1e-6);
    assert!((m.mean_diff + 0.5e6).abs() < 1e-6);
    assert!((m.mean_diff_interval.lo + 1.742069e6).abs() < 2.0, "{:?}", m.mean_diff_interval);
    assert!((m.mean_diff_interval.hi - 0.742069e6).abs() < 2.0, "{:?}", m.mean_diff_interval);
    assert!((m.es99_diff + 1e6).abs() < 1e-6);
    // The baseline against itself: every difference 0, both intervals the point.
    let b = &c[0].metrics[0];
    assert_eq!((b.mean_diff, b.mean_diff_interval.lo, b.mean_diff_interval.hi), (0.0, 0.0, 0.0));
    assert_eq!((b.es99_diff_interval.lo, b.es99_diff_interval.hi), (0.0, 0.0));
}

fn models() -> Vec<EngineModel> {
    let base = fragile_one_market(200);
    let mut throttle = base.clone();
    // 100 USD/s over 10 s steps: 1,000 USD a step, about one position of this book.
    throttle.policy.liquidation_throttle_usd_per_s = Some(100.0);
    let mut fund = base.clone();
    fund.policy.insurance_fund_scale = Some(10.0);
    [base, throttle, fund].iter().map(|s| EngineModel::new(s).unwrap()).collect()
}

#[test]
fn three_paths_match_separate_runs_and_the_hand_formula() {
    // Reference: each path drawn and run on its own for each model; the runner's rows and the
    // paired mean difference must be those runs' numbers.
    let models = models();
    let cfg = config_one_market(3);
    let rows = run_policy_paths(&models, &cfg, 0..3, None, &|_| {}).unwrap();
    let factor = CorrelationFactor::new(&cfg.correlation).unwrap();
    let opts =
        RunOptions { with_impact: true, keep_events: false, keep_paths: false, throughput_per_step: None };
    let mut path = ExoPath { n_markets: 1, dt_s: cfg.dt_s(), levels: Vec::new() };
    for (m, model) in models.iter().enumerate() {
        for p in 0..3u64 {
            draw_path(&cfg, &factor, &cfg.step_vol(), p, &mut path);
            let (o, _) = Cascade::new(model).simulate(model, &path, &opts, Labels::AllFirstOrder);
            assert_eq!(rows[m][p as usize], PolicyRow::of(&path, &o), "model {m} path {p}");
        }
    }
    let names: Vec<String> = ["baseline", "throttle", "fund"].iter().map(|s| s.to_string()).collect();
    let c = compare(&names, &rows, cfg.seed);
    for (pi, case) in c.iter().enumerate() {
        for (i, m) in case.metrics.iter().enumerate() {
            let d: Vec<f64> = (0..3).map(|p| rows[pi][p].get(i) - rows[0][p].get(i)).collect();
            let mean = d.iter().sum::<f64>() / 3.0;
            let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
            let half = 4.302_652_73 * sd / 3f64.sqrt();
            assert!((m.mean_diff - mean).abs() <= 1e-9 * mean.abs().max(1.0));
            assert!((m.mean_diff_interval.lo - (mean - half)).abs() <= 1e-6 * half.max(1.0));
            assert!((m.mean_diff_interval.hi - (mean + half)).abs() <= 1e-6 * half.max(1.0));
        }
    }
    assert!(rows[0].iter().any(|r| r.liquidated_usd > 0.0), "the fragile book liquidates");
}

#[test]
fn identical_rows_at_one_and_four_threads() {
    let models = models();
    let cfg = config_one_market(48);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run_policy_paths(&models, &cfg, 0..cfg.paths, None, &|_| {}).unwrap())
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one, four);
    // The throttle binds on this book: some path liquidates less, or later, than the baseline.
    assert!(one[1].iter().zip(&one[0]).any(|(t, b)| t != b), "the throttle changes some path");
}
