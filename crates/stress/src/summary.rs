//! The side-by-side risk measures of a stress run with their confidence intervals, the paired
//! comparison of the cascade with the no-feedback run on the same paths, and the narrative that
//! says how large the gap is, which channel drives it, and why feedback lowers a portfolio's loss
//! when it does.
//!
//! Sign convention (docs/outputs.md "Signs"): losses, drawdowns, bad debt and fund drawdowns are
//! positive magnitudes (a 1.27% drawdown is a 1.27% fall); price moves and overshoots are signed
//! relative moves (−0.08 = 8% down).

use crate::interval::{paired_es_interval, proportion_interval, Interval, LEVEL, MIN_TAIL_PATHS, RESAMPLES};
use crate::montecarlo::MonteCarloConfig;
use crate::risk::{linear_var_es, var_es, var_es_with_intervals, VarEs};
use crate::run::PathRow;
use serde::{Deserialize, Serialize};

/// Confidence levels reported.
pub const ALPHAS: [f64; 2] = [0.99, 0.999];

/// What the summary needs besides the rows (kept in shard files so `merge` needs nothing else).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StressContext {
    pub version: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub markets: Vec<String>,
    pub config: MonteCarloConfig,
    pub portfolio: String,
    /// Portfolio dollar deltas per market at the start.
    pub deltas_usd: Vec<f64>,
    pub throughput_per_step: Option<u32>,
    /// The venue whose rules ran and the ADL policy, so `merge` can head a report without the
    /// scenario (empty in shard files written before they were recorded).
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub adl_policy: String,
}

/// A quantity measured without and with feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideBySide {
    pub name: String,
    pub no_feedback: Vec<VarEs>,
    pub cascade: Vec<VarEs>,
}

/// One market's price trough, quantiles of the drawdown (positive = fall).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overshoot {
    pub market: String,
    /// Drawdown quantiles at 99% / 99.9% without and with feedback (positive = fall).
    pub drawdown_no_feedback: Vec<VarEs>,
    pub drawdown_cascade: Vec<VarEs>,
    /// Mean over paths of (cascade trough − exogenous trough), a signed relative price move
    /// (negative = the feedback took the price further down).
    pub mean_overshoot: f64,
}

/// Amplification across paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmplificationStats {
    /// Paths with any liquidation.
    pub paths_with_liquidations: u64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub mean: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub median: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub p99: f64,
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub max: f64,
}

/// Cascade against no-feedback on the same paths: the paired distribution of the loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedLoss {
    /// Paths on which the cascade loss exceeds the no-feedback loss, and those below it.
    pub paths_cascade_worse: u64,
    pub paths_cascade_better: u64,
    /// Share of paths with a higher loss under feedback, with its Clopper–Pearson interval.
    pub share_cascade_worse: f64,
    pub share_cascade_worse_ci: Interval,
    /// Mean over paths of (cascade loss − no-feedback loss), USD (positive = feedback costs).
    pub mean_difference_usd: f64,
    /// Paired bootstrap interval of cascade ES − no-feedback ES at 99%, USD.
    pub es99_difference_ci: Interval,
}

/// How the intervals were computed (docs/outputs.md "Intervals").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalSettings {
    pub level: f64,
    pub var_method: String,
    pub es_method: String,
    pub bootstrap_resamples: u64,
    /// Figures resting on fewer tail paths carry a warning.
    pub min_tail_paths: u64,
}

/// The stress summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StressSummary {
    pub paths: u64,
    pub portfolio: String,
    /// Linear (delta-normal), no-feedback and cascade-adjusted VaR/ES of the portfolio's loss.
    pub linear: Vec<VarEs>,
    pub loss: SideBySide,
    /// Liquidated notional, bad debt, insurance-fund drawdown, ADL notional.
    pub venue: Vec<SideBySide>,
    pub overshoot: Vec<Overshoot>,
    pub amplification: AmplificationStats,
    /// cascade ES / linear ES at 99%.
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub es99_cascade_over_linear: f64,
    /// Its interval (the linear figure is a closed form: the cascade ES's interval over it).
    pub es99_cascade_over_linear_ci: Interval,
    /// cascade ES / no-feedback ES at 99%.
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub es99_cascade_over_no_feedback: f64,
    /// Its paired bootstrap interval (both runs of a path resampled together).
    pub es99_cascade_over_no_feedback_ci: Interval,
    pub paired: PairedLoss,
    pub intervals: IntervalSettings,
    /// Figures resting on fewer than `intervals.min_tail_paths` tail paths, one line each.
    pub warnings: Vec<String>,
    pub narrative: String,
}

/// Bootstrap stream ids, one per figure, in a fixed order (so the intervals do not depend on
/// anything but the rows and the seed).
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

fn both(name: &str, nf: &[f64], c: &[f64], seed: u64, ids: &mut Ids) -> SideBySide {
    SideBySide {
        name: name.into(),
        no_feedback: ALPHAS.iter().map(|&a| var_es_with_intervals(nf, a, seed, ids.next())).collect(),
        cascade: ALPHAS.iter().map(|&a| var_es_with_intervals(c, a, seed, ids.next())).collect(),
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b.abs() > 1e-12 {
        a / b
    } else if a.abs() > 1e-12 {
        f64::INFINITY
    } else {
        1.0
    }
}

/// Summarises rows (in path order) into the side-by-side measures.
pub fn summarise(ctx: &StressContext, rows: &[PathRow]) -> StressSummary {
    let col = |f: fn(&PathRow) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    let seed = ctx.config.seed;
    let mut ids = Ids(0);
    let horizon_days = ctx.config.horizon_s / 86_400.0;
    let horizon_vol: Vec<f64> = ctx.config.daily_vol.iter().map(|v| v * horizon_days.sqrt()).collect();
    let linear: Vec<VarEs> = ALPHAS
        .iter()
        .map(|&a| linear_var_es(&ctx.deltas_usd, &horizon_vol, &ctx.config.correlation, a))
        .collect();
    let (loss_nf, loss_c) = (col(|r| r.loss_nf), col(|r| r.loss_c));
    let loss = both("portfolio loss (USD)", &loss_nf, &loss_c, seed, &mut ids);
    let venue = vec![
        both(
            "liquidated notional (USD)",
            &col(|r| r.liquidated_nf),
            &col(|r| r.liquidated_c),
            seed,
            &mut ids,
        ),
        both("bad debt (USD)", &col(|r| r.bad_debt_nf), &col(|r| r.bad_debt_c), seed, &mut ids),
        both(
            "insurance fund drawdown (USD)",
            &col(|r| r.fund_drawdown_nf),
            &col(|r| r.fund_drawdown_c),
            seed,
            &mut ids,
        ),
        both("ADL notional (USD)", &col(|r| r.adl_nf), &col(|r| r.adl_c), seed, &mut ids),
    ];
    let overshoot = ctx
        .markets
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let nf: Vec<f64> = rows.iter().map(|r| -r.trough_nf[k]).collect();
            let c: Vec<f64> = rows.iter().map(|r| -r.trough_c[k]).collect();
            let mean = if rows.is_empty() {
                0.0
            } else {
                rows.iter().map(|r| r.trough_c[k] - r.trough_nf[k]).sum::<f64>() / rows.len() as f64
            };
            let d = both(m, &nf, &c, seed, &mut ids);
            Overshoot {
                market: m.clone(),
                drawdown_no_feedback: d.no_feedback,
                drawdown_cascade: d.cascade,
                mean_overshoot: mean,
            }
        })
        .collect::<Vec<_>>();
    let mut amps: Vec<f64> = rows.iter().filter(|r| r.liquidated_c > 0.0).map(|r| r.amplification).collect();
    amps.sort_by(f64::total_cmp);
    let amplification = AmplificationStats {
        paths_with_liquidations: amps.len() as u64,
        mean: if amps.is_empty() { 1.0 } else { amps.iter().sum::<f64>() / amps.len() as f64 },
        median: amps.get(amps.len() / 2).copied().unwrap_or(1.0),
        p99: if amps.is_empty() { 1.0 } else { var_es(&amps, 0.99).var },
        max: amps.last().copied().unwrap_or(1.0),
    };
    let es_lin = linear[0].es;
    let es_nf = loss.no_feedback[0].es;
    let es_c = loss.cascade[0].es;
    let over_linear = ratio(es_c, es_lin);
    let over_linear_ci = match loss.cascade[0].es_ci {
        Some(ci) => Interval { lo: ratio(ci.lo, es_lin), hi: ratio(ci.hi, es_lin) },
        None => Interval { lo: over_linear, hi: over_linear },
    };
    let over_nf = ratio(es_c, es_nf);
    let over_nf_ci = paired_es_interval(&loss_c, &loss_nf, ALPHAS[0], seed, ids.next(), ratio);
    let worse = rows.iter().filter(|r| r.loss_c > r.loss_nf).count() as u64;
    let better = rows.iter().filter(|r| r.loss_c < r.loss_nf).count() as u64;
    let n = rows.len() as u64;
    let paired = PairedLoss {
        paths_cascade_worse: worse,
        paths_cascade_better: better,
        share_cascade_worse: if n == 0 { 0.0 } else { worse as f64 / n as f64 },
        share_cascade_worse_ci: proportion_interval(worse, n),
        mean_difference_usd: if n == 0 {
            0.0
        } else {
            rows.iter().map(|r| r.loss_c - r.loss_nf).sum::<f64>() / n as f64
        },
        es99_difference_ci: paired_es_interval(&loss_c, &loss_nf, ALPHAS[0], seed, ids.next(), |a, b| a - b),
    };
    let warnings = warnings(&loss, &venue, &overshoot);
    let story =
        Story { es_lin, es_nf, es_c, over_nf_ci, paired: &paired, venue: &venue, overshoot: &overshoot };
    let narrative = narrative(ctx, &story);
    StressSummary {
        paths: n,
        portfolio: ctx.portfolio.clone(),
        linear,
        loss,
        venue,
        overshoot,
        amplification,
        es99_cascade_over_linear: over_linear,
        es99_cascade_over_linear_ci: over_linear_ci,
        es99_cascade_over_no_feedback: over_nf,
        es99_cascade_over_no_feedback_ci: over_nf_ci,
        paired,
        intervals: IntervalSettings {
            level: LEVEL,
            var_method: "order statistics (distribution-free, exact binomial coverage)".into(),
            es_method: "percentile bootstrap, seeded; ratios resample paths in pairs".into(),
            bootstrap_resamples: RESAMPLES as u64,
            min_tail_paths: MIN_TAIL_PATHS,
        },
        warnings,
        narrative,
    }
}

/// One line per figure resting on fewer than [`MIN_TAIL_PATHS`] tail paths (grouped by level:
/// every figure at one level has the same tail size).
fn warnings(loss: &SideBySide, venue: &[SideBySide], overshoot: &[Overshoot]) -> Vec<String> {
    let mut out = Vec::new();
    for (j, &a) in ALPHAS.iter().enumerate() {
        let Some(v) = loss.cascade.get(j) else { continue };
        if v.thin_tail() {
            let k = v.tail_paths.unwrap_or(0);
            let figures = 2 + 2 * venue.len() + 2 * overshoot.len();
            out.push(format!(
                "{} figures at {}% rest on {k} tail path{} (fewer than {MIN_TAIL_PATHS}): read their intervals, \
                 not the point values; {} paths would give {MIN_TAIL_PATHS}",
                figures,
                a * 100.0,
                if k == 1 { "" } else { "s" },
                (MIN_TAIL_PATHS as f64 / (1.0 - a)).ceil()
            ));
        }
    }
    out
}

fn usd(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("${:.2}B", x / 1e9)
    } else if a >= 1e6 {
        format!("${:.2}M", x / 1e6)
    } else if a >= 1e3 {
        format!("${:.1}k", x / 1e3)
    } else {
        format!("${x:.0}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// What the narrative is built from.
struct Story<'a> {
    es_lin: f64,
    es_nf: f64,
    es_c: f64,
    over_nf_ci: Interval,
    paired: &'a PairedLoss,
    venue: &'a [SideBySide],
    overshoot: &'a [Overshoot],
}

/// Says how large the gap is and which channel drives it: fat tails and correlation (no-feedback
/// vs linear) or the liquidation feedback (cascade vs no-feedback). The feedback's direction is
/// read from its paired interval, so a factor below 1 is said to *lower* the loss, with the
/// reason: the feedback moves prices further (mean overshoot per market) and the portfolio's
/// net delta gains from that move; or, when it does not, the losses that liquidations pass on.
fn narrative(ctx: &StressContext, st: &Story) -> String {
    let tails = ratio(st.es_nf, st.es_lin);
    let feedback = ratio(st.es_c, st.es_nf);
    let ci = st.over_nf_ci;
    let n = st.paired.paths_cascade_worse + st.paired.paths_cascade_better;
    let mut s = format!(
        "For the {}, the cascade-adjusted 99% ES is {} against {} linear (delta-normal) and {} without feedback. ",
        ctx.portfolio,
        usd(st.es_c),
        usd(st.es_lin),
        usd(st.es_nf),
    );
    if st.es_lin > 0.0 {
        s += &format!("Fat tails and joint moves of the exogenous shocks put the no-feedback ES at {tails:.2}× the linear figure. ");
    } else {
        s += "The portfolio has no linear exposure (delta-normal ES 0), so all of its tail comes from the simulation. ";
    }
    // The price move the feedback adds, valued at the portfolio's starting deltas: positive = the
    // portfolio gains from the feedback's move.
    let gain: f64 = ctx.deltas_usd.iter().zip(st.overshoot).map(|(d, o)| d * o.mean_overshoot).sum();
    let net_delta: f64 = ctx.deltas_usd.iter().sum();
    let moved = st
        .overshoot
        .iter()
        .max_by(|a, b| a.mean_overshoot.abs().total_cmp(&b.mean_overshoot.abs()))
        .filter(|o| o.mean_overshoot != 0.0);
    let move_words = moved.map_or("moves no price on average".to_string(), |o| {
        format!("moves {} by {} on average beyond the exogenous path", o.market, signed_pct(o.mean_overshoot))
    });
    let interval = format!("95% interval {:.2}–{:.2}, paired over the same paths", ci.lo, ci.hi);
    if ci.lo > 1.0 {
        s += &format!(
            "The liquidation feedback raises it by a further {feedback:.2}× ({interval}): it {move_words}, \
             against this portfolio's position; the cascade loss exceeds the no-feedback loss on {} of the paths. ",
            pct(st.paired.share_cascade_worse)
        );
        if feedback.ln() >= tails.ln() {
            s += "The gap to the linear figure is driven mainly by the liquidation feedback loop. ";
        } else {
            s += "The gap to the linear figure is driven mainly by fat tails and joint moves. ";
        }
    } else if ci.hi < 1.0 {
        let better = st.paired.paths_cascade_better as f64 / n.max(1) as f64;
        s += &format!(
            "The liquidation feedback lowers it, to {feedback:.2}× the no-feedback figure ({interval}); the cascade \
             loss is below the no-feedback loss on {} of the paths. ",
            pct(better)
        );
        s += &why_lower(gain, net_delta, &move_words);
        s += "The gap to the linear figure therefore comes from fat tails and joint moves; the feedback narrows it. ";
    } else {
        s += &format!(
            "The liquidation feedback changes it by a factor {feedback:.2} ({interval}): at {n} paths that is not \
             distinguishable from no effect in the tail, so the gap to the linear figure is fat tails and joint moves. "
        );
        // Path by path the paired comparison can still be clear where the tail is not.
        let ci_share = st.paired.share_cascade_worse_ci;
        if ci_share.hi < 0.5 {
            s += &format!(
                "Path by path, though, the cascade loss is below the no-feedback loss on {} of the paths. ",
                pct(st.paired.paths_cascade_better as f64 / n.max(1) as f64)
            );
            s += &why_lower(gain, net_delta, &move_words);
        } else if ci_share.lo > 0.5 {
            s += &format!(
                "Path by path, the cascade loss exceeds the no-feedback loss on {} of the paths. ",
                pct(st.paired.share_cascade_worse)
            );
        }
    }
    if let Some(liq) = st.venue.first() {
        s += &format!(
            "At 99% ES, liquidated notional is {} with feedback vs {} without",
            usd(liq.cascade[0].es),
            usd(liq.no_feedback[0].es)
        );
        if let Some(bd) = st.venue.get(1) {
            s += &format!("; bad debt {} vs {}", usd(bd.cascade[0].es), usd(bd.no_feedback[0].es));
        }
        s += ". ";
    }
    if let Some(o) = st.overshoot.iter().max_by(|a, b| {
        (a.drawdown_cascade[0].es - a.drawdown_no_feedback[0].es)
            .total_cmp(&(b.drawdown_cascade[0].es - b.drawdown_no_feedback[0].es))
    }) {
        s += &format!(
            "The largest price overshoot is in {}: the 99% ES of its fall (drawdown) is {} with feedback vs {} without.",
            o.market,
            pct(o.drawdown_cascade[0].es),
            pct(o.drawdown_no_feedback[0].es)
        );
    }
    s
}

/// Why feedback lowers the loss: the portfolio's side gains from the move the feedback adds, or,
/// when it does not, the liquidations pass losses to the insurance fund.
fn why_lower(gain: f64, net_delta: f64, move_words: &str) -> String {
    if gain > 0.0 {
        format!(
            "Why: the feedback {move_words}, and with a net delta of {} this portfolio's side gains from that move \
             (worth {} at the starting deltas). ",
            usd(net_delta),
            usd(gain)
        )
    } else {
        format!(
            "The feedback {move_words}, which at the starting deltas is worth {} to this portfolio, so the lower loss \
             comes from the liquidations themselves: they close losing positions early, which then stop losing as the \
             path goes on, and a liquidated account loses at most its collateral (the rest is bad debt, carried by \
             the insurance fund, outside this portfolio). ",
            usd(gain)
        )
    }
}

/// A signed relative move with an explicit sign and a true minus (the report's convention).
fn signed_pct(x: f64) -> String {
    let v = format!("{:.2}%", x.abs() * 100.0);
    if x < 0.0 {
        format!("−{v}")
    } else {
        format!("+{v}")
    }
}
