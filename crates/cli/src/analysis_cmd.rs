//! `liqcascade network`, `map`, `sweep` and `firesale`: the contagion structure, the liquidation
//! map, the shock→loss curve with the critical shock, and the overlapping-portfolio fire sale.

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

/// When a `firesale` order is paid (`--execution`) and when delevering sales clear (`--clearing`).
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ExecutionArg {
    Midpoint,
    PreClearing,
    PostClearing,
}
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ClearingArg {
    NextRound,
    SameRound,
}
/// What a defaulted institution sells (`--default-sale`): everything the round after it
/// defaults, or nothing (its holdings stay marked on its books).
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum DefaultSaleArg {
    All,
    None,
}

/// Every default is the reference implementation's (ox-inet-resilience/firesale_stresstest,
/// commit dd861c6, `model.py::Parameters` and `initialize`); see `liq_network::firesale`.
#[derive(Args, Debug)]
pub struct FireSaleArgs {
    /// Holdings CSV (institutions × assets) ...
    #[arg(long, requires = "limits", conflicts_with = "eba")]
    pub holdings: Option<PathBuf>,
    /// ... and leverage limits CSV (see the network crate's `firesale_io` docs for the layouts);
    /// each `max_leverage` must be 1 / --leverage-min.
    #[arg(long)]
    pub limits: Option<PathBuf>,
    /// The EBA 2018 stress-test file layout (banks' CET1, leverage, government and corporate bonds).
    #[arg(long, value_name = "EBA_2018.csv")]
    pub eba: Option<PathBuf>,
    /// Initial price move: one value for --shock-asset, or one per asset in input order
    /// (e.g. -20% or -0.2,0).
    #[arg(long, default_value = "-20%", allow_hyphen_values = true)]
    pub shock: String,
    /// The asset a single --shock value hits (`all` for every asset). Without it:
    /// government_bonds, the reference's `ASSET_TO_SHOCK`.
    #[arg(long)]
    pub shock_asset: Option<String>,
    /// Default when equity / assets falls below this.
    #[arg(long, default_value = "3%")]
    pub leverage_min: String,
    /// Delever when equity / assets falls below this (100% = leverage targeting) ...
    #[arg(long, default_value = "4%")]
    pub leverage_buffer: String,
    /// ... back to this equity / assets.
    #[arg(long, default_value = "5%")]
    pub leverage_target: String,
    /// Cash as a share of total assets at the start; it repays loans before anything is sold.
    #[arg(long, default_value = "5%")]
    pub cash_share: String,
    /// Share of liabilities that is a repayable loan (the rest is never repaid).
    #[arg(long, default_value = "50%")]
    pub loan_share: String,
    /// Price impact: the fall when --impact-sold of an asset's market cap is sold ...
    #[arg(long, default_value = "5%")]
    pub impact_drop: String,
    /// ... and that share of the cap (β = −ln(1 − drop) / sold, exponential impact).
    #[arg(long, default_value = "5%")]
    pub impact_sold: String,
    /// Rounds after the shock.
    #[arg(long, default_value_t = 6)]
    pub rounds: usize,
    /// Price orders are paid at, relative to the clearing that moves the price.
    #[arg(long, value_enum, default_value = "midpoint")]
    pub execution: ExecutionArg,
    /// When delevering sales clear.
    #[arg(long, value_enum, default_value = "next-round")]
    pub clearing: ClearingArg,
    /// What an institution sells the round after it defaults.
    #[arg(long, value_enum, default_value = "all")]
    pub default_sale: DefaultSaleArg,
    /// EoSE (defaults / institutions) below this counts as 0 (no systemic event).
    #[arg(long, default_value = "5%")]
    pub eose_threshold: String,
    /// Print the result as one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

/// What produced a `firesale` result.
#[derive(serde::Serialize, Debug)]
pub struct FireSaleMeta {
    pub version: String,
    /// The input files, in the order hashed.
    pub inputs: Vec<String>,
    /// First 16 hex characters of the SHA-256 of the input files' bytes (each followed by a 0 byte).
    pub input_hash: String,
    /// Always null: the model draws no random numbers (the reference's shuffle of the
    /// institutions changes no decision; see `liq_network::firesale`).
    pub seed: Option<u64>,
    /// The implementation whose mechanics the model follows.
    pub reference: &'static str,
}

#[derive(serde::Serialize)]
struct FireSaleDocument<'a> {
    meta: FireSaleMeta,
    institutions: &'a [String],
    assets: &'a [String],
    params: &'a liq_network::FireSaleParams,
    outcome: &'a liq_network::FireSaleOutcome,
}

/// First 16 hex characters of the SHA-256 of the files' bytes, each followed by a zero byte.
pub(crate) fn input_hash(paths: &[&PathBuf]) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in paths {
        h.update(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?);
        h.update([0u8]);
    }
    Ok(h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect())
}

/// `--shock` and `--shock-asset` as one move per asset.
fn firesale_shock(args: &FireSaleArgs, assets: &[String]) -> Result<Vec<f64>> {
    let parts: Vec<f64> = args.shock.split(',').map(fraction).collect::<Result<_, _>>()?;
    if parts.len() > 1 {
        if args.shock_asset.is_some() {
            return Err(InputError("--shock-asset: give it with a single --shock value only".into()).into());
        }
        if parts.len() != assets.len() {
            return Err(InputError(format!(
                "--shock: {} values for {} assets ({})",
                parts.len(),
                assets.len(),
                assets.join(", ")
            ))
            .into());
        }
        return Ok(parts);
    }
    let target = args.shock_asset.as_deref().unwrap_or("government_bonds");
    if target == "all" {
        return Ok(vec![parts[0]; assets.len()]);
    }
    let k = assets.iter().position(|a| a == target).ok_or_else(|| {
        InputError(format!("--shock-asset: no asset `{target}` in the input (assets: {})", assets.join(", ")))
    })?;
    let mut shock = vec![0.0; assets.len()];
    shock[k] = parts[0];
    Ok(shock)
}

/// `liqcascade firesale`: overlapping-portfolio fire sales (Cont–Schaanning) as the reference
/// implementation runs them, round by round, with defaults per round and EoSE.
pub fn firesale(args: FireSaleArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .report_flags(&args.out)
        .input(args.eba.as_deref())
        .input(args.holdings.as_deref())
        .input(args.limits.as_deref())
        .check()?;
    let (sys, inputs) = match (&args.eba, &args.holdings, &args.limits) {
        (Some(p), _, _) => (liq_network::firesale_io::load_eba_2018(p), vec![p]),
        (None, Some(h), Some(l)) => (liq_network::firesale_io::load_fire_sale_csv(h, l), vec![h, l]),
        _ => {
            return Err(InputError("firesale: give --eba FILE or --holdings FILE --limits FILE".into()).into())
        }
    };
    let sys = sys.map_err(|e| InputError(e.to_string()))?;
    let flag = |name: &str, v: &str| fraction(v).map_err(|e| InputError(format!("--{name}: {}", e.0)));
    use liq_network::{ClearingTiming as C, ExecutionPrice as X};
    let params = liq_network::FireSaleParams {
        leverage_min: flag("leverage-min", &args.leverage_min)?,
        leverage_buffer: flag("leverage-buffer", &args.leverage_buffer)?,
        leverage_target: flag("leverage-target", &args.leverage_target)?,
        cash_share: flag("cash-share", &args.cash_share)?,
        loan_share: flag("loan-share", &args.loan_share)?,
        impact_drop: flag("impact-drop", &args.impact_drop)?,
        impact_sold: flag("impact-sold", &args.impact_sold)?,
        eose_threshold: flag("eose-threshold", &args.eose_threshold)?,
        rounds: args.rounds,
        execution: match args.execution {
            ExecutionArg::Midpoint => X::Midpoint,
            ExecutionArg::PreClearing => X::PreClearing,
            ExecutionArg::PostClearing => X::PostClearing,
        },
        clearing: match args.clearing {
            ClearingArg::NextRound => C::NextRound,
            ClearingArg::SameRound => C::SameRound,
        },
        defaulted_sell_all: matches!(args.default_sale, DefaultSaleArg::All),
        ..liq_network::FireSaleParams::published(firesale_shock(&args, &sys.assets)?)
    };
    // The model applies one minimum leverage ratio to everyone; a limits file that says
    // otherwise for an institution is refused rather than silently overridden.
    if let (Some(l), Some(i)) =
        (&args.limits, sys.max_leverage.iter().position(|&x| (x * params.leverage_min - 1.0).abs() > 1e-9))
    {
        return Err(InputError(format!(
            "{}: field `max_leverage`: `{}` has {}, but the model's minimum leverage ratio --leverage-min \
             {} means a limit of {:.6}; make them agree",
            l.display(),
            sys.institutions[i],
            sys.max_leverage[i],
            params.leverage_min,
            1.0 / params.leverage_min
        ))
        .into());
    }
    let out = liq_network::fire_sale(&sys, &params).map_err(|e| InputError(e.to_string()))?;
    let meta = FireSaleMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
        input_hash: input_hash(&inputs)?,
        seed: None,
        reference: "ox-inet-resilience/firesale_stresstest@dd861c6dbba3bb9dc77565fac585a2b2e8a960ab",
    };
    if args.out.wanted() {
        let run_meta = liq_report::ReportMeta {
            version: meta.version.clone(),
            scenario: format!("fire sale on {}", meta.inputs.join(", ")),
            // The hash of the input files' bytes, the fire sale's scenario.
            scenario_hash: meta.input_hash.clone(),
            // Unused: the report prints "none" for a fire sale (the model draws no random numbers).
            seed: 0,
            venue: "bank balance sheets (no venue)".into(),
            adl_policy: "not applicable".into(),
            margin_tables: vec![],
            collateral_tables: vec![],
            shock: sys.assets.iter().cloned().zip(params.shock.iter().copied()).collect(),
        };
        let section = liq_report::input::FireSaleSection {
            inputs: meta.inputs.clone(),
            reference: meta.reference.to_string(),
            institutions: sys.institutions.clone(),
            assets: sys.assets.clone(),
            params: params.clone(),
            outcome: out.clone(),
        };
        crate::report_cmd::emit(&args.out, &liq_report::ReportInput::new(run_meta).with_firesale(section))?;
    }
    if args.json {
        let doc = FireSaleDocument {
            meta,
            institutions: &sys.institutions,
            assets: &sys.assets,
            params: &params,
            outcome: &out,
        };
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    out!("{}", render_firesale(&meta, &sys, &params, &out))?;
    Ok(())
}

/// An unsigned percentage with two decimals (`pct` signs every value, which suits moves only).
fn share(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn render_firesale(
    meta: &FireSaleMeta,
    sys: &liq_network::FireSaleSystem,
    params: &liq_network::FireSaleParams,
    out: &liq_network::FireSaleOutcome,
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "fire sale (Cont–Schaanning, as {}): {} institutions, assets {}",
        meta.reference,
        sys.institutions.len(),
        sys.assets.join(", ")
    );
    let (v, i) = (&meta.version, meta.inputs.join(" + "));
    let _ = writeln!(o, "liqcascade {v} · input {i} ({}) · seed none (no random draws)", meta.input_hash);
    let shock: Vec<String> = sys
        .assets
        .iter()
        .zip(&params.shock)
        .filter(|(_, s)| **s != 0.0)
        .map(|(a, s)| format!("{a} {}", pct(*s)))
        .collect();
    let _ = writeln!(
        o,
        "shock {} · default below {} · delever below {} to {} · β {:.6} ({} fall per {} of the cap sold) · {} rounds",
        if shock.is_empty() { "none".to_string() } else { shock.join(", ") },
        share(params.leverage_min),
        share(params.leverage_buffer),
        share(params.leverage_target),
        out.beta,
        share(params.impact_drop),
        share(params.impact_sold),
        params.rounds
    );
    let prices: String = sys.assets.iter().map(|a| format!(" {:>18}", format!("p {a}"))).collect();
    let _ = writeln!(
        o,
        "  {:>5} {:>8} {:>10} {:>10}{prices} {:>8}",
        "round", "defaults", "cumulative", "delevering", "sold"
    );
    let mut cumulative = 0;
    for r in &out.rounds {
        cumulative += r.defaults;
        let p: String = r.prices.iter().map(|x| format!(" {x:>18.6}")).collect();
        let _ = writeln!(
            o,
            "  {:>5} {:>8} {:>10} {:>10}{p} {:>8}",
            r.round,
            r.defaults,
            cumulative,
            r.delevering,
            share(r.sold_fraction)
        );
    }
    let _ = writeln!(
        o,
        "EoSE {:.4} ({} of {} institutions defaulted; counted as 0 below {})",
        out.eose,
        out.total_defaults,
        sys.institutions.len(),
        share(params.eose_threshold)
    );
    for r in out.rounds.iter().filter(|r| r.defaults > 0) {
        let _ = writeln!(o, "  defaulted in round {}: {}", r.round, r.defaulted.join(" "));
    }
    o
}
