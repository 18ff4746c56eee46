//! `liqcascade run` on a lending venue (`venue = "aave-v3"` in the file, or `--venue aave-v3`):
//! the lending cascade of `liq_engine::lending` on an instant shock, a linear crash or a recorded
//! path (`--replay`), printed as a table or as the common `run --json` document with its
//! `lending` section; `--report`/`--result`/`--plots` write the common report with a lending
//! section (`liq_report::ReportInput::with_lending`).

use crate::run_cmd::RunArgs;
use crate::table::{pct, price, thousands, usd};
use crate::InputError;
use anyhow::{Context, Result};
use liq_domain::LendingScenario;
use liq_engine::{ExoPath, LendingModel, LendingReport};
use liq_io::output::{RunDocument, RunMeta};
use std::fmt::Write as _;

/// Whether these arguments ask for a lending run: `--venue aave-v3`, or a scenario file whose
/// `venue` is a lending venue (and no `--venue` naming a perp venue, which is refused).
pub fn wants_lending(args: &RunArgs) -> Result<bool> {
    let file_venue = args.scenario.as_deref().and_then(liq_io::scenario_venue);
    let file_lending = file_venue.as_deref().is_some_and(liq_io::is_lending_venue);
    match args.venue.as_deref() {
        Some(v) if liq_io::is_lending_venue(v) => {
            if args.scenario.is_none() {
                return Err(InputError(format!(
                    "--venue {v}: a lending venue needs a lending book (e.g. examples/aave-v3.toml); the embedded default is a perp scenario"
                ))
                .into());
            }
            if !file_lending {
                return Err(InputError(format!(
                    "--venue {v}: {} is a perp scenario; a lending venue needs [[reserves]] and [[borrowers]] (docs/scenario-format.md \"Lending books\")",
                    args.scenario.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
                ))
                .into());
            }
            Ok(true)
        }
        Some(v) if file_lending => Err(InputError(format!(
            "--venue {v}: the scenario is a lending book (venue {}); perp venues need [[markets]] and accounts",
            file_venue.unwrap_or_default()
        ))
        .into()),
        _ => Ok(file_lending),
    }
}

/// `--shock SYMBOL=MOVE` against the reserves.
fn parse_shocks(s: &LendingScenario, args: &[String]) -> Result<Option<Vec<f64>>> {
    if args.is_empty() {
        return Ok(None);
    }
    let mut moves = vec![0.0; s.reserves.len()];
    for a in args {
        let (sym, mv) = a
            .split_once('=')
            .ok_or_else(|| InputError(format!("--shock {a}: expected RESERVE=MOVE, e.g. WETH=-12%")))?;
        let k = s.reserve_by_symbol(sym).ok_or_else(|| {
            let known: Vec<&str> = s.reserves.iter().map(|r| r.symbol.as_str()).collect();
            InputError(format!("--shock {a}: unknown reserve '{sym}' (reserves: {})", known.join(", ")))
        })?;
        moves[k] = crate::args::fraction(mv)
            .and_then(|v| liq_io::limits::check_move(v).map_err(InputError))
            .map_err(|e| InputError(format!("--shock {a}: {}", e.0)))?;
    }
    Ok(Some(moves))
}

fn path_of(args: &RunArgs, s: &LendingScenario) -> Result<Option<ExoPath>> {
    let step = crate::args::step_flag("step", &args.step)?;
    let symbols: Vec<String> = s.reserves.iter().map(|r| r.symbol.clone()).collect();
    if let Some(file) = &args.replay {
        let recorded =
            liq_stress::paths::read_price_path(file, |m| s.reserve_by_symbol(m).map(|k| symbols[k].clone()))
                .map_err(|e| InputError(e.to_string()))?;
        let span = recorded.series.iter().filter_map(|x| x.last().map(|p| p.0)).fold(0.0, f64::max);
        if span > 0.0 {
            liq_io::limits::path_steps(span, step).map_err(|e| {
                InputError(format!("--replay {}: the recorded path spans {span} s: {e}", file.display()))
            })?;
        }
        return Ok(Some(
            liq_stress::paths::replay_path(&recorded, &symbols, step)
                .map_err(|e| InputError(e.to_string()))?,
        ));
    }
    if let Some(over) = &args.crash_over {
        if args.rebound.is_some() || args.rebound_over.is_some() {
            return Err(InputError("--rebound is not supported on a lending venue yet".into()).into());
        }
        let steps =
            crate::args::steps_flag("crash-over", crate::args::duration_flag("crash-over", over)?, step)?;
        return Ok(Some(liq_stress::paths::linear_crash(&s.shock, steps, step)));
    }
    Ok(None)
}

pub fn run(args: RunArgs) -> Result<()> {
    for (flag, given) in
        [("--shock-book", !args.book_shocks.is_empty()), ("--throughput", args.throughput.is_some())]
    {
        if given {
            return Err(
                InputError(format!("{flag} is not supported on a lending venue (aave-v3) yet")).into()
            );
        }
    }
    crate::outputs::Outputs::default()
        .file_with_sidecar("events", args.events.as_ref())
        .scenario(args.scenario.as_ref())
        .input(args.replay.as_deref())
        .report_flags(&args.out)
        .check()?;
    let file = args.scenario.as_ref().context("a lending run needs a scenario file")?;
    let mut scenario = liq_io::load_lending_scenario(file).map_err(|e| InputError(e.to_string()))?;
    if let Some(moves) = parse_shocks(&scenario, &args.shocks)? {
        scenario.shock = moves;
    }
    let model = LendingModel::new(&scenario).map_err(|e| InputError(e.to_string()))?;
    let meta = RunMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_hash: liq_io::hash::lending_scenario_hash(&scenario),
        seed: scenario.seed,
        venue: "aave-v3".to_string(),
        // Aave has no ADL: no policy applies.
        adl_policy: "none".into(),
        margin_tables: Vec::new(),
        collateral_tables: Vec::new(),
        shock: model.symbols().into_iter().zip(model.shock().iter().copied()).collect(),
    };
    let report = match path_of(&args, &scenario)? {
        Some(path) => model.report_path(&path),
        None => model.report(),
    };
    if let Some(path) = &args.events {
        let parquet =
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        if parquet {
            liq_io::output::write_events_parquet(path, &model, &report.report.outcome.events)
        } else {
            liq_io::output::write_events_csv_file(path, &model, &report.report.outcome.events)
        }
        .with_context(|| format!("writing the event log to {}", path.display()))?;
        liq_io::output::write_sidecar_meta(path, &meta)?;
    }
    if args.out.wanted() {
        // The common cascade sections from the lending report's common shape, plus its own
        // totals; no shock→loss sweep or liquidation map (those are perp-engine analyses).
        let input =
            liq_report::ReportInput::from_cascade(meta.clone(), &report.report).with_lending(&report.lending);
        crate::report_cmd::emit(&args.out, &input)?;
    }
    if args.json {
        let doc = RunDocument::lending(&meta, &report);
        crate::outputs::print(&format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
    } else {
        out!("{}", render(&meta, &report, scenario.borrowers.len()))?;
    }
    Ok(())
}

/// The lending run's table: the common headline numbers in the lending's words.
fn render(meta: &RunMeta, r: &LendingReport, n_borrowers: usize) -> String {
    let (s, l) = (&r.report.summary, &r.lending);
    let mut o = String::new();
    let shock: Vec<String> =
        meta.shock.iter().filter(|(_, m)| *m != 0.0).map(|(sym, m)| format!("{sym} {}", pct(*m))).collect();
    let _ = writeln!(
        o,
        "liqcascade {} · scenario {} ({}) · venue aave-v3 · seed {} · {} borrowers · {} s blocks",
        meta.version,
        meta.scenario,
        meta.scenario_hash,
        meta.seed,
        thousands(n_borrowers as f64),
        l.block_s
    );
    let _ = writeln!(o, "shock: {}\n", if shock.is_empty() { "none".to_string() } else { shock.join(", ") });
    let gens: Vec<String> = l.debt_repaid_by_generation.iter().map(|d| usd(*d)).collect();
    let rows = [
        ("Collateral seized", usd(s.liquidated_notional_usd)),
        ("  first-order (generation 0)", usd(s.first_order_notional_usd)),
        ("  second-order (liquidators' sales)", usd(s.second_order_notional_usd)),
        ("No-impact counterfactual", usd(s.counterfactual_notional_usd)),
        ("Debt repaid", usd(l.debt_repaid_usd)),
        ("  by generation", gens.join(" / ")),
        ("Borrowers liquidated", thousands(s.accounts_liquidated as f64)),
        ("liquidationCalls (dust refusals)", format!("{} ({})", l.liquidation_calls, l.dust_refusals)),
        ("Liquidation bonus paid", usd(l.bonus_usd)),
        ("  protocol fee (treasury)", usd(l.protocol_fee_usd)),
        ("Liquidators' P&L", usd(l.liquidator_pnl_usd)),
        ("Deficit (debt burnt, no collateral)", usd(l.deficit_usd)),
        ("Blocks", format!("{}{}", s.rounds, if s.round_cap_hit { " (block cap hit)" } else { "" })),
    ];
    let w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in rows {
        let _ = writeln!(o, "  {k:<w$}  {v:>16}");
    }
    let _ = writeln!(
        o,
        "\n  {:<8} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "reserve", "oracle start", "after shock", "end", "trough", "seized", "sold"
    );
    for (m, res) in r.report.markets.iter().zip(&l.reserves) {
        let _ = writeln!(
            o,
            "  {:<8} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
            m.symbol,
            price(m.mark_start),
            price(m.mark_after_shock),
            price(m.mark_end),
            price(res.oracle_trough),
            format!("{:.3}", res.seized_qty),
            format!("{:.3}", res.sold_qty)
        );
    }
    o
}
