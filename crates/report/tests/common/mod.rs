//! Shared fixtures: a small hand-written [`ReportInput`] with every part present (its numbers
//! are chosen, not computed, so snapshots do not move when the engine changes), and a report of
//! the example scenario `examples/single-market-isolated.toml` run through the engine.

#![allow(dead_code)]

use liq_engine::{Cascade, CascadeReport, EngineModel};
use liq_io::output::RunMeta;
use liq_report::input::*;
use std::path::PathBuf;

pub fn meta() -> ReportMeta {
    ReportMeta {
        version: "0.1.0".into(),
        scenario: "fixture".into(),
        scenario_hash: "0123456789abcdef".into(),
        seed: 7,
        venue: "binance".into(),
        shock: vec![("BTCUSDT".into(), -0.05), ("ETHUSDT".into(), 0.0)],
    }
}

fn ves(a: f64, var: f64, es: f64) -> VarEsRow {
    VarEsRow { alpha: a, var, es }
}

/// Two markets, three generations, 2 s rounds.
pub fn fixed_input() -> ReportInput {
    let cascade = CascadeSection {
        summary: Headline {
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
            insurance_fund_min_usd: 75_000.0,
            adl_notional_usd: 50_000.0,
            bad_debt_usd: 0.0,
            liquidation_fees_usd: 12_500.0,
            accounts_equity_change_usd: -300_000.0,
        },
        markets: vec![
            MarketLine {
                symbol: "BTCUSDT".into(),
                mark_start: 60_000.0,
                mark_after_shock: 57_000.0,
                mark_end: 56_430.0,
                mark_trough: 56_400.0,
                mark_trough_counterfactual: 57_000.0,
                overshoot: -0.01,
                first_order_notional_usd: 900_000.0,
                second_order_notional_usd: 400_000.0,
                liquidated_notional_usd: 1_300_000.0,
                counterfactual_notional_usd: 1_100_000.0,
                adl_notional_usd: 50_000.0,
                index_start: 60_000.0,
                index_end: 56_950.0,
                basis_end_bps: -9.0,
            },
            MarketLine {
                symbol: "ETHUSDT".into(),
                mark_start: 3_000.0,
                mark_after_shock: 3_000.0,
                mark_end: 2_985.0,
                mark_trough: 2_985.0,
                mark_trough_counterfactual: 3_000.0,
                overshoot: -0.005,
                first_order_notional_usd: 100_000.0,
                second_order_notional_usd: 100_000.0,
                liquidated_notional_usd: 200_000.0,
                counterfactual_notional_usd: 100_000.0,
                adl_notional_usd: 0.0,
                index_start: 3_000.0,
                index_end: 2_995.0,
                basis_end_bps: -33.4,
            },
        ],
        generations: vec![
            GenerationLine {
                generation: 0,
                notional_usd: 1_000_000.0,
                accounts: 8,
                events: 10,
                notional_by_market_usd: vec![900_000.0, 100_000.0],
            },
            GenerationLine {
                generation: 1,
                notional_usd: 400_000.0,
                accounts: 3,
                events: 4,
                notional_by_market_usd: vec![320_000.0, 80_000.0],
            },
            GenerationLine {
                generation: 2,
                notional_usd: 100_000.0,
                accounts: 1,
                events: 2,
                notional_by_market_usd: vec![80_000.0, 20_000.0],
            },
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
        ledger: None,
    };
    let side = |name: &str, nf: f64, c: f64| SideBySideRow {
        name: name.into(),
        no_feedback: vec![ves(0.99, nf, nf * 1.2), ves(0.999, nf * 1.5, nf * 1.6)],
        cascade: vec![ves(0.99, c, c * 1.2), ves(0.999, c * 1.5, c * 1.6)],
    };
    let stress = StressSection {
        paths: 1000,
        portfolio: "aggregate book (all accounts)".into(),
        linear: vec![ves(0.99, 200_000.0, 230_000.0), ves(0.999, 280_000.0, 300_000.0)],
        loss: side("portfolio loss (USD)", 250_000.0, 400_000.0),
        venue: vec![
            side("liquidated notional (USD)", 1_000_000.0, 1_800_000.0),
            side("bad debt (USD)", 0.0, 20_000.0),
            side("insurance fund drawdown (USD)", 10_000.0, 45_000.0),
            side("ADL notional (USD)", 0.0, 60_000.0),
        ],
        overshoot: vec![OvershootRow {
            market: "BTCUSDT".into(),
            drawdown_no_feedback: vec![ves(0.99, 0.05, 0.06), ves(0.999, 0.07, 0.08)],
            drawdown_cascade: vec![ves(0.99, 0.06, 0.075), ves(0.999, 0.09, 0.1)],
            mean_overshoot: -0.004,
        }],
        amplification: AmplificationRow {
            paths_with_liquidations: 640,
            mean: 1.3,
            median: 1.2,
            p99: 2.4,
            max: f64::INFINITY,
        },
        es99_cascade_over_linear: 480_000.0 / 276_000.0,
        es99_cascade_over_no_feedback: 1.6,
        narrative: "For the aggregate book, the cascade-adjusted 99% ES is 1.74× the linear figure.".into(),
    };
    let point = |shock: f64, liq: f64, first: f64, bad: f64| CurvePointRow {
        shock,
        liquidated_usd: liq,
        first_order_usd: first,
        amplification: if first > 0.0 { liq / first } else { 1.0 },
        bad_debt_usd: bad,
        adl_usd: 0.0,
        accounts_loss_usd: liq * 0.2,
        mark_end: shock * 1.1,
    };
    let critical = CriticalCurve {
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
    let bins = vec![
        MapBin {
            price_lo: 54_000.0,
            price_hi: 57_000.0,
            first_order_usd: 800_000.0,
            cumulative_first_order_usd: 1_000_000.0,
            cumulative_cascade_usd: Some(1_600_000.0),
        },
        MapBin {
            price_lo: 57_000.0,
            price_hi: 60_000.0,
            first_order_usd: 200_000.0,
            cumulative_first_order_usd: 200_000.0,
            cumulative_cascade_usd: Some(250_000.0),
        },
        MapBin {
            price_lo: 60_000.0,
            price_hi: 63_000.0,
            first_order_usd: 0.0,
            cumulative_first_order_usd: 0.0,
            cumulative_cascade_usd: None,
        },
    ];
    ReportInput {
        meta: meta(),
        cascade: Some(cascade),
        stress: Some(stress),
        critical: vec![critical],
        liquidation_maps: vec![LiquidationMapSection { market: "BTCUSDT".into(), mark: 60_000.0, bins }],
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
        shock: scenario.markets.iter().map(|m| m.symbol.clone()).zip(model.shock().iter().copied()).collect(),
    };
    (model, report, meta)
}
