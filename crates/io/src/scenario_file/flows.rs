//! The forced-flow sections of a scenario file: `[[leveraged_tokens]]`, `[dealers]` with its
//! `options_csv` and hedging parameters, and `[[stops]]` (docs/scenario-format.md, *Other forced
//! flows*).
//!
//! Every range check names its field, so a negative AUM, a leverage ≤ 1 or a stop at a negative
//! price is refused with file, line and field; the options table's rows are checked by
//! `crate::options_csv` with the CSV's own line and column.

use super::validate::Ctx;
use crate::convert::MarketSymbols;
use crate::IoError;
use liq_domain::{
    DealerBookSpec, FlowsSpec, LeveragedTokenSpec, MarketSpec, OptionOpenInterest, Side, StopClusterSpec,
    StopKind,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLeveragedToken {
    pub name: String,
    pub market: String,
    pub leverage: f64,
    pub aum_usd: f64,
    pub daily_rebalance_at_s: Option<f64>,
    pub intraday_move: f64,
    #[serde(default = "yes")]
    pub intraday_reduce_only: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDealers {
    /// The dealers' options open-interest table (relative to the scenario file).
    pub options_csv: String,
    pub vol: f64,
    #[serde(default = "one")]
    pub hedge_ratio: f64,
    pub rebalance_interval_s: f64,
    #[serde(default)]
    pub min_trade_usd: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawStopKind {
    StopLoss,
    TakeProfit,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawSide {
    Buy,
    Sell,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStop {
    pub market: String,
    /// Trigger price, USD; or `move`, relative to the market's starting mark.
    pub price: Option<f64>,
    #[serde(rename = "move")]
    pub rel_move: Option<f64>,
    pub side: RawSide,
    pub kind: RawStopKind,
    pub notional_usd: f64,
}

/// The largest token AUM or stop-cluster notional a scenario may give: 1e11 USD, a hundred times
/// the largest leveraged-token product line or stop cluster on record, and small enough that
/// every flow's position (AUM × leverage ≤ 20 × 1e11) stays inside the ledger's i64 micro-USD
/// (±9.2e12 USD) instead of overflowing it.
const MAX_FLOW_USD: f64 = 1e11;
/// The highest token leverage accepted: real product lines stop at 3–5× (DESIGN.md "Other
/// forced flows"); 20× keeps AUM × leverage inside the ledger's range with [`MAX_FLOW_USD`].
const MAX_TOKEN_LEVERAGE: f64 = 20.0;

fn positive(ctx: &Ctx, field: &str, v: f64, what: &str) -> Result<f64, IoError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ctx.err(field, format!("must be a positive finite {what}, got {v}")))
    }
}

/// Validates the flow sections. `read_options` reads the options CSV named by `options_csv`
/// (relative to the scenario file).
pub(crate) fn flows(
    ctx: &Ctx,
    raw: &super::raw::RawScenario,
    markets: &[MarketSpec],
    symbols: &MarketSymbols,
    read_options: impl FnOnce(&str) -> Result<Vec<OptionOpenInterest>, IoError>,
) -> Result<FlowsSpec, IoError> {
    let (tokens, stops) = (&raw.leveraged_tokens, &raw.stops);
    let dealers = raw.dealers.as_ref();
    let mut out = FlowsSpec::default();
    for (i, t) in tokens.iter().enumerate() {
        let f = |name: &str| format!("leveraged_tokens[{i}].{name}");
        if t.name.trim().is_empty() {
            return Err(ctx.err(f("name"), "must not be empty"));
        }
        let market = symbols.resolve(&t.market).map_err(|m| ctx.err(f("market"), m))?;
        if !(t.leverage.is_finite() && t.leverage > 1.0) {
            return Err(ctx.err(
                f("leverage"),
                format!("must be a finite target leverage above 1 (a long token), got {}", t.leverage),
            ));
        }
        if t.leverage > MAX_TOKEN_LEVERAGE {
            return Err(ctx.err(
                f("leverage"),
                format!(
                    "must be at most {MAX_TOKEN_LEVERAGE} (product lines stop at 3–5×), got {}",
                    t.leverage
                ),
            ));
        }
        if !(t.aum_usd.is_finite() && t.aum_usd > 0.0) {
            return Err(ctx.err(f("aum_usd"), format!("must be a positive finite amount, got {}", t.aum_usd)));
        }
        if t.aum_usd > MAX_FLOW_USD {
            return Err(
                ctx.err(f("aum_usd"), format!("must be at most {MAX_FLOW_USD:e} USD, got {}", t.aum_usd))
            );
        }
        positive(ctx, &f("intraday_move"), t.intraday_move, "fraction")?;
        if t.intraday_move >= 1.0 {
            return Err(
                ctx.err(f("intraday_move"), format!("must be below 1 (100%), got {}", t.intraday_move))
            );
        }
        if let Some(d) = t.daily_rebalance_at_s {
            if !(d.is_finite() && d >= 0.0) {
                return Err(ctx.err(f("daily_rebalance_at_s"), format!("must be ≥ 0 seconds, got {d}")));
            }
        }
        out.leveraged_tokens.push(LeveragedTokenSpec {
            name: t.name.clone(),
            market,
            leverage: t.leverage,
            aum_usd: t.aum_usd,
            daily_rebalance_at_s: t.daily_rebalance_at_s,
            intraday_move: t.intraday_move,
            intraday_reduce_only: t.intraday_reduce_only,
        });
    }
    if let Some(d) = dealers {
        positive(ctx, "dealers.vol", d.vol, "annualised volatility")?;
        if !(0.0..=1.0).contains(&d.hedge_ratio) {
            return Err(ctx.err("dealers.hedge_ratio", format!("must be in [0, 1], got {}", d.hedge_ratio)));
        }
        positive(ctx, "dealers.rebalance_interval_s", d.rebalance_interval_s, "number of seconds")?;
        if !(d.min_trade_usd.is_finite() && d.min_trade_usd >= 0.0) {
            return Err(ctx.err("dealers.min_trade_usd", format!("must be ≥ 0, got {}", d.min_trade_usd)));
        }
        if d.options_csv.trim().is_empty() {
            return Err(ctx.err("dealers.options_csv", "must name the dealers' options CSV"));
        }
        out.dealers = Some(DealerBookSpec {
            options: read_options(&d.options_csv)?,
            vol: d.vol,
            hedge_ratio: d.hedge_ratio,
            rebalance_interval_s: d.rebalance_interval_s,
            min_trade_usd: d.min_trade_usd,
        });
    }
    for (i, s) in stops.iter().enumerate() {
        let f = |name: &str| format!("stops[{i}].{name}");
        let market = symbols.resolve(&s.market).map_err(|m| ctx.err(f("market"), m))?;
        let mark = markets[market.idx()].mark_price;
        let price = match (s.price, s.rel_move) {
            (Some(p), None) => positive(ctx, &f("price"), p, "price")?,
            (None, Some(m)) => {
                if !(m.is_finite() && m > -1.0) {
                    return Err(ctx.err(f("move"), format!("must be a finite move above −100%, got {m}")));
                }
                mark * (1.0 + m)
            }
            _ => return Err(ctx.err(format!("stops[{i}]"), "give exactly one of price and move")),
        };
        positive(ctx, &f("notional_usd"), s.notional_usd, "amount")?;
        if s.notional_usd > MAX_FLOW_USD {
            return Err(ctx.err(
                f("notional_usd"),
                format!("must be at most {MAX_FLOW_USD:e} USD, got {}", s.notional_usd),
            ));
        }
        out.stops.push(StopClusterSpec {
            market,
            price,
            side: match s.side {
                RawSide::Buy => Side::Buy,
                RawSide::Sell => Side::Sell,
            },
            kind: match s.kind {
                RawStopKind::StopLoss => StopKind::StopLoss,
                RawStopKind::TakeProfit => StopKind::TakeProfit,
            },
            notional_usd: s.notional_usd,
        });
    }
    Ok(out)
}
