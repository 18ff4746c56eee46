//! Selling an asset into its market, and the collateral conversions built on it.
//!
//! `Workspace::sell_asset` is the one primitive: `qty` of a collateral asset goes to market as
//! a sell order that walks the asset's spot book (its first spot market in the scenario), else
//! the resting depth of its perp's book, else (a fixed- or path-priced asset with no book) fills
//! at the asset's current price. The buyers are the book's makers, kept as their own ledger
//! holder (`coll_buyer_qty`, `coll_buyer_cash`), so money and every asset quantity stay
//! conserved. The walk moves that book: a spot sale moves the index of every perp built on it
//! and, through the venue's mark rule, the marks — the **collateral channel**. In the no-impact
//! counterfactual every sale fills at the current price and moves nothing.
//!
//! `Workspace::convert_collateral` is the venue's conversion of collateral against a negative
//! cross wallet (Binance's auto-exchange, and the deficit of a liquidated cross account): the
//! wallet is credited at the value ratio (`liq_margin::collateral::auto_exchange_split`), the
//! fund pays that credit and takes the collateral, then — when the scenario's
//! `collateral.sale = "book"`, the default — sells it through `Workspace::sell_asset`; its P&L
//! on the conversion is the sale's proceeds less the credit (in the fund ledger's
//! `collateral_bought`, net). Collateral the fund seizes through the surplus rule
//! (`Liquidator::settle_closed_unit`) is sold the same way under `collateral.sale = "book"`
//! (`Workspace::fund_sells_seized`, its proceeds and P&L itemised as `seized_sold` and
//! `seized_sale_pnl`). A lending liquidator selling seized collateral calls `sell_asset`
//! directly and books its own side.

use crate::ledger::Workspace;
use crate::liquidate::Liquidator;
use crate::model::{AssetPricing, EngineModel, SaleVenue};
use crate::outcome::{EventKind, LiquidationEvent};
use liq_domain::{CollateralSale, Money, Side};
use liq_impact::{ImpactModel, PriceImpact};

/// What a sale filled: the quantity the buyers took, the cash they paid (micro-USD) and where.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaleFill {
    pub qty: f64,
    pub value: i64,
    pub venue: SaleVenue,
}

/// One conversion of an account's collateral slot against its negative wallet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Conversion {
    pub asset: usize,
    /// Collateral taken from the account.
    pub qty: f64,
    /// Credited to the wallet (micro-USD): the value at the value ratio.
    pub credited: i64,
    /// What the fund's sale of it filled (zero when the fund keeps it).
    pub sale: SaleFill,
}

impl Workspace {
    /// Whether this run prices liquidations without impact (the counterfactual).
    fn without_impact(&self) -> bool {
        matches!(self.impact.first().map(|p| &p.book), Some(ImpactModel::None(_)))
    }

    /// Sells up to `qty` (≥ 0) of collateral `asset` into its market; the book's makers buy it.
    /// A book fills whole lots only: the rest (under one lot, or beyond an emptied book) is not
    /// sold and stays with the seller. The caller removes `fill.qty` from the seller and credits
    /// it `fill.value`.
    pub(crate) fn sell_asset(&mut self, model: &EngineModel, asset: usize, qty: f64) -> SaleFill {
        let venue = if self.without_impact() { SaleVenue::AtPrice } else { model.asset_sale[asset] };
        let none = SaleFill { qty: 0.0, value: 0, venue };
        if !qty.is_finite() || qty <= 0.0 {
            return none;
        }
        let (qty, value) = match venue {
            SaleVenue::Spot(j) => {
                let sm = &model.price.spot[j];
                let lots = whole_lots(qty, sm.lot_size);
                // A limit of one tick: the sale takes whatever depth the book has.
                let fill = self.price.spot_books[j].execute(Side::Sell, lots, 1);
                if fill.filled_lots == 0 {
                    return none;
                }
                self.price.spot_traded[j] = true;
                self.price.set_dirty();
                let v = (fill.value_lot_ticks * sm.micros_per_lot_tick as i128) as i64;
                ((fill.filled_lots as f64 * sm.lot_size).min(qty), v)
            }
            SaleVenue::Perp(k) => {
                let spec = &model.markets[k];
                let lots = whole_lots(qty, spec.lot_size);
                // The resting depth only: the arbitrageurs' quote trades perp against spot, and
                // this is a spot sale that the perp's makers absorb as a hedge.
                let fill = self.impact[k].book.execute(Side::Sell, lots, 1);
                if fill.filled_lots == 0 {
                    return none;
                }
                if let Some(t) = fill.last_tick {
                    self.impact[k].last_tick = t as f64;
                }
                self.price.set_dirty();
                let v = (fill.value_lot_ticks * spec.micros_per_lot_tick() as i128) as i64;
                ((fill.filled_lots as f64 * spec.lot_size).min(qty), v)
            }
            SaleVenue::AtPrice => (qty, Money::from_usd(qty * self.asset_price(model, asset)).0),
        };
        self.coll_buyer_qty[asset] += qty;
        self.coll_buyer_cash -= value;
        SaleFill { qty, value, venue }
    }

    /// Converts collateral of `account` against a deficit of `deficit` micro-USD on its cross
    /// wallet, split over its collateral in proportion to market value and grossed up by each
    /// slot's value ratio (Binance's auto-exchange). The fund pays the credit and takes the
    /// collateral, then sells it into the market unless the scenario keeps it with the fund.
    pub(crate) fn convert_collateral(
        &mut self,
        model: &EngineModel,
        account: u32,
        deficit: i64,
        out: &mut Vec<Conversion>,
    ) {
        out.clear();
        if deficit <= 0 {
            return;
        }
        // The fund of the account's venue buys the collateral (an account lives on one venue).
        let v = model
            .positions_of(account)
            .next()
            .map(|s| model.market_venue(model.pos_market[s] as usize))
            .unwrap_or(0);
        let n_a = model.asset_haircut.len();
        let slots = model.collateral_of(account);
        let holdings: Vec<(f64, f64)> = slots
            .clone()
            .map(|c| {
                let q = self.coll_qty[c];
                let price = self.asset_price(model, model.coll_asset[c] as usize);
                // The slot's value ratio: counted / held (flat `1 − haircut`, or the tiers' average).
                let ratio = if q > 0.0 { self.coll_counted(model, c) / q } else { 0.0 };
                (q.max(0.0) * price, ratio)
            })
            .collect();
        let split = liq_margin::collateral::auto_exchange_split(deficit as f64 * 1e-6, &holdings);
        self.touch_account(account);
        for (i, c) in slots.enumerate() {
            let (value, ratio) = holdings[i];
            if split[i] <= 0.0 || value <= 0.0 {
                continue;
            }
            let asset = model.coll_asset[c] as usize;
            // The whole slot when the split takes (almost) all of it, so no dust is left behind.
            let q = if split[i] >= value * (1.0 - 1e-12) {
                self.coll_qty[c]
            } else {
                self.coll_qty[c] * split[i] / value
            };
            let credited = Money::from_usd(split[i] * ratio).0;
            self.coll_qty[c] -= q;
            self.wallet[account as usize] += credited;
            self.fund_coll[v * n_a + asset] += q;
            self.fund_cash[v] -= credited;
            self.fund_flows.collateral_bought += credited;
            let sale = match model.collateral_sale {
                CollateralSale::Book => self.fund_sells_collateral(model, v, asset, q),
                CollateralSale::Fund => SaleFill { qty: 0.0, value: 0, venue: SaleVenue::AtPrice },
            };
            out.push(Conversion { asset, qty: q, credited, sale });
        }
    }

    /// The fund sells `qty` of collateral it holds into the market; the proceeds reduce its net
    /// cost of collateral bought.
    pub(crate) fn fund_sells_collateral(
        &mut self,
        model: &EngineModel,
        venue: usize,
        asset: usize,
        qty: f64,
    ) -> SaleFill {
        let at = venue * model.asset_haircut.len() + asset;
        let fill = self.sell_asset(model, asset, qty.min(self.fund_coll[at]));
        self.fund_coll[at] -= fill.qty;
        self.fund_cash[venue] += fill.value;
        self.fund_flows.collateral_bought -= fill.value;
        fill
    }

    /// The fund sells `qty` of collateral it seized through the surplus rule, seized at `price`
    /// (USD per unit): the proceeds are its cash (`seized_sold`), and proceeds less the value at
    /// the seizure price its P&L on the sale (`seized_sale_pnl`).
    pub(crate) fn fund_sells_seized(
        &mut self,
        model: &EngineModel,
        venue: usize,
        asset: usize,
        qty: f64,
        price: f64,
    ) -> SaleFill {
        let at = venue * model.asset_haircut.len() + asset;
        let fill = self.sell_asset(model, asset, qty.min(self.fund_coll[at]));
        self.fund_coll[at] -= fill.qty;
        self.fund_cash[venue] += fill.value;
        self.fund_flows.seized_sold += fill.value;
        self.fund_flows.seized_sale_pnl += fill.value - Money::from_usd(fill.qty * price).0;
        fill
    }
}

impl Liquidator<'_> {
    /// The fund sells collateral of `account` it has just seized (surplus rule) into the market
    /// and records the sale: `fund_flow_usd` is its P&L against the seizure price.
    pub(crate) fn sell_seized_and_record(
        &mut self,
        account: u32,
        venue: usize,
        asset: usize,
        qty: f64,
        price: f64,
    ) {
        let model = self.model;
        let fill = self.ws.fund_sells_seized(model, venue, asset, qty, price);
        if fill.qty <= 0.0 {
            return;
        }
        let market = match model.asset_pricing[asset] {
            AssetPricing::Market(k) => k,
            _ => model.positions_of(account).next().map(|s| model.pos_market[s] as usize).unwrap_or(0),
        };
        self.record(LiquidationEvent {
            generation: self.generation,
            time_s: self.step as f64 * self.round_duration_s,
            account,
            market: market as u16,
            isolated: false,
            kind: EventKind::CollateralSale,
            lots: 0,
            qty: -fill.qty,
            price: fill.value as f64 * 1e-6 / fill.qty,
            notional_usd: fill.value as f64 * 1e-6,
            mark: self.ws.marks[market],
            bankruptcy_price: 0.0,
            liquidation_fee_usd: 0.0,
            fund_flow_usd: (fill.value - Money::from_usd(fill.qty * price).0) as f64 * 1e-6,
            counterparty: None,
            cause: None,
        });
    }

    /// Converts collateral against `account`'s negative wallet (after a liquidation, or Binance's
    /// auto-exchange) and records one event per asset converted.
    pub(crate) fn convert_and_record(&mut self, account: u32, kind: EventKind) {
        let model = self.model;
        let deficit = -self.ws.wallet[account as usize];
        let mut conv = Vec::new();
        self.ws.convert_collateral(model, account, deficit, &mut conv);
        let home = model.positions_of(account).next();
        for c in conv {
            // The event sits in the asset's own market when it has one, else the account's first.
            let market = match model.asset_pricing[c.asset] {
                AssetPricing::Market(k) => k,
                _ => home.map(|s| model.pos_market[s] as usize).unwrap_or(0),
            };
            let price = if c.sale.qty > 0.0 { c.sale.value as f64 * 1e-6 / c.sale.qty } else { 0.0 };
            self.record(LiquidationEvent {
                generation: self.generation,
                time_s: self.step as f64 * self.round_duration_s,
                account,
                market: market as u16,
                isolated: false,
                kind,
                lots: 0,
                qty: -c.sale.qty,
                price,
                notional_usd: c.sale.value as f64 * 1e-6,
                mark: self.ws.marks[market],
                bankruptcy_price: 0.0,
                liquidation_fee_usd: 0.0,
                fund_flow_usd: (c.sale.value - c.credited) as f64 * 1e-6,
                counterparty: None,
                cause: None,
            });
        }
        self.ws.recheck_unit(crate::model::Unit::cross(account));
    }

    /// Binance's auto-exchange outside a liquidation (`liq_margin::collateral`): a cross wallet
    /// below the threshold with collateral is converted back to zero; so is, with no position,
    /// a negative wallet whose LTV (debt over collateral at its value ratio) is ≥ 1 (the third
    /// trigger: then all of the collateral goes, and what it does not cover stays the account's
    /// debt — Binance says nothing of it). True if it converted anything.
    pub(crate) fn auto_exchange(&mut self, account: u32) -> bool {
        let model = self.model;
        let Some(threshold) = model.auto_exchange_threshold else { return false };
        let a = account as usize;
        let wallet = self.ws.wallet[a];
        if wallet >= 0 || model.collateral_of(account).all(|c| self.ws.coll_qty[c] <= 0.0) {
            return false;
        }
        let triggered = wallet < threshold || {
            let has_positions = model.positions_of(account).any(|s| self.ws.size[s] != 0);
            let counted: f64 = model
                .collateral_of(account)
                .map(|c| {
                    self.ws.coll_counted(model, c) * self.ws.asset_price(model, model.coll_asset[c] as usize)
                })
                .sum();
            liq_margin::collateral::binance_ltv_trigger(wallet as f64 * 1e-6, counted, has_positions)
        };
        if !triggered {
            return false;
        }
        self.convert_and_record(account, EventKind::AutoExchange);
        true
    }
}

/// Whole lots in `qty` (a quantity a hair under a whole number of lots, from float division,
/// still counts as that many).
fn whole_lots(qty: f64, lot: f64) -> i64 {
    ((qty / lot) * (1.0 + 1e-12)).floor().clamp(0.0, 1e15) as i64
}
