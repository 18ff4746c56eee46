//! Bar charts: the liquidation waterfall by generation, and the linear / no-feedback /
//! cascade-adjusted VaR and ES bars.
//!
//! Bars sit on a segmented x axis with one segment per bar (grouped bars are adjacent segments,
//! with an empty segment between groups), so that each category label can be drawn at the
//! centre of its group by the label formatter.

use super::{
    box_key, legend, span_from_zero, svg, Chart, BLUE, FONT, GREEN, GREY, H, INK, SKY, VERMILION, W,
};
use crate::fmt;
use crate::input::{CascadeSection, StressSection};
use crate::ReportError;
use liq_stress::risk::VarEs;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Waterfall bars are capped at this many generations; the rest are merged into one bar.
const MAX_GENERATION_BARS: usize = 24;

/// The liquidated notional added by each generation, stacked into the total.
pub fn waterfall(c: &CascadeSection) -> Result<Chart, ReportError> {
    let title = "Liquidation waterfall by generation".to_string();
    let (xd, yd) = ("cascade generation (round)", "liquidated notional (USD)");
    let clean = |x: f64| if x.is_finite() { x } else { 0.0 };
    // (label, start, end, colour) per bar.
    let mut bars: Vec<(String, f64, f64, RGBColor)> = Vec::new();
    let mut cum = 0.0;
    let n = c.generations.len();
    for (i, g) in c.generations.iter().enumerate() {
        let v = clean(g.notional_usd);
        if i + 1 >= MAX_GENERATION_BARS && n > MAX_GENERATION_BARS {
            let rest: f64 = c.generations[i..].iter().map(|g| clean(g.notional_usd)).sum();
            bars.push((format!("{}+", g.generation), cum, cum + rest, VERMILION));
            cum += rest;
            break;
        }
        bars.push((
            g.generation.to_string(),
            cum,
            cum + v,
            if g.generation == 0 { GREEN } else { VERMILION },
        ));
        cum += v;
    }
    bars.push(("total".into(), 0.0, cum, BLUE));
    let (y0, y1) = span_from_zero(bars.iter().flat_map(|b| [b.1, b.2]), 0.4);
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let nb = bars.len() as u32;
    let svg = svg(W, H, |root| {
        let mut ch = ChartBuilder::on(root)
            .caption(&title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .build_cartesian_2d((0..nb - 1).into_segmented(), y0..y1)?;
        ch.configure_mesh()
            .x_desc(xd)
            .y_desc(yd)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .x_labels(nb as usize + 1)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| fmt::usd_axis(*v))
            .disable_x_mesh()
            .light_line_style(INK.mix(0.05))
            .draw()?;
        for (key, name) in [
            (GREEN, "first-order (generation 0)"),
            (VERMILION, "second-order (generations ≥ 1)"),
            (BLUE, "total liquidated"),
        ] {
            let items: Vec<_> = bars
                .iter()
                .enumerate()
                .filter(|(_, b)| b.3 == key)
                .map(|(i, b)| {
                    let mut r = Rectangle::new(
                        [(SegmentValue::Exact(i as u32), b.1), (SegmentValue::Exact(i as u32 + 1), b.2)],
                        key.filled(),
                    );
                    r.set_margin(0, 0, 4, 4);
                    r
                })
                .collect();
            ch.draw_series(items)?.label(name).legend(box_key(key));
        }
        // The increment on top of each bar: small generations are invisible at the total's scale.
        ch.draw_series(bars.iter().enumerate().map(|(i, b)| {
            Text::new(fmt::usd(b.2 - b.1), (SegmentValue::CenterOf(i as u32), b.2.max(b.1)), value_style())
        }))?;
        legend(&mut ch, SeriesLabelPosition::UpperLeft)
    })?;
    Ok(Chart { id: "waterfall".into(), title, axes: vec![xd.into(), yd.into()], svg })
}

/// Small centred text just above a bar's top.
fn value_style() -> TextStyle<'static> {
    (super::FONT, 11).into_font().color(&INK).pos(Pos::new(HPos::Center, VPos::Bottom))
}

/// Draws grouped bars: `groups` of `(label, values)`, one value per series in `series`.
fn grouped(
    title: &str,
    yd: &str,
    xd: &str,
    groups: &[(String, Vec<f64>)],
    series: &[(&str, RGBColor)],
) -> Result<String, ReportError> {
    let per = series.len() as u32 + 1;
    let slots = groups.len() as u32 * per;
    let (y0, y1) = span_from_zero(groups.iter().flat_map(|g| g.1.iter().copied()), 0.4);
    let labels: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    svg(W, H, |root| {
        let mut ch = ChartBuilder::on(root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .build_cartesian_2d((0..slots.max(1) - 1).into_segmented(), y0..y1)?;
        // A group's label goes on the centre of its middle bar (series.len() is odd here: 3 or
        // 2 bars; with 2 bars the label sits on the first, close enough to the middle).
        let mid = (series.len() as u32 - 1) / 2;
        ch.configure_mesh()
            .x_desc(xd)
            .y_desc(yd)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 13))
            .x_labels(slots as usize + 1)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if i % per == mid => {
                    labels.get((i / per) as usize).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .y_label_formatter(&|v| fmt::usd_axis(*v))
            .disable_x_mesh()
            .light_line_style(INK.mix(0.05))
            .draw()?;
        for (s, (name, colour)) in series.iter().enumerate() {
            let items: Vec<_> = groups
                .iter()
                .enumerate()
                .map(|(g, (_, vals))| {
                    let x = g as u32 * per + s as u32;
                    let v = vals.get(s).copied().filter(|v| v.is_finite()).unwrap_or(0.0);
                    let mut r = Rectangle::new(
                        [(SegmentValue::Exact(x), 0.0), (SegmentValue::Exact(x + 1), v)],
                        colour.filled(),
                    );
                    r.set_margin(0, 0, 1, 1);
                    r
                })
                .collect();
            ch.draw_series(items)?.label(*name).legend(box_key(*colour));
            ch.draw_series(groups.iter().enumerate().map(|(g, (_, vals))| {
                let v = vals.get(s).copied().filter(|v| v.is_finite()).unwrap_or(0.0);
                Text::new(
                    fmt::usd(v),
                    (SegmentValue::CenterOf(g as u32 * per + s as u32), v.max(0.0)),
                    value_style(),
                )
            }))?;
        }
        legend(&mut ch, SeriesLabelPosition::UpperLeft)
    })
}

fn level(v: &[VarEs], i: usize) -> (f64, f64) {
    v.get(i).map_or((0.0, 0.0), |r| (r.var, r.es))
}

fn alpha_label(v: &[VarEs], i: usize, fallback: f64) -> String {
    let a = v.get(i).map_or(fallback, |r| r.alpha) * 100.0;
    // 99 → "99%", 99.9 → "99.9%".
    format!("{}%", format!("{a:.1}").trim_end_matches(".0"))
}

/// The portfolio's linear, no-feedback and cascade-adjusted VaR and ES at 99% and 99.9%.
pub fn var_es(s: &StressSection) -> Result<Chart, ReportError> {
    let s = &s.summary;
    let title = format!("Loss of the {}: linear vs no-feedback vs cascade VaR/ES", s.portfolio);
    let (xd, yd) = ("risk measure and confidence level", "portfolio loss over the horizon (USD)");
    let mut groups = Vec::new();
    for (i, fallback) in [(0, 0.99), (1, 0.999)] {
        let a = alpha_label(&s.linear, i, fallback);
        let (lv, le) = level(&s.linear, i);
        let (nv, ne) = level(&s.loss.no_feedback, i);
        let (cv, ce) = level(&s.loss.cascade, i);
        groups.push((format!("VaR {a}"), vec![lv, nv, cv]));
        groups.push((format!("ES {a}"), vec![le, ne, ce]));
    }
    let series = [
        ("linear (delta-normal)", GREY),
        ("no feedback (exogenous paths)", SKY),
        ("cascade-adjusted", VERMILION),
    ];
    let svg = grouped(&title, yd, xd, &groups, &series)?;
    Ok(Chart { id: "var-es".into(), title, axes: vec![xd.into(), yd.into()], svg })
}

/// The venue's quantities at 99% ES without and with feedback.
pub fn venue_es(s: &StressSection) -> Result<Chart, ReportError> {
    let s = &s.summary;
    let title = "Venue quantities at 99% ES: without vs with liquidation feedback".to_string();
    let (xd, yd) = ("venue quantity", "99% expected shortfall (USD)");
    let groups: Vec<(String, Vec<f64>)> = s
        .venue
        .iter()
        .map(|v| {
            let name = v.name.trim_end_matches(" (USD)").to_string();
            (name, vec![level(&v.no_feedback, 0).1, level(&v.cascade, 0).1])
        })
        .collect();
    let series = [("no feedback", SKY), ("cascade-adjusted", VERMILION)];
    let svg = grouped(&title, yd, xd, &groups, &series)?;
    Ok(Chart { id: "venue-es".into(), title, axes: vec![xd.into(), yd.into()], svg })
}
