//! Price formation: how liquidation orders move prices.
//!
//! This crate owns the price-impact models behind one small trait, [`PriceImpact`], with enum
//! dispatch in [`ImpactModel`] (no `dyn` on the hot path):
//! - [`book::L2Book`]: an L2 book in integer ticks and lots that a market order walks, with
//!   resilience of consumed depth towards its profile (time constant τ) and a liquidity-withdrawal
//!   multiplier on resting depth;
//! - [`sqrt_law::SquareRootImpact`]: the parametric law ΔP/P = Y·σ·(Q/V)^δ with decaying
//!   cumulative flow, for markets without depth data;
//! - [`NoImpact`]: fills at the mid without moving it, for the counterfactual run;
//! - [`cross::CrossImpact`]: passes relative moves caused by flow in one market to the others.
//!
//! Prices here are ticks and sizes are lots of the market they belong to; money is the engine's
//! business.

pub mod book;
pub mod cross;
mod deficit;
mod full_depth;
pub mod sqrt_law;

use liq_domain::Side;

/// The result of one IOC market order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fill {
    /// Lots filled (0 ..= requested).
    pub filled_lots: i64,
    /// Σ lots × tick over the fills: the exact value in lot-ticks (multiply by the market's
    /// micro-USD per lot-tick for money).
    pub value_lot_ticks: i128,
    /// Tick of the last (worst) fill, if any lot filled.
    pub last_tick: Option<i64>,
}

impl Fill {
    /// Average fill price in ticks.
    pub fn avg_tick(&self) -> Option<f64> {
        (self.filled_lots > 0).then(|| self.value_lot_ticks as f64 / self.filled_lots as f64)
    }
}

/// Errors building an impact model from a scenario's specification.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImpactError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

/// A price-impact model for one market.
pub trait PriceImpact {
    /// Executes an immediate-or-cancel market order of `lots` (> 0) taking `side`
    /// (`Sell` hits bids, `Buy` lifts asks), never filling beyond `limit_tick` (a sell fills
    /// only at ticks ≥ limit, a buy only at ticks ≤ limit). The unfilled rest is cancelled.
    fn execute(&mut self, side: Side, lots: i64, limit_tick: i64) -> Fill;

    /// Current mid price in ticks (may be a half tick).
    fn mid_ticks(&self) -> f64;

    /// The side of the book a walk has emptied, if any (`Sell` = no bids left, `Buy` = no asks).
    /// Beyond the last level there is no depth: orders stop filling and the mid quotes the
    /// deepest level (see [`book`]). Models without levels never run out.
    fn exhausted(&self) -> Option<Side> {
        None
    }

    /// Best bid and best ask in ticks as quoted now (after market makers re-quote; see
    /// [`book`]). Models without a spread quote the mid on both sides.
    fn quote_ticks(&self) -> (f64, f64) {
        let m = self.mid_ticks();
        (m, m)
    }

    /// Moves the whole market by the relative amount `rel` (an exogenous shock or cross-impact):
    /// the reference price becomes `reference × (1 + rel)` and the book's shape moves with it.
    fn shift(&mut self, rel: f64);

    /// Lets `dt_s` seconds pass: consumed depth (or accumulated flow) relaxes towards its
    /// profile with the model's resilience time constant.
    fn recover(&mut self, dt_s: f64);

    /// Scales resting depth by `multiplier` in (0, 1] (liquidity withdrawal; 1 = full depth).
    fn set_depth_multiplier(&mut self, multiplier: f64);
}

/// Zero impact: every order fills in full at the current mid (rounded to a tick, never beyond
/// the limit) and prices do not move. The counterfactual for the first-/second-order split.
#[derive(Debug, Clone, PartialEq)]
pub struct NoImpact {
    mid_ticks: f64,
}

impl NoImpact {
    pub fn new(mid_ticks: f64) -> Self {
        Self { mid_ticks }
    }
}

impl PriceImpact for NoImpact {
    fn execute(&mut self, side: Side, lots: i64, limit_tick: i64) -> Fill {
        let tick = self.mid_ticks.round() as i64;
        let ok = match side {
            Side::Sell => tick >= limit_tick,
            Side::Buy => tick <= limit_tick,
        };
        if lots <= 0 || !ok {
            return Fill::default();
        }
        Fill { filled_lots: lots, value_lot_ticks: lots as i128 * tick as i128, last_tick: Some(tick) }
    }
    fn mid_ticks(&self) -> f64 {
        self.mid_ticks
    }
    fn shift(&mut self, rel: f64) {
        self.mid_ticks *= 1.0 + rel;
    }
    fn recover(&mut self, _dt_s: f64) {}
    fn set_depth_multiplier(&mut self, _multiplier: f64) {}
}

/// Enum dispatch over the impact models.
#[derive(Debug, Clone)]
pub enum ImpactModel {
    Book(book::L2Book),
    SquareRoot(sqrt_law::SquareRootImpact),
    None(NoImpact),
}

macro_rules! dispatch {
    ($self:ident, $m:ident => $e:expr) => {
        match $self {
            ImpactModel::Book($m) => $e,
            ImpactModel::SquareRoot($m) => $e,
            ImpactModel::None($m) => $e,
        }
    };
}

impl ImpactModel {
    /// Restores the state of `base` (the model this one was cloned from), cheaply for books.
    pub fn restore_from(&mut self, base: &ImpactModel) {
        match (self, base) {
            (ImpactModel::Book(a), ImpactModel::Book(b)) => a.restore_from(b),
            (this, base) => this.clone_from(base),
        }
    }
}

impl PriceImpact for ImpactModel {
    #[inline]
    fn execute(&mut self, side: Side, lots: i64, limit_tick: i64) -> Fill {
        dispatch!(self, m => m.execute(side, lots, limit_tick))
    }
    #[inline]
    fn mid_ticks(&self) -> f64 {
        dispatch!(self, m => m.mid_ticks())
    }
    #[inline]
    fn quote_ticks(&self) -> (f64, f64) {
        dispatch!(self, m => m.quote_ticks())
    }
    #[inline]
    fn exhausted(&self) -> Option<Side> {
        dispatch!(self, m => m.exhausted())
    }
    #[inline]
    fn shift(&mut self, rel: f64) {
        dispatch!(self, m => m.shift(rel))
    }
    #[inline]
    fn recover(&mut self, dt_s: f64) {
        dispatch!(self, m => m.recover(dt_s))
    }
    #[inline]
    fn set_depth_multiplier(&mut self, multiplier: f64) {
        dispatch!(self, m => m.set_depth_multiplier(multiplier))
    }
}

impl ImpactModel {
    /// Builds market `market_index`'s model from the scenario's impact kind and book. Errors
    /// name the field in the scenario format's words (`markets[0].book.bids[3].price`,
    /// `markets[1].square_root.delta`, `impact.resilience_tau_s`).
    pub fn build(
        kind: &liq_domain::ImpactKind,
        spec: &liq_domain::BookSpec,
        market: &liq_domain::MarketSpec,
        market_index: usize,
        mid_price: f64,
        resilience_tau_s: f64,
    ) -> Result<ImpactModel, ImpactError> {
        let at = |section: &'static str| {
            move |e: ImpactError| {
                let ImpactError::Invalid { field, message } = e;
                let field = match field.as_str() {
                    "resilience_tau_s" => "impact.resilience_tau_s".to_string(),
                    "tick_size" | "lot_size" | "mid_price" => format!("markets[{market_index}].{field}"),
                    _ => format!("markets[{market_index}].{section}{field}"),
                };
                ImpactError::Invalid { field, message }
            }
        };
        match kind {
            liq_domain::ImpactKind::Book => {
                let section = match spec {
                    liq_domain::BookSpec::Levels { .. } => "book.",
                    liq_domain::BookSpec::Profile(_) => "book.profile.",
                };
                book::L2Book::from_spec(spec, market, mid_price, resilience_tau_s)
                    .map(ImpactModel::Book)
                    .map_err(at(section))
            }
            liq_domain::ImpactKind::SquareRoot(params) => {
                let p = params.get(market_index).ok_or_else(|| ImpactError::Invalid {
                    field: format!("markets[{market_index}].square_root"),
                    message: "the square-root model needs parameters for every market".into(),
                })?;
                sqrt_law::SquareRootImpact::new(p, market, mid_price, resilience_tau_s)
                    .map(ImpactModel::SquareRoot)
                    .map_err(at("square_root."))
            }
        }
    }
}
