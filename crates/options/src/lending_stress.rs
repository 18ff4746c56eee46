//! `stress` on a lending book (`aave-v3`): the Monte Carlo configuration from the same flags as
//! the perp stress, per reserve instead of per market.
//!
//! No default volatility or correlation exists for a lending book (the default scenario's
//! calibrated ones are its perp markets'), so `--vol RESERVE=VOL` is required for every reserve
//! and `--corr` (or `--corr-file`) for more than one: every number that moves the answer comes
//! from the user.

use crate::parse::{duration_flag, fraction, step_flag, steps_flag};
use crate::stress::{read_corr_file, uniform, StressOptions};
use crate::OptionError;
use liq_stress::{Copula, MonteCarloConfig};

/// The configuration for reserves `symbols` (the book's order), seeded by `--seed` or `seed`.
pub fn lending_config(
    args: &StressOptions,
    symbols: &[String],
    seed: u64,
) -> Result<MonteCarloConfig, OptionError> {
    let n = symbols.len();
    liq_io::limits::check_paths(args.paths).map_err(|e| OptionError(format!("--paths: {e}")))?;
    let horizon_s = duration_flag("horizon", &args.horizon)?;
    let step_s = step_flag("step", &args.step)?;
    let steps = steps_flag("horizon at this --step", horizon_s, step_s)?;
    let mut vol: Vec<Option<f64>> = vec![None; n];
    for a in &args.vols {
        let (sym, v) = a
            .split_once('=')
            .ok_or_else(|| OptionError(format!("--vol {a}: expected RESERVE=VOL, e.g. WETH=4%")))?;
        let k = symbols.iter().position(|s| s.eq_ignore_ascii_case(sym.trim())).ok_or_else(|| {
            OptionError(format!("--vol {a}: unknown reserve '{sym}' (reserves: {})", symbols.join(", ")))
        })?;
        let v = fraction(v).map_err(|e| OptionError(format!("--vol {a}: {}", e.0)))?;
        liq_io::limits::check_daily_vol(v).map_err(|e| OptionError(format!("--vol {a}: {e}")))?;
        vol[k] = Some(v);
    }
    let daily_vol = vol
        .iter()
        .zip(symbols)
        .map(|(v, s)| {
            v.ok_or_else(|| {
                OptionError(format!("--vol: no daily volatility for reserve {s} (give {s}=...; a lending book has no default)"))
            })
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let correlation = match (&args.corr_file, args.corr) {
        (Some(f), _) => read_corr_file(f, n)?,
        (None, Some(rho)) => uniform(n, rho),
        (None, None) if n == 1 => vec![vec![1.0]],
        _ => {
            return Err(OptionError("--corr or --corr-file is needed for a book of several reserves".into()))
        }
    };
    let copula = match args.copula.to_ascii_lowercase().as_str() {
        "t" | "student" | "student-t" => Copula::StudentT { df: args.df },
        "gaussian" | "normal" => Copula::Gaussian,
        other => return Err(OptionError(format!("--copula {other}: expected t or gaussian"))),
    };
    let cfg = MonteCarloConfig {
        paths: args.paths,
        horizon_s,
        steps,
        copula,
        daily_vol,
        correlation,
        seed: args.seed.unwrap_or(seed),
    };
    cfg.validate(n).map_err(|e| OptionError(e.to_string()))?;
    liq_stress::CorrelationFactor::new(&cfg.correlation).map_err(|e| OptionError(e.to_string()))?;
    Ok(cfg)
}
