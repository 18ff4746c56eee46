//! The report sections of the analysis commands that are not a cascade or a Monte Carlo run:
//! `compare` (the same book under several venues' rules), `network` (exposure network,
//! contagion matrix, systemic rankings, concentration) and `firesale` (overlapping-portfolio
//! fire sales of bank balance sheets). Each reads the command's own result type
//! ([`VenueComparison`], [`NetworkReport`], [`FireSaleSection`]) and gives its charts (ECharts
//! options, drawn like every other chart by `assets/report.js`) and its pre-formatted tables.

use crate::fmt::{drawdown, pct, ratio, thousands, usd};
use crate::input::{FireSaleSection, ReportInput, VenueComparison};
use crate::interactive::{base, num, Spec};
use crate::tables::Table;
use liq_network::report::NetworkReport;
use serde_json::{json, Value};

const GREEN: &str = "#009e73";
const ORANGE: &str = "#e69f00";
const PURPLE: &str = "#cc79a7";
const BLUE: &str = "#0072b2";
const SKY: &str = "#56b4e9";
const VERMILION: &str = "#d55e00";
const INK: &str = "#1e1e1e";

fn s(x: impl Into<String>) -> String {
    x.into()
}

/// The charts of these sections, in report order.
pub(crate) fn specs(input: &ReportInput) -> Vec<Spec> {
    let mut out = Vec::new();
    if let Some(c) = &input.comparison {
        out.push(venue_bars(c));
    }
    if let Some(n) = &input.network {
        out.push(contagion_heatmap(n));
    }
    if let Some(f) = &input.firesale {
        out.push(firesale_rounds(f));
    }
    out
}

/// First- and second-order notional stacked per venue, ADL beside them.
pub fn venue_bars(c: &VenueComparison) -> Spec {
    let title = "Liquidated notional by venue: first-order, second-order and ADL".to_string();
    let cats: Vec<&str> = c.venues.iter().map(|v| v.venue.as_str()).collect();
    let col = |f: fn(&liq_engine::Summary) -> f64| -> Vec<Value> {
        c.venues.iter().map(|v| v.summary.as_ref().map_or(Value::Null, |s| num(f(s)))).collect()
    };
    let mut o = base(&title);
    o["xAxis"] =
        json!({"type": "category", "name": "venue", "nameLocation": "middle", "nameGap": 28, "data": cats});
    o["yAxis"] = json!({"type": "value", "name": "notional (USD)", "unit": "usd"});
    o["series"] = json!([
        {"name": "first-order (generation 0)", "type": "bar", "stack": "liq", "data": col(|s| s.first_order_notional_usd), "itemStyle": {"color": GREEN}},
        {"name": "second-order (feedback)", "type": "bar", "stack": "liq", "data": col(|s| s.second_order_notional_usd), "itemStyle": {"color": ORANGE}},
        {"name": "ADL notional", "type": "bar", "data": col(|s| s.adl_notional_usd), "itemStyle": {"color": PURPLE}},
    ]);
    Spec { id: "compare-venues".into(), title, unit: "usd", option: o, intervals: vec![], height: 380 }
}

/// The headline contagion matrix C as a heat map: row = shocked market, column = where the
/// liquidation it causes lands.
pub fn contagion_heatmap(n: &NetworkReport) -> Spec {
    let c = &n.contagion;
    let title = format!(
        "Contagion matrix at a {} move (row: market shocked, column: liquidation caused)",
        pct(c.shock)
    );
    let data: Vec<Value> = c
        .matrix
        .iter()
        .enumerate()
        .flat_map(|(i, row)| row.iter().enumerate().map(move |(j, v)| json!([j, i, num(*v)])))
        .collect();
    let max = c.matrix.iter().flatten().copied().filter(|x| x.is_finite()).fold(0.0, f64::max);
    let mut o = base(&title);
    o["tooltip"] = json!({"trigger": "item", "confine": true});
    o["xAxis"] = json!({"type": "category", "name": "liquidation in", "nameLocation": "middle", "nameGap": 28, "data": c.markets});
    o["yAxis"] = json!({"type": "category", "name": "market shocked", "data": c.markets});
    o["visualMap"] = json!({"min": 0, "max": max, "calculable": true, "orient": "horizontal", "left": "center", "bottom": 2,
                            "inRange": {"color": ["#f7fbff", SKY, BLUE, VERMILION]}});
    o["grid"] = json!({"left": 110, "right": 40, "top": 70, "bottom": 90});
    o["series"] = json!([{"name": "C", "type": "heatmap", "data": data, "label": {"show": true},
                          "emphasis": {"itemStyle": {"borderColor": INK, "borderWidth": 1}}}]);
    Spec { id: "network-contagion".into(), title, unit: "ratio", option: o, intervals: vec![], height: 420 }
}

/// Defaults per round (bars) and the share of institutions defaulted so far (its own axis).
pub fn firesale_rounds(f: &FireSaleSection) -> Spec {
    let title = "Fire sale: defaults per round and the share of institutions defaulted".to_string();
    let o_ = &f.outcome;
    let cats: Vec<String> = o_.defaults_per_round.iter().enumerate().map(|(r, _)| r.to_string()).collect();
    let n = f.institutions.len().max(1) as f64;
    let mut cum = 0usize;
    let share: Vec<Value> = o_
        .defaults_per_round
        .iter()
        .map(|d| {
            cum += d;
            num(cum as f64 / n)
        })
        .collect();
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "category", "name": "round (0 = the shock)", "nameLocation": "middle", "nameGap": 28, "data": cats});
    o["yAxis"] = json!([{"type": "value", "name": "defaults", "minInterval": 1},
                        {"type": "value", "name": "share defaulted", "min": 0, "max": 1, "unit": "pct"}]);
    o["series"] = json!([
        {"name": "defaults in the round", "type": "bar", "data": o_.defaults_per_round, "itemStyle": {"color": VERMILION}},
        {"name": "share defaulted so far", "type": "line", "yAxisIndex": 1, "data": share, "itemStyle": {"color": BLUE}},
    ]);
    Spec { id: "firesale-rounds".into(), title, unit: "ratio", option: o, intervals: vec![], height: 380 }
}

/// The comparison's tables: the headline figures per venue, then the rules that differ.
pub(crate) fn comparison_tables(c: &VenueComparison) -> Vec<Table> {
    let mut head = vec![s("")];
    head.extend(c.venues.iter().map(|v| v.venue.clone()));
    type Cell = fn(&liq_engine::Summary) -> String;
    let rows: [(&str, Cell); 9] = [
        ("liquidated notional", |s| usd(s.liquidated_notional_usd)),
        ("first-order (generation 0)", |s| usd(s.first_order_notional_usd)),
        ("second-order (feedback)", |s| usd(s.second_order_notional_usd)),
        ("amplification", |s| ratio(s.amplification)),
        ("accounts liquidated", |s| thousands(s.accounts_liquidated as f64)),
        ("insurance fund end", |s| usd(s.insurance_fund_end_usd)),
        ("ADL notional", |s| usd(s.adl_notional_usd)),
        ("bad debt", |s| usd(s.bad_debt_usd)),
        ("rounds", |s| s.rounds.to_string()),
    ];
    let mut body: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, cell)| {
            let mut r = vec![s(*name)];
            r.extend(c.venues.iter().map(|v| v.summary.as_ref().map(cell).unwrap_or_else(|| s("not run"))));
            r
        })
        .collect();
    let symbols: Vec<&str> = c
        .venues
        .iter()
        .find(|v| v.summary.is_some())
        .map_or(vec![], |v| v.mark_move.iter().map(|m| m.0.as_str()).collect());
    for (k, sym) in symbols.iter().enumerate() {
        let mut r = vec![format!("{sym} end mark vs start")];
        r.extend(c.venues.iter().map(|v| v.mark_move.get(k).map_or_else(|| s("n/a"), |m| pct(m.1))));
        body.push(r);
    }
    let figures = Table { head, rows: body };
    let mut dhead = vec![s("rule")];
    dhead.extend(c.venues.iter().map(|v| v.venue.clone()));
    let drows = c
        .differences
        .iter()
        .map(|d| {
            let mut r = vec![d.rule.clone()];
            r.extend(d.values.iter().map(|(_, x)| short(x)));
            r
        })
        .collect();
    vec![figures, Table { head: dhead, rows: drows }]
}

/// A JSON value on one line, strings without quotes, null as a dash.
fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => s("–"),
        other => other.to_string(),
    }
}

/// The network's tables: concentration near the trigger, the market pairs, the systemic markets
/// and accounts (DebtRank).
pub(crate) fn network_tables(n: &NetworkReport) -> Vec<Table> {
    let mut tables = Vec::new();
    let thresholds: Vec<f64> = n.concentration.first().map_or(vec![], |r| r.thresholds.clone());
    let mut head = vec![s("market"), s("side"), s("open interest")];
    head.extend(thresholds.iter().map(|t| format!("within {}", drawdown(*t))));
    tables.push(Table {
        head,
        rows: n
            .concentration
            .iter()
            .map(|r| {
                let mut row = vec![r.market.clone(), r.side.clone(), usd(r.open_interest_usd)];
                row.extend(
                    r.notional_usd
                        .iter()
                        .zip(&r.share)
                        .map(|(u, sh)| format!("{} ({:.1}%)", usd(*u), sh * 100.0)),
                );
                row
            })
            .collect(),
    });
    tables.push(Table {
        head: vec![
            s("market pair"),
            s("accounts in both"),
            s("their notional"),
            s("cross-margin links"),
            s("cross-margin notional"),
        ],
        rows: n
            .market_pairs
            .iter()
            .take(10)
            .map(|p| {
                vec![
                    format!("{} – {}", p.market_a, p.market_b),
                    thousands(p.link.shared_accounts as f64),
                    usd(p.link.shared_notional_usd),
                    thousands(p.link.cross_margin_links as f64),
                    usd(p.link.cross_margin_notional_usd),
                ]
            })
            .collect(),
    });
    let rank = |rows: &[liq_network::RankRow], what: &str| Table {
        head: vec![s(what), s("DebtRank")],
        rows: rows.iter().map(|r| vec![r.name.clone(), format!("{:.4}", r.debtrank)]).collect(),
    };
    tables.push(rank(&n.systemic_markets, "systemic market"));
    tables.push(rank(&n.systemic_accounts, "systemic account"));
    tables
}

/// The fire sale's tables: per round, then the institutions that defaulted.
pub(crate) fn firesale_tables(f: &FireSaleSection) -> Vec<Table> {
    let o = &f.outcome;
    let rounds = Table {
        head: vec![s("round"), s("defaults"), s("delevering"), s("sold / total cap")],
        rows: o
            .rounds
            .iter()
            .map(|r| {
                vec![
                    r.round.to_string(),
                    r.defaults.to_string(),
                    r.delevering.to_string(),
                    format!("{:.4}%", r.sold_fraction * 100.0),
                ]
            })
            .collect(),
    };
    let mut prices = vec![s("asset"), s("shock"), s("final price")];
    prices.push(s("units sold"));
    let assets = Table {
        head: prices,
        rows: f
            .assets
            .iter()
            .enumerate()
            .map(|(k, a)| {
                vec![
                    a.clone(),
                    f.params.shock.get(k).map_or_else(|| s("–"), |x| pct(*x)),
                    o.final_prices.get(k).map_or_else(|| s("–"), |x| format!("{x:.4}")),
                    o.total_sold.get(k).map_or_else(|| s("–"), |x| thousands(*x)),
                ]
            })
            .collect(),
    };
    let defaulted = Table {
        head: vec![s("institution"), s("default round"), s("equity at the end")],
        rows: o
            .institutions
            .iter()
            .filter(|i| i.default_round.is_some())
            .map(|i| {
                vec![i.name.clone(), i.default_round.map_or_else(|| s("–"), |r| r.to_string()), usd(i.equity)]
            })
            .collect(),
    };
    vec![rounds, assets, defaulted]
}

/// The fire sale's headline: defaults and the extent of the systemic event.
pub(crate) fn firesale_intro(f: &FireSaleSection) -> String {
    let o = &f.outcome;
    format!(
        "The Cont–Schaanning overlapping-portfolio model as {} runs it: default below a leverage ratio of {}, \
         delevering below {} back to {}, sales clearing {}, exponential impact with β = {:.4}. {} of {} institutions \
         defaulted over {} rounds; extent of the systemic event (EoSE, 0 below {}) = {:.4}.",
        f.reference,
        drawdown(f.params.leverage_min),
        drawdown(f.params.leverage_buffer),
        drawdown(f.params.leverage_target),
        match f.params.clearing {
            liq_network::ClearingTiming::NextRound => "the next round",
            liq_network::ClearingTiming::SameRound => "in the same round",
        },
        o.beta,
        o.total_defaults,
        f.institutions.len(),
        f.params.rounds,
        drawdown(f.params.eose_threshold),
        o.eose,
    )
}
