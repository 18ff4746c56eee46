//! `liqcascade compare --venues binance,bybit,hyperliquid,dydx [SCENARIO] --shock …`: the same
//! book and shock under each venue's rules, margin tables, mark and index, side by side, with a
//! line for every rule that differs.
//!
//! The result types and the search for the rules that differ live in `liq_io::compare` (the
//! report and the Python package read the same [`VenueComparison`]). A venue whose tables do not
//! cover the scenario's markets (Bybit publishes no SOL table here) gets a row saying so instead
//! of a result. `--report`/`--result` write the comparison as a report section, with the first
//! venue's cascade beside it.

use crate::table::{pct, usd};
use crate::InputError;
use anyhow::Result;
use clap::Args;
use liq_domain::{Scenario, VenuePreset};
use liq_engine::{Cascade, EngineModel, Summary};
pub use liq_io::compare::{differences, venue_rules, RuleDifference, VenueComparison, VenueRun};
use liq_report::fmt::ratio;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Scenario file (.toml or .json). Without one, the embedded default scenario runs.
    pub scenario: Option<PathBuf>,
    /// Venues to compare, comma-separated (binance, bybit, hyperliquid, dydx).
    #[arg(long, default_value = "binance,bybit,hyperliquid,dydx", value_name = "V1,V2,...")]
    pub venues: String,
    /// Override the shock: MARKET=MOVE, e.g. BTC=-8%. Repeatable; markets not named are left
    /// unshocked once any --shock is given.
    #[arg(long = "shock", value_name = "MARKET=MOVE", allow_hyphen_values = true)]
    pub shocks: Vec<String>,
    #[command(flatten)]
    pub book: crate::book::BookArgs,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: crate::report_cmd::ReportFlags,
}

#[derive(Debug, Serialize)]
struct CompareDocument<'a> {
    meta: serde_json::Value,
    #[serde(flatten)]
    comparison: &'a VenueComparison,
}

/// Parses `--venues`, refusing an unknown name (with the known ones) and repeats.
pub fn parse_venues(list: &str) -> Result<Vec<VenuePreset>, InputError> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let v = VenuePreset::parse(name).ok_or_else(|| {
            let names: Vec<&str> = VenuePreset::ALL.iter().map(|v| v.name()).collect();
            InputError(format!("--venues {list}: unknown venue '{name}' (one of: {})", names.join(", ")))
        })?;
        if out.contains(&v) {
            return Err(InputError(format!("--venues {list}: {name} is listed twice")));
        }
        out.push(v);
    }
    if out.len() < 2 {
        return Err(InputError(format!("--venues {list}: name at least two venues to compare")));
    }
    Ok(out)
}

pub fn run(args: CompareArgs) -> Result<()> {
    let venues = parse_venues(&args.venues)?;
    crate::outputs::Outputs::default()
        .scenario(args.scenario.as_ref())
        .input(args.book.accounts.as_deref())
        .report_flags(&args.out)
        .check()?;
    let mut runs = Vec::new();
    let mut rules = Vec::new();
    // The first venue that runs: its cascade goes into the report beside the comparison.
    let mut first: Option<(Scenario, EngineModel, liq_engine::CascadeReport)> = None;
    for v in &venues {
        let loaded = crate::book::load(args.scenario.as_ref(), Some(v.name()), &args.book);
        let mut s = match loaded {
            Ok(s) => s,
            // A missing table on one venue is an answer for that venue, not a failure of the
            // comparison; any other error (a bad file, an unknown market) stops it.
            Err(e) if e.downcast_ref::<InputError>().is_some() && e.to_string().contains("on --venue") => {
                runs.push(VenueRun {
                    venue: v.name().into(),
                    scenario_hash: None,
                    accounts: 0,
                    summary: None,
                    mark_move: vec![],
                    error: Some(e.to_string()),
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(moves) = crate::run_cmd::parse_shocks(&s, &args.shocks)? {
            s.shock = liq_domain::Shock::PerMarket(moves);
        }
        let model = EngineModel::new(&s).map_err(|e| InputError(format!("venue {}: {e}", v.name())))?;
        let report = Cascade::new(&model).report(&model);
        rules.push((v.name().to_string(), venue_rules(&s)));
        let hash = liq_io::hash::scenario_hash(&s);
        let summary = report.summary.clone();
        let mark_move =
            report.markets.iter().map(|m| (m.symbol.clone(), m.mark_end / m.mark_start - 1.0)).collect();
        if first.is_none() && args.out.wanted() {
            first = Some((s.clone(), model, report));
        }
        runs.push(VenueRun {
            venue: v.name().into(),
            scenario_hash: Some(hash),
            accounts: s.accounts.len(),
            mark_move,
            summary: Some(summary),
            error: None,
        });
    }
    let comparison = VenueComparison { differences: differences(&rules), venues: runs };
    let base = crate::run_cmd::load(args.scenario.as_ref())?;
    if let Some((s, model, report)) = &first {
        // The report's header is the first venue's run; `venue` lists every venue compared.
        let mut meta = crate::run_cmd::run_meta(s, model);
        meta.venue = comparison.venues.iter().map(|r| r.venue.as_str()).collect::<Vec<_>>().join(",");
        let input = liq_report::ReportInput::from_cascade(meta, report).with_comparison(comparison.clone());
        crate::report_cmd::emit(&args.out, &input)?;
    } else if args.out.wanted() {
        return Err(InputError("compare --report/--result: no venue could run this book".into()).into());
    }
    let meta = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": base.name,
        "seed": base.seed,
        "shock": args.shocks,
        "accounts_file": args.book.accounts.as_ref().map(|p| p.display().to_string()),
    });
    if args.json {
        let doc = CompareDocument { meta, comparison: &comparison };
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    out!("{}", render(&base, &comparison.venues, &comparison.differences, &args))?;
    Ok(())
}

fn render(base: &Scenario, runs: &[VenueRun], diffs: &[RuleDifference], args: &CompareArgs) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "liqcascade {} · compare venues · scenario {} · seed {} · shock {}",
        env!("CARGO_PKG_VERSION"),
        base.name,
        base.seed,
        if args.shocks.is_empty() { "the scenario's".to_string() } else { args.shocks.join(", ") }
    );
    let mut header = format!("\n  {:<34}", "");
    for r in runs {
        let _ = write!(header, " {:>14}", r.venue);
    }
    let _ = writeln!(o, "{header}");
    type Cell = fn(&Summary) -> String;
    let rows: [(&str, Cell); 9] = [
        ("Liquidated notional", |s| usd(s.liquidated_notional_usd)),
        ("  first-order (generation 0)", |s| usd(s.first_order_notional_usd)),
        ("  second-order (feedback)", |s| usd(s.second_order_notional_usd)),
        ("Amplification (total / first-order)", |s| ratio(s.amplification)),
        ("Accounts liquidated", |s| crate::table::thousands(s.accounts_liquidated as f64)),
        ("Insurance fund end", |s| usd(s.insurance_fund_end_usd)),
        ("ADL notional", |s| usd(s.adl_notional_usd)),
        ("Bad debt", |s| usd(s.bad_debt_usd)),
        ("Rounds", |s| s.rounds.to_string()),
    ];
    for (name, cell) in rows {
        let mut line = format!("  {name:<34}");
        for r in runs {
            let v = r.summary.as_ref().map(cell).unwrap_or_else(|| "n/a".into());
            let _ = write!(line, " {v:>14}");
        }
        let _ = writeln!(o, "{line}");
    }
    for (k, m) in base.markets.iter().enumerate() {
        let mut line = format!("  {:<34}", format!("{} end mark vs start", m.symbol));
        for r in runs {
            let v = r.mark_move.get(k).map(|x| pct(x.1)).unwrap_or_else(|| "n/a".into());
            let _ = write!(line, " {v:>14}");
        }
        let _ = writeln!(o, "{line}");
    }
    for r in runs.iter().filter(|r| r.error.is_some()) {
        let _ = writeln!(o, "\n  {} not run: {}", r.venue, r.error.as_deref().unwrap_or_default());
    }
    let _ = writeln!(o, "\n  rules that differ ({} of the venues' rules and tables)", diffs.len());
    for d in diffs {
        let vals: Vec<String> = d.values.iter().map(|(v, x)| format!("{v} {}", short(x))).collect();
        let _ = writeln!(o, "  {:<44} {}", d.rule, vals.join(" | "));
    }
    o
}

/// A JSON value on one line, strings without quotes.
fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "–".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_venues_are_refused_by_name() {
        let e = parse_venues("binance,kraken").unwrap_err().0;
        assert!(e.contains("unknown venue 'kraken'") && e.contains("hyperliquid"), "{e}");
        assert!(parse_venues("binance,Binance").unwrap_err().0.contains("twice"));
        assert!(parse_venues("dydx").unwrap_err().0.contains("at least two"));
        assert_eq!(parse_venues(" binance , dydx ").unwrap(), vec![VenuePreset::Binance, VenuePreset::Dydx]);
    }

    #[test]
    fn differences_are_the_leaves_that_differ() {
        let a = serde_json::json!({"adl": {"rank": "pnl", "on": true}, "fee": 0.01});
        let b = serde_json::json!({"adl": {"rank": "equity", "on": true}, "fee": 0.01, "extra": 1});
        let d = differences(&[("a".into(), a), ("b".into(), b)]);
        let names: Vec<&str> = d.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(names, vec!["adl.rank", "extra"]);
        assert_eq!(d[1].values[0].1, Value::Null);
    }
}
