//! The interactive charts of the HTML report: one Apache ECharts option per chart, built here
//! as JSON and drawn in the page by `assets/report.js` with the inlined ECharts library
//! (`assets/echarts-6.1.0.min.js`, Apache-2.0, from npm `echarts@6.1.0`; licence and notice
//! beside it). Every chart has hover values (tooltips formatted in the chart's unit), zoom
//! (mouse wheel / drag on time and price axes, a slider where the axis is long) and series
//! toggles (click a legend entry). Small series get their own axes: the insurance fund, ADL and
//! the fund's cover of negative equity are three stacked panels, not lines beside liquidated
//! notional.
//!
//! A chart is `{id, title, unit, option, intervals?}`: `unit` (`usd`, `price`, `pct`, `ratio`)
//! picks the tooltip and axis formatter in the page; `intervals` are error bars
//! (`[category index, low, high]`) drawn over a bar series. Non-finite numbers never reach the
//! page: they are dropped (points) or written as `null` (a gap).

use crate::input::{CascadeSection, LeverageMap, ReportInput, StressSection};
use liq_network::liqmap::LiquidationMap;
use liq_stress::critical::CriticalShock;
use liq_stress::sensitivity::Sensitivity;
use serde_json::{json, Value};

/// One chart for the page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Spec {
    pub id: String,
    pub title: String,
    pub unit: &'static str,
    pub option: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<(usize, f64, f64)>,
    /// Pixel height of the chart's box.
    pub height: u32,
}

// Okabe–Ito, as the SVG charts.
const BLUE: &str = "#0072b2";
const SKY: &str = "#56b4e9";
const GREEN: &str = "#009e73";
const ORANGE: &str = "#e69f00";
const VERMILION: &str = "#d55e00";
const PURPLE: &str = "#cc79a7";
const GREY: &str = "#787878";
const INK: &str = "#1e1e1e";

pub(crate) fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

fn pts(v: &[(f64, f64)]) -> Value {
    Value::Array(
        v.iter().filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| json!([x, y])).collect(),
    )
}

fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

pub(crate) fn base(title: &str) -> Value {
    json!({
        "animation": false,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 15}},
        "tooltip": {"trigger": "axis", "confine": true},
        "legend": {"top": 26, "type": "scroll"},
        "grid": {"left": 90, "right": 70, "top": 70, "bottom": 70},
        "toolbox": {"right": 10, "feature": {"dataZoom": {}, "restore": {}}},
    })
}

fn zoom_x() -> Value {
    json!([{"type": "inside", "xAxisIndex": 0}, {"type": "slider", "xAxisIndex": 0, "height": 18, "bottom": 12}])
}

/// Every chart the input has data for, in report order.
pub fn all_specs(input: &ReportInput) -> Vec<Spec> {
    let mut out = Vec::new();
    if let Some(c) = &input.cascade {
        for k in 0..c.paths.len() {
            out.push(price_path(c, k));
        }
        out.push(waterfall(c));
        out.push(fund_panels(c));
        if let Some(h) = time_heatmap(c) {
            out.push(h);
        }
    }
    for m in &input.leverage_maps {
        out.push(leverage_map(m));
    }
    for cc in &input.critical {
        out.push(shock_loss(cc));
    }
    if let Some(s) = &input.stress {
        out.push(var_es(s));
        out.push(venue_es(s));
    }
    for m in &input.liquidation_maps {
        out.push(liquidation_map(m));
    }
    if let Some(t) = &input.sensitivity {
        out.push(tornado(t));
    }
    if let Some(c) = &input.channels {
        out.push(crate::policies::channels_chart(c));
    }
    if let Some(p) = &input.policies {
        out.extend(crate::policies::policy_charts(p));
    }
    out.extend(crate::analysis_sections::specs(input));
    out.extend(crate::abm_replay::specs(input));
    out
}

const GEN_BUCKETS: [(u32, u32, &str, &str); 5] = [
    (0, 0, "generation 0 (first-order)", GREEN),
    (1, 1, "generation 1", ORANGE),
    (2, 2, "generation 2", VERMILION),
    (3, 5, "generations 3–5", PURPLE),
    (6, u32::MAX, "generations 6+", INK),
];

/// A market's mark with feedback and in the no-impact counterfactual, with the liquidations.
pub fn price_path(c: &CascadeSection, k: usize) -> Spec {
    let p = &c.paths[k];
    let title = format!("{}: mark with liquidation feedback vs without", p.symbol);
    let cf_name =
        if c.path_run { "scripted path (no-impact counterfactual)" } else { "no-impact counterfactual" };
    let mut series = vec![
        json!({"name": "with feedback", "type": "line", "step": "end", "showSymbol": false,
               "data": pts(&p.cascade), "lineStyle": {"color": BLUE, "width": 2}, "itemStyle": {"color": BLUE}}),
        json!({"name": cf_name, "type": "line", "step": "end", "showSymbol": false,
               "data": pts(&p.counterfactual), "lineStyle": {"color": GREY, "type": "dashed"}, "itemStyle": {"color": GREY}}),
    ];
    let max_n = c.liquidations.iter().filter(|m| m.market == k).map(|m| m.notional_usd).fold(0.0, f64::max);
    for (lo, hi, name, colour) in GEN_BUCKETS {
        let data: Vec<Value> = c
            .liquidations
            .iter()
            .filter(|m| m.market == k && m.generation >= lo && m.generation <= hi)
            .filter(|m| m.time_s.is_finite() && m.mark.is_finite() && m.notional_usd.is_finite())
            .map(|m| {
                let size = if max_n > 0.0 { 5.0 + 20.0 * (m.notional_usd / max_n).sqrt() } else { 6.0 };
                json!({"value": [m.time_s, m.mark, m.notional_usd, m.events], "symbolSize": size})
            })
            .collect();
        if !data.is_empty() {
            series.push(json!({"name": name, "type": "scatter", "data": data, "itemStyle": {"color": colour, "opacity": 0.8},
                               "tooltip": {"trigger": "item"}}));
        }
    }
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "value", "name": "time (s)", "nameLocation": "middle", "nameGap": 28});
    o["yAxis"] = json!({"type": "value", "name": "mark (USD)", "scale": true, "unit": "price"});
    o["dataZoom"] = json!([{"type": "inside", "xAxisIndex": 0}, {"type": "inside", "yAxisIndex": 0},
                           {"type": "slider", "xAxisIndex": 0, "height": 18, "bottom": 12}]);
    o["series"] = Value::Array(series);
    Spec {
        id: format!("price-path-{}", slug(&p.symbol)),
        title,
        unit: "price",
        option: o,
        intervals: vec![],
        height: 420,
    }
}

/// Notional by generation, stacked by market.
pub fn waterfall(c: &CascadeSection) -> Spec {
    let title = "Liquidated notional by generation (generation 0 = first-order)".to_string();
    let cats: Vec<String> = c.generations.iter().map(|g| g.generation.to_string()).collect();
    let colours = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION];
    let series: Vec<Value> = c
        .markets
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let data: Vec<Value> =
                c.notional_by_market_usd.iter().map(|row| num(row.get(k).copied().unwrap_or(0.0))).collect();
            json!({"name": m.symbol, "type": "bar", "stack": "gen", "data": data,
                   "itemStyle": {"color": colours[k % colours.len()]}})
        })
        .collect();
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "category", "name": "generation", "nameLocation": "middle", "nameGap": 28, "data": cats});
    o["yAxis"] = json!({"type": "value", "name": "notional (USD)", "unit": "usd"});
    o["dataZoom"] = zoom_x();
    o["series"] = Value::Array(series);
    Spec { id: "waterfall".into(), title, unit: "usd", option: o, intervals: vec![], height: 380 }
}

/// Insurance fund, ADL and fund cover of negative equity: three panels, each on its own axis.
pub fn fund_panels(c: &CascadeSection) -> Spec {
    let title = "Insurance fund, ADL and negative equity covered, each on its own axis".to_string();
    let fund: Vec<(f64, f64)> = c.fund.iter().map(|f| (f.time_s, f.fund_usd)).collect();
    let adl: Vec<(f64, f64)> = c.fund.iter().map(|f| (f.time_s, f.adl_cum_usd)).collect();
    let mut o = base(&title);
    o["grid"] = json!([
        {"left": 90, "right": 40, "top": 70, "height": "22%"},
        {"left": 90, "right": 40, "top": "45%", "height": "18%"},
        {"left": 90, "right": 40, "top": "71%", "height": "18%"}
    ]);
    o["axisPointer"] = json!({"link": [{"xAxisIndex": "all"}]});
    o["xAxis"] = json!([
        {"type": "value", "gridIndex": 0, "axisLabel": {"show": false}},
        {"type": "value", "gridIndex": 1, "axisLabel": {"show": false}},
        {"type": "value", "gridIndex": 2, "name": "time (s)", "nameLocation": "middle", "nameGap": 24}
    ]);
    o["yAxis"] = json!([
        {"type": "value", "gridIndex": 0, "name": "fund equity (USD)", "scale": true, "unit": "usd"},
        {"type": "value", "gridIndex": 1, "name": "ADL, cumulative (USD)", "unit": "usd"},
        {"type": "value", "gridIndex": 2, "name": "fund cover, cumulative (USD)", "unit": "usd"}
    ]);
    o["dataZoom"] = json!([{"type": "inside", "xAxisIndex": [0, 1, 2]}]);
    o["series"] = json!([
        {"name": "fund, with feedback", "type": "line", "step": "end", "showSymbol": false, "xAxisIndex": 0, "yAxisIndex": 0,
         "data": pts(&fund), "itemStyle": {"color": BLUE}},
        {"name": "fund, no-impact counterfactual", "type": "line", "step": "end", "showSymbol": false, "xAxisIndex": 0, "yAxisIndex": 0,
         "data": pts(&c.fund_counterfactual), "itemStyle": {"color": GREY}, "lineStyle": {"type": "dashed"}},
        {"name": "ADL notional, cumulative", "type": "line", "step": "end", "showSymbol": false, "xAxisIndex": 1, "yAxisIndex": 1,
         "data": pts(&adl), "itemStyle": {"color": VERMILION}, "areaStyle": {"opacity": 0.15}},
        {"name": "negative equity covered by the fund, cumulative", "type": "line", "step": "end", "showSymbol": false,
         "xAxisIndex": 2, "yAxisIndex": 2, "data": pts(&c.bad_debt), "itemStyle": {"color": PURPLE}, "areaStyle": {"opacity": 0.15}}
    ]);
    Spec { id: "fund-adl".into(), title, unit: "usd", option: o, intervals: vec![], height: 520 }
}

/// Liquidated notional by price and time (all markets' execution prices, per market a row
/// block would mix scales: one heat map per market would be many, so the shocked market's
/// markers are drawn, the one with the most notional).
pub fn time_heatmap(c: &CascadeSection) -> Option<Spec> {
    let k = (0..c.markets.len()).max_by(|&a, &b| {
        c.markets[a].liquidated_notional_usd.total_cmp(&c.markets[b].liquidated_notional_usd)
    })?;
    let ms: Vec<_> = c
        .liquidations
        .iter()
        .filter(|m| m.market == k && m.avg_price.is_finite() && m.time_s.is_finite() && m.notional_usd > 0.0)
        .collect();
    if ms.is_empty() {
        return None;
    }
    let symbol = &c.markets[k].symbol;
    let lo = ms.iter().map(|m| m.avg_price).fold(f64::INFINITY, f64::min);
    let hi = ms.iter().map(|m| m.avg_price).fold(f64::NEG_INFINITY, f64::max);
    const PRICE_BINS: usize = 24;
    const TIME_BINS: usize = 40;
    let t_hi = ms.iter().map(|m| m.time_s).fold(0.0, f64::max);
    let width = if hi > lo { (hi - lo) / PRICE_BINS as f64 } else { lo.abs().max(1.0) * 1e-3 };
    let t_width = (t_hi / TIME_BINS as f64).max(c.step_s.max(1e-9));
    let n_t = ((t_hi / t_width).floor() as usize + 1).min(TIME_BINS + 1);
    let mut cells = vec![vec![0.0; PRICE_BINS]; n_t];
    for m in &ms {
        let i = ((m.time_s / t_width).floor() as usize).min(n_t - 1);
        let j = (((m.avg_price - lo) / width).floor() as usize).min(PRICE_BINS - 1);
        cells[i][j] += m.notional_usd;
    }
    let times: Vec<String> = (0..n_t).map(|i| format!("{:.0}", i as f64 * t_width)).collect();
    let prices: Vec<String> =
        (0..PRICE_BINS).map(|j| format!("{:.2}", lo + (j as f64 + 0.5) * width)).collect();
    let max = cells.iter().flatten().copied().fold(0.0, f64::max);
    let data: Vec<Value> = cells
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter().enumerate().filter(|(_, v)| **v > 0.0).map(move |(j, v)| json!([i, j, v]))
        })
        .collect();
    let title = format!("{symbol}: liquidated notional by price and time");
    let mut o = base(&title);
    o["tooltip"] = json!({"trigger": "item", "confine": true});
    o["xAxis"] = json!({"type": "category", "name": "time (s, bin start)", "nameLocation": "middle", "nameGap": 28, "data": times});
    o["yAxis"] = json!({"type": "category", "name": "execution price (USD, bin centre)", "data": prices});
    o["visualMap"] = json!({"min": 0, "max": max, "calculable": true, "orient": "horizontal", "left": "center", "bottom": 2,
                            "inRange": {"color": ["#f7fbff", SKY, BLUE, VERMILION]}, "unit": "usd"});
    o["grid"] = json!({"left": 110, "right": 40, "top": 70, "bottom": 90});
    o["dataZoom"] = json!([{"type": "inside", "xAxisIndex": 0}, {"type": "inside", "yAxisIndex": 0}]);
    o["series"] = json!([{"name": "liquidated notional", "type": "heatmap", "data": data, "emphasis": {"itemStyle": {"borderColor": INK, "borderWidth": 1}}}]);
    Some(Spec {
        id: format!("time-heatmap-{}", slug(symbol)),
        title,
        unit: "usd",
        option: o,
        intervals: vec![],
        height: 440,
    })
}

/// First-order levels by price and leverage bucket; the cells the run's path already crossed
/// ("consumed") in their own colour scale.
pub fn leverage_map(m: &LeverageMap) -> Spec {
    let bins = m.price_edges.len().saturating_sub(1);
    let prices: Vec<String> =
        (0..bins).map(|j| format!("{:.2}", 0.5 * (m.price_edges[j] + m.price_edges[j + 1]))).collect();
    let (mut open, mut used) = (Vec::new(), Vec::new());
    for (b, row) in m.notional_usd.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if *v <= 0.0 || !v.is_finite() {
                continue;
            }
            let (lo, hi) = (m.price_edges[j], m.price_edges[j + 1]);
            // A long level below the mark is consumed once the trough reached it, a short level
            // above once the peak did.
            let consumed = (hi <= m.mark && lo >= m.consumed_low) || (lo >= m.mark && hi <= m.consumed_high);
            if consumed { &mut used } else { &mut open }.push(json!([j, b, v]));
        }
    }
    let max = m.notional_usd.iter().flatten().copied().filter(|x| x.is_finite()).fold(0.0, f64::max);
    let title = format!("{}: first-order liquidation levels by price and leverage", m.market);
    let mut o = base(&title);
    o["tooltip"] = json!({"trigger": "item", "confine": true});
    o["xAxis"] = json!({"type": "category", "name": "trigger price (USD, bin centre)", "nameLocation": "middle", "nameGap": 28, "data": prices});
    o["yAxis"] = json!({"type": "category", "name": "leverage at start", "data": m.buckets});
    o["visualMap"] = json!([
        {"seriesIndex": 0, "min": 0, "max": max, "orient": "horizontal", "left": "20%", "bottom": 2, "text": ["", "not reached"],
         "inRange": {"color": ["#eef5fb", SKY, BLUE]}, "calculable": true},
        {"seriesIndex": 1, "min": 0, "max": max, "orient": "horizontal", "left": "60%", "bottom": 2, "text": ["", "consumed by the path"],
         "inRange": {"color": ["#fdeee6", ORANGE, VERMILION]}, "calculable": true}
    ]);
    o["grid"] = json!({"left": 90, "right": 40, "top": 70, "bottom": 90});
    o["dataZoom"] = json!([{"type": "inside", "xAxisIndex": 0}]);
    o["series"] = json!([
        {"name": "not reached", "type": "heatmap", "data": open},
        {"name": "consumed by the path", "type": "heatmap", "data": used}
    ]);
    Spec {
        id: format!("leverage-map-{}", slug(&m.market)),
        title,
        unit: "usd",
        option: o,
        intervals: vec![],
        height: 400,
    }
}

/// The shock→loss curve, amplification on its own axis, the critical shock marked.
pub fn shock_loss(c: &CriticalShock) -> Spec {
    let title = format!("{}: shock → loss curve and critical shock", c.market);
    let mut curve: Vec<_> = c.curve.iter().filter(|p| p.shock.is_finite()).collect();
    curve.sort_by(|a, b| a.shock.total_cmp(&b.shock));
    let s = |f: fn(&liq_stress::critical::CurvePoint) -> f64| -> Vec<(f64, f64)> {
        curve.iter().map(|p| (p.shock * 100.0, f(p))).collect()
    };
    let mut amp = json!({"name": "amplification (×)", "type": "line", "yAxisIndex": 1, "data": pts(&s(|p| p.amplification)),
                         "itemStyle": {"color": INK}, "lineStyle": {"type": "dotted"}});
    let mut marks = vec![json!({"yAxis": c.threshold, "name": "threshold"})];
    if let Some(x) = c.critical_shock.filter(|x| x.is_finite()) {
        marks.push(json!({"xAxis": x * 100.0, "name": format!("critical shock {:.2}%", x * 100.0)}));
    }
    amp["markLine"] = json!({"symbol": "none", "label": {"formatter": "{b}"}, "data": marks, "lineStyle": {"color": VERMILION}});
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "value", "name": "shock (%)", "nameLocation": "middle", "nameGap": 28});
    o["yAxis"] = json!([{"type": "value", "name": "USD", "unit": "usd"}, {"type": "value", "name": "amplification (×)", "unit": "ratio"}]);
    o["dataZoom"] = zoom_x();
    o["series"] = json!([
        {"name": "liquidated", "type": "line", "data": pts(&s(|p| p.liquidated_usd)), "itemStyle": {"color": BLUE}},
        {"name": "first-order", "type": "line", "data": pts(&s(|p| p.first_order_usd)), "itemStyle": {"color": GREEN}},
        {"name": "bad debt", "type": "line", "data": pts(&s(|p| p.bad_debt_usd)), "itemStyle": {"color": VERMILION}},
        {"name": "accounts' loss", "type": "line", "data": pts(&s(|p| p.accounts_loss_usd)), "itemStyle": {"color": PURPLE}},
        amp
    ]);
    Spec {
        id: format!("shock-loss-{}", slug(&c.market)),
        title,
        unit: "usd",
        option: o,
        intervals: vec![],
        height: 420,
    }
}

/// Linear, no-feedback and cascade VaR/ES at 99% and 99.9%, each with its 95% interval.
pub fn var_es(s: &StressSection) -> Spec {
    let sm = &s.summary;
    let title = format!("Loss of the {}: VaR and ES with 95% intervals", sm.portfolio);
    let mut cats = Vec::new();
    let mut data = Vec::new();
    let mut intervals = Vec::new();
    for j in 0..sm.linear.len().min(sm.loss.cascade.len()) {
        let lvl = format!("{}%", sm.linear[j].alpha * 100.0);
        for (measure, pick) in [("VaR", true), ("ES", false)] {
            for (model, v, colour) in [
                ("linear", &sm.linear[j], GREY),
                ("no feedback", &sm.loss.no_feedback[j], SKY),
                ("cascade", &sm.loss.cascade[j], VERMILION),
            ] {
                let (x, ci) = if pick { (v.var, v.var_ci) } else { (v.es, v.es_ci) };
                if let Some(ci) = ci {
                    intervals.push((cats.len(), ci.lo, ci.hi));
                }
                cats.push(format!("{measure} {lvl} · {model}"));
                data.push(json!({"value": num(x), "itemStyle": {"color": colour},
                                 "ci": ci.map(|c| [num(c.lo), num(c.hi)])}));
            }
        }
    }
    let mut o = base(&title);
    o["legend"] = json!({"show": false});
    o["tooltip"] = json!({"trigger": "item", "confine": true});
    o["xAxis"] = json!({"type": "category", "data": cats, "axisLabel": {"rotate": 30, "fontSize": 10}});
    o["yAxis"] = json!({"type": "value", "name": "portfolio loss over the horizon (USD)", "unit": "usd"});
    o["grid"] = json!({"left": 90, "right": 40, "top": 60, "bottom": 120});
    o["series"] = json!([{"name": "loss", "type": "bar", "data": data}]);
    Spec { id: "var-es".into(), title, unit: "usd", option: o, intervals, height: 440 }
}

/// The venue's quantities at 99% ES without and with feedback, with intervals.
pub fn venue_es(s: &StressSection) -> Spec {
    let sm = &s.summary;
    let title = "Venue quantities at 99% ES, without vs with feedback (95% intervals)".to_string();
    let mut cats = Vec::new();
    let mut data = Vec::new();
    let mut intervals = Vec::new();
    for v in &sm.venue {
        let name = v.name.trim_end_matches(" (USD)");
        for (model, x, colour) in
            [("no feedback", &v.no_feedback[0], SKY), ("cascade", &v.cascade[0], VERMILION)]
        {
            if let Some(ci) = x.es_ci {
                intervals.push((cats.len(), ci.lo, ci.hi));
            }
            cats.push(format!("{name} · {model}"));
            data.push(json!({"value": num(x.es), "itemStyle": {"color": colour}, "ci": x.es_ci.map(|c| [num(c.lo), num(c.hi)])}));
        }
    }
    let mut o = base(&title);
    o["legend"] = json!({"show": false});
    o["tooltip"] = json!({"trigger": "item", "confine": true});
    o["xAxis"] = json!({"type": "category", "data": cats, "axisLabel": {"rotate": 30, "fontSize": 10}});
    o["yAxis"] = json!({"type": "value", "name": "99% expected shortfall (USD)", "unit": "usd"});
    o["grid"] = json!({"left": 90, "right": 40, "top": 60, "bottom": 130});
    o["series"] = json!([{"name": "ES 99%", "type": "bar", "data": data}]);
    Spec { id: "venue-es".into(), title, unit: "usd", option: o, intervals, height: 440 }
}

/// The liquidation map: per price bin, notional triggered inside it and cumulative to its edge.
pub fn liquidation_map(m: &LiquidationMap) -> Spec {
    let title = format!("{}: liquidation map (notional by price level)", m.market);
    let x = |b: &liq_network::liqmap::MapBin| 0.5 * (b.price_lo + b.price_hi);
    let bins: Vec<_> = m.bins.iter().filter(|b| b.price_lo.is_finite() && b.price_hi.is_finite()).collect();
    let mut o = base(&title);
    o["xAxis"] = json!({"type": "value", "name": "price (USD, bin centre)", "nameLocation": "middle", "nameGap": 28, "scale": true});
    o["yAxis"] = json!([{"type": "value", "name": "in bin (USD)", "unit": "usd"}, {"type": "value", "name": "cumulative to edge (USD)", "unit": "usd"}]);
    o["dataZoom"] = zoom_x();
    let mut series = vec![
        json!({"name": "long (triggered falling)", "type": "bar", "stack": "bin", "data": bins.iter().map(|b| json!([x(b), num(b.long_usd)])).collect::<Vec<_>>(), "itemStyle": {"color": BLUE},
               "markLine": {"symbol": "none", "data": [{"xAxis": m.mark, "name": "current mark"}], "label": {"formatter": "{b}"}, "lineStyle": {"color": INK}}}),
        json!({"name": "short (triggered rising)", "type": "bar", "stack": "bin", "data": bins.iter().map(|b| json!([x(b), num(b.short_usd)])).collect::<Vec<_>>(), "itemStyle": {"color": ORANGE}}),
        json!({"name": "first-order, cumulative", "type": "line", "yAxisIndex": 1, "showSymbol": false, "data": bins.iter().map(|b| json!([x(b), num(b.cumulative_first_order_usd)])).collect::<Vec<_>>(), "itemStyle": {"color": GREEN}}),
    ];
    if bins.iter().any(|b| b.cumulative_cascade_usd.is_some()) {
        series.push(json!({"name": "with the cascade, cumulative", "type": "line", "yAxisIndex": 1, "showSymbol": false,
                           "data": bins.iter().map(|b| json!([x(b), num(b.cumulative_cascade_usd.unwrap_or(f64::NAN))])).collect::<Vec<_>>(), "itemStyle": {"color": VERMILION}}));
    }
    o["series"] = Value::Array(series);
    Spec {
        id: format!("liquidation-map-{}", slug(&m.market)),
        title,
        unit: "usd",
        option: o,
        intervals: vec![],
        height: 420,
    }
}

/// The tornado: each parameter's low and high end as the change of second-order notional from
/// the scenario's value, largest swing on top.
pub fn tornado(t: &Sensitivity) -> Spec {
    let title = "Sensitivity of second-order notional (one parameter at a time)".to_string();
    // ECharts draws the first category at the bottom: reverse so the largest swing is on top.
    let rows: Vec<_> = t.rows.iter().rev().collect();
    let base_v = t.second_order_base_usd;
    let cats: Vec<String> = rows.iter().map(|r| r.parameter.clone()).collect();
    let lo: Vec<Value> = rows
        .iter()
        .map(|r| json!({"value": num(r.second_order_low_usd - base_v), "setting": r.low, "level": num(r.second_order_low_usd)}))
        .collect();
    let hi: Vec<Value> = rows
        .iter()
        .map(|r| json!({"value": num(r.second_order_high_usd - base_v), "setting": r.high, "level": num(r.second_order_high_usd)}))
        .collect();
    let mut o = base(&title);
    o["tooltip"] = json!({"trigger": "item", "confine": true});
    o["grid"] = json!({"left": 230, "right": 50, "top": 70, "bottom": 60});
    o["xAxis"] = json!({"type": "value", "name": format!("change of second-order notional from {} (USD)", crate::fmt::usd(base_v)),
                        "nameLocation": "middle", "nameGap": 28, "unit": "usd"});
    o["yAxis"] = json!({"type": "category", "data": cats});
    o["series"] = json!([
        {"name": "low end", "type": "bar", "data": lo, "itemStyle": {"color": SKY}, "barWidth": 18},
        // Overlaid, not stacked: both ends may move the same way.
        {"name": "high end", "type": "bar", "data": hi, "itemStyle": {"color": VERMILION, "opacity": 0.85}, "barGap": "-100%", "barWidth": 18}
    ]);
    let h = 120 + 34 * t.rows.len() as u32;
    Spec { id: "tornado".into(), title, unit: "usd", option: o, intervals: vec![], height: h.max(300) }
}
