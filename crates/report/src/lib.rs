//! Reports a risk manager reads in a minute.
//!
//! The CLI turns a run into a [`ReportInput`] (the instant cascade or path run, the stress
//! summary, the critical-shock curves, the liquidation and leverage maps, the sensitivity
//! tornado it has) and writes it as a result JSON file; [`render_html`] turns one into a single
//! self-contained HTML file with interactive charts (Apache ECharts and the data inlined, no
//! network), and [`write_plots`] writes the static charts as SVG files.
//!
//! Modules:
//! - [`input`]: [`ReportInput`], its serialisable parts and the builders from the engine's and
//!   the stress crate's structs.
//! - [`interactive`]: the HTML's charts, one ECharts option per chart (hover, zoom, toggles).
//! - [`charts`]: one plotters chart per function, drawn into SVG strings (`--plots`).
//! - `html`: the page, laid out by the embedded minijinja template `templates/report.html`.
//! - `tables`: the HTML's tables, pre-formatted.
//! - `analysis_sections`: the sections, charts and tables of `compare`, `network` and `firesale`.
//! - [`abm_replay`]: the sections, charts and tables of `abm` and `replay`.
//! - [`fmt`]: number formatting shared by tables and axes.
//! - `num`: the magnitude check of a result file read back.
//! - [`policies`]: the forced-flow channels chart and the mitigation-policy comparison.
//! - [`hedge`]: the desk's delta hedge of its own book, hedged against unhedged.
//!
//! PNG output is not offered: plotters' bitmap backend needs a font rasteriser and font files
//! to draw text, which the SVG backend does not (it writes `<text>` elements that the viewer
//! lays out), and a chart without axis labels would not meet the report's rule that every chart
//! has axes, units and a legend.

pub mod abm_replay;
mod analysis_sections;
pub mod charts;
pub mod fmt;
pub mod hedge;
mod html;
pub mod input;
pub mod interactive;
mod num;
pub mod policies;
mod tables;

pub use charts::Chart;
pub use input::{ReportInput, ReportMeta};

use std::path::{Path, PathBuf};

/// Errors building a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// plotters failed to draw a chart.
    #[error("drawing a chart: {0}")]
    Plot(String),
    /// The embedded template failed to render (a bug, reported rather than panicking).
    #[error("rendering the HTML template: {0}")]
    Template(#[from] minijinja::Error),
    /// Writing a plot file.
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// Reading or writing a result JSON file.
    #[error("{path}: {message}")]
    Json { path: String, message: String },
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>> for ReportError {
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ReportError::Plot(e.to_string())
    }
}

/// The report as one self-contained HTML document.
///
/// Drawing and templating errors cannot come from the data (every number is checked before it
/// reaches plotters), so this returns the page directly; should one happen anyway, the page
/// says so instead of panicking. Use [`try_render_html`] to get the error.
pub fn render_html(input: &ReportInput) -> String {
    match try_render_html(input) {
        Ok(s) => s,
        Err(e) => format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>liqcascade report</title></head>\
             <body><p>The report could not be rendered: {}</p></body></html>",
            escape(&e.to_string())
        ),
    }
}

/// The report as HTML, or the error that prevented it.
pub fn try_render_html(input: &ReportInput) -> Result<String, ReportError> {
    html::render(input)
}

/// Writes every chart as `DIR/<chart id>.svg` (creating `dir`), returning the paths in report
/// order.
pub fn write_plots(input: &ReportInput, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ReportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut out = Vec::new();
    for c in charts::all_charts(input)? {
        let p = dir.join(format!("{}.svg", c.id));
        std::fs::write(&p, c.svg.as_bytes()).map_err(io(&p))?;
        out.push(p);
    }
    Ok(out)
}

impl ReportInput {
    /// Reads a result JSON file written by [`ReportInput::write_json`].
    pub fn read_json(path: &Path) -> Result<ReportInput, ReportError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ReportError::Io { path: path.display().to_string(), source })?;
        let json = |message: String| ReportError::Json { path: path.display().to_string(), message };
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| json(e.to_string()))?;
        num::check_magnitudes(&value).map_err(json)?;
        serde_json::from_value(value).map_err(|e| json(e.to_string()))
    }

    /// Writes the input as pretty JSON.
    pub fn write_json(&self, path: &Path) -> Result<(), ReportError> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| ReportError::Json { path: path.display().to_string(), message: e.to_string() })?;
        std::fs::write(path, text)
            .map_err(|source| ReportError::Io { path: path.display().to_string(), source })
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
