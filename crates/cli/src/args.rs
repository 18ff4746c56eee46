//! Argument parsers shared by the commands: durations (`15m`), percentages (`-8%`), market
//! assignments (`BTC=3.2%`), with errors that say what was expected. The parsers live in
//! `liq_options::parse` (shared with the Python package); these wrappers make their errors
//! input errors (exit code 2). The `*_flag` forms check
//! the bounds of `liq_io::limits` and name the flag in their errors (`--step 1e-9s: …`).

use crate::InputError;

impl From<liq_options::OptionError> for InputError {
    fn from(e: liq_options::OptionError) -> Self {
        InputError(e.0)
    }
}

/// A duration flag (`--crash-over 60s`), within `liq_io::limits` (at most 30 days).
pub fn duration_flag(flag: &str, s: &str) -> Result<f64, InputError> {
    Ok(liq_options::parse::duration_flag(flag, s)?)
}

/// A step flag (`--step 1s`): a duration of at least 1 ms.
pub fn step_flag(flag: &str, s: &str) -> Result<f64, InputError> {
    Ok(liq_options::parse::step_flag(flag, s)?)
}

/// Steps of `over` at `step` seconds for the flag `--{flag}`, counted before anything of that
/// length is allocated.
pub fn steps_flag(flag: &str, over: f64, step: f64) -> Result<usize, InputError> {
    Ok(liq_options::parse::steps_flag(flag, over, step)?)
}

/// A relative price move flag (`--shock`, `abm --shock`): above −100 % and at most +900 %.
pub fn move_flag(flag: &str, s: &str) -> Result<f64, InputError> {
    Ok(liq_options::parse::move_flag(flag, s)?)
}

/// `-8%` → −0.08, `-0.08` → −0.08.
pub fn fraction(s: &str) -> Result<f64, InputError> {
    Ok(liq_options::parse::fraction(s)?)
}

/// A fraction flag (`--corr 80%`, `--threshold 150%`), the flag named in its error.
pub fn fraction_flag(flag: &str, s: &str) -> Result<f64, InputError> {
    Ok(liq_options::parse::fraction_flag(flag, s)?)
}
