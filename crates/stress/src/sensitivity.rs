//! One-at-a-time sensitivity of second-order liquidations to the inputs that drive them.
//!
//! Each parameter is set to the low and the high end of a documented range with everything else
//! at the scenario's value; the instant shock runs with its counterfactual at each end. The result
//! is a tornado: parameters sorted by the swing of second-order notional between their two ends.
//! This is what tells a desk which inputs it must get right (docs/guide.md "Sensitivity").
//!
//! | parameter | low | high | why this range |
//! |---|---|---|---|
//! | depth scale (perp and spot books) | ×0.5 | ×2 | depth halves in stress; ×2 is a deep day |
//! | resilience τ | ×0.5 | ×2 | the fitted τ's order of magnitude either way |
//! | withdrawal sensitivity | 0 | 10 (floor 0.25) | makers stay / pull ≈ 63 % at a 10 % move |
//! | arbitrage capacity | ×0.25 | ×4 | an order of magnitude around the argued default |
//! | arbitrage latency | 0 s | 0.5 s | co-located to a slow desk (within a 1-s round) |
//! | arbitrage fees | 0 | ×2 | top-tier rebates to twice the retail schedule |
//! | makers' hedge ratio | 0 | 1 | no maker hedges to every maker delta-neutral (DESIGN.md "The makers' hedge") |
//! | makers' hedge latency | 0 s | 2 s | co-located to two rounds late |
//! | makers' hedge capacity | ×0.25 | ×4 | an order of magnitude around the spot-refill default |
//! | backstop unwind participation (of the round's book-absorbed liquidation lots) | 0.02 | 1 | a vault's slow unwind to matching all liquidation flow |
//! | leverage (median of the population) | ×0.67 | ×1.5 | 8× to 18× around the default's 12× |

use liq_domain::{Account, BookSpec, Scenario};
use liq_engine::{Cascade, EngineModel};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One parameter's row of the tornado.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    pub parameter: String,
    /// The setting at each end, in words (`×0.5`, `0 s`).
    pub low: String,
    pub high: String,
    pub second_order_low_usd: f64,
    pub second_order_high_usd: f64,
    pub liquidated_low_usd: f64,
    pub liquidated_high_usd: f64,
    /// |high − low| of second-order notional.
    pub swing_usd: f64,
}

/// The tornado and its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub second_order_base_usd: f64,
    pub liquidated_base_usd: f64,
    /// Sorted by swing, largest first.
    pub rows: Vec<SensitivityRow>,
    /// Parameters left out and why (e.g. leverage without a generated population).
    pub skipped: Vec<String>,
}

/// A change to a scenario (one end of one parameter).
type Change = Box<dyn Fn(&mut Scenario) -> Result<(), String> + Send + Sync>;

fn scale_books(s: &mut Scenario, f: f64) {
    let scale = |b: &mut BookSpec| match b {
        BookSpec::Profile(p) => {
            p.bid_notional_usd.iter_mut().chain(p.ask_notional_usd.iter_mut()).for_each(|x| *x *= f)
        }
        BookSpec::Levels { bids, asks } => bids.iter_mut().chain(asks.iter_mut()).for_each(|l| l.qty *= f),
    };
    // Explicit levels must stay on the lot grid: round each to whole lots (at least one).
    for (b, m) in s.books.iter_mut().zip(&s.markets) {
        scale(b);
        if let BookSpec::Levels { bids, asks } = b {
            for l in bids.iter_mut().chain(asks.iter_mut()) {
                l.qty = ((l.qty / m.lot_size).round().max(1.0)) * m.lot_size;
            }
        }
    }
    for sp in &mut s.price.spot {
        scale(&mut sp.book);
        if let BookSpec::Levels { bids, asks } = &mut sp.book {
            for l in bids.iter_mut().chain(asks.iter_mut()) {
                l.qty = ((l.qty / sp.lot_size).round().max(1.0)) * sp.lot_size;
            }
        }
    }
}

/// Runs the tornado. `regenerate(leverage_factor)` rebuilds the population with its median
/// leverage scaled (None when the scenario's accounts are not generated).
pub fn sensitivity(
    base: &Scenario,
    unwind_base: f64,
    regenerate: Option<&(dyn Fn(f64) -> Result<Vec<Account>, String> + Sync)>,
) -> Result<Sensitivity, String> {
    let mut params: Vec<(String, String, String, Change, Change)> = Vec::new();
    let mut add = |name: &str, lo: &str, hi: &str, l: Change, h: Change| {
        params.push((name.to_string(), lo.to_string(), hi.to_string(), l, h));
    };
    add(
        "depth scale",
        "×0.5",
        "×2",
        Box::new(|s| {
            scale_books(s, 0.5);
            Ok(())
        }),
        Box::new(|s| {
            scale_books(s, 2.0);
            Ok(())
        }),
    );
    add(
        "resilience τ",
        "×0.5",
        "×2",
        Box::new(|s| {
            s.impact.resilience_tau_s *= 0.5;
            Ok(())
        }),
        Box::new(|s| {
            s.impact.resilience_tau_s *= 2.0;
            Ok(())
        }),
    );
    add(
        "withdrawal sensitivity",
        "0",
        "10 (floor 0.25)",
        Box::new(|s| {
            s.impact.withdrawal.sensitivity = 0.0;
            Ok(())
        }),
        Box::new(|s| {
            s.impact.withdrawal.sensitivity = 10.0;
            s.impact.withdrawal.floor = 0.25;
            Ok(())
        }),
    );
    let has_arb = base.price.arbitrage.iter().any(|a| a.capacity_usd_per_s > 0.0);
    if has_arb {
        add(
            "arbitrage capacity",
            "×0.25",
            "×4",
            Box::new(|s| {
                s.price.arbitrage.iter_mut().for_each(|a| a.capacity_usd_per_s *= 0.25);
                Ok(())
            }),
            Box::new(|s| {
                s.price.arbitrage.iter_mut().for_each(|a| a.capacity_usd_per_s *= 4.0);
                Ok(())
            }),
        );
        add(
            "arbitrage latency",
            "0 s",
            "0.5 s",
            Box::new(|s| {
                s.price.arbitrage.iter_mut().for_each(|a| a.latency_s = 0.0);
                Ok(())
            }),
            Box::new(|s| {
                s.price.arbitrage.iter_mut().for_each(|a| a.latency_s = 0.5);
                Ok(())
            }),
        );
        add(
            "arbitrage fees",
            "0",
            "×2",
            Box::new(|s| {
                s.price.arbitrage.iter_mut().for_each(|a| a.perp_fee_rate = 0.0);
                s.price.spot.iter_mut().for_each(|m| m.taker_fee_rate = 0.0);
                Ok(())
            }),
            Box::new(|s| {
                s.price.arbitrage.iter_mut().for_each(|a| a.perp_fee_rate *= 2.0);
                s.price.spot.iter_mut().for_each(|m| m.taker_fee_rate *= 2.0);
                Ok(())
            }),
        );
    }
    let has_hedge = base.price.maker_hedge.iter().any(|h| h.is_active());
    if has_hedge {
        add(
            "makers' hedge ratio",
            "0",
            "1",
            Box::new(|s| {
                s.price.maker_hedge.iter_mut().for_each(|h| h.hedge_ratio = 0.0);
                Ok(())
            }),
            Box::new(|s| {
                s.price.maker_hedge.iter_mut().for_each(|h| h.hedge_ratio = 1.0);
                Ok(())
            }),
        );
        add(
            "makers' hedge latency",
            "0 s",
            "2 s",
            Box::new(|s| {
                s.price.maker_hedge.iter_mut().for_each(|h| h.latency_s = 0.0);
                Ok(())
            }),
            Box::new(|s| {
                s.price.maker_hedge.iter_mut().for_each(|h| h.latency_s = 2.0);
                Ok(())
            }),
        );
        add(
            "makers' hedge capacity",
            "×0.25",
            "×4",
            Box::new(|s| {
                s.price.maker_hedge.iter_mut().for_each(|h| h.capacity_usd_per_s *= 0.25);
                Ok(())
            }),
            Box::new(|s| {
                s.price.maker_hedge.iter_mut().for_each(|h| h.capacity_usd_per_s *= 4.0);
                Ok(())
            }),
        );
    }
    let mut skipped = Vec::new();
    if !has_arb {
        skipped.push("arbitrage (the scenario has no arbitrage capacity)".to_string());
    }
    if !has_hedge {
        skipped.push("makers' hedge (the scenario has none)".to_string());
    }
    // The unwind rate lives in the rulebook, which the model derives from the venue: it is set on
    // the model, not the scenario (see `evaluate`).
    let unwind_lo = 0.02f64;
    let unwind_hi = 1.0f64;
    let eval = |s: &Scenario, unwind: Option<f64>| -> Result<(f64, f64), String> {
        let mut model = EngineModel::new(s).map_err(|e| e.to_string())?;
        if let Some(u) = unwind {
            for v in &mut model.venues {
                v.rulebook.unwind.participation = u;
            }
        }
        let r = Cascade::new(&model).report(&model);
        Ok((r.summary.second_order_notional_usd, r.summary.liquidated_notional_usd))
    };
    let (base2, base_liq) = eval(base, None)?;
    let mut jobs: Vec<(usize, bool, Scenario, Option<f64>)> = Vec::new();
    for (i, (_, _, _, lo, hi)) in params.iter().enumerate() {
        for (high, change) in [(false, lo), (true, hi)] {
            let mut s = base.clone();
            change(&mut s)?;
            jobs.push((i, high, s, None));
        }
    }
    let unwind_row = params.len();
    for (high, u) in [(false, unwind_lo), (true, unwind_hi)] {
        jobs.push((unwind_row, high, base.clone(), Some(u)));
    }
    let lev_row = unwind_row + 1;
    match regenerate {
        Some(regen) => {
            for (high, f) in [(false, 2.0 / 3.0), (true, 1.5)] {
                let mut s = base.clone();
                s.accounts = regen(f)?;
                jobs.push((lev_row, high, s, None));
            }
        }
        None => skipped.push("leverage (the scenario's accounts are not a generated population)".to_string()),
    }
    // Each evaluation is an independent deterministic run: the order of completion cannot change
    // any number, and results are collected by job index.
    let results: Vec<Result<(f64, f64), String>> = jobs.par_iter().map(|(_, _, s, u)| eval(s, *u)).collect();
    let mut rows: Vec<SensitivityRow> = Vec::new();
    let n_rows = if regenerate.is_some() { lev_row + 1 } else { lev_row };
    for r in 0..n_rows {
        let (name, lo, hi) = if r < params.len() {
            (params[r].0.clone(), params[r].1.clone(), params[r].2.clone())
        } else if r == unwind_row {
            (
                "backstop unwind participation".to_string(),
                format!("{unwind_lo}"),
                format!("{unwind_hi} (base {unwind_base})"),
            )
        } else {
            ("leverage (population median)".to_string(), "×0.67".to_string(), "×1.5".to_string())
        };
        let mut lo_v = (0.0, 0.0);
        let mut hi_v = (0.0, 0.0);
        for (j, (i, high, _, _)) in jobs.iter().enumerate() {
            if *i == r {
                let v = results[j].clone()?;
                if *high {
                    hi_v = v;
                } else {
                    lo_v = v;
                }
            }
        }
        rows.push(SensitivityRow {
            parameter: name,
            low: lo,
            high: hi,
            second_order_low_usd: lo_v.0,
            second_order_high_usd: hi_v.0,
            liquidated_low_usd: lo_v.1,
            liquidated_high_usd: hi_v.1,
            swing_usd: (hi_v.0 - lo_v.0).abs(),
        });
    }
    rows.sort_by(|a, b| b.swing_usd.total_cmp(&a.swing_usd).then_with(|| a.parameter.cmp(&b.parameter)));
    Ok(Sensitivity { second_order_base_usd: base2, liquidated_base_usd: base_liq, rows, skipped })
}
