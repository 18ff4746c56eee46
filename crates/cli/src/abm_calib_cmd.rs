//! `liqcascade abm` (the agent-based market and its experiments), `calibrate` (parameters from
//! real data) and `population` (accounts from klines and open interest).

use crate::args::{duration_s, fraction};
use crate::table::{pct, usd};
use crate::InputError;
use anyhow::{Context, Result};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct AbmArgs {
    /// Seed of the run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated duration (e.g. 600s, 1h).
    #[arg(long, default_value = "1h")]
    pub duration: String,
    /// Exogenous index shock, e.g. -3%.
    #[arg(long, allow_hyphen_values = true)]
    pub shock: Option<String>,
    /// When the shock starts (default: a third into the run).
    #[arg(long)]
    pub shock_at: Option<String>,
    /// Over how long the shock unfolds.
    #[arg(long, default_value = "60s")]
    pub shock_over: String,
    /// Run an experiment instead: withdrawal, stops or matching (two arms, same shock and seed).
    #[arg(long)]
    pub experiment: Option<String>,
    /// Compare the run's stylised facts with a real Binance USD-M capture (`<ns> <json>` lines,
    /// gz or plain), side by side.
    #[arg(long, value_name = "CAPTURE")]
    pub compare_real: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub fn abm(args: AbmArgs) -> Result<()> {
    let duration = duration_s(&args.duration)?;
    let mut cfg = liq_abm::default_config();
    let shock = match &args.shock {
        Some(s) => Some(liq_abm::ShockCfg {
            at_s: match &args.shock_at {
                Some(t) => duration_s(t)?,
                None => duration / 3.0,
            },
            index_move: fraction(s)?,
            over_s: duration_s(&args.shock_over)?,
        }),
        None => None,
    };
    if let Some(exp) = &args.experiment {
        let shock =
            shock.ok_or_else(|| InputError("--experiment needs --shock (e.g. --shock -3%)".into()))?;
        let run = match exp.as_str() {
            "withdrawal" => liq_abm::experiments::maker_withdrawal,
            "stops" => liq_abm::experiments::stop_clusters,
            "matching" => liq_abm::experiments::matching_rule,
            other => {
                return Err(InputError(format!(
                    "--experiment {other}: expected withdrawal, stops or matching"
                ))
                .into())
            }
        };
        let cmp = run(&cfg, &shock, args.seed, duration).map_err(|e| InputError(e.to_string()))?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&cmp)?);
        } else {
            let mut o = String::new();
            let _ = writeln!(
                o,
                "experiment {} · seed {} · shock {} at {:.0} s over {:.0} s",
                cmp.experiment,
                cmp.seed,
                pct(shock.index_move),
                shock.at_s,
                shock.over_s
            );
            let _ = writeln!(
                o,
                "  {:<16} {:>14} {:>10} {:>12} {:>12}",
                "arm", "liquidated", "accounts", "ADL", "bad debt"
            );
            for a in &cmp.arms {
                let _ = writeln!(
                    o,
                    "  {:<16} {:>14} {:>10} {:>12} {:>12}",
                    a.label,
                    usd(a.liquidated_notional_usd),
                    a.accounts_liquidated,
                    usd(a.adl_notional_usd),
                    usd(a.bad_debt_usd)
                );
            }
            print!("{o}");
        }
        return Ok(());
    }
    cfg.shock = shock;
    let out = liq_abm::run_abm(&cfg, args.seed, duration).map_err(|e| InputError(e.to_string()))?;
    if let Some(path) = &args.compare_real {
        let real = liq_abm::stylised_facts_of_capture(path, None).map_err(|e| InputError(e.to_string()))?;
        let cmp = liq_abm::FactsComparison { simulated: out.stylised.clone(), real };
        if args.json {
            println!("{}", serde_json::to_string_pretty(&cmp)?);
        } else {
            print!("{}", liq_abm::render_comparison(&cmp));
        }
        return Ok(());
    }
    if args.json {
        let doc = serde_json::json!({
            "meta": {"version": env!("CARGO_PKG_VERSION"), "seed": args.seed, "duration_s": duration},
            "summary": out.summary, "stylised_facts": out.stylised,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    let s = &out.summary;
    let f = &out.stylised;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "liqcascade {} · agent-based market · seed {} · {:.0} s",
        env!("CARGO_PKG_VERSION"),
        args.seed,
        duration
    );
    let _ = writeln!(
        o,
        "  liquidated {} ({} accounts), by generation: {}",
        usd(s.liquidated_notional_usd),
        s.accounts_liquidated,
        s.notional_by_generation
            .iter()
            .enumerate()
            .map(|(g, x)| format!("g{g} {}", usd(*x)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        o,
        "  ADL {}, bad debt {}, fund {} → {}",
        usd(s.adl_notional_usd),
        usd(s.bad_debt_usd),
        usd(s.fund_start_usd),
        usd(s.fund_end_usd)
    );
    let _ = writeln!(o, "  mid {:.1} → {:.1}, max drawdown {}", s.start_mid, s.end_mid, pct(s.max_drawdown));
    let _ = writeln!(
        o,
        "  stylised facts: kurtosis of 1-min returns {:.2} ({} returns; 3 = Gaussian), 10-s {:.2}",
        f.kurtosis_1min, f.n_returns_1min, f.kurtosis_10s
    );
    let acf = |v: &[f64]| v.iter().take(5).map(|x| format!("{x:+.2}")).collect::<Vec<_>>().join(" ");
    let _ = writeln!(o, "    ACF returns (1 min, lags 1–5): {}", acf(&f.acf_returns_1min));
    let _ = writeln!(
        o,
        "    ACF |returns| (1 min, lags 1–5): {}  (positive = volatility clustering)",
        acf(&f.acf_abs_returns_1min)
    );
    print!("{o}");
    Ok(())
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// Input files: a Binance USD-M capture (.gz or lines of `<ns> <json>`), `forceOrder` dumps,
    /// trade tapes or price paths; the kind is taken from --kind (one per file) or guessed from
    /// the name.
    #[arg(required = true)]
    pub data: Vec<PathBuf>,
    /// Kind of each input: capture, trades:MARKET, tape, l2:MARKET, paths, force-orders.
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
    /// Write the calibrated scenario (TOML, readable by run/stress).
    #[arg(long, value_name = "calib.toml")]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

fn guess_kind(p: &std::path::Path) -> &'static str {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    if name.ends_with(".gz") || name.contains("capture") {
        "capture"
    } else if name.contains("force") || name == "binance.csv" {
        "force-orders"
    } else if name.contains("trades") {
        "tape"
    } else {
        "paths"
    }
}

pub fn calibrate(args: CalibrateArgs) -> Result<()> {
    use liq_calib::DataSource;
    let mut inputs = Vec::new();
    for (i, path) in args.data.iter().enumerate() {
        let kind = args.kinds.get(i).map(String::as_str).unwrap_or_else(|| guess_kind(path));
        let (k, market) = kind.split_once(':').map(|(a, b)| (a, Some(b.to_string()))).unwrap_or((kind, None));
        let path = path.clone();
        inputs.push(match (k, market) {
            ("capture", _) => DataSource::BinanceCapture { path },
            ("tape", _) => DataSource::BinanceTradeTape { path },
            ("paths", _) => DataSource::PricePaths { path },
            ("force-orders", _) => DataSource::ForceOrders { path },
            ("trades", Some(market)) => DataSource::Trades { path, market },
            ("l2", Some(market)) => DataSource::L2Snapshots { path, market },
            (other, _) => {
                return Err(InputError(format!(
                    "--kind {other}: expected capture, trades:MARKET, tape, l2:MARKET, paths or force-orders"
                ))
                .into())
            }
        });
    }
    let cal = liq_calib::calibrate(&inputs, &liq_calib::CalibOptions::default())
        .map_err(|e| InputError(e.to_string()))?;
    if let Some(out) = &args.out {
        std::fs::write(out, cal.to_toml()).with_context(|| format!("writing {}", out.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&cal)?);
    } else {
        print!("{}", cal.summary_table());
        if let Some(out) = &args.out {
            println!("calibrated scenario written to {}", out.display());
        }
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct PopulationArgs {
    /// Klines CSV (Binance layout or header time,open,high,low,close,volume,...).
    #[arg(long)]
    pub klines: PathBuf,
    /// Open-interest CSV (Binance metrics / openInterestHist layout or a generic one).
    #[arg(long)]
    pub oi: PathBuf,
    /// Market symbol the accounts trade.
    #[arg(long, default_value = "BTCUSDT")]
    pub market: String,
    /// Lot size of the market (base units).
    #[arg(long, default_value_t = 0.001)]
    pub lot: f64,
    /// Output accounts CSV (the scenario format's layout).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn population(args: PopulationArgs) -> Result<()> {
    let klines = liq_calib::public::load_klines(&args.klines).map_err(|e| InputError(e.to_string()))?;
    let (_, oi) = liq_calib::public::load_open_interest(&args.oi).map_err(|e| InputError(e.to_string()))?;
    let opts = liq_calib::population::PopulationOptions {
        market: args.market.clone(),
        lot_size: Some(args.lot),
        ..Default::default()
    };
    let pop = liq_calib::population::build_population(&klines, &oi, &opts)
        .map_err(|e| InputError(e.to_string()))?;
    let f = std::fs::File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    liq_calib::population::write_accounts_csv(std::io::BufWriter::new(f), &pop.accounts)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let r = &pop.report;
    println!(
        "{} accounts written to {} · OI added {:.3}, removed {:.3} (unmatched {:.3}) · open long {:.3}, short {:.3} {}",
        pop.accounts.len(),
        args.out.display(),
        r.oi_added,
        r.oi_removed,
        r.unmatched_removal,
        r.long_open,
        r.short_open,
        args.market
    );
    Ok(())
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Trade tape (Binance `binance_trades.csv` layout) or a `timestamp,market,price` CSV.
    #[arg(long)]
    pub trades: PathBuf,
    /// Binance `forceOrder` dump of the same window.
    #[arg(long)]
    pub force_orders: PathBuf,
    /// Window start (RFC 3339, e.g. 2025-01-27T16:00:00Z, or epoch ms).
    #[arg(long, default_value = "2025-01-27T16:00:00Z")]
    pub from: String,
    /// Window end.
    #[arg(long, default_value = "2025-01-27T18:00:00Z")]
    pub to: String,
    /// Step of the time-stepped engine (at most 60 s).
    #[arg(long, default_value = "10s")]
    pub step: String,
    /// Fit the population's leverage median to the recorded liquidations (default scenario only).
    #[arg(long)]
    pub fit: bool,
    #[arg(long)]
    pub json: bool,
}

/// `liqcascade replay`: the time-stepped engine over a recorded price path, simulated
/// liquidations per minute beside the recorded liquidation stream.
pub fn replay(args: ReplayArgs) -> Result<()> {
    let scenario = crate::run_cmd::load(args.scenario.as_ref())?;
    let ms = |s: &str| -> Result<i64, InputError> {
        liq_stress::paths::parse_timestamp(s)
            .map(|t| (t * 1000.0).round() as i64)
            .ok_or_else(|| InputError(format!("'{s}' is not a time (RFC 3339 or epoch ms)")))
    };
    let window = (ms(&args.from)?, ms(&args.to)?);
    if window.1 <= window.0 {
        return Err(InputError("--to must be after --from".into()).into());
    }
    let step = duration_s(&args.step)?;
    let report = if args.fit {
        if args.scenario.is_some() {
            return Err(InputError(
                "--fit regenerates the default scenario's population; give no scenario".into(),
            )
            .into());
        }
        let spec = liq_io::default_scenario::default_population_spec();
        liq_replay::replay_fit(
            &scenario,
            &spec,
            &args.trades,
            &args.force_orders,
            window,
            step,
            &liq_replay::DEFAULT_LEVERAGE_GRID,
        )
    } else {
        liq_replay::replay(&scenario, &args.trades, &args.force_orders, window, step)
    }
    .map_err(|e| InputError(e.to_string()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", liq_replay::render_table(&report));
    }
    Ok(())
}
