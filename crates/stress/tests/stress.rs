//! Monte Carlo runs: identical for any thread count, shard+merge bit for bit equal to one run,
//! clear errors for malformed path files, and the cascade tail above the linear one on a fragile
//! book.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::EngineModel;
use liq_stress::results::{merge_shards, read_parquet, write_parquet, Shard};
use liq_stress::*;

fn ctx(model: &EngineModel, cfg: &MonteCarloConfig) -> StressContext {
    StressContext {
        version: "test".into(),
        scenario: "fragile".into(),
        scenario_hash: "h".into(),
        markets: model.markets.iter().map(|m| m.symbol.clone()).collect(),
        config: cfg.clone(),
        portfolio: Portfolio::Aggregate.label(),
        deltas_usd: Portfolio::Aggregate.deltas_usd(model),
        throughput_per_step: None,
        venue: "binance".into(),
        adl_policy: "venue".into(),
    }
}

#[test]
fn identical_for_one_and_two_threads() {
    let s = fragile(300);
    let model = EngineModel::new(&s).unwrap();
    let cfg = config(64);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run_paths(&model, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap())
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one, two);
    assert!(one.iter().any(|r| r.liquidated_c > 0.0), "the fragile book liquidates on some path");
}

#[test]
fn shards_merge_to_the_single_run_bit_for_bit() {
    let s = fragile(200);
    let model = EngineModel::new(&s).unwrap();
    let cfg = config(50);
    let c = ctx(&model, &cfg);
    let whole = run_paths(&model, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..3 {
        let sh = Shard::of(i, 3, cfg.paths).unwrap();
        let rows = run_paths(&model, &cfg, &Portfolio::Aggregate, sh.start..sh.end, None, &|_| {}).unwrap();
        let f = dir.path().join(format!("shard{i}.parquet"));
        write_parquet(&f, &c, sh, &rows).unwrap();
        files.push(f);
    }
    // Shards in any order.
    let refs: Vec<&std::path::Path> = files.iter().rev().map(|p| p.as_path()).collect();
    let (c2, merged) = merge_shards(&refs).unwrap();
    assert_eq!(c2, c);
    assert_eq!(merged, whole);
    assert_eq!(summarise(&c, &merged), summarise(&c, &whole));
    // A missing shard and a duplicated one are refused.
    let e = merge_shards(&refs[..2]).unwrap_err().to_string();
    assert!(e.contains("missing"), "{e}");
    let dup = [refs[0], refs[0], refs[1], refs[2]];
    let e = merge_shards(&dup).unwrap_err().to_string();
    assert!(e.contains("more than one shard"), "{e}");
    let (_, sh, _) = read_parquet(&files[1]).unwrap();
    assert_eq!(sh, Shard { index: 1, count: 3, start: 16, end: 33 });
}

#[test]
fn cascade_tail_exceeds_linear_on_a_fragile_book() {
    let s = fragile(400);
    let model = EngineModel::new(&s).unwrap();
    let cfg = config(400);
    let rows = run_paths(&model, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap();
    let sum = summarise(&ctx(&model, &cfg), &rows);
    assert!(sum.loss.cascade[0].es > sum.linear[0].es, "{}", sum.narrative);
    assert!(sum.loss.cascade[0].es >= sum.loss.no_feedback[0].es, "{}", sum.narrative);
    assert!(sum.narrative.contains("driven mainly by"));
}

#[test]
fn price_path_csv_errors_name_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let resolve =
        |m: &str| ["BTCUSDT", "ETHUSDT"].iter().find(|s| s.eq_ignore_ascii_case(m)).map(|s| s.to_string());
    let cases = [
        (
            "timestamp,market,price\n1000,BTCUSDT,100\n2000,DOGEUSDT,1\n",
            ":3: market: unknown market 'DOGEUSDT'",
        ),
        ("timestamp,market,price\n1000,BTCUSDT,abc\n", ":2: price: 'abc' is not a number"),
        ("timestamp,market,price\n1000,BTCUSDT,NaN\n", ":2: price: must be a positive finite number"),
        ("timestamp,market,price\n1000,BTCUSDT,100\n1000\n", ":3: row:"),
        ("timestamp,market,price\n5000,BTCUSDT,100\n4000,BTCUSDT,99\n", ":3: timestamp: goes back in time"),
        ("time,symbol,px\n1,BTCUSDT,1\n", ":1: header: expected columns timestamp,market,price"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let f = dir.path().join(format!("p{i}.csv"));
        std::fs::write(&f, text).unwrap();
        let e = liq_stress::paths::read_price_path(&f, resolve).unwrap_err().to_string();
        assert!(e.contains(want), "case {i}: {e}");
    }
}

#[test]
fn critical_shock_brackets_the_threshold() {
    let s = fragile(300);
    let model = EngineModel::new(&s).unwrap();
    let grid: Vec<f64> = (1..=30).map(|i| -0.005 * i as f64).collect();
    let cs = liq_stress::critical::critical_shock(&model, 0, &grid, 1.5, 1e-4);
    if let Some(x) = cs.critical_shock {
        // The bisection's answer reaches the threshold, and a shock 1e-4 smaller does not.
        let mut m = model.clone();
        let mut c = liq_engine::Cascade::new(&m);
        assert!(liq_stress::critical::evaluate(&mut m, &mut c, 0, x).amplification >= 1.5);
        let i = cs.curve.iter().position(|p| p.amplification >= 1.5).unwrap();
        if i > 0 {
            assert!(x < cs.curve[i - 1].shock + 1e-12 && x >= cs.curve[i].shock - 1e-12);
        }
    }
    assert_eq!(cs.curve.len(), 30);
}

/// `fragile` listed on two venues (Binance and Bybit rules), each account on one of them: paths
/// run on pools of 1 and 4 threads give identical results, with several venues' funds and ADL.
#[test]
fn several_venues_identical_for_one_and_four_threads() {
    let mut s = fragile(300);
    let n_m = s.markets.len();
    s.markets.extend(s.markets.clone());
    s.books.extend(s.books.clone());
    for (i, a) in s.accounts.iter_mut().enumerate() {
        if i % 2 == 1 {
            for p in &mut a.positions {
                p.market = MarketId(p.market.0 + n_m as u16);
            }
        }
    }
    s.impact.cross_impact.clear();
    s.shock = Shock::PerMarket(vec![0.0; 2 * n_m]);
    s.price = PriceFormation::static_index(2 * n_m);
    let venue = |name: &str, preset| VenueSpec {
        name: name.into(),
        preset,
        insurance_fund: Money::from_usd(1_000.0),
        mark: MarkRule::Venue,
    };
    s.venues = VenueMap {
        venues: vec![venue("a", VenuePreset::Binance), venue("b", VenuePreset::Bybit)],
        market_venue: (0..2 * n_m).map(|k| VenueId((k / n_m) as u16)).collect(),
    };
    let model = EngineModel::new(&s).unwrap();
    assert!(model.is_multi_venue());
    let mut cfg = config(48);
    // BTC and ETH on both venues: the same asset moves together (correlation 1 across venues).
    cfg.daily_vol = vec![0.08, 0.1, 0.08, 0.1];
    let c = |i: usize, j: usize| if i % 2 == j % 2 { 1.0 } else { 0.8 };
    cfg.correlation =
        (0..4).map(|i| (0..4).map(|j| c(i, j) * if i == j { 1.0 } else { 0.999 }).collect()).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run_paths(&model, &cfg, &Portfolio::Aggregate, 0..cfg.paths, None, &|_| {}).unwrap())
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one, four);
    assert!(one.iter().any(|r| r.liquidated_c > 0.0), "some path liquidates");
}
