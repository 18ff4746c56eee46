//! `liqcascade run`: one instant shock through the round-based cascade.

use crate::table;
use crate::InputError;
use anyhow::{Context, Result};
use clap::Args;
use liq_domain::Scenario;
use liq_engine::{Cascade, EngineModel};
use liq_io::output::{RunDocument, RunMeta};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Run on this venue preset instead of the scenario's (binance, bybit, hyperliquid, dydx):
    /// the rulebook, the mark rule, the venue's index and every market whose tiers are "preset"
    /// switch to that venue's. `aave-v3` (a lending protocol) takes a lending book
    /// (examples/aave-v3.toml) and is the default for such a file.
    #[arg(long)]
    pub venue: Option<String>,
    /// Override the shock: MARKET=MOVE, e.g. BTC=-8% or ETHUSDT=-0.05. Repeatable; markets not
    /// named are left unshocked once any --shock is given.
    #[arg(long = "shock", value_name = "MARKET=MOVE")]
    pub shocks: Vec<String>,
    /// A forced flow into a perp's own book at the start: `[VENUE:]MARKET=USD`, e.g.
    /// binance:BTC=-200M (a $200M market sell). Repeatable. Without --shock, the scenario's
    /// exogenous (index) shock is switched off, so the book flow is the only shock.
    #[arg(long = "shock-book", value_name = "[VENUE:]MARKET=USD")]
    pub book_shocks: Vec<String>,
    /// ADL policy: `venue` (the venue's published ranking, the default) or `pro-rata` (every
    /// eligible opposite position closes by the same fraction), to compare the same cascade
    /// under both. Overrides the scenario's `engine.adl_policy`.
    #[arg(long, value_name = "venue|pro-rata")]
    pub adl_policy: Option<String>,
    /// Where collateral converted against a negative wallet goes: `book` (sold into the asset's
    /// spot book, else its perp book — the collateral channel, the default) or `fund` (the fund
    /// keeps it). Overrides the scenario's `collateral.sale`.
    #[arg(long, value_name = "book|fund")]
    pub collateral_sale: Option<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write the event log (every liquidation) to this file: CSV, or Parquet if the name ends
    /// in `.parquet`.
    #[arg(long, value_name = "FILE.csv|FILE.parquet")]
    pub events: Option<PathBuf>,
    /// Time-stepped replay of a recorded price path (CSV: timestamp,market,price).
    #[arg(long, value_name = "FILE.csv")]
    pub replay: Option<PathBuf>,
    /// Time-stepped hypothetical path: the --shock moves unfold linearly over this duration
    /// (e.g. 60s) instead of at once.
    #[arg(long, value_name = "DURATION")]
    pub crash_over: Option<String>,
    /// With --crash-over: recover this share of the fall afterwards (e.g. 50%) ...
    #[arg(long)]
    pub rebound: Option<String>,
    /// ... over this duration (default: the crash duration).
    #[arg(long, value_name = "DURATION")]
    pub rebound_over: Option<String>,
    /// Step length of the time-stepped engine.
    #[arg(long, default_value = "1s")]
    pub step: String,
    /// At most this many liquidations per step (time-stepped runs).
    #[arg(long)]
    pub throughput: Option<u32>,
    #[command(flatten)]
    pub book: crate::book::BookArgs,
    /// Write the per-account risk (liquidation price and distance per position, generation,
    /// liquidated notional, ADL, fund flow, P&L) to this CSV; the terminal shows the ten riskiest.
    #[arg(long, value_name = "FILE.csv")]
    pub accounts_out: Option<PathBuf>,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

/// Loads the scenario the arguments name (or the default).
pub fn load(path: Option<&PathBuf>) -> Result<Scenario> {
    load_for_venue(path, None)
}

/// [`load`] on another venue preset (`--venue`), named as on the command line.
pub fn load_for_venue(path: Option<&PathBuf>, venue: Option<&str>) -> Result<Scenario> {
    let venue = venue
        .map(|v| {
            liq_domain::VenuePreset::parse(v.trim()).ok_or_else(|| {
                let names: Vec<&str> = liq_domain::VenuePreset::ALL.iter().map(|v| v.name()).collect();
                InputError(format!(
                    "--venue {v}: unknown venue (one of: {}); aave-v3 takes a lending book",
                    names.join(", ")
                ))
            })
        })
        .transpose()?;
    match (path, venue) {
        (Some(p), v) => liq_io::load_scenario_for_venue(p, v).map_err(|e| InputError(e.to_string()).into()),
        (None, None) => liq_io::default_scenario::default_scenario()
            .map_err(|e| anyhow::anyhow!("the embedded default scenario failed to load: {e}")),
        // On another venue the embedded scenario can fail for want of that venue's table (Bybit
        // carries BTCUSDT only): that is an input error, not a broken build.
        (None, Some(v)) => liq_io::default_scenario::default_scenario_for_venue(v)
            .map_err(|e| InputError(format!("the default scenario on --venue {}: {e}", v.name())).into()),
    }
}

/// Parses `MARKET=MOVE` (`-8%` or `-0.08`) against the scenario's markets.
pub fn parse_shocks(scenario: &Scenario, args: &[String]) -> Result<Option<Vec<f64>>> {
    if args.is_empty() {
        return Ok(None);
    }
    let mut moves = vec![0.0; scenario.markets.len()];
    for a in args {
        let (market, mv) = a
            .split_once('=')
            .ok_or_else(|| InputError(format!("--shock {a}: expected MARKET=MOVE, e.g. BTC=-8%")))?;
        // An asset's move is news: with several venues it moves that asset on every venue
        // (`VENUE:MARKET` moves one venue's market only).
        let ids = scenario.markets_matching(market.trim());
        if ids.is_empty() {
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            return Err(InputError(format!(
                "--shock {a}: unknown market '{market}' (markets: {})",
                known.join(", ")
            ))
            .into());
        }
        let value = crate::args::fraction(mv)
            .and_then(|v| liq_io::limits::check_move(v).map_err(InputError))
            .map_err(|e| InputError(format!("--shock {a}: {}", e.0)))?;
        for id in ids {
            moves[id.idx()] = value;
        }
    }
    Ok(Some(moves))
}

/// The metadata every `run`-like output records: version, scenario and its hash, seed, venue,
/// margin tables and the shock the model runs.
pub fn run_meta(scenario: &Scenario, model: &EngineModel) -> RunMeta {
    RunMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::scenario_hash(scenario),
        seed: scenario.seed,
        // Several venues: their names, joined.
        venue: if scenario.venues.is_single() {
            scenario.venue.name().to_string()
        } else {
            scenario.venues.venues.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join("+")
        },
        adl_policy: scenario.engine.adl_policy.name().to_string(),
        margin_tables: liq_io::output::margin_tables(scenario),
        shock: (0..scenario.markets.len())
            .map(|k| {
                let sym = &scenario.markets[k].symbol;
                // Several venues list one symbol: name the venue too.
                if scenario.venues.is_single() {
                    sym.clone()
                } else {
                    format!(
                        "{}:{sym}",
                        scenario.venue_name(scenario.venue_of(liq_domain::MarketId(k as u16)))
                    )
                }
            })
            .zip(model.shock().iter().copied())
            .collect(),
    }
}

/// `--shock-book [VENUE:]MARKET=USD` (suffixes k, M, B): market flow into each perp's book.
pub fn parse_book_shocks(scenario: &Scenario, args: &[String]) -> Result<Option<Vec<f64>>> {
    if args.is_empty() {
        return Ok(None);
    }
    let mut usd = vec![0.0; scenario.markets.len()];
    for a in args {
        let (lhs, amount) = a.split_once('=').ok_or_else(|| {
            InputError(format!("--shock-book {a}: expected [VENUE:]MARKET=USD, e.g. binance:BTC=-200M"))
        })?;
        let market = match lhs.split_once(':') {
            // Several venues: `VENUE:MARKET` is that venue's market (resolved below).
            Some(_) if !scenario.venues.is_single() => lhs,
            Some((venue, m)) => {
                if !venue.trim().eq_ignore_ascii_case(scenario.venue.name()) {
                    return Err(InputError(format!(
                        "--shock-book {a}: the scenario's venue is {}, not '{venue}'",
                        scenario.venue.name()
                    ))
                    .into());
                }
                m
            }
            None => lhs,
        };
        let id = scenario.market_by_symbol(market.trim()).ok_or_else(|| {
            if scenario.markets_matching(market.trim()).len() > 1 {
                return InputError(format!(
                    "--shock-book {a}: '{market}' is listed on several venues: write VENUE:{market}"
                ));
            }
            let known: Vec<&str> = scenario.markets.iter().map(|m| m.symbol.as_str()).collect();
            InputError(format!("--shock-book {a}: unknown market '{market}' (markets: {})", known.join(", ")))
        })?;
        let t = amount.trim();
        let (num, mult) = match t.char_indices().last() {
            Some((i, 'k' | 'K')) => (&t[..i], 1e3),
            Some((i, 'm' | 'M')) => (&t[..i], 1e6),
            Some((i, 'b' | 'B')) => (&t[..i], 1e9),
            _ => (t, 1.0),
        };
        let v =
            num.trim().parse::<f64>().map(|x| x * mult).map_err(|_| {
                InputError(format!("--shock-book {a}: '{t}' is not a USD amount (e.g. -200M)"))
            })?;
        // 1e12 USD: more than every perp market's open interest together; a bound, not a model.
        if !(v.is_finite() && v.abs() <= 1e12) {
            return Err(InputError(format!("--shock-book {a}: the amount must be within ±1e12 USD")).into());
        }
        usd[id.idx()] = v;
    }
    Ok(Some(usd))
}

/// The exogenous path of a time-stepped run, if the arguments ask for one.
fn path_of(args: &RunArgs, scenario: &Scenario, model: &EngineModel) -> Result<Option<liq_engine::ExoPath>> {
    let step = crate::args::step_flag("step", &args.step)?;
    if let Some(file) = &args.replay {
        let recorded = liq_stress::paths::read_price_path(file, |m| {
            scenario.market_by_symbol(m).map(|id| scenario.markets[id.idx()].symbol.clone())
        })
        .map_err(|e| InputError(e.to_string()))?;
        // `replay_path` allocates span / step levels: one far-future timestamp must not size it.
        let span = recorded.series.iter().filter_map(|s| s.last().map(|x| x.0)).fold(0.0, f64::max);
        if span > 0.0 {
            liq_io::limits::path_steps(span, step).map_err(|e| {
                InputError(format!("--replay {}: the recorded path spans {span} s: {e}", file.display()))
            })?;
        }
        let symbols: Vec<String> = scenario.markets.iter().map(|m| m.symbol.clone()).collect();
        return Ok(Some(
            liq_stress::paths::replay_path(&recorded, &symbols, step)
                .map_err(|e| InputError(e.to_string()))?,
        ));
    }
    if let Some(over) = &args.crash_over {
        let crash_steps =
            crate::args::steps_flag("crash-over", crate::args::duration_flag("crash-over", over)?, step)?;
        let moves = model.shock().to_vec();
        return Ok(Some(match &args.rebound {
            Some(r) => {
                let frac =
                    crate::args::fraction(r).map_err(|e| InputError(format!("--rebound {r}: {}", e.0)))?;
                let back = match &args.rebound_over {
                    Some(d) => crate::args::steps_flag(
                        "rebound-over",
                        crate::args::duration_flag("rebound-over", d)?,
                        step,
                    )?,
                    None => crash_steps,
                };
                crate::args::steps_flag(
                    "crash-over and --rebound-over",
                    (crash_steps + back) as f64 * step,
                    step,
                )?;
                liq_stress::paths::crash_and_rebound(&moves, crash_steps, back, frac, step)
            }
            None => liq_stress::paths::linear_crash(&moves, crash_steps, step),
        }));
    }
    Ok(None)
}

pub fn run(args: RunArgs) -> Result<()> {
    if crate::lending_cmd::wants_lending(&args)? {
        return crate::lending_cmd::run(args);
    }
    crate::outputs::Outputs::default()
        .file_with_sidecar("events", args.events.as_ref())
        .report_flags(&args.out)
        .file_with_sidecar("accounts-out", args.accounts_out.as_ref())
        .scenario(args.scenario.as_ref())
        .input(args.replay.as_deref())
        .input(args.book.accounts.as_deref())
        .check()?;
    let mut scenario = crate::book::load(args.scenario.as_ref(), args.venue.as_deref(), &args.book)?;
    let shock = parse_shocks(&scenario, &args.shocks)?;
    let book = parse_book_shocks(&scenario, &args.book_shocks)?;
    if let Some(moves) = shock {
        scenario.shock = liq_domain::Shock::PerMarket(moves);
    } else if book.is_some() {
        scenario.shock = liq_domain::Shock::PerMarket(vec![0.0; scenario.markets.len()]);
    }
    if let Some(usd) = book {
        scenario.book_shock_usd = usd;
    }
    if let Some(p) = &args.adl_policy {
        scenario.engine.adl_policy = liq_domain::AdlMode::parse(p).ok_or_else(|| {
            InputError(format!("--adl-policy {p}: unknown policy (one of: venue, pro-rata)"))
        })?;
    }
    if let Some(m) = &args.collateral_sale {
        scenario.collateral.sale = match m.trim() {
            "book" => liq_domain::CollateralSale::Book,
            "fund" => liq_domain::CollateralSale::Fund,
            _ => return Err(InputError(format!("--collateral-sale {m}: one of book, fund")).into()),
        };
    }
    let model = EngineModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    let meta = run_meta(&scenario, &model);
    let mut cascade = Cascade::new(&model);
    let path = path_of(&args, &scenario, &model)?;
    // Forced flows other than liquidations: decompose an instant shock's liquidations by channel.
    let channels =
        (path.is_none() && !model.flows.is_empty()).then(|| liq_engine::channel_report(&mut cascade, &model));
    let report = match path {
        Some(path) => {
            let opts = liq_engine::RunOptions { throughput_per_step: args.throughput, ..Default::default() };
            cascade.report_path(&model, &path, &opts)
        }
        None => cascade.report(&model),
    };
    if let Some(path) = &args.events {
        let parquet =
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        if parquet {
            liq_io::output::write_events_parquet(path, &model, &report.outcome.events)
        } else {
            liq_io::output::write_events_csv_file(path, &model, &report.outcome.events)
        }
        .with_context(|| format!("writing the event log to {}", path.display()))?;
        liq_io::output::write_sidecar_meta(path, &meta)?;
    }
    if args.out.wanted() {
        let input = crate::report_cmd::assemble(&meta, &model, &report)?;
        crate::report_cmd::emit(&args.out, &input)?;
    }
    let risks = (args.accounts_out.is_some() || args.book.accounts.is_some()).then(|| {
        let units = liq_network::units::unit_views(&model);
        liq_network::account_risk(&model, &units, &report.outcome)
    });
    if let (Some(path), Some(risks)) = (&args.accounts_out, &risks) {
        crate::accounts_out::write(path, risks)?;
        liq_io::output::write_sidecar_meta(path, &meta)?;
    }
    if args.json {
        let mut doc = RunDocument::new(&meta, &report);
        doc.channels = channels.as_ref();
        crate::outputs::print(&format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
    } else {
        out!("{}", table::render_run(&meta, &report, scenario.accounts.len()))?;
        match &channels {
            Some(c) => out!("{}", crate::channels::render_report(c))?,
            None if !report.outcome.channels.is_empty() => {
                out!("{}", crate::channels::render_totals(&report.outcome.channels))?
            }
            None => {}
        }
        if let Some(line) = crate::book::shock_side_line(&model) {
            outln!("\n{line}")?;
        }
        if let Some(risks) = &risks {
            out!("{}", crate::accounts_out::render_top(risks, 10))?;
        }
    }
    Ok(())
}
