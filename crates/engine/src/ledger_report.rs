//! The ledger as the outcome reports it: the insurance fund itemised so that its start plus its
//! items is its end, equity change and position by holder group, open interest by side. Every
//! identity here can be recomputed from `run --json` alone (a test does).

use crate::ledger::Workspace;
use crate::model::EngineModel;
use serde::{Deserialize, Serialize};

/// The insurance fund (or backstop vault) from start to end. Cash items are exact micro-dollars:
/// `start + fees + surplus − cover − below_bankruptcy − collateral_bought + unwind_realised +
/// funding + seized_collateral_sold = cash_end`; then `cash_end + inventory_unrealised +
/// collateral_value = end`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FundLedger {
    pub start_usd: f64,
    pub fees_usd: f64,
    pub surplus_usd: f64,
    pub cover_usd: f64,
    pub below_bankruptcy_usd: f64,
    /// Net cash the fund spent on collateral: credited to negative wallets at the value ratio,
    /// less the proceeds of selling it into the market (negative when the sales raised more).
    pub collateral_bought_usd: f64,
    pub unwind_realised_usd: f64,
    /// Funding the fund's taken-over inventory received less paid (path runs with
    /// `funding.accrue`; absent when zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub funding_usd: f64,
    pub cash_end_usd: f64,
    /// Taken-over inventory still held, at the end marks, less what it cost (at bankruptcy).
    pub inventory_unrealised_usd: f64,
    /// Collateral the fund holds (seized or bought), at the end prices.
    pub collateral_value_usd: f64,
    pub end_usd: f64,
    /// Proceeds of selling the collateral the fund seized through the surplus rule (a cash item;
    /// absent when nothing seized was sold).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seized_collateral_sold_usd: f64,
    /// Those proceeds less the seized collateral's value at the price it was seized at (the
    /// sale's P&L; not a cash item; absent when nothing seized was sold).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seized_collateral_sale_pnl_usd: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// One holder group's equity change over the run and its position per market at the end (lots).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HolderGroup {
    /// `accounts`, `makers`, `spot_makers`, `fund`, `arbitrageurs`, `book_shock_seller`,
    /// `collateral_buyers` (the makers who bought sold collateral), `venue_fees`, and with flows
    /// `leveraged_tokens`, `dealers`, `stop_owners` (and `desk_hedge` with a desk's hedge), and
    /// with the makers' spot hedge `maker_hedgers`.
    pub group: String,
    pub equity_change_usd: f64,
    pub position_lots: Vec<i64>,
}

/// The run's ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    pub fund: FundLedger,
    /// Equity changes sum to `collateral_revaluation_usd` (collateral is the only asset whose
    /// value changes without a trade); positions sum to zero in every market.
    pub holders: Vec<HolderGroup>,
    pub collateral_revaluation_usd: f64,
    /// Long (= short) open interest per market at the start and at the end, lots.
    pub open_interest_start_lots: Vec<i64>,
    pub open_interest_end_lots: Vec<i64>,
    pub short_interest_end_lots: Vec<i64>,
}

fn usd(micros: i64) -> f64 {
    micros as f64 * 1e-6
}

impl Workspace {
    /// The ledger at the end of a run (O(markets + holders); only for runs that keep their
    /// events).
    pub(crate) fn ledger_report(&self, model: &EngineModel) -> Ledger {
        let n_m = model.n_markets();
        let f = self.fund_flows;
        let mut inventory = 0.0;
        for k in 0..n_m {
            inventory +=
                self.fund_size[k] as f64 * model.markets[k].lot_size * self.marks[k] - usd(self.fund_cost[k]);
        }
        let coll_value: f64 = (0..model.asset_haircut.len())
            .map(|a| self.fund_coll_of_asset(a) * self.asset_price(model, a))
            .sum();
        let fund = FundLedger {
            start_usd: usd(model.fund0_total()),
            fees_usd: usd(f.fees),
            surplus_usd: usd(f.surplus),
            cover_usd: usd(f.cover),
            below_bankruptcy_usd: usd(f.below_bankruptcy),
            collateral_bought_usd: usd(f.collateral_bought),
            unwind_realised_usd: usd(f.unwind_realised),
            funding_usd: usd(f.funding),
            cash_end_usd: usd(self.fund_cash_total()),
            inventory_unrealised_usd: inventory,
            collateral_value_usd: coll_value,
            end_usd: self.fund_equity(model),
            seized_collateral_sold_usd: usd(f.seized_sold),
            seized_collateral_sale_pnl_usd: usd(f.seized_sale_pnl),
        };
        let value = |k: usize, size: i64, cost: i64| {
            size as f64 * model.markets[k].lot_size * self.marks[k] - usd(cost)
        };
        let value0 = |k: usize, size: i64, cost: i64| {
            size as f64 * model.markets[k].lot_size * model.mark0[k] - usd(cost)
        };
        // The accounts' figures, kept exactly (integer lots) as the run closed positions.
        let (accounts_oi, long0) = self.accounts_open_interest();
        let mut long0: Vec<i64> = long0.collect();
        let accounts_pos: Vec<i64> = accounts_oi.iter().map(|oi| oi[0]).collect();
        let mut long1 = vec![0i64; n_m];
        let mut short1 = vec![0i64; n_m];
        let p = &self.price;
        let mut makers = 0.0;
        for (k, l0) in long0.iter_mut().enumerate() {
            makers += value(k, self.ext_size[k], self.ext_cost[k])
                - value0(k, model.ext_size0[k], model.ext_cost0[k]);
            *l0 += model.ext_size0[k].max(0);
        }
        let spot_makers: f64 = (0..model.price.spot.len())
            .map(|j| {
                usd(p.spot_maker_cash[j])
                    + p.spot_maker_lots[j] as f64
                        * model.price.spot[j].lot_size
                        * p.spot_price(&model.price, j)
            })
            .sum();
        for h in &model.flows.holders {
            long0[h.market] += h.size0.max(0);
        }
        let shock: f64 = (0..n_m).map(|k| value(k, p.shock_size[k], p.shock_cost[k])).sum();
        let mut holders = vec![
            HolderGroup {
                group: "accounts".into(),
                equity_change_usd: self.accounts_equity_total(model) - model.accounts_equity0,
                position_lots: accounts_pos.clone(),
            },
            HolderGroup {
                group: "makers".into(),
                equity_change_usd: makers,
                position_lots: self.ext_size.clone(),
            },
            HolderGroup {
                group: "spot_makers".into(),
                equity_change_usd: spot_makers,
                position_lots: vec![0; n_m],
            },
            HolderGroup {
                group: "fund".into(),
                equity_change_usd: fund.end_usd - fund.start_usd,
                position_lots: self.fund_size.clone(),
            },
            HolderGroup {
                group: "arbitrageurs".into(),
                equity_change_usd: p.arb_equity(&model.price, &model.markets, &self.marks),
                position_lots: p.arb_perp_size.clone(),
            },
            HolderGroup {
                group: "book_shock_seller".into(),
                equity_change_usd: shock,
                position_lots: p.shock_size.clone(),
            },
            HolderGroup {
                group: "collateral_buyers".into(),
                equity_change_usd: usd(self.coll_buyer_cash)
                    + self
                        .coll_buyer_qty
                        .iter()
                        .enumerate()
                        .map(|(a, &q)| q * self.asset_price(model, a))
                        .sum::<f64>(),
                position_lots: vec![0; n_m],
            },
            HolderGroup {
                group: "venue_fees".into(),
                equity_change_usd: usd(self.fee_income),
                position_lots: vec![0; n_m],
            },
        ];
        holders.extend(self.flows.holder_groups(model, &self.marks));
        // The perp makers' hedgers (spot only: their perp leg is the makers' inventory); listed
        // only when a market hedges, so other scenarios' ledgers are unchanged.
        if model.price.has_maker_hedge() {
            holders.push(HolderGroup {
                group: "maker_hedgers".into(),
                equity_change_usd: p.hedgers.equity(&model.price, |j| p.spot_price(&model.price, j)),
                position_lots: vec![0; n_m],
            });
        }
        for h in &holders {
            for k in 0..n_m {
                long1[k] += h.position_lots[k].max(0);
                short1[k] += (-h.position_lots[k]).max(0);
            }
        }
        // Accounts' positions are netted per market above; open interest counts each position.
        for k in 0..n_m {
            long1[k] -= accounts_pos[k].max(0);
            short1[k] -= (-accounts_pos[k]).max(0);
        }
        for (k, oi) in accounts_oi.iter().enumerate() {
            long1[k] += oi[1];
            short1[k] += oi[2];
        }
        let collateral_revaluation_usd = model
            .collateral_total0
            .iter()
            .enumerate()
            .map(|(a, &q)| q * (self.asset_price(model, a) - model.asset_price0(a)))
            .sum();
        Ledger {
            fund,
            holders,
            collateral_revaluation_usd,
            open_interest_start_lots: long0,
            open_interest_end_lots: long1,
            short_interest_end_lots: short1,
        }
    }
}
