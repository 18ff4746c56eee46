//! `liqcascade abm` (the agent-based market and its experiments), `calibrate` (parameters from
//! real data) and `population` (accounts from klines and open interest); `replay` is in
//! `replay_cmd`.

use crate::args::{duration_flag, move_flag};
use crate::table::{pct, usd};
use crate::InputError;
use anyhow::{Context, Result};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct AbmArgs {
    /// ABM config patch (TOML), merged over the embedded default: tables key by key, any other
    /// value replaced. Without one, the embedded default runs (`--print-config` shows it).
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the effective config (the default with CONFIG and --shock applied) as TOML and exit.
    #[arg(long)]
    pub print_config: bool,
    /// Seed of the run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run every seed of the inclusive range A-B (e.g. 1-16, at most 1,000 runs) with the same
    /// config, duration and shock, in parallel, and print the stylised facts per seed and over
    /// all of them (pooled 1-min kurtosis against the Gaussian band).
    #[arg(long, value_name = "A-B", conflicts_with = "seed")]
    pub seeds: Option<String>,
    /// Simulated duration (e.g. 600s, 1h).
    #[arg(long, default_value = "1h")]
    pub duration: String,
    /// Exogenous index shock, e.g. -3% (replaces a `[shock]` table of CONFIG).
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
    /// What each flow channel of CONFIG's `[flows]` adds: the shock with every channel trading,
    /// each switched off in turn and none, on the same seed (or each of --seeds).
    #[arg(long, conflicts_with = "experiment")]
    pub flows: bool,
    /// Compare the run's stylised facts with a real Binance USD-M capture (`<ns> <json>` lines,
    /// gz or plain), side by side.
    #[arg(long, value_name = "CAPTURE")]
    pub compare_real: Option<PathBuf>,
    /// Write the run's liquidation event log: CSV, or Parquet if the name ends in `.parquet`
    /// (the columns of `run --events`).
    #[arg(long, value_name = "FILE.csv|FILE.parquet")]
    pub events: Option<PathBuf>,
    /// Write the 1-second price path (t_s, mid, index, mark) as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub price_path: Option<PathBuf>,
    /// Print the result as one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

/// What produced an ABM result (every `abm` output carries it; the sidecar `FILE.meta.json` of
/// `--events` and `--price-path` holds it too).
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct AbmMeta {
    pub version: &'static str,
    /// `--seed` (absent with `--seeds`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// `--seeds A-B` as `[A, B]` (absent for one run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeds: Option<[u64; 2]>,
    pub duration_s: f64,
    /// First 16 hex characters of the SHA-256 of the effective config's TOML
    /// (`--print-config` without its comment header).
    pub config_hash: String,
    /// `embedded default` or `embedded default + FILE`.
    pub config_source: String,
    /// The shock applied, if any.
    pub shock: Option<liq_abm::ShockCfg>,
}

/// Names in the ABM's event log: accounts have no labels of their own (`abm-N`), one market.
struct AbmNames<'a>(&'a str);

impl liq_io::output::EventNames for AbmNames<'_> {
    fn account_label(&self, account: u32) -> String {
        format!("abm-{account}")
    }
    fn market_symbol(&self, _market: u16) -> String {
        self.0.to_string()
    }
}

/// Liquidations by generation, as in `run --json`'s `generations`.
fn generations(out: &liq_abm::AbmOutcome) -> Vec<liq_engine::GenerationRow> {
    let mut rows: Vec<liq_engine::GenerationRow> = (0..)
        .zip(&out.summary.notional_by_generation)
        .map(|(generation, &notional_usd)| liq_engine::GenerationRow {
            generation,
            notional_usd,
            accounts: 0,
            events: 0,
        })
        .collect();
    let mut seen: Vec<(u32, u32)> = Vec::new();
    for e in &out.events {
        let g = e.generation as usize;
        if rows.len() <= g {
            rows.extend((rows.len()..=g).map(|generation| liq_engine::GenerationRow {
                generation: generation as u32,
                notional_usd: 0.0,
                accounts: 0,
                events: 0,
            }));
        }
        rows[g].events += 1;
        if e.kind.liquidates() {
            seen.push((e.generation, e.account));
        }
    }
    seen.sort_unstable();
    seen.dedup();
    for (g, _) in seen {
        rows[g as usize].accounts += 1;
    }
    rows
}

fn write_price_path(path: &std::path::Path, points: &[liq_abm::PricePoint]) -> Result<()> {
    liq_io::output::write_file_with(path, |out| {
        write_price_path_to(out, points).map_err(std::io::Error::other)
    })
    .with_context(|| format!("writing the price path to {}", path.display()))
}

fn write_price_path_to(out: &mut dyn std::io::Write, points: &[liq_abm::PricePoint]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["t_s", "mid", "index", "mark"])?;
    for p in points {
        let [mid, index, mark] = [p.mid, p.index, p.mark].map(|x| format!("{x:.6}"));
        w.write_record([p.t_s.to_string(), mid, index, mark])?;
    }
    w.flush()?;
    Ok(())
}

/// A result with `meta` in front of its own fields.
#[derive(serde::Serialize)]
pub(crate) struct WithMeta<'a, T> {
    meta: &'a AbmMeta,
    #[serde(flatten)]
    body: &'a T,
}

/// `body`'s JSON with `meta` in front.
pub(crate) fn with_meta<'a, T>(meta: &'a AbmMeta, body: &'a T) -> WithMeta<'a, T> {
    WithMeta { meta, body }
}

/// `abm --json` for one run.
#[derive(serde::Serialize)]
struct AbmDocument<'a> {
    meta: &'a AbmMeta,
    summary: &'a liq_abm::AbmSummary,
    stylised_facts: &'a liq_abm::StylisedFacts,
    /// Liquidations by generation.
    generations: &'a [liq_engine::GenerationRow],
    /// The flow agents' orders (with `[flows]` only).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    flow_orders: &'a [liq_abm::flows::FlowOrder],
}

pub fn abm(args: AbmArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .file_with_sidecar("events", args.events.as_ref())
        .file_with_sidecar("price-path", args.price_path.as_ref())
        .input(args.config.as_deref())
        .input(crate::abm_config::options_csv_input(args.config.as_deref()).as_deref())
        .input(args.compare_real.as_deref())
        .report_flags(&args.out)
        .check()?;
    let seeds = args.seeds.as_deref().map(crate::abm_seeds::parse_range).transpose()?;
    args.out.no_static_charts("abm")?;
    if args.out.wanted() {
        // The report draws one run: refuse the modes that are not one (before anything runs).
        let other = [
            ("--seeds", seeds.is_some()),
            ("--experiment", args.experiment.is_some()),
            ("--compare-real", args.compare_real.is_some()),
            ("--print-config", args.print_config),
        ];
        if let Some((flag, _)) = other.iter().find(|(_, given)| *given) {
            return Err(InputError(format!(
                "--report/--result/--plots draw one run and cannot be combined with {flag}"
            ))
            .into());
        }
    }
    if seeds.is_some() {
        let one_run = [
            ("--compare-real", args.compare_real.is_some()),
            ("--events", args.events.is_some()),
            ("--price-path", args.price_path.is_some()),
        ];
        if let Some((flag, _)) = one_run.iter().find(|(_, given)| *given) {
            return Err(InputError(format!(
                "--seeds cannot be combined with {flag}, which works on one run (use --seed N)"
            ))
            .into());
        }
    }
    let duration = duration_flag("duration", &args.duration)?;
    let mut cfg = crate::abm_config::load(args.config.as_deref())?;
    if let Some(s) = &args.shock {
        cfg.shock = Some(liq_abm::ShockCfg {
            at_s: match &args.shock_at {
                Some(t) => duration_flag("shock-at", t)?,
                None => duration / 3.0,
            },
            index_move: move_flag("shock", s)?,
            over_s: duration_flag("shock-over", &args.shock_over)?,
        });
        cfg.validate().map_err(|e| InputError(format!("--shock: {}: {}", e.field, e.message)))?;
    }
    let text = crate::abm_config::to_toml(&cfg)?;
    let meta = AbmMeta {
        version: env!("CARGO_PKG_VERSION"),
        seed: seeds.is_none().then_some(args.seed),
        seeds: seeds.map(|(a, b)| [a, b]),
        duration_s: duration,
        config_hash: crate::abm_config::config_hash(&text),
        config_source: crate::abm_config::source_label(args.config.as_deref()),
        shock: cfg.shock.clone(),
    };
    if args.print_config {
        out!(
            "# liqcascade {} · agent-based market config · {} · hash {}\n\
             # A patch file needs only the keys it changes: `liqcascade abm FILE` merges it over the\n\
             # embedded default (tables key by key; numbers, strings, booleans and arrays replaced).\n\n{text}",
            meta.version, meta.config_source, meta.config_hash
        )?;
        return Ok(());
    }
    if let Some(exp) = &args.experiment {
        if args.events.is_some() || args.price_path.is_some() {
            return Err(InputError(
                "--events and --price-path write one run; an --experiment runs two arms".into(),
            )
            .into());
        }
        let shock = cfg.shock.clone().ok_or_else(|| {
            InputError("--experiment needs a shock: --shock -3% or a [shock] table in CONFIG".into())
        })?;
        let experiment = crate::abm_experiment::by_name(exp)?;
        let seed_list: Vec<u64> = match seeds {
            Some((first, last)) => (first..=last).collect(),
            None => vec![args.seed],
        };
        crate::abm_experiment::run(experiment, &cfg, &shock, &seed_list, duration, &meta, args.json)?;
        return Ok(());
    }
    if args.flows {
        if args.events.is_some() || args.price_path.is_some() || args.compare_real.is_some() {
            return Err(InputError(
                "--flows runs several arms; --events, --price-path and --compare-real write one run".into(),
            )
            .into());
        }
        let shock = cfg.shock.clone().ok_or_else(|| {
            InputError("--flows needs a shock: --shock -10% or a [shock] table in CONFIG".into())
        })?;
        let seed_list: Vec<u64> = match seeds {
            Some((first, last)) => (first..=last).collect(),
            None => vec![args.seed],
        };
        return crate::abm_flows::run(&cfg, &shock, &seed_list, duration, &meta, args.json);
    }
    if let Some(sh) = cfg.shock.as_ref().filter(|s| s.at_s >= duration && !crate::quiet()) {
        eprintln!("note: the shock starts at {:.0} s, after the end of the run ({duration:.0} s)", sh.at_s);
    }
    if let Some((first, last)) = seeds {
        return crate::abm_seeds::run(&cfg, first..=last, duration, &meta, args.json);
    }
    let out = liq_abm::run_abm(&cfg, args.seed, duration).map_err(|e| InputError(e.to_string()))?;
    if let Some(path) = &args.events {
        let names = AbmNames(&cfg.market.symbol);
        let parquet =
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        if parquet {
            liq_io::output::write_events_parquet(path, &names, &out.events)
        } else {
            liq_io::output::write_events_csv_file(path, &names, &out.events)
        }
        .with_context(|| format!("writing the event log to {}", path.display()))?;
        liq_io::output::write_sidecar_meta(path, &meta)?;
    }
    if let Some(path) = &args.price_path {
        write_price_path(path, &out.price_path)?;
        liq_io::output::write_sidecar_meta(path, &meta)?;
    }
    if let Some(path) = &args.compare_real {
        let real = liq_abm::stylised_facts_of_capture(path, None).map_err(|e| InputError(e.to_string()))?;
        let cmp = liq_abm::FactsComparison { simulated: out.stylised.clone(), real };
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&WithMeta { meta: &meta, body: &cmp })?)?;
        } else {
            out!("{}", liq_abm::render_comparison(&cmp))?;
        }
        return Ok(());
    }
    let generations = generations(&out);
    if args.out.wanted() {
        // The ABM has no scenario: its config (source and hash) stands in for one, as in every
        // other `abm` output.
        let run_meta = liq_io::output::RunMeta {
            version: meta.version.to_string(),
            scenario: format!("agent-based market ({})", meta.config_source),
            scenario_hash: meta.config_hash.clone(),
            seed: args.seed,
            venue: cfg.venue.name().to_string(),
            adl_policy: "venue".to_string(),
            margin_tables: Vec::new(),
            shock: cfg.shock.iter().map(|s| (cfg.market.symbol.clone(), s.index_move)).collect(),
            collateral_tables: Vec::new(),
        };
        let section = liq_report::abm_replay::AbmSection::new(
            &meta.config_source,
            &meta.config_hash,
            cfg.shock.as_ref(),
            &out,
            generations.clone(),
        );
        crate::report_cmd::emit(&args.out, &liq_report::ReportInput::new(run_meta).with_abm(section))?;
    }
    if args.json {
        let doc = AbmDocument {
            meta: &meta,
            summary: &out.summary,
            stylised_facts: &out.stylised,
            generations: &generations,
            flow_orders: &out.flow_orders,
        };
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    let s = &out.summary;
    let f = &out.stylised;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "liqcascade {} · agent-based market · config {} ({}) · seed {} · {:.0} s",
        meta.version, meta.config_source, meta.config_hash, args.seed, duration
    );
    if let Some(sh) = &cfg.shock {
        let _ = writeln!(o, "  shock {} at {:.0} s over {:.0} s", pct(sh.index_move), sh.at_s, sh.over_s);
    }
    let _ = writeln!(
        o,
        "  liquidated {} ({} accounts, {} events)",
        usd(s.liquidated_notional_usd),
        s.accounts_liquidated,
        out.events.len()
    );
    if !generations.is_empty() {
        // Long cascades: the first generations one by one, the rest on one line (--json has all).
        const SHOWN: usize = 10;
        let row = |o: &mut String, label: &str, notional: f64, accounts: usize, events: u64| {
            let _ = writeln!(o, "    {label:<10} {:>14} {accounts:>10} {events:>8}", usd(notional));
        };
        let _ = writeln!(o, "    {:<10} {:>14} {:>10} {:>8}", "generation", "notional", "accounts", "events");
        let cut = if generations.len() > SHOWN + 2 { SHOWN } else { generations.len() };
        for g in &generations[..cut] {
            row(&mut o, &g.generation.to_string(), g.notional_usd, g.accounts as usize, g.events);
        }
        if let Some(last) = generations.get(cut..).and_then(|r| r.last()) {
            let rest = &generations[cut..];
            let mut accounts: Vec<u32> = out
                .events
                .iter()
                .filter(|e| e.generation as usize >= cut && e.kind.liquidates())
                .map(|e| e.account)
                .collect();
            accounts.sort_unstable();
            accounts.dedup();
            row(
                &mut o,
                &format!("{cut}–{}", last.generation),
                rest.iter().map(|g| g.notional_usd).sum(),
                accounts.len(),
                rest.iter().map(|g| g.events).sum(),
            );
        }
    }
    let _ = writeln!(
        o,
        "  closed in the book {}, taken over by the fund {} (sold back into the book {}), ADL {}",
        usd(s.book_fill_notional_usd),
        usd(s.fund_takeover_notional_usd),
        usd(s.fund_unwound_notional_usd),
        usd(s.adl_notional_usd)
    );
    let _ = writeln!(
        o,
        "  bad debt {}, fund {} → {}",
        usd(s.bad_debt_usd),
        usd(s.fund_start_usd),
        usd(s.fund_end_usd)
    );
    let _ = writeln!(o, "  mid {:.1} → {:.1}, max drawdown {}", s.start_mid, s.end_mid, pct(s.max_drawdown));
    // Who ended up holding the risk, and who paid for it (equity changes sum to zero).
    let _ = writeln!(o, "    {:<16} {:>14} {:>14}", "group", "net position", "equity change");
    for g in &s.groups {
        let _ = writeln!(
            o,
            "    {:<16} {:>14} {:>14}",
            g.group,
            format!("{:+.3} BTC", g.position_base),
            usd(g.equity_change_usd)
        );
    }
    crate::abm_flows::channel_lines(&mut o, &s.channels);
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
    for (flag, path) in [("events", &args.events), ("price path", &args.price_path)] {
        if let Some(p) = path {
            let _ = writeln!(o, "  {flag} written to {} (+ .meta.json)", p.display());
        }
    }
    out!("{o}")?;
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
    /// Write the calibrated scenario (TOML, readable by run/stress); refused when the verdict is
    /// "poorly identified" unless --force.
    #[arg(long, value_name = "calib.toml")]
    pub out: Option<PathBuf>,
    /// Write --out even when the fit is poorly identified (the verdict is still printed).
    #[arg(long)]
    pub force: bool,
    /// Print the result as one JSON object instead of the table.
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
    args.data
        .iter()
        .fold(crate::outputs::Outputs::default(), |o, p| o.input(Some(p)))
        .file("out", args.out.as_ref())
        .check()?;
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
    let verdict = crate::verdict::calibration(&cal);
    if args.out.is_some() && !verdict.well_identified && !args.force {
        eprint!("{}", verdict.render("the calibration is"));
        return Err(InputError(format!(
            "--out {}: the fit is poorly identified (see the verdict); not written. Pass --force to write it anyway",
            args.out.as_ref().map(|p| p.display().to_string()).unwrap_or_default()
        ))
        .into());
    }
    if let Some(out) = &args.out {
        let text = cal.to_toml();
        liq_io::output::write_file_with(out, |w| w.write_all(text.as_bytes()))
            .with_context(|| format!("writing {}", out.display()))?;
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&cal)?)?;
    } else {
        out!("{}", cal.summary_table())?;
        out!("{}", verdict.render("the calibration is"))?;
        if let Some(out) = &args.out {
            outln!("calibrated scenario written to {}", out.display())?;
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

/// The sidecar `FILE.meta.json` of `population --out FILE`.
#[derive(Debug, serde::Serialize)]
struct PopulationMeta {
    version: &'static str,
    inputs: [String; 2],
    /// First 16 hex characters of the SHA-256 of the two files' bytes, each followed by a zero byte.
    input_hash: String,
    /// Always `null`: the population is a deterministic function of the klines and open interest.
    seed: Option<u64>,
    market: String,
    lot_size: f64,
}

pub fn population(args: PopulationArgs) -> Result<()> {
    // Checked here because calib's builder would write files that `run` then rejects.
    if !(args.lot.is_finite() && args.lot > 0.0) {
        return Err(InputError(format!("--lot {}: the lot size must be a positive number", args.lot)).into());
    }
    let market = args.market.trim();
    if market.is_empty() || market.contains(|c: char| c.is_whitespace() || c == ',') {
        return Err(InputError(format!(
            "--market {:?}: a market symbol must be non-empty, without spaces or commas (e.g. BTCUSDT)",
            args.market
        ))
        .into());
    }
    crate::outputs::Outputs::default()
        .file_with_sidecar("out", Some(&args.out))
        .input(Some(&args.klines))
        .input(Some(&args.oi))
        .check()?;
    let klines = liq_calib::public::load_klines(&args.klines).map_err(|e| InputError(e.to_string()))?;
    let (_, oi) = liq_calib::public::load_open_interest(&args.oi).map_err(|e| InputError(e.to_string()))?;
    let opts = liq_calib::population::PopulationOptions {
        market: market.to_string(),
        lot_size: Some(args.lot),
        ..Default::default()
    };
    let pop = liq_calib::population::build_population(&klines, &oi, &opts)
        .map_err(|e| InputError(e.to_string()))?;
    liq_io::output::write_file_with(&args.out, |w| {
        liq_calib::population::write_accounts_csv(w, &pop.accounts).map_err(std::io::Error::other)
    })
    .with_context(|| format!("writing {}", args.out.display()))?;
    // What produced the accounts (the CSV itself keeps the columns `run --accounts` reads).
    let meta = PopulationMeta {
        version: env!("CARGO_PKG_VERSION"),
        inputs: [args.klines.display().to_string(), args.oi.display().to_string()],
        input_hash: crate::outputs::input_hash(&[&args.klines, &args.oi])?,
        seed: None,
        market: market.to_string(),
        lot_size: args.lot,
    };
    liq_io::output::write_sidecar_meta(&args.out, &meta)?;
    let r = &pop.report;
    outln!(
        "{} accounts written to {} · OI added {:.3}, removed {:.3} (unmatched {:.3}) · open long {:.3}, short {:.3} {}",
        pop.accounts.len(),
        args.out.display(),
        r.oi_added,
        r.oi_removed,
        r.unmatched_removal,
        r.long_open,
        r.short_open,
        args.market
    )?;
    Ok(())
}
