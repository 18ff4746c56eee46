//! The Monte Carlo options of `stress` (paths, horizon, step, copula, volatilities,
//! correlation, seed), the observed portfolio, the [`StressContext`] a run and its shards
//! record, and the `stress --json` document.

use crate::parse::{duration_flag, per_market, step_flag, steps_flag};
use crate::OptionError;
use liq_domain::Scenario;
use liq_engine::EngineModel;
use liq_stress::{Copula, MonteCarloConfig, Portfolio, StressContext, StressSummary};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The options of `stress`, as typed (the CLI's flags; defaults as the CLI's).
#[derive(Debug, Clone)]
pub struct StressOptions {
    /// `--paths`: Monte Carlo paths.
    pub paths: u64,
    /// `--horizon` of each path (`15m`).
    pub horizon: String,
    /// `--step` of the time-stepped engine (`1s`).
    pub step: String,
    /// `--copula`: `t` or `gaussian`.
    pub copula: String,
    /// `--df` of the t copula.
    pub df: f64,
    /// `--seed` (default: the scenario's).
    pub seed: Option<u64>,
    /// `--vol MARKET=VOL`, repeatable.
    pub vols: Vec<String>,
    /// `--corr`: one pairwise correlation.
    pub corr: Option<f64>,
    /// `--corr-file`: an n×n matrix as CSV.
    pub corr_file: Option<PathBuf>,
}

impl Default for StressOptions {
    fn default() -> Self {
        Self {
            paths: 1000,
            horizon: "15m".into(),
            step: "1s".into(),
            copula: "t".into(),
            df: 4.0,
            seed: None,
            vols: Vec::new(),
            corr: None,
            corr_file: None,
        }
    }
}

/// What a stress run records (in its JSON and in every shard file), built as `stress` builds it.
pub fn context(
    scenario: &Scenario,
    model: &EngineModel,
    cfg: &MonteCarloConfig,
    portfolio: &Portfolio,
    throughput_per_step: Option<u32>,
) -> StressContext {
    StressContext {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(scenario),
        markets: scenario.markets.iter().map(|m| m.symbol.clone()).collect(),
        config: cfg.clone(),
        portfolio: portfolio.label(),
        deltas_usd: portfolio.deltas_usd(model),
        throughput_per_step,
        venue: scenario.venue.name().to_string(),
        adl_policy: scenario.engine.adl_policy.name().to_string(),
    }
}

/// The `stress --json` document of a context and its summary.
pub fn document<'a>(ctx: &'a StressContext, summary: &'a StressSummary) -> StressDocument<'a> {
    StressDocument {
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
        hedge: None,
    }
}

/// The `stress --json` document.
#[derive(Debug, Serialize)]
pub struct StressDocument<'a> {
    pub meta: StressMeta<'a>,
    pub summary: &'a StressSummary,
    /// `--hedge`: the desk's hedge against the unhedged book on the same paths.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hedge: Option<&'a liq_stress::hedge::HedgeSummary>,
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

pub fn read_corr_file(path: &Path, n: usize) -> Result<Vec<Vec<f64>>, OptionError> {
    let text = std::fs::read_to_string(path).map_err(|e| OptionError(format!("{}: {e}", path.display())))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row: Result<Vec<f64>, _> = line.split(',').map(|x| x.trim().parse::<f64>()).collect();
        let row = row.map_err(|_| {
            OptionError(format!("{}:{}: correlation row is not a list of numbers", path.display(), i + 1))
        })?;
        if row.len() != n {
            return Err(OptionError(format!(
                "{}:{}: {} entries, expected {n} (one per market)",
                path.display(),
                i + 1,
                row.len()
            )));
        }
        rows.push(row);
    }
    if rows.len() != n {
        return Err(OptionError(format!("{}: {} rows, expected {n}", path.display(), rows.len())));
    }
    Ok(rows)
}

pub fn read_portfolio(spec: &str, scenario: &Scenario) -> Result<Portfolio, OptionError> {
    match spec {
        "aggregate" => return Ok(Portfolio::Aggregate),
        "fund" | "insurance-fund" => return Ok(Portfolio::InsuranceFund),
        _ => {}
    }
    let path = Path::new(spec);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| OptionError(format!("--portfolio {spec}: {e}")))?;
    // The header is required and checked: without it the first position would be read as the
    // header and lost silently.
    let header = rdr.headers().map_err(|e| OptionError(format!("{spec}:1: header: {e}")))?;
    let names: Vec<&str> = header.iter().collect();
    if names != ["market", "size"] {
        return Err(OptionError(format!(
            "{spec}:1: header: expected `market,size`, got `{}`",
            names.join(",")
        )));
    }
    let mut positions = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| OptionError(format!("{spec}:{line}: {e}")))?;
        let market = rec.get(0).unwrap_or("");
        let k = scenario
            .market_by_symbol(market)
            .ok_or_else(|| OptionError(format!("{spec}:{line}: market: unknown market '{market}'")))?;
        let size_raw = rec.get(1).unwrap_or("");
        let size: f64 = size_raw.parse().ok().filter(|x: &f64| x.is_finite()).ok_or_else(|| {
            OptionError(format!("{spec}:{line}: size: '{size_raw}' is not a finite number"))
        })?;
        // One row per market: a second row would be summed silently into one position.
        if positions.iter().any(|(m, _)| *m == k.idx()) {
            return Err(OptionError(format!(
                "{spec}:{line}: market: {market} is already on an earlier row (one row per market)"
            )));
        }
        positions.push((k.idx(), size));
    }
    if positions.is_empty() {
        return Err(OptionError(format!(
            "{spec}: no positions (header market,size then one row per position)"
        )));
    }
    Ok(Portfolio::Positions { name: format!("portfolio {}", path.display()), positions })
}

/// Builds the Monte Carlo configuration from the arguments.
pub fn config(
    args: &StressOptions,
    scenario: &Scenario,
    is_default: bool,
) -> Result<MonteCarloConfig, OptionError> {
    let n = scenario.markets.len();
    liq_io::limits::check_paths(args.paths).map_err(|e| OptionError(format!("--paths: {e}")))?;
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
        liq_io::limits::check_daily_vol(*v).map_err(|e| OptionError(format!("--vol {}: {e}", m.symbol)))?;
    }
    let correlation = match (&args.corr_file, args.corr, &pop) {
        (Some(f), _, _) => read_corr_file(f, n)?,
        (None, Some(rho), _) => uniform(n, rho),
        (None, None, Some(p)) => uniform(n, p.history.correlation),
        (None, None, None) if n == 1 => vec![vec![1.0]],
        _ => return Err(OptionError("--corr or --corr-file is needed for this scenario's markets".into())),
    };
    let copula = match args.copula.to_ascii_lowercase().as_str() {
        "t" | "student" | "student-t" => Copula::StudentT { df: args.df },
        "gaussian" | "normal" => Copula::Gaussian,
        other => return Err(OptionError(format!("--copula {other}: expected t or gaussian"))),
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
    cfg.validate(n).map_err(|e| OptionError(e.to_string()))?;
    liq_stress::CorrelationFactor::new(&cfg.correlation).map_err(|e| OptionError(e.to_string()))?;
    Ok(cfg)
}

pub fn uniform(n: usize, rho: f64) -> Vec<Vec<f64>> {
    (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { rho }).collect()).collect()
}
