//! The immutable, shareable form of a scenario that the cascade runs on.
//!
//! [`EngineModel`] flattens the scenario's accounts into structure-of-arrays (positions and
//! collateral contiguous per account, addressed by dense `u32` slots), classifies every *margin
//! unit* (an isolated position, or an account's cross wallet), and builds the trigger index once
//! (see [`crate::index`]). Nothing in it changes during a run, so one model serves any number of
//! runs, paths and threads; per-run state lives in [`crate::ledger::Workspace`].

use crate::index::TriggerIndex;
use crate::labels::AccountLabels;
use liq_domain::{AssetPrice, MarketId, MarketSpec, Scenario, VenueId, VenuePreset};
use liq_impact::ImpactModel;
use liq_margin::Rulebook;

/// Errors turning a validated scenario into an engine model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

impl EngineError {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError::Invalid { field: field.into(), message: message.into() }
    }
}

/// A margin unit: the thing that is tested against maintenance margin and liquidated.
/// Encoded in one `u32`: the high bit set means an isolated position slot, clear an account's
/// cross wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit(pub u32);

const ISOLATED_BIT: u32 = 1 << 31;

impl Unit {
    #[inline]
    pub fn cross(account: u32) -> Unit {
        Unit(account)
    }
    #[inline]
    pub fn isolated(slot: u32) -> Unit {
        Unit(slot | ISOLATED_BIT)
    }
    /// The isolated position slot, if this unit is one.
    #[inline]
    pub fn isolated_slot(self) -> Option<u32> {
        (self.0 & ISOLATED_BIT != 0).then_some(self.0 & !ISOLATED_BIT)
    }
    /// The account whose cross wallet this unit is, if it is one.
    #[inline]
    pub fn cross_account(self) -> Option<u32> {
        (self.0 & ISOLATED_BIT == 0).then_some(self.0)
    }
}

/// How a collateral asset is priced, resolved to indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum AssetPricing {
    Fixed(f64),
    Market(usize),
    /// A fixed price that follows the scenario's exogenous path (`EngineModel::asset_path`)
    /// from the run's start (a stablecoin depeg); the value is the price before the path.
    Path(f64),
}

/// Where a sale of a collateral asset executes (see [`crate::spot_sale`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaleVenue {
    /// Walks spot market `j`'s book (the asset's spot book in the scenario).
    Spot(usize),
    /// Walks perp market `k`'s resting depth: the scenario has no spot book for the asset, so
    /// the perp's makers, who hedge in that market, are its buyers.
    Perp(usize),
    /// At the asset's current (fixed or path) price, with no impact: an asset with no book in
    /// the scenario.
    AtPrice,
}

/// One venue as the engine runs it: its rulebook and its own insurance fund (or backstop vault).
/// A single-venue scenario has exactly one.
#[derive(Debug, Clone)]
pub struct VenueModel {
    pub name: String,
    pub preset: VenuePreset,
    pub rulebook: Rulebook,
    pub(crate) fund0: i64,
}

/// The immutable engine form of a scenario.
#[derive(Debug, Clone)]
pub struct EngineModel {
    pub markets: Vec<MarketSpec>,
    /// Per venue (dense [`VenueId`]); ADL, the backstop and the fund are per venue.
    pub venues: Vec<VenueModel>,
    /// The venue of each market.
    pub(crate) market_venue: Vec<u16>,
    pub(crate) asset_pricing: Vec<AssetPricing>,
    pub(crate) asset_haircut: Vec<f64>,
    pub(crate) asset_symbol: Vec<String>,
    /// Per asset: tiered value ratios by quantity (empty = `1 − haircut` throughout).
    pub(crate) asset_tiers: Vec<Vec<liq_domain::ValueTier>>,
    /// Per asset: the exogenous price path of a `Path`-priced asset (else empty).
    pub(crate) asset_path: Vec<Vec<liq_domain::PathPoint>>,
    /// Per asset: where its sale executes.
    pub(crate) asset_sale: Vec<SaleVenue>,
    /// Auto-exchange when a cross wallet falls below this (micro-USD, negative); `None` = off.
    pub(crate) auto_exchange_threshold: Option<i64>,
    pub(crate) collateral_sale: liq_domain::CollateralSale,
    /// Accounts holding a `Path`-priced asset (rechecked whenever its price steps).
    pub(crate) path_holders: Vec<u32>,
    /// Last step time of any collateral price path (the run goes on until it has passed).
    pub(crate) path_end_s: f64,
    /// Cross accounts whose starting wallet is already below the auto-exchange threshold and that
    /// hold collateral (converted in the first round).
    pub(crate) auto_exchange0: Vec<u32>,
    /// Accounts with no position, a negative starting wallet and collateral: watched every
    /// round for Binance's third auto-exchange trigger (LTV ≥ 1). Their wallet cannot move
    /// without a position, so the list is fixed; the LTV moves with the collateral's price.
    pub(crate) ltv_watch: Vec<u32>,
    /// Per asset: the most an account can hold in its margin wallet (`None` = no cap).
    pub(crate) asset_transfer_cap: Vec<Option<f64>>,
    /// `(account, asset, quantity beyond the cap)` of every holding the cap cut at the start.
    pub(crate) collateral_capped: Vec<(u32, u16, f64)>,
    /// Every account's label, by account index.
    pub labels: AccountLabels,
    // Accounts: positions `pos_start[a]..pos_start[a+1]`, collateral `coll_start[a]..coll_start[a+1]`.
    pub(crate) pos_start: Vec<u32>,
    pub(crate) coll_start: Vec<u32>,
    pub(crate) wallet0: Vec<i64>,
    // Positions (slots).
    pub(crate) pos_account: Vec<u32>,
    pub(crate) pos_market: Vec<u16>,
    pub(crate) pos_isolated: Vec<bool>,
    pub(crate) size0: Vec<i64>,
    pub(crate) cost0: Vec<i64>,
    pub(crate) iso_margin0: Vec<i64>,
    // Collateral (slots).
    pub(crate) coll_asset: Vec<u16>,
    pub(crate) coll_qty0: Vec<f64>,
    /// Marks before the shock.
    pub mark0: Vec<f64>,
    /// Index prices before the shock.
    pub index0: Vec<f64>,
    /// Impact models at the start of a run (cloned per run).
    pub(crate) impact0: Vec<ImpactModel>,
    pub(crate) cross_impact: liq_impact::cross::CrossImpact,
    /// The external makers' starting position per market: the opposite of the population's net
    /// position, entered at the starting mark, so open interest long = short from the start.
    pub(crate) ext_size0: Vec<i64>,
    pub(crate) ext_cost0: Vec<i64>,
    /// `Σ (cash − cost basis)` over every holder at the start (conserved).
    pub(crate) ledger_total0: i128,
    /// Collateral quantity per asset over all accounts at the start.
    pub(crate) collateral_total0: Vec<f64>,
    /// Equity of all accounts together at the start, USD (collateral without haircut).
    pub accounts_equity0: f64,
    pub(crate) index: TriggerIndex,
    pub(crate) scenario: ScenarioParams,
    /// Spot markets, index, mark rule, arbitrage, book shocks.
    pub(crate) price: crate::price::PriceModel,
    /// Leveraged tokens, dealer hedging, stop clusters ([`crate::flows`]).
    pub flows: crate::flows::FlowModel,
    /// The dynamic mitigation policies ([`crate::policy`]; the static ones are in `markets` and
    /// the venues' funds).
    pub policy: crate::policy::PolicyModel,
}

/// Scalar scenario parameters the run loop needs.
#[derive(Debug, Clone)]
pub(crate) struct ScenarioParams {
    pub round_cap: u32,
    pub round_duration_s: f64,
    pub withdrawal_sensitivity: f64,
    pub withdrawal_floor: f64,
    pub shock: Vec<f64>,
    pub seed: u64,
}

impl EngineModel {
    /// Builds the model: flattens accounts, prices the impact models, indexes triggers.
    pub fn new(s: &Scenario) -> Result<EngineModel, EngineError> {
        let n_m = s.markets.len();
        if n_m == 0 {
            return Err(EngineError::invalid("markets", "a scenario needs at least one market"));
        }
        if n_m > u16::MAX as usize {
            return Err(EngineError::invalid("markets", "too many markets"));
        }
        if s.books.len() != n_m {
            return Err(EngineError::invalid(
                "books",
                format!("{} books for {} markets", s.books.len(), n_m),
            ));
        }
        s.venues.validate(n_m).map_err(|e| EngineError::invalid(e.field, e.message))?;
        if s.accounts.len() >= (1usize << 31) {
            return Err(EngineError::invalid("accounts", "more than 2^31 accounts"));
        }
        let mut asset_pricing = Vec::with_capacity(s.assets.len());
        for (i, a) in s.assets.iter().enumerate() {
            let has_path = !s.collateral.asset(i).price_path.is_empty();
            asset_pricing.push(match a.price {
                AssetPrice::Fixed(p) if has_path => AssetPricing::Path(p),
                AssetPrice::Fixed(p) => AssetPricing::Fixed(p),
                AssetPrice::Market(_) if has_path => {
                    return Err(EngineError::invalid(
                        format!("assets[{i}].price_path"),
                        "a price path needs a fixed-price asset (a market-priced one follows its mark)",
                    ))
                }
                AssetPrice::Market(m) if m.idx() < n_m => AssetPricing::Market(m.idx()),
                AssetPrice::Market(m) => {
                    return Err(EngineError::invalid(
                        format!("assets[{i}].market"),
                        format!("unknown market index {m}"),
                    ))
                }
            });
        }
        s.collateral.validate(s.assets.len()).map_err(|e| EngineError::invalid(e.field, e.message))?;
        // Counted on all cores; the flatten below places every block by these counts.
        let counts = crate::flatten::count(&s.accounts, n_m);
        let n_pos = crate::flatten::total_positions(&counts);
        if n_pos >= (1usize << 31) {
            return Err(EngineError::invalid("accounts", "more than 2^31 positions"));
        }
        let mut impact0 = Vec::with_capacity(n_m);
        for (k, (spec, book)) in s.markets.iter().zip(&s.books).enumerate() {
            let model =
                ImpactModel::build(&s.impact.kind, book, spec, k, spec.mark_price, s.impact.resilience_tau_s)
                    .map_err(|e| EngineError::invalid(format!("markets[{k}].book"), e.to_string()))?;
            impact0.push(model);
        }
        // The arbitrageurs' costs read the perp books' spreads from the models just built.
        let price = crate::price::PriceModel::build(s, &impact0)?;
        crate::funding::validate(&s.price.funding)?;
        let asset_sale = asset_pricing
            .iter()
            .map(|p| match *p {
                AssetPricing::Market(k) => price
                    .spot
                    .iter()
                    .position(|sm| sm.perp_market == k)
                    .map(SaleVenue::Spot)
                    .unwrap_or(SaleVenue::Perp(k)),
                AssetPricing::Fixed(_) | AssetPricing::Path(_) => SaleVenue::AtPrice,
            })
            .collect();
        let auto_exchange_threshold = if s.collateral.auto_exchange_off {
            None
        } else {
            s.collateral
                .auto_exchange_threshold_usd
                .or_else(|| liq_margin::collateral::venue_auto_exchange_threshold(s.venue))
                .map(|usd| liq_domain::Money::from_usd(usd).0)
        };
        let mut m = EngineModel {
            markets: crate::policy::markets_under(&s.policy, &s.markets)?,
            venues: (0..s.n_venues())
                .map(|v| {
                    let v = VenueId(v as u16);
                    let mut rulebook = Rulebook::for_venue(s.venue_preset(v));
                    if s.engine.adl_policy == liq_domain::AdlMode::ProRata {
                        rulebook = rulebook.with_adl_policy(liq_margin::rulebook::AdlPolicy::ProRata);
                    }
                    VenueModel {
                        name: s.venue_name(v),
                        preset: s.venue_preset(v),
                        rulebook,
                        fund0: crate::policy::fund_under(&s.policy, s.venue_fund(v).0),
                    }
                })
                .collect(),
            market_venue: (0..n_m).map(|k| s.venue_of(MarketId(k as u16)).0).collect(),
            asset_pricing,
            asset_haircut: s.assets.iter().map(|a| a.haircut).collect(),
            asset_symbol: s.assets.iter().map(|a| a.symbol.clone()).collect(),
            asset_tiers: (0..s.assets.len()).map(|i| s.collateral.asset(i).value_tiers).collect(),
            asset_path: (0..s.assets.len()).map(|i| s.collateral.asset(i).price_path).collect(),
            asset_sale,
            auto_exchange_threshold,
            collateral_sale: s.collateral.sale,
            path_holders: Vec::new(),
            path_end_s: s
                .collateral
                .assets
                .iter()
                .filter_map(|a| a.price_path.last().map(|p| p.t_s))
                .fold(0.0, f64::max),
            auto_exchange0: Vec::new(),
            ltv_watch: Vec::new(),
            asset_transfer_cap: s
                .assets
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    s.collateral.asset(i).max_transfer_in.or_else(|| {
                        s.collateral
                            .transfer_in_caps
                            .then(|| liq_margin::collateral::venue_transfer_in_cap(s.venue, &a.symbol))
                            .flatten()
                    })
                })
                .collect(),
            collateral_capped: Vec::new(),
            // The account arrays are filled by the flatten below, allocated there at their size.
            labels: AccountLabels::default(),
            pos_start: Vec::new(),
            coll_start: Vec::new(),
            wallet0: Vec::new(),
            pos_account: Vec::new(),
            pos_market: Vec::new(),
            pos_isolated: Vec::new(),
            size0: Vec::new(),
            cost0: Vec::new(),
            iso_margin0: Vec::new(),
            coll_asset: Vec::new(),
            coll_qty0: Vec::new(),
            mark0: s.markets.iter().map(|m| m.mark_price).collect(),
            index0: s.markets.iter().map(|m| m.index_price).collect(),
            impact0,
            cross_impact: liq_impact::cross::CrossImpact::new(&s.impact.cross_impact, n_m)
                .map_err(|e| EngineError::invalid("impact.cross_impact", e.to_string()))?,
            ext_size0: vec![0; n_m],
            ext_cost0: vec![0; n_m],
            ledger_total0: 0,
            collateral_total0: vec![0.0; s.assets.len()],
            accounts_equity0: 0.0,
            index: TriggerIndex::default(),
            scenario: ScenarioParams {
                round_cap: s.engine.round_cap,
                round_duration_s: s.engine.round_duration_s,
                withdrawal_sensitivity: s.impact.withdrawal.sensitivity,
                withdrawal_floor: s.impact.withdrawal.floor,
                shock: s.shock.moves(n_m),
                seed: s.seed,
            },
            price,
            flows: crate::flows::FlowModel::build(&s.flows, &s.markets)?,
            policy: crate::policy::PolicyModel::build(&s.policy),
        };
        let mut slots_by_market = Vec::new();
        crate::flatten::flatten(&mut m, &s.accounts, &counts, &mut slots_by_market)?;
        // The flows' holders entered their positions against the makers too.
        for h in &m.flows.holders {
            m.ext_size0[h.market] -= h.size0;
        }
        for k in 0..n_m {
            let spec = &m.markets[k];
            m.ext_cost0[k] = spec.value(m.ext_size0[k], spec.ticks(m.mark0[k])).0;
        }
        // In slot order, one by one: a float sum in another order could differ in its last bit.
        for c in 0..m.coll_asset.len() {
            m.collateral_total0[m.coll_asset[c] as usize] += m.coll_qty0[c];
        }
        m.start_totals_and_index(&counts, slots_by_market);
        Ok(m)
    }

    /// Sets the ledger and equity totals at the start and builds the trigger index.
    ///
    /// Both read a [`Workspace`](crate::ledger::Workspace) in the starting state. A fresh one
    /// copies the five per-account arrays (tens of MB on 1M accounts) only to be dropped, so
    /// instead the workspace is made while the model's starting arrays are moved out (it
    /// then holds every other holder: makers, funds, arbitrageurs, flows), the accounts' part of
    /// the ledger total is added on all cores (integers: any order gives the same sum), and the
    /// arrays are moved into the workspace for the index build and back into the model after it.
    fn start_totals_and_index(
        &mut self,
        counts: &[crate::flatten::BlockCount],
        slots_by_market: Vec<Vec<u32>>,
    ) {
        use rayon::prelude::*;
        let start = [
            std::mem::take(&mut self.wallet0),
            std::mem::take(&mut self.size0),
            std::mem::take(&mut self.cost0),
            std::mem::take(&mut self.iso_margin0),
        ];
        let coll_qty0 = std::mem::take(&mut self.coll_qty0);
        let mut ws = crate::ledger::Workspace::new(self);
        let sum = |v: &[i64]| v.par_iter().map(|&x| x as i128).sum::<i128>();
        let [wallet, size, cost, iso_margin] = start;
        self.ledger_total0 = ws.ledger_total() + sum(&wallet) + sum(&iso_margin) - sum(&cost);
        self.accounts_equity0 = ws.accounts_equity_total(self);
        (ws.wallet, ws.size, ws.cost, ws.iso_margin, ws.coll_qty) =
            (wallet, size, cost, iso_margin, coll_qty0);
        // The index reads positions and balances from `ws` and only structure from the model.
        self.index = TriggerIndex::build(self, &ws, counts, slots_by_market);
        self.wallet0 = std::mem::take(&mut ws.wallet);
        self.size0 = std::mem::take(&mut ws.size);
        self.cost0 = std::mem::take(&mut ws.cost);
        self.iso_margin0 = std::mem::take(&mut ws.iso_margin);
        self.coll_qty0 = std::mem::take(&mut ws.coll_qty);
    }

    pub fn n_markets(&self) -> usize {
        self.markets.len()
    }

    pub fn n_accounts(&self) -> usize {
        self.wallet0.len()
    }

    pub fn n_positions(&self) -> usize {
        self.size0.len()
    }

    /// Position slots of account `a`.
    #[inline]
    pub(crate) fn positions_of(&self, a: u32) -> std::ops::Range<usize> {
        self.pos_start[a as usize] as usize..self.pos_start[a as usize + 1] as usize
    }

    /// Collateral slots of account `a`.
    #[inline]
    pub(crate) fn collateral_of(&self, a: u32) -> std::ops::Range<usize> {
        self.coll_start[a as usize] as usize..self.coll_start[a as usize + 1] as usize
    }

    /// The account a unit belongs to.
    #[inline]
    pub fn unit_account(&self, u: Unit) -> u32 {
        match u.isolated_slot() {
            Some(slot) => self.pos_account[slot as usize],
            None => u.0,
        }
    }

    /// The symbol of a collateral asset.
    pub fn asset_symbol(&self, asset: usize) -> &str {
        &self.asset_symbol[asset]
    }

    /// The seed the scenario was generated with (recorded in outputs).
    pub fn seed(&self) -> u64 {
        self.scenario.seed
    }

    /// The exogenous shock per market.
    pub fn shock(&self) -> &[f64] {
        &self.scenario.shock
    }

    /// Replaces the exogenous shock (CLI `--shock` overrides).
    pub fn set_shock(&mut self, shock: Vec<f64>) {
        self.scenario.shock = shock;
    }
}

/// A read-only view of one position as the scenario starts, for analyses built on the model
/// (network, liquidation map) that must not reach into the engine's arrays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionView {
    pub slot: u32,
    pub account: u32,
    pub market: usize,
    pub size_lots: i64,
    /// Signed size in base units.
    pub qty: f64,
    /// Cost basis, USD.
    pub cost_usd: f64,
    pub isolated: bool,
    /// Isolated margin, USD (0 for cross).
    pub isolated_margin_usd: f64,
}

impl EngineModel {
    /// Every position at the start, in slot order (accounts contiguous).
    pub fn positions(&self) -> impl Iterator<Item = PositionView> + '_ {
        (0..self.n_positions()).map(move |s| self.position(s as u32))
    }

    /// One position at the start.
    pub fn position(&self, slot: u32) -> PositionView {
        let s = slot as usize;
        let k = self.pos_market[s] as usize;
        PositionView {
            slot,
            account: self.pos_account[s],
            market: k,
            size_lots: self.size0[s],
            qty: self.size0[s] as f64 * self.markets[k].lot_size,
            cost_usd: self.cost0[s] as f64 * 1e-6,
            isolated: self.pos_isolated[s],
            isolated_margin_usd: self.iso_margin0[s] as f64 * 1e-6,
        }
    }

    /// Position slots of an account.
    pub fn account_positions(&self, account: u32) -> std::ops::Range<usize> {
        self.positions_of(account)
    }

    /// Cross-wallet USD balance of an account at the start.
    pub fn wallet_usd(&self, account: u32) -> f64 {
        self.wallet0[account as usize] as f64 * 1e-6
    }

    /// Collateral of an account at the start: `(asset index, qty)`.
    pub fn account_collateral(&self, account: u32) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.collateral_of(account).map(move |c| (self.coll_asset[c] as usize, self.coll_qty0[c]))
    }

    /// The market a collateral asset is priced at, if it is volatile.
    pub fn asset_market(&self, asset: usize) -> Option<usize> {
        match self.asset_pricing[asset] {
            AssetPricing::Market(k) => Some(k),
            AssetPricing::Fixed(_) | AssetPricing::Path(_) => None,
        }
    }

    /// Where a sale of this collateral asset executes.
    pub fn asset_sale_venue(&self, asset: usize) -> SaleVenue {
        self.asset_sale[asset]
    }

    /// The auto-exchange threshold in force, USD (`None` = no auto-exchange).
    /// Holdings the transfer-in cap cut at the start: `(account, asset, quantity beyond it)`.
    pub fn collateral_capped(&self) -> &[(u32, u16, f64)] {
        &self.collateral_capped
    }

    /// The transfer-in cap of each asset (`None` = none).
    pub fn asset_transfer_caps(&self) -> &[Option<f64>] {
        &self.asset_transfer_cap
    }

    pub fn auto_exchange_threshold_usd(&self) -> Option<f64> {
        self.auto_exchange_threshold.map(|x| x as f64 * 1e-6)
    }

    /// Price of a collateral asset at `t_s` seconds into the run, before any trade (its path's
    /// step at `t_s`, else its start price).
    pub fn asset_price_at(&self, asset: usize, t_s: f64) -> f64 {
        match self.asset_pricing[asset] {
            AssetPricing::Path(p0) => path_price(&self.asset_path[asset], p0, t_s),
            _ => self.asset_price0(asset),
        }
    }

    /// Margin units at the start: `(unit, equity, maintenance)` in USD.
    /// The same list as [`Workspace::unit_margins`](crate::ledger::Workspace::unit_margins) on a
    /// fresh workspace, computed in blocks of accounts on all cores and joined in account order.
    pub fn start_margins(&self) -> Vec<(Unit, f64, f64)> {
        use rayon::prelude::*;
        let ws = crate::ledger::Workspace::new(self);
        let n_a = self.n_accounts();
        let blocks: Vec<Vec<(Unit, f64, f64)>> = (0..n_a.div_ceil(crate::flatten::ACCOUNTS_PER_BLOCK))
            .into_par_iter()
            .map(|b| {
                let first = b * crate::flatten::ACCOUNTS_PER_BLOCK;
                let accounts = first as u32..(first + crate::flatten::ACCOUNTS_PER_BLOCK).min(n_a) as u32;
                let mut out = Vec::with_capacity(accounts.len());
                // The order of `unit_margins`: each account's cross wallet, then its isolated slots.
                for a in accounts {
                    let (e, mm) = ws.unit_margin(self, Unit::cross(a));
                    out.push((Unit::cross(a), e, mm));
                    for s in self.positions_of(a) {
                        if self.pos_isolated[s] {
                            let u = Unit::isolated(s as u32);
                            let (e, mm) = ws.unit_margin(self, u);
                            out.push((u, e, mm));
                        }
                    }
                }
                out
            })
            .collect();
        blocks.concat()
    }

    /// The insurance funds of all venues together at the start, USD.
    pub fn insurance_fund_usd(&self) -> f64 {
        self.venues.iter().map(|v| v.fund0 as f64 * 1e-6).sum()
    }

    /// The insurance funds of all venues together at the start, micro-USD.
    pub(crate) fn fund0_total(&self) -> i64 {
        self.venues.iter().map(|v| v.fund0).sum()
    }

    pub fn n_venues(&self) -> usize {
        self.venues.len()
    }

    /// Whether the scenario has more than one venue (per-venue outputs are shown only then, so
    /// that single-venue outputs are unchanged).
    pub fn is_multi_venue(&self) -> bool {
        self.venues.len() > 1
    }

    /// The venue market `k` is listed on.
    #[inline]
    pub fn market_venue(&self, k: usize) -> usize {
        self.market_venue[k] as usize
    }

    /// The venue a unit belongs to: its isolated position's market's, or its account's (every
    /// position of an account is on one venue; an account with none is venue 0's).
    #[inline]
    pub fn unit_venue(&self, u: Unit) -> usize {
        let slot = match u.isolated_slot() {
            Some(s) => s as usize,
            None => {
                let r = self.positions_of(u.0);
                if r.is_empty() {
                    return 0;
                }
                r.start
            }
        };
        self.market_venue[self.pos_market[slot] as usize] as usize
    }

    /// The rulebook that applies to a unit.
    #[inline]
    pub fn unit_rulebook(&self, u: Unit) -> &Rulebook {
        &self.venues[self.unit_venue(u)].rulebook
    }

    /// The rulebook of the venue market `k` is listed on.
    #[inline]
    pub fn market_rulebook(&self, k: usize) -> &Rulebook {
        &self.venues[self.market_venue[k] as usize].rulebook
    }
}

impl EngineModel {
    /// Haircut of a collateral asset (share of its value that does not count as margin).
    pub fn asset_haircut(&self, asset: usize) -> f64 {
        self.asset_haircut[asset]
    }

    /// Price of a collateral asset at the start (its market's mark, or its fixed price).
    pub fn asset_price0(&self, asset: usize) -> f64 {
        match self.asset_pricing[asset] {
            AssetPricing::Market(k) => self.mark0[k],
            AssetPricing::Fixed(p) => p,
            AssetPricing::Path(p0) => path_price(&self.asset_path[asset], p0, 0.0),
        }
    }

    /// Seconds one round of the instant cascade stands for.
    pub fn round_duration_s(&self) -> f64 {
        self.scenario.round_duration_s
    }

    /// The mark rule in force (the venue's, resolved) and the seconds between mark updates
    /// (0 = every round).
    pub fn mark_rule(&self) -> (liq_domain::MarkRule, f64) {
        (self.price.mark_rule[0], self.price.mark_clock_s[0])
    }

    /// Names of the spot markets, in scenario order.
    pub fn spot_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.price.spot.iter().map(|s| s.name.as_str())
    }

    /// Replaces the exogenous book shock (USD of market flow per perp market; CLI `--shock-book`).
    pub fn set_book_shock(&mut self, usd: Vec<f64>) {
        self.price.book_shock_usd = usd;
    }
}

/// The step a price path is on at `t_s` (the last point at or before it; `p0` before the first).
#[inline]
pub(crate) fn path_price(path: &[liq_domain::PathPoint], p0: f64, t_s: f64) -> f64 {
    // A small tolerance: step times are sums of the step length, which need not be exact.
    let i = path.partition_point(|p| p.t_s <= t_s + 1e-9);
    if i == 0 {
        p0
    } else {
        path[i - 1].price
    }
}
