//! `liqcascade firesale`: the overlapping-portfolio fire sale among institutions
//! (`liq_network::firesale`), from holdings and limits files or the EBA stress-test sample.

use crate::args::fraction;
use crate::table::pct;
use crate::InputError;
use anyhow::Result;
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

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
        input_hash: crate::outputs::input_hash(&inputs)?,
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
