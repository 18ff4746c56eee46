//! Charts over time: a market's mark with feedback beside the no-impact counterfactual, with
//! the liquidations marked by generation; and the insurance fund and ADL.

use super::{
    legend, line_key, slug, span, svg, Chart, BLUE, FONT, GREEN, GREY, H, INK, ORANGE, PURPLE, VERMILION, W,
};
use crate::fmt;
use crate::input::CascadeSection;
use crate::ReportError;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Generation buckets for the markers: the first three rounds apart, then grouped, so the legend
/// stays short however long the cascade ran.
const BUCKETS: [(u32, u32, &str, RGBColor); 5] = [
    (0, 0, "generation 0 (first-order)", GREEN),
    (1, 1, "generation 1", ORANGE),
    (2, 2, "generation 2", VERMILION),
    (3, 5, "generations 3–5", PURPLE),
    (6, u32::MAX, "generations 6+", INK),
];

/// Clips the segment from the first point to the second at the frame `y0..y1`, keeping the line
/// where it enters the frame (the first point is the off-scale pre-shock mark).
fn clip_first(p: &mut [(f64, f64)], y0: f64, y1: f64) {
    if p.len() < 2 {
        return;
    }
    let ((xa, ya), (xb, yb)) = (p[0], p[1]);
    let edge = if ya > y1 { y1 } else { y0 };
    if (ya - yb).abs() > 0.0 && (ya > y1 || ya < y0) {
        p[0] = (xa + (xb - xa) * (ya - edge) / (ya - yb), edge);
    }
}

/// Extends `p` with its last value to the last time of `other`, if that is later.
fn extend_flat(p: &mut Vec<(f64, f64)>, other: &[(f64, f64)]) {
    if let (Some(&(t, y)), Some(&(t_end, _))) = (p.last(), other.last()) {
        if t_end.is_finite() && t_end > t {
            p.push((t_end, y));
        }
    }
}

fn finite(p: &[(f64, f64)]) -> Vec<(f64, f64)> {
    p.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite()).collect()
}

/// Market `k`'s mark over time.
pub fn price_path(c: &CascadeSection, k: usize) -> Result<Chart, ReportError> {
    let p = c.paths.get(k).ok_or_else(|| ReportError::Plot(format!("no price path for market {k}")))?;
    let title = format!("{}: mark price, cascade vs no-impact counterfactual", p.symbol);
    let (xd, yd) = ("time since the shock (s)", "mark price (USD)");
    let mut casc = finite(&p.cascade);
    let mut cf = finite(&p.counterfactual);
    // Both runs end quiescent: the shorter one holds its last mark to the end of the longer.
    extend_flat(&mut cf, &casc);
    extend_flat(&mut casc, &p.counterfactual);
    let marks: Vec<_> = c
        .liquidations
        .iter()
        .filter(|m| m.market == k && m.time_s.is_finite() && m.mark.is_finite() && m.notional_usd.is_finite())
        .collect();
    let xs = casc.iter().chain(&cf).map(|p| p.0).chain(marks.iter().map(|m| m.time_s));
    let (x0, x1) = span(xs.chain([0.0]), 0.0).unwrap_or((0.0, 1.0));
    let x1 = if x1 <= 0.0 { 1.0 } else { x1 + 0.03 * (x1 - x0) };
    // The y range follows the path after the shock; a pre-shock mark far off that range (a
    // large shock) would flatten the cascade's own moves into one line, so its segment is
    // clipped at the frame and the pre-shock level is written beside it instead.
    let body = casc.iter().skip(1).chain(cf.iter().skip(1)).map(|p| p.1).chain(marks.iter().map(|m| m.mark));
    let (mut y0, mut y1) = span(body, 0.08).unwrap_or((0.0, 1.0));
    let pre = casc.first().copied();
    let mut off_scale = None;
    if let Some((_, py)) = pre {
        let r = y1 - y0;
        if py >= y0 - 0.5 * r && py <= y1 + 0.5 * r {
            y0 = y0.min(py - 0.05 * r);
            y1 = y1.max(py + 0.05 * r);
        } else {
            off_scale = Some(py);
        }
    }
    // Head-room for the legend (up to seven entries) in the upper right.
    let y1 = y1 + 0.5 * (y1 - y0);
    if off_scale.is_some() {
        clip_first(&mut casc, y0, y1);
        clip_first(&mut cf, y0, y1);
    }
    let max_notional = marks.iter().map(|m| m.notional_usd).fold(0.0, f64::max);
    let svg = svg(W, H, |root| {
        let mut ch = ChartBuilder::on(root)
            .caption(&title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        ch.configure_mesh()
            .x_desc(xd)
            .y_desc(yd)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .y_label_formatter(&|v| fmt::price(*v))
            .light_line_style(INK.mix(0.05))
            .draw()?;
        if let Some(py) = off_scale {
            let (ty, anchor) = if py > y1 {
                (y1 - 0.04 * (y1 - y0), VPos::Top)
            } else {
                (y0 + 0.04 * (y1 - y0), VPos::Bottom)
            };
            let style = (FONT, 12).into_font().color(&INK).pos(Pos::new(HPos::Left, anchor));
            ch.draw_series([Text::new(
                format!("from {} before the shock (off scale)", fmt::price(py)),
                (0.0 + 0.01 * (x1 - x0), ty),
                style,
            )])?;
        }
        ch.draw_series(LineSeries::new(casc.iter().copied(), BLUE.stroke_width(2)))?
            .label("with liquidation feedback")
            .legend(line_key(BLUE));
        ch.draw_series(DashedLineSeries::new(cf.iter().copied(), 6, 4, GREY.stroke_width(2)))?
            .label("no-impact counterfactual (exogenous only)")
            .legend(line_key(GREY));
        for (lo, hi, name, colour) in BUCKETS {
            let pts: Vec<_> = marks.iter().filter(|m| m.generation >= lo && m.generation <= hi).collect();
            if pts.is_empty() {
                continue;
            }
            ch.draw_series(pts.iter().map(|m| {
                // Area ∝ notional, so a marker's size reads as its share of the liquidations.
                let r = 3.0 + 9.0 * (m.notional_usd / max_notional.max(1e-12)).sqrt();
                Circle::new((m.time_s, m.mark), r as i32, colour.mix(0.8).filled())
            }))?
            .label(format!("liquidations, {name}"))
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, colour.filled()));
        }
        legend(&mut ch, SeriesLabelPosition::UpperRight)
    })?;
    Ok(Chart { id: format!("price-path-{}", slug(&p.symbol)), title, axes: vec![xd.into(), yd.into()], svg })
}

/// The insurance fund's equity (with feedback and in the counterfactual) and cumulative ADL.
pub fn fund_adl(c: &CascadeSection) -> Result<Chart, ReportError> {
    let title = "Insurance fund and auto-deleveraging over time".to_string();
    let (xd, yd) = ("time since the shock (s)", "USD");
    let fund: Vec<(f64, f64)> = finite(&c.fund.iter().map(|p| (p.time_s, p.fund_usd)).collect::<Vec<_>>());
    let adl: Vec<(f64, f64)> = finite(&c.fund.iter().map(|p| (p.time_s, p.adl_cum_usd)).collect::<Vec<_>>());
    let mut cf = finite(&c.fund_counterfactual);
    extend_flat(&mut cf, &fund);
    let (x0, x1) = span(fund.iter().chain(&cf).map(|p| p.0).chain([0.0]), 0.0).unwrap_or((0.0, 1.0));
    let x1 = if x1 <= 0.0 { 1.0 } else { x1 + 0.03 * (x1 - x0) };
    let (y0, y1) = super::span_from_zero(fund.iter().chain(&adl).chain(&cf).map(|p| p.1), 0.35);
    let svg = svg(W, H, |root| {
        let mut ch = ChartBuilder::on(root)
            .caption(&title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        ch.configure_mesh()
            .x_desc(xd)
            .y_desc(yd)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .y_label_formatter(&|v| fmt::usd_axis(*v))
            .light_line_style(INK.mix(0.05))
            .draw()?;
        ch.draw_series(LineSeries::new(fund.iter().copied(), BLUE.stroke_width(2)))?
            .label("fund equity, with feedback")
            .legend(line_key(BLUE));
        ch.draw_series(DashedLineSeries::new(cf.iter().copied(), 6, 4, GREY.stroke_width(2)))?
            .label("fund equity, no-impact counterfactual")
            .legend(line_key(GREY));
        ch.draw_series(LineSeries::new(adl.iter().copied(), VERMILION.stroke_width(2)))?
            .label("ADL notional, cumulative")
            .legend(line_key(VERMILION));
        if y0 < 0.0 {
            // Below zero the fund cannot pay: that is bad debt.
            ch.draw_series(LineSeries::new([(0.0, 0.0), (x1, 0.0)], INK.stroke_width(1)))?
                .label("zero: fund equity below it is bad debt")
                .legend(line_key(INK));
        }
        legend(&mut ch, SeriesLabelPosition::UpperRight)
    })?;
    Ok(Chart { id: "fund-adl".into(), title, axes: vec![xd.into(), yd.into()], svg })
}
