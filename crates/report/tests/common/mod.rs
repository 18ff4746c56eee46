//! Shared fixtures: a small hand-written [`ReportInput`] with every part present (its numbers
//! are chosen, not computed, so snapshots do not move when the engine changes), and a report of
//! the example scenario `examples/single-market-isolated.toml` run through the engine.

#![allow(dead_code)]

use liq_engine::{Cascade, CascadeReport, EngineModel};
use liq_engine::{GenerationRow, MarketRow, Summary};
use liq_io::output::RunMeta;
use liq_network::liqmap::{LiquidationMap, MapBin, MapOptions};
use liq_report::input::*;
use liq_stress::critical::{CriticalShock, CurvePoint};
use liq_stress::interval::Interval;
use liq_stress::risk::VarEs;
use liq_stress::summary::{AmplificationStats, IntervalSettings, Overshoot, PairedLoss, SideBySide};
use liq_stress::{StressContext, StressSummary};
use std::path::PathBuf;

pub fn meta() -> ReportMeta {
    ReportMeta {
        version: "0.1.0".into(),
        scenario: "fixture".into(),
        scenario_hash: "0123456789abcdef".into(),
        seed: 7,
        venue: "binance".into(),
        adl_policy: "venue".into(),
        margin_tables: Vec::new(),
        collateral_tables: Vec::new(),
        shock: vec![("BTCUSDT".into(), -0.05), ("ETHUSDT".into(), 0.0)],
    }
}

fn ves(a: f64, var: f64, es: f64) -> VarEs {
    VarEs {
        alpha: a,
        var,
        es,
        tail_paths: Some(if a < 0.995 { 10 } else { 1 }),
        var_ci: Some(Interval { lo: var * 0.9, hi: if a < 0.995 { var * 1.1 } else { f64::INFINITY } }),
        es_ci: Some(Interval { lo: es * 0.85, hi: es * 1.15 }),
    }
}

#[allow(clippy::too_many_arguments)]
fn market(
    symbol: &str,
    start: f64,
    after: f64,
    end: f64,
    first: f64,
    second: f64,
    cf: f64,
    adl: f64,
) -> MarketRow {
    MarketRow {
        symbol: symbol.into(),
        venue: None,
        mark_start: start,
        mark_after_shock: after,
        mark_end: end,
        overshoot: end / after - 1.0,
        exogenous_move: after / start - 1.0,
        overshoot_beyond_exogenous: end / after - 1.0,
        first_order_notional_usd: first,
        second_order_notional_usd: second,
        liquidated_notional_usd: first + second,
        counterfactual_notional_usd: cf,
        adl_notional_usd: adl,
        adl_deficit_usd: 0.0,
        adl_overshoot_usd: 0.0,
        collateral_sold_usd: 0.0,
        index_start: start,
        index_end: after,
        basis_end_bps: (end / after - 1.0) * 1e4,
        arb_perp_bought_usd: 0.0,
        arb_perp_sold_usd: 0.0,
        book_exhausted: None,
        funding_rates: Vec::new(),
        funding_paid_usd: None,
        maker_hedge_usd: 0.0,
    }
}

/// Two markets, three generations, 2 s rounds.
pub fn fixed_input() -> ReportInput {
    let cascade = CascadeSection {
        summary: Summary {
            first_order_notional_usd: 1_000_000.0,
            second_order_notional_usd: 500_000.0,
            liquidated_notional_usd: 1_500_000.0,
            amplification: 1.5,
            counterfactual_notional_usd: 1_200_000.0,
            counterfactual_amplification: 1.25,
            accounts_liquidated: 12,
            rounds: 3,
            round_cap_hit: false,
            insurance_fund_start_usd: 100_000.0,
            insurance_fund_end_usd: 80_000.0,
            adl_notional_usd: 50_000.0,
            adl_deficit_usd: 0.0,
            adl_overshoot_usd: 0.0,
            adl_counterparties: 0,
            collateral_sold_usd: 0.0,
            bad_debt_usd: 0.0,
        },
        extras: RunExtras {
            insurance_fund_min_usd: 75_000.0,
            liquidation_fees_usd: 12_500.0,
            accounts_equity_change_usd: -300_000.0,
        },
        path_run: false,
        markets: vec![
            market("BTCUSDT", 60_000.0, 57_000.0, 56_430.0, 900_000.0, 400_000.0, 1_100_000.0, 50_000.0),
            market("ETHUSDT", 3_000.0, 3_000.0, 2_985.0, 100_000.0, 100_000.0, 100_000.0, 0.0),
        ],
        troughs: vec![
            Trough { cascade: 56_400.0, counterfactual: 57_000.0, peak: 60_000.0 },
            Trough { cascade: 2_985.0, counterfactual: 3_000.0, peak: 3_000.0 },
        ],
        generations: vec![
            GenerationRow { generation: 0, notional_usd: 1_000_000.0, accounts: 8, events: 10 },
            GenerationRow { generation: 1, notional_usd: 400_000.0, accounts: 3, events: 4 },
            GenerationRow { generation: 2, notional_usd: 100_000.0, accounts: 1, events: 2 },
        ],
        notional_by_market_usd: vec![
            vec![900_000.0, 100_000.0],
            vec![320_000.0, 80_000.0],
            vec![80_000.0, 20_000.0],
        ],
        step_s: 2.0,
        paths: vec![
            PricePath {
                symbol: "BTCUSDT".into(),
                cascade: vec![
                    (-2.0, 60_000.0),
                    (0.0, 57_000.0),
                    (2.0, 56_600.0),
                    (4.0, 56_400.0),
                    (6.0, 56_430.0),
                ],
                counterfactual: vec![(-2.0, 60_000.0), (0.0, 57_000.0), (2.0, 57_000.0)],
            },
            PricePath {
                symbol: "ETHUSDT".into(),
                cascade: vec![
                    (-2.0, 3_000.0),
                    (0.0, 3_000.0),
                    (2.0, 2_990.0),
                    (4.0, 2_985.0),
                    (6.0, 2_985.0),
                ],
                counterfactual: vec![(-2.0, 3_000.0), (0.0, 3_000.0), (2.0, 3_000.0)],
            },
        ],
        liquidations: vec![
            LiquidationMarker {
                market: 0,
                generation: 0,
                time_s: 0.0,
                mark: 57_000.0,
                avg_price: 56_900.0,
                notional_usd: 900_000.0,
                events: 9,
            },
            LiquidationMarker {
                market: 0,
                generation: 1,
                time_s: 2.0,
                mark: 56_600.0,
                avg_price: 56_500.0,
                notional_usd: 320_000.0,
                events: 3,
            },
            LiquidationMarker {
                market: 1,
                generation: 2,
                time_s: 4.0,
                mark: 2_985.0,
                avg_price: 2_980.0,
                notional_usd: 20_000.0,
                events: 1,
            },
        ],
        fund: vec![
            FundPoint { time_s: -2.0, fund_usd: 100_000.0, adl_cum_usd: 0.0 },
            FundPoint { time_s: 0.0, fund_usd: 90_000.0, adl_cum_usd: 0.0 },
            FundPoint { time_s: 2.0, fund_usd: 75_000.0, adl_cum_usd: 50_000.0 },
            FundPoint { time_s: 4.0, fund_usd: 80_000.0, adl_cum_usd: 50_000.0 },
        ],
        fund_counterfactual: vec![(-2.0, 100_000.0), (0.0, 95_000.0), (2.0, 95_000.0)],
        bad_debt: vec![(-2.0, 0.0), (0.0, 0.0), (2.0, 4_000.0), (4.0, 4_000.0)],
        ledger: None,
    };
    let side = |name: &str, nf: f64, c: f64| SideBySide {
        name: name.into(),
        no_feedback: vec![ves(0.99, nf, nf * 1.2), ves(0.999, nf * 1.5, nf * 1.6)],
        cascade: vec![ves(0.99, c, c * 1.2), ves(0.999, c * 1.5, c * 1.6)],
    };
    let summary = StressSummary {
        paths: 1000,
        portfolio: "aggregate book (all accounts)".into(),
        linear: vec![
            VarEs { alpha: 0.99, var: 200_000.0, es: 230_000.0, tail_paths: None, var_ci: None, es_ci: None },
            VarEs {
                alpha: 0.999,
                var: 280_000.0,
                es: 300_000.0,
                tail_paths: None,
                var_ci: None,
                es_ci: None,
            },
        ],
        loss: side("portfolio loss (USD)", 250_000.0, 400_000.0),
        venue: vec![
            side("liquidated notional (USD)", 1_000_000.0, 1_800_000.0),
            side("bad debt (USD)", 0.0, 20_000.0),
            side("insurance fund drawdown (USD)", 10_000.0, 45_000.0),
            side("ADL notional (USD)", 0.0, 60_000.0),
        ],
        overshoot: vec![Overshoot {
            market: "BTCUSDT".into(),
            drawdown_no_feedback: vec![ves(0.99, 0.05, 0.06), ves(0.999, 0.07, 0.08)],
            drawdown_cascade: vec![ves(0.99, 0.06, 0.075), ves(0.999, 0.09, 0.1)],
            mean_overshoot: -0.004,
        }],
        amplification: AmplificationStats {
            paths_with_liquidations: 640,
            mean: 1.3,
            median: 1.2,
            p99: 2.4,
            max: f64::INFINITY,
        },
        es99_cascade_over_linear: 480_000.0 / 230_000.0,
        es99_cascade_over_linear_ci: Interval { lo: 1.77, hi: 2.4 },
        es99_cascade_over_no_feedback: 1.6,
        es99_cascade_over_no_feedback_ci: Interval { lo: 1.4, hi: 1.8 },
        paired: PairedLoss {
            paths_cascade_worse: 700,
            paths_cascade_better: 100,
            share_cascade_worse: 0.7,
            share_cascade_worse_ci: Interval { lo: 0.67, hi: 0.73 },
            mean_difference_usd: 20_000.0,
            es99_difference_ci: Interval { lo: 100_000.0, hi: 260_000.0 },
        },
        intervals: IntervalSettings {
            level: 0.95,
            var_method: "order statistics".into(),
            es_method: "percentile bootstrap".into(),
            bootstrap_resamples: 1000,
            min_tail_paths: 100,
        },
        warnings: vec!["16 figures at 99% rest on 10 tail paths (fewer than 100)".into()],
        narrative: "For the aggregate book, the cascade-adjusted 99% ES is 2.09× the linear figure.".into(),
    };
    let context = StressContext {
        version: "0.1.0".into(),
        scenario: "fixture".into(),
        scenario_hash: "0123456789abcdef".into(),
        markets: vec!["BTCUSDT".into(), "ETHUSDT".into()],
        config: liq_stress::MonteCarloConfig {
            paths: 1000,
            horizon_s: 900.0,
            steps: 900,
            copula: liq_stress::Copula::StudentT { df: 4.0 },
            daily_vol: vec![0.032, 0.035],
            correlation: vec![vec![1.0, 0.8], vec![0.8, 1.0]],
            seed: 7,
        },
        portfolio: "aggregate book (all accounts)".into(),
        deltas_usd: vec![1e6, -2e5],
        throughput_per_step: None,
        venue: "binance".into(),
        adl_policy: "venue".into(),
    };
    let stress = StressSection { context, summary };
    let point = |shock: f64, liq: f64, first: f64, bad: f64| CurvePoint {
        shock,
        liquidated_usd: liq,
        first_order_usd: first,
        amplification: if first > 0.0 { liq / first } else { 1.0 },
        bad_debt_usd: bad,
        adl_usd: 0.0,
        accounts_loss_usd: liq * 0.2,
        mark_end: shock * 1.1,
    };
    let critical = CriticalShock {
        market: "BTCUSDT".into(),
        threshold: 2.0,
        critical_shock: Some(-0.06),
        curve: vec![
            point(-0.02, 100_000.0, 100_000.0, 0.0),
            point(-0.04, 500_000.0, 400_000.0, 0.0),
            point(-0.06, 2_000_000.0, 900_000.0, 10_000.0),
            point(-0.08, 5_000_000.0, 1_500_000.0, 80_000.0),
        ],
    };
    let bin = |lo: f64, long: f64, cum: f64, casc: Option<f64>| MapBin {
        price_lo: lo,
        price_hi: lo + 3_000.0,
        long_usd: long,
        short_usd: 0.0,
        edge_price: lo,
        cumulative_first_order_usd: cum,
        cumulative_cascade_usd: casc,
        cascade_all_markets_usd: casc,
        cascade_mark_end: None,
    };
    let bins = vec![
        bin(54_000.0, 800_000.0, 1_000_000.0, Some(1_600_000.0)),
        bin(57_000.0, 200_000.0, 200_000.0, Some(250_000.0)),
        bin(60_000.0, 0.0, 0.0, None),
    ];
    let map = LiquidationMap {
        market: "BTCUSDT".into(),
        mark: 60_000.0,
        options: MapOptions::default(),
        bins,
        levels: Vec::new(),
        below_grid_usd: 0.0,
        above_grid_usd: 0.0,
    };
    let leverage = liq_report::input::leverage_map(
        "BTCUSDT",
        60_000.0,
        vec![54_000.0, 57_000.0, 60_000.0, 63_000.0],
        [(55_000.0, 500_000.0, 20.0), (56_000.0, 300_000.0, 8.0), (58_000.0, 200_000.0, 4.0)],
        (56_400.0, 60_000.0),
    );
    ReportInput {
        meta: meta(),
        cascade: Some(cascade),
        stress: Some(stress),
        critical: vec![critical],
        liquidation_maps: vec![map],
        leverage_maps: vec![leverage],
        sensitivity: None,
        lending: None,
        comparison: None,
        network: None,
        firesale: None,
        abm: None,
        replay: None,
        hedge: None,
        channels: None,
        policies: None,
    }
}

pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)
}

/// The example scenario's model, cascade report and run metadata.
pub fn engine_report(name: &str) -> (EngineModel, CascadeReport, RunMeta) {
    let scenario = liq_io::load_scenario(&example(name)).expect("example loads");
    let model = EngineModel::new(&scenario).expect("model");
    let report = Cascade::new(&model).report(&model);
    let meta = RunMeta {
        version: "test".into(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(&scenario),
        seed: scenario.seed,
        venue: scenario.venue.name().to_string(),
        adl_policy: scenario.engine.adl_policy.name().to_string(),
        margin_tables: Vec::new(),
        collateral_tables: Vec::new(),
        shock: scenario.markets.iter().map(|m| m.symbol.clone()).zip(model.shock().iter().copied()).collect(),
    };
    (model, report, meta)
}

/// A hand-made tornado: three parameters, one of them moving both ends the same way.
pub fn sensitivity() -> liq_stress::sensitivity::Sensitivity {
    use liq_stress::sensitivity::{Sensitivity, SensitivityRow};
    let row = |p: &str, lo: f64, hi: f64| SensitivityRow {
        parameter: p.into(),
        low: "×0.5".into(),
        high: "×2".into(),
        second_order_low_usd: lo,
        second_order_high_usd: hi,
        liquidated_low_usd: lo + 1e6,
        liquidated_high_usd: hi + 1e6,
        swing_usd: (hi - lo).abs(),
    };
    Sensitivity {
        second_order_base_usd: 500_000.0,
        liquidated_base_usd: 1_500_000.0,
        rows: vec![
            row("depth scale", 1_400_000.0, 120_000.0),
            row("resilience τ", 650_000.0, 380_000.0),
            row("withdrawal sensitivity", 520_000.0, 610_000.0),
        ],
        skipped: vec!["arbitrage (the scenario has no arbitrage capacity)".into()],
    }
}
