//! The report's tables, pre-formatted: the market and generation tables of a cascade and the
//! risk-measure, paired-comparison, drawdown and amplification tables of a stress run. Losses
//! and drawdowns print as positive magnitudes, price moves signed (docs/outputs.md "Signs").

use crate::fmt::{
    drawdown, drawdown_interval, pct, price, ratio, ratio_interval, thousands, usd, usd_interval,
};
use crate::input::{CascadeSection, StressSection};
use liq_stress::risk::VarEs;
use serde::Serialize;

#[derive(Serialize)]
pub(crate) struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn s(x: impl Into<String>) -> String {
    x.into()
}

pub(crate) fn es99(v: &[VarEs]) -> f64 {
    v.first().map_or(0.0, |r| r.es)
}

pub(crate) fn market_table(c: &CascadeSection) -> Table {
    let (moved, beyond) = if c.path_run {
        ("scripted move", "overshoot beyond it")
    } else {
        ("move without feedback", "overshoot beyond it")
    };
    let head = [
        "market",
        "mark start",
        moved,
        "end",
        beyond,
        "trough",
        "trough, no impact",
        "1st order",
        "2nd order",
        "no-impact run",
        "ADL",
    ];
    let rows = c
        .markets
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let t = c.troughs.get(k).copied();
            vec![
                m.symbol.clone(),
                price(m.mark_start),
                pct(m.exogenous_move),
                price(m.mark_end),
                pct(m.overshoot_beyond_exogenous),
                t.map_or(s("–"), |t| price(t.cascade)),
                t.map_or(s("–"), |t| price(t.counterfactual)),
                usd(m.first_order_notional_usd),
                usd(m.second_order_notional_usd),
                usd(m.counterfactual_notional_usd),
                usd(m.adl_notional_usd),
            ]
        })
        .collect();
    Table { head: head.iter().map(|h| s(*h)).collect(), rows }
}

pub(crate) fn generation_table(c: &CascadeSection) -> Table {
    const SHOWN: usize = 12;
    let by_market =
        |i: usize, k: usize| c.notional_by_market_usd.get(i).and_then(|r| r.get(k)).copied().unwrap_or(0.0);
    let mut head = vec![s("generation"), s("notional"), s("accounts"), s("events")];
    head.extend(c.markets.iter().map(|m| m.symbol.clone()));
    let mut rows: Vec<Vec<String>> = c
        .generations
        .iter()
        .enumerate()
        .take(SHOWN)
        .map(|(i, g)| {
            let mut r = vec![
                g.generation.to_string(),
                usd(g.notional_usd),
                thousands(g.accounts as f64),
                g.events.to_string(),
            ];
            r.extend((0..c.markets.len()).map(|k| usd(by_market(i, k))));
            r
        })
        .collect();
    if c.generations.len() > SHOWN {
        let rest = &c.generations[SHOWN..];
        let mut r = vec![
            format!("{}–{}", rest[0].generation, rest[rest.len() - 1].generation),
            usd(rest.iter().map(|g| g.notional_usd).sum()),
            thousands(rest.iter().map(|g| g.accounts as f64).sum()),
            rest.iter().map(|g| g.events).sum::<u64>().to_string(),
        ];
        for k in 0..c.markets.len() {
            r.push(usd((SHOWN..c.generations.len()).map(|i| by_market(i, k)).sum()));
        }
        rows.push(r);
    }
    Table { head, rows }
}

pub(crate) fn stress_tables(st: &StressSection) -> Vec<Table> {
    let sm = &st.summary;
    let mut measures = Table {
        head: ["measure", "level", "VaR", "VaR 95% interval", "ES", "ES 95% interval", "tail paths"]
            .iter()
            .map(|h| s(*h))
            .collect(),
        rows: Vec::new(),
    };
    let mut push = |name: String, v: &[VarEs]| {
        for x in v {
            measures.rows.push(vec![
                name.clone(),
                format!("{}%", x.alpha * 100.0),
                usd(x.var),
                usd_interval(x.var_ci),
                usd(x.es),
                usd_interval(x.es_ci),
                x.tail_paths.map_or(s("closed form"), |k| k.to_string()),
            ]);
        }
    };
    push(s("portfolio loss, linear"), &sm.linear);
    push(s("portfolio loss, no feedback"), &sm.loss.no_feedback);
    push(s("portfolio loss, cascade"), &sm.loss.cascade);
    for v in &sm.venue {
        push(format!("{}, no feedback", v.name), &v.no_feedback);
        push(format!("{}, cascade", v.name), &v.cascade);
    }
    let p = &sm.paired;
    let paired = Table {
        head: ["same paths", "value", "95% interval"].iter().map(|h| s(*h)).collect(),
        rows: vec![
            vec![
                s("cascade ES 99% / no-feedback ES 99%"),
                ratio(sm.es99_cascade_over_no_feedback),
                ratio_interval(sm.es99_cascade_over_no_feedback_ci),
            ],
            vec![
                s("cascade ES 99% − no-feedback ES 99%"),
                usd(es99(&sm.loss.cascade) - es99(&sm.loss.no_feedback)),
                usd_interval(Some(p.es99_difference_ci)),
            ],
            vec![
                s("paths with a higher loss under feedback"),
                format!(
                    "{} of {} ({:.1}%)",
                    thousands(p.paths_cascade_worse as f64),
                    thousands(sm.paths as f64),
                    p.share_cascade_worse * 100.0
                ),
                format!(
                    "{:.1}–{:.1}%",
                    p.share_cascade_worse_ci.lo * 100.0,
                    p.share_cascade_worse_ci.hi * 100.0
                ),
            ],
            vec![s("mean loss difference (cascade − no feedback)"), usd(p.mean_difference_usd), s("–")],
        ],
    };
    let overshoot = Table {
        head: [
            "market",
            "fall ES 99%, no feedback",
            "95% interval",
            "fall ES 99%, cascade",
            "95% interval",
            "mean overshoot",
        ]
        .iter()
        .map(|h| s(*h))
        .collect(),
        rows: sm
            .overshoot
            .iter()
            .map(|o| {
                let (nf, c) = (&o.drawdown_no_feedback[0], &o.drawdown_cascade[0]);
                vec![
                    o.market.clone(),
                    drawdown(nf.es),
                    drawdown_interval(nf.es_ci),
                    drawdown(c.es),
                    drawdown_interval(c.es_ci),
                    pct(o.mean_overshoot),
                ]
            })
            .collect(),
    };
    let a = &sm.amplification;
    let amp = Table {
        head: ["paths with liquidations", "mean amplification", "median", "99th percentile", "max"]
            .iter()
            .map(|h| s(*h))
            .collect(),
        rows: vec![vec![
            thousands(a.paths_with_liquidations as f64),
            ratio(a.mean),
            ratio(a.median),
            ratio(a.p99),
            ratio(a.max),
        ]],
    };
    vec![measures, paired, overshoot, amp]
}

/// A lending run's totals and its reserves (crate::input::ReportInput::lending).
pub(crate) fn lending_tables(l: &liq_engine::LendingOutcome) -> Vec<Table> {
    let totals = [
        ("debt at the start", usd(l.debt_start_usd)),
        ("debt repaid", usd(l.debt_repaid_usd)),
        (
            "  by generation",
            l.debt_repaid_by_generation.iter().map(|d| usd(*d)).collect::<Vec<_>>().join(" / "),
        ),
        ("collateral seized", usd(l.collateral_seized_usd)),
        ("liquidation bonus", usd(l.bonus_usd)),
        ("  protocol fee (treasury)", usd(l.protocol_fee_usd)),
        ("liquidators' P&L", usd(l.liquidator_pnl_usd)),
        ("liquidators' sale proceeds", usd(l.liquidator_sale_proceeds_usd)),
        ("deficit (debt burnt)", usd(l.deficit_usd)),
        (
            "liquidationCalls (dust refusals)",
            format!("{} ({})", thousands(l.liquidation_calls as f64), l.dust_refusals),
        ),
        ("blocks × block time", format!("{} × {} s", l.blocks, l.block_s)),
    ];
    let reserves = Table {
        head: ["reserve", "oracle start", "end", "trough", "seized", "sold", "unsold", "treasury"]
            .iter()
            .map(|h| s(*h))
            .collect(),
        rows: l
            .reserves
            .iter()
            .map(|r| {
                vec![
                    r.symbol.clone(),
                    price(r.oracle_start),
                    price(r.oracle_end),
                    price(r.oracle_trough),
                    format!("{:.4}", r.seized_qty),
                    format!("{:.4}", r.sold_qty),
                    format!("{:.4}", r.unsold_qty),
                    format!("{:.4}", r.treasury_qty),
                ]
            })
            .collect(),
    };
    vec![
        Table {
            head: vec![s("lending"), s("value")],
            rows: totals.into_iter().map(|(k, v)| vec![s(k), v]).collect(),
        },
        reserves,
    ]
}
