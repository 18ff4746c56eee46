//! The shock→loss curve of one market: liquidated notional, bad debt and the book's loss
//! against the size of the shock, with amplification on a second axis and the critical shock
//! marked where amplification crosses its threshold.

use super::{
    legend, line_key, slug, span, span_from_zero, svg, Chart, BLUE, FONT, GREEN, H, INK, ORANGE, PURPLE,
    VERMILION, W,
};
use crate::fmt;
use crate::ReportError;
use liq_stress::critical::CriticalShock;
use plotters::prelude::*;

/// How the shock is put on the x axis: a sweep of falls reads best as "% fall" growing to
/// the right; a mixed sweep keeps the sign.
fn x_of(c: &CriticalShock) -> (f64, String) {
    let all_down = c.curve.iter().all(|p| p.shock <= 0.0);
    let all_up = c.curve.iter().all(|p| p.shock >= 0.0);
    if all_down {
        (-100.0, format!("price fall applied to {} (%)", c.market))
    } else if all_up {
        (100.0, format!("price rise applied to {} (%)", c.market))
    } else {
        (100.0, format!("shock to {} (%, signed)", c.market))
    }
}

/// The shock→loss curve of `c`.
pub fn shock_loss(c: &CriticalShock) -> Result<Chart, ReportError> {
    let title = format!("{}: shock → loss curve and critical shock", c.market);
    let (scale, xd) = x_of(c);
    let yd = "USD";
    let yd2 = "amplification (total / first-order, ×)";
    let pts: Vec<_> = c.curve.iter().filter(|p| p.shock.is_finite()).collect();
    let series = |f: fn(&liq_stress::critical::CurvePoint) -> f64| -> Vec<(f64, f64)> {
        let mut v: Vec<(f64, f64)> =
            pts.iter().map(|p| (p.shock * scale, f(p))).filter(|(_, y)| y.is_finite()).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let liq = series(|p| p.liquidated_usd);
    let first = series(|p| p.first_order_usd);
    let bad = series(|p| p.bad_debt_usd);
    let loss = series(|p| p.accounts_loss_usd);
    let amp = series(|p| p.amplification);
    let crit = c.critical_shock.filter(|s| s.is_finite()).map(|s| s * scale);
    let (x0, x1) = span(pts.iter().map(|p| p.shock * scale).chain(crit), 0.02).unwrap_or((0.0, 1.0));
    let (y0, y1) = span_from_zero(liq.iter().chain(&first).chain(&bad).chain(&loss).map(|p| p.1), 0.75);
    let a_hi = amp.iter().map(|p| p.1).chain([c.threshold]).filter(|x| x.is_finite()).fold(1.0, f64::max);
    // The legend takes the upper left: keep the data in the lower part of both axes.
    let a_hi = a_hi * 1.75;
    let svg = svg(W, H + 60, |root| {
        let mut ch = ChartBuilder::on(root)
            .caption(&title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .right_y_label_area_size(84)
            .build_cartesian_2d(x0..x1, y0..y1)?
            .set_secondary_coord(x0..x1, 0.0..a_hi);
        ch.configure_mesh()
            .x_desc(xd.as_str())
            .y_desc(yd)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| fmt::usd_axis(*v))
            .light_line_style(INK.mix(0.05))
            .draw()?;
        ch.configure_secondary_axes()
            .y_desc(yd2)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .y_label_formatter(&|v| format!("{v:.1}×"))
            .draw()?;
        ch.draw_series(LineSeries::new(liq.iter().copied(), BLUE.stroke_width(2)))?
            .label("liquidated notional (with cascade)")
            .legend(line_key(BLUE));
        ch.draw_series(DashedLineSeries::new(first.iter().copied(), 6, 4, GREEN.stroke_width(2)))?
            .label("first-order notional (generation 0)")
            .legend(line_key(GREEN));
        ch.draw_series(LineSeries::new(loss.iter().copied(), INK.stroke_width(2)))?
            .label("loss of all accounts")
            .legend(line_key(INK));
        ch.draw_series(LineSeries::new(bad.iter().copied(), VERMILION.stroke_width(2)))?
            .label("bad debt")
            .legend(line_key(VERMILION));
        ch.draw_secondary_series(LineSeries::new(amp.iter().copied(), ORANGE.stroke_width(2)))?
            .label("amplification (right axis)")
            .legend(line_key(ORANGE));
        ch.draw_secondary_series(amp.iter().map(|&p| Circle::new(p, 3, ORANGE.filled())))?;
        ch.draw_secondary_series(DashedLineSeries::new(
            [(x0, c.threshold), (x1, c.threshold)],
            3,
            3,
            ORANGE.mix(0.7).stroke_width(1),
        ))?
        .label(format!("self-sustaining threshold {}", fmt::ratio(c.threshold)))
        .legend(line_key(ORANGE));
        if let Some(x) = crit {
            ch.draw_secondary_series(LineSeries::new([(x, 0.0), (x, a_hi)], PURPLE.stroke_width(2)))?
                .label(format!("critical shock {:.2}%", x))
                .legend(line_key(PURPLE));
        }
        legend(&mut ch, SeriesLabelPosition::UpperLeft)
    })?;
    Ok(Chart {
        id: format!("shock-loss-{}", slug(&c.market)),
        title,
        axes: vec![xd, yd.into(), yd2.into()],
        svg,
    })
}
