//! Venue liquidation rulebooks: what each preset does when a margin unit falls below maintenance.
//!
//! | rule | binance | bybit | hyperliquid | dydx (v4) |
//! |---|---|---|---|---|
//! | trigger | equity < maintenance, at mark | equity < maintenance, at mark | equity < maintenance, at mark | equity < maintenance, at oracle price |
//! | mark price | index basket + funding | mark price | external CEX prices + own book | oracle price |
//! | partial liquidation | one IOC order down to a lower tier (`StepDownLadder`) | FillOrKill down to a lower risk-limit tier (`StepDownLadder`) | 20% of positions > 100k USDC; within 30 s of a slice the whole position (`Slices`) | governance-configurable; preset closes all (`FullClose`) |
//! | liquidation order / limit | IOC; rest closed at bankruptcy price | FillOrKill; rest taken at bankruptcy price | market order to the book | limit at the "fillable price" |
//! | fee | liquidation ("clearance") fee → fund (`charges_liquidation_fee`) | none beyond taker fee | none | penalty ≤ 1.5% → fund |
//! | surplus over bankruptcy | insurance fund (`surplus_to_fund`) | insurance fund | stays with the trader | stays with the trader after the penalty |
//! | backstop / takeover | insurance fund takes the rest at bankruptcy | liquidation engine takes the rest at bankruptcy | liquidator vault takes the unit when equity < 2/3 maintenance (`backstop_equity_ratio = 2/3`) | insurance fund covers up to a max spread from oracle |
//! | fund exhausted | ADL by profit and leverage | ADL by profit and effective leverage | ADL by unrealised PnL and leverage, at previous oracle price | deleveraging of offsetting accounts at bankruptcy price |
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
    /// Share of the backstop's taken-over inventory it sends back into the book as a market
    /// order each round/step. An exchange's liquidation engine closes what its fund took over
    /// in the market (1.0: the fund absorbs the difference to bankruptcy, the book absorbs the
    /// flow); Hyperliquid's liquidator vault (HLP) holds positions and works them out as a
    /// market maker, modelled as a slow unwind (0.05 per round, an assumption: the vault does
    /// not publish its unwind schedule).
    pub backstop_unwind_per_round: f64,
}

impl Rulebook {
    /// The preset rules of `venue`. Each value below is what the venue's own documentation says;
    /// sources and dates are in `docs/venues.md` (checked 2025; the venues change these rules).
    pub fn for_venue(venue: VenuePreset) -> Rulebook {
        match venue {
            // Binance FAQ "Binance Futures Liquidation Protocols": one large IOC order reduces the
            // position without fully liquidating it; if still deficient the rest is closed at the
            // bankruptcy price and taken over by the insurance fund; a liquidation (clearance)
            // fee is charged and remaining collateral goes to the fund.
            VenuePreset::Binance => Rulebook {
                venue,
                partial: PartialLiquidation::StepDownLadder,
                surplus_to_fund: true,
                backstop_equity_ratio: None,
                charges_liquidation_fee: true,
                backstop_unwind_per_round: 1.0,
            },
            // Bybit Help Center "Liquidation Process (USDT Contract)": lowest tier closed at the
            // bankruptcy price; higher tiers get a FillOrKill order down to a lower risk-limit
            // tier first. "Insurance Fund": margin left above bankruptcy goes to the fund. No
            // separate liquidation fee (the fee to close is part of the margin held).
            VenuePreset::Bybit => Rulebook {
                venue,
                partial: PartialLiquidation::StepDownLadder,
                surplus_to_fund: true,
                backstop_equity_ratio: None,
                charges_liquidation_fee: false,
                backstop_unwind_per_round: 1.0,
            },
            // Hyperliquid Docs "Liquidations": positions over 100k USDC are liquidated 20% at a
            // time with a 30 s cooldown; remaining collateral stays with the trader; no clearance
            // fee; backstop by the liquidator vault below 2/3 of maintenance margin.
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
                backstop_unwind_per_round: 0.05,
            },
            // dYdX v4 "Liquidations": how much is closed is a governance setting (the preset
            // closes all); a penalty of at most 1.5% goes to the insurance fund and the engine
            // tries to leave the rest of the account's value with the user.
            VenuePreset::Dydx => Rulebook {
                venue,
                partial: PartialLiquidation::FullClose,
                surplus_to_fund: false,
                backstop_equity_ratio: None,
                charges_liquidation_fee: true,
                backstop_unwind_per_round: 1.0,
            },
        }
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
