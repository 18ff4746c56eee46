//! The liquidation map of one market as a heat map: price bins across, up to three rows
//! (first-order notional triggered inside each bin; first-order notional liquidated if the price
//! moves to the bin's far edge; the same with the cascade), colour on a log scale shared by the
//! rows. The colour key is drawn in its own strip right of the plot, so it never hides a cell.

use super::{slug, svg, Chart, FONT, H, INK, W};
use crate::fmt;
use crate::ReportError;
use liq_network::liqmap::LiquidationMap;
use plotters::prelude::*;

/// Width of the colour-key strip, pixels.
const KEY_W: u32 = 190;
/// The colour scale spans at most this many decades below the largest cell.
const DECADES: f64 = 4.0;
/// Cells with no notional.
const EMPTY: RGBColor = RGBColor(240, 240, 240);
// Light yellow → orange → dark red.
const STOPS: [(f64, RGBColor); 3] =
    [(0.0, RGBColor(255, 237, 160)), (0.5, RGBColor(253, 141, 60)), (1.0, RGBColor(128, 0, 38))];

/// Colour of `t` in [0, 1] on the sequential scale.
fn ramp(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let i = if t <= STOPS[1].0 { 0 } else { 1 };
    let (t0, c0) = STOPS[i];
    let (t1, c1) = STOPS[i + 1];
    let u = (t - t0) / (t1 - t0);
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * u).round() as u8;
    RGBColor(mix(c0.0, c1.0), mix(c0.1, c1.1), mix(c0.2, c1.2))
}

/// The log colour scale: `(log10 of the lowest value shown, log10 of the highest)`.
fn scale(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let pos: Vec<f64> = values.filter(|v| v.is_finite() && *v > 0.0).collect();
    let hi = pos.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !hi.is_finite() {
        return None;
    }
    let lo = pos.iter().copied().fold(f64::INFINITY, f64::min).max(hi / 10f64.powf(DECADES));
    let (l0, l1) = (lo.log10(), hi.log10());
    Some(if l1 - l0 < 1e-9 { (l1 - 1.0, l1) } else { (l0, l1) })
}

fn colour(v: f64, sc: Option<(f64, f64)>) -> RGBColor {
    match sc {
        Some((l0, l1)) if v.is_finite() && v > 0.0 => ramp((v.log10() - l0) / (l1 - l0)),
        _ => EMPTY,
    }
}

/// The heat map of `m`.
pub fn liquidation_map(m: &LiquidationMap) -> Result<Chart, ReportError> {
    let title = format!("{}: liquidation map (notional by price level)", m.market);
    let xd = format!("price (USD); black line: mark {}", fmt::price(m.mark));
    let yd = "liquidated notional, by measure";
    let bins: Vec<_> = m
        .bins
        .iter()
        .filter(|b| b.price_lo.is_finite() && b.price_hi.is_finite() && b.price_hi > b.price_lo)
        .collect();
    let with_cascade = bins.iter().any(|b| b.cumulative_cascade_usd.is_some());
    let mut rows: Vec<(&str, Vec<f64>)> = vec![
        ("triggered in bin", bins.iter().map(|b| b.long_usd + b.short_usd).collect()),
        ("first-order to edge", bins.iter().map(|b| b.cumulative_first_order_usd).collect()),
    ];
    if with_cascade {
        rows.push((
            "with cascade to edge",
            bins.iter().map(|b| b.cumulative_cascade_usd.unwrap_or(0.0)).collect(),
        ));
    }
    let sc = scale(rows.iter().flat_map(|r| r.1.iter().copied()));
    let lo = bins.iter().map(|b| b.price_lo).fold(f64::INFINITY, f64::min);
    let hi = bins.iter().map(|b| b.price_hi).fold(f64::NEG_INFINITY, f64::max);
    let (x0, x1) = if lo < hi { (lo, hi) } else { (m.mark * 0.9, m.mark * 1.1) };
    let (x0, x1) = if x0.is_finite() && x1.is_finite() && x0 < x1 { (x0, x1) } else { (0.0, 1.0) };
    let nrows = rows.len() as u32;
    let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let svg = svg(W, H, |root| {
        let (plot, key) = root.split_horizontally(W - KEY_W);
        let mut ch = ChartBuilder::on(&plot)
            .caption(&title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(150)
            .build_cartesian_2d(x0..x1, (0..nrows - 1).into_segmented())?;
        ch.configure_mesh()
            .x_desc(xd.as_str())
            .y_desc(yd)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .x_label_formatter(&|v| fmt::price(*v))
            .y_labels(nrows as usize + 1)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    names.get(*i as usize).map(|s| s.to_string()).unwrap_or_default()
                }
                _ => String::new(),
            })
            .disable_mesh()
            .draw()?;
        for (r, (_, vals)) in rows.iter().enumerate() {
            ch.draw_series(bins.iter().zip(vals).map(|(b, &v)| {
                let mut rect = Rectangle::new(
                    [
                        (b.price_lo, SegmentValue::Exact(r as u32)),
                        (b.price_hi, SegmentValue::Exact(r as u32 + 1)),
                    ],
                    colour(v, sc).filled(),
                );
                rect.set_margin(1, 1, 0, 0);
                rect
            }))?;
        }
        if m.mark.is_finite() && m.mark > x0 && m.mark < x1 {
            ch.draw_series(LineSeries::new(
                [(m.mark, SegmentValue::Exact(0)), (m.mark, SegmentValue::Exact(nrows))],
                INK.stroke_width(2),
            ))?;
        }
        draw_key(&key, sc)
    })?;
    Ok(Chart { id: format!("liquidation-map-{}", slug(&m.market)), title, axes: vec![xd, yd.into()], svg })
}

/// The colour key: five swatches from the lowest to the highest value shown, and the empty cell.
fn draw_key(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    sc: Option<(f64, f64)>,
) -> Result<(), ReportError> {
    let style = (FONT, 13).into_font().color(&INK);
    area.draw(&Text::new("legend: notional", (8, 60), style.clone()))?;
    area.draw(&Text::new("per cell (USD, log)", (8, 78), style.clone()))?;
    let mut y = 100;
    if let Some((l0, l1)) = sc {
        for i in (0..5).rev() {
            let t = i as f64 / 4.0;
            let v = 10f64.powf(l0 + t * (l1 - l0));
            area.draw(&Rectangle::new([(8, y), (34, y + 18)], ramp(t).filled()))?;
            area.draw(&Text::new(fmt::usd(v), (42, y + 3), style.clone()))?;
            y += 24;
        }
    }
    area.draw(&Rectangle::new([(8, y), (34, y + 18)], EMPTY.filled()))?;
    area.draw(&Text::new("none", (42, y + 3), style.clone()))?;
    area.draw(&Rectangle::new([(8, y + 30), (34, y + 32)], INK.filled()))?;
    area.draw(&Text::new("current mark", (42, y + 24), style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_scale() {
        // 10 and 1e6 USD: log10 2..6 → 10 is clipped to 1e6 / 1e4 = 100 → log10 range 2..6.
        assert_eq!(scale([10.0, 1e6, 0.0, f64::NAN].into_iter()), Some((2.0, 6.0)));
        assert_eq!(scale([0.0].into_iter()), None);
        // One value: one decade below it.
        assert_eq!(scale([1000.0].into_iter()), Some((2.0, 3.0)));
        assert_eq!(ramp(0.0), RGBColor(255, 237, 160));
        assert_eq!(ramp(1.0), RGBColor(128, 0, 38));
        // Halfway between the first two stops: t = 0.25 → u = 0.5.
        assert_eq!(ramp(0.25), RGBColor(254, 189, 110));
        assert_eq!(colour(0.0, Some((2.0, 6.0))), EMPTY);
    }
}
