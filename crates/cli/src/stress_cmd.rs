//! `liqcascade stress`: Monte Carlo through the time-stepped cascade, risk measures side by side;
//! `liqcascade merge`: the same summary from shard files.

use crate::args::{duration_flag, per_market, step_flag, steps_flag};
use crate::{table, InputError};
use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use liq_domain::Scenario;
use liq_engine::EngineModel;
use liq_stress::results::{merge_shards, write_csv, write_parquet, Shard};
use liq_stress::{run_paths, summarise, Copula, MonteCarloConfig, Portfolio, StressContext, StressSummary};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct StressArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Number of Monte Carlo paths.
    #[arg(long, default_value_t = 1000)]
    pub paths: u64,
    /// Horizon of each path (e.g. 900s, 15m, 1h).
    #[arg(long, default_value = "15m")]
    pub horizon: String,
    /// Step length of the time-stepped engine.
    #[arg(long, default_value = "1s")]
    pub step: String,
    /// Copula of the market returns: t (Student-t) or gaussian.
    #[arg(long, default_value = "t")]
    pub copula: String,
    /// Degrees of freedom of the t copula (> 2).
    #[arg(long, default_value_t = 4.0)]
    pub df: f64,
    /// Seed of the run (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Daily volatility per market, MARKET=VALUE (e.g. BTC=3.2%). Repeatable. Defaults come from
    /// the default scenario's population section; other scenarios must give every market.
    #[arg(long = "vol", value_name = "MARKET=VOL")]
    pub vols: Vec<String>,
    /// Pairwise correlation of all markets (one value: 0.8 or 80%).
    #[arg(long)]
    pub corr: Option<String>,
    /// Correlation matrix as a CSV file (n rows of n numbers, markets in scenario order).
    #[arg(long, value_name = "FILE.csv")]
    pub corr_file: Option<PathBuf>,
    /// Observed portfolio: `aggregate` (all accounts, default), `fund` (the insurance fund), or a
    /// CSV file with the header `market,size` (required) and one row per market (size in base
    /// units, negative = short; a repeated market is an error).
    #[arg(long, default_value = "aggregate")]
    pub portfolio: String,
    /// At most this many liquidations per step (the liquidation engine's throughput).
    #[arg(long)]
    pub throughput: Option<u32>,
    /// Run only shard i of n (`i/n`, 0-based); write it with --parquet and combine with `merge`.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
    /// Write per-path results as Parquet.
    #[arg(long, value_name = "FILE.parquet")]
    pub parquet: Option<PathBuf>,
    /// Write per-path results as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub csv: Option<PathBuf>,
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

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard files written by `stress --shard i/n --parquet FILE`.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Write the merged per-path results as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub csv: Option<PathBuf>,
    /// Write the merged per-path results as one Parquet file.
    #[arg(long, value_name = "FILE.parquet")]
    pub parquet: Option<PathBuf>,
    /// Print the result as one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// The `stress --json` document.
#[derive(Debug, Serialize)]
pub struct StressDocument<'a> {
    pub meta: StressMeta<'a>,
    pub summary: &'a StressSummary,
}

#[derive(Debug, Serialize)]
pub struct StressMeta<'a> {
    pub version: &'a str,
    pub scenario: &'a str,
    pub scenario_hash: &'a str,
    pub seed: u64,
    pub paths: u64,
    pub horizon_s: f64,
    pub steps: usize,
    pub copula: Copula,
    pub portfolio: &'a str,
    pub markets: &'a [String],
}

fn read_corr_file(path: &Path, n: usize) -> Result<Vec<Vec<f64>>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError(format!("{}: {e}", path.display())))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row: Result<Vec<f64>, _> = line.split(',').map(|x| x.trim().parse::<f64>()).collect();
        let row = row.map_err(|_| {
            InputError(format!("{}:{}: correlation row is not a list of numbers", path.display(), i + 1))
        })?;
        if row.len() != n {
            return Err(InputError(format!(
                "{}:{}: {} entries, expected {n} (one per market)",
                path.display(),
                i + 1,
                row.len()
            )));
        }
        rows.push(row);
    }
    if rows.len() != n {
        return Err(InputError(format!("{}: {} rows, expected {n}", path.display(), rows.len())));
    }
    Ok(rows)
}

fn read_portfolio(spec: &str, scenario: &Scenario) -> Result<Portfolio, InputError> {
    match spec {
        "aggregate" => return Ok(Portfolio::Aggregate),
        "fund" | "insurance-fund" => return Ok(Portfolio::InsuranceFund),
        _ => {}
    }
    let path = Path::new(spec);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| InputError(format!("--portfolio {spec}: {e}")))?;
    // The header is required and checked: without it the first position would be read as the
    // header and lost silently.
    let header = rdr.headers().map_err(|e| InputError(format!("{spec}:1: header: {e}")))?;
    let names: Vec<&str> = header.iter().collect();
    if names != ["market", "size"] {
        return Err(InputError(format!(
            "{spec}:1: header: expected `market,size`, got `{}`",
            names.join(",")
        )));
    }
    let mut positions = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| InputError(format!("{spec}:{line}: {e}")))?;
        let market = rec.get(0).unwrap_or("");
        let k = scenario
            .market_by_symbol(market)
            .ok_or_else(|| InputError(format!("{spec}:{line}: market: unknown market '{market}'")))?;
        let size_raw = rec.get(1).unwrap_or("");
        let size: f64 =
            size_raw.parse().ok().filter(|x: &f64| x.is_finite()).ok_or_else(|| {
                InputError(format!("{spec}:{line}: size: '{size_raw}' is not a finite number"))
            })?;
        // One row per market: a second row would be summed silently into one position.
        if positions.iter().any(|(m, _)| *m == k.idx()) {
            return Err(InputError(format!(
                "{spec}:{line}: market: {market} is already on an earlier row (one row per market)"
            )));
        }
        positions.push((k.idx(), size));
    }
    if positions.is_empty() {
        return Err(InputError(format!(
            "{spec}: no positions (header market,size then one row per position)"
        )));
    }
    Ok(Portfolio::Positions { name: format!("portfolio {}", path.display()), positions })
}

/// Builds the Monte Carlo configuration from the arguments.
fn config(args: &StressArgs, scenario: &Scenario, is_default: bool) -> Result<MonteCarloConfig, InputError> {
    let n = scenario.markets.len();
    liq_io::limits::check_paths(args.paths).map_err(|e| InputError(format!("--paths: {e}")))?;
    let horizon_s = duration_flag("horizon", &args.horizon)?;
    let step_s = step_flag("step", &args.step)?;
    let steps = steps_flag("horizon at this --step", horizon_s, step_s)?;
    let pop = is_default.then(liq_io::default_scenario::default_population_spec);
    let default_vols: Option<Vec<f64>> = pop.as_ref().map(|p| {
        scenario
            .markets
            .iter()
            .map(|m| p.markets.iter().find(|x| x.symbol == m.symbol).map(|x| x.daily_vol).unwrap_or(0.0))
            .collect()
    });
    let daily_vol = per_market(scenario, "vol", &args.vols, default_vols.as_deref())?;
    for (m, v) in scenario.markets.iter().zip(&daily_vol) {
        liq_io::limits::check_daily_vol(*v).map_err(|e| InputError(format!("--vol {}: {e}", m.symbol)))?;
    }
    let corr = args.corr.as_deref().map(|c| crate::args::fraction_flag("corr", c)).transpose()?;
    let correlation = match (&args.corr_file, corr, &pop) {
        (Some(f), _, _) => read_corr_file(f, n)?,
        (None, Some(rho), _) => uniform(n, rho),
        (None, None, Some(p)) => uniform(n, p.history.correlation),
        (None, None, None) if n == 1 => vec![vec![1.0]],
        _ => return Err(InputError("--corr or --corr-file is needed for this scenario's markets".into())),
    };
    let copula = match args.copula.to_ascii_lowercase().as_str() {
        "t" | "student" | "student-t" => Copula::StudentT { df: args.df },
        "gaussian" | "normal" => Copula::Gaussian,
        other => return Err(InputError(format!("--copula {other}: expected t or gaussian"))),
    };
    let cfg = MonteCarloConfig {
        paths: args.paths,
        horizon_s,
        steps,
        copula,
        daily_vol,
        correlation,
        seed: args.seed.unwrap_or(scenario.seed),
    };
    cfg.validate(n).map_err(|e| InputError(e.to_string()))?;
    liq_stress::CorrelationFactor::new(&cfg.correlation).map_err(|e| InputError(e.to_string()))?;
    Ok(cfg)
}

fn uniform(n: usize, rho: f64) -> Vec<Vec<f64>> {
    (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { rho }).collect()).collect()
}

pub fn progress(len: u64, quiet: bool, what: &str) -> ProgressBar {
    let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
    let pb = ProgressBar::with_draw_target(Some(len), target);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

pub fn run(args: StressArgs) -> Result<()> {
    let portfolio_file = match args.portfolio.as_str() {
        "aggregate" | "fund" | "insurance-fund" => None,
        file => Some(Path::new(file)),
    };
    crate::outputs::Outputs::default()
        .file("parquet", args.parquet.as_ref())
        .file_with_sidecar("csv", args.csv.as_ref())
        .report_flags(&args.out)
        .scenario(args.scenario.as_ref())
        .input(args.corr_file.as_deref())
        .input(portfolio_file)
        .input(args.book.accounts.as_deref())
        .check()?;
    let scenario = crate::book::load(args.scenario.as_ref(), args.venue.as_deref(), &args.book)?;
    let cfg = config(&args, &scenario, args.scenario.is_none())?;
    let portfolio = read_portfolio(&args.portfolio, &scenario)?;
    let model = EngineModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    let markets: Vec<String> = scenario.markets.iter().map(|m| m.symbol.clone()).collect();
    let ctx = StressContext {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(&scenario),
        markets: markets.clone(),
        config: cfg.clone(),
        portfolio: portfolio.label(),
        deltas_usd: portfolio.deltas_usd(&model),
        throughput_per_step: args.throughput,
    };
    let shard = match &args.shard {
        Some(s) => Shard::parse(s, cfg.paths).map_err(|e| InputError(e.to_string()))?,
        None => Shard { index: 0, count: 1, start: 0, end: cfg.paths },
    };
    let pb = progress(shard.end - shard.start, crate::quiet(), "paths");
    let rows = run_paths(&model, &cfg, &portfolio, shard.start..shard.end, args.throughput, &|n| pb.inc(n))
        .map_err(|e| InputError(e.to_string()))?;
    pb.finish_and_clear();
    if let Some(p) = &args.parquet {
        liq_io::output::write_file_via(p, |tmp| write_parquet(tmp, &ctx, shard, &rows))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &args.csv {
        liq_io::output::write_file_via(p, |tmp| write_csv(tmp, &markets, &rows))
            .with_context(|| format!("writing {}", p.display()))?;
        liq_io::output::write_sidecar_meta(p, &ctx)?;
    }
    if shard.count > 1 {
        if crate::quiet() {
            return Ok(());
        }
        eprintln!(
            "shard {}/{}: paths {}..{} done{}; combine the shards with `liqcascade merge`",
            shard.index,
            shard.count,
            shard.start,
            shard.end,
            if args.parquet.is_none() { " (no --parquet given: nothing written)" } else { "" }
        );
        return Ok(());
    }
    let summary = summarise(&ctx, &rows);
    if args.out.wanted() {
        // The Monte Carlo report: its settings and measures, the shock→loss curve and the
        // liquidation map of the book; no instant cascade (none was asked for), and the header
        // states the Monte Carlo settings instead of a shock.
        let meta = liq_io::output::RunMeta {
            version: ctx.version.clone(),
            scenario: ctx.scenario.clone(),
            scenario_hash: ctx.scenario_hash.clone(),
            seed: cfg.seed,
            venue: scenario.venue.name().to_string(),
            adl_policy: scenario.engine.adl_policy.name().to_string(),
            margin_tables: liq_io::output::margin_tables(&scenario),
            shock: Vec::new(),
        };
        let report = liq_engine::Cascade::new(&model).report(&model);
        let mut input = crate::report_cmd::assemble(&meta, &model, &report)?.with_stress(&ctx, &summary);
        input.cascade = None;
        input.leverage_maps.clear();
        crate::report_cmd::emit(&args.out, &input)?;
    }
    print_summary(&ctx, &summary, args.json)
}

fn print_summary(ctx: &StressContext, summary: &StressSummary, json: bool) -> Result<()> {
    if json {
        let doc = StressDocument {
            meta: StressMeta {
                version: &ctx.version,
                scenario: &ctx.scenario,
                scenario_hash: &ctx.scenario_hash,
                seed: ctx.config.seed,
                paths: ctx.config.paths,
                horizon_s: ctx.config.horizon_s,
                steps: ctx.config.steps,
                copula: ctx.config.copula,
                portfolio: &ctx.portfolio,
                markets: &ctx.markets,
            },
            summary,
        };
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        out!("{}", table::render_stress(ctx, summary))?;
    }
    Ok(())
}

pub fn merge(args: MergeArgs) -> Result<()> {
    let refs: Vec<&Path> = args.shards.iter().map(|p| p.as_path()).collect();
    refs.iter()
        .fold(crate::outputs::Outputs::default(), |o, p| o.input(Some(p)))
        .file_with_sidecar("csv", args.csv.as_ref())
        .file("parquet", args.parquet.as_ref())
        .check()?;
    let (ctx, rows) = merge_shards(&refs).map_err(|e| InputError(e.to_string()))?;
    if let Some(p) = &args.csv {
        liq_io::output::write_file_via(p, |tmp| write_csv(tmp, &ctx.markets, &rows))
            .with_context(|| format!("writing {}", p.display()))?;
        liq_io::output::write_sidecar_meta(p, &ctx)?;
    }
    if let Some(p) = &args.parquet {
        let whole = Shard { index: 0, count: 1, start: 0, end: ctx.config.paths };
        liq_io::output::write_file_via(p, |tmp| write_parquet(tmp, &ctx, whole, &rows))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    let summary = summarise(&ctx, &rows);
    print_summary(&ctx, &summary, args.json)
}
