//! The event log and outcome of a cascade run, and the first-/second-order summary.
//!
//! Every mode produces the same [`LiquidationEvent`] log; every analysis reads it. The
//! [`Outcome`] aggregates one run; [`CascadeReport`] pairs the run with its counterfactual (the
//! same shock with liquidation orders that move no price) and derives the [`Summary`] that the
//! CLI prints and serialises.

use serde::Serialize;

/// What happened to a liquidated position (or to the fund) in one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The IOC liquidation order filled in the book (at or better than bankruptcy).
    MarketFill,
    /// The part the book could not absorb, taken over by the insurance fund at bankruptcy.
    FundTakeover,
    /// The whole unit taken over by the backstop (Hyperliquid: equity < 2/3 of maintenance).
    Backstop,
    /// Closed against an opposite position by auto-deleveraging, at bankruptcy.
    Adl,
    /// Equity left after a full liquidation, paid to the fund (Binance, Bybit).
    SurplusToFund,
    /// Negative equity left after a liquidation, covered by the fund.
    FundCover,
    /// Collateral converted against the negative wallet of a liquidated cross account and sold
    /// into its market (the collateral channel): `qty` sold (negative), `price` its average,
    /// `notional_usd` the proceeds, `fund_flow_usd` proceeds less the wallet's credit.
    CollateralSale,
    /// Binance multi-assets auto-exchange: a cross wallet below the threshold converted against
    /// collateral, outside any liquidation; fields as for `CollateralSale`.
    AutoExchange,
    /// Lending protocol (`aave-v3`): a liquidator repaid debt and seized this collateral plus
    /// the bonus (`liquidation_fee_usd`; the protocol fee is `fund_flow_usd`).
    CollateralSeizure,
}

/// One liquidation event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiquidationEvent {
    /// Instant mode: round of the cascade (0 = the shock's own liquidations). Path mode: 0 if the
    /// unit is also liquidated on the exogenous path alone (first-order), else 1.
    pub generation: u32,
    /// Seconds since the start of the run (round or step × its duration).
    pub time_s: f64,
    /// Account index in the scenario.
    pub account: u32,
    pub market: u16,
    /// Whether the liquidated unit was an isolated position (else the cross wallet).
    pub isolated: bool,
    pub kind: EventKind,
    /// Signed change of the liquidated account's position, lots (−5 = five lots sold).
    pub lots: i64,
    /// Signed change in base units.
    pub qty: f64,
    /// Average fill or transfer price.
    pub price: f64,
    /// |qty| × price, USD.
    pub notional_usd: f64,
    /// Mark at the start of the round.
    pub mark: f64,
    /// Bankruptcy price of the unit when the step started.
    pub bankruptcy_price: f64,
    /// Liquidation fee charged to the account, USD (paid to the fund).
    pub liquidation_fee_usd: f64,
    /// Flow into the fund, USD: fee and surplus in, cover out; for a takeover, the fund's
    /// immediate mark-to-market gain (negative = loss) on the inventory it took.
    pub fund_flow_usd: f64,
    /// The ADL counterparty account, for `Adl` events.
    pub counterparty: Option<u32>,
    /// Multi-venue scenarios: whose flow moved the price that put this position under
    /// maintenance (`crate::attribution`); absent for a single venue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<EventCause>,
}

/// What caused a liquidation in a multi-venue scenario: the exogenous shock (an index move), or
/// the forced flow of one venue (its own book, or the index its arbitrageurs' hedges moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventCause {
    Exogenous,
    /// Venue index (`Outcome::venues[i]`).
    Venue(u16),
}

/// Per-market outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketOutcome {
    pub symbol: String,
    /// Multi-venue scenarios: the venue the market is listed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    pub mark_start: f64,
    /// Mark after the exogenous shock alone (before any liquidation).
    pub mark_after_shock: f64,
    pub mark_end: f64,
    /// Lowest mark seen during the run.
    pub mark_trough: f64,
    /// Highest mark seen during the run.
    pub mark_peak: f64,
    /// Liquidated notional (USD) by generation.
    pub notional_by_generation: Vec<f64>,
    pub liquidated_notional_usd: f64,
    pub adl_notional_usd: f64,
    /// Value of taken-over inventory the fund sent back into the book, USD.
    pub fund_unwind_usd: f64,
    /// P&L the fund realised on what it sent back, against its takeover cost, USD.
    pub fund_unwind_pnl_usd: f64,
    /// The shortfall ADL had to cover in this market, USD.
    pub adl_deficit_usd: f64,
    /// ADL notional closed beyond that deficit, USD.
    pub adl_overshoot_usd: f64,
    /// Proceeds of collateral priced in this market sold into the market (conversions against
    /// negative wallets, auto-exchange), USD.
    pub collateral_sold_usd: f64,
    /// The fund's inventory after the run, lots (signed).
    pub fund_inventory_lots: i64,
    /// Index price at the start and at the end of the run.
    pub index_start: f64,
    pub index_end: f64,
    /// Perp book mid against the index at the end, basis points ((mid − index) / index × 10⁴).
    pub basis_end_bps: f64,
    /// USD of perp the arbitrageurs bought and sold (their spot hedges are in `Outcome::spot`).
    pub arb_perp_bought_usd: f64,
    pub arb_perp_sold_usd: f64,
    /// The first time a walk emptied a side of this market's book, if one did.
    pub book_exhausted: Option<BookExhaustion>,
    /// Path runs with `funding.accrue`: the rate applied at each funding time the run crossed
    /// (fraction; positive = longs paid shorts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub funding_rates: Vec<f64>,
    /// Path runs with `funding.accrue`: funding paid by each holder group over the run, USD
    /// (negative = received; the groups sum to zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding_paid_usd: Option<crate::funding::FundingPaid>,
    /// USD of spot the perp's makers sent to hedge their inventory (both directions;
    /// [`crate::maker_hedge`]).
    pub maker_hedge_usd: f64,
}

/// A side of a perp book emptied by the run's flow: beyond the last level there is no depth,
/// orders stop filling (the rest goes to the backstop) and the mid quotes the deepest level, so
/// prices after this point are a floor of the model, not a market's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct BookExhaustion {
    /// `sell` = the bids ran out, `buy` = the asks did.
    pub side: liq_domain::Side,
    /// Round or step in which it first happened, and its time.
    pub round: u32,
    pub time_s: f64,
    /// The price the book quotes beyond its last level (its deepest level), USD.
    pub quote_beyond_usd: f64,
}

/// Per-spot-market outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpotOutcome {
    /// `exchange:symbol`.
    pub name: String,
    /// Index of the perp market whose asset it trades.
    pub market: usize,
    pub price_start: f64,
    pub price_end: f64,
    /// USD the arbitrageurs traded on it (hedges of their perp fills).
    pub arb_traded_usd: f64,
    /// USD the perp makers' hedgers traded on it.
    pub maker_hedge_usd: f64,
}

/// The result of one cascade run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub with_impact: bool,
    pub events: Vec<LiquidationEvent>,
    /// Rounds in which liquidations happened.
    pub rounds: u32,
    pub round_cap_hit: bool,
    pub markets: Vec<MarketOutcome>,
    pub accounts_liquidated: u64,
    pub insurance_fund_start_usd: f64,
    /// Fund equity at the end: cash + inventory at the end marks + seized collateral.
    pub insurance_fund_end_usd: f64,
    pub insurance_fund_min_usd: f64,
    pub adl_notional_usd: f64,
    /// The shortfall ADL had to cover, USD: the loss against the mark, at bankruptcy, of the lots
    /// handed to ADL.
    pub adl_deficit_usd: f64,
    /// ADL overshoot: notional closed by ADL beyond that deficit, USD (`Σ max(0, notional −
    /// deficit)` per hand-over).
    pub adl_overshoot_usd: f64,
    /// Proceeds of collateral sold into the markets, USD (the collateral channel's flow).
    pub collateral_sold_usd: f64,
    /// ADL closes, one per counterparty position and hand-over (the counterparties are in the
    /// event log).
    pub adl_counterparties: u64,
    /// P&L the fund realised unwinding its taken-over inventory, USD (the unsold rest is in the
    /// fund's end equity at the end marks).
    pub fund_unwind_pnl_usd: f64,
    /// dYdX: liquidation orders that left lots for the next round (block).
    pub liquidation_retries: u64,
    /// Loss no one covers: the fund's negative equity at the end marks, after fees, surplus,
    /// takeovers and ADL.
    pub bad_debt_usd: f64,
    pub liquidation_fees_usd: f64,
    /// Change of the equity of all accounts together (USD, at the end marks, collateral without
    /// haircut): the aggregate book's P&L over the run.
    pub accounts_equity_change_usd: f64,
    /// Seconds per round or step.
    pub step_s: f64,
    /// Marks per round/step, if kept: `[step][market]`.
    pub mark_path: Vec<Vec<f64>>,
    /// Fund equity per round/step, if kept.
    pub fund_path: Vec<f64>,
    /// Spot markets (empty for a static index).
    pub spot: Vec<SpotOutcome>,
    /// Equity change of the arbitrageurs (perp and spot legs at the end prices), USD.
    pub arbitrage_equity_change_usd: f64,
    /// Index per round/step, if kept: `[step][market]`.
    pub index_path: Vec<Vec<f64>>,
    /// The itemised ledger (runs that keep their events; Monte Carlo paths do not).
    pub ledger: Option<crate::ledger_report::Ledger>,
    /// Multi-venue scenarios: one row per venue (absent for a single venue, whose row would be
    /// the totals above).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub venues: Vec<VenueOutcome>,
    /// What each non-liquidation flow channel traded (empty when the scenario has none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<crate::flows::ChannelTotals>,
    /// Every flow trade, for runs that keep their events.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flow_events: Vec<crate::flows::FlowEvent>,
    /// One line per market and funding time the run crossed (path runs with `funding.accrue`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub funding: Vec<crate::funding::FundingEvent>,
    /// What the desk's hedge of its own book did (`stress --hedge`; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desk_hedge: Option<crate::flows::desk_hedge::DeskHedgeOutcome>,
}

/// One venue's part of a multi-venue run. The system totals are the `Outcome`'s own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueOutcome {
    pub name: String,
    pub preset: liq_domain::VenuePreset,
    /// Indices of the venue's markets in `Outcome::markets`.
    pub markets: Vec<usize>,
    pub liquidated_notional_usd: f64,
    /// Generation-0 liquidated notional of the venue's markets.
    pub first_generation_notional_usd: f64,
    pub adl_notional_usd: f64,
    /// The venue's own fund: equity at the start, lowest, at the end; drawdown = start − min.
    pub insurance_fund_start_usd: f64,
    pub insurance_fund_min_usd: f64,
    pub insurance_fund_end_usd: f64,
    pub fund_drawdown_usd: f64,
    /// The venue fund's negative equity at the end.
    pub bad_debt_usd: f64,
    /// The venue's liquidated notional by cause (`crate::attribution`): the exogenous shock first,
    /// then each venue whose flow caused some of it.
    pub notional_by_cause: Vec<CauseNotional>,
}

/// Liquidated notional attributed to one cause.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CauseNotional {
    pub cause: EventCause,
    pub notional_usd: f64,
}

/// The per-venue rows of a run (empty for a single venue).
pub(crate) fn venue_outcomes(
    model: &crate::model::EngineModel,
    markets: &[MarketOutcome],
    cause_notional: &[f64],
    fund_start: &[f64],
    fund_min: &[f64],
    fund_end: &[f64],
) -> Vec<VenueOutcome> {
    if !model.is_multi_venue() {
        return Vec::new();
    }
    let n_v = model.n_venues();
    (0..n_v)
        .map(|v| {
            let ks: Vec<usize> = (0..markets.len()).filter(|&k| model.market_venue(k) == v).collect();
            // A fold from +0.0: an empty sum of f64 is −0.0, which would print as "$-0.00".
            let sum = |f: &dyn Fn(&MarketOutcome) -> f64| ks.iter().fold(0.0, |a, &k| a + f(&markets[k]));
            let end = fund_end[v];
            let min = fund_min[v].min(end);
            VenueOutcome {
                name: model.venues[v].name.clone(),
                preset: model.venues[v].preset,
                liquidated_notional_usd: sum(&|m| m.liquidated_notional_usd),
                first_generation_notional_usd: sum(&|m| {
                    m.notional_by_generation.first().copied().unwrap_or(0.0)
                }),
                adl_notional_usd: sum(&|m| m.adl_notional_usd),
                insurance_fund_start_usd: fund_start[v],
                insurance_fund_min_usd: min,
                insurance_fund_end_usd: end,
                fund_drawdown_usd: positive_part(fund_start[v] - min),
                bad_debt_usd: positive_part(-end),
                notional_by_cause: (0..=n_v)
                    .filter_map(|c| {
                        let x = cause_notional[v * (n_v + 1) + c];
                        (x > 0.0).then_some(CauseNotional {
                            cause: if c == 0 {
                                EventCause::Exogenous
                            } else {
                                EventCause::Venue((c - 1) as u16)
                            },
                            notional_usd: x,
                        })
                    })
                    .collect(),
                markets: ks,
            }
        })
        .collect()
}

impl Outcome {
    /// Total liquidated notional, USD.
    pub fn liquidated_notional_usd(&self) -> f64 {
        self.markets.iter().map(|m| m.liquidated_notional_usd).sum()
    }

    /// Liquidated notional of generation 0, USD.
    pub fn first_generation_notional_usd(&self) -> f64 {
        self.markets.iter().map(|m| m.notional_by_generation.first().copied().unwrap_or(0.0)).sum()
    }

    /// Notional, accounts and events per generation.
    pub fn generations(&self) -> Vec<GenerationRow> {
        let n = self.markets.iter().map(|m| m.notional_by_generation.len()).max().unwrap_or(0);
        let mut rows: Vec<GenerationRow> = (0..n)
            .map(|g| GenerationRow {
                generation: g as u32,
                notional_usd: self
                    .markets
                    .iter()
                    .map(|m| m.notional_by_generation.get(g).copied().unwrap_or(0.0))
                    .sum(),
                accounts: 0,
                events: 0,
            })
            .collect();
        let mut seen: Vec<(u32, u32)> = Vec::new();
        for e in &self.events {
            if let Some(r) = rows.get_mut(e.generation as usize) {
                r.events += 1;
            }
            if e.kind.liquidates() {
                seen.push((e.generation, e.account));
            }
        }
        seen.sort_unstable();
        seen.dedup();
        for (g, _) in seen {
            if let Some(r) = rows.get_mut(g as usize) {
                r.accounts += 1;
            }
        }
        rows
    }
}

impl EventKind {
    /// Whether the event closes part of a liquidated position (counts as liquidated notional).
    pub fn liquidates(self) -> bool {
        matches!(
            self,
            EventKind::MarketFill
                | EventKind::FundTakeover
                | EventKind::Backstop
                | EventKind::Adl
                | EventKind::CollateralSeizure
        )
    }
}

/// One generation's totals.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GenerationRow {
    pub generation: u32,
    pub notional_usd: f64,
    /// Accounts with a liquidation in this generation.
    pub accounts: u64,
    pub events: u64,
}

/// The headline numbers.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Generation-0 liquidated notional: what the shock alone liquidates at unchanged prices.
    pub first_order_notional_usd: f64,
    /// Everything the feedback loop added (later generations).
    pub second_order_notional_usd: f64,
    pub liquidated_notional_usd: f64,
    /// Total / first-order (infinite, written `"inf"`, when nothing was first-order).
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub amplification: f64,
    /// Liquidated notional of the counterfactual run in which liquidations move no price.
    pub counterfactual_notional_usd: f64,
    /// Total / counterfactual: the split measured the second way.
    #[serde(with = "liq_domain::serde_num::finite_or_str")]
    pub counterfactual_amplification: f64,
    pub accounts_liquidated: u64,
    pub rounds: u32,
    pub round_cap_hit: bool,
    pub insurance_fund_start_usd: f64,
    pub insurance_fund_end_usd: f64,
    pub adl_notional_usd: f64,
    /// The shortfall ADL had to cover, USD.
    pub adl_deficit_usd: f64,
    /// ADL overshoot: notional closed by ADL beyond the deficit it had to cover, USD. The
    /// notional ADL closes is fixed by what the backstop could not absorb, so the overshoot is
    /// the same under either ADL policy; who bears it differs (`adl_counterparties`).
    pub adl_overshoot_usd: f64,
    /// ADL closes, one per counterparty position and hand-over.
    pub adl_counterparties: u64,
    /// Proceeds of collateral sold into the markets, USD.
    pub collateral_sold_usd: f64,
    pub bad_debt_usd: f64,
}

/// Per-market headline row.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MarketRow {
    pub symbol: String,
    /// Multi-venue scenarios: the venue the market is listed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    pub mark_start: f64,
    pub mark_after_shock: f64,
    pub mark_end: f64,
    /// mark_end / mark_after_shock − 1: how far the cascade pushed past the shock (an instant
    /// shock; in a path run the after-shock mark is the first step's, so this includes the
    /// rest of the scripted path: read the two fields below).
    pub overshoot: f64,
    /// The exogenous move alone: the no-impact counterfactual's end mark / start mark − 1 (the
    /// scripted move of a path run, the shock of an instant run).
    pub exogenous_move: f64,
    /// mark_end / the counterfactual's end mark − 1: how far the feedback took the price beyond
    /// the exogenous move (signed; negative = further down).
    pub overshoot_beyond_exogenous: f64,
    pub first_order_notional_usd: f64,
    pub second_order_notional_usd: f64,
    pub liquidated_notional_usd: f64,
    pub counterfactual_notional_usd: f64,
    pub adl_notional_usd: f64,
    pub adl_deficit_usd: f64,
    pub adl_overshoot_usd: f64,
    pub collateral_sold_usd: f64,
    /// The index at the start and end, and the perp's basis against it at the end (bps).
    pub index_start: f64,
    pub index_end: f64,
    pub basis_end_bps: f64,
    /// USD of perp the arbitrageurs bought and sold (hedged on spot).
    pub arb_perp_bought_usd: f64,
    pub arb_perp_sold_usd: f64,
    /// When a side of the book ran out, if it did (prices beyond are the model's floor).
    pub book_exhausted: Option<BookExhaustion>,
    /// Path runs with `funding.accrue`: the rate applied at each funding time crossed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funding_rates: Vec<f64>,
    /// Path runs with `funding.accrue`: net funding paid per holder group, USD (negative =
    /// received; the groups sum to zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding_paid_usd: Option<crate::funding::FundingPaid>,
    /// USD of spot the perp's makers sent to hedge their inventory.
    pub maker_hedge_usd: f64,
}

/// Per-venue headline row of a multi-venue run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueRow {
    pub name: String,
    pub preset: liq_domain::VenuePreset,
    pub first_order_notional_usd: f64,
    pub second_order_notional_usd: f64,
    pub liquidated_notional_usd: f64,
    /// The venue's liquidated notional when liquidations move no price.
    pub counterfactual_notional_usd: f64,
    /// Start equity of the venue's fund minus its lowest equity in the run.
    pub fund_drawdown_usd: f64,
    pub insurance_fund_end_usd: f64,
    pub adl_notional_usd: f64,
    pub bad_debt_usd: f64,
    /// The venue's liquidated notional by cause: the exogenous shock, or a venue's flow.
    pub notional_by_cause: Vec<CauseNotional>,
}

/// A run, its counterfactual and the derived summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CascadeReport {
    /// The run followed an exogenous path (`Cascade::report_path`: a scripted crash, a replay, a
    /// Monte Carlo path) rather than an instant shock.
    #[serde(skip)]
    pub path_run: bool,
    pub summary: Summary,
    pub markets: Vec<MarketRow>,
    pub generations: Vec<GenerationRow>,
    /// Multi-venue scenarios: the headline numbers per venue (the summary is the system's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub venues: Vec<VenueRow>,
    pub outcome: Outcome,
    pub counterfactual: Outcome,
}

fn ratio(total: f64, base: f64) -> f64 {
    if base > 0.0 {
        total / base
    } else if total > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

impl CascadeReport {
    pub fn new(outcome: Outcome, counterfactual: Outcome) -> CascadeReport {
        let total = outcome.liquidated_notional_usd();
        let first = outcome.first_generation_notional_usd();
        let cf = counterfactual.liquidated_notional_usd();
        let summary = Summary {
            first_order_notional_usd: first,
            // Never below zero: generations ≥ 1 add to generation 0 (rounding aside).
            second_order_notional_usd: positive_part(total - first),
            liquidated_notional_usd: total,
            amplification: ratio(total, first),
            counterfactual_notional_usd: cf,
            counterfactual_amplification: ratio(total, cf),
            accounts_liquidated: outcome.accounts_liquidated,
            rounds: outcome.rounds,
            round_cap_hit: outcome.round_cap_hit,
            insurance_fund_start_usd: outcome.insurance_fund_start_usd,
            insurance_fund_end_usd: outcome.insurance_fund_end_usd,
            adl_notional_usd: outcome.adl_notional_usd,
            adl_deficit_usd: outcome.adl_deficit_usd,
            adl_overshoot_usd: outcome.adl_overshoot_usd,
            adl_counterparties: outcome.adl_counterparties,
            collateral_sold_usd: outcome.collateral_sold_usd,
            bad_debt_usd: outcome.bad_debt_usd,
        };
        let markets = outcome
            .markets
            .iter()
            .zip(&counterfactual.markets)
            .map(|(m, c)| {
                let first = m.notional_by_generation.first().copied().unwrap_or(0.0);
                MarketRow {
                    symbol: m.symbol.clone(),
                    venue: m.venue.clone(),
                    mark_start: m.mark_start,
                    mark_after_shock: m.mark_after_shock,
                    mark_end: m.mark_end,
                    overshoot: m.mark_end / m.mark_after_shock - 1.0,
                    exogenous_move: c.mark_end / c.mark_start - 1.0,
                    overshoot_beyond_exogenous: m.mark_end / c.mark_end - 1.0,
                    first_order_notional_usd: first,
                    second_order_notional_usd: positive_part(m.liquidated_notional_usd - first),
                    liquidated_notional_usd: m.liquidated_notional_usd,
                    counterfactual_notional_usd: c.liquidated_notional_usd,
                    adl_notional_usd: m.adl_notional_usd,
                    adl_deficit_usd: m.adl_deficit_usd,
                    adl_overshoot_usd: m.adl_overshoot_usd,
                    collateral_sold_usd: m.collateral_sold_usd,
                    index_start: m.index_start,
                    index_end: m.index_end,
                    basis_end_bps: m.basis_end_bps,
                    arb_perp_bought_usd: m.arb_perp_bought_usd,
                    arb_perp_sold_usd: m.arb_perp_sold_usd,
                    book_exhausted: m.book_exhausted,
                    funding_rates: m.funding_rates.clone(),
                    funding_paid_usd: m.funding_paid_usd,
                    maker_hedge_usd: m.maker_hedge_usd,
                }
            })
            .collect();
        let generations = outcome.generations();
        let venues = outcome
            .venues
            .iter()
            .zip(&counterfactual.venues)
            .map(|(v, c)| VenueRow {
                name: v.name.clone(),
                preset: v.preset,
                first_order_notional_usd: v.first_generation_notional_usd,
                second_order_notional_usd: positive_part(
                    v.liquidated_notional_usd - v.first_generation_notional_usd,
                ),
                liquidated_notional_usd: v.liquidated_notional_usd,
                counterfactual_notional_usd: c.liquidated_notional_usd,
                fund_drawdown_usd: v.fund_drawdown_usd,
                insurance_fund_end_usd: v.insurance_fund_end_usd,
                adl_notional_usd: v.adl_notional_usd,
                bad_debt_usd: v.bad_debt_usd,
                notional_by_cause: v.notional_by_cause.clone(),
            })
            .collect();
        CascadeReport { path_run: false, summary, markets, generations, venues, outcome, counterfactual }
    }
}

/// `max(x, 0)` with a positive zero: `f64::max(-0.0, 0.0)` may return either zero (it did differ
/// between debug and release builds), and a sum over no events is −0.0, so an empty figure could
/// print as −0 in one build and 0 in another.
fn positive_part(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

#[cfg(test)]
mod positive_part_tests {
    #[test]
    fn an_empty_sum_gives_a_positive_zero() {
        let empty: f64 = Vec::<f64>::new().iter().sum();
        let x = super::positive_part(empty - 0.0);
        assert!(x == 0.0 && x.is_sign_positive(), "{x:?}");
        assert_eq!(super::positive_part(-3.5), 0.0);
        assert_eq!(super::positive_part(2.25), 2.25);
        assert!(super::positive_part(f64::NAN) == 0.0);
    }
}
