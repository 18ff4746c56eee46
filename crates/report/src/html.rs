//! The self-contained HTML report: the charts inline as SVG, the numbers pre-formatted here
//! (so the template only lays them out), one minijinja template embedded at compile time.
//!
//! The template sees a [`Page`]: strings and lists of strings, plus each chart's SVG, which is
//! the only value marked safe (plotters escapes the text it writes; everything else, scenario
//! names included, is HTML-escaped by minijinja's auto-escaping for `.html` templates).

use crate::charts::{self, Chart};
use crate::fmt::{pct, price, ratio, thousands, usd};
use crate::input::{CascadeSection, ReportInput, StressSection, VarEsRow};
use crate::ReportError;
use serde::Serialize;

const TEMPLATE: &str = include_str!("../templates/report.html");

#[derive(Serialize)]
struct Figure {
    id: String,
    title: String,
    svg: String,
}

#[derive(Serialize)]
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct Card {
    label: String,
    value: String,
    note: String,
}

/// One section of the page: a heading, charts and tables, or a note saying why it is empty.
#[derive(Serialize)]
struct Section {
    id: &'static str,
    heading: &'static str,
    intro: String,
    figures: Vec<Figure>,
    tables: Vec<Table>,
    note: Option<String>,
}

#[derive(Serialize)]
struct Page {
    title: String,
    meta: Vec<(String, String)>,
    cards: Vec<Card>,
    narrative: Option<String>,
    sections: Vec<Section>,
}

fn s(x: impl Into<String>) -> String {
    x.into()
}

fn figures(charts: &[Chart], prefix: &str) -> Vec<Figure> {
    charts
        .iter()
        .filter(|c| c.id.starts_with(prefix))
        .map(|c| Figure { id: c.id.clone(), title: c.title.clone(), svg: c.svg.clone() })
        .collect()
}

fn section(id: &'static str, heading: &'static str, intro: &str) -> Section {
    Section { id, heading, intro: s(intro), figures: Vec::new(), tables: Vec::new(), note: None }
}

fn absent(mut sec: Section, note: &str) -> Section {
    sec.note = Some(s(note));
    sec
}

/// Renders the report as one HTML document.
pub fn render(input: &ReportInput) -> Result<String, ReportError> {
    let charts = charts::all_charts(input)?;
    let m = &input.meta;
    let shock: Vec<String> =
        m.shock.iter().filter(|(_, v)| *v != 0.0).map(|(k, v)| format!("{k} {}", pct(*v))).collect();
    let shock = if shock.is_empty() { s("none") } else { shock.join(", ") };
    let meta = vec![
        (s("scenario"), m.scenario.clone()),
        (s("scenario hash"), m.scenario_hash.clone()),
        (s("seed"), m.seed.to_string()),
        (s("venue"), m.venue.clone()),
        (s("shock"), shock),
        (s("liqcascade version"), m.version.clone()),
    ];
    let mut cards = Vec::new();
    if let Some(c) = &input.cascade {
        cascade_cards(c, &mut cards);
    }
    if let Some(st) = &input.stress {
        stress_cards(st, &mut cards);
    }
    let mut sections = Vec::new();
    let paths = section(
        "paths",
        "Price paths",
        "Each market's mark with the liquidation feedback (solid) beside the no-impact counterfactual, in which \
         liquidation orders move no price (dashed). Dots are liquidations, coloured by generation, sized by notional, \
         placed at the mark that triggered them.",
    );
    let waterfall = section(
        "waterfall",
        "Liquidation waterfall",
        "Notional added by each generation (round) of the cascade: generation 0 is what the shock alone \
         liquidates, everything after it is second-order.",
    );
    let fund = section(
        "fund",
        "Insurance fund and ADL",
        "The fund's equity with and without feedback, and the notional closed by auto-deleveraging.",
    );
    match &input.cascade {
        Some(c) => {
            let mut p = paths;
            p.figures = figures(&charts, "price-path-");
            p.tables.push(market_table(c));
            sections.push(p);
            let mut w = waterfall;
            w.figures = figures(&charts, "waterfall");
            w.tables.push(generation_table(c));
            sections.push(w);
            let mut f = fund;
            f.figures = figures(&charts, "fund-adl");
            sections.push(f);
        }
        None => {
            let note = "No instant-cascade result in this file.";
            sections.push(absent(paths, note));
            sections.push(absent(waterfall, note));
            sections.push(absent(fund, note));
        }
    }
    let mut curve = section(
        "curve",
        "Shock → loss curve",
        "The instant cascade swept over shock sizes for one market at a time. The critical shock is the smallest \
         shock at which amplification reaches the threshold: from there the feedback liquidates at least as much \
         as the shock itself.",
    );
    if input.critical.is_empty() {
        sections.push(absent(curve, "No critical-shock sweep in this file."));
    } else {
        curve.figures = figures(&charts, "shock-loss-");
        sections.push(curve);
    }
    let mut risk = section(
        "risk",
        "Risk measures: linear vs no-feedback vs cascade-adjusted",
        "Linear (delta-normal) VaR/ES sees neither fat tails nor the loop; no-feedback quantiles use the simulated \
         exogenous paths; cascade-adjusted quantiles add the price impact of every liquidation on the path.",
    );
    match &input.stress {
        Some(st) => {
            risk.figures = figures(&charts, "var-es");
            risk.figures.extend(figures(&charts, "venue-es"));
            risk.tables = stress_tables(st);
            sections.push(risk);
        }
        None => sections.push(absent(risk, "No Monte Carlo stress result in this file.")),
    }
    let mut map = section(
        "map",
        "Liquidation map",
        "Where liquidations sit by price level: first-order notional triggered inside each bin, and the notional \
         liquidated if the price moves from the mark to the bin's far edge, first-order only and with the cascade.",
    );
    if input.liquidation_maps.is_empty() {
        sections.push(absent(map, "No liquidation map in this file."));
    } else {
        map.figures = figures(&charts, "liquidation-map-");
        sections.push(map);
    }
    let page = Page {
        title: format!("liqcascade report: {}", m.scenario),
        meta,
        cards,
        narrative: input.stress.as_ref().map(|st| st.narrative.clone()),
        sections,
    };
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    Ok(env.get_template("report.html")?.render(&page)?)
}

fn card(cards: &mut Vec<Card>, label: &str, value: String, note: &str) {
    cards.push(Card { label: s(label), value, note: s(note) });
}

fn cascade_cards(c: &CascadeSection, cards: &mut Vec<Card>) {
    let h = &c.summary;
    card(cards, "Liquidated notional", usd(h.liquidated_notional_usd), "instant cascade, all markets");
    card(
        cards,
        "First- / second-order",
        format!("{} / {}", usd(h.first_order_notional_usd), usd(h.second_order_notional_usd)),
        "generation 0 / later generations",
    );
    card(cards, "Amplification", ratio(h.amplification), "total / first-order");
    card(
        cards,
        "vs no-impact run",
        ratio(h.counterfactual_amplification),
        &format!("counterfactual liquidates {}", usd(h.counterfactual_notional_usd)),
    );
    if let Some(w) = c.markets.iter().min_by(|a, b| a.overshoot.total_cmp(&b.overshoot)) {
        card(
            cards,
            "Largest overshoot",
            pct(w.overshoot),
            &format!("{}: end mark vs after-shock mark", w.symbol),
        );
    }
    card(
        cards,
        "Accounts liquidated",
        thousands(h.accounts_liquidated as f64),
        &format!("{} rounds{}", h.rounds, if h.round_cap_hit { ", round cap hit" } else { "" }),
    );
    card(
        cards,
        "Insurance fund",
        format!("{} → {}", usd(h.insurance_fund_start_usd), usd(h.insurance_fund_end_usd)),
        &format!("low point {}", usd(h.insurance_fund_min_usd)),
    );
    card(cards, "ADL / bad debt", format!("{} / {}", usd(h.adl_notional_usd), usd(h.bad_debt_usd)), "");
}

fn es99(v: &[VarEsRow]) -> f64 {
    v.first().map_or(0.0, |r| r.es)
}

fn stress_cards(st: &StressSection, cards: &mut Vec<Card>) {
    card(
        cards,
        "99% ES: cascade / linear",
        ratio(st.es99_cascade_over_linear),
        &format!("{} vs {} linear", usd(es99(&st.loss.cascade)), usd(es99(&st.linear))),
    );
    card(
        cards,
        "99% ES: cascade / no-feedback",
        ratio(st.es99_cascade_over_no_feedback),
        &format!("{} paths, {}", thousands(st.paths as f64), st.portfolio),
    );
}

fn market_table(c: &CascadeSection) -> Table {
    let head = [
        "market",
        "mark start",
        "after shock",
        "end",
        "trough",
        "trough, no impact",
        "overshoot",
        "1st order",
        "2nd order",
        "no-impact run",
        "ADL",
    ];
    let rows = c
        .markets
        .iter()
        .map(|m| {
            vec![
                m.symbol.clone(),
                price(m.mark_start),
                price(m.mark_after_shock),
                price(m.mark_end),
                price(m.mark_trough),
                price(m.mark_trough_counterfactual),
                pct(m.overshoot),
                usd(m.first_order_notional_usd),
                usd(m.second_order_notional_usd),
                usd(m.counterfactual_notional_usd),
                usd(m.adl_notional_usd),
            ]
        })
        .collect();
    Table { head: head.iter().map(|h| s(*h)).collect(), rows }
}

fn generation_table(c: &CascadeSection) -> Table {
    const SHOWN: usize = 12;
    let mut head = vec![s("generation"), s("notional"), s("accounts"), s("events")];
    head.extend(c.markets.iter().map(|m| m.symbol.clone()));
    let mut rows: Vec<Vec<String>> = c
        .generations
        .iter()
        .take(SHOWN)
        .map(|g| {
            let mut r = vec![
                g.generation.to_string(),
                usd(g.notional_usd),
                thousands(g.accounts as f64),
                g.events.to_string(),
            ];
            r.extend(g.notional_by_market_usd.iter().map(|v| usd(*v)));
            r
        })
        .collect();
    if c.generations.len() > SHOWN {
        let rest = &c.generations[SHOWN..];
        let mut r = vec![
            format!("{}–{}", rest[0].generation, rest[rest.len() - 1].generation),
            usd(rest.iter().map(|g| g.notional_usd).sum()),
            thousands(rest.iter().map(|g| g.accounts as f64).sum()),
            rest.iter().map(|g| g.events).sum::<u64>().to_string(),
        ];
        for k in 0..c.markets.len() {
            r.push(usd(rest.iter().map(|g| g.notional_by_market_usd.get(k).copied().unwrap_or(0.0)).sum()));
        }
        rows.push(r);
    }
    Table { head, rows }
}

fn stress_tables(st: &StressSection) -> Vec<Table> {
    let lvl = |v: &[VarEsRow], i: usize| v.get(i).map_or((s("–"), s("–")), |r| (usd(r.var), usd(r.es)));
    let mut measures = Table {
        head: ["measure", "VaR 99%", "ES 99%", "VaR 99.9%", "ES 99.9%"].iter().map(|h| s(*h)).collect(),
        rows: Vec::new(),
    };
    let mut push = |name: String, v: &[VarEsRow]| {
        let (a, b) = lvl(v, 0);
        let (c, d) = lvl(v, 1);
        measures.rows.push(vec![name, a, b, c, d]);
    };
    push(s("portfolio loss, linear"), &st.linear);
    push(s("portfolio loss, no feedback"), &st.loss.no_feedback);
    push(s("portfolio loss, cascade"), &st.loss.cascade);
    for v in &st.venue {
        push(format!("{}, no feedback", v.name), &v.no_feedback);
        push(format!("{}, cascade", v.name), &v.cascade);
    }
    let dd = |v: &[VarEsRow]| v.first().map_or(s("–"), |r| pct(-r.es));
    let overshoot = Table {
        head: ["market", "99% ES drawdown, no feedback", "99% ES drawdown, cascade", "mean overshoot"]
            .iter()
            .map(|h| s(*h))
            .collect(),
        rows: st
            .overshoot
            .iter()
            .map(|o| {
                vec![
                    o.market.clone(),
                    dd(&o.drawdown_no_feedback),
                    dd(&o.drawdown_cascade),
                    pct(o.mean_overshoot),
                ]
            })
            .collect(),
    };
    let a = &st.amplification;
    let amp = Table {
        head: ["paths with liquidations", "mean amplification", "median", "99th percentile", "max"]
            .iter()
            .map(|h| s(*h))
            .collect(),
        rows: vec![vec![
            thousands(a.paths_with_liquidations as f64),
            ratio(a.mean),
            ratio(a.median),
            ratio(a.p99),
            ratio(a.max),
        ]],
    };
    vec![measures, overshoot, amp]
}
