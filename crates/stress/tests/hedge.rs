//! The desk's delta hedge on Monte Carlo paths (`liq_stress::hedge`): the unhedged figures are
//! `stress`'s own on the same paths, a path's hedged loss is the book's loss on the hedged run
//! minus the hedge's P&L (checked against one run done separately), the hedge's orders feed the
//! cascade, and the rows are the same at one and four threads.

mod common;
use common::*;
use liq_engine::{Cascade, EngineModel, ExoPath, Labels, RunOptions};
use liq_stress::hedge::{run_hedged_paths, summarise_hedge, HedgeSettings};
use liq_stress::montecarlo::{draw_path, CorrelationFactor};
use liq_stress::{run_paths, Portfolio};

/// A desk long 20 BTC (delta $20,000 at 1000), hedged every 30 s, band 10%, ratio 1.
fn setup() -> (EngineModel, EngineModel, Portfolio, HedgeSettings) {
    let model = EngineModel::new(&fragile_one_market(200)).unwrap();
    let portfolio = Portfolio::Positions { name: "desk".into(), positions: vec![(0, 20.0)] };
    let settings = HedgeSettings { interval_s: 30.0, band: 0.1, ratio: 1.0 };
    let hedged = model.with_desk_hedge(settings.spec(&portfolio, 1).unwrap()).unwrap();
    (model, hedged, portfolio, settings)
}

#[test]
fn unhedged_rows_are_stress_rows_and_a_hedged_loss_is_book_minus_hedge() {
    let (model, hedged, portfolio, settings) = setup();
    let cfg = config_one_market(40);
    let (rows, hedge_rows) =
        run_hedged_paths(&model, &hedged, &cfg, &portfolio, 0..40, None, &|_| {}).unwrap();
    let plain = run_paths(&model, &cfg, &portfolio, 0..40, None, &|_| {}).unwrap();
    assert_eq!(rows, plain, "the unhedged side is stress's own run");
    // Path 3 by hand: one hedged run, the book's loss at its end mark minus the hedge's P&L.
    let factor = CorrelationFactor::new(&cfg.correlation).unwrap();
    let mut path = ExoPath { n_markets: 1, dt_s: cfg.dt_s(), levels: Vec::new() };
    draw_path(&cfg, &factor, &cfg.step_vol(), 3, &mut path);
    let opts = RunOptions { keep_events: false, keep_paths: false, ..RunOptions::default() };
    let (o, _) = Cascade::new(&hedged).simulate(&hedged, &path, &opts, Labels::AllFirstOrder);
    let d = o.desk_hedge.unwrap();
    let book = -20.0 * (o.markets[0].mark_end - 1000.0);
    let h = &hedge_rows[3];
    assert_eq!(h.loss_unhedged, rows[3].loss_c);
    assert!((h.loss_hedged - (book - d.pnl_usd)).abs() < 1e-9);
    assert!((h.hedge_cost_usd - d.impact_usd - d.fees_usd).abs() < 1e-12);
    // Every path hedges at t = 0: 20 BTC into 0.2-BTC levels walks 100 ticks, ≥ 1 rebalance.
    assert!(hedge_rows.iter().all(|r| r.rebalances >= 1 && r.hedge_cost_usd > 0.0));
    // Fully hedged from the first step, what is left of the loss is the hedge's cost and the
    // move of the first step before it: far smaller than the unhedged spread of losses.
    let s = summarise_hedge(settings, &rows, &hedge_rows, cfg.seed);
    let spread = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
    };
    let sd_un = spread(hedge_rows.iter().map(|r| r.loss_unhedged).collect());
    let sd_he = spread(hedge_rows.iter().map(|r| r.loss_hedged).collect());
    assert!(sd_he < 0.5 * sd_un, "hedged sd {sd_he} vs unhedged {sd_un}");
    assert!(s.mean_hedge_cost_usd > 0.0 && s.var99.diff_interval.lo <= s.var99.diff_interval.hi);
    assert!(s.mean_loss.diff_interval.contains(s.mean_loss.diff));
}

#[test]
fn the_same_rows_at_one_and_four_threads() {
    let (model, hedged, portfolio, _) = setup();
    let cfg = config_one_market(24);
    let run =
        |threads: usize| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| {
                run_hedged_paths(&model, &hedged, &cfg, &portfolio, 0..24, None, &|_| {}).unwrap()
            })
        };
    assert_eq!(run(1), run(4));
}
