//! `liqcascade network`, `map` and `sweep`: the contagion structure, the liquidation map and the
//! shock→loss curve with the critical shock.

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
}

#[derive(Args, Debug)]
pub struct MapArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
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
    #[arg(long, value_name = "FILE.csv")]
    pub csv: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
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
    /// Amplification at which the cascade counts as self-sustaining.
    #[arg(long, default_value_t = 2.0)]
    pub threshold: f64,
    #[arg(long)]
    pub json: bool,
}

fn model_for(path: Option<&PathBuf>) -> Result<(liq_domain::Scenario, EngineModel)> {
    let scenario = crate::run_cmd::load(path)?;
    let model = EngineModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    Ok((scenario, model))
}

pub fn network(args: NetworkArgs) -> Result<()> {
    crate::outputs::Outputs::default()
        .file("graphml", args.graphml.as_ref())
        .file("dot", args.dot.as_ref())
        .file("accounts-graphml", args.accounts_graphml.as_ref())
        .scenario(args.scenario.as_ref())
        .check()?;
    let (scenario, model) = model_for(args.scenario.as_ref())?;
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
        .file("csv", args.csv.as_ref())
        .scenario(args.scenario.as_ref())
        .check()?;
    let (scenario, model) = model_for(args.scenario.as_ref())?;
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
    let units = liq_network::units::unit_views(&model);
    let map = liq_network::liqmap::liquidation_map(&model, &units, k, &opts)
        .map_err(|e| InputError(e.to_string()))?;
    if let Some(p) = &args.csv {
        liq_io::output::write_file_with(p, |w| {
            liq_network::liqmap::write_liquidation_map_csv(&map, w).map_err(std::io::Error::other)
        })
        .with_context(|| format!("writing {}", p.display()))?;
    }
    if args.json {
        liq_network::liqmap::write_liquidation_map_json(&map, std::io::stdout().lock())?;
        outln!()?;
        return Ok(());
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "liquidation map of {} around {} ({} bins of {})",
        map.market,
        price(map.mark),
        map.bins.len(),
        pct(opts.bin_width)
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
    let (scenario, model) = model_for(args.scenario.as_ref())?;
    let k = scenario
        .market_by_symbol(&args.market)
        .ok_or_else(|| InputError(format!("--market {}: unknown market", args.market)))?
        .idx();
    liq_io::limits::check_sweep_points(args.points).map_err(|e| InputError(format!("--points: {e}")))?;
    let (from, to) = (fraction(&args.from)?, fraction(&args.to)?);
    if args.points < 2 || from == to || from.abs() >= 1.0 || to.abs() >= 1.0 {
        return Err(InputError(
            "sweep: need --points ≥ 2 and two different shocks between -100% and +100%".into(),
        )
        .into());
    }
    let grid = liq_stress::paths::shock_grid(from, to, args.points);
    let cs = liq_stress::critical::critical_shock(&model, k, &grid, args.threshold, 1e-4);
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

#[derive(Args, Debug)]
pub struct FireSaleArgs {
    /// Holdings CSV (institutions × assets) ...
    #[arg(long, requires = "limits", conflicts_with = "eba")]
    pub holdings: Option<PathBuf>,
    /// ... and leverage limits CSV (see the network crate's `firesale_io` docs for the layouts).
    #[arg(long)]
    pub limits: Option<PathBuf>,
    /// The EBA 2018 stress-test file layout (banks' CET1, leverage, government and corporate bonds).
    #[arg(long, value_name = "EBA_2018.csv")]
    pub eba: Option<PathBuf>,
    /// Initial price shock per asset, in asset order (e.g. -10% or -0.1,-0.05).
    #[arg(long, default_value = "-10%", allow_hyphen_values = true)]
    pub shock: String,
    #[arg(long)]
    pub json: bool,
}

/// `liqcascade firesale`: overlapping-portfolio deleveraging (Cont–Schaanning) in rounds.
pub fn firesale(args: FireSaleArgs) -> Result<()> {
    let sys = match (&args.eba, &args.holdings, &args.limits) {
        (Some(p), _, _) => liq_network::firesale_io::load_eba_2018(p),
        (None, Some(h), Some(l)) => liq_network::firesale_io::load_fire_sale_csv(h, l),
        _ => {
            return Err(InputError("firesale: give --eba FILE or --holdings FILE --limits FILE".into()).into())
        }
    }
    .map_err(|e| InputError(e.to_string()))?;
    let parts: Vec<f64> =
        args.shock.split(',').map(|s| crate::args::move_flag("shock", s)).collect::<Result<_, _>>()?;
    let shock = if parts.len() == 1 { vec![parts[0]; sys.assets.len()] } else { parts };
    if shock.len() != sys.assets.len() {
        return Err(
            InputError(format!("--shock: {} values for {} assets", shock.len(), sys.assets.len())).into()
        );
    }
    // 500 rounds and a 1e-12 tolerance: the network tests' stopping rule, far past convergence.
    let opts = liq_network::firesale::FireSaleOptions { shock, max_rounds: 500, tol: 1e-12 };
    let out = liq_network::firesale::fire_sale(&sys, &opts).map_err(|e| InputError(e.to_string()))?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(());
    }
    let mut o = String::new();
    let _ =
        writeln!(o, "fire sale: {} institutions, assets {}", sys.institutions.len(), sys.assets.join(", "));
    for r in &out.rounds {
        let prices: Vec<String> = r.prices.iter().map(|p| format!("{p:.4}")).collect();
        let _ = writeln!(o, "  round {:>2}: prices {}", r.round, prices.join(" "));
    }
    let _ = writeln!(
        o,
        "  defaulted {} · indirect loss beyond the shock {:.1} · {}",
        out.defaulted.iter().filter(|d| **d).count(),
        out.indirect_loss,
        if out.converged { "converged" } else { "round cap hit" }
    );
    out!("{o}")?;
    Ok(())
}
