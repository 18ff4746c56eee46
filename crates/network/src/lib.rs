//! Network analysis of a liquidation-cascade scenario, and of institutions outside exchanges.
//!
//! This crate owns every analysis that looks at the scenario as a network rather than as one
//! cascade run. It reads the engine only through its public model API and runs it as a black
//! box (`liq-engine`); it knows nothing of files above its own inputs (the CLI wires it).
//!
//! - [`exposure`]: accounts × markets bipartite graph (petgraph) and its market–market and
//!   account–account projections; [`export`] writes any of them as GraphML, DOT or JSON.
//! - [`contagion`]: the contagion matrix by finite differences of engine runs, its spectral
//!   radius and Perron vectors ([`matrix`]), and how it changes along a stress path.
//! - [`debtrank`](mod@debtrank): DebtRank (Battiston et al. 2012) and the account/market impact graph;
//!   [`concentration`](mod@concentration): open interest within 1/2/5% of its liquidation trigger.
//! - [`liqmap`]: the liquidation map per market, first-order and with the cascade.
//! - [`firesale`] / [`firesale_io`]: Cont–Schaanning overlapping-portfolio fire sales, as the
//!   reference implementation runs them on the EBA 2018 data.
//! - [`clearing`]: Eisenberg–Noe clearing and DebtRank on a liabilities matrix.
//! - [`report`]: [`analyse`] and the [`NetworkReport`].
//! - [`account_risk`](mod@account_risk): per-account liquidation prices, distances and what a run did to each.
//! - [`units`]: margin units (equity, maintenance, triggers) seen through the engine's API.

pub mod account_risk;
pub mod clearing;
pub mod concentration;
pub mod contagion;
pub mod debtrank;
pub mod error;
pub mod export;
pub mod exposure;
pub mod firesale;
pub mod firesale_io;
pub mod liqmap;
pub mod matrix;
pub mod report;
pub mod units;

pub use account_risk::{account_risk, riskiest_first, AccountRisk, PositionRisk};
pub use clearing::{eisenberg_noe, liabilities_debtrank, Clearing, Liabilities};
pub use concentration::{concentration, ConcentrationRow};
pub use contagion::{contagion_along_path, contagion_matrix, ContagionMatrix};
pub use debtrank::{debtrank, DebtRankResult, RankRow};
pub use error::NetworkError;
pub use export::{
    account_graph_export, bipartite_export, market_graph_export, write_dot, write_graphml, write_json,
    GraphExport,
};
pub use exposure::{build_exposure_graph, ExposureGraph, MarketLink, MarketPairRow};
pub use firesale::{
    fire_sale, ClearingTiming, ExecutionPrice, FireSaleOutcome, FireSaleParams, FireSaleSystem,
};
pub use firesale_io::{load_eba_2018, load_fire_sale_csv};
pub use liqmap::{
    first_order_levels, liquidation_map, write_liquidation_map_csv, write_liquidation_map_json,
    LiquidationMap, MapOptions,
};
pub use matrix::{perron, Perron};
pub use report::{analyse, analyse_with_graph, write_report_json, NetworkOptions, NetworkReport};
pub use units::{unit_views, UnitView};
