//! The self-contained HTML report: interactive charts (Apache ECharts inlined, see
//! [`crate::interactive`]), the numbers pre-formatted here (so the template only lays them
//! out), one minijinja template embedded at compile time.
//!
//! The template sees a [`Page`]: strings and lists of strings, plus three values marked safe:
//! the ECharts library, the page's glue script (`assets/report.js`) and the charts' JSON, which
//! is escaped for a `<script>` element (`</` written `<\/`). Everything else, scenario names
//! included, is HTML-escaped by minijinja's auto-escaping for `.html` templates.

use crate::fmt::{pct, ratio, ratio_interval, thousands, usd};
use crate::input::{CascadeSection, ReportInput, StressSection};
use crate::interactive::{self, Spec};
use crate::tables::{es99, generation_table, market_table, stress_tables, Table};
use crate::ReportError;
use serde::Serialize;

const TEMPLATE: &str = include_str!("../templates/report.html");
/// Apache ECharts 6.1.0 (npm `echarts@6.1.0`, `dist/echarts.min.js`, Apache-2.0; licence and
/// notice in `assets/`), inlined so the report works offline.
const ECHARTS: &str = include_str!("../assets/echarts-6.1.0.min.js");
const GLUE: &str = include_str!("../assets/report.js");

#[derive(Serialize)]
struct Figure {
    id: String,
    title: String,
    height: u32,
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
    version: String,
    scenario_hash: String,
    seed: String,
    meta: Vec<(String, String)>,
    cards: Vec<Card>,
    warnings: Vec<String>,
    narrative: Option<String>,
    sections: Vec<Section>,
    echarts: String,
    glue: String,
    data: String,
}

fn s(x: impl Into<String>) -> String {
    x.into()
}

fn figures(specs: &[Spec], prefix: &str) -> Vec<Figure> {
    specs
        .iter()
        .filter(|c| c.id.starts_with(prefix))
        .map(|c| Figure { id: c.id.clone(), title: c.title.clone(), height: c.height })
        .collect()
}

fn section(id: &'static str, heading: &'static str, intro: &str) -> Section {
    Section { id, heading, intro: s(intro), figures: Vec::new(), tables: Vec::new(), note: None }
}

fn absent(mut sec: Section, note: &str) -> Section {
    sec.note = Some(s(note));
    sec
}

/// The header lines: what produced the result. A Monte Carlo report states its settings and no
/// instant shock; a path run names its scripted move.
fn meta_lines(input: &ReportInput) -> Vec<(String, String)> {
    let m = &input.meta;
    let mut meta = vec![
        (s("scenario"), m.scenario.clone()),
        (s("scenario hash"), m.scenario_hash.clone()),
        (s("seed"), seed_text(input)),
        (s("venue"), m.venue.clone()),
    ];
    let moves: Vec<String> =
        m.shock.iter().filter(|(_, v)| *v != 0.0).map(|(k, v)| format!("{k} {}", pct(*v))).collect();
    let moves = if moves.is_empty() { s("none") } else { moves.join(", ") };
    if let Some(st) = &input.stress {
        let c = &st.context.config;
        let copula = match c.copula {
            liq_stress::Copula::Gaussian => s("Gaussian"),
            liq_stress::Copula::StudentT { df } => format!("Student-t, df {df}"),
        };
        meta.push((
            s("Monte Carlo"),
            format!(
                "{} paths × {} steps over {:.0} s, {copula} copula",
                thousands(c.paths as f64),
                c.steps,
                c.horizon_s
            ),
        ));
        let vols: Vec<String> = st
            .context
            .markets
            .iter()
            .zip(&c.daily_vol)
            .map(|(k, v)| format!("{k} {:.2}%", v * 100.0))
            .collect();
        meta.push((s("daily volatility"), vols.join(", ")));
        meta.push((s("portfolio"), st.context.portfolio.clone()));
        let iv = &st.summary.intervals;
        meta.push((
            s("intervals"),
            format!(
                "{:.0}%: VaR by {}; ES by {} ({} resamples)",
                iv.level * 100.0,
                iv.var_method,
                iv.es_method,
                iv.bootstrap_resamples
            ),
        ));
    } else if let Some(a) = &input.abm {
        let shock = a.shock.as_ref().map_or_else(
            || s("none"),
            |sh| format!("index {} at {:.0} s over {:.0} s", pct(sh.index_move), sh.at_s, sh.over_s),
        );
        meta.push((s("agent-based market"), format!("{:.0} s, exogenous shock: {shock}", a.duration_s)));
    } else if let Some(r) = &input.replay {
        meta.push((
            s("replayed window"),
            format!(
                "{} → {} (epoch ms), {} minutes, {:.0}-s steps",
                r.report.window_start_ms, r.report.window_end_ms, r.report.minutes, r.report.step_s
            ),
        ));
    } else if input.cascade.as_ref().is_some_and(|c| c.path_run) {
        meta.push((s("scripted move"), moves));
    } else if input.sensitivity.is_some() || input.cascade.is_some() || !input.critical.is_empty() {
        meta.push((s("instant shock"), moves));
    } else if input.firesale.is_some() {
        meta.push((s("initial price move"), moves));
    }
    meta.push((s("signs"), s("losses and drawdowns positive; price moves signed (−8% = down)")));
    meta.push((s("liqcascade version"), m.version.clone()));
    meta
}

/// Renders the report as one HTML document.
pub fn render(input: &ReportInput) -> Result<String, ReportError> {
    let specs = interactive::all_specs(input);
    let mut cards = Vec::new();
    if let Some(c) = &input.cascade {
        cascade_cards(c, &mut cards);
    }
    if let Some(st) = &input.stress {
        stress_cards(st, &mut cards);
    }
    let mut sections = Vec::new();
    let path_run = input.cascade.as_ref().is_some_and(|c| c.path_run);
    let paths = section(
        "paths",
        "Price paths",
        if path_run {
            "Each market's mark with the liquidation feedback (solid) beside the scripted path, which the no-impact \
             counterfactual follows (dashed). Dots are liquidations, coloured by generation, sized by notional. Hover for \
             values, drag or scroll to zoom, click a legend entry to hide a series."
        } else {
            "Each market's mark with the liquidation feedback (solid) beside the no-impact counterfactual, in which \
             liquidation orders move no price (dashed). Dots are liquidations, coloured by generation, sized by notional, \
             placed at the mark that triggered them. Hover for values, drag or scroll to zoom, click a legend entry to hide \
             a series."
        },
    );
    let waterfall = section(
        "waterfall",
        "Liquidation waterfall",
        "Notional added by each generation (round) of the cascade, stacked by market: generation 0 is what the shock \
         alone liquidates, everything after it is second-order.",
    );
    let fund = section(
        "fund",
        "Insurance fund, ADL and negative equity",
        "Each on its own axis, so the small series do not vanish next to liquidated notional: the fund's equity with and \
         without feedback, the notional closed by auto-deleveraging, and the negative equity the fund covered.",
    );
    let heat = section(
        "heat",
        "Where and when liquidations happened",
        "Liquidated notional by execution price and time (the market with the most notional), and the first-order \
         liquidation levels by trigger price and starting leverage, with the levels the path already consumed (crossed by \
         its trough or peak) in their own colour.",
    );
    match &input.cascade {
        Some(c) => {
            let mut p = paths;
            p.figures = figures(&specs, "price-path-");
            p.tables.push(market_table(c));
            sections.push(p);
            let mut w = waterfall;
            w.figures = figures(&specs, "waterfall");
            w.tables.push(generation_table(c));
            sections.push(w);
            let mut f = fund;
            f.figures = figures(&specs, "fund-adl");
            sections.push(f);
            let mut h = heat;
            h.figures = figures(&specs, "time-heatmap-");
            h.figures.extend(figures(&specs, "leverage-map-"));
            if h.figures.is_empty() {
                sections.push(absent(h, "Nothing was liquidated."));
            } else {
                sections.push(h);
            }
        }
        None => {
            let note = if input.stress.is_some() {
                "A Monte Carlo result: the per-path cascades are summarised in the risk measures below."
            } else {
                "No instant-cascade result in this file."
            };
            sections.push(absent(paths, note));
            sections.push(absent(waterfall, note));
            sections.push(absent(fund, note));
            sections.push(absent(heat, note));
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
        curve.figures = figures(&specs, "shock-loss-");
        sections.push(curve);
    }
    let mut risk = section(
        "risk",
        "Risk measures with 95% intervals: linear vs no-feedback vs cascade-adjusted",
        "Linear (delta-normal) VaR/ES sees neither fat tails nor the loop; no-feedback quantiles use the simulated \
         exogenous paths; cascade-adjusted quantiles add the price impact of every liquidation on the path. Whiskers are \
         95% intervals (a dashed whisker: no upper bound at this path count).",
    );
    match &input.stress {
        Some(st) => {
            risk.figures = figures(&specs, "var-es");
            risk.figures.extend(figures(&specs, "venue-es"));
            risk.tables = stress_tables(st);
            sections.push(risk);
        }
        None => sections.push(absent(risk, "No Monte Carlo stress result in this file.")),
    }
    let mut map = section(
        "map",
        "Liquidation map",
        "Where liquidations sit by price level: first-order notional triggered inside each bin (longs falling, shorts \
         rising), and the notional liquidated if the price moves from the mark to the bin's far edge, first-order only \
         and with the cascade.",
    );
    if input.liquidation_maps.is_empty() {
        sections.push(absent(map, "No liquidation map in this file."));
    } else {
        map.figures = figures(&specs, "liquidation-map-");
        sections.push(map);
    }
    if let Some(t) = &input.sensitivity {
        let mut sec = section(
            "sensitivity",
            "Sensitivity (tornado)",
            "Second-order notional with one parameter at a time at the low and the high end of its documented range, \
             everything else at the scenario's value; largest swing on top. This is what tells a desk which inputs it \
             must get right.",
        );
        sec.figures = figures(&specs, "tornado");
        sec.tables.push(Table {
            head: ["parameter", "low", "high", "2nd order low", "2nd order high", "swing"]
                .iter()
                .map(|h| s(*h))
                .collect(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.parameter.clone(),
                        r.low.clone(),
                        r.high.clone(),
                        usd(r.second_order_low_usd),
                        usd(r.second_order_high_usd),
                        usd(r.swing_usd),
                    ]
                })
                .collect(),
        });
        if !t.skipped.is_empty() {
            sec.intro += &format!(" Not varied: {}.", t.skipped.join("; "));
        }
        sections.push(sec);
    }
    if let Some(l) = &input.lending {
        let mut sec = section(
            "lending",
            "Lending protocol (Aave v3.3 rules)",
            "The lending run's own totals: debt repaid by liquidators (by generation: generation 0 is what the shock \
             alone makes liquidatable, later ones follow the liquidators' sales of seized collateral), the liquidation \
             bonus and the protocol's share of it, the deficit (debt burnt when a liquidation takes the last \
             collateral) and the liquidators' P&L; per reserve, the oracle path and the collateral seized, sold and \
             still held (docs/venues.md \"aave-v3\").",
        );
        sec.tables = crate::tables::lending_tables(l);
        sections.push(sec);
    }
    if let Some(c) = &input.channels {
        let mut sec = section(
            "channels",
            "Forced-flow channels",
            "Per generation, the notional liquidated and the notional each forced-flow channel traded (leveraged \
             tokens rebalancing, dealers hedging gamma, stop clusters), stacked. For an instant shock the table adds \
             the liquidations each channel causes: the run minus the same run with that channel off.",
        );
        sec.figures = figures(&specs, "channels");
        sec.tables.push(crate::policies::channels_table(c));
        sections.push(sec);
    }
    if let Some(h) = &input.hedge {
        let mut sec = section("hedge", "Delta hedge of the portfolio", &crate::hedge::hedge_intro(h));
        sec.tables.push(crate::hedge::hedge_table(h));
        sections.push(sec);
    }
    if let Some(p) = &input.policies {
        let mut sec = section(
            "policies",
            "Mitigation policies on common paths",
            "Every case ran on the same Monte Carlo paths as the baseline. Bars are the mean per-path difference \
             from the baseline (green = lower, i.e. better), whiskers its 95% paired interval; an interval that \
             straddles zero is no evidence the policy changes that figure at this path count.",
        );
        sec.figures = figures(&specs, "policy-");
        sec.tables.push(crate::policies::policy_table(p));
        sections.push(sec);
    }
    analysis_sections(input, &specs, &mut sections);
    // A file with none of the cascade's or the Monte Carlo's parts (one ABM run, a replay, a fire
    // sale, a policy comparison) would otherwise open with a list of "not in this file" notes:
    // the page keeps only what the file has.
    let no_cascade_parts = input.cascade.is_none()
        && input.stress.is_none()
        && input.critical.is_empty()
        && input.liquidation_maps.is_empty()
        && input.sensitivity.is_none();
    if no_cascade_parts {
        sections.retain(|s| s.note.is_none());
    }
    if let Some(a) = &input.abm {
        for (label, value, note) in crate::abm_replay::abm_cards(a) {
            card(&mut cards, label, value, note);
        }
    }
    if let Some(r) = &input.replay {
        for (label, value, note) in crate::abm_replay::replay_cards(r) {
            card(&mut cards, label, value, note);
        }
    }
    let data = serde_json::to_string(&specs)
        .map_err(|e| ReportError::Plot(e.to_string()))?
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--");
    let m = &input.meta;
    let page = Page {
        title: format!("liqcascade report: {}", m.scenario),
        version: m.version.clone(),
        scenario_hash: m.scenario_hash.clone(),
        seed: seed_text(input),
        meta: meta_lines(input),
        cards,
        warnings: input.stress.as_ref().map(|st| st.summary.warnings.clone()).unwrap_or_default(),
        narrative: input.stress.as_ref().map(|st| st.summary.narrative.clone()),
        sections,
        echarts: ECHARTS.replace("</script", "<\\/script"),
        glue: s(GLUE),
        data,
    };
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    Ok(env.get_template("report.html")?.render(&page)?)
}

/// The seed as the header prints it: a fire sale draws no random numbers, so it has none.
fn seed_text(input: &ReportInput) -> String {
    if input.firesale.is_some() {
        s("none (the fire-sale model draws no random numbers)")
    } else {
        input.meta.seed.to_string()
    }
}

/// The sections of `compare`, `network`, `firesale`, `abm` and `replay`, each only when the file
/// has its data.
fn analysis_sections(input: &ReportInput, specs: &[Spec], sections: &mut Vec<Section>) {
    use crate::analysis_sections as a;
    if let Some(c) = &input.comparison {
        let mut sec = section(
            "compare",
            "The same book under each venue's rules",
            "One run of the same accounts and shock per venue, each with its own rulebook, margin tables, mark and \
             index, liquidation orders, backstop and ADL. The second table lists every rule that is not the same on all \
             of them (found by comparing the rules as loaded, not written by hand).",
        );
        sec.figures = figures(specs, "compare-venues");
        sec.tables = a::comparison_tables(c);
        sections.push(sec);
    }
    if let Some(n) = &input.network {
        let mut sec = section(
            "network",
            "Exposure network and contagion",
            "Entry C[i][j] of the contagion matrix is the liquidation in market j caused per dollar liquidated \
             directly in market i when market i alone moves; a spectral radius above 1 means the markets' feedback \
             amplifies itself. The tables give the open interest within each distance of its trigger, the market \
             pairs that share accounts and cross wallets, and the DebtRank of markets and accounts.",
        );
        sec.intro += &format!(
            " Here: {} accounts, {} positions; spectral radius {:.3} at a {} move{}.",
            thousands(n.accounts as f64),
            thousands(n.positions as f64),
            n.contagion.spectral_radius,
            pct(n.contagion.shock),
            if n.contagion.self_amplifying { " (self-amplifying)" } else { "" }
        );
        sec.figures = figures(specs, "network-contagion");
        sec.tables = a::network_tables(n);
        sections.push(sec);
    }
    if let Some(f) = &input.firesale {
        let mut sec = section("firesale", "Fire sale of overlapping portfolios", "");
        sec.intro = a::firesale_intro(f);
        sec.figures = figures(specs, "firesale-rounds");
        sec.tables = a::firesale_tables(f);
        sections.push(sec);
    }
    use crate::abm_replay as b;
    if let Some(x) = &input.abm {
        let mut sec = section("abm", "Agent-based market on an L3 book", "");
        sec.intro = b::abm_intro(x);
        sec.figures = figures(specs, "abm-");
        sec.tables = b::abm_tables(x);
        sections.push(sec);
    }
    if let Some(r) = &input.replay {
        let mut sec = section("replay", "Replay of a recorded window against the recorded liquidations", "");
        sec.intro = b::replay_intro(r);
        sec.figures = figures(specs, "replay-");
        sec.tables = b::replay_tables(r);
        sections.push(sec);
    }
}

fn card(cards: &mut Vec<Card>, label: &str, value: String, note: &str) {
    cards.push(Card { label: s(label), value, note: s(note) });
}

fn cascade_cards(c: &CascadeSection, cards: &mut Vec<Card>) {
    let h = &c.summary;
    card(
        cards,
        "Liquidated notional",
        usd(h.liquidated_notional_usd),
        if c.path_run { "path run, all markets" } else { "instant cascade, all markets" },
    );
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
    if let Some(w) =
        c.markets.iter().min_by(|a, b| a.overshoot_beyond_exogenous.total_cmp(&b.overshoot_beyond_exogenous))
    {
        card(
            cards,
            "Largest overshoot",
            pct(w.overshoot_beyond_exogenous),
            &format!(
                "{}: end mark beyond the {} ({})",
                w.symbol,
                if c.path_run { "scripted move" } else { "move without feedback" },
                pct(w.exogenous_move)
            ),
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
        &format!("low point {}", usd(c.extras.insurance_fund_min_usd)),
    );
    card(cards, "ADL / bad debt", format!("{} / {}", usd(h.adl_notional_usd), usd(h.bad_debt_usd)), "");
}

fn stress_cards(st: &StressSection, cards: &mut Vec<Card>) {
    let sm = &st.summary;
    card(
        cards,
        "99% ES: cascade / linear",
        ratio(sm.es99_cascade_over_linear),
        &format!(
            "95% interval {}; {} vs {} linear",
            ratio_interval(sm.es99_cascade_over_linear_ci),
            usd(es99(&sm.loss.cascade)),
            usd(es99(&sm.linear))
        ),
    );
    card(
        cards,
        "99% ES: cascade / no-feedback",
        ratio(sm.es99_cascade_over_no_feedback),
        &format!(
            "95% interval {} (paired); {} paths",
            ratio_interval(sm.es99_cascade_over_no_feedback_ci),
            thousands(sm.paths as f64)
        ),
    );
    card(
        cards,
        "Paths where feedback costs",
        format!("{:.1}%", sm.paired.share_cascade_worse * 100.0),
        &format!(
            "cascade loss above no-feedback; 95% interval {:.1}–{:.1}%",
            sm.paired.share_cascade_worse_ci.lo * 100.0,
            sm.paired.share_cascade_worse_ci.hi * 100.0
        ),
    );
}
