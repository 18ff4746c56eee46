//! The network summary of a scenario: [`analyse`] builds the exposure graph, the contagion
//! matrix along the stress path, DebtRank rankings and the concentration table, and gathers them
//! in a serialisable [`NetworkReport`] for the CLI's `network` command.

use crate::concentration::{concentration, ConcentrationRow};
use crate::contagion::{contagion_with, ContagionMatrix, ShockRunner};
use crate::debtrank::{impact_graph, systemic_rankings, RankRow};
use crate::error::NetworkError;
use crate::exposure::{build_exposure_graph, ExposureGraph, MarketPairRow};
use crate::units::unit_views;
use liq_engine::EngineModel;
use serde::Serialize;

/// Settings of [`analyse`].
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NetworkOptions {
    /// Shock levels of the stress path (relative moves of one market at a time).
    pub shock_levels: Vec<f64>,
    /// The level whose matrix is the headline (must be one of `shock_levels`).
    pub headline_shock: f64,
    /// Accounts in the account–account overlap graph and in the DebtRank impact graph.
    pub top_accounts: usize,
    /// Reference move of a fully distressed market in the DebtRank impact graph.
    pub reference_move: f64,
    /// Distances to the trigger of the concentration table.
    pub concentration_thresholds: Vec<f64>,
    /// Rows in the rankings.
    pub top_ranked: usize,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        NetworkOptions {
            shock_levels: vec![-0.01, -0.02, -0.05],
            headline_shock: -0.02,
            top_accounts: 200,
            reference_move: 0.10,
            concentration_thresholds: vec![0.01, 0.02, 0.05],
            top_ranked: 10,
        }
    }
}

/// The network summary.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NetworkReport {
    pub markets: Vec<String>,
    pub accounts: usize,
    pub positions: usize,
    pub open_interest_usd: Vec<f64>,
    /// Market pairs ranked by cross-margin links.
    pub market_pairs: Vec<MarketPairRow>,
    /// The headline contagion matrix.
    pub contagion: ContagionMatrix,
    /// The matrix at each level of the stress path.
    pub contagion_path: Vec<ContagionMatrix>,
    pub systemic_accounts: Vec<RankRow>,
    pub systemic_markets: Vec<RankRow>,
    pub concentration: Vec<ConcentrationRow>,
    pub options: NetworkOptions,
}

fn validate(opts: &NetworkOptions) -> Result<(), NetworkError> {
    if opts.shock_levels.is_empty() {
        return Err(NetworkError::invalid("shock_levels", "at least one level"));
    }
    if !opts.shock_levels.contains(&opts.headline_shock) {
        return Err(NetworkError::invalid(
            "headline_shock",
            format!("{} is not one of shock_levels {:?}", opts.headline_shock, opts.shock_levels),
        ));
    }
    if !(opts.reference_move.is_finite() && opts.reference_move > 0.0) {
        return Err(NetworkError::invalid("reference_move", "must be finite and > 0"));
    }
    if opts.concentration_thresholds.iter().any(|t| !(t.is_finite() && *t >= 0.0)) {
        return Err(NetworkError::invalid("concentration_thresholds", "must be finite and ≥ 0"));
    }
    Ok(())
}

/// Everything [`analyse`] computes plus the graph, for callers that also export it.
pub fn analyse_with_graph(
    model: &EngineModel,
    opts: &NetworkOptions,
) -> Result<(NetworkReport, ExposureGraph), NetworkError> {
    validate(opts)?;
    let graph = build_exposure_graph(model, opts.top_accounts);
    let units = unit_views(model);
    let mut runner = ShockRunner::new(model);
    let base = runner.run(model, &vec![0.0; model.n_markets()]);
    let contagion_path = opts
        .shock_levels
        .iter()
        .map(|&h| contagion_with(model, &mut runner, &base, h))
        .collect::<Result<Vec<_>, _>>()?;
    let contagion = contagion_path
        .iter()
        .find(|c| c.shock == opts.headline_shock)
        .cloned()
        .ok_or_else(|| NetworkError::invalid("headline_shock", "not computed"))?;
    let ig = impact_graph(&graph, &units, opts.reference_move);
    let (mut systemic_accounts, mut systemic_markets) = systemic_rankings(&ig, &model.labels);
    systemic_accounts.truncate(opts.top_ranked);
    systemic_markets.truncate(opts.top_ranked);
    let report = NetworkReport {
        markets: graph.market_names.clone(),
        accounts: model.n_accounts(),
        positions: model.n_positions(),
        open_interest_usd: graph.open_interest_usd.clone(),
        market_pairs: graph.market_pairs(),
        contagion,
        contagion_path,
        systemic_accounts,
        systemic_markets,
        concentration: concentration(model, &units, &opts.concentration_thresholds),
        options: opts.clone(),
    };
    Ok((report, graph))
}

/// The network summary of a model (see the crate doc for each part's method).
pub fn analyse(model: &EngineModel, opts: &NetworkOptions) -> Result<NetworkReport, NetworkError> {
    analyse_with_graph(model, opts).map(|r| r.0)
}

/// Writes the report as pretty JSON.
pub fn write_report_json(report: &NetworkReport, w: impl std::io::Write) -> Result<(), NetworkError> {
    serde_json::to_writer_pretty(w, report)?;
    Ok(())
}
