//! The engine commands as Python functions, each the library calls the CLI command makes, with
//! the same option parsers (`liq_options`), so a result is the JSON the CLI writes with
//! `--json`. Every function releases the GIL while the engine runs (`py.allow_threads`): two
//! Python threads run two scenarios at once, and a Ray worker's other threads keep going.

use crate::arrow_export::ArrowBatch;
use crate::errors::{model_error, option_error, runtime, stress_error};
use crate::scenario::{Scenario, Source};
use liq_engine::{Cascade, EngineModel};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_engine_concurrency, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(stress, m)?)?;
    m.add_function(wrap_pyfunction!(stress_shard, m)?)?;
    m.add_function(wrap_pyfunction!(policies, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(network, m)?)?;
    m.add_function(wrap_pyfunction!(liquidation_map, m)?)?;
    Ok(())
}

/// Engine calls running now, and the most that ever ran at once (since the last reset). With
/// the GIL held no second call could enter while one runs; the test of the GIL release checks
/// that two calls from two Python threads are inside the engine together.
static IN_ENGINE: AtomicUsize = AtomicUsize::new(0);
static MAX_IN_ENGINE: AtomicUsize = AtomicUsize::new(0);

/// Counts one engine call for [`IN_ENGINE`] while it lives.
struct InEngine;

impl InEngine {
    fn enter() -> Self {
        let now = IN_ENGINE.fetch_add(1, Ordering::SeqCst) + 1;
        MAX_IN_ENGINE.fetch_max(now, Ordering::SeqCst);
        InEngine
    }
}

impl Drop for InEngine {
    fn drop(&mut self) {
        IN_ENGINE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `f` with the GIL released, counted in [`IN_ENGINE`].
pub fn engine<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> T {
    py.allow_threads(|| {
        let _in = InEngine::enter();
        f()
    })
}

/// (engine calls running now, the most at once since the last reset); `reset` starts a new
/// maximum. For tests of the GIL release.
#[pyfunction]
#[pyo3(signature = (reset=false))]
fn _engine_concurrency(reset: bool) -> (usize, usize) {
    let out = (IN_ENGINE.load(Ordering::SeqCst), MAX_IN_ENGINE.load(Ordering::SeqCst));
    if reset {
        MAX_IN_ENGINE.store(IN_ENGINE.load(Ordering::SeqCst), Ordering::SeqCst);
    }
    out
}

/// The options of `run` (the CLI's flags of the same names).
#[derive(Clone)]
struct RunOpts {
    shocks: Vec<String>,
    book_shocks: Vec<String>,
    path: liq_options::path::PathOptions,
    throughput: Option<u32>,
    /// Also compute the per-account risk table (`--accounts-out`): one pass over every account.
    accounts: bool,
}

/// `run` on one scenario: the `run --json` document, the event log and, when asked, the
/// per-account risk table (the columns of `--accounts-out`, `liq_io::account_risk_table`).
fn run_one(base: &liq_domain::Scenario, o: &RunOpts) -> PyResult<(String, ArrowBatch, Option<ArrowBatch>)> {
    let mut s = base.clone();
    liq_options::parse::apply_shocks(&mut s, &o.shocks, &o.book_shocks).map_err(option_error)?;
    let model = EngineModel::new(&s).map_err(model_error)?;
    let meta = liq_options::meta::run_meta(&s, &model);
    let mut cascade = Cascade::new(&model);
    let report = match liq_options::path::path_of(&o.path, &s, &model).map_err(option_error)? {
        Some(path) => {
            let opts = liq_engine::RunOptions { throughput_per_step: o.throughput, ..Default::default() };
            cascade.report_path(&model, &path, &opts)
        }
        None => cascade.report(&model),
    };
    let doc = liq_io::output::RunDocument::new(&meta, &report);
    let json = serde_json::to_string(&doc).map_err(runtime)?;
    let batch = liq_io::output::events_record_batch(&model, &report.outcome.events).map_err(runtime)?;
    let accounts = if o.accounts {
        let units = liq_network::units::unit_views(&model);
        let risks = liq_network::account_risk(&model, &units, &report.outcome);
        let batch = liq_io::account_risk_table::account_risk_record_batch(&risks).map_err(runtime)?;
        Some(ArrowBatch { batch })
    } else {
        None
    };
    Ok((json, ArrowBatch { batch }, accounts))
}

/// One instant shock through the round-based cascade, or a shock path with `crash_over` /
/// `replay`: (the `run --json` document as JSON text, the event log, the per-account risk table
/// if `accounts`).
#[pyfunction]
#[pyo3(signature = (scenario, shocks=Vec::new(), book_shocks=Vec::new(), crash_over=None, rebound=None,
                    rebound_over=None, step="1s".to_string(), throughput=None, replay=None, accounts=false))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    shocks: Vec<String>,
    book_shocks: Vec<String>,
    crash_over: Option<String>,
    rebound: Option<String>,
    rebound_over: Option<String>,
    step: String,
    throughput: Option<u32>,
    replay: Option<PathBuf>,
    accounts: bool,
) -> PyResult<(String, ArrowBatch, Option<ArrowBatch>)> {
    let s = &scenario.get().inner;
    let o = RunOpts {
        shocks,
        book_shocks,
        path: liq_options::path::PathOptions { replay, crash_over, rebound, rebound_over, step },
        throughput,
        accounts,
    };
    engine(py, || run_one(s, &o))
}

/// The same book under each venue preset: the scenario rebuilt from its source on each venue
/// (rulebook, mark rule, index and "preset" tier tables switch), then `run` with the same
/// options. Returns (venue name, JSON, event log) per venue, in the order given.
#[pyfunction]
#[pyo3(signature = (scenario, venues, shocks=Vec::new(), book_shocks=Vec::new(), crash_over=None,
                    rebound=None, rebound_over=None, step="1s".to_string(), throughput=None))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    venues: Vec<String>,
    shocks: Vec<String>,
    book_shocks: Vec<String>,
    crash_over: Option<String>,
    rebound: Option<String>,
    rebound_over: Option<String>,
    step: String,
    throughput: Option<u32>,
) -> PyResult<Vec<(String, String, ArrowBatch)>> {
    let source: &Source = &scenario.get().source;
    let o = RunOpts {
        shocks,
        book_shocks,
        path: liq_options::path::PathOptions { replay: None, crash_over, rebound, rebound_over, step },
        throughput,
        accounts: false,
    };
    let venues = venues
        .iter()
        .map(|v| liq_options::parse_venue(v).map_err(option_error))
        .collect::<PyResult<Vec<_>>>()?;
    engine(py, || {
        venues
            .iter()
            .map(|v| {
                let s = source.build(Some(*v))?;
                let (json, events, _) = run_one(&s, &o)?;
                Ok((v.name().to_string(), json, events))
            })
            .collect()
    })
}

/// The Monte Carlo options as `liq_options` takes them.
#[allow(clippy::too_many_arguments)]
fn stress_options(
    paths: u64,
    horizon: String,
    step: String,
    copula: String,
    df: f64,
    seed: Option<u64>,
    vols: Vec<String>,
    corr: Option<f64>,
    corr_file: Option<PathBuf>,
) -> liq_options::stress::StressOptions {
    liq_options::stress::StressOptions { paths, horizon, step, copula, df, seed, vols, corr, corr_file }
}

/// Everything a stress run (or one shard) needs, built as `stress` builds it.
struct Prepared {
    model: EngineModel,
    cfg: liq_stress::MonteCarloConfig,
    portfolio: liq_stress::Portfolio,
    ctx: liq_stress::StressContext,
}

fn prepare(
    sc: &Scenario,
    opts: &liq_options::stress::StressOptions,
    portfolio: &str,
    throughput: Option<u32>,
) -> PyResult<Prepared> {
    let s = &sc.inner;
    let cfg = liq_options::stress::config(opts, s, sc.source.is_default() && sc.venue.is_none())
        .map_err(option_error)?;
    let portfolio = liq_options::stress::read_portfolio(portfolio, s).map_err(option_error)?;
    let model = EngineModel::new(s).map_err(model_error)?;
    let ctx = liq_options::stress::context(s, &model, &cfg, &portfolio, throughput);
    Ok(Prepared { model, cfg, portfolio, ctx })
}

fn summary_json(
    ctx: &liq_stress::StressContext,
    rows: &[liq_stress::PathRow],
) -> PyResult<(String, ArrowBatch)> {
    let summary = liq_stress::summarise(ctx, rows);
    let json = serde_json::to_string(&liq_options::stress::document(ctx, &summary)).map_err(runtime)?;
    let batch = liq_stress::results::rows_record_batch(&ctx.markets, rows).map_err(runtime)?;
    Ok((json, ArrowBatch { batch }))
}

/// Monte Carlo stress test: (the `stress --json` document as JSON text, the per-path rows).
#[pyfunction]
#[pyo3(signature = (scenario, paths=1000, horizon="15m".to_string(), step="1s".to_string(),
                    copula="t".to_string(), df=4.0, seed=None, vols=Vec::new(), corr=None,
                    corr_file=None, portfolio="aggregate".to_string(), throughput=None, hedge=None))]
#[allow(clippy::too_many_arguments)]
fn stress(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    paths: u64,
    horizon: String,
    step: String,
    copula: String,
    df: f64,
    seed: Option<u64>,
    vols: Vec<String>,
    corr: Option<f64>,
    corr_file: Option<PathBuf>,
    portfolio: String,
    throughput: Option<u32>,
    hedge: Option<String>,
) -> PyResult<(String, ArrowBatch)> {
    let sc = scenario.get();
    let opts = stress_options(paths, horizon, step, copula, df, seed, vols, corr, corr_file);
    engine(py, || {
        let p = prepare(sc, &opts, &portfolio, throughput)?;
        let Some(h) = hedge.as_deref() else {
            let rows =
                liq_stress::run_paths(&p.model, &p.cfg, &p.portfolio, 0..p.cfg.paths, throughput, &|_| {})
                    .map_err(stress_error)?;
            return summary_json(&p.ctx, &rows);
        };
        // `hedge="delta:30s"`: the same parser, refusals and figures as `stress --hedge`.
        let settings = liq_options::hedge::parse_hedge(h).map_err(option_error)?;
        let refuse = |e: String| option_error(liq_options::OptionError(format!("--hedge {h}: {e}")));
        let spec = settings.spec(&p.portfolio, p.model.n_markets()).map_err(|e| refuse(e.to_string()))?;
        let hedged = p.model.with_desk_hedge(spec).map_err(|e| refuse(e.to_string()))?;
        let (rows, hrows) = liq_stress::hedge::run_hedged_paths(
            &p.model,
            &hedged,
            &p.cfg,
            &p.portfolio,
            0..p.cfg.paths,
            throughput,
            &|_| {},
        )
        .map_err(stress_error)?;
        let summary = liq_stress::summarise(&p.ctx, &rows);
        let h = liq_stress::hedge::summarise_hedge(settings, &rows, &hrows, p.cfg.seed);
        let mut doc = liq_options::stress::document(&p.ctx, &summary);
        doc.hedge = Some(&h);
        let json = serde_json::to_string(&doc).map_err(runtime)?;
        let batch = liq_stress::results::rows_record_batch(&p.ctx.markets, &rows).map_err(runtime)?;
        Ok((json, ArrowBatch { batch }))
    })
}

/// Mitigation policies on common random numbers: the `policies --json` document as JSON text
/// (the baseline first, then each policy case in the order given).
#[pyfunction]
#[pyo3(signature = (scenario, policies, paths=1000, horizon="15m".to_string(), step="1s".to_string(),
                    copula="t".to_string(), df=4.0, seed=None, vols=Vec::new(), corr=None,
                    corr_file=None, throughput=None))]
#[allow(clippy::too_many_arguments)]
fn policies(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    policies: Vec<String>,
    paths: u64,
    horizon: String,
    step: String,
    copula: String,
    df: f64,
    seed: Option<u64>,
    vols: Vec<String>,
    corr: Option<f64>,
    corr_file: Option<PathBuf>,
    throughput: Option<u32>,
) -> PyResult<String> {
    let sc = scenario.get();
    let opts = stress_options(paths, horizon, step, copula, df, seed, vols, corr, corr_file);
    engine(py, || {
        let base = &sc.inner;
        let cfg = liq_options::stress::config(&opts, base, sc.source.is_default() && sc.venue.is_none())
            .map_err(option_error)?;
        let mut cases = vec![base.clone()];
        let mut names = vec!["baseline".to_string()];
        for p in &policies {
            cases.push(liq_options::policies::apply_policy(p, base, &cfg).map_err(option_error)?);
            names.push(p.trim().to_string());
        }
        let models =
            cases.iter().map(EngineModel::new).collect::<Result<Vec<_>, _>>().map_err(model_error)?;
        let rows = liq_stress::policies::run_policy_paths(&models, &cfg, 0..cfg.paths, throughput, &|_| {})
            .map_err(stress_error)?;
        let cmp = liq_stress::policies::compare(&names, &rows, cfg.seed);
        let hash = liq_io::hash::scenario_hash(base);
        let doc = liq_options::policies::document(&cases, &cfg, &cmp, &hash, &base.name);
        serde_json::to_string(&doc).map_err(runtime)
    })
}

/// Shard `i/n` of a stress run as the bytes of the Parquet file `stress --shard i/n --parquet`
/// writes (context, shard range and row digest in its metadata), for `merge`.
#[pyfunction]
#[pyo3(signature = (scenario, shard, paths=1000, horizon="15m".to_string(), step="1s".to_string(),
                    copula="t".to_string(), df=4.0, seed=None, vols=Vec::new(), corr=None,
                    corr_file=None, portfolio="aggregate".to_string(), throughput=None))]
#[allow(clippy::too_many_arguments)]
fn stress_shard<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, Scenario>,
    shard: String,
    paths: u64,
    horizon: String,
    step: String,
    copula: String,
    df: f64,
    seed: Option<u64>,
    vols: Vec<String>,
    corr: Option<f64>,
    corr_file: Option<PathBuf>,
    portfolio: String,
    throughput: Option<u32>,
) -> PyResult<Bound<'py, PyBytes>> {
    let sc = scenario.get();
    let opts = stress_options(paths, horizon, step, copula, df, seed, vols, corr, corr_file);
    let bytes = engine(py, || -> PyResult<Vec<u8>> {
        let p = prepare(sc, &opts, &portfolio, throughput)?;
        let shard = liq_stress::results::Shard::parse(&shard, p.cfg.paths).map_err(stress_error)?;
        let rows = liq_stress::run_paths(
            &p.model,
            &p.cfg,
            &p.portfolio,
            shard.start..shard.end,
            throughput,
            &|_| {},
        )
        .map_err(stress_error)?;
        let dir = tempfile::tempdir().map_err(runtime)?;
        let file = dir.path().join("shard.parquet");
        liq_stress::results::write_parquet(&file, &p.ctx, shard, &rows).map_err(stress_error)?;
        std::fs::read(&file).map_err(runtime)
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// `merge`: shard files into the result of one run (the same document and rows as `stress`).
#[pyfunction]
fn merge(py: Python<'_>, files: Vec<PathBuf>) -> PyResult<(String, ArrowBatch)> {
    engine(py, || {
        let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
        let (ctx, rows) = liq_stress::results::merge_shards(&refs).map_err(stress_error)?;
        summary_json(&ctx, &rows)
    })
}

/// The `meta` object of `sweep --json` and `network --json`.
fn analysis_meta(s: &liq_domain::Scenario) -> serde_json::Value {
    serde_json::json!({"version": env!("CARGO_PKG_VERSION"), "scenario": s.name,
                       "scenario_hash": liq_io::hash::scenario_hash(s), "seed": s.seed})
}

fn market_index(s: &liq_domain::Scenario, market: &str) -> PyResult<usize> {
    s.market_by_symbol(market)
        .map(|id| id.idx())
        .ok_or_else(|| option_error(liq_options::OptionError(format!("--market {market}: unknown market"))))
}

/// The shock→loss curve of one market and its critical shock (`sweep --json`).
#[pyfunction]
#[pyo3(signature = (scenario, market="BTC".to_string(), from_="-1%".to_string(), to="-30%".to_string(),
                    points=30, threshold=2.0))]
fn sweep(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    market: String,
    from_: String,
    to: String,
    points: usize,
    threshold: f64,
) -> PyResult<String> {
    let s = &scenario.get().inner;
    engine(py, || {
        let k = market_index(s, &market)?;
        liq_io::limits::check_sweep_points(points)
            .map_err(|e| option_error(liq_options::OptionError(format!("--points: {e}"))))?;
        let from = liq_options::parse::fraction(&from_).map_err(option_error)?;
        let to = liq_options::parse::fraction(&to).map_err(option_error)?;
        if points < 2 || from == to || from.abs() >= 1.0 || to.abs() >= 1.0 {
            return Err(option_error(liq_options::OptionError(
                "sweep: need --points ≥ 2 and two different shocks between -100% and +100%".into(),
            )));
        }
        let model = EngineModel::new(s).map_err(model_error)?;
        let grid = liq_stress::paths::shock_grid(from, to, points);
        let cs = liq_stress::critical::critical_shock(&model, k, &grid, threshold, 1e-4);
        serde_json::to_string(&serde_json::json!({"meta": analysis_meta(s), "sweep": cs})).map_err(runtime)
    })
}

/// Exposure network, contagion matrix, DebtRank, open interest near liquidation (`network --json`).
#[pyfunction]
fn network(py: Python<'_>, scenario: &Bound<'_, Scenario>) -> PyResult<String> {
    let s = &scenario.get().inner;
    engine(py, || {
        let model = EngineModel::new(s).map_err(model_error)?;
        let opts = liq_network::report::NetworkOptions::default();
        let report = liq_network::report::analyse(&model, &opts).map_err(model_error)?;
        serde_json::to_string(&serde_json::json!({"meta": analysis_meta(s), "network": report}))
            .map_err(runtime)
    })
}

/// The liquidation map of one market (`map --json`).
#[pyfunction]
#[pyo3(signature = (scenario, market="BTC".to_string(), range="20%".to_string(), bin="1%".to_string(),
                    cascade=true))]
fn liquidation_map(
    py: Python<'_>,
    scenario: &Bound<'_, Scenario>,
    market: String,
    range: String,
    bin: String,
    cascade: bool,
) -> PyResult<String> {
    let s = &scenario.get().inner;
    engine(py, || {
        let k = market_index(s, &market)?;
        let frac = |flag: &str, v: &str| {
            liq_options::parse::fraction(v)
                .map_err(|e| option_error(liq_options::OptionError(format!("--{flag}: {}", e.0))))
        };
        let opts = liq_network::liqmap::MapOptions {
            range: frac("range", &range)?.abs(),
            bin_width: frac("bin", &bin)?.abs(),
            cascade,
        };
        liq_io::limits::map_bins(opts.range, opts.bin_width, opts.cascade).map_err(|e| {
            option_error(liq_options::OptionError(format!("--range {range} --bin {bin}: {e}")))
        })?;
        let model = EngineModel::new(s).map_err(model_error)?;
        let units = liq_network::units::unit_views(&model);
        let map = liq_network::liqmap::liquidation_map(&model, &units, k, &opts).map_err(model_error)?;
        let mut out = Vec::new();
        liq_network::liqmap::write_liquidation_map_json(&map, &mut out).map_err(runtime)?;
        String::from_utf8(out).map_err(runtime)
    })
}
