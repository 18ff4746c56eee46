//! The report's forced-flow channels and mitigation-policy parts (issue 16 item 4): the input
//! sections ([`ChannelsSection`], [`PoliciesSection`]), their interactive charts and their
//! tables. Kept apart from `input`/`html` so the two features stay in one place.
//!
//! - **Channels**: per generation (round or step), the notional liquidated and the notional each
//!   forced-flow channel (leveraged tokens, dealer hedging, stop clusters) traded, stacked; and,
//!   for an instant shock, the liquidations each channel adds (the run minus the run without it,
//!   `liq_engine::channel_report`).
//! - **Policies**: per figure, each policy's paired difference from the baseline with its 95%
//!   interval (`liq_stress::policies`), as bars with whiskers and as a table.

use crate::fmt::{pct, usd};
use crate::input::ReportInput;
use crate::interactive::Spec;
use crate::tables::Table;
use liq_engine::{CascadeReport, ChannelReport};
use liq_stress::policies::{PolicyComparison, METRICS};
use liq_stress::MonteCarloConfig;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One forced-flow channel's notional per generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSeries {
    /// `leveraged_token`, `dealer_gamma` or `stops`.
    pub channel: String,
    /// |notional| traded per generation, USD.
    pub traded_by_generation_usd: Vec<f64>,
    /// Instant shocks: the liquidations the channel adds (full run − run without it), USD.
    #[serde(default)]
    pub liquidations_added_usd: Option<f64>,
}

/// Liquidated notional and forced-flow trading by generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelsSection {
    /// Liquidated notional per generation, USD (all markets).
    pub liquidated_by_generation_usd: Vec<f64>,
    pub channels: Vec<ChannelSeries>,
    /// Instant shocks: liquidated notional with every flow channel off, USD.
    #[serde(default)]
    pub liquidations_only_usd: Option<f64>,
}

impl ChannelsSection {
    /// From a run and, for an instant shock, its channel attribution. `None` without flows.
    pub fn new(report: &CascadeReport, attribution: Option<&ChannelReport>) -> Option<ChannelsSection> {
        let o = &report.outcome;
        if o.channels.is_empty() {
            return None;
        }
        let n_gen = o.markets.iter().map(|m| m.notional_by_generation.len()).max().unwrap_or(0);
        let liquidated = (0..n_gen)
            .map(|g| o.markets.iter().map(|m| m.notional_by_generation.get(g).copied().unwrap_or(0.0)).sum())
            .collect();
        let channels = o
            .channels
            .iter()
            .map(|c| ChannelSeries {
                channel: c.channel.name().to_string(),
                traded_by_generation_usd: c.traded_by_generation.clone(),
                liquidations_added_usd: attribution
                    .and_then(|a| a.channels.iter().find(|r| r.channel == c.channel))
                    .map(|r| r.liquidations_added_usd),
            })
            .collect();
        Some(ChannelsSection {
            liquidated_by_generation_usd: liquidated,
            channels,
            liquidations_only_usd: attribution.map(|a| a.liquidations_only_usd),
        })
    }
}

/// The policy comparison and the Monte Carlo settings it ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoliciesSection {
    pub config: MonteCarloConfig,
    /// The baseline first.
    pub policies: Vec<PolicyComparison>,
}

impl ReportInput {
    /// Adds a policy comparison (`liqcascade policies --report`).
    pub fn with_policies(mut self, cfg: &MonteCarloConfig, cmp: &[PolicyComparison]) -> ReportInput {
        self.policies = Some(PoliciesSection { config: cfg.clone(), policies: cmp.to_vec() });
        self
    }
}

fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

const COLOURS: [&str; 4] = ["#e69f00", "#cc79a7", "#56b4e9", "#787878"];

/// Stacked bars per generation: liquidations and each channel's trading.
pub fn channels_chart(c: &ChannelsSection) -> Spec {
    let title = "Liquidated and forced-flow notional by channel and generation".to_string();
    let n = c
        .channels
        .iter()
        .map(|s| s.traded_by_generation_usd.len())
        .chain([c.liquidated_by_generation_usd.len()])
        .max()
        .unwrap_or(0);
    let at = |v: &[f64], g: usize| num(v.get(g).copied().unwrap_or(0.0));
    let mut series = vec![json!({"name": "liquidations", "type": "bar", "stack": "g",
        "itemStyle": {"color": "#d55e00"},
        "data": (0..n).map(|g| at(&c.liquidated_by_generation_usd, g)).collect::<Vec<_>>()})];
    for (i, s) in c.channels.iter().enumerate() {
        series.push(json!({"name": s.channel, "type": "bar", "stack": "g",
            "itemStyle": {"color": COLOURS[i % COLOURS.len()]},
            "data": (0..n).map(|g| at(&s.traded_by_generation_usd, g)).collect::<Vec<_>>()}));
    }
    let mut o = json!({
        "animation": false,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 15}},
        "tooltip": {"trigger": "axis", "confine": true},
        "legend": {"top": 26, "type": "scroll"},
        "grid": {"left": 90, "right": 40, "top": 70, "bottom": 60},
    });
    o["xAxis"] = json!({"type": "category", "name": "generation (round or step)",
                        "data": (0..n).map(|g| g.to_string()).collect::<Vec<_>>()});
    o["yAxis"] = json!({"type": "value", "name": "notional (USD)", "unit": "usd"});
    o["series"] = Value::Array(series);
    Spec { id: "channels".into(), title, unit: "usd", option: o, intervals: Vec::new(), height: 400 }
}

/// One chart per figure: each policy's mean difference from the baseline, with its interval.
pub fn policy_charts(p: &PoliciesSection) -> Vec<Spec> {
    (0..METRICS.len())
        .map(|i| {
            let metric = METRICS[i];
            let unit = if metric == "overshoot" { "pct" } else { "usd" };
            let title = format!("{metric}: mean difference from the baseline, 95% paired interval");
            let mut cats = Vec::new();
            let mut data = Vec::new();
            let mut intervals = Vec::new();
            for c in p.policies.iter().skip(1) {
                let Some(m) = c.metrics.get(i) else { continue };
                let iv = m.mean_diff_interval;
                if iv.lo.is_finite() && iv.hi.is_finite() {
                    intervals.push((cats.len(), iv.lo, iv.hi));
                }
                cats.push(c.policy.clone());
                let colour = if m.mean_diff <= 0.0 { "#009e73" } else { "#d55e00" };
                data.push(json!({"value": num(m.mean_diff), "itemStyle": {"color": colour},
                                 "ci": [num(iv.lo), num(iv.hi)]}));
            }
            let o = json!({
                "animation": false,
                "title": {"text": title, "left": "center", "textStyle": {"fontSize": 15}},
                "tooltip": {"trigger": "item", "confine": true},
                "legend": {"show": false},
                "grid": {"left": 90, "right": 40, "top": 60, "bottom": 90},
                "xAxis": {"type": "category", "data": cats, "axisLabel": {"rotate": 20, "fontSize": 10}},
                "yAxis": {"type": "value", "name": format!("policy − baseline ({unit})"), "unit": unit},
                "series": [{"name": metric, "type": "bar", "data": data}],
            });
            Spec { id: format!("policy-{metric}"), title, unit, option: o, intervals, height: 360 }
        })
        .collect()
}

fn value(metric: &str, x: f64) -> String {
    if metric == "overshoot" {
        pct(x)
    } else {
        usd(x)
    }
}

/// The comparison table: a row per policy and figure.
pub(crate) fn policy_table(p: &PoliciesSection) -> Table {
    let head =
        ["case", "figure", "mean", "Δ mean [95%]", "ES99", "Δ ES99 [95%]"].iter().map(|h| h.to_string());
    let mut rows = Vec::new();
    for c in &p.policies {
        for m in &c.metrics {
            let f = |x: f64| value(&m.metric, x);
            rows.push(vec![
                c.policy.clone(),
                m.metric.clone(),
                f(m.mean),
                format!(
                    "{} [{}, {}]",
                    f(m.mean_diff),
                    f(m.mean_diff_interval.lo),
                    f(m.mean_diff_interval.hi)
                ),
                f(m.es99),
                format!(
                    "{} [{}, {}]",
                    f(m.es99_diff),
                    f(m.es99_diff_interval.lo),
                    f(m.es99_diff_interval.hi)
                ),
            ]);
        }
    }
    Table { head: head.collect(), rows }
}

/// The channel table: what each channel traded and the liquidations it adds.
pub(crate) fn channels_table(c: &ChannelsSection) -> Table {
    let head = ["channel", "traded (all generations)", "liquidations added"].iter().map(|h| h.to_string());
    let mut rows: Vec<Vec<String>> = c
        .channels
        .iter()
        .map(|s| {
            vec![
                s.channel.clone(),
                usd(s.traded_by_generation_usd.iter().sum()),
                s.liquidations_added_usd.map(usd).unwrap_or_else(|| "— (path run)".into()),
            ]
        })
        .collect();
    rows.push(vec![
        "liquidations".into(),
        usd(c.liquidated_by_generation_usd.iter().sum()),
        c.liquidations_only_usd.map(|x| format!("{} with every channel off", usd(x))).unwrap_or_default(),
    ]);
    Table { head: head.collect(), rows }
}
