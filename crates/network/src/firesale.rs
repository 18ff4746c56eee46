//! Overlapping-portfolio fire sales as Cont and Schaanning's setting is run on the EBA 2018 data
//! by its reference implementation: ox-inet-resilience/firesale_stresstest (Farmer,
//! Kleinnijenhuis, Nahai-Williamson, Wetzer; Apache-2.0), commit
//! dd861c6dbba3bb9dc77565fac585a2b2e8a960ab (2021-05-07), files `model.py`, `institutions.py`,
//! `behaviours.py`, `constraints.py`, `contracts.py`, `markets.py`, with the accounting of
//! ox-inet-resilience/py-economicsl (commit e228aced1e61b6e7f68abc8483dad2f3752e149d). Its
//! README: "It reproduces the result of Cont-Schaanning 2017" (R. Cont, E. Schaanning, "Fire
//! sales, indirect contagion and systemic stress testing", SSRN 2541114). This module owns the
//! model, its parameters and its round-by-round outcome; the loaders are in
//! [`firesale_io`](crate::firesale_io).
//!
//! **Balance sheet** (`model.py::initialize`): total assets `A = Σ_k q_k + other` at unit prices;
//! cash = 5% of A, taken out of the non-tradable assets; liabilities `A − E` split half into a
//! repayable loan, half into other liabilities that are never repaid.
//!
//! **A round** (`model.py::run_simulation`, `SIMULTANEOUS_FIRESALE = True`), repeated a fixed
//! number of times (6) after the shock (the shocked asset's price × (1 − 20%)):
//! 1. *step*: an institution that defaulted in the previous round puts all its tradables up for
//!    sale (`Bank.trigger_default`).
//! 2. *clear*: for each asset, `p ← p·exp(−β·Q/cap)` with `Q` the units put up for sale since the
//!    last clearing, `cap` the total units held at the start and
//!    `β = −ln(1 − 5%)/5%`, so selling 5% of the cap lowers the price 5% (`markets.py`); every
//!    order is then paid at the midpoint of the pre- and post-clearing prices.
//! 3. *act*: with leverage ratio `λ = E/A` (equity over assets, `constraints.py`), an
//!    institution with `λ < 3%` defaults; one with `λ < 4%` delevers by `A − E/5%`: cash first
//!    repays the loan, the rest is put up for sale proportionally to its holdings' values
//!    (`behaviours.py::do_delever`). Those orders clear in the *next* round's step 2, so their
//!    proceeds repay debt one round later.
//!
//! **EoSE** (`model.py::get_extent_of_systemic_event`, "see Gai-Kapadia 2010"): defaults over
//! all rounds divided by the number of institutions, counted as 0 below 5%.
//!
//! The reference shuffles institutions each round "to ensure order independence"; every
//! decision of a round reads only prices fixed before it, so the order changes nothing but the
//! summation order of the units sold, and this module runs in file order with no random draws.
//! The reference accumulates units sold in `numpy.longdouble` (80-bit); this module uses f64,
//! which is why prices agree to ~1e-15 relative and not bit for bit.

use crate::error::NetworkError;
use crate::matrix::{check_rect_nonneg, check_vec_nonneg};
use serde::Serialize;

/// Institutions, assets and market size: what the loaders read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FireSaleSystem {
    pub institutions: Vec<String>,
    pub assets: Vec<String>,
    /// `holdings[i][k]`: units of asset k held by institution i (worth 1 each at the start).
    pub holdings: Vec<Vec<f64>>,
    /// Equity at the start.
    pub equity: Vec<f64>,
    /// Non-tradable assets (loans, cash, other); the model takes its cash share out of these.
    pub other_assets: Vec<f64>,
    /// Leverage limit λ_max = assets / equity from the input (the EBA loader sets 1/3%); the
    /// model's minimum leverage ratio must equal 1/λ_max (checked by the CLI).
    pub max_leverage: Vec<f64>,
    /// Market capitalisation per asset in units (the reference's `total_quantities`: the
    /// system's total holdings at the start).
    pub depth: Vec<f64>,
    /// Impact strength of the loaders' default; the model takes β from [`FireSaleParams`].
    pub beta: f64,
}

impl FireSaleSystem {
    /// Checks shapes and values; errors name the field and the row/column.
    pub fn validate(&self) -> Result<(), NetworkError> {
        let (n, m) = (self.institutions.len(), self.assets.len());
        if n == 0 || m == 0 {
            return Err(NetworkError::invalid("fire sale", "needs at least one institution and one asset"));
        }
        if self.holdings.len() != n {
            return Err(NetworkError::invalid(
                "holdings",
                format!("{} rows for {n} institutions", self.holdings.len()),
            ));
        }
        check_rect_nonneg("holdings", &self.holdings, m)?;
        for (what, v, len) in [
            ("equity", &self.equity, n),
            ("other_assets", &self.other_assets, n),
            ("max_leverage", &self.max_leverage, n),
            ("depth", &self.depth, m),
        ] {
            if v.len() != len {
                return Err(NetworkError::invalid(what, format!("{} entries, expected {len}", v.len())));
            }
            if what != "equity" {
                check_vec_nonneg(what, v)?;
            } else if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(NetworkError::NotFinite { what: what.into(), row: i, col: 0, value: v[i] });
            }
        }
        if let Some(i) = self.max_leverage.iter().position(|&l| l < 1.0) {
            return Err(NetworkError::invalid(
                "max_leverage",
                format!("row {i}: must be ≥ 1, got {}", self.max_leverage[i]),
            ));
        }
        if let Some(k) = self.depth.iter().position(|&d| d <= 0.0) {
            return Err(NetworkError::invalid("depth", format!("asset {k}: must be > 0")));
        }
        if !(self.beta.is_finite() && self.beta >= 0.0) {
            return Err(NetworkError::invalid("beta", format!("must be finite and ≥ 0, got {}", self.beta)));
        }
        Ok(())
    }
}

/// The price at which an order clears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecutionPrice {
    /// Midpoint of the pre- and post-clearing prices (`markets.py::Order.settle`).
    Midpoint,
    /// The price before this clearing's impact.
    PreClearing,
    /// The price after it.
    PostClearing,
}

/// When delevering sales clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClearingTiming {
    /// At the next round's clearing, so the cash arrives a round later (the reference).
    NextRound,
    /// A second clearing right after the round's decisions (cash in hand at the next decision).
    SameRound,
}

/// The model's parameters; [`FireSaleParams::published`] gives the reference's values.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FireSaleParams {
    /// Relative price move per asset applied before round 1 (−0.2 = −20%).
    pub shock: Vec<f64>,
    /// Default below this leverage ratio E/A (`BANK_LEVERAGE_MIN = 0.03`).
    pub leverage_min: f64,
    /// Delever below this ratio (`BANK_LEVERAGE_BUFFER = 0.04`; 1 gives leverage targeting).
    pub leverage_buffer: f64,
    /// ... back to this ratio (`BANK_LEVERAGE_TARGET = 0.05`).
    pub leverage_target: f64,
    /// Cash as a share of total assets at the start (`cash = 0.05 * asset`).
    pub cash_share: f64,
    /// Repayable loan as a share of liabilities (`loan = other_liability = liability / 2`).
    pub loan_share: f64,
    /// Price fall when `impact_sold` of an asset's cap is sold (`PRICE_IMPACTS` = 0.05) ...
    pub impact_drop: f64,
    /// ... and that share (0.05 in `compute_price_impact`).
    pub impact_sold: f64,
    /// Rounds after the shock (`SIMULATION_TIMESTEPS = 6`).
    pub rounds: usize,
    pub execution: ExecutionPrice,
    pub clearing: ClearingTiming,
    /// A defaulted institution puts all its tradables up for sale the round after it defaults.
    pub defaulted_sell_all: bool,
    /// EoSE below this share of defaults counts as 0 (0.05 in `get_extent_of_systemic_event`).
    pub eose_threshold: f64,
}

impl FireSaleParams {
    /// The reference's `Parameters` and balance-sheet constants, with the given shock.
    pub fn published(shock: Vec<f64>) -> Self {
        FireSaleParams {
            shock,
            leverage_min: 0.03,
            leverage_buffer: 0.04,
            leverage_target: 0.05,
            cash_share: 0.05,
            loan_share: 0.5,
            impact_drop: 0.05,
            impact_sold: 0.05,
            rounds: 6,
            execution: ExecutionPrice::Midpoint,
            clearing: ClearingTiming::NextRound,
            defaulted_sell_all: true,
            eose_threshold: 0.05,
        }
    }

    /// β of `p ← p·exp(−β·sold/cap)`, written as the reference computes it
    /// (`beta = -1 / 0.05 * np.log(1 - price_impact)`) so the f64 result is the same.
    pub fn beta(&self) -> f64 {
        -1.0 / self.impact_sold * (1.0 - self.impact_drop).ln()
    }

    fn validate(&self, m: usize) -> Result<(), NetworkError> {
        if self.shock.len() != m {
            return Err(NetworkError::invalid(
                "shock",
                format!("{} entries for {m} assets", self.shock.len()),
            ));
        }
        if let Some(k) = self.shock.iter().position(|s| !(s.is_finite() && *s > -1.0)) {
            return Err(NetworkError::invalid("shock", format!("asset {k}: must be finite and > −100%")));
        }
        let unit = |what: &str, v: f64, lo_open: bool| {
            let ok = v.is_finite() && v <= 1.0 && if lo_open { v > 0.0 } else { v >= 0.0 };
            if ok {
                Ok(())
            } else {
                let range = if lo_open { "(0, 1]" } else { "[0, 1]" };
                Err(NetworkError::invalid(what, format!("{v} is outside {range}")))
            }
        };
        unit("leverage_min", self.leverage_min, true)?;
        unit("leverage_buffer", self.leverage_buffer, true)?;
        unit("leverage_target", self.leverage_target, true)?;
        unit("cash_share", self.cash_share, false)?;
        unit("loan_share", self.loan_share, false)?;
        unit("impact_sold", self.impact_sold, true)?;
        unit("eose_threshold", self.eose_threshold, false)?;
        if !(self.impact_drop.is_finite() && (0.0..1.0).contains(&self.impact_drop)) {
            return Err(NetworkError::invalid(
                "impact_drop",
                format!("{} is outside [0, 1)", self.impact_drop),
            ));
        }
        // Buffer above target is allowed: the reference's "leverage targeting" experiment sets the
        // buffer to 100% (`simulation.py`, experiment 3) so everyone under target delevers.
        if self.leverage_buffer < self.leverage_min || self.leverage_target < self.leverage_min {
            return Err(NetworkError::invalid(
                "leverage",
                format!(
                    "need minimum ≤ buffer and minimum ≤ target, got {} / {} / {}",
                    self.leverage_min, self.leverage_buffer, self.leverage_target
                ),
            ));
        }
        if self.rounds == 0 || self.rounds > 100_000 {
            return Err(NetworkError::invalid("rounds", format!("{} is outside 1..=100000", self.rounds)));
        }
        Ok(())
    }
}

/// The state after one round (round 0: after the shock, before any decision).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FireSaleRound {
    pub round: usize,
    /// Institutions that defaulted in this round (`bank_defaults_this_round`).
    pub defaults: usize,
    /// Their names, in input order.
    pub defaulted: Vec<String>,
    /// Institutions that put assets up for sale to delever in this round.
    pub delevering: usize,
    /// Units of each asset cleared in this round.
    pub sold: Vec<f64>,
    /// Prices after this round's clearing.
    pub prices: Vec<f64>,
    /// Units cleared so far over the total cap of all assets (the reference's `total_sold`).
    pub sold_fraction: f64,
    /// Equity per institution at the end of the round.
    pub equity: Vec<f64>,
    /// Leverage ratio E/A per institution at the end of the round (non-finite when A = 0).
    #[serde(with = "liq_domain::serde_num::vec_finite_or_str")]
    pub leverage_ratio: Vec<f64>,
}

/// One institution at the end.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct InstitutionOutcome {
    pub name: String,
    /// The round it defaulted in, if it did.
    pub default_round: Option<usize>,
    pub equity: f64,
    pub assets: f64,
    pub cash: f64,
    pub loan: f64,
    /// Units still held per asset.
    pub holdings: Vec<f64>,
}

/// The outcome of a fire sale.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FireSaleOutcome {
    pub beta: f64,
    /// Round 0 then rounds 1..=`rounds`.
    pub rounds: Vec<FireSaleRound>,
    /// Defaults per round, round 0 first (the reference's `defaults` list).
    pub defaults_per_round: Vec<usize>,
    pub total_defaults: usize,
    /// Extent of the systemic event: total defaults / institutions, 0 below the threshold.
    pub eose: f64,
    pub final_prices: Vec<f64>,
    /// Cumulative units cleared per asset.
    pub total_sold: Vec<f64>,
    pub institutions: Vec<InstitutionOutcome>,
}

/// Upper bound on (rounds + 1) × institutions, the per-round records kept (two f64 each).
const MAX_RECORDED_CELLS: usize = 20_000_000;

/// The reference's floating-point tolerance (`contracts.py: eps = 1e-9`, "~0.001 EUR").
const EPS: f64 = 1e-9;

/// One institution's books (py-economicsl `FastLedger` with the reference's contracts).
#[derive(Debug, Clone)]
struct Books {
    cash: f64,
    /// Units held per asset, including those put up for sale and not yet cleared.
    units: Vec<f64>,
    /// Units put up for sale and not yet cleared (`Tradable.putForSale_`).
    for_sale: Vec<f64>,
    other: f64,
    loan: f64,
    other_liability: f64,
    alive: bool,
    /// Defaulted in the last decision phase; sells in the next step (`do_trigger_default`).
    trigger_default: bool,
    default_round: Option<usize>,
}

impl Books {
    fn assets(&self, p: &[f64]) -> f64 {
        self.units.iter().zip(p).map(|(q, p)| q * p).sum::<f64>() + self.other + self.cash
    }
    fn equity(&self, p: &[f64]) -> f64 {
        self.assets(p) - (self.loan + self.other_liability)
    }
}

/// Orders waiting for the next clearing, and units put up for sale per asset since the last one.
struct Market {
    price: Vec<f64>,
    cap: Vec<f64>,
    beta: f64,
    pending: Vec<f64>,
    cumulative: Vec<f64>,
    orders: Vec<(usize, usize, f64)>,
}

impl Market {
    /// `markets.py::AssetMarket.clear_the_market`: impact on every asset put up for sale, then
    /// every order settled at the execution price. Returns the units cleared per asset.
    fn clear(&mut self, books: &mut [Books], execution: ExecutionPrice) -> Vec<f64> {
        let old = self.price.clone();
        let sold = std::mem::replace(&mut self.pending, vec![0.0; self.price.len()]);
        for (k, &units) in sold.iter().enumerate() {
            if units > 0.0 && self.cap[k] > 0.0 {
                self.price[k] *= (-(units / self.cap[k]) * self.beta).exp();
            }
            self.cumulative[k] += units;
        }
        for (i, k, units) in std::mem::take(&mut self.orders) {
            let b = &mut books[i];
            let cleared = b.units[k].min(units);
            b.units[k] -= cleared;
            b.for_sale[k] -= cleared;
            let price = match execution {
                ExecutionPrice::Midpoint => (self.price[k] + old[k]) / 2.0,
                ExecutionPrice::PreClearing => old[k],
                ExecutionPrice::PostClearing => self.price[k],
            };
            let value = cleared * price;
            if value >= EPS {
                b.cash += value;
            }
        }
        sold
    }

    /// `behaviours.py::sell_assets_proportionally`: puts up `amount` of value (all, if `None`)
    /// spread over the holdings in proportion to their values. True if any order was placed.
    fn sell_proportionally(&mut self, i: usize, b: &mut Books, amount: Option<f64>) -> bool {
        let value = |k: usize, b: &Books| (b.units[k] - b.for_sale[k]) * self.price[k];
        let eligible: Vec<usize> = (0..b.units.len()).filter(|&k| b.units[k] > b.for_sale[k]).collect();
        let maximum: f64 = eligible.iter().map(|&k| value(k, b)).sum();
        let amount = amount.unwrap_or(maximum);
        if maximum <= 0.0 || amount <= 0.0 {
            return false;
        }
        let amount = amount.min(maximum);
        let mut placed = false;
        for k in eligible {
            // `action.set_amount(action.get_max() * amount / maximum)`, then `SellAsset.perform`.
            let share = value(k, b) * amount / maximum;
            if share <= 0.0 || self.price[k] <= EPS {
                continue;
            }
            let units = share / self.price[k];
            if units.abs() <= EPS {
                continue;
            }
            b.for_sale[k] += units;
            self.pending[k] += units;
            self.orders.push((i, k, units));
            placed = true;
        }
        placed
    }
}

/// `behaviours.py::pay_off_liabilities` through `perform_proportionally` on the one loan:
/// returns the amount it reports as repaid.
fn repay_loan(b: &mut Books, amount: f64) -> f64 {
    let maximum = if b.loan > 0.0 { b.loan } else { 0.0 };
    if maximum <= 0.0 || amount <= 0.0 {
        return 0.0;
    }
    let amount = amount.min(maximum);
    let paid = (maximum * amount / maximum).min(b.loan);
    b.cash -= paid;
    b.loan -= paid;
    amount
}

/// Runs the fire sale for `params.rounds` rounds.
pub fn fire_sale(sys: &FireSaleSystem, params: &FireSaleParams) -> Result<FireSaleOutcome, NetworkError> {
    sys.validate()?;
    let (n, m) = (sys.institutions.len(), sys.assets.len());
    params.validate(m)?;
    // Every round records equity and leverage per institution: bound what that allocates.
    if (params.rounds + 1).saturating_mul(n) > MAX_RECORDED_CELLS {
        return Err(NetworkError::invalid(
            "rounds",
            format!(
                "{} rounds × {n} institutions exceeds {MAX_RECORDED_CELLS} recorded values",
                params.rounds
            ),
        ));
    }
    let mut books = Vec::with_capacity(n);
    for i in 0..n {
        let total = sys.holdings[i].iter().sum::<f64>() + sys.other_assets[i];
        let cash = params.cash_share * total;
        let liability = total - sys.equity[i];
        if total.is_nan() || total <= 0.0 {
            return Err(NetworkError::invalid(
                "assets",
                format!("institution `{}`: total assets must be > 0", sys.institutions[i]),
            ));
        }
        if sys.other_assets[i] < cash {
            return Err(NetworkError::invalid(
                "other_assets",
                format!(
                    "institution `{}`: non-tradable assets {} are below the cash share {} of total assets {total}",
                    sys.institutions[i], sys.other_assets[i], params.cash_share
                ),
            ));
        }
        if liability < 0.0 {
            return Err(NetworkError::invalid(
                "equity",
                format!(
                    "institution `{}`: equity {} exceeds total assets {total}",
                    sys.institutions[i], sys.equity[i]
                ),
            ));
        }
        let loan = liability * params.loan_share;
        books.push(Books {
            cash,
            units: sys.holdings[i].clone(),
            for_sale: vec![0.0; m],
            // `other_asset = asset - debt_sec - cash`: the tradables are debt_sec.
            other: sys.other_assets[i] - cash,
            loan,
            other_liability: liability - loan,
            alive: true,
            trigger_default: false,
            default_round: None,
        });
    }
    // `apply_initial_shock`: `price * (1.0 - fraction)`.
    let mut market = Market {
        price: params.shock.iter().map(|s| 1.0 + s).collect(),
        cap: sys.depth.clone(),
        beta: params.beta(),
        pending: vec![0.0; m],
        cumulative: vec![0.0; m],
        orders: Vec::new(),
    };
    let total_cap: f64 = sys.depth.iter().sum();
    let record = |round: usize,
                  defaulted: Vec<usize>,
                  delevering: usize,
                  sold: Vec<f64>,
                  market: &Market,
                  books: &[Books]| {
        FireSaleRound {
            round,
            defaults: defaulted.len(),
            defaulted: defaulted.iter().map(|&i| sys.institutions[i].clone()).collect(),
            delevering,
            sold,
            prices: market.price.clone(),
            sold_fraction: market.cumulative.iter().sum::<f64>() / total_cap,
            equity: books.iter().map(|b| b.equity(&market.price)).collect(),
            leverage_ratio: books.iter().map(|b| b.equity(&market.price) / b.assets(&market.price)).collect(),
        }
    };
    let mut rounds = vec![record(0, Vec::new(), 0, vec![0.0; m], &market, &books)];
    for round in 1..=params.rounds {
        // 1. step: last round's defaults put everything up for sale.
        for (i, b) in books.iter_mut().enumerate() {
            if b.trigger_default {
                b.trigger_default = false;
                if params.defaulted_sell_all {
                    market.sell_proportionally(i, b, None);
                }
            }
        }
        // 2. clear.
        let mut sold = market.clear(&mut books, params.execution);
        // 3. act.
        let (mut defaulted, mut delevering) = (Vec::new(), 0);
        for (i, b) in books.iter_mut().enumerate() {
            if !b.alive {
                continue;
            }
            let assets = b.assets(&market.price);
            let equity = assets - (b.loan + b.other_liability);
            let ratio = equity / assets;
            if ratio < params.leverage_min {
                b.alive = false;
                b.trigger_default = true;
                b.default_round = Some(round);
                defaulted.push(i);
                continue;
            }
            // `BankLeverageConstraint.get_amount_to_delever`.
            let mut to_delever = if ratio < params.leverage_buffer {
                (equity / ratio - equity / params.leverage_target).max(0.0)
            } else {
                0.0
            };
            // `do_delever`: cash repays the loan first, sales raise the rest.
            let mut balance = b.cash;
            if to_delever > 0.0 {
                let paid = repay_loan(b, to_delever.min(balance));
                balance -= paid;
                to_delever -= paid;
            }
            if balance < to_delever && market.sell_proportionally(i, b, Some(to_delever - balance)) {
                delevering += 1;
            }
        }
        if params.clearing == ClearingTiming::SameRound {
            let again = market.clear(&mut books, params.execution);
            sold.iter_mut().zip(again).for_each(|(s, a)| *s += a);
        }
        rounds.push(record(round, defaulted, delevering, sold, &market, &books));
    }
    let defaults_per_round: Vec<usize> = rounds.iter().map(|r| r.defaults).collect();
    let total_defaults: usize = defaults_per_round.iter().sum();
    let share = total_defaults as f64 / n as f64;
    let institutions = books
        .iter()
        .zip(&sys.institutions)
        .map(|(b, name)| InstitutionOutcome {
            name: name.clone(),
            default_round: b.default_round,
            equity: b.equity(&market.price),
            assets: b.assets(&market.price),
            cash: b.cash,
            loan: b.loan,
            holdings: b.units.clone(),
        })
        .collect();
    Ok(FireSaleOutcome {
        beta: market.beta,
        rounds,
        defaults_per_round,
        total_defaults,
        eose: if share < params.eose_threshold { 0.0 } else { share },
        final_prices: market.price,
        total_sold: market.cumulative,
        institutions,
    })
}
