//! Collateral as the venues count and convert it: tiered value ratios and Binance's
//! multi-assets auto-exchange, each with its source and date next to the rule.
//!
//! This module owns the maths (a holding's value under tiers, the collateral an auto-exchange
//! converts and how it is split over assets) and the venues' published constants. The engine
//! applies them (`liq_engine::ledger`, `liq_engine::spot_sale`); the scenario names them
//! (`liq_domain::collateral`).

use liq_domain::{ValueTier, VenuePreset};

/// Binance multi-assets mode: auto-exchange when an asset's wallet balance (Total Net Transfer
/// plus Realized Profits plus Net Funding Fee − Commission) is below `autoExchangeThreshold`,
/// "−10,000 USD", "fixed and cannot be adjusted".
/// Source: Binance FAQ "Frequently Asked Questions on Multi-Assets Mode", 2022-07-06,
/// <https://www.binance.com/en/support/faq/f80415bea8124f6494566f23c0bf9c38>; the same
/// threshold on Binance's "Multi-Assets Mode" trading-rules page
/// (<https://www.binance.com/en/futures/trading-rules/perpetual/multi-asset-info>, read
/// 2026-12-02).
pub const BINANCE_AUTO_EXCHANGE_THRESHOLD_USD: f64 = -10_000.0;

/// The auto-exchange threshold a venue publishes, if it has one. Only Binance's multi-assets mode
/// publishes an auto-exchange of a negative balance against collateral; Bybit's unified account
/// borrows a negative balance instead (interest, no conversion below a threshold in the pages
/// cited in docs/venues.md), Hyperliquid and dYdX margin in USDC only.
pub fn venue_auto_exchange_threshold(venue: VenuePreset) -> Option<f64> {
    match venue {
        VenuePreset::Binance => Some(BINANCE_AUTO_EXCHANGE_THRESHOLD_USD),
        _ => None,
    }
}

/// Value counted as margin of a holding of `amount` under `tiers`, per unit of price: each slice
/// of the holding counts at its own tier's ratio (Σ slice × ratio), beyond the last tier at 0.
/// `amount` is in the unit the tiers are written in (asset quantity for Bybit; USD for Binance's
/// cross-margin tiers, whose example below this follows). Empty tiers count everything at 1.
///
/// Slice-wise, not "the whole holding at the ratio of the tier it reaches": Binance's published
/// example values 120,000,000 USDT of BTC as 100,000,000 × 100% + 20,000,000 × 97.5%
/// (Binance, "Binance Cross Margin Collateral Haircuts", FAQ,
/// <https://www.binance.com/en/support/faq/binance-cross-margin-collateral-haircuts-4bec9126c021472285b20874f9380dfb>,
/// read 2026-12-02); Bybit publishes its tiers as quantity ranges ("0 − 10: 0.98, >10 − 20:
/// 0.95, …, >50: 0") with the same reading (see [`BYBIT_BTC_EXAMPLE_TIERS`]).
pub fn tiered_value(amount: f64, tiers: &[ValueTier]) -> f64 {
    if tiers.is_empty() || amount <= 0.0 {
        return amount.max(0.0);
    }
    let mut counted = 0.0;
    let mut lower = 0.0;
    for t in tiers {
        if amount <= lower {
            break;
        }
        counted += (amount.min(t.up_to) - lower) * t.ratio;
        lower = t.up_to;
    }
    counted
}

/// The marginal ratio at `amount` (the ratio of the tier the next unit falls in): the slope of
/// [`tiered_value`].
pub fn marginal_ratio(amount: f64, tiers: &[ValueTier]) -> f64 {
    if tiers.is_empty() {
        return 1.0;
    }
    tiers.iter().find(|t| amount < t.up_to).map(|t| t.ratio).unwrap_or(0.0)
}

/// Bybit's published example table of tiered collateral value ratios (BTC by quantity, USDT
/// flat at 1). Source: Bybit Help Center, "Understanding Collateral Value Ratios in Unified
/// Trading Account", last updated 2025-09-18,
/// <https://www.bybit.com/en/help-center/article/Assets-Collateral-Value-Ratio-List-UTA>
/// (read on Bybit's testnet help mirror testnet.bytick.com, 2026-12-02). "The Collateral Value
/// Ratio only applies to assets with a positive balance" (a negative balance counts at 100%).
/// The live per-coin ratios are on Bybit's "Margin Specification" page and change "from time
/// to time"; this is the table Bybit's own worked example uses.
pub const BYBIT_BTC_EXAMPLE_TIERS: [ValueTier; 6] = [
    ValueTier { up_to: 10.0, ratio: 0.98 },
    ValueTier { up_to: 20.0, ratio: 0.95 },
    ValueTier { up_to: 30.0, ratio: 0.90 },
    ValueTier { up_to: 40.0, ratio: 0.85 },
    ValueTier { up_to: 50.0, ratio: 0.80 },
    ValueTier { up_to: f64::INFINITY, ratio: 0.0 },
];

/// Binance multi-assets mode collateral value ratios as first published, with the maximum
/// transfer-in per asset: BTC 95% (5 BTC), ETH 95% (70 ETH), BNB 95%, SOL 90% (100 SOL),
/// USDT 99.99%, USDC 99.99%. Source: Binance FAQ "What Is Multi-Assets Mode", 2021-05-28,
/// <https://www.binance.com/en-IN/support/faq/29b45c485d664028b9ca1cdf90b24f6f>. Binance's
/// trading-rules page (read 2026-12-02) publishes the current "Multi-Assets Exchange Rate"
/// live and its auto-exchange example divides by 97.5% for BTC: a scenario should state the
/// ratio of its date as the asset's haircut (`1 − ratio`).
pub const BINANCE_2021_VALUE_RATIO: [(&str, f64); 6] =
    [("BTC", 0.95), ("ETH", 0.95), ("BNB", 0.95), ("SOL", 0.90), ("USDT", 0.9999), ("USDC", 0.9999)];

/// A venue's published collateral value table for one asset: a flat ratio (Binance) or tiers by
/// quantity (Bybit), with the set it belongs to and its date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollateralTable {
    pub venue: VenuePreset,
    pub symbol: &'static str,
    /// The table set (`binance-multi-assets-collateral-value-ratio`).
    pub set: &'static str,
    /// The date on the venue's page.
    pub observed: &'static str,
    /// Flat value ratio (used when `tiers` is empty).
    pub ratio: f64,
    /// Tiers by quantity (empty = the flat ratio).
    pub tiers: &'static [ValueTier],
}

impl CollateralTable {
    /// `venue:SYMBOL`, as `run --json` meta names it.
    pub fn name(&self) -> String {
        format!("{}:{}", self.venue.name(), self.symbol)
    }

    /// The haircut a flat table gives (`1 − ratio`; 0 for a tiered one, whose tiers count).
    pub fn haircut(&self) -> f64 {
        if self.tiers.is_empty() {
            1.0 - self.ratio
        } else {
            0.0
        }
    }
}

/// Set name of Binance's multi-assets collateral value ratios ([`BINANCE_2021_VALUE_RATIO`]).
pub const BINANCE_COLLATERAL_SET: &str = "binance-multi-assets-collateral-value-ratio";
/// Set name of Bybit's unified-account tiered ratios ([`BYBIT_BTC_EXAMPLE_TIERS`]).
pub const BYBIT_COLLATERAL_SET: &str = "bybit-uta-tiered-collateral-value-ratio";

/// The collateral table a venue preset publishes for `symbol` (case-insensitive): Binance's
/// 2021-05-28 ratios (BTC, ETH, BNB, SOL, USDT, USDC), Bybit's 2025-09-18 BTC tiers. Bybit
/// publishes its other coins' ratios only live ("Margin Specification"), and Hyperliquid and
/// dYdX take no collateral but USDC: for those the scenario's own haircut applies.
pub fn venue_collateral_table(venue: VenuePreset, symbol: &str) -> Option<CollateralTable> {
    match venue {
        VenuePreset::Binance => BINANCE_2021_VALUE_RATIO
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(symbol))
            .map(|&(sym, ratio)| CollateralTable {
                venue,
                symbol: sym,
                set: BINANCE_COLLATERAL_SET,
                observed: "2021-05-28",
                ratio,
                tiers: &[],
            }),
        VenuePreset::Bybit if symbol.eq_ignore_ascii_case("BTC") => Some(CollateralTable {
            venue,
            symbol: "BTC",
            set: BYBIT_COLLATERAL_SET,
            observed: "2025-09-18",
            ratio: 1.0,
            tiers: &BYBIT_BTC_EXAMPLE_TIERS,
        }),
        _ => None,
    }
}

/// The published table an asset's rules equal, if any (the same for `run --json` meta as
/// `tiers::identify` for margin tables): tiers equal to a venue's tiered table, or no tiers and
/// a haircut equal to `1 −` a venue's flat ratio for that symbol. The scenario's venue is
/// tried first, so Binance's BTC 95% under `venue = "binance"` names Binance's table.
pub fn identify_collateral_table(
    venue: VenuePreset,
    symbol: &str,
    haircut: f64,
    tiers: &[ValueTier],
) -> Option<CollateralTable> {
    let mut venues = vec![venue];
    venues.extend(VenuePreset::ALL.iter().copied().filter(|v| *v != venue));
    venues.into_iter().filter_map(|v| venue_collateral_table(v, symbol)).find(|t| {
        if t.tiers.is_empty() {
            tiers.is_empty() && (t.haircut() - haircut).abs() < 1e-12
        } else {
            t.tiers == tiers
        }
    })
}

/// Binance multi-assets mode "Maximum Transfer-in" per asset as first published: BTC 5, ETH 70,
/// BNB 1,000, XRP 15,600, ADA 11,300, DOT 460, SOL 100, USDC 10,000,000 (USDT and BUSD
/// "Unlimited"). Source: Binance FAQ "What Is Multi-Assets Mode", 2021-05-28,
/// <https://www.binance.com/en-IN/support/faq/29b45c485d664028b9ca1cdf90b24f6f>. The later
/// revision of that FAQ says "the maximum deposit limit for each margin asset varies based on the
/// user's VIP level" and points to the live Multi-Assets Info page, so these are the only dated
/// caps; they apply only when a scenario asks (`collateral.transfer_in_caps`).
pub const BINANCE_2021_MAX_TRANSFER_IN: [(&str, f64); 8] = [
    ("BTC", 5.0),
    ("ETH", 70.0),
    ("BNB", 1_000.0),
    ("XRP", 15_600.0),
    ("ADA", 11_300.0),
    ("DOT", 460.0),
    ("SOL", 100.0),
    ("USDC", 10_000_000.0),
];

/// The maximum transfer-in a venue publishes for collateral `symbol` (case-insensitive), if any:
/// Binance's 2021 table; no other preset publishes one (Bybit's unified account has no
/// transfer-in cap in the pages cited in docs/venues.md; Hyperliquid and dYdX take USDC only).
pub fn venue_transfer_in_cap(venue: VenuePreset, symbol: &str) -> Option<f64> {
    match venue {
        VenuePreset::Binance => BINANCE_2021_MAX_TRANSFER_IN
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(symbol))
            .map(|&(_, cap)| cap),
        _ => None,
    }
}

/// Binance's third auto-exchange trigger: "Your USDⓈ-M Futures Wallet has a negative balance,
/// with no existing positions or open orders. If LTV ≥ 1, Auto-Exchange will be triggered" —
/// Binance FAQ "Frequently Asked Questions on Multi-Assets Mode", 2022-07-06,
/// <https://www.binance.com/en/support/faq/f80415bea8124f6494566f23c0bf9c38>; the trading-rules
/// page: "When you do not have existing positions or open orders, the system will continuously
/// calculate the LTV (loan to value). When LTV ≥ 1, auto-exchange will be triggered."
/// **Assumed** (Binance defines no formula for this LTV): the loan is the negative balance and
/// the value is the collateral at its value ratio, `LTV = −wallet / Σ counted collateral`, the
/// same value the auto-exchange credits. Returns false with no debt; true with debt and no
/// counted collateral only if some collateral is held (else there is nothing to exchange).
pub fn binance_ltv_trigger(wallet_usd: f64, counted_collateral_usd: f64, has_positions: bool) -> bool {
    if has_positions || wallet_usd.is_nan() || wallet_usd >= 0.0 {
        return false;
    }
    -wallet_usd >= counted_collateral_usd
}

/// Binance's auto-exchange: a negative balance of `deficit_usd` (> 0) is covered by converting
/// collateral of market value `deficit / ratio` — "when your BUSD balance is −20,000 BUSD …
/// 20,000 BUSD / 97.5% = 20,513 BUSD of the BTC will be changed to BUSD to balance the wallet"
/// — spread "according to the proportion of each asset" when several are held. Source: Binance
/// "Multi-Assets Mode" trading rules, Auto Exchange,
/// <https://www.binance.com/en/futures/trading-rules/perpetual/multi-asset-info>, read
/// 2026-12-02.
///
/// `holdings` are `(market value USD, value ratio)` per asset held. Returns the market value to
/// convert per asset (same order): each asset's share of the total market value of the deficit
/// grossed up by the value-weighted ratio, capped at what is held. Converting `x_i` of asset `i`
/// credits `x_i × ratio_i` (the wallet is balanced at the haircut price), so the credits sum to
/// the deficit unless the collateral runs out.
pub fn auto_exchange_split(deficit_usd: f64, holdings: &[(f64, f64)]) -> Vec<f64> {
    let total: f64 = holdings.iter().map(|&(v, _)| v.max(0.0)).sum();
    let counted: f64 = holdings.iter().map(|&(v, r)| v.max(0.0) * r).sum();
    if deficit_usd.is_nan() || deficit_usd <= 0.0 || total <= 0.0 || counted <= 0.0 {
        return vec![0.0; holdings.len()];
    }
    // Proportion by market value: x_i = s·v_i with Σ x_i·r_i = deficit ⇒ s = deficit / Σ v_i r_i.
    let s = (deficit_usd / counted).min(1.0);
    holdings.iter().map(|&(v, _)| s * v.max(0.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binance_published_cross_margin_example() {
        // Binance's Example 1: BTC tiers in USDT, 100% to 100M, 97.5% to 120M, …; 6,000 BTC at
        // 20,000 = 120,000,000 USDT counts 119,500,000.
        let t = |up_to, ratio| ValueTier { up_to, ratio };
        let tiers = [t(100e6, 1.0), t(120e6, 0.975), t(150e6, 0.95), t(180e6, 0.90), t(200e6, 0.85)];
        assert!((tiered_value(6_000.0 * 20_000.0, &tiers) - 119_500_000.0).abs() < 1e-6);
    }

    #[test]
    fn bybit_tier_table_hand_worked() {
        // Hand-worked on Bybit's published BTC table: 25 BTC = 10×0.98 + 10×0.95 + 5×0.90
        // = 9.8 + 9.5 + 4.5 = 23.8 BTC counted; 60 BTC = 9.8 + 9.5 + 9 + 8.5 + 8 + 10×0 = 44.8.
        assert!((tiered_value(25.0, &BYBIT_BTC_EXAMPLE_TIERS) - 23.8).abs() < 1e-12);
        assert!((tiered_value(60.0, &BYBIT_BTC_EXAMPLE_TIERS) - 44.8).abs() < 1e-12);
        assert!((tiered_value(10.0, &BYBIT_BTC_EXAMPLE_TIERS) - 9.8).abs() < 1e-12);
        assert_eq!(marginal_ratio(25.0, &BYBIT_BTC_EXAMPLE_TIERS), 0.90);
        assert_eq!(marginal_ratio(55.0, &BYBIT_BTC_EXAMPLE_TIERS), 0.0);
        assert_eq!(tiered_value(3.0, &[]), 3.0);
    }

    #[test]
    fn binance_auto_exchange_published_example() {
        // −20,000 against BTC at a 97.5% value ratio: 20,000 / 0.975 = 20,512.82 of BTC converted
        // (Binance rounds it to "20,513").
        let x = auto_exchange_split(20_000.0, &[(100_000.0, 0.975)]);
        assert!((x[0] - 20_512.820_512_820_5).abs() < 1e-6);
        assert_eq!(x[0].round(), 20_513.0);
        // Hand-worked, two assets in proportion to value: BTC 30,000 at 0.95, ETH 10,000 at 0.95;
        // deficit 7,600 → s = 7,600 / 38,000 = 0.2: 6,000 of BTC, 2,000 of ETH, credited
        // 5,700 + 1,900 = 7,600.
        let x = auto_exchange_split(7_600.0, &[(30_000.0, 0.95), (10_000.0, 0.95)]);
        assert!((x[0] - 6_000.0).abs() < 1e-9 && (x[1] - 2_000.0).abs() < 1e-9);
        // Not enough collateral: everything is converted, no more.
        let x = auto_exchange_split(1e9, &[(30_000.0, 0.95)]);
        assert_eq!(x, vec![30_000.0]);
        assert_eq!(auto_exchange_split(0.0, &[(1.0, 1.0)]), vec![0.0]);
        assert_eq!(venue_auto_exchange_threshold(VenuePreset::Binance), Some(-10_000.0));
        assert_eq!(venue_auto_exchange_threshold(VenuePreset::Dydx), None);
    }

    #[test]
    fn preset_tables_and_their_identification() {
        let b = venue_collateral_table(VenuePreset::Binance, "btc").unwrap();
        assert_eq!(
            (b.name(), b.observed, b.set),
            ("binance:BTC".to_string(), "2021-05-28", BINANCE_COLLATERAL_SET)
        );
        assert!((b.haircut() - 0.05).abs() < 1e-12);
        assert!(
            (venue_collateral_table(VenuePreset::Binance, "SOL").unwrap().haircut() - 0.10).abs() < 1e-12
        );
        let y = venue_collateral_table(VenuePreset::Bybit, "BTC").unwrap();
        assert_eq!((y.tiers.len(), y.haircut()), (6, 0.0));
        assert!(venue_collateral_table(VenuePreset::Bybit, "ETH").is_none());
        assert!(venue_collateral_table(VenuePreset::Dydx, "BTC").is_none());
        assert_eq!(
            identify_collateral_table(VenuePreset::Bybit, "BTC", 0.05, &[]).map(|t| t.name()),
            Some("binance:BTC".to_string())
        );
        assert_eq!(
            identify_collateral_table(VenuePreset::Binance, "BTC", 0.0, &BYBIT_BTC_EXAMPLE_TIERS)
                .map(|t| t.name()),
            Some("bybit:BTC".to_string())
        );
        assert!(identify_collateral_table(VenuePreset::Binance, "BTC", 0.07, &[]).is_none());
    }

    #[test]
    fn binance_caps_and_ltv_trigger() {
        assert_eq!(venue_transfer_in_cap(VenuePreset::Binance, "btc"), Some(5.0));
        assert_eq!(venue_transfer_in_cap(VenuePreset::Binance, "SOL"), Some(100.0));
        assert_eq!(venue_transfer_in_cap(VenuePreset::Binance, "USDT"), None);
        assert_eq!(venue_transfer_in_cap(VenuePreset::Bybit, "BTC"), None);
        // Hand-worked: −950 against 1,000 of BTC at 95% (950 counted): LTV = 1 → triggers;
        // −949 → 0.999, no; with a position, never (the −10,000 threshold governs then).
        assert!(binance_ltv_trigger(-950.0, 950.0, false));
        assert!(!binance_ltv_trigger(-949.0, 950.0, false));
        assert!(!binance_ltv_trigger(-5_000.0, 950.0, true));
        assert!(!binance_ltv_trigger(10.0, 0.0, false));
    }
}
