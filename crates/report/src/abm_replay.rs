//! The report sections of `abm` (one run of the agent-based market on its L3 book) and `replay`
//! (a recorded price path through the cascade engine, against the recorded liquidation stream):
//! the input sections ([`AbmSection`], [`ReplaySection`]), their interactive charts and their
//! tables. Each holds its command's own result types (`liq_abm::AbmSummary`,
//! `liq_replay::ReplayReport`), not copies of them, so the page and `--json` cannot disagree.

use crate::fmt::{drawdown, pct, price, thousands, usd};
use crate::input::ReportInput;
use crate::interactive::{base, num, Spec};
use crate::tables::Table;
use liq_abm::{AbmOutcome, AbmSummary, PricePoint, ShockCfg};
use liq_engine::GenerationRow;
use liq_replay::ReplayReport;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const BLUE: &str = "#0072b2";
const GREY: &str = "#787878";
const VERMILION: &str = "#d55e00";
const GREEN: &str = "#009e73";
const ORANGE: &str = "#e69f00";

/// Seconds per bar of the ABM's liquidations-over-time chart.
pub const ABM_BUCKET_S: f64 = 10.0;
/// At most this many points of the ABM's 1-second price path go into a report (a longer run is
/// thinned to every k-th second), so a day-long run still gives a page a browser draws at once.
pub const ABM_MAX_POINTS: usize = 3_600;

/// One ABM run as the report draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbmSection {
    /// Where the config came from (`embedded default` or the patch file).
    pub config_source: String,
    /// Hash of the effective config (the `config_hash` of `abm --json`).
    pub config_hash: String,
    pub duration_s: f64,
    pub shock: Option<ShockCfg>,
    /// The `summary` of `abm --json`.
    pub summary: AbmSummary,
    /// The `generations` of `abm --json`.
    pub generations: Vec<GenerationRow>,
    /// The 1-second price path, every `path_stride`-th second.
    pub price_path: Vec<PricePoint>,
    pub path_stride: usize,
    /// Notional closed by liquidation per [`ABM_BUCKET_S`] seconds: `[bucket start (s), USD]`,
    /// the same events (book fills, takeovers, backstop, ADL) as `summary.liquidated_notional_usd`.
    pub liquidated_by_time_usd: Vec<(f64, f64)>,
    /// Ledger invariants at the end held (money conserved, open interest long = short).
    pub ledger_ok: bool,
}

impl AbmSection {
    pub fn new(
        config_source: &str,
        config_hash: &str,
        shock: Option<&ShockCfg>,
        out: &AbmOutcome,
        generations: Vec<GenerationRow>,
    ) -> AbmSection {
        let stride = out.price_path.len().div_ceil(ABM_MAX_POINTS).max(1);
        let price_path = out.price_path.iter().step_by(stride).copied().collect();
        let buckets = ((out.duration_s / ABM_BUCKET_S).ceil() as usize).max(1);
        let mut liquidated = vec![0.0; buckets];
        for e in out.events.iter().filter(|e| e.kind.liquidates()) {
            let b = ((e.time_s / ABM_BUCKET_S).floor().max(0.0) as usize).min(buckets - 1);
            liquidated[b] += e.notional_usd;
        }
        AbmSection {
            config_source: config_source.to_string(),
            config_hash: config_hash.to_string(),
            duration_s: out.duration_s,
            shock: shock.cloned(),
            summary: out.summary.clone(),
            generations,
            price_path,
            path_stride: stride,
            liquidated_by_time_usd: liquidated
                .into_iter()
                .enumerate()
                .map(|(b, usd)| (b as f64 * ABM_BUCKET_S, usd))
                .collect(),
            ledger_ok: out.ledger.ok(),
        }
    }
}

/// One replay as the report draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplaySection {
    /// The recorded files the window was cut from.
    pub trades: String,
    pub force_orders: String,
    /// The verdict the terminal prints (fit well or poorly identified, against which threshold).
    pub verdict: String,
    /// The `replay --json` report.
    pub report: ReplayReport,
}

impl ReportInput {
    /// Adds one ABM run (`abm --report`).
    pub fn with_abm(mut self, a: AbmSection) -> ReportInput {
        self.abm = Some(a);
        self
    }

    /// Adds a replay (`replay --report`).
    pub fn with_replay(mut self, r: ReplaySection) -> ReportInput {
        self.replay = Some(r);
        self
    }
}

/// The charts of these sections, in report order.
pub(crate) fn specs(input: &ReportInput) -> Vec<Spec> {
    let mut out = Vec::new();
    if let Some(a) = &input.abm {
        out.push(abm_path(a));
        out.push(abm_liquidations(a));
    }
    if let Some(r) = &input.replay {
        out.push(replay_minutes(r));
    }
    out
}

fn series(points: impl Iterator<Item = (f64, f64)>) -> Value {
    Value::Array(points.filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| json!([x, y])).collect())
}

/// The ABM's mid, index and mark over the run, the shock window shaded.
pub fn abm_path(a: &AbmSection) -> Spec {
    let title = "Agent-based market: mid, index and mark".to_string();
    let p = &a.price_path;
    let mut mid = json!({"name": "mid (L3 book)", "type": "line", "showSymbol": false,
                         "data": series(p.iter().map(|q| (q.t_s, q.mid))), "itemStyle": {"color": BLUE}});
    if let Some(s) = &a.shock {
        mid["markArea"] = json!({"silent": true, "itemStyle": {"color": "rgba(213,94,0,0.08)"},
                                  "data": [[{"name": format!("shock {}", pct(s.index_move)), "xAxis": s.at_s},
                                            {"xAxis": s.at_s + s.over_s}]]});
    }
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "value", "name": "time (s)", "nameLocation": "middle", "nameGap": 28});
    o["yAxis"] = json!({"type": "value", "name": "price (USD)", "scale": true, "unit": "price"});
    o["dataZoom"] = json!([{"type": "inside", "xAxisIndex": 0}, {"type": "inside", "yAxisIndex": 0},
                           {"type": "slider", "xAxisIndex": 0, "height": 18, "bottom": 12}]);
    o["series"] = json!([
        mid,
        {"name": "index (exogenous)", "type": "line", "showSymbol": false,
         "data": series(p.iter().map(|q| (q.t_s, q.index))), "itemStyle": {"color": GREY}, "lineStyle": {"type": "dashed"}},
        {"name": "mark", "type": "line", "showSymbol": false,
         "data": series(p.iter().map(|q| (q.t_s, q.mark))), "itemStyle": {"color": ORANGE}},
    ]);
    Spec { id: "abm-path".into(), title, unit: "price", option: o, intervals: vec![], height: 420 }
}

/// Liquidated notional per time bucket, and by generation.
pub fn abm_liquidations(a: &AbmSection) -> Spec {
    let title = format!("Agent-based market: notional liquidated per {ABM_BUCKET_S:.0} s");
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "value", "name": "time (s)", "nameLocation": "middle", "nameGap": 28});
    o["yAxis"] = json!({"type": "value", "name": "notional (USD)", "unit": "usd"});
    o["dataZoom"] = json!([{"type": "inside", "xAxisIndex": 0}, {"type": "slider", "xAxisIndex": 0, "height": 18, "bottom": 12}]);
    o["series"] = json!([{"name": "liquidated (fills, takeovers, backstop, ADL)", "type": "bar", "barMaxWidth": 12,
                          "data": series(a.liquidated_by_time_usd.iter().map(|&(t, u)| (t + ABM_BUCKET_S / 2.0, u))),
                          "itemStyle": {"color": VERMILION}}]);
    Spec { id: "abm-liquidations".into(), title, unit: "usd", option: o, intervals: vec![], height: 340 }
}

/// Simulated and recorded liquidated notional per minute, all symbols summed.
pub fn replay_minutes(r: &ReplaySection) -> Spec {
    let title = "Replay: liquidated notional per minute, simulated vs recorded (all symbols)".to_string();
    let t = &r.report.total;
    let cats: Vec<String> =
        (0..t.sim_notional_usd.len().max(t.rec_notional_usd.len())).map(|m| m.to_string()).collect();
    let col = |v: &[f64]| -> Vec<Value> { v.iter().map(|x| num(*x)).collect() };
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "category", "name": "minute of the window", "nameLocation": "middle", "nameGap": 28, "data": cats});
    o["yAxis"] = json!({"type": "value", "name": "notional (USD)", "unit": "usd"});
    o["dataZoom"] = json!([{"type": "inside", "xAxisIndex": 0}, {"type": "slider", "xAxisIndex": 0, "height": 18, "bottom": 12}]);
    o["series"] = json!([
        {"name": "simulated", "type": "bar", "data": col(&t.sim_notional_usd), "itemStyle": {"color": BLUE}},
        {"name": "recorded (forceOrder, a lower bound)", "type": "bar", "data": col(&t.rec_notional_usd), "itemStyle": {"color": GREEN}},
    ]);
    Spec { id: "replay-minutes".into(), title, unit: "usd", option: o, intervals: vec![], height: 380 }
}

fn s(x: impl Into<String>) -> String {
    x.into()
}

/// The headline cards of an ABM run: `(label, value, note)`.
pub(crate) fn abm_cards(a: &AbmSection) -> Vec<(&'static str, String, &'static str)> {
    let m = &a.summary;
    let later: f64 = m.notional_by_generation.iter().skip(1).sum();
    vec![
        ("liquidated notional", usd(m.liquidated_notional_usd), "book fills, takeovers, backstop and ADL"),
        ("of which generation ≥ 1", usd(later), "liquidations that followed a price-moving liquidation"),
        ("largest drawdown of the mid", drawdown(-m.max_drawdown), "lowest mid against the start"),
        ("insurance fund at the end", usd(m.fund_end_usd), "equity at the final mark"),
    ]
}

/// The headline cards of a replay.
pub(crate) fn replay_cards(r: &ReplaySection) -> Vec<(&'static str, String, &'static str)> {
    let c = &r.report.total.comparison;
    vec![
        ("simulated liquidations", usd(c.sim_total_usd), "all symbols, in the window"),
        ("recorded liquidations", usd(c.rec_total_usd), "forceOrder stream (a lower bound)"),
        (
            "per-minute correlation",
            c.correlation.map_or_else(|| s("undefined"), |x| format!("{x:.3}")),
            "Pearson, simulated vs recorded",
        ),
    ]
}

/// The ABM's headline figures, its generations and who gained or lost.
pub(crate) fn abm_tables(a: &AbmSection) -> Vec<Table> {
    let m = &a.summary;
    let rows = vec![
        vec![s("liquidated notional"), usd(m.liquidated_notional_usd)],
        vec![s("  closed in the book (IOC fills)"), usd(m.book_fill_notional_usd)],
        vec![s("  taken over by the fund or backstop"), usd(m.fund_takeover_notional_usd)],
        vec![s("  ADL"), usd(m.adl_notional_usd)],
        vec![s("accounts liquidated"), thousands(m.accounts_liquidated as f64)],
        vec![s("fund sold (bought) back into the book"), usd(m.fund_unwound_notional_usd)],
        vec![s("insurance fund start → end"), format!("{} → {}", usd(m.fund_start_usd), usd(m.fund_end_usd))],
        vec![s("bad debt"), usd(m.bad_debt_usd)],
        vec![
            s("mid start → lowest → end"),
            format!("{} → {} → {}", price(m.start_mid), price(m.min_mid), price(m.end_mid)),
        ],
        // The summary's own field is signed (lowest mid / start − 1); the report's convention
        // is a drawdown as a positive fall.
        vec![s("largest drawdown of the mid"), drawdown(-m.max_drawdown)],
        vec![s("trades / volume"), format!("{} / {:.3} base", thousands(m.trades as f64), m.volume_base)],
        vec![
            s("messages / scheduler events"),
            format!("{} / {}", thousands(m.messages as f64), thousands(m.sim_events as f64)),
        ],
        vec![
            s("ledger at the end"),
            s(if a.ledger_ok { "money conserved, open interest long = short" } else { "INVARIANT BROKEN" }),
        ],
    ];
    let figures = Table { head: vec![s("figure"), s("value")], rows };
    let generations = Table {
        head: vec![s("generation"), s("notional"), s("accounts"), s("events")],
        rows: a
            .generations
            .iter()
            .map(|g| {
                vec![
                    g.generation.to_string(),
                    usd(g.notional_usd),
                    thousands(g.accounts as f64),
                    g.events.to_string(),
                ]
            })
            .collect(),
    };
    let groups = Table {
        head: vec![s("account group"), s("net position (base)"), s("equity change")],
        rows: m
            .groups
            .iter()
            .map(|g| vec![g.group.clone(), format!("{:.4}", g.position_base), usd(g.equity_change_usd)])
            .collect(),
    };
    let mut tables = vec![figures, generations, groups];
    if !m.channels.is_empty() {
        // With `[flows]`: taker notional by channel (liquidations, the flows, the ABM's own takers).
        tables.push(Table {
            head: vec![s("taker channel"), s("sold"), s("bought")],
            rows: m
                .channels
                .iter()
                .map(|c| vec![c.channel.clone(), usd(c.sold_usd), usd(c.bought_usd)])
                .collect(),
        });
    }
    tables
}

/// The ABM section's opening sentence: what ran.
pub(crate) fn abm_intro(a: &AbmSection) -> String {
    let shock = a.shock.as_ref().map_or_else(
        || s("no exogenous shock"),
        |sh| format!("an index move of {} from {:.0} s over {:.0} s", pct(sh.index_move), sh.at_s, sh.over_s),
    );
    format!(
        "One run of the agent-based market (config {}, hash {}) over {:.0} s with {shock}: makers, noise and \
         momentum traders, arbitrageurs, stop-loss holders and leveraged accounts on an L3 book, the venue's \
         liquidation engine in the loop. The price path is the 1-second sample{}.",
        a.config_source,
        a.config_hash,
        a.duration_s,
        if a.path_stride > 1 { format!(", every {}th second shown", a.path_stride) } else { String::new() },
    )
}

/// The replay's tables: the error measures per symbol, and the fit's grid when it ran.
pub(crate) fn replay_tables(r: &ReplaySection) -> Vec<Table> {
    let opt = |x: Option<f64>| x.map_or_else(|| s("–"), |v| format!("{v:.3}"));
    let rep = &r.report;
    let row = |sym: &liq_replay::SymbolSeries| {
        let c = &sym.comparison;
        vec![
            sym.symbol.clone(),
            usd(c.sim_total_usd),
            usd(c.rec_total_usd),
            format!("{} / {}", c.sim_count, c.rec_count),
            opt(c.correlation),
            opt(c.log_ratio_totals),
            opt(c.share_rmse),
            c.lag_minutes.map_or_else(|| s("–"), |l| format!("{l:+}")),
        ]
    };
    let mut rows: Vec<Vec<String>> = rep.symbols.iter().map(row).collect();
    rows.push(row(&rep.total));
    let mut tables = vec![Table {
        head: vec![
            s("symbol"),
            s("simulated"),
            s("recorded"),
            s("events sim / rec"),
            s("correlation"),
            s("ln(sim/rec)"),
            s("share RMSE"),
            s("lag (min)"),
        ],
        rows,
    }];
    if let Some(f) = &rep.fit {
        tables.push(Table {
            head: vec![
                s(format!("{} (grid)", f.parameter)),
                s("simulated"),
                s("correlation"),
                s("share RMSE"),
                s("ln(sim/rec)"),
            ],
            rows: f
                .grid
                .iter()
                .map(|g| {
                    let mark = if g.leverage_median == f.best_leverage_median { " (chosen)" } else { "" };
                    vec![
                        format!("{}{mark}", g.leverage_median),
                        usd(g.sim_total_usd),
                        opt(g.correlation),
                        opt(g.share_rmse),
                        opt(g.log_ratio_totals),
                    ]
                })
                .collect(),
        });
    }
    tables
}

/// The replay section's opening: the window, the inputs, the verdict and the caveats.
pub(crate) fn replay_intro(r: &ReplaySection) -> String {
    let rep = &r.report;
    format!(
        "{} minutes of recorded prices ({}) replayed through the cascade engine on {} accounts at {:.0}-s steps, \
         against Binance's recorded forceOrder stream ({}). {} Recorded notional for symbols the scenario does not \
         hold: {}; simulated liquidations after the window: {}. {}",
        rep.minutes,
        r.trades,
        thousands(rep.accounts as f64),
        rep.step_s,
        r.force_orders,
        r.verdict.trim(),
        usd(rep.rec_unmatched_usd),
        usd(rep.sim_after_window_usd),
        rep.notes.join(" "),
    )
}
