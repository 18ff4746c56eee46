//! [`ReportInput`]: everything a report shows, as one serialisable document.
//!
//! The engine's and the stress crate's structs are `Serialize` only and carry much more than a
//! report needs (the full event log, every path row), so the report keeps its own compact,
//! `Deserialize`-able mirror: the CLI writes it as a result JSON file and
//! `liqcascade report RESULT.json` reads it back without re-running anything. Every part but
//! [`ReportMeta`] is optional; the HTML omits the sections whose data is absent.
//!
//! Build it with [`ReportInput::from_cascade`] (or [`ReportInput::new`] for a stress-only
//! report) and the `with_*` builders. A file read back is first checked by
//! `num::check_magnitudes`: every number within ±1e15 (why: `num::MAX_MAGNITUDE`).

use crate::num::finite_or_str;
use liq_engine::{CascadeReport, EventKind, Outcome};
use liq_io::output::RunMeta;
use liq_stress::critical::CriticalShock;
use liq_stress::risk::VarEs;
use liq_stress::summary::SideBySide;
use liq_stress::StressSummary;
use serde::{Deserialize, Serialize};

/// What produced the result (mirror of `liq_io::output::RunMeta`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportMeta {
    pub version: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub venue: String,
    /// The exogenous shock, per market symbol (relative move, −0.08 = −8%).
    pub shock: Vec<(String, f64)>,
}

impl From<&RunMeta> for ReportMeta {
    fn from(m: &RunMeta) -> Self {
        ReportMeta {
            version: m.version.clone(),
            scenario: m.scenario.clone(),
            scenario_hash: m.scenario_hash.clone(),
            seed: m.seed,
            venue: m.venue.clone(),
            shock: m.shock.clone(),
        }
    }
}

/// The input of [`crate::render_html`] and [`crate::write_plots`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInput {
    pub meta: ReportMeta,
    /// The instant cascade and its no-impact counterfactual.
    #[serde(default)]
    pub cascade: Option<CascadeSection>,
    /// Monte Carlo risk measures.
    #[serde(default)]
    pub stress: Option<StressSection>,
    /// Shock→loss curves, one per market swept.
    #[serde(default)]
    pub critical: Vec<CriticalCurve>,
    /// Liquidation maps, one per market.
    #[serde(default)]
    pub liquidation_maps: Vec<LiquidationMapSection>,
}

/// The headline numbers of an instant cascade (mirror of `liq_engine::Summary`, plus fees and
/// the aggregate book's P&L from the outcome).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub first_order_notional_usd: f64,
    pub second_order_notional_usd: f64,
    pub liquidated_notional_usd: f64,
    #[serde(with = "finite_or_str")]
    pub amplification: f64,
    pub counterfactual_notional_usd: f64,
    #[serde(with = "finite_or_str")]
    pub counterfactual_amplification: f64,
    pub accounts_liquidated: u64,
    pub rounds: u32,
    pub round_cap_hit: bool,
    pub insurance_fund_start_usd: f64,
    pub insurance_fund_end_usd: f64,
    pub insurance_fund_min_usd: f64,
    pub adl_notional_usd: f64,
    pub bad_debt_usd: f64,
    pub liquidation_fees_usd: f64,
    /// Change of all accounts' equity together, USD (negative = the book lost).
    pub accounts_equity_change_usd: f64,
}

/// One market's row (mirror of `liq_engine::MarketRow`, plus the troughs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketLine {
    pub symbol: String,
    pub mark_start: f64,
    pub mark_after_shock: f64,
    pub mark_end: f64,
    /// Lowest mark with feedback and in the counterfactual.
    pub mark_trough: f64,
    pub mark_trough_counterfactual: f64,
    /// mark_end / mark_after_shock − 1.
    pub overshoot: f64,
    pub first_order_notional_usd: f64,
    pub second_order_notional_usd: f64,
    pub liquidated_notional_usd: f64,
    pub counterfactual_notional_usd: f64,
    pub adl_notional_usd: f64,
    /// The index at the start and end, and the perp's basis against it at the end (bps);
    /// absent in results written before the index moved (read as the mark's values).
    #[serde(default)]
    pub index_start: f64,
    #[serde(default)]
    pub index_end: f64,
    #[serde(default)]
    pub basis_end_bps: f64,
}

/// One generation's totals, with the split by market (in the order of `markets`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationLine {
    pub generation: u32,
    pub notional_usd: f64,
    pub accounts: u64,
    pub events: u64,
    pub notional_by_market_usd: Vec<f64>,
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
    pub summary: Headline,
    pub markets: Vec<MarketLine>,
    pub generations: Vec<GenerationLine>,
    /// Seconds per round.
    pub step_s: f64,
    pub paths: Vec<PricePath>,
    pub liquidations: Vec<LiquidationMarker>,
    pub fund: Vec<FundPoint>,
    /// The counterfactual's fund equity over time, `(time_s, USD)`.
    pub fund_counterfactual: Vec<(f64, f64)>,
    /// The itemised ledger of the run (absent in results written before it existed).
    #[serde(default)]
    pub ledger: Option<liq_engine::Ledger>,
}

/// VaR and ES at one confidence level (losses positive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VarEsRow {
    pub alpha: f64,
    pub var: f64,
    pub es: f64,
}

impl From<&VarEs> for VarEsRow {
    fn from(v: &VarEs) -> Self {
        VarEsRow { alpha: v.alpha, var: v.var, es: v.es }
    }
}

/// A quantity without and with feedback, per confidence level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideBySideRow {
    pub name: String,
    pub no_feedback: Vec<VarEsRow>,
    pub cascade: Vec<VarEsRow>,
}

impl From<&SideBySide> for SideBySideRow {
    fn from(s: &SideBySide) -> Self {
        SideBySideRow {
            name: s.name.clone(),
            no_feedback: s.no_feedback.iter().map(VarEsRow::from).collect(),
            cascade: s.cascade.iter().map(VarEsRow::from).collect(),
        }
    }
}

/// One market's drawdown quantiles (positive = fall) without and with feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OvershootRow {
    pub market: String,
    pub drawdown_no_feedback: Vec<VarEsRow>,
    pub drawdown_cascade: Vec<VarEsRow>,
    pub mean_overshoot: f64,
}

/// Amplification across Monte Carlo paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmplificationRow {
    pub paths_with_liquidations: u64,
    #[serde(with = "finite_or_str")]
    pub mean: f64,
    #[serde(with = "finite_or_str")]
    pub median: f64,
    #[serde(with = "finite_or_str")]
    pub p99: f64,
    #[serde(with = "finite_or_str")]
    pub max: f64,
}

/// The stress part of a report (mirror of `liq_stress::StressSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StressSection {
    pub paths: u64,
    pub portfolio: String,
    pub linear: Vec<VarEsRow>,
    pub loss: SideBySideRow,
    /// Liquidated notional, bad debt, insurance-fund drawdown, ADL notional.
    pub venue: Vec<SideBySideRow>,
    pub overshoot: Vec<OvershootRow>,
    pub amplification: AmplificationRow,
    #[serde(with = "finite_or_str")]
    pub es99_cascade_over_linear: f64,
    #[serde(with = "finite_or_str")]
    pub es99_cascade_over_no_feedback: f64,
    pub narrative: String,
}

impl From<&StressSummary> for StressSection {
    fn from(s: &StressSummary) -> Self {
        let rows = |v: &[VarEs]| v.iter().map(VarEsRow::from).collect::<Vec<_>>();
        StressSection {
            paths: s.paths,
            portfolio: s.portfolio.clone(),
            linear: rows(&s.linear),
            loss: SideBySideRow::from(&s.loss),
            venue: s.venue.iter().map(SideBySideRow::from).collect(),
            overshoot: s
                .overshoot
                .iter()
                .map(|o| OvershootRow {
                    market: o.market.clone(),
                    drawdown_no_feedback: rows(&o.drawdown_no_feedback),
                    drawdown_cascade: rows(&o.drawdown_cascade),
                    mean_overshoot: o.mean_overshoot,
                })
                .collect(),
            amplification: AmplificationRow {
                paths_with_liquidations: s.amplification.paths_with_liquidations,
                mean: s.amplification.mean,
                median: s.amplification.median,
                p99: s.amplification.p99,
                max: s.amplification.max,
            },
            es99_cascade_over_linear: s.es99_cascade_over_linear,
            es99_cascade_over_no_feedback: s.es99_cascade_over_no_feedback,
            narrative: s.narrative.clone(),
        }
    }
}

/// One point of a shock→loss curve (mirror of `liq_stress::critical::CurvePoint`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePointRow {
    /// Relative shock (−0.08 = −8%).
    pub shock: f64,
    pub liquidated_usd: f64,
    pub first_order_usd: f64,
    #[serde(with = "finite_or_str")]
    pub amplification: f64,
    pub bad_debt_usd: f64,
    pub adl_usd: f64,
    pub accounts_loss_usd: f64,
    /// The shocked market's mark after the cascade, relative to the start.
    pub mark_end: f64,
}

/// A market's shock→loss curve and critical shock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalCurve {
    pub market: String,
    /// Amplification at which the cascade counts as self-sustaining.
    pub threshold: f64,
    pub critical_shock: Option<f64>,
    pub curve: Vec<CurvePointRow>,
}

impl From<&CriticalShock> for CriticalCurve {
    fn from(c: &CriticalShock) -> Self {
        CriticalCurve {
            market: c.market.clone(),
            threshold: c.threshold,
            critical_shock: c.critical_shock,
            curve: c
                .curve
                .iter()
                .map(|p| CurvePointRow {
                    shock: p.shock,
                    liquidated_usd: p.liquidated_usd,
                    first_order_usd: p.first_order_usd,
                    amplification: p.amplification,
                    bad_debt_usd: p.bad_debt_usd,
                    adl_usd: p.adl_usd,
                    accounts_loss_usd: p.accounts_loss_usd,
                    mark_end: p.mark_end,
                })
                .collect(),
        }
    }
}

/// One price bin of a liquidation map. The field names follow `liq_network::liqmap::MapBin`:
/// `first_order_usd` = its `long_usd + short_usd`, the two cumulative columns are copied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapBin {
    pub price_lo: f64,
    pub price_hi: f64,
    /// First-order notional whose trigger lies inside the bin, USD.
    pub first_order_usd: f64,
    /// First-order notional liquidated if the price moves from the mark to the bin's far edge.
    pub cumulative_first_order_usd: f64,
    /// Engine run with the market moved to the far edge: liquidated notional including the
    /// cascade, USD (absent when the map was built without engine runs).
    pub cumulative_cascade_usd: Option<f64>,
}

/// The liquidation map of one market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiquidationMapSection {
    pub market: String,
    /// The mark the map was built at.
    pub mark: f64,
    pub bins: Vec<MapBin>,
}

impl ReportInput {
    /// A report with metadata only; add parts with the `with_*` builders.
    pub fn new(meta: ReportMeta) -> ReportInput {
        ReportInput { meta, cascade: None, stress: None, critical: Vec::new(), liquidation_maps: Vec::new() }
    }

    /// A report of an instant cascade. The price paths and fund series need the outcome's
    /// `mark_path` / `fund_path` (kept by `Cascade::report`); without them each path is reduced
    /// to start, after-shock and end marks.
    pub fn from_cascade(meta: impl Into<ReportMeta>, report: &CascadeReport) -> ReportInput {
        let mut r = ReportInput::new(meta.into());
        r.cascade = Some(cascade_section(report));
        r
    }

    /// Adds the Monte Carlo risk measures.
    pub fn with_stress(mut self, s: &StressSummary) -> ReportInput {
        self.stress = Some(StressSection::from(s));
        self
    }

    /// Adds a market's shock→loss curve (replacing an earlier one of the same market).
    pub fn with_critical(mut self, c: &CriticalShock) -> ReportInput {
        self.critical.retain(|x| x.market != c.market);
        self.critical.push(CriticalCurve::from(c));
        self
    }

    /// Adds a market's liquidation map (replacing an earlier one of the same market).
    pub fn with_liquidation_map(
        mut self,
        market: &str,
        mark: f64,
        bins: impl IntoIterator<Item = MapBin>,
    ) -> ReportInput {
        self.liquidation_maps.retain(|x| x.market != market);
        self.liquidation_maps.push(LiquidationMapSection {
            market: market.to_string(),
            mark,
            bins: bins.into_iter().collect(),
        });
        self
    }
}

impl From<RunMeta> for ReportMeta {
    fn from(m: RunMeta) -> Self {
        ReportMeta::from(&m)
    }
}

fn cascade_section(report: &CascadeReport) -> CascadeSection {
    let o = &report.outcome;
    let cf = &report.counterfactual;
    let s = &report.summary;
    let summary = Headline {
        first_order_notional_usd: s.first_order_notional_usd,
        second_order_notional_usd: s.second_order_notional_usd,
        liquidated_notional_usd: s.liquidated_notional_usd,
        amplification: s.amplification,
        counterfactual_notional_usd: s.counterfactual_notional_usd,
        counterfactual_amplification: s.counterfactual_amplification,
        accounts_liquidated: s.accounts_liquidated,
        rounds: s.rounds,
        round_cap_hit: s.round_cap_hit,
        insurance_fund_start_usd: s.insurance_fund_start_usd,
        insurance_fund_end_usd: s.insurance_fund_end_usd,
        insurance_fund_min_usd: o.insurance_fund_min_usd,
        adl_notional_usd: s.adl_notional_usd,
        bad_debt_usd: s.bad_debt_usd,
        liquidation_fees_usd: o.liquidation_fees_usd,
        accounts_equity_change_usd: o.accounts_equity_change_usd,
    };
    let markets = report
        .markets
        .iter()
        .enumerate()
        .map(|(k, m)| MarketLine {
            symbol: m.symbol.clone(),
            mark_start: m.mark_start,
            mark_after_shock: m.mark_after_shock,
            mark_end: m.mark_end,
            mark_trough: o.markets.get(k).map_or(m.mark_end, |x| x.mark_trough),
            mark_trough_counterfactual: cf.markets.get(k).map_or(m.mark_after_shock, |x| x.mark_trough),
            overshoot: m.overshoot,
            first_order_notional_usd: m.first_order_notional_usd,
            second_order_notional_usd: m.second_order_notional_usd,
            liquidated_notional_usd: m.liquidated_notional_usd,
            counterfactual_notional_usd: m.counterfactual_notional_usd,
            adl_notional_usd: m.adl_notional_usd,
            index_start: m.index_start,
            index_end: m.index_end,
            basis_end_bps: m.basis_end_bps,
        })
        .collect();
    let generations = report
        .generations
        .iter()
        .map(|g| GenerationLine {
            generation: g.generation,
            notional_usd: g.notional_usd,
            accounts: g.accounts,
            events: g.events,
            notional_by_market_usd: o
                .markets
                .iter()
                .map(|m| m.notional_by_generation.get(g.generation as usize).copied().unwrap_or(0.0))
                .collect(),
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
        summary,
        markets,
        generations,
        step_s: o.step_s,
        paths,
        liquidations: markers(o),
        fund: fund_points(o),
        fund_counterfactual: fund_times(cf).into_iter().zip(fund_values(cf)).collect(),
        ledger: o.ledger.clone(),
    }
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
