//! The report's charts, each drawn with plotters' SVG backend into a string.
//!
//! One function per chart kind, in submodules by shape: [`paths`] (price paths, insurance fund
//! and ADL over time), [`bars`] (liquidation waterfall, VaR/ES and venue bars), [`curve`] (the
//! shock→loss curve) and [`heatmap`] (the liquidation map). Every chart has a title, axis
//! descriptions with units and a legend. Text is written as SVG `<text>` elements (plotters'
//! naive font layout), so no font file is read and the output is the same on every machine.
//!
//! Input numbers come from a file a user may have edited, so every value is checked before it
//! reaches plotters (which asserts on NaN ranges): non-finite points are dropped and degenerate
//! ranges are widened.

pub mod bars;
pub mod curve;
pub mod heatmap;
pub mod paths;

use crate::input::ReportInput;
use crate::ReportError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem, unique in a report (`price-path-BTCUSDT`).
    pub id: String,
    /// The title drawn on the chart.
    pub title: String,
    /// The x and y axis descriptions (with units) drawn on the chart.
    pub axes: Vec<String>,
    /// The SVG document.
    pub svg: String,
}

/// Chart width and height, pixels (the HTML scales them to the page via the viewBox).
pub const W: u32 = 960;
pub const H: u32 = 400;

pub(crate) const FONT: &str = "sans-serif";

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
pub(crate) const BLUE: RGBColor = RGBColor(0, 114, 178);
pub(crate) const SKY: RGBColor = RGBColor(86, 180, 233);
pub(crate) const GREEN: RGBColor = RGBColor(0, 158, 115);
pub(crate) const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub(crate) const VERMILION: RGBColor = RGBColor(213, 94, 0);
pub(crate) const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub(crate) const GREY: RGBColor = RGBColor(120, 120, 120);
pub(crate) const INK: RGBColor = RGBColor(30, 30, 30);

/// Every chart the input has data for, in report order.
pub fn all_charts(input: &ReportInput) -> Result<Vec<Chart>, ReportError> {
    let mut out = Vec::new();
    if let Some(c) = &input.cascade {
        for k in 0..c.paths.len() {
            out.push(paths::price_path(c, k)?);
        }
        out.push(bars::waterfall(c)?);
        out.push(paths::fund_adl(c)?);
    }
    for cc in &input.critical {
        out.push(curve::shock_loss(cc)?);
    }
    if let Some(s) = &input.stress {
        out.push(bars::var_es(s)?);
        out.push(bars::venue_es(s)?);
    }
    for m in &input.liquidation_maps {
        out.push(heatmap::liquidation_map(m)?);
    }
    Ok(out)
}

/// Draws into a fresh `w`×`h` SVG string; `draw` gets the white-filled root area.
pub(crate) fn svg(
    w: u32,
    h: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ReportError>,
) -> Result<String, ReportError> {
    let mut buf = String::new();
    // plotters maps a point to pixels in `i32` with unchecked arithmetic: a value millions of
    // spans off its axis overflows it (a panic in debug builds, a wild line in release; fuzz
    // find on result JSONs holding ±1e15). Such a chart is replaced by a note saying why, so the
    // rest of the report still renders.
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
        Ok::<(), ReportError>(())
    }));
    match drawn {
        Ok(r) => r.map(|()| buf),
        Err(_) => Ok(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/><text x=\"20\" y=\"40\" \
             font-family=\"sans-serif\" font-size=\"14\">Chart not drawn: its values lie too far \
             apart to share one scale (see the tables).</text></svg>"
        )),
    }
}

/// A padded axis range over the finite values of `v`; `None` when there are none. A single
/// value (or all equal) gets a span of ±5% of its size (±1 at zero) so plotters has a range.
pub(crate) fn span(v: impl IntoIterator<Item = f64>, pad: f64) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in v.into_iter().filter(|x| x.is_finite()) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    if lo > hi {
        return None;
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let d = if lo == 0.0 { 1.0 } else { 0.05 * lo.abs() };
        return Some((lo - d, hi + d));
    }
    let d = (hi - lo) * pad;
    Some((lo - d, hi + d))
}

/// A range from zero (or the lowest value, if negative) to the highest, with `top` × the span
/// added on top (head-room for the legend, which sits inside the plot).
pub(crate) fn span_from_zero(v: impl IntoIterator<Item = f64>, top: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for x in v.into_iter().filter(|x| x.is_finite()) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    if hi <= lo {
        hi = 1.0;
    }
    let r = hi - lo;
    (if lo < 0.0 { lo - 0.08 * r } else { 0.0 }, hi + top * r)
}

/// Draws the series labels in the usual style at `pos`.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    pos: SeriesLabelPosition,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(pos)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.9))
        .border_style(INK.mix(0.4))
        .draw()
        .map_err(|e| ReportError::Plot(e.to_string()))
}

/// A file-name-safe form of a symbol.
pub(crate) fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// A legend swatch: a short line.
pub(crate) fn line_key(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
}

/// A legend swatch: a filled square.
pub(crate) fn box_key(c: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        // 0..10 padded by 10% → −1..11.
        assert_eq!(span([0.0, 10.0, f64::NAN], 0.1), Some((-1.0, 11.0)));
        // A single value 200 → ±5% = ±10.
        assert_eq!(span([200.0], 0.1), Some((190.0, 210.0)));
        assert_eq!(span([f64::NAN], 0.1), None);
        // 0..50 from zero: top padded by 8% of 50 = 4.
        assert_eq!(span_from_zero([50.0, 20.0], 0.08), (0.0, 54.0));
        assert_eq!(span_from_zero([], 0.5), (0.0, 1.5));
        // −10..30: bottom 8% of 40 = 3.2 lower, top 25% of 40 = 10 higher.
        assert_eq!(span_from_zero([-10.0, 30.0], 0.25), (-13.2, 40.0));
        assert_eq!(slug("BTC/USD"), "BTC_USD");
    }
}
