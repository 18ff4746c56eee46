//! The exogenous path of a time-stepped `run`: a recorded price path (`--replay FILE.csv`) or a
//! hypothetical one (`--crash-over 60s`, optionally `--rebound 50% --rebound-over 120s`).

use crate::parse::{duration_flag, fraction, step_flag, steps_flag};
use crate::OptionError;
use liq_domain::Scenario;
use liq_engine::EngineModel;
use std::path::PathBuf;

/// The path options of `run`, as typed.
#[derive(Debug, Clone)]
pub struct PathOptions {
    /// `--replay FILE.csv` (timestamp,market,price).
    pub replay: Option<PathBuf>,
    /// `--crash-over DURATION`: the shock unfolds linearly over it.
    pub crash_over: Option<String>,
    /// `--rebound FRACTION` of the fall recovered afterwards ...
    pub rebound: Option<String>,
    /// ... over `--rebound-over DURATION` (default: the crash duration).
    pub rebound_over: Option<String>,
    /// `--step DURATION` of the time-stepped engine.
    pub step: String,
}

impl Default for PathOptions {
    fn default() -> Self {
        Self { replay: None, crash_over: None, rebound: None, rebound_over: None, step: "1s".into() }
    }
}

/// The exogenous path of a time-stepped run, if the options ask for one (`None`: the instant,
/// round-based cascade).
pub fn path_of(
    opts: &PathOptions,
    scenario: &Scenario,
    model: &EngineModel,
) -> Result<Option<liq_engine::ExoPath>, OptionError> {
    let step = step_flag("step", &opts.step)?;
    if let Some(file) = &opts.replay {
        let recorded = liq_stress::paths::read_price_path(file, |m| {
            scenario.market_by_symbol(m).map(|id| scenario.markets[id.idx()].symbol.clone())
        })
        .map_err(|e| OptionError(e.to_string()))?;
        // `replay_path` allocates span / step levels: one far-future timestamp must not size it.
        let span = recorded.series.iter().filter_map(|s| s.last().map(|x| x.0)).fold(0.0, f64::max);
        if span > 0.0 {
            liq_io::limits::path_steps(span, step).map_err(|e| {
                OptionError(format!("--replay {}: the recorded path spans {span} s: {e}", file.display()))
            })?;
        }
        let symbols: Vec<String> = scenario.markets.iter().map(|m| m.symbol.clone()).collect();
        return liq_stress::paths::replay_path(&recorded, &symbols, step)
            .map(Some)
            .map_err(|e| OptionError(e.to_string()));
    }
    if let Some(over) = &opts.crash_over {
        let crash_steps = steps_flag("crash-over", duration_flag("crash-over", over)?, step)?;
        let moves = model.shock().to_vec();
        return Ok(Some(match &opts.rebound {
            Some(r) => {
                let frac = fraction(r).map_err(|e| OptionError(format!("--rebound {r}: {}", e.0)))?;
                let back = match &opts.rebound_over {
                    Some(d) => steps_flag("rebound-over", duration_flag("rebound-over", d)?, step)?,
                    None => crash_steps,
                };
                steps_flag("crash-over and --rebound-over", (crash_steps + back) as f64 * step, step)?;
                liq_stress::paths::crash_and_rebound(&moves, crash_steps, back, frac, step)
            }
            None => liq_stress::paths::linear_crash(&moves, crash_steps, step),
        }));
    }
    Ok(None)
}
