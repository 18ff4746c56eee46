//! Venue liquidation rulebooks: what each preset does when a margin unit falls below maintenance.
//!
//! | rule | binance | bybit | hyperliquid | dydx (v4) |
//! |---|---|---|---|---|
//! | trigger | equity < maintenance, at mark | equity < maintenance, at mark | equity < maintenance, at mark | equity < maintenance, at oracle price |
//! | mark price | index basket + funding | mark price | external CEX prices + own book | oracle price |
//! | partial liquidation | one IOC order down to a lower tier (`StepDownLadder`) | FillOrKill down to a lower risk-limit tier; lowest tier straight to the engine (`lowest_tier_to_backstop`) | 20% of positions > 100k USDC; within 30 s of a slice the whole position (`Slices`) | ≤ 10% of a position (≥ 1,000 USDC) and ≤ 100,000 USDC per subaccount per block, ≤ 50 liquidations per block (`block_limits`) |
//! | liquidation order / limit | IOC at bankruptcy (`OrderLimit::Bankruptcy`) | FillOrKill at bankruptcy (`OrderKind::FillOrKill`) | order to the book at bankruptcy (engine's limit) | IOC at the fillable price, BA 1.0, SMMR 1.5 (`OrderLimit::FillablePrice`) |
//! | after the order | still below maintenance: rest to the fund at bankruptcy (`TakeoverRest`) | killed or still below: whole rest to the engine at bankruptcy (`TakeoverRest`) | unfilled part to the vault, next slice (`TakeoverUnfilledThenStep`) | no takeover: retried next block (`RetryNextRound`); fill below bankruptcy paid by the fund, rejected if it cannot (`fund_pays_below_bankruptcy`) |
//! | fee | liquidation ("clearance") fee → fund (`charges_liquidation_fee`) | none beyond taker fee | none | penalty ≤ 1.5% → fund |
//! | surplus over bankruptcy | insurance fund (`surplus_to_fund`) | insurance fund | stays with the trader | stays with the trader after the penalty |
//! | backstop / takeover | insurance fund, net position ≤ 100% of the fund (`position_cap_of_fund = 1.0`) | liquidation engine takes the rest at bankruptcy | liquidator vault takes the unit when equity < 2/3 maintenance (`backstop_equity_ratio = 2/3`) | none |
//! | inventory back to the book | 10% of the round's liquidation volume (`FundUnwind`, assumption) | same | same | no inventory |
//! | ADL trigger | fund cannot carry the loss or the position cap is reached | fund cannot carry the loss, or 8 h drawdown < −30% with balance > 10,000 (stops above −25%) | account / isolated position value < 0 | subaccount equity (TNC) < 0 |
//! | ADL ranking | LeveragePnL = max(0, uPnL)/max(1, wallet) × MM/margin balance | PnL% × effective leverage (÷ if losing) | (mark/entry) × (notional/account value) | list order from a pseudo-random start |
//! | ADL price | bankruptcy | bankruptcy | previous mark | bankruptcy |
//!
//! This table is copied from `docs/venues.md`, which quotes each venue's own wording with its source
//! and the date observed; keep the two identical.

use liq_domain::{RiskLadder, VenuePreset};
use serde::{Deserialize, Serialize};

/// How much of a position one liquidation step closes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum PartialLiquidation {
    /// Reduce the position to the cap of the next lower risk tier; a first-tier position is
    /// closed in full. Repeated while the unit stays below maintenance.
    StepDownLadder,
    /// Close `fraction` of the position when its notional exceeds `min_notional_usd`; smaller
    /// positions are closed in full. After a slice, the next slice may come only once
    /// `cooldown_s` has passed: a unit liquidated again *within* the cooldown is closed in full
    /// (Hyperliquid: "During this cooldown period, all market liquidation orders for that user
    /// will be for the entire position"). See [`Rulebook::next_close_lots_after`].
    Slices { fraction: f64, min_notional_usd: f64, cooldown_s: f64 },
    /// Close the whole position at once.
    FullClose,
}

/// Where a liquidation order is limited.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum OrderLimit {
    /// Never beyond the unit's bankruptcy price (Binance, Bybit, Hyperliquid in this engine).
    Bankruptcy,
    /// dYdX v4's *fillable price* (`protocol/x/clob/keeper/liquidations.go`, `GetFillablePrice`):
    /// `(PNNV − ABR × SMMR × PMMR) / PS` with `ABR = clamp(BA × (1 − TNC / TMMR), 0, 1)`, i.e. the
    /// oracle price moved against the position by `ABR × SMMR × PMMR / |PS|`. See
    /// [`fillable_price`].
    FillablePrice {
        /// `BA`, `bankruptcy_adjustment_ppm / 1e6`.
        bankruptcy_adjustment: f64,
        /// `SMMR`, `spread_to_maintenance_margin_ratio_ppm / 1e6`.
        spread_to_maintenance_ratio: f64,
    },
}

/// How a liquidation order meets the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderKind {
    /// Fills what it can up to its limit; the rest is cancelled.
    ImmediateOrCancel,
    /// Fills in full up to its limit or not at all (Bybit's step-down order).
    FillOrKill,
}

/// What follows a liquidation order that left the unit below maintenance or did not fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AfterOrder {
    /// One order; if the unit is still below maintenance, or the order did not fill, the rest of
    /// the position is taken over by the backstop at the bankruptcy price (Binance, Bybit).
    TakeoverRest,
    /// The unfilled part goes to the backstop; further steps follow while the unit stays below
    /// maintenance (Hyperliquid's slices).
    TakeoverUnfilledThenStep,
    /// Nothing is taken over: the unit keeps what did not fill and is liquidated again next
    /// round (block); a unit with negative equity is deleveraged (dYdX v4).
    RetryNextRound,
}

/// dYdX v4's per-block liquidation limits (`LiquidationsConfig`, `protocol/testing/genesis.sh`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BlockLimits {
    /// `max_position_portion_liquidated_ppm / 1e6`: at most this share of a position's notional
    /// per block …
    pub max_position_portion: f64,
    /// … but at least `min_position_notional_liquidated` (USD; the whole position if smaller).
    pub min_position_notional_usd: f64,
    /// `subaccount_block_limits.max_notional_liquidated` (USD per subaccount per block).
    pub max_subaccount_notional_usd: f64,
    /// The node's `max-liquidation-attempts-per-block` (`protocol/x/clob/flags/flags.go`).
    pub max_liquidations_per_block: u32,
}

/// How the backstop sends taken-over inventory back into the book.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FundUnwind {
    /// Each round the backstop sells (buys) at most this share of the lots the market's book
    /// absorbed from liquidation orders in that round: a participation rate of the recent
    /// traded volume. No venue publishes its schedule (Binance: "according to a preset
    /// algorithm"); the default 10% is argued in `docs/venues.md`.
    pub participation: f64,
}

/// When auto-deleveraging replaces the backstop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum AdlTrigger {
    /// When the fund's equity cannot carry the hand-over's loss, or the fund's net position in
    /// the market would exceed `position_cap_of_fund` × its equity (Binance's "maximum net
    /// notional position check", 100% of the fund by default).
    FundCannotTake { position_cap_of_fund: Option<f64> },
    /// Bybit (2025-11-05): the fund cannot carry the loss, or its 8-hour drawdown ratio
    /// `(equity − 8 h max) / 8 h max` is below `trigger_ratio` while its balance is above
    /// `min_balance_usd`; ADL stops once the ratio is back above `stop_ratio`.
    FundDrawdown { trigger_ratio: f64, stop_ratio: f64, min_balance_usd: f64 },
    /// Hyperliquid and dYdX: when the liquidated unit's equity is negative.
    NegativeEquity,
}

/// Who is deleveraged first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdlRanking {
    /// Binance "LeveragePnL": `max(0, uPnL) / max(1, wallet) × maintenance / margin balance`
    /// ([`crate::adl::binance_leverage_pnl`]).
    BinanceLeveragePnl,
    /// Bybit: PnL% × effective leverage (÷ for losers) ([`crate::adl::adl_score`]).
    ProfitAndEffectiveLeverage,
    /// Hyperliquid: `(mark / entry) × (notional / account value)`
    /// ([`crate::adl::hyperliquid_adl_index`]).
    HyperliquidIndex,
    /// dYdX v4: offsetting subaccounts in list order from a pseudo-random start.
    RandomStart,
}

/// The price a deleveraged position is closed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdlPrice {
    /// The liquidated position's bankruptcy price (Binance, Bybit, dYdX).
    Bankruptcy,
    /// The mark price before the liquidation (Hyperliquid: "the previous mark price").
    PreviousMark,
}

/// How the lots to deleverage are spread over the opposite side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdlPolicy {
    /// The venue's queue: best-ranked positions first, each closed up to its size.
    Ranked,
    /// Every opposite position closed by the same fraction (a comparison policy, not a venue's).
    ProRata,
}

/// A venue's auto-deleveraging.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdlRules {
    pub trigger: AdlTrigger,
    pub ranking: AdlRanking,
    pub price: AdlPrice,
    pub policy: AdlPolicy,
}

/// The liquidation rules of one venue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rulebook {
    pub venue: VenuePreset,
    pub partial: PartialLiquidation,
    /// On a full liquidation, whether equity left above bankruptcy goes to the insurance fund
    /// (Binance, Bybit) or stays with the user.
    pub surplus_to_fund: bool,
    /// Backstop: when equity falls below this fraction of maintenance margin, the backstop
    /// (insurance fund / liquidator vault) takes the whole unit over at once.
    pub backstop_equity_ratio: Option<f64>,
    /// Whether the market's liquidation fee is charged on liquidated notional.
    pub charges_liquidation_fee: bool,
    pub order_limit: OrderLimit,
    pub order_kind: OrderKind,
    pub after_order: AfterOrder,
    /// Bybit: a position in the lowest risk-limit tier is not sent to the book; the liquidation
    /// engine takes it over at the bankruptcy price.
    pub lowest_tier_to_backstop: bool,
    /// dYdX v4: the per-block limits.
    pub block_limits: Option<BlockLimits>,
    /// dYdX v4: a fill worse than bankruptcy is paid by the fund and rejected if the fund
    /// cannot pay (`IsValidInsuranceFundDelta`).
    pub fund_pays_below_bankruptcy: bool,
    pub unwind: FundUnwind,
    pub adl: AdlRules,
}

/// The default unwind: 10% participation (argued in `docs/venues.md`).
pub const DEFAULT_UNWIND: FundUnwind = FundUnwind { participation: 0.10 };

/// dYdX v4's fillable price of a position of `size` (signed, base units) at oracle `oracle`, in a
/// subaccount with total net collateral `tnc` and total maintenance requirement `tmmr`, the
/// position's own requirement being `pmmr` (all USD). Mirrors `GetFillablePrice`: the adjusted
/// bankruptcy rating `ABR = clamp(BA × (1 − TNC/TMMR), 0, 1)` scales the maximum spread
/// `SMMR × PMMR`, which moves the price against the position (down for a long, up for a short).
pub fn fillable_price(
    size: f64,
    oracle: f64,
    tnc: f64,
    tmmr: f64,
    pmmr: f64,
    bankruptcy_adjustment: f64,
    spread_to_maintenance_ratio: f64,
) -> f64 {
    if size == 0.0 || tmmr.is_nan() || tmmr <= 0.0 {
        return oracle;
    }
    let abr = (bankruptcy_adjustment * (1.0 - tnc / tmmr)).clamp(0.0, 1.0);
    let spread = abr * spread_to_maintenance_ratio * pmmr;
    // (PNNV − spread) / PS with PNNV = PS × oracle.
    let p = (size * oracle - spread) / size;
    if p.is_finite() {
        p.max(0.0)
    } else {
        oracle
    }
}

impl BlockLimits {
    /// Notional (USD) of a position of notional `position_notional` that one block may liquidate,
    /// given `already_usd` liquidated from the same subaccount in this block
    /// (`GetLiquidatablePositionSizeDelta`): `min(max(portion × N, min(min_notional, N)),
    /// subaccount cap − already)`, the whole position when that covers it.
    pub fn max_notional_this_block(&self, position_notional: f64, already_usd: f64) -> f64 {
        let n = position_notional.abs();
        let min_pos = self.min_position_notional_usd.min(n);
        let max_pos = (n * self.max_position_portion).max(min_pos);
        let sub = (self.max_subaccount_notional_usd - already_usd).max(0.0);
        max_pos.min(sub)
    }
}

impl Rulebook {
    /// The preset rules of `venue`. Each value below is what the venue's own documentation or
    /// code says; sources and dates are in `docs/venues.md` (the venues change these rules).
    pub fn for_venue(venue: VenuePreset) -> Rulebook {
        match venue {
            // Binance FAQ "Binance Futures Liquidation Protocols" (2024-05-29): one large IOC
            // order reduces the position without fully liquidating it; if still deficient the
            // rest is closed at the bankruptcy price and taken over by the insurance fund; a
            // liquidation (clearance) fee is charged and remaining collateral goes to the fund.
            // "Introduction to Insurance Funds" (FAQ 360033525371, 2019-09-09 as revised): the
            // fund's net notional position may not exceed 100% of the fund; beyond it,
            // counterparty liquidation (ADL). ADL FAQ 360033525471: "LeveragePnL" ranking,
            // closed at the bankruptcy price.
            VenuePreset::Binance => Rulebook {
                venue,
                partial: PartialLiquidation::StepDownLadder,
                surplus_to_fund: true,
                backstop_equity_ratio: None,
                charges_liquidation_fee: true,
                order_limit: OrderLimit::Bankruptcy,
                order_kind: OrderKind::ImmediateOrCancel,
                after_order: AfterOrder::TakeoverRest,
                lowest_tier_to_backstop: false,
                block_limits: None,
                fund_pays_below_bankruptcy: false,
                unwind: DEFAULT_UNWIND,
                adl: AdlRules {
                    trigger: AdlTrigger::FundCannotTake { position_cap_of_fund: Some(1.0) },
                    ranking: AdlRanking::BinanceLeveragePnl,
                    price: AdlPrice::Bankruptcy,
                    policy: AdlPolicy::Ranked,
                },
            },
            // Bybit Help Center "Liquidation Process (USDT Contract)": lowest tier closed at the
            // bankruptcy price by the liquidation engine; higher tiers get a FillOrKill order
            // down to a lower risk-limit tier first, and if still liquidatable the position is
            // taken over at bankruptcy. "Insurance Fund" (2024-05-04): margin left above
            // bankruptcy goes to the fund. "Auto-Deleveraging (ADL) Mechanism" (2025-11-05) and
            // API "Get ADL Alert" (bybit-exchange/docs docs/v5/market/adl-alert.mdx): ADL when
            // the 8 h drawdown ratio < insurancePnlRatio (−0.3 in the published example) with
            // balance > adlTriggerThreshold (10,000), stop when > adlStopRatio (−0.25), or when
            // the balance is ≤ 0.
            VenuePreset::Bybit => Rulebook {
                venue,
                partial: PartialLiquidation::StepDownLadder,
                surplus_to_fund: true,
                backstop_equity_ratio: None,
                charges_liquidation_fee: false,
                order_limit: OrderLimit::Bankruptcy,
                order_kind: OrderKind::FillOrKill,
                after_order: AfterOrder::TakeoverRest,
                lowest_tier_to_backstop: true,
                block_limits: None,
                fund_pays_below_bankruptcy: false,
                unwind: DEFAULT_UNWIND,
                adl: AdlRules {
                    trigger: AdlTrigger::FundDrawdown {
                        trigger_ratio: -0.3,
                        stop_ratio: -0.25,
                        min_balance_usd: 10_000.0,
                    },
                    ranking: AdlRanking::ProfitAndEffectiveLeverage,
                    price: AdlPrice::Bankruptcy,
                    policy: AdlPolicy::Ranked,
                },
            },
            // Hyperliquid Docs "Liquidations": positions over 100k USDC are liquidated 20% at a
            // time with a 30 s cooldown; remaining collateral stays with the trader; no clearance
            // fee; backstop by the liquidator vault below 2/3 of maintenance margin.
            // "Auto-deleveraging": when an account's (or isolated position's) value is negative,
            // opposite users ranked by (mark/entry) × (notional/account value), closed at the
            // previous mark price.
            VenuePreset::Hyperliquid => Rulebook {
                venue,
                partial: PartialLiquidation::Slices {
                    fraction: 0.2,
                    min_notional_usd: 100_000.0,
                    cooldown_s: 30.0,
                },
                surplus_to_fund: false,
                backstop_equity_ratio: Some(2.0 / 3.0),
                charges_liquidation_fee: false,
                order_limit: OrderLimit::Bankruptcy,
                order_kind: OrderKind::ImmediateOrCancel,
                after_order: AfterOrder::TakeoverUnfilledThenStep,
                lowest_tier_to_backstop: false,
                block_limits: None,
                fund_pays_below_bankruptcy: false,
                unwind: DEFAULT_UNWIND,
                adl: AdlRules {
                    trigger: AdlTrigger::NegativeEquity,
                    ranking: AdlRanking::HyperliquidIndex,
                    price: AdlPrice::PreviousMark,
                    policy: AdlPolicy::Ranked,
                },
            },
            // dYdX v4-chain (github.com/dydxprotocol/v4-chain, commit 84d4664b, 2026-03-04):
            // `protocol/testing/genesis.sh` sets max_liquidation_fee_ppm 15000 (1.5%),
            // min_position_notional_liquidated 1,000 USDC, max_position_portion_liquidated_ppm
            // 100000 (10%), max_notional_liquidated 100,000 USDC per subaccount per block,
            // bankruptcy_adjustment_ppm 1,000,000, spread_to_maintenance_margin_ratio_ppm
            // 1,500,000; `x/clob/flags/flags.go` max-liquidation-attempts-per-block 50.
            // `x/clob/keeper/deleveraging.go`: negative-TNC subaccounts deleveraged at the
            // bankruptcy price against offsetting subaccounts from a pseudo-random start; no
            // fund takeover; `IsValidInsuranceFundDelta` rejects fills the fund cannot pay.
            VenuePreset::Dydx => Rulebook {
                venue,
                partial: PartialLiquidation::FullClose,
                surplus_to_fund: false,
                backstop_equity_ratio: None,
                charges_liquidation_fee: true,
                order_limit: OrderLimit::FillablePrice {
                    bankruptcy_adjustment: 1.0,
                    spread_to_maintenance_ratio: 1.5,
                },
                order_kind: OrderKind::ImmediateOrCancel,
                after_order: AfterOrder::RetryNextRound,
                lowest_tier_to_backstop: false,
                block_limits: Some(BlockLimits {
                    max_position_portion: 0.10,
                    min_position_notional_usd: 1_000.0,
                    max_subaccount_notional_usd: 100_000.0,
                    max_liquidations_per_block: 50,
                }),
                fund_pays_below_bankruptcy: true,
                unwind: DEFAULT_UNWIND,
                adl: AdlRules {
                    trigger: AdlTrigger::NegativeEquity,
                    ranking: AdlRanking::RandomStart,
                    price: AdlPrice::Bankruptcy,
                    policy: AdlPolicy::Ranked,
                },
            },
        }
    }

    /// The same rules with the ADL spread pro rata over the opposite side (for comparison).
    pub fn with_adl_policy(mut self, policy: AdlPolicy) -> Rulebook {
        self.adl.policy = policy;
        self
    }

    /// Lots to close in the next liquidation step of a position of `size_lots` (signed) with
    /// `lot_size` base units per lot at mark `mark`. Always in `1..=|size_lots|` (0 for a zero
    /// size). Ignores the cooldown; [`Rulebook::next_close_lots_after`] applies it.
    pub fn next_close_lots(&self, ladder: &RiskLadder, size_lots: i64, lot_size: f64, mark: f64) -> i64 {
        // `checked_abs` because `i64::MIN.abs()` overflows; such a size is nonsense but must not panic.
        let abs = size_lots.checked_abs().unwrap_or(i64::MAX);
        if abs == 0 {
            return 0;
        }
        let notional = abs as f64 * lot_size * mark;
        let close = match self.partial {
            PartialLiquidation::FullClose => abs,
            PartialLiquidation::StepDownLadder => {
                let t = ladder.tier_index(notional);
                if t == 0 {
                    abs
                } else {
                    let target_cap = ladder.tiers()[t - 1].cap_notional;
                    let mut keep = ((target_cap / (lot_size * mark)).floor() as i64).clamp(0, abs - 1);
                    // The division can round up by an ulp, leaving the kept notional a hair above
                    // the lower tier's cap, i.e. still in tier `t`; step back until it is below.
                    while keep > 0 && ladder.tier_index(keep as f64 * lot_size * mark) >= t {
                        keep -= 1;
                    }
                    abs - keep
                }
            }
            PartialLiquidation::Slices { fraction, min_notional_usd, .. } => {
                if notional > min_notional_usd {
                    ((abs as f64 * fraction).ceil() as i64).max(1)
                } else {
                    abs
                }
            }
        };
        close.clamp(1, abs)
    }

    /// Like [`Rulebook::next_close_lots`], with the cooldown applied: `since_last_partial_s` is
    /// the time since this unit's last partial step (`None` if it has had none). Within the
    /// cooldown the whole position is closed, as Hyperliquid does; after it, or with no cooldown
    /// in the rulebook, the normal step applies.
    pub fn next_close_lots_after(
        &self,
        ladder: &RiskLadder,
        size_lots: i64,
        lot_size: f64,
        mark: f64,
        since_last_partial_s: Option<f64>,
    ) -> i64 {
        let in_cooldown = match since_last_partial_s {
            Some(dt) => self.cooldown_s() > 0.0 && (dt.is_nan() || dt < self.cooldown_s()),
            None => false,
        };
        if in_cooldown {
            size_lots.checked_abs().unwrap_or(i64::MAX)
        } else {
            self.next_close_lots(ladder, size_lots, lot_size, mark)
        }
    }

    /// Seconds after a partial step during which a further liquidation closes the whole position
    /// instead of taking another slice (0 = no cooldown).
    pub fn cooldown_s(&self) -> f64 {
        match self.partial {
            PartialLiquidation::Slices { cooldown_s, .. } => cooldown_s,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder() -> RiskLadder {
        // Caps 50k / 600k / 3M with 0.4% / 0.5% / 0.65%: the first three BTCUSDT brackets.
        RiskLadder::from_caps(&[
            (50_000.0, 0.004, 125.0),
            (600_000.0, 0.005, 100.0),
            (3_000_000.0, 0.0065, 75.0),
        ])
        .unwrap()
    }

    #[test]
    fn module_doc_table_matches_docs_venues_md() {
        // The preset table is written twice (here for rustdoc, in docs/venues.md for readers);
        // this keeps them from drifting apart.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/venues.md");
        let doc = std::fs::read_to_string(path).expect("docs/venues.md is readable");
        let table = |text: &str, prefix: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.strip_prefix(prefix))
                .map(str::trim)
                .skip_while(|l| !l.starts_with("| rule |"))
                .take_while(|l| l.starts_with('|'))
                .map(String::from)
                .collect()
        };
        let here = table(include_str!("rulebook.rs"), "//!");
        let there = table(&doc, "");
        assert!(here.len() > 5, "table not found in the module doc");
        assert_eq!(here, there);
    }

    #[test]
    fn presets_match_the_venues_documents() {
        let h = Rulebook::for_venue(VenuePreset::Hyperliquid);
        // Hyperliquid Docs "Liquidations": 20% of positions larger than 100k USDC, 30 s cooldown,
        // backstop below 2/3 of maintenance, remaining collateral stays with the trader, no
        // clearance fee.
        assert_eq!(
            h.partial,
            PartialLiquidation::Slices { fraction: 0.2, min_notional_usd: 100_000.0, cooldown_s: 30.0 }
        );
        assert_eq!(h.backstop_equity_ratio, Some(2.0 / 3.0));
        assert!(!h.surplus_to_fund && !h.charges_liquidation_fee);
        let b = Rulebook::for_venue(VenuePreset::Binance);
        assert!(b.surplus_to_fund && b.charges_liquidation_fee);
        let y = Rulebook::for_venue(VenuePreset::Bybit);
        assert!(y.surplus_to_fund && !y.charges_liquidation_fee);
        let d = Rulebook::for_venue(VenuePreset::Dydx);
        assert!(!d.surplus_to_fund && d.charges_liquidation_fee);
        assert_eq!(d.partial, PartialLiquidation::FullClose);
    }

    #[test]
    fn dydx_fillable_price_by_hand() {
        // Hand-worked from GetFillablePrice. Long 1 BTC at oracle 100,000 with MMF 3%:
        // PMMR = 3,000; TNC 1,500 and TMMR 3,000 → ABR = 1 × (1 − 0.5) = 0.5; spread =
        // 0.5 × 1.5 × 3,000 = 2,250 → fillable 97,750 (below the bankruptcy price 98,500: the
        // fund pays the 750 if it can).
        assert!(
            (fillable_price(1.0, 100_000.0, 1_500.0, 3_000.0, 3_000.0, 1.0, 1.5) - 97_750.0).abs() < 1e-9
        );
        // Short 2 at 50,000 with MMF 5%: PMMR 5,000; TNC 4,000 / TMMR 5,000 → ABR 0.2; spread
        // 0.2 × 1.5 × 5,000 = 1,500 → (−100,000 − 1,500) / −2 = 50,750.
        assert!(
            (fillable_price(-2.0, 50_000.0, 4_000.0, 5_000.0, 5_000.0, 1.0, 1.5) - 50_750.0).abs() < 1e-9
        );
        // At maintenance (TNC = TMMR) the order is limited at the oracle price; at or below zero
        // TNC the ABR is clamped to 1 (spread 1.5 × 3,000 = 4,500).
        assert_eq!(fillable_price(1.0, 100_000.0, 3_000.0, 3_000.0, 3_000.0, 1.0, 1.5), 100_000.0);
        assert!((fillable_price(1.0, 100_000.0, -500.0, 3_000.0, 3_000.0, 1.0, 1.5) - 95_500.0).abs() < 1e-9);
        // Degenerate: no requirement → oracle.
        assert_eq!(fillable_price(1.0, 100.0, 1.0, 0.0, 0.0, 1.0, 1.5), 100.0);
    }

    #[test]
    fn dydx_block_limits_by_hand() {
        let l = match Rulebook::for_venue(VenuePreset::Dydx).block_limits {
            Some(l) => l,
            None => panic!("dydx has block limits"),
        };
        // 2,000,000 notional: 10% = 200,000, capped by the subaccount's 100,000 per block.
        assert_eq!(l.max_notional_this_block(2_000_000.0, 0.0), 100_000.0);
        // After 60,000 liquidated in the block, 40,000 remain.
        assert_eq!(l.max_notional_this_block(2_000_000.0, 60_000.0), 40_000.0);
        // 5,000 notional: 10% = 500, raised to the 1,000 minimum.
        assert_eq!(l.max_notional_this_block(5_000.0, 0.0), 1_000.0);
        // 800 notional: below the minimum → the whole position.
        assert_eq!(l.max_notional_this_block(800.0, 0.0), 800.0);
        assert_eq!(l.max_notional_this_block(800.0, 100_000.0), 0.0);
    }

    #[test]
    fn backstop_and_adl_presets() {
        let b = Rulebook::for_venue(VenuePreset::Binance);
        assert_eq!(b.after_order, AfterOrder::TakeoverRest);
        assert_eq!(b.adl.trigger, AdlTrigger::FundCannotTake { position_cap_of_fund: Some(1.0) });
        assert_eq!(b.adl.ranking, AdlRanking::BinanceLeveragePnl);
        let y = Rulebook::for_venue(VenuePreset::Bybit);
        assert_eq!(y.order_kind, OrderKind::FillOrKill);
        assert!(y.lowest_tier_to_backstop);
        assert_eq!(
            y.adl.trigger,
            AdlTrigger::FundDrawdown { trigger_ratio: -0.3, stop_ratio: -0.25, min_balance_usd: 10_000.0 }
        );
        let h = Rulebook::for_venue(VenuePreset::Hyperliquid);
        assert_eq!((h.adl.trigger, h.adl.price), (AdlTrigger::NegativeEquity, AdlPrice::PreviousMark));
        let d = Rulebook::for_venue(VenuePreset::Dydx);
        assert_eq!(d.after_order, AfterOrder::RetryNextRound);
        assert!(d.fund_pays_below_bankruptcy);
        assert_eq!(
            d.order_limit,
            OrderLimit::FillablePrice { bankruptcy_adjustment: 1.0, spread_to_maintenance_ratio: 1.5 }
        );
        assert_eq!(d.clone().with_adl_policy(AdlPolicy::ProRata).adl.policy, AdlPolicy::ProRata);
        for r in [&b, &y, &h, &d] {
            assert_eq!(r.unwind, DEFAULT_UNWIND);
        }
    }

    #[test]
    fn step_down_lands_in_the_lower_tier() {
        // 10 BTC (lot 0.001 → 10,000 lots) at 100,000 = 1,000,000 notional, tier 3 (index 2).
        // Keep floor(600,000 / (0.001 × 100,000)) = 6,000 lots = 600,000 notional (tier 2, its cap
        // inclusive), so close 4,000 lots.
        let r = Rulebook::for_venue(VenuePreset::Binance);
        assert_eq!(r.next_close_lots(&ladder(), 10_000, 0.001, 100_000.0), 4_000);
        // A first-tier position is closed in full.
        assert_eq!(r.next_close_lots(&ladder(), -400, 0.001, 100_000.0), 400);
    }

    #[test]
    fn hyperliquid_slices_and_cooldown() {
        let h = Rulebook::for_venue(VenuePreset::Hyperliquid);
        // 2 BTC at 100,000 = 200,000 > 100,000: 20% of 2,000 lots = 400.
        assert_eq!(h.next_close_lots(&ladder(), 2_000, 0.001, 100_000.0), 400);
        // 0.9 BTC = 90,000 ≤ 100,000: whole position.
        assert_eq!(h.next_close_lots(&ladder(), 900, 0.001, 100_000.0), 900);
        // 10 s after a slice (inside the 30 s cooldown) the whole position goes; after 30 s,
        // another 20% slice.
        assert_eq!(h.next_close_lots_after(&ladder(), 1_600, 0.001, 100_000.0, Some(10.0)), 1_600);
        assert_eq!(h.next_close_lots_after(&ladder(), 1_600, 0.001, 100_000.0, Some(30.0)), 320);
        assert_eq!(h.next_close_lots_after(&ladder(), 1_600, 0.001, 100_000.0, None), 320);
        // Venues without a cooldown ignore the clock.
        let b = Rulebook::for_venue(VenuePreset::Binance);
        assert_eq!(b.next_close_lots_after(&ladder(), 10_000, 0.001, 100_000.0, Some(1.0)), 4_000);
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let r = Rulebook::for_venue(VenuePreset::Binance);
        assert_eq!(r.next_close_lots(&ladder(), 0, 0.001, 100.0), 0);
        let n = r.next_close_lots(&ladder(), i64::MIN, 0.001, 100.0);
        assert!(n >= 1);
        for mark in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let n = r.next_close_lots(&ladder(), 1_000, 0.001, mark);
            assert!((1..=1_000).contains(&n), "mark {mark}: {n}");
        }
    }
}
