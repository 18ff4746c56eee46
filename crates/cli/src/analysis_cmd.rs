//! `liqcascade network`, `map` and `sweep`: the contagion structure, the liquidation map and the
//! shock→loss curve with the critical shock (`firesale` is in [`crate::firesale_cmd`]).

use crate::args::fraction;
use crate::table::{pct, price, usd};
use crate::InputError;
use anyhow::{Context, Result};
use clap::Args;
use liq_engine::EngineModel;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct NetworkArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Run on this venue preset instead of the scenario's (binance, bybit, hyperliquid, dydx).
    #[arg(long)]
    pub venue: Option<String>,
    #[command(flatten)]
    pub book: crate::book::BookArgs,
    /// Write the market–market graph as GraphML.
    #[arg(long, value_name = "FILE.graphml")]
    pub graphml: Option<PathBuf>,
    /// Write the market–market graph as Graphviz DOT.
    #[arg(long, value_name = "FILE.dot")]
    pub dot: Option<PathBuf>,
    /// Write the account–account overlap graph (top accounts) as GraphML.
    #[arg(long, value_name = "FILE.graphml")]
    pub accounts_graphml: Option<PathBuf>,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

#[derive(Args, Debug)]
pub struct MapArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Run on this venue preset instead of the scenario's (binance, bybit, hyperliquid, dydx).
    #[arg(long)]
    pub venue: Option<String>,
    #[command(flatten)]
    pub book: crate::book::BookArgs,
    /// Market to map (e.g. BTC or BTCUSDT).
    #[arg(long, default_value = "BTC")]
    pub market: String,
    /// Price range either side of the mark (e.g. 20%).
    #[arg(long, default_value = "20%")]
    pub range: String,
    /// Bin width (e.g. 1%).
    #[arg(long, default_value = "1%")]
    pub bin: String,
    /// First-order only (skip the cascade runs at each bin edge).
    #[arg(long)]
    pub no_cascade: bool,
    /// Only these accounts' liquidation levels: comma-separated account ids, or an accounts CSV
    /// whose `account` column names them (the cascade columns still run the whole book).
    #[arg(long, value_name = "FILE.csv|ID,ID,...")]
    pub only: Option<String>,
    /// Write the map as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub csv: Option<PathBuf>,
    /// Print the map as JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Run on this venue preset instead of the scenario's (binance, bybit, hyperliquid, dydx).
    #[arg(long)]
    pub venue: Option<String>,
    #[command(flatten)]
    pub book: crate::book::BookArgs,
    /// Market to shock.
    #[arg(long, default_value = "BTC")]
    pub market: String,
    /// Smallest shock of the grid.
    #[arg(long, default_value = "-1%", allow_hyphen_values = true)]
    pub from: String,
    /// Largest shock of the grid.
    #[arg(long, default_value = "-30%", allow_hyphen_values = true)]
    pub to: String,
    /// Grid points.
    #[arg(long, default_value_t = 30)]
    pub points: usize,
    /// Amplification at which the cascade counts as self-sustaining (2, 2.0 or 200%).
    #[arg(long, default_value = "2.0")]
    pub threshold: String,
    /// Print the result as one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

fn model_for(
    path: Option<&PathBuf>,
    venue: Option<&str>,
    book: &crate::book::BookArgs,
) -> Result<(liq_domain::Scenario, EngineModel)> {
    let scenario = crate::book::load(path, venue, book)?;
    let model = EngineModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    Ok((scenario, model))
}

pub fn network(args: NetworkArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .file("graphml", args.graphml.as_ref())
        .file("dot", args.dot.as_ref())
        .file("accounts-graphml", args.accounts_graphml.as_ref())
        .report_flags(&args.out)
        .scenario(args.scenario.as_ref())
        .input(args.book.accounts.as_deref())
        .check()?;
    let (scenario, model) = model_for(args.scenario.as_ref(), args.venue.as_deref(), &args.book)?;
    let opts = liq_network::report::NetworkOptions::default();
    let (report, graph) =
        liq_network::report::analyse_with_graph(&model, &opts).map_err(|e| InputError(e.to_string()))?;
    // Every write and flush error is reported (`--graphml /dev/full` fails, exit 1).
    let write = |path: &PathBuf, f: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>| -> Result<()> {
        liq_io::output::write_file_with(path, f).with_context(|| format!("writing {}", path.display()))
    };
    if let Some(p) = &args.graphml {
        let g = liq_network::export::market_graph_export(&graph);
        write(p, &|w| liq_network::export::write_graphml(&g, w))?;
    }
    if let Some(p) = &args.dot {
        let g = liq_network::export::market_graph_export(&graph);
        write(p, &|w| liq_network::export::write_dot(&g, w))?;
    }
    if let Some(p) = &args.accounts_graphml {
        let g = liq_network::export::account_graph_export(&graph, &model.labels);
        write(p, &|w| liq_network::export::write_graphml(&g, w))?;
    }
    if args.out.wanted() {
        // The network beside the scenario's own cascade (version, hash and seed in its header).
        let cascade = liq_engine::Cascade::new(&model).report(&model);
        let input =
            liq_report::ReportInput::from_cascade(crate::run_cmd::run_meta(&scenario, &model), &cascade)
                .with_network(report.clone());
        crate::report_cmd::emit(&args.out, &input)?;
    }
    if args.json {
        let doc = serde_json::json!({
            "meta": {"version": env!("CARGO_PKG_VERSION"), "scenario": scenario.name,
                     "scenario_hash": liq_io::hash::scenario_hash(&scenario), "seed": scenario.seed},
            "network": report,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "liqcascade {} · scenario {} ({}) · {} accounts, {} positions",
        env!("CARGO_PKG_VERSION"),
        scenario.name,
        liq_io::hash::scenario_hash(&scenario),
        report.accounts,
        report.positions
    );
    let _ = writeln!(o, "\n  market pairs most linked by cross-margin accounts");
    let _ =
        writeln!(o, "  {:<20} {:>14} {:>16} {:>14}", "pair", "cross links", "cross notional", "shared accts");
    for p in report.market_pairs.iter().take(6) {
        let _ = writeln!(
            o,
            "  {:<20} {:>14} {:>16} {:>14}",
            format!("{}–{}", p.market_a, p.market_b),
            p.link.cross_margin_links,
            usd(p.link.cross_margin_notional_usd),
            p.link.shared_accounts
        );
    }
    let c = &report.contagion;
    let _ = writeln!(o, "\n  contagion matrix at a {} shock (USD liquidated in column per USD the shock liquidates directly in row)", pct(c.shock));
    let _ = write!(o, "  {:<10}", "");
    for m in &c.markets {
        let _ = write!(o, " {:>10}", m);
    }
    let _ = writeln!(o);
    for (i, row) in c.matrix.iter().enumerate() {
        let _ = write!(o, "  {:<10}", c.markets[i]);
        for x in row {
            let _ = write!(o, " {:>10.3}", x);
        }
        let _ = writeln!(o);
    }
    let verdict = if c.spectral_radius > 1.0 { "> 1: self-amplifying" } else { "≤ 1: damped" };
    let _ = writeln!(o, "  spectral radius {:.3} ({verdict})", c.spectral_radius);
    let lead: Vec<String> =
        c.markets.iter().zip(&c.leading_eigenvector).map(|(m, v)| format!("{m} {:.0}%", v * 100.0)).collect();
    let _ = writeln!(o, "  leading eigenvector (where the amplified liquidation lands): {}", lead.join(", "));
    for p in &report.contagion_path {
        let _ = writeln!(o, "    at {:>7}: spectral radius {:.3}", pct(p.shock), p.spectral_radius);
    }
    let _ = writeln!(o, "\n  systemic importance (DebtRank)");
    for r in report.systemic_markets.iter() {
        let _ = writeln!(o, "    market  {:<24} {:.4}", r.name, r.debtrank);
    }
    for r in report.systemic_accounts.iter().take(5) {
        let _ = writeln!(o, "    account {:<24} {:.4}", r.name, r.debtrank);
    }
    let _ = writeln!(o, "\n  open interest near liquidation");
    for row in &report.concentration {
        let cells: Vec<String> = row
            .thresholds
            .iter()
            .zip(&row.notional_usd)
            .map(|(t, n)| {
                format!(
                    "within {:.0}%: {} ({:.1}%)",
                    t * 100.0,
                    usd(*n),
                    100.0 * n / row.open_interest_usd.max(1e-9)
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "    {:<8} {:<5} OI {:>10}  {}",
            row.market,
            row.side,
            usd(row.open_interest_usd),
            cells.join("  ")
        );
    }
    out!("{o}")?;
    Ok(())
}

pub fn map(args: MapArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .file_with_sidecar("csv", args.csv.as_ref())
        .report_flags(&args.out)
        .scenario(args.scenario.as_ref())
        .input(args.book.accounts.as_deref())
        .check()?;
    let (scenario, model) = model_for(args.scenario.as_ref(), args.venue.as_deref(), &args.book)?;
    let k = scenario
        .market_by_symbol(&args.market)
        .ok_or_else(|| InputError(format!("--market {}: unknown market", args.market)))?
        .idx();
    let opts = liq_network::liqmap::MapOptions {
        range: fraction(&args.range).map_err(|e| InputError(format!("--range: {}", e.0)))?.abs(),
        bin_width: fraction(&args.bin).map_err(|e| InputError(format!("--bin: {}", e.0)))?.abs(),
        cascade: !args.no_cascade,
    };
    // The map allocates its bins and runs a cascade at each edge: counted before either.
    liq_io::limits::map_bins(opts.range, opts.bin_width, opts.cascade)
        .map_err(|e| InputError(format!("--range {} --bin {}: {e}", args.range, args.bin)))?;
    let mut units = liq_network::units::unit_views(&model);
    if let Some(only) = &args.only {
        let ids = crate::book::account_ids(only)?;
        let unknown: Vec<&String> = ids.iter().filter(|id| !model.labels.contains(id)).collect();
        if let Some(first) = unknown.first() {
            return Err(InputError(format!(
                "--only {only}: account '{first}' is not in the scenario ({} unknown of {})",
                unknown.len(),
                ids.len()
            ))
            .into());
        }
        units.retain(|u| ids.contains(&model.labels[u.account as usize]));
    }
    let map = liq_network::liqmap::liquidation_map(&model, &units, k, &opts)
        .map_err(|e| InputError(e.to_string()))?;
    // Every output names its version, scenario hash and seed (README "Outputs").
    let meta = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"), "scenario": scenario.name,
        "scenario_hash": liq_io::hash::scenario_hash(&scenario), "seed": scenario.seed,
        "venue": scenario.venue.name(), "only": args.only,
    });
    if let Some(p) = &args.csv {
        liq_io::output::write_file_with(p, |w| {
            liq_network::liqmap::write_liquidation_map_csv(&map, w).map_err(std::io::Error::other)
        })
        .with_context(|| format!("writing {}", p.display()))?;
        liq_io::output::write_sidecar_meta(p, &meta)?;
    }
    if args.out.wanted() {
        // The map, beside the scenario's own cascade for context (version, hash and seed in its
        // header as in every report).
        let report = liq_engine::Cascade::new(&model).report(&model);
        let input =
            liq_report::ReportInput::from_cascade(crate::run_cmd::run_meta(&scenario, &model), &report)
                .with_liquidation_map(&map);
        crate::report_cmd::emit(&args.out, &input)?;
    }
    if args.json {
        let mut buf = Vec::new();
        liq_network::liqmap::write_liquidation_map_json(&map, &mut buf)?;
        let mut doc: serde_json::Value = serde_json::from_slice(&buf)?;
        if let Some(obj) = doc.as_object_mut() {
            obj.insert("meta".into(), meta);
        }
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "liqcascade {} · scenario {} ({}) · venue {} · seed {}",
        env!("CARGO_PKG_VERSION"),
        scenario.name,
        liq_io::hash::scenario_hash(&scenario),
        scenario.venue.name(),
        scenario.seed
    );
    let _ = writeln!(
        o,
        "liquidation map of {} around {} ({} bins of {}){}",
        map.market,
        price(map.mark),
        map.bins.len(),
        pct(opts.bin_width),
        args.only.as_ref().map(|x| format!(", levels of --only {x}")).unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "  {:>12} {:>12} {:>12} {:>14} {:>14}",
        "price from", "to", "longs", "shorts", "cum. cascade"
    );
    let peak = map.bins.iter().map(|b| b.long_usd.max(b.short_usd)).fold(0.0, f64::max).max(1e-9);
    for b in &map.bins {
        let bar = "█".repeat(((b.long_usd.max(b.short_usd) / peak) * 20.0).round() as usize);
        let _ = writeln!(
            o,
            "  {:>12} {:>12} {:>12} {:>14} {:>14}  {bar}",
            price(b.price_lo),
            price(b.price_hi),
            usd(b.long_usd),
            usd(b.short_usd),
            b.cumulative_cascade_usd.map(usd).unwrap_or_else(|| "–".into())
        );
    }
    out!("{o}")?;
    Ok(())
}

pub fn sweep(args: SweepArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .report_flags(&args.out)
        .scenario(args.scenario.as_ref())
        .input(args.book.accounts.as_deref())
        .check()?;
    let (scenario, model) = model_for(args.scenario.as_ref(), args.venue.as_deref(), &args.book)?;
    let k = scenario
        .market_by_symbol(&args.market)
        .ok_or_else(|| InputError(format!("--market {}: unknown market", args.market)))?
        .idx();
    liq_io::limits::check_sweep_points(args.points).map_err(|e| InputError(format!("--points: {e}")))?;
    let (from, to) =
        (crate::args::fraction_flag("from", &args.from)?, crate::args::fraction_flag("to", &args.to)?);
    if args.points < 2 || from == to || from.abs() >= 1.0 || to.abs() >= 1.0 {
        return Err(InputError(
            "sweep: need --points ≥ 2 and two different shocks between -100% and +100%".into(),
        )
        .into());
    }
    let grid = liq_stress::paths::shock_grid(from, to, args.points);
    let cs = liq_stress::critical::critical_shock(
        &model,
        k,
        &grid,
        crate::args::fraction_flag("threshold", &args.threshold)?,
        1e-4,
    );
    if args.out.wanted() {
        // The shock→loss curve and its critical shock, beside the scenario's own cascade.
        let report = liq_engine::Cascade::new(&model).report(&model);
        let input =
            liq_report::ReportInput::from_cascade(crate::run_cmd::run_meta(&scenario, &model), &report)
                .with_critical(&cs);
        crate::report_cmd::emit(&args.out, &input)?;
    }
    if args.json {
        let doc = serde_json::json!({
            "meta": {"version": env!("CARGO_PKG_VERSION"), "scenario": scenario.name,
                     "scenario_hash": liq_io::hash::scenario_hash(&scenario), "seed": scenario.seed},
            "sweep": cs,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    let mut o = String::new();
    let _ = writeln!(o, "shock → loss curve of {} (instant shock, other markets unshocked)", cs.market);
    let _ = writeln!(
        o,
        "  {:>8} {:>14} {:>14} {:>8} {:>12} {:>14} {:>10}",
        "shock", "liquidated", "first-order", "ampl.", "bad debt", "accounts loss", "mark end"
    );
    for p in &cs.curve {
        let _ = writeln!(
            o,
            "  {:>8} {:>14} {:>14} {:>7.2}× {:>12} {:>14} {:>10}",
            pct(p.shock),
            usd(p.liquidated_usd),
            usd(p.first_order_usd),
            p.amplification,
            usd(p.bad_debt_usd),
            usd(p.accounts_loss_usd),
            pct(p.mark_end)
        );
    }
    match cs.critical_shock {
        Some(x) => {
            let _ = writeln!(o, "critical shock (amplification ≥ {:.2}×): {}", cs.threshold, pct(x));
        }
        None => {
            let _ = writeln!(
                o,
                "no shock on the grid makes the cascade self-sustaining (amplification ≥ {:.2}×)",
                cs.threshold
            );
        }
    }
    out!("{o}")?;
    Ok(())
}
