//! The per-run state of the lending cascade (`crate::lending`): borrowers' collateral and debt,
//! the liquidators' pending sales, the holder ledger, and the two steps of a block — the
//! `liquidationCall`s at the block's oracle and the sales that are due — then the outcome.
//! The rules each step applies, and their sources, are in `crate::lending`'s module doc.

use crate::lending::LendingModel;
use crate::lending_outcome::{LendingLedger, LendingOutcome, ReserveLending};
use crate::outcome::{EventKind, LiquidationEvent, MarketOutcome, Outcome};
use liq_domain::Side;
use liq_impact::{ImpactModel, NoImpact, PriceImpact};
use liq_margin::lending::{self as aave, Collateral};
use std::collections::VecDeque;

/// Most `liquidationCall`s on one borrower within one block. Each call under the 50% close factor
/// halves the debt, so 64 calls reach any HF the collateral allows; the bound only stops a
/// degenerate sequence of zero-lot calls.
const MAX_CALLS_PER_BLOCK: u32 = 64;

/// A liquidator's sale waiting for its delay.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sale {
    due_s: f64,
    reserve: usize,
    lots: i64,
    generation: u32,
}

/// The per-run state.
pub(crate) struct State {
    pub(crate) books: Vec<ImpactModel>,
    coll: Vec<i64>,
    debt: Vec<i64>,
    generation: Vec<Option<u32>>,
    pub(crate) pending: VecDeque<Sale>,
    /// Highest generation whose sale has (partly) executed, if any.
    sold_generation: Option<u32>,
    l: LendingLedger,
    events: Vec<LiquidationEvent>,
    calls: u64,
    dust_refusals: u64,
    sale_proceeds: i64,
    repaid_by_gen: Vec<i64>,
    seized_usd_by_gen: Vec<Vec<f64>>,
    bonus_usd: f64,
    fee_usd: f64,
    oracle_start: Vec<f64>,
    oracle_after_shock: Option<Vec<f64>>,
    trough: Vec<f64>,
    peak: Vec<f64>,
    oracle_path: Vec<Vec<f64>>,
}

impl State {
    pub(crate) fn new(m: &LendingModel, with_impact: bool) -> State {
        let n_r = m.n_reserves();
        let books = m
            .books0
            .iter()
            .map(|b| if with_impact { b.clone() } else { ImpactModel::None(NoImpact::new(b.mid_ticks())) })
            .collect::<Vec<_>>();
        let mut start = vec![0i64; n_r];
        for (j, q) in m.coll0.iter().enumerate() {
            start[j % n_r] += q;
        }
        let debt_start = m.debt0.iter().sum();
        let oracle_start: Vec<f64> =
            (0..n_r).map(|k| books[k].mid_ticks() * m.reserves[k].spec.tick_size).collect();
        State {
            books,
            coll: m.coll0.clone(),
            debt: m.debt0.clone(),
            generation: vec![None; m.n_borrowers()],
            pending: VecDeque::new(),
            sold_generation: None,
            l: LendingLedger {
                borrower_lots: start.clone(),
                borrower_lots_start: start,
                liquidator_lots: vec![0; n_r],
                treasury_lots: vec![0; n_r],
                maker_lots: vec![0; n_r],
                debt_start,
                debt: debt_start,
                repaid: 0,
                deficit: 0,
                liquidator_cash: 0,
                maker_cash: 0,
                pool_cash: 0,
            },
            events: Vec::new(),
            calls: 0,
            dust_refusals: 0,
            sale_proceeds: 0,
            repaid_by_gen: Vec::new(),
            seized_usd_by_gen: vec![Vec::new(); n_r],
            bonus_usd: 0.0,
            fee_usd: 0.0,
            trough: oracle_start.clone(),
            peak: oracle_start.clone(),
            oracle_start,
            oracle_after_shock: None,
            oracle_path: Vec::new(),
        }
    }

    pub(crate) fn oracle(&self, m: &LendingModel, k: usize) -> f64 {
        self.books[k].mid_ticks() * m.reserves[k].spec.tick_size
    }

    pub(crate) fn track(&mut self, oracle: &[f64]) {
        if self.oracle_after_shock.is_none() {
            self.oracle_after_shock = Some(oracle.to_vec());
        }
        for (k, &p) in oracle.iter().enumerate() {
            self.trough[k] = self.trough[k].min(p);
            self.peak[k] = self.peak[k].max(p);
        }
        self.oracle_path.push(oracle.to_vec());
    }

    /// Every borrower under HF 1 at this block's oracle, in borrower order; `true` if any call
    /// executed.
    pub(crate) fn liquidate_block(
        &mut self,
        m: &LendingModel,
        oracle: &[f64],
        t: f64,
        instant: bool,
        first_order: Option<&[bool]>,
    ) -> bool {
        let n_r = m.n_reserves();
        let mut any = false;
        let mut coll = vec![Collateral { value_usd: 0.0, liquidation_threshold: 0.0 }; n_r];
        for i in 0..m.n_borrowers() {
            for _ in 0..MAX_CALLS_PER_BLOCK {
                if self.debt[i] <= 0 {
                    break;
                }
                for k in 0..n_r {
                    let r = &m.reserves[k];
                    coll[k] = Collateral {
                        value_usd: self.coll[i * n_r + k] as f64 * r.spec.lot_size * oracle[k],
                        liquidation_threshold: r.lt,
                    };
                }
                let debt_usd = self.debt[i] as f64 / 1e6;
                let hf = aave::health_factor(&coll, debt_usd);
                if !aave::is_liquidatable(hf) {
                    break;
                }
                // The reserve worth most: the largest seizure one call allows.
                let Some(k) = (0..n_r)
                    .filter(|&k| self.coll[i * n_r + k] > 0)
                    .max_by(|&a, &b| coll[a].value_usd.total_cmp(&coll[b].value_usd).then(b.cmp(&a)))
                else {
                    break;
                };
                let r = &m.reserves[k];
                let balance = coll[k].value_usd;
                let max_debt = aave::max_liquidatable_debt_usd(&m.params, hf, balance, debt_usd, debt_usd);
                let s = aave::seize(max_debt, balance, 1.0 + r.bonus, r.fee);
                if aave::leaves_dust(&m.params, &s, debt_usd, balance) {
                    self.dust_refusals += 1;
                    break;
                }
                let have = self.coll[i * n_r + k];
                let lot_usd = r.spec.lot_size * oracle[k];
                let takes_all = s.collateral_seized_usd() >= balance;
                // Rounded down to whole lots; the 1e-9 absorbs f64 noise on exact amounts (13,650 / 3).
                let lots_of = |usd: f64| (usd / lot_usd + 1e-9).floor() as i64;
                let seized = if takes_all { have } else { lots_of(s.collateral_seized_usd()).min(have) };
                let fee_lots = lots_of(s.protocol_fee_usd).clamp(0, seized);
                let repaid = (((s.debt_repaid_usd * 1e6).round()) as i64).clamp(0, self.debt[i]);
                // Less than one lot: no liquidator pays debt for nothing.
                if seized == 0 {
                    break;
                }
                let gen = *self.generation[i].get_or_insert_with(|| match first_order {
                    Some(f) => u32::from(!f[i]),
                    None if instant => self.sold_generation.map_or(0, |g| g + 1),
                    None => 0,
                });
                self.coll[i * n_r + k] -= seized;
                self.debt[i] -= repaid;
                let to_liquidator = seized - fee_lots;
                self.l.borrower_lots[k] -= seized;
                self.l.treasury_lots[k] += fee_lots;
                self.l.liquidator_lots[k] += to_liquidator;
                self.l.liquidator_cash -= repaid;
                self.l.pool_cash += repaid;
                self.l.repaid += repaid;
                self.l.debt -= repaid;
                // `_burnDebtTokens`: no collateral left in any reserve → the rest is deficit.
                if self.debt[i] > 0 && (0..n_r).all(|j| self.coll[i * n_r + j] == 0) {
                    self.l.deficit += self.debt[i];
                    self.l.debt -= self.debt[i];
                    self.debt[i] = 0;
                }
                if to_liquidator > 0 {
                    self.pending.push_back(Sale {
                        due_s: t + m.rules.liquidator_delay_s,
                        reserve: k,
                        lots: to_liquidator,
                        generation: gen,
                    });
                }
                let g = gen as usize;
                if self.repaid_by_gen.len() <= g {
                    self.repaid_by_gen.resize(g + 1, 0);
                }
                self.repaid_by_gen[g] += repaid;
                let seized_usd = seized as f64 * lot_usd;
                for v in &mut self.seized_usd_by_gen {
                    if v.len() <= g {
                        v.resize(g + 1, 0.0);
                    }
                }
                self.seized_usd_by_gen[k][g] += seized_usd;
                let bonus = seized_usd - repaid as f64 / 1e6;
                let fee = fee_lots as f64 * lot_usd;
                self.bonus_usd += bonus;
                self.fee_usd += fee;
                self.calls += 1;
                any = true;
                let qty = seized as f64 * r.spec.lot_size;
                // The collateral price at which this reserve alone would no longer cover the
                // debt net of the other reserves: the lending analogue of a bankruptcy price.
                let others: f64 = (0..n_r).filter(|&j| j != k).map(|j| coll[j].value_usd).sum();
                let q_before = have as f64 * r.spec.lot_size;
                self.events.push(LiquidationEvent {
                    generation: gen,
                    time_s: t,
                    account: i as u32,
                    market: k as u16,
                    isolated: false,
                    kind: EventKind::CollateralSeizure,
                    lots: -seized,
                    qty: -qty,
                    price: oracle[k],
                    notional_usd: seized_usd,
                    mark: oracle[k],
                    bankruptcy_price: ((debt_usd - others) / q_before).max(0.0),
                    liquidation_fee_usd: bonus,
                    fund_flow_usd: fee,
                    counterparty: None,
                    cause: None,
                });
            }
        }
        any
    }

    /// Liquidators' sales due by `t`: market orders into the reserve's book; the unfilled rest
    /// waits for the next block. `true` if anything filled.
    pub(crate) fn sell_due(&mut self, m: &LendingModel, t: f64) -> bool {
        let mut sold = false;
        let mut waiting = VecDeque::with_capacity(self.pending.len());
        while let Some(mut s) = self.pending.pop_front() {
            if s.due_s > t + 1e-9 {
                waiting.push_back(s);
                continue;
            }
            let fill = self.books[s.reserve].execute(Side::Sell, s.lots, 1);
            if fill.filled_lots > 0 {
                let value =
                    (fill.value_lot_ticks * m.reserves[s.reserve].spec.micros_per_lot_tick() as i128) as i64;
                self.l.liquidator_cash += value;
                self.l.maker_cash -= value;
                self.l.liquidator_lots[s.reserve] -= fill.filled_lots;
                self.l.maker_lots[s.reserve] += fill.filled_lots;
                self.sale_proceeds += value;
                sold = true;
                self.sold_generation =
                    Some(self.sold_generation.map_or(s.generation, |g| g.max(s.generation)));
            }
            s.lots -= fill.filled_lots;
            if s.lots > 0 {
                waiting.push_back(s);
            }
        }
        self.pending = waiting;
        sold
    }

    pub(crate) fn finish(
        mut self,
        m: &LendingModel,
        with_impact: bool,
        blocks: u32,
        cap_hit: bool,
    ) -> (Outcome, LendingOutcome) {
        let n_r = m.n_reserves();
        let end: Vec<f64> = (0..n_r).map(|k| self.oracle(m, k)).collect();
        self.track(&end);
        self.oracle_path.pop();
        let after = self.oracle_after_shock.clone().unwrap_or_else(|| self.oracle_start.clone());
        let mut accounts: Vec<u32> = self.events.iter().map(|e| e.account).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let markets = (0..n_r)
            .map(|k| MarketOutcome {
                symbol: m.reserves[k].spec.symbol.clone(),
                // A lending book is one protocol; the liquidators' sales are in `lending`, not the
                // perp venues' collateral channel.
                venue: None,
                collateral_sold_usd: 0.0,
                mark_start: self.oracle_start[k],
                mark_after_shock: after[k],
                mark_end: end[k],
                mark_trough: self.trough[k],
                mark_peak: self.peak[k],
                liquidated_notional_usd: self.seized_usd_by_gen[k].iter().sum(),
                notional_by_generation: std::mem::take(&mut self.seized_usd_by_gen[k]),
                adl_notional_usd: 0.0,
                fund_unwind_usd: 0.0,
                fund_unwind_pnl_usd: 0.0,
                adl_deficit_usd: 0.0,
                adl_overshoot_usd: 0.0,
                fund_inventory_lots: 0,
                index_start: self.oracle_start[k],
                index_end: end[k],
                basis_end_bps: 0.0,
                arb_perp_bought_usd: 0.0,
                arb_perp_sold_usd: 0.0,
                maker_hedge_usd: 0.0,
                book_exhausted: self.books[k].exhausted().filter(|s| *s == Side::Sell).map(|side| {
                    crate::outcome::BookExhaustion {
                        side,
                        round: blocks.saturating_sub(1),
                        time_s: blocks.saturating_sub(1) as f64 * m.rules.block_s,
                        quote_beyond_usd: end[k],
                    }
                }),
                funding_rates: Vec::new(),
                funding_paid_usd: None,
            })
            .collect();
        let unsold_usd: f64 =
            (0..n_r).map(|k| self.l.liquidator_lots[k] as f64 * m.reserves[k].spec.lot_size * end[k]).sum();
        let deficit_usd = self.l.deficit as f64 / 1e6;
        let equity = |coll: &[i64], debt: &[i64], prices: &[f64]| -> f64 {
            let c: f64 = coll
                .iter()
                .enumerate()
                .map(|(j, &q)| q as f64 * m.reserves[j % n_r].spec.lot_size * prices[j % n_r])
                .sum();
            c - debt.iter().sum::<i64>() as f64 / 1e6
        };
        let outcome = Outcome {
            with_impact,
            rounds: blocks,
            round_cap_hit: cap_hit,
            markets,
            accounts_liquidated: accounts.len() as u64,
            // No insurance fund in Aave's liquidation path: the deficit is left to the
            // Umbrella / safety module outside the run, so it is the bad debt.
            insurance_fund_start_usd: 0.0,
            insurance_fund_end_usd: 0.0,
            insurance_fund_min_usd: 0.0,
            adl_notional_usd: 0.0,
            adl_deficit_usd: 0.0,
            adl_overshoot_usd: 0.0,
            adl_counterparties: 0,
            collateral_sold_usd: 0.0,
            venues: Vec::new(),
            channels: Vec::new(),
            flow_events: Vec::new(),
            desk_hedge: None,
            funding: Vec::new(),
            fund_unwind_pnl_usd: 0.0,
            liquidation_retries: self.pending.len() as u64,
            bad_debt_usd: deficit_usd,
            liquidation_fees_usd: self.bonus_usd,
            accounts_equity_change_usd: equity(&self.coll, &self.debt, &end)
                - equity(&m.coll0, &m.debt0, &self.oracle_start),
            step_s: m.rules.block_s,
            mark_path: std::mem::take(&mut self.oracle_path),
            fund_path: Vec::new(),
            spot: Vec::new(),
            arbitrage_equity_change_usd: 0.0,
            index_path: Vec::new(),
            ledger: None,
            events: std::mem::take(&mut self.events),
        };
        let reserves = (0..n_r)
            .map(|k| {
                let lot = m.reserves[k].spec.lot_size;
                ReserveLending {
                    symbol: m.reserves[k].spec.symbol.clone(),
                    seized_qty: (self.l.borrower_lots_start[k] - self.l.borrower_lots[k]) as f64 * lot,
                    sold_qty: self.l.maker_lots[k] as f64 * lot,
                    unsold_qty: self.l.liquidator_lots[k] as f64 * lot,
                    treasury_qty: self.l.treasury_lots[k] as f64 * lot,
                    oracle_start: self.oracle_start[k],
                    oracle_end: end[k],
                    oracle_trough: self.trough[k],
                }
            })
            .collect();
        let lending = LendingOutcome {
            debt_start_usd: self.l.debt_start as f64 / 1e6,
            debt_repaid_by_generation: self.repaid_by_gen.iter().map(|&x| x as f64 / 1e6).collect(),
            debt_repaid_usd: self.l.repaid as f64 / 1e6,
            collateral_seized_usd: outcome.liquidated_notional_usd(),
            bonus_usd: self.bonus_usd,
            protocol_fee_usd: self.fee_usd,
            deficit_usd,
            liquidator_pnl_usd: (self.l.liquidator_cash as f64) / 1e6 + unsold_usd,
            liquidator_sale_proceeds_usd: self.sale_proceeds as f64 / 1e6,
            liquidation_calls: self.calls,
            dust_refusals: self.dust_refusals,
            blocks,
            block_s: m.rules.block_s,
            reserves,
            ledger: self.l,
        };
        (outcome, lending)
    }
}
