//! `liqcascade stress`: Monte Carlo through the time-stepped cascade, risk measures side by side;
//! `liqcascade merge`: the same summary from shard files.

use crate::{table, InputError};
use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use liq_domain::Scenario;
use liq_engine::EngineModel;
use liq_stress::hedge::{run_hedged_paths, summarise_hedge, HedgeSummary};
use liq_stress::results::{merge_shards, write_csv, write_parquet, Shard};
use liq_stress::{run_paths, summarise, MonteCarloConfig, Portfolio, StressContext, StressSummary};
use std::path::{Path, PathBuf};

/// The Monte Carlo flags `stress` and `policies` share: the paths, their horizon and step, the
/// copula and the volatilities and correlations of the market returns, the seed and the
/// liquidation engine's throughput.
#[derive(Args, Debug)]
pub struct MonteCarloArgs {
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
    /// At most this many liquidations per step (the liquidation engine's throughput).
    #[arg(long)]
    pub throughput: Option<u32>,
}

#[derive(Args, Debug)]
pub struct StressArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub mc: MonteCarloArgs,
    /// Observed portfolio: `aggregate` (all accounts, default), `fund` (the insurance fund), or a
    /// CSV file with the header `market,size` (required) and one row per market (size in base
    /// units, negative = short; a repeated market is an error).
    #[arg(long, default_value = "aggregate")]
    pub portfolio: String,
    /// Hedge the portfolio's delta on every path through the perp books:
    /// `delta:INTERVAL[,band=X%][,ratio=R]` (e.g. `delta:30s,band=2%`). Needs `--portfolio FILE`;
    /// reports the loss hedged and unhedged on the same paths and the hedging cost.
    #[arg(long, value_name = "delta:INTERVAL[,band=X%][,ratio=R]")]
    pub hedge: Option<String>,
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
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

/// The options `liq_options::stress` parses, from the flags.
pub(crate) fn options(args: &MonteCarloArgs) -> Result<liq_options::stress::StressOptions, InputError> {
    Ok(liq_options::stress::StressOptions {
        paths: args.paths,
        horizon: args.horizon.clone(),
        step: args.step.clone(),
        copula: args.copula.clone(),
        df: args.df,
        seed: args.seed,
        vols: args.vols.clone(),
        // `--corr 80%` or `0.8`.
        corr: args.corr.as_deref().map(|c| crate::args::fraction_flag("corr", c)).transpose()?,
        corr_file: args.corr_file.clone(),
    })
}

/// Builds the Monte Carlo configuration from the arguments.
fn config(args: &StressArgs, scenario: &Scenario, is_default: bool) -> Result<MonteCarloConfig, InputError> {
    Ok(liq_options::stress::config(&options(&args.mc)?, scenario, is_default)?)
}

fn read_portfolio(spec: &str, scenario: &Scenario) -> Result<Portfolio, InputError> {
    Ok(liq_options::stress::read_portfolio(spec, scenario)?)
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
    let lending_file = args
        .scenario
        .as_deref()
        .and_then(liq_io::scenario_venue)
        .is_some_and(|v| liq_io::is_lending_venue(&v));
    if lending_file {
        return crate::lending_stress_cmd::run(args);
    }
    let portfolio_file = match args.portfolio.as_str() {
        "aggregate" | "fund" | "insurance-fund" => None,
        file => Some(Path::new(file)),
    };
    crate::outputs::Outputs::default()
        .file("parquet", args.parquet.as_ref())
        .file_with_sidecar("csv", args.csv.as_ref())
        .report_flags(&args.out)
        .scenario(args.scenario.as_ref())
        .input(args.mc.corr_file.as_deref())
        .input(portfolio_file)
        .input(args.book.accounts.as_deref())
        .check()?;
    let scenario = crate::book::load(args.scenario.as_ref(), args.venue.as_deref(), &args.book)?;
    let cfg = config(&args, &scenario, args.scenario.is_none())?;
    let portfolio = read_portfolio(&args.portfolio, &scenario)?;
    let model = EngineModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    let markets: Vec<String> = scenario.markets.iter().map(|m| m.symbol.clone()).collect();
    let ctx = liq_options::stress::context(&scenario, &model, &cfg, &portfolio, args.mc.throughput);
    let shard = match &args.shard {
        Some(s) => Shard::parse(s, cfg.paths).map_err(|e| InputError(e.to_string()))?,
        None => Shard { index: 0, count: 1, start: 0, end: cfg.paths },
    };
    let hedge = match args.hedge.as_deref() {
        Some(h) => {
            let settings = liq_options::hedge::parse_hedge(h).map_err(InputError::from)?;
            if shard.count > 1 {
                return Err(InputError(format!(
                    "--hedge {h} with --shard: shard files carry no hedge figures; run the paths unsharded"
                ))
                .into());
            }
            let spec = settings
                .spec(&portfolio, model.n_markets())
                .map_err(|e| InputError(format!("--hedge {h}: {e}")))?;
            let hedged = model.with_desk_hedge(spec).map_err(|e| InputError(format!("--hedge {h}: {e}")))?;
            Some((settings, hedged))
        }
        None => None,
    };
    let pb = progress(shard.end - shard.start, crate::quiet(), "paths");
    let (rows, hedge_rows) = match &hedge {
        Some((_, hedged)) => {
            let (rows, h) = run_hedged_paths(
                &model,
                hedged,
                &cfg,
                &portfolio,
                shard.start..shard.end,
                args.mc.throughput,
                &|n| pb.inc(n),
            )
            .map_err(|e| InputError(e.to_string()))?;
            (rows, Some(h))
        }
        None => (
            run_paths(&model, &cfg, &portfolio, shard.start..shard.end, args.mc.throughput, &|n| pb.inc(n))
                .map_err(|e| InputError(e.to_string()))?,
            None,
        ),
    };
    pb.finish_and_clear();
    let hedge_summary = hedge
        .as_ref()
        .zip(hedge_rows.as_ref())
        .map(|((settings, _), h)| summarise_hedge(*settings, &rows, h, cfg.seed));
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
            collateral_tables: liq_io::output::collateral_tables(&scenario),
            shock: Vec::new(),
        };
        let report = liq_engine::Cascade::new(&model).report(&model);
        let mut input = crate::report_cmd::assemble(&meta, &model, &report)?.with_stress(&ctx, &summary);
        input.hedge = hedge_summary.clone();
        input.cascade = None;
        input.leverage_maps.clear();
        crate::report_cmd::emit(&args.out, &input)?;
    }
    print_summary(&ctx, &summary, hedge_summary.as_ref(), args.json)
}

fn print_summary(
    ctx: &StressContext,
    summary: &StressSummary,
    hedge: Option<&HedgeSummary>,
    json: bool,
) -> Result<()> {
    if json {
        let mut doc = liq_options::stress::document(ctx, summary);
        doc.hedge = hedge;
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        out!("{}", table::render_stress(ctx, summary))?;
        if let Some(h) = hedge {
            out!("{}", crate::hedge_table::render_hedge(h))?;
        }
    }
    Ok(())
}

pub fn merge(args: MergeArgs) -> Result<()> {
    let refs: Vec<&Path> = args.shards.iter().map(|p| p.as_path()).collect();
    refs.iter()
        .fold(crate::outputs::Outputs::default(), |o, p| o.input(Some(p)))
        .file_with_sidecar("csv", args.csv.as_ref())
        .file("parquet", args.parquet.as_ref())
        .report_flags(&args.out)
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
    if args.out.wanted() {
        // The Monte Carlo report from the shards alone: the shard files carry the context but
        // not the scenario, so the report has the stress section and no book-derived parts
        // (shock→loss curve, liquidation map); `stress --report` on one machine has those too.
        let not_recorded =
            |s: &str| if s.is_empty() { "not recorded in the shards".to_string() } else { s.to_string() };
        let meta = liq_io::output::RunMeta {
            version: ctx.version.clone(),
            scenario: ctx.scenario.clone(),
            scenario_hash: ctx.scenario_hash.clone(),
            seed: ctx.config.seed,
            venue: not_recorded(&ctx.venue),
            adl_policy: not_recorded(&ctx.adl_policy),
            margin_tables: Vec::new(),
            shock: Vec::new(),
            collateral_tables: Vec::new(),
        };
        crate::report_cmd::emit(&args.out, &liq_report::ReportInput::new(meta).with_stress(&ctx, &summary))?;
    }
    print_summary(&ctx, &summary, None, args.json)
}
