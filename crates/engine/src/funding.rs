//! Funding on a time-stepped run: the premium sampled on each venue's clock, the rate at each
//! funding time the run crosses, and the payments between every holder of the perp.
//!
//! Owns [`FundingState`] (per run, in the [`Workspace`]) and the accrual step the cascade loop
//! calls after each round's marks. The formulas (premium index, averaging, clamp, cap) are
//! `liq_margin::funding`'s.
//!
//! **Money.** At a funding time every open position pays `rate × size × price` (longs pay
//! shorts when the rate is positive; the price is the mark, or the oracle where the venue says
//! so). Each holder's payment is rounded to a whole micro-dollar: accounts (their cross wallet or
//! isolated margin), the insurance fund's taken-over inventory (fund cash), the arbitrageurs
//! (their cash), the book-shock seller and the flow holders (leveraged tokens, dealers, stop
//! owners: their cost basis). The book's makers hold whatever the others do not (open interest
//! long = short), so they pay exactly minus the sum of every other payment: the rounding
//! residual, at most half a micro-dollar per position, lands on them and the payments sum to
//! zero exactly (the ledger proptests check it).
//!
//! **The interval before the run.** A funding time averages the premium over the whole
//! interval, most of which may lie before the run. That part is filled with the premium the
//! last published rate implies (`last_funding_rate`, inverted through the rate formula: the
//! rate itself in the venue's rate units), so a path whose premium stays at that level pays
//! exactly the last rate again; DESIGN.md ("Funding on a path") argues it.
//!
//! A round-based instant run has no clock and so no funding: only path runs accrue.

use crate::ledger::Workspace;
use crate::model::{EngineModel, Unit};
use liq_impact::PriceImpact;
use liq_margin::funding::{self as rules, FundingRule, PremiumAverage, RateUnits, EIGHT_HOURS_S};
use serde::{Deserialize, Serialize};

/// Net funding paid by each holder group in one market (USD; negative = received). The groups
/// sum to zero (exactly, in micro-dollars).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FundingPaid {
    pub accounts_usd: f64,
    pub makers_usd: f64,
    pub fund_usd: f64,
    pub arbitrageurs_usd: f64,
    pub book_shock_seller_usd: f64,
    /// Leveraged tokens, dealers and stop owners together.
    pub flow_holders_usd: f64,
}

/// One funding time of one market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundingEvent {
    /// Seconds since the start of the run.
    pub time_s: f64,
    pub market: usize,
    /// Average premium index over the interval, including the part before the run.
    pub premium_avg: f64,
    /// The rate paid (fraction of notional; positive = longs pay shorts).
    pub rate: f64,
    /// Price the notional was taken at (mark, or oracle on Hyperliquid and dYdX).
    pub price: f64,
    /// Sum of the payments longs made (USD; negative = longs received).
    pub longs_paid_usd: f64,
    pub paid: FundingPaid,
}

/// Micro-USD per holder group, in [`FundingPaid`]'s order.
type Micros = [i64; 6];

/// A market's funding time being settled: its rate, the price, micro-USD per lot, and what the
/// accounts (and among them the longs) paid.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Due {
    rate: f64,
    premium_avg: f64,
    price: f64,
    per_lot: f64,
    accounts: i64,
    longs: i64,
}

/// Per-run funding state.
#[derive(Debug, Clone, Default)]
pub struct FundingState {
    /// Whether this run accrues (a path run of a scenario with `funding.accrue`).
    pub(crate) on: bool,
    /// Per market: the venue's rule for the contract (cap overridden by `funding.cap`).
    rule: Vec<FundingRule>,
    cap_override: Vec<Option<f64>>,
    /// Per market: the current interval's running premium average and its start (s).
    avg: Vec<PremiumAverage>,
    /// Per venue: the next funding time and the interval's start (s since the run's start).
    next_s: Vec<f64>,
    anchor_s: Vec<f64>,
    /// Per market: micro-USD paid by each holder group over the run, and the rates applied.
    paid: Vec<Micros>,
    pub(crate) rates: Vec<Vec<f64>>,
    pub(crate) events: Vec<FundingEvent>,
    /// Per market: the funding time being settled (scratch, so settling allocates nothing).
    due: Vec<Option<Due>>,
}

/// Refuses a funding clock accrual cannot run on (a domain-built scenario; the file reader
/// refuses the same with its line).
pub(crate) fn validate(f: &liq_domain::FundingSpec) -> Result<(), crate::model::EngineError> {
    if !f.accrue {
        return Ok(());
    }
    if !(f.interval_s.is_finite() && f.interval_s >= rules::MIN_ACCRUAL_INTERVAL_S) {
        return Err(crate::model::EngineError::invalid(
            "funding.interval_s",
            format!(
                "with accrue = true must be at least {} s, got {}",
                rules::MIN_ACCRUAL_INTERVAL_S,
                f.interval_s
            ),
        ));
    }
    if !(f.time_to_next_s.is_finite() && f.time_to_next_s >= 0.0) {
        return Err(crate::model::EngineError::invalid(
            "funding.time_to_next_s",
            format!("must be finite and non-negative, got {}", f.time_to_next_s),
        ));
    }
    if let Some(c) = f.cap {
        if !(c.is_finite() && c >= 0.0) {
            return Err(crate::model::EngineError::invalid("funding.cap", format!("must be ≥ 0, got {c}")));
        }
    }
    Ok(())
}

impl FundingState {
    pub(crate) fn new(model: &EngineModel) -> FundingState {
        let n_m = model.n_markets();
        let rule = (0..n_m)
            .map(|k| {
                let v = model.market_venue(k);
                let t = model.markets[k].ladder.tier(0.0);
                let imr = if t.max_leverage > 0.0 { 1.0 / t.max_leverage } else { 0.0 };
                rules::venue_funding_rule(model.venues[v].preset, imr, t.mmr)
            })
            .collect();
        FundingState {
            rule,
            cap_override: (0..n_m).map(|k| model.price.funding[model.market_venue(k)].cap).collect(),
            avg: vec![PremiumAverage::default(); n_m],
            next_s: vec![0.0; model.n_venues()],
            anchor_s: vec![0.0; model.n_venues()],
            paid: vec![[0; 6]; n_m],
            rates: vec![Vec::new(); n_m],
            due: vec![None; n_m],
            ..Default::default()
        }
    }

    /// The premium the last published rate implies, in the rule's premium units: the rate
    /// itself for a per-interval rate, scaled back to 8 hours for a scaled one.
    fn implied_premium(&self, k: usize, last_rate: f64, interval_s: f64) -> f64 {
        match self.rule[k].units {
            RateUnits::IntervalRate => last_rate,
            RateUnits::EightHourRateScaled => last_rate * EIGHT_HOURS_S / interval_s,
        }
    }

    /// The rate at a funding time from the interval's average premium.
    fn rate(&self, k: usize, interval_s: f64) -> f64 {
        let avg = self.avg[k].value();
        match self.cap_override[k] {
            None => rules::funding_rate(&self.rule[k], avg, interval_s),
            Some(cap) => {
                let r = FundingRule { cap: f64::INFINITY, ..self.rule[k] };
                rules::funding_rate(&r, avg, interval_s).clamp(-cap, cap)
            }
        }
    }

    /// Per market: funding paid by each holder group over the run (USD), when the run accrued.
    pub(crate) fn paid_usd(&self, k: usize) -> Option<FundingPaid> {
        if !self.on {
            return None;
        }
        let p = self.paid[k];
        let u = |x: i64| x as f64 * 1e-6;
        Some(FundingPaid {
            accounts_usd: u(p[0]),
            makers_usd: u(p[1]),
            fund_usd: u(p[2]),
            arbitrageurs_usd: u(p[3]),
            book_shock_seller_usd: u(p[4]),
            flow_holders_usd: u(p[5]),
        })
    }
}

impl Workspace {
    /// Starts a run's funding: on for a path run of a scenario that accrues; each interval's
    /// part before the run filled from the last published rate.
    pub(crate) fn start_funding(&mut self, model: &EngineModel, path_run: bool) {
        let pm = &model.price;
        let f = &mut self.funding;
        f.on = path_run && pm.funding.iter().any(|s| s.accrue && s.interval_s > 0.0);
        f.events.clear();
        f.paid.iter_mut().for_each(|p| *p = [0; 6]);
        f.rates.iter_mut().for_each(Vec::clear);
        if !f.on {
            return;
        }
        for (v, spec) in pm.funding.iter().enumerate() {
            f.next_s[v] =
                if spec.accrue && spec.interval_s > 0.0 { spec.time_to_next_s } else { f64::INFINITY };
            f.anchor_s[v] = spec.time_to_next_s - spec.interval_s;
        }
        for k in 0..model.n_markets() {
            let v = model.market_venue(k);
            let spec = pm.funding[v];
            f.avg[k] = PremiumAverage::default();
            if !spec.accrue || spec.interval_s <= 0.0 {
                continue;
            }
            let r = f.rule[k];
            let before = ((spec.interval_s - spec.time_to_next_s) / r.sample_s + 1e-9).floor() as u64;
            let p = f.implied_premium(k, pm.last_funding_rate[k], spec.interval_s);
            f.avg[k].push_n(r.averaging, p, before);
        }
    }

    /// After a round's marks (the clock at `price.t_s`): samples each market's premium on its
    /// venue's clock and settles every funding time the clock has reached. Allocation-free but
    /// for the funding times themselves (one event per market and time).
    pub(crate) fn funding_tick(&mut self, model: &EngineModel) {
        if !self.funding.on {
            return;
        }
        let t = self.price.t_s;
        for v in 0..model.n_venues() {
            loop {
                let due = self.funding.next_s[v];
                let until = t.min(due);
                self.sample_premiums(model, v, until);
                if t + 1e-9 < due {
                    break;
                }
                let interval = model.price.funding[v].interval_s;
                self.settle_venue(model, v, due, interval);
                self.funding.anchor_s[v] = due;
                self.funding.next_s[v] = due + interval;
            }
        }
    }

    /// Pushes the premium now into each of venue `v`'s markets for the sample times in
    /// `(last sample, until]`.
    fn sample_premiums(&mut self, model: &EngineModel, v: usize, until: f64) {
        let anchor = self.funding.anchor_s[v];
        for k in 0..model.n_markets() {
            if model.market_venue(k) != v {
                continue;
            }
            let r = self.funding.rule[k];
            let target = ((until - anchor) / r.sample_s + 1e-9).floor().max(0.0) as u64;
            let n = self.funding.avg[k].n;
            if target <= n {
                continue;
            }
            // The venues' impact bid/ask (the average fill of an impact notional of 10–25 k USD)
            // are taken as the best bid/ask: the model's books quote that notional within their
            // first levels (docs/venues.md "Funding").
            let tick = model.markets[k].tick_size;
            let (b, a) = self.impact[k].quote_ticks();
            let p = rules::premium_index(b * tick, a * tick, self.index[k]);
            self.funding.avg[k].push_n(r.averaging, p, target - n);
        }
    }

    /// Settles the funding of every market of venue `v` at time `time_s`: one pass over the
    /// accounts' positions for all of them, then each market's other holders and its makers.
    fn settle_venue(&mut self, model: &EngineModel, v: usize, time_s: f64, interval_s: f64) {
        for k in 0..model.n_markets() {
            self.funding.due[k] = None;
            if model.market_venue(k) != v {
                continue;
            }
            let f = &mut self.funding;
            let rate = f.rate(k, interval_s);
            let premium_avg = f.avg[k].value();
            f.avg[k] = PremiumAverage::default();
            let price = if f.rule[k].pays_on_index { self.index[k] } else { self.marks[k] };
            let per_lot = rate * model.markets[k].lot_size * price * 1e6;
            f.due[k] = Some(Due { rate, premium_avg, price, per_lot, accounts: 0, longs: 0 });
        }
        for s in 0..model.n_positions() {
            let lots = self.size[s];
            let k = model.pos_market[s] as usize;
            let Some(d) = self.funding.due[k].as_mut() else { continue };
            let p = (lots as f64 * d.per_lot).round() as i64;
            if p == 0 {
                continue;
            }
            d.accounts += p;
            if lots > 0 {
                d.longs += p;
            }
            let a = model.pos_account[s];
            let unit = if model.pos_isolated[s] {
                self.iso_margin[s] -= p;
                Unit::isolated(s as u32)
            } else {
                self.wallet[a as usize] -= p;
                Unit::cross(a)
            };
            self.touch_account(a);
            // A payer's buffer shrank: check it exactly next round (the static trigger index
            // assumed its starting wallet). A receiver only gained, which the index's early
            // trigger already covers.
            if p > 0 {
                self.recheck_unit(unit);
            }
        }
        for k in 0..model.n_markets() {
            if let Some(d) = self.funding.due[k] {
                self.settle_market(model, k, time_s, d);
            }
        }
    }

    /// Market `k`'s holders other than the accounts (already paid, `d.accounts`), then the makers
    /// with the exact balance; records the event.
    fn settle_market(&mut self, model: &EngineModel, k: usize, time_s: f64, d: Due) {
        let Due { rate, premium_avg, price, per_lot, .. } = d;
        let pay = |lots: i64| -> i64 { (lots as f64 * per_lot).round() as i64 };
        let mut g: Micros = [d.accounts, 0, 0, 0, 0, 0];
        let mut longs = d.longs;
        let other = |lots: i64, slot: usize, g: &mut Micros, longs: &mut i64| -> i64 {
            let p = pay(lots);
            g[slot] += p;
            if lots > 0 {
                *longs += p;
            }
            p
        };
        let fp = other(self.fund_size[k], 2, &mut g, &mut longs);
        self.fund_cash[model.market_venue(k)] -= fp;
        self.fund_flows.funding -= fp;
        let ap = other(self.price.arb_perp_size[k], 3, &mut g, &mut longs);
        self.price.arb_cash -= ap;
        let sp = other(self.price.shock_size[k], 4, &mut g, &mut longs);
        self.price.shock_cost[k] += sp;
        for (i, h) in model.flows.holders.iter().enumerate() {
            if h.market == k {
                let p = other(self.flows.size[i], 5, &mut g, &mut longs);
                self.flows.cost[i] += p;
            }
        }
        // The makers hold the balance of open interest: they pay minus everyone else's payments,
        // which puts the rounding residual on them and makes the sum exactly zero.
        let mp = -(g[0] + g[2] + g[3] + g[4] + g[5]);
        g[1] = mp;
        self.ext_cost[k] += mp;
        if self.ext_size[k] > 0 {
            longs += mp;
        }
        // Binance/Bybit mark P1 reads the latest funding rate.
        self.price.last_funding_rate[k] = rate;
        let f = &mut self.funding;
        for (acc, x) in f.paid[k].iter_mut().zip(g) {
            *acc += x;
        }
        f.rates[k].push(rate);
        let u = |x: i64| x as f64 * 1e-6;
        f.events.push(FundingEvent {
            time_s,
            market: k,
            premium_avg,
            rate,
            price,
            longs_paid_usd: u(longs),
            paid: FundingPaid {
                accounts_usd: u(g[0]),
                makers_usd: u(g[1]),
                fund_usd: u(g[2]),
                arbitrageurs_usd: u(g[3]),
                book_shock_seller_usd: u(g[4]),
                flow_holders_usd: u(g[5]),
            },
        });
    }
}
