//! [`ReportInput`]: everything a report shows, as one serialisable document.
//!
//! One result schema: the report holds the engine's, the stress crate's and the network crate's
//! result types themselves ([`RunMeta`], [`Summary`], [`MarketRow`], [`GenerationRow`],
//! [`StressContext`] + [`StressSummary`], [`CriticalShock`], [`LiquidationMap`],
//! [`Sensitivity`], [`VenueComparison`], [`NetworkReport`], [`FireSaleOutcome`]), all `Serialize + Deserialize` with infinities written as strings
//! (`liq_domain::serde_num`). What it adds are the series only a chart needs, derived from the
//! outcome's logs: price paths, liquidation markers, fund points, the price × time heat map's
//! cells and the price × leverage map. The CLI writes it as a result JSON file and
//! `liqcascade report RESULT.json` reads it back without re-running anything. Every part but
//! the meta is optional; the HTML omits the sections whose data is absent.
//!
//! Build it with [`ReportInput::from_cascade`] (or [`ReportInput::new`] for a stress-only
//! report) and the `with_*` builders. A file read back is first checked by
//! `num::check_magnitudes`: every number within ±1e15 (why: `num::MAX_MAGNITUDE`).

use liq_engine::{CascadeReport, EventKind, GenerationRow, LendingOutcome, MarketRow, Outcome, Summary};
pub use liq_io::compare::VenueComparison;
pub use liq_io::output::RunMeta;
use liq_network::liqmap::LiquidationMap;
use liq_network::report::NetworkReport;
use liq_network::{FireSaleOutcome, FireSaleParams};
use liq_stress::critical::CriticalShock;
use liq_stress::sensitivity::Sensitivity;
use liq_stress::{StressContext, StressSummary};
use serde::{Deserialize, Serialize};

/// What produced the result: the engine's [`RunMeta`] itself (kept under this name so callers of
/// `ReportInput::new(meta)` need no change).
pub type ReportMeta = RunMeta;

/// The input of [`crate::render_html`] and [`crate::write_plots`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub meta: RunMeta,
    /// The instant cascade (or path run) and its no-impact counterfactual.
    #[serde(default)]
    pub cascade: Option<CascadeSection>,
    /// Monte Carlo risk measures with the settings that produced them.
    #[serde(default)]
    pub stress: Option<StressSection>,
    /// Shock→loss curves, one per market swept.
    #[serde(default)]
    pub critical: Vec<CriticalShock>,
    /// Liquidation maps, one per market (bins only: see `LiquidationMap::levels`).
    #[serde(default)]
    pub liquidation_maps: Vec<LiquidationMap>,
    /// Where the first-order liquidation levels sit by price and leverage, with those the run
    /// already consumed.
    #[serde(default)]
    pub leverage_maps: Vec<LeverageMap>,
    /// One-at-a-time sensitivity (the tornado).
    #[serde(default)]
    pub sensitivity: Option<Sensitivity>,
    /// Forced-flow channels by generation (runs with leveraged tokens, dealers or stops).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<crate::policies::ChannelsSection>,
    /// Mitigation policies on common paths (`liqcascade policies`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<crate::policies::PoliciesSection>,
    /// A lending-venue run (`aave-v3`): debt repaid, bonus, protocol fee, deficit, liquidators'
    /// P&L and per-reserve seizures (the engine's own [`LendingOutcome`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lending: Option<LendingOutcome>,
    /// The same book under several venues' rules (`compare`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<VenueComparison>,
    /// The exposure network, contagion matrix and rankings (`network`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkReport>,
    /// An overlapping-portfolio fire sale (`firesale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firesale: Option<FireSaleSection>,
    /// One run of the agent-based market (`abm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abm: Option<crate::abm_replay::AbmSection>,
    /// A recorded window replayed against the recorded liquidations (`replay`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<crate::abm_replay::ReplaySection>,
    /// The desk's delta hedge against the unhedged book on the same paths (`stress --hedge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedge: Option<liq_stress::hedge::HedgeSummary>,
}

/// A fire sale of bank portfolios (Cont–Schaanning), with what it ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FireSaleSection {
    /// The input files, in the order hashed (their hash is `meta.scenario_hash`).
    pub inputs: Vec<String>,
    /// The implementation whose mechanics the model follows.
    pub reference: String,
    pub institutions: Vec<String>,
    pub assets: Vec<String>,
    pub params: FireSaleParams,
    pub outcome: FireSaleOutcome,
}

/// The Monte Carlo part: the settings (paths, horizon, copula, vols, correlation, portfolio) and
/// the summary, both the stress crate's own types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StressSection {
    pub context: StressContext,
    pub summary: StressSummary,
}

/// Report-only numbers of a run that the engine's [`Summary`] does not carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunExtras {
    pub insurance_fund_min_usd: f64,
    pub liquidation_fees_usd: f64,
    /// Change of all accounts' equity together, USD (negative = the book lost).
    pub accounts_equity_change_usd: f64,
}

/// A market's lowest mark with feedback and in the counterfactual.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trough {
    pub cascade: f64,
    pub counterfactual: f64,
    /// The highest mark with feedback (where short liquidations were consumed).
    #[serde(default)]
    pub peak: f64,
}

/// A market's mark over time, with feedback and in the counterfactual: `(time_s, mark)` points.
/// The first point is the pre-shock mark at t = −(round length); then one point per round at the
/// round's start time, holding the mark that round's triggers were read at (the engine updates
/// marks between rounds), so round 0 holds the after-shock mark and a liquidation marker of
/// round i sits on the path at (i × round length, mark).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricePath {
    pub symbol: String,
    pub cascade: Vec<(f64, f64)>,
    pub counterfactual: Vec<(f64, f64)>,
}

/// The liquidations of one market in one round and generation, aggregated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiquidationMarker {
    /// Index into `markets`.
    pub market: usize,
    pub generation: u32,
    pub time_s: f64,
    /// The mark at the start of the round (where the trigger was read).
    pub mark: f64,
    /// Notional-weighted average execution or transfer price.
    pub avg_price: f64,
    pub notional_usd: f64,
    pub events: u64,
}

/// The insurance fund and ADL at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundPoint {
    pub time_s: f64,
    /// Fund equity (cash + inventory at the marks + seized collateral), USD.
    pub fund_usd: f64,
    /// ADL notional so far, USD.
    pub adl_cum_usd: f64,
}

/// The instant cascade part of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CascadeSection {
    pub summary: Summary,
    pub extras: RunExtras,
    /// The run followed an exogenous path (a scripted crash or a replay) rather than an instant
    /// shock: the tables then label the scripted move and the overshoot beyond it.
    pub path_run: bool,
    pub markets: Vec<MarketRow>,
    /// Per market, in the order of `markets`.
    pub troughs: Vec<Trough>,
    pub generations: Vec<GenerationRow>,
    /// Per generation (in the order of `generations`), the notional per market.
    pub notional_by_market_usd: Vec<Vec<f64>>,
    /// Seconds per round.
    pub step_s: f64,
    pub paths: Vec<PricePath>,
    pub liquidations: Vec<LiquidationMarker>,
    pub fund: Vec<FundPoint>,
    /// The counterfactual's fund equity over time, `(time_s, USD)`.
    pub fund_counterfactual: Vec<(f64, f64)>,
    /// Bad debt so far over time, `(time_s, USD)` (absent in results written before it existed).
    #[serde(default)]
    pub bad_debt: Vec<(f64, f64)>,
    /// The itemised ledger of the run (absent in results written before it existed).
    #[serde(default)]
    pub ledger: Option<liq_engine::Ledger>,
}

/// Where one market's first-order liquidation levels sit, by price bin and by the margin unit's
/// starting leverage (notional / equity), and how far the run's path reached into them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeverageMap {
    pub market: String,
    pub mark: f64,
    /// Bin edges, ascending (`bins + 1` prices).
    pub price_edges: Vec<f64>,
    /// Bucket labels, lowest leverage first (`≤ 5×`, `5–10×` …).
    pub buckets: Vec<String>,
    /// `notional_usd[bucket][bin]`: first-order notional whose trigger lies in the bin.
    pub notional_usd: Vec<Vec<f64>>,
    /// The lowest and highest mark the run reached: levels between them were consumed.
    pub consumed_low: f64,
    pub consumed_high: f64,
}

impl ReportInput {
    /// A report with metadata only; add parts with the `with_*` builders.
    pub fn new(meta: ReportMeta) -> ReportInput {
        ReportInput {
            meta,
            cascade: None,
            stress: None,
            critical: Vec::new(),
            liquidation_maps: Vec::new(),
            leverage_maps: Vec::new(),
            sensitivity: None,
            lending: None,
            comparison: None,
            network: None,
            firesale: None,
            abm: None,
            replay: None,
            channels: None,
            policies: None,
            hedge: None,
        }
    }

    /// Adds a lending run's own totals (the common cascade part comes from
    /// [`ReportInput::from_cascade`] on the lending report's `report`).
    pub fn with_lending(mut self, l: &LendingOutcome) -> ReportInput {
        self.lending = Some(l.clone());
        self
    }

    /// A report of an instant cascade or a path run. The price paths and fund series need the
    /// outcome's `mark_path` / `fund_path` (kept by `Cascade::report`); without them each path
    /// is reduced to start, after-shock and end marks.
    pub fn from_cascade(meta: impl Into<ReportMeta>, report: &CascadeReport) -> ReportInput {
        let mut r = ReportInput::new(meta.into());
        r.cascade = Some(cascade_section(report));
        r
    }

    /// Adds the Monte Carlo risk measures and the settings that produced them.
    pub fn with_stress(mut self, context: &StressContext, s: &StressSummary) -> ReportInput {
        self.stress = Some(StressSection { context: context.clone(), summary: s.clone() });
        self
    }

    /// Adds a market's shock→loss curve (replacing an earlier one of the same market).
    pub fn with_critical(mut self, c: &CriticalShock) -> ReportInput {
        self.critical.retain(|x| x.market != c.market);
        self.critical.push(c.clone());
        self
    }

    /// Adds a market's liquidation map (replacing an earlier one of the same market). Its
    /// per-unit `levels` are dropped: the report draws the bins.
    pub fn with_liquidation_map(mut self, map: &LiquidationMap) -> ReportInput {
        self.liquidation_maps.retain(|x| x.market != map.market);
        let mut m = map.clone();
        m.levels.clear();
        self.liquidation_maps.push(m);
        self
    }

    /// Adds a price × leverage map (replacing an earlier one of the same market).
    pub fn with_leverage_map(mut self, map: LeverageMap) -> ReportInput {
        self.leverage_maps.retain(|x| x.market != map.market);
        self.leverage_maps.push(map);
        self
    }

    /// Adds the sensitivity tornado.
    pub fn with_sensitivity(mut self, s: &Sensitivity) -> ReportInput {
        self.sensitivity = Some(s.clone());
        self
    }

    /// Adds a venue comparison.
    pub fn with_comparison(mut self, c: VenueComparison) -> ReportInput {
        self.comparison = Some(c);
        self
    }

    /// Adds the network analysis.
    pub fn with_network(mut self, n: NetworkReport) -> ReportInput {
        self.network = Some(n);
        self
    }

    /// Adds a fire sale.
    pub fn with_firesale(mut self, f: FireSaleSection) -> ReportInput {
        self.firesale = Some(f);
        self
    }
}

/// Leverage buckets of [`leverage_map`]: upper bounds (×), the last open-ended.
pub const LEVERAGE_BUCKETS: [f64; 6] = [3.0, 5.0, 10.0, 20.0, 50.0, f64::INFINITY];

/// The price × leverage map of market `k`: each first-order level (`(trigger price, notional
/// USD, leverage)`) binned by price over `edges` and by leverage over [`LEVERAGE_BUCKETS`];
/// `consumed` is the (lowest, highest) mark the run reached.
pub fn leverage_map(
    market: &str,
    mark: f64,
    edges: Vec<f64>,
    levels: impl IntoIterator<Item = (f64, f64, f64)>,
    consumed: (f64, f64),
) -> LeverageMap {
    let bins = edges.len().saturating_sub(1);
    let mut cells = vec![vec![0.0; bins]; LEVERAGE_BUCKETS.len()];
    for (price, usd, lev) in levels {
        if bins == 0 || !(price >= edges[0] && price < edges[bins]) || !usd.is_finite() {
            continue;
        }
        let j = edges.partition_point(|e| *e <= price).saturating_sub(1).min(bins - 1);
        let b = LEVERAGE_BUCKETS.iter().position(|u| lev <= *u).unwrap_or(LEVERAGE_BUCKETS.len() - 1);
        cells[b][j] += usd;
    }
    let mut lo = 0.0;
    let buckets = LEVERAGE_BUCKETS
        .iter()
        .map(|&u| {
            let label = if u.is_infinite() {
                format!("> {lo}×")
            } else if lo == 0.0 {
                format!("≤ {u}×")
            } else {
                format!("{lo}–{u}×")
            };
            lo = u;
            label
        })
        .collect();
    LeverageMap {
        market: market.to_string(),
        mark,
        price_edges: edges,
        buckets,
        notional_usd: cells,
        consumed_low: consumed.0,
        consumed_high: consumed.1,
    }
}

fn cascade_section(report: &CascadeReport) -> CascadeSection {
    let o = &report.outcome;
    let cf = &report.counterfactual;
    let troughs = (0..report.markets.len())
        .map(|k| Trough {
            cascade: o.markets.get(k).map_or(report.markets[k].mark_end, |x| x.mark_trough),
            counterfactual: cf.markets.get(k).map_or(report.markets[k].mark_after_shock, |x| x.mark_trough),
            peak: o.markets.get(k).map_or(report.markets[k].mark_end, |x| x.mark_peak),
        })
        .collect();
    let path_run = report.path_run;
    let notional_by_market_usd = report
        .generations
        .iter()
        .map(|g| {
            o.markets
                .iter()
                .map(|m| m.notional_by_generation.get(g.generation as usize).copied().unwrap_or(0.0))
                .collect()
        })
        .collect();
    let paths = (0..o.markets.len())
        .map(|k| PricePath {
            symbol: o.markets[k].symbol.clone(),
            cascade: price_points(o, k),
            counterfactual: if k < cf.markets.len() { price_points(cf, k) } else { Vec::new() },
        })
        .collect();
    CascadeSection {
        summary: report.summary.clone(),
        extras: RunExtras {
            insurance_fund_min_usd: o.insurance_fund_min_usd,
            liquidation_fees_usd: o.liquidation_fees_usd,
            accounts_equity_change_usd: o.accounts_equity_change_usd,
        },
        path_run,
        markets: report.markets.clone(),
        troughs,
        generations: report.generations.clone(),
        notional_by_market_usd,
        step_s: o.step_s,
        paths,
        liquidations: markers(o),
        fund: fund_points(o),
        fund_counterfactual: fund_times(cf).into_iter().zip(fund_values(cf)).collect(),
        bad_debt: fund_cover_points(o),
        ledger: o.ledger.clone(),
    }
}

/// Negative equity the fund covered so far, at each fund time (the `FundCover` events).
fn fund_cover_points(o: &Outcome) -> Vec<(f64, f64)> {
    let mut ev: Vec<(f64, f64)> = o
        .events
        .iter()
        .filter(|e| e.kind == EventKind::FundCover)
        .map(|e| (e.time_s, -e.fund_flow_usd))
        .collect();
    ev.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut j, mut cum) = (0, 0.0);
    fund_times(o)
        .into_iter()
        .map(|t| {
            while j < ev.len() && ev[j].0 <= t {
                cum += ev[j].1;
                j += 1;
            }
            (t, cum)
        })
        .collect()
}

/// Time of path entry i: the start of round i (entry i holds the marks and fund equity of
/// round i, read after its liquidations, before the marks move to the next round's).
fn step_time(o: &Outcome, i: usize) -> f64 {
    i as f64 * o.step_s
}

fn price_points(o: &Outcome, k: usize) -> Vec<(f64, f64)> {
    let m = &o.markets[k];
    let mut pts = vec![(-o.step_s, m.mark_start)];
    if o.mark_path.is_empty() {
        pts.push((0.0, m.mark_after_shock));
        pts.push((o.rounds.max(1) as f64 * o.step_s, m.mark_end));
    } else {
        for (i, marks) in o.mark_path.iter().enumerate() {
            if let Some(&p) = marks.get(k) {
                pts.push((step_time(o, i), p));
            }
        }
    }
    pts
}

fn fund_times(o: &Outcome) -> Vec<f64> {
    let n = o.fund_path.len().max(1);
    std::iter::once(-o.step_s).chain((0..n).map(|i| step_time(o, i))).collect()
}

fn fund_values(o: &Outcome) -> Vec<f64> {
    let mut v = vec![o.insurance_fund_start_usd];
    if o.fund_path.is_empty() {
        v.push(o.insurance_fund_end_usd);
    } else {
        v.extend_from_slice(&o.fund_path);
    }
    v
}

fn fund_points(o: &Outcome) -> Vec<FundPoint> {
    // Entry i is read after round i's liquidations, and round i's events carry time i·dt, so a
    // point at time t counts the ADL events up to and including t.
    let mut adl: Vec<(f64, f64)> =
        o.events.iter().filter(|e| e.kind == EventKind::Adl).map(|e| (e.time_s, e.notional_usd)).collect();
    adl.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut j = 0;
    let mut cum = 0.0;
    fund_times(o)
        .into_iter()
        .zip(fund_values(o))
        .enumerate()
        .map(|(i, (t, f))| {
            if i > 0 {
                while j < adl.len() && adl[j].0 <= t {
                    cum += adl[j].1;
                    j += 1;
                }
            }
            FundPoint { time_s: t, fund_usd: f, adl_cum_usd: cum }
        })
        .collect()
}

fn markers(o: &Outcome) -> Vec<LiquidationMarker> {
    let mut out: Vec<LiquidationMarker> = Vec::new();
    // Per marker: Σ|qty| for the average price.
    let mut qty: Vec<f64> = Vec::new();
    for e in o.events.iter().filter(|e| e.kind.liquidates()) {
        let key = (e.market as usize, e.generation, e.time_s);
        let i = match out.iter().rposition(|m| (m.market, m.generation, m.time_s) == key) {
            Some(i) => i,
            None => {
                out.push(LiquidationMarker {
                    market: key.0,
                    generation: key.1,
                    time_s: key.2,
                    mark: e.mark,
                    avg_price: 0.0,
                    notional_usd: 0.0,
                    events: 0,
                });
                qty.push(0.0);
                out.len() - 1
            }
        };
        out[i].notional_usd += e.notional_usd;
        out[i].events += 1;
        qty[i] += e.qty.abs();
    }
    for (m, q) in out.iter_mut().zip(qty) {
        m.avg_price = if q > 0.0 { m.notional_usd / q } else { m.mark };
    }
    out.sort_by(|a, b| {
        (a.market, a.generation).cmp(&(b.market, b.generation)).then(a.time_s.total_cmp(&b.time_s))
    });
    out
}
