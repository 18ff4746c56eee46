//! Venue liquidation rulebooks: what each preset does when a margin unit falls below maintenance.
//!
//! | rule                    | binance              | bybit                | hyperliquid                         | dydx        |
//! |-------------------------|----------------------|----------------------|-------------------------------------|-------------|
//! | trigger                 | mark < maintenance   | mark < maintenance   | mark < maintenance                  | mark < maintenance |
//! | partial liquidation     | step down the ladder | step down the ladder | 20% slices of large positions, cooldown | full close  |
//! | order                   | IOC at bankruptcy    | IOC at bankruptcy    | market order                        | IOC at bankruptcy |
//! | surplus over bankruptcy | insurance fund       | insurance fund       | stays with the user                 | stays with the user (after fee) |
//! | backstop                | fund takes over      | fund takes over      | vault takes over below 2/3 of maintenance | fund takes over |
//! | fund exhausted          | ADL                  | ADL                  | ADL                                 | ADL (deleveraging) |
//!
//! Sources and details are in `docs/venues.md`.

use liq_domain::{RiskLadder, VenuePreset};
use serde::{Deserialize, Serialize};

/// How much of a position one liquidation step closes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum PartialLiquidation {
    /// Reduce the position to the cap of the next lower risk tier; a first-tier position is
    /// closed in full. Repeated while the unit stays below maintenance.
    StepDownLadder,
    /// Close `fraction` of the position when its notional exceeds `min_notional_usd`, then wait
    /// `cooldown_s` before the next slice; smaller positions are closed in full.
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
}

impl Rulebook {
    pub fn for_venue(venue: VenuePreset) -> Rulebook {
        match venue {
            VenuePreset::Binance => Rulebook {
                venue,
                partial: PartialLiquidation::StepDownLadder,
                surplus_to_fund: true,
                backstop_equity_ratio: None,
                charges_liquidation_fee: true,
            },
            VenuePreset::Bybit => Rulebook {
                venue,
                partial: PartialLiquidation::StepDownLadder,
                surplus_to_fund: true,
                backstop_equity_ratio: None,
                charges_liquidation_fee: false,
            },
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
            },
            VenuePreset::Dydx => Rulebook {
                venue,
                partial: PartialLiquidation::FullClose,
                surplus_to_fund: false,
                backstop_equity_ratio: None,
                charges_liquidation_fee: true,
            },
        }
    }

    /// Lots to close in the next liquidation step of a position of `size_lots` (signed) with
    /// `lot_size` base units per lot at mark `mark`. Always in `1..=|size_lots|`.
    pub fn next_close_lots(&self, ladder: &RiskLadder, size_lots: i64, lot_size: f64, mark: f64) -> i64 {
        let abs = size_lots.abs();
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
                    let keep = (target_cap / (lot_size * mark)).floor() as i64;
                    abs - keep.clamp(0, abs - 1)
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

    /// Seconds a unit must wait between two partial liquidation steps (0 = none).
    pub fn cooldown_s(&self) -> f64 {
        match self.partial {
            PartialLiquidation::Slices { cooldown_s, .. } => cooldown_s,
            _ => 0.0,
        }
    }
}
