//! The venues' published rules and worked examples, checked against this crate's functions.
//!
//! Each test names its source (title and address as found, 2025). Where a venue's page gives a
//! formula but no numbers, the example is worked by hand and every step is in the comment; those
//! are marked "hand-worked".

use liq_domain::RiskLadder;
use liq_margin::tiers;
use liq_margin::venue_formulas::{
    dydx_liquidation_price, hyperliquid_liquidation_price, hyperliquid_maintenance_rate,
};
use liq_margin::{
    bankruptcy_price, binance_liquidation_price, liquidation_surplus, margin_ratio, trigger_price, Rulebook,
    Trigger,
};

/// The 2024 Binance BTCUSDT brackets the Binance examples below are worked on.
fn btc_2024() -> RiskLadder {
    tiers::binance::BTCUSDT_2024Q3.ladder().unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn level(t: Trigger) -> f64 {
    match t {
        Trigger::AtOrBelow(p) | Trigger::AtOrAbove(p) => p,
        Trigger::Never => f64::NAN,
    }
}

/// A one-tier ladder with maintenance rate `mmr`. The cap is only a position limit (the last tier
/// extends past it) and the max leverage does not enter any trigger or bankruptcy price; both are
/// set just to pass validation.
fn flat(mmr: f64) -> RiskLadder {
    RiskLadder::from_caps(&[(1e12, mmr, (0.5 / mmr).max(1.0))]).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Binance — "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts", Binance Support FAQ,
// https://www.binance.com/en-NG/support/faq/b3c689c1f50a44cabb3a84e663b81d93 (2020-08-14, observed
// 2025). The page gives the formula
//   LP = (WB − TMM1 + UPNL1 + cumB − Side1 × Position1 × EP1) / (Position1 × MMR_B − Side1 × Position1)
// (isolated: WB = isolated wallet balance, TMM1 = UPNL1 = 0) and tells the reader to redo it with
// the bracket *at the liquidation price* when that differs from the bracket at entry. Its numeric
// liquidation example was not found (only the Level-3 maintenance amount, tested in `tiers`), so
// the examples below are hand-worked on the 2024 BTCUSDT brackets `tiers::binance::BTCUSDT_2024Q3`
// (tier 1: ≤ 50k, 0.4%, cum 0; tier 2: ≤ 600k, 0.5%, cum 50; tier 3: ≤ 3M, 0.65%, cum 950); the
// tables in use today are worked at the end of this file.
// ---------------------------------------------------------------------------------------------

#[test]
fn binance_isolated_long_and_short_tier1() {
    let btc = btc_2024();
    // Long 1 BTC at 40,000 with 2,000 isolated margin (20x), hand-worked:
    //   LP = (2,000 + 0 − 1 × 1 × 40,000) / (1 × 0.004 − 1) = −38,000 / −0.996 = 38,152.6104…
    //   notional at LP = 38,152.61 ≤ 50,000 → tier 1, so tier 1's rate was the right one.
    let lp = binance_liquidation_price(2_000.0, 0.0, 0.0, 0.0, 1.0, 1.0, 40_000.0, 0.004);
    assert!(close(lp, 38_152.610_441_767, 1e-6));
    // trigger_price with equity = 2,000 + 1 × (m − 40,000), i.e. fixed = −38,000.
    let t = trigger_price(1.0, 1.0, -38_000.0, &btc);
    assert!(matches!(t, Trigger::AtOrBelow(_)));
    assert!(close(level(t), lp, 1e-6));
    // At LP the margin ratio (maintenance / margin balance) is exactly 100%.
    let equity = -38_000.0 + lp;
    assert!(close(margin_ratio(btc.maintenance_margin(lp), equity), 1.0, 1e-12));

    // Short 1 BTC at 40,000 with 2,000 (20x):
    //   LP = (2,000 + 0 + 40,000) / (0.004 + 1) = 42,000 / 1.004 = 41,832.6693…  (≤ 50k: tier 1)
    let lp = binance_liquidation_price(2_000.0, 0.0, 0.0, 0.0, -1.0, 1.0, 40_000.0, 0.004);
    assert!(close(lp, 41_832.669_322_709, 1e-6));
    let t = trigger_price(-1.0, -1.0, 42_000.0, &btc);
    assert!(matches!(t, Trigger::AtOrAbove(_)));
    assert!(close(level(t), lp, 1e-6));
}

#[test]
fn binance_isolated_long_drops_a_tier_at_the_liquidation_price() {
    let btc = btc_2024();
    // Long 15 BTC at 42,000 (entry notional 630,000: tier 3) with 63,000 margin (10x), hand-worked.
    // With tier 3 (0.65%, cum 950): LP = (63,000 + 950 − 630,000) / (15 × 0.0065 − 15)
    //   = −566,050 / −14.9025 = 37,983.5598…, notional 569,753 — not in tier 3 (> 600k), so
    //   per the FAQ redo it with the bracket at that price, tier 2 (0.5%, cum 50):
    //   LP = (63,000 + 50 − 630,000) / (15 × 0.005 − 15) = −566,950 / −14.925 = 37,986.5997…,
    //   notional 569,799 ≤ 600,000: tier 2, consistent.
    let wrong = binance_liquidation_price(63_000.0, 0.0, 0.0, 950.0, 1.0, 15.0, 42_000.0, 0.0065);
    assert!(close(wrong, 37_983.559_805_402, 1e-6));
    assert!(15.0 * wrong < 600_000.0, "tier-3 answer falls outside tier 3");
    let lp = binance_liquidation_price(63_000.0, 0.0, 0.0, 50.0, 1.0, 15.0, 42_000.0, 0.005);
    assert!(close(lp, 37_986.599_664_992, 1e-6));
    let t = trigger_price(15.0, 15.0, 63_000.0 - 630_000.0, &btc);
    assert!(close(level(t), lp, 1e-6), "{t:?}");
}

#[test]
fn binance_isolated_short_rises_a_tier_at_the_liquidation_price() {
    let btc = btc_2024();
    // Short 15 BTC at 38,000 (entry notional 570,000: tier 2) with 57,000 margin (10x), hand-worked.
    // Tier 2: LP = (57,000 + 50 + 570,000) / (15 × 0.005 + 15) = 627,050 / 15.075 = 41,595.3566…,
    //   notional 623,930 > 600,000 — outside tier 2. Tier 3:
    //   LP = (57,000 + 950 + 570,000) / (15 × 0.0065 + 15) = 627,950 / 15.0975 = 41,592.9790…,
    //   notional 623,895 in (600k, 3M]: tier 3, consistent.
    let wrong = binance_liquidation_price(57_000.0, 0.0, 0.0, 50.0, -1.0, 15.0, 38_000.0, 0.005);
    assert!(15.0 * wrong > 600_000.0);
    let lp = binance_liquidation_price(57_000.0, 0.0, 0.0, 950.0, -1.0, 15.0, 38_000.0, 0.0065);
    assert!(close(lp, 41_592.978_970_028, 1e-6));
    let t = trigger_price(-15.0, -15.0, 57_000.0 + 570_000.0, &btc);
    assert!(matches!(t, Trigger::AtOrAbove(_)));
    assert!(close(level(t), lp, 1e-6), "{t:?}");
}

#[test]
fn binance_cross_with_other_positions() {
    let btc = btc_2024();
    // Cross, hand-worked: wallet 5,000; other contracts have maintenance TMM1 = 300 and unrealised
    // PnL UPNL1 = −700 (held at their own marks); long 1 BTC at 40,000 (tier 1).
    //   LP = (5,000 − 300 − 700 + 0 − 40,000) / (0.004 − 1) = −36,000 / −0.996 = 36,144.5783…
    // In trigger_price terms the other positions are constants: fixed = 5,000 − 700 − 300 − 40,000
    // (their maintenance moves to the equity side of `equity ≥ maintenance`).
    let lp = binance_liquidation_price(5_000.0, 300.0, -700.0, 0.0, 1.0, 1.0, 40_000.0, 0.004);
    assert!(close(lp, 36_000.0 / 0.996, 1e-6));
    let t = trigger_price(1.0, 1.0, 5_000.0 - 700.0 - 300.0 - 40_000.0, &btc);
    assert!(close(level(t), lp, 1e-6));
}

// ---------------------------------------------------------------------------------------------
// Bybit — "Insurance Fund", Bybit Help Center, https://www.bybit.com/en/help-center/article/Insurance-Fund
// (page dated 2024-05-04, observed 2025): "A trader has a long position on BTCUSD with the
// liquidation price at 7,000 USD and Bankruptcy price at 6,950 USD … If this position can be
// liquidated at any price higher than 6,950 USD, for example, USD 6980, the remaining margin …
// will be contributed to the insurance fund. Reciprocally, if the final execution price is lower
// than 6,950 USD, for example, 6,930 USD, the insurance fund will be used to cover the contract
// losses." The page gives no size; we use a linear 1 BTC long (the example is the inverse BTCUSD
// contract, whose amounts are in BTC — the prices are what carry over).
// ---------------------------------------------------------------------------------------------

#[test]
fn bybit_insurance_fund_example() {
    // Equity = margin + 1 × (m − entry); any entry/margin with entry − margin = 6,950 has
    // bankruptcy 6,950, e.g. entry 7,500 and margin 550. fixed = 550 − 7,500 = −6,950.
    let fixed = 550.0 - 7_500.0;
    let bp = bankruptcy_price(1.0, fixed).unwrap();
    assert!(close(bp, 6_950.0, 1e-9));

    // Fill at 6,980 (better than bankruptcy): surplus 1 × (6,980 − 6,950) = 30 to the fund.
    assert!(close(liquidation_surplus(1.0, 6_980.0, bp), 30.0, 1e-9));
    // Fill at 6,930 (worse): the fund pays 1 × (6,950 − 6,930) = 20.
    assert!(close(liquidation_surplus(1.0, 6_930.0, bp), -20.0, 1e-9));
    // Bybit sends that surplus to the fund; the fund also covers the shortfall.
    assert!(Rulebook::for_venue(liq_domain::VenuePreset::Bybit).surplus_to_fund);

    // The trigger. With maintenance = rate × |size| × mark, a long's liquidation and bankruptcy
    // prices satisfy LP × (1 − rate) = BP, so the example's 7,000 / 6,950 means a rate of
    // 1 − 6,950/7,000 = 50/7,000 = 1/140 ≈ 0.714%: 6,950 / (1 − 1/140) = 6,950 × 140/139 = 7,000.
    let t = trigger_price(1.0, 1.0, fixed, &flat(1.0 / 140.0));
    assert!(close(level(t), 7_000.0, 1e-6), "{t:?}");
    // With Bybit's published minimum BTC rate, 0.5% ("How to calculate Liquidation Price (Inverse
    // Contract)", help.bybit.com/hc/en-us/articles/360039261334), the same position triggers at
    // 6,950 / 0.995 = 6,984.9246…: Bybit's example numbers are illustrative, not derived from 0.5%.
    let t = trigger_price(1.0, 1.0, fixed, &flat(0.005));
    assert!(close(level(t), 6_984.924_623_116, 1e-6), "{t:?}");
    assert!(level(t) > bp && level(t) < 7_000.0);
}

// ---------------------------------------------------------------------------------------------
// dYdX v4 — "Liquidations", dYdX v4 documentation (github.com/dydxprotocol/v4-documentation,
// docs/pages/concepts/trading/liquidations.mdx, commit df2cc995, observed 2025).
// ---------------------------------------------------------------------------------------------

#[test]
fn dydx_isolated_liquidation_price_example() {
    // "Suppose a trader deposits $1,000 (e = 1000). The trader shorts 3 ETH contracts (s = -3) at
    // $3,000 …, MMF = 0.05 … p' = (1000 + 9000) / (0.15 + 3) = 10000 / 3.15 ≈ 3174.60 … remaining
    // equity would be … $476.2."
    let p = dydx_liquidation_price(1_000.0, -3.0, 3_000.0, 0.05, 0.0);
    assert!(close(p, 3_174.60, 0.005));
    // Same with trigger_price: equity(m) = 1,000 − 3 × (m − 3,000) = 10,000 − 3m.
    let t = trigger_price(-3.0, -3.0, 10_000.0, &flat(0.05));
    assert!(matches!(t, Trigger::AtOrAbove(_)));
    assert!(close(level(t), p, 1e-9));
    let equity = 10_000.0 - 3.0 * level(t);
    assert!(close(equity, 476.2, 0.05));
    assert!(close(equity, 3.0 * level(t) * 0.05, 1e-9), "equity = maintenance at the trigger");
}

#[test]
fn dydx_cross_liquidation_price_example() {
    // "deposits $1,000 … shorts 1.5 ETH at $3,000 and buys 1,000 STRK contracts at $1.75 (MMF =
    // 10% for STRK) … MMR_o = 1000 * 1.75 * 0.10 = 175 … p' = (1000 + 4500 − 175) / 1.575 ≈ 3380.95".
    let mmr_o = 1_000.0 * 1.75 * 0.10;
    assert!(close(mmr_o, 175.0, 1e-12));
    let p = dydx_liquidation_price(1_000.0, -1.5, 3_000.0, 0.05, mmr_o);
    assert!(close(p, 3_380.95, 0.005));
    // trigger_price: STRK is held at its price, so its value and its 175 of maintenance are
    // constants: fixed = 1,000 + 1.5 × 3,000 − 175 = 5,325.
    let t = trigger_price(-1.5, -1.5, 5_325.0, &flat(0.05));
    assert!(close(level(t), p, 1e-9));
}

#[test]
fn dydx_contract_loss_examples() {
    // dYdX "Contract Loss Mechanisms" (v4 docs as mirrored at
    // https://dydx-documentation-six.vercel.app/concepts/trading/contract-loss-mechanism):
    // "B deposits $100 and goes short 500 ABC contracts at $1 … B's bankruptcy price is $1.2".
    let bp_b = bankruptcy_price(-500.0, 100.0 + 500.0).unwrap();
    assert!(close(bp_b, 1.2, 1e-12));
    // "A deposits $100 and goes long 500 ABC contracts at $1 with … MMF of 3% … MMR = $15 … ABC's
    // price drops to $0.801: A's pnl = −$99.5 … equity is now $0.50, below the MMR."
    let fixed_a = 100.0 - 500.0;
    let ladder = flat(0.03);
    assert!(close(ladder.maintenance_margin(500.0 * 1.0), 15.0, 1e-12));
    let equity_at = |m: f64| fixed_a + 500.0 * m;
    assert!(close(equity_at(0.801), 0.5, 1e-9));
    assert!(equity_at(0.801) < ladder.maintenance_margin(500.0 * 0.801));
    // Hand-worked from those numbers: A triggers where 500m − 400 = 0.03 × 500m, m = 400/485 =
    // 0.824742…, above 0.801, so the example account is indeed liquidatable there.
    let t = trigger_price(500.0, 500.0, fixed_a, &ladder);
    assert!(close(level(t), 400.0 / 485.0, 1e-12));
    assert!(t.hit(0.801));
    // "The protocol liquidates A's position at $0.77": A's bankruptcy is 400/500 = 0.8, so the
    // insurance fund covers 500 × (0.8 − 0.77) = 15 (hand-worked; the page's own figure was cut
    // off in the copy found).
    let bp_a = bankruptcy_price(500.0, fixed_a).unwrap();
    assert!(close(bp_a, 0.8, 1e-12));
    assert!(close(liquidation_surplus(500.0, 0.77, bp_a), -15.0, 1e-9));
}

// ---------------------------------------------------------------------------------------------
// Hyperliquid — "Liquidations", Hyperliquid Docs,
// https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations (observed 2025): maintenance
// margin is half the initial margin at max leverage; liquidation price
// `price − side × margin_available / position_size / (1 − l × side)`; positions over 100k USDC are
// liquidated 20% at a time with a 30 s cooldown; backstop when equity < 2/3 of maintenance.
// No numeric example is given; the numbers below are hand-worked for a 40x asset.
// ---------------------------------------------------------------------------------------------

#[test]
fn hyperliquid_formula_agrees_with_trigger_price() {
    // 40x max leverage → l = 1/(2 × 40) = 0.0125.
    let l = hyperliquid_maintenance_rate(40.0).unwrap();
    assert_eq!(l, 0.0125);
    let ladder = flat(l);
    // Long 2 at 60,000, account value 6,000 at that mark. Maintenance = 2 × 60,000 × 0.0125 =
    // 1,500; margin_available = 4,500. liq = 60,000 − 4,500 / 2 / 0.9875 = 57,721.5190 (also
    // 114,000 / 1.975 from equity −114,000 + 2m = 0.025m).
    let liq = hyperliquid_liquidation_price(60_000.0, 1.0, 4_500.0, 2.0, l);
    assert!(close(liq, 114_000.0 / 1.975, 1e-6));
    let t = trigger_price(2.0, 2.0, 6_000.0 - 120_000.0, &ladder);
    assert!(close(level(t), liq, 1e-6));
    // Short 2 at 60,000, account value 6,000: liq = 60,000 + 4,500 / 2 / 1.0125 = 62,222.2222
    // (= 126,000 / 2.025).
    let liq = hyperliquid_liquidation_price(60_000.0, -1.0, 4_500.0, 2.0, l);
    assert!(close(liq, 126_000.0 / 2.025, 1e-6));
    let t = trigger_price(-2.0, -2.0, 6_000.0 + 120_000.0, &ladder);
    assert!(close(level(t), liq, 1e-6));
}

#[test]
fn hyperliquid_backstop_and_partial_thresholds() {
    let rb = Rulebook::for_venue(liq_domain::VenuePreset::Hyperliquid);
    let ratio = rb.backstop_equity_ratio.unwrap();
    let ladder = flat(0.0125);
    // The long above (equity = 2m − 114,000), hand-worked at two marks:
    // m = 57,600: equity 1,200; maintenance 2 × 57,600 × 0.0125 = 1,440; 2/3 of it = 960.
    //   1,200 < 1,440 → liquidatable; 1,200 ≥ 960 → market liquidation, no backstop.
    let (eq, mm) = (2.0 * 57_600.0 - 114_000.0, ladder.maintenance_margin(2.0 * 57_600.0));
    assert!(close(eq, 1_200.0, 1e-9) && close(mm, 1_440.0, 1e-9));
    assert!(eq < mm && eq >= ratio * mm);
    // m = 57,450: equity 900; maintenance 1,436.25; 2/3 = 957.5 → 900 < 957.5: backstop.
    let (eq, mm) = (2.0 * 57_450.0 - 114_000.0, ladder.maintenance_margin(2.0 * 57_450.0));
    assert!(close(eq, 900.0, 1e-9) && close(mm, 1_436.25, 1e-9));
    assert!(eq < ratio * mm);
    // Notional 2 × 57,600 = 115,200 > 100,000: one 20% slice (lots of 0.001: 2,000 → 400).
    assert_eq!(rb.next_close_lots(&ladder, 2_000, 0.001, 57_600.0), 400);
}

// ---------------------------------------------------------------------------------------------
// The tier tables the presets use today (liq_margin::tiers; each table's source and date are in
// its module and in docs/venues.md). None of the venues publishes a worked liquidation example on
// these exact tables, so every case below is hand-worked, each step in the comment.
// ---------------------------------------------------------------------------------------------

#[test]
fn binance_2026_brackets_hand_worked() {
    let btc = tiers::binance::BTCUSDT.ladder().unwrap();
    // Hand-worked. Long 5 BTC at 100,000 (notional 500,000: bracket 2, 0.5%, cum 300) with 25,000
    // isolated margin: LP = (25,000 + 300 − 500,000) / (5 × 0.005 − 5) = −474,700 / −4.975
    //   = 95,417.0854…; notional at LP 477,085 in (300k, 800k]: bracket 2, consistent.
    // Maintenance there: 477,085.43 × 0.5% − 300 = 2,085.43 = equity 25,000 + 5 × (LP − 100,000).
    let lp = binance_liquidation_price(25_000.0, 0.0, 0.0, 300.0, 1.0, 5.0, 100_000.0, 0.005);
    assert!(close(lp, 474_700.0 / 4.975, 1e-6));
    let t = trigger_price(5.0, 5.0, 25_000.0 - 500_000.0, &btc);
    assert!(close(level(t), lp, 1e-6), "{t:?}");
    assert!(close(btc.maintenance_margin(5.0 * lp), 25_000.0 + 5.0 * (lp - 100_000.0), 1e-6));
    // Hand-worked, crossing 2 → 1. Long 4 BTC at 80,000 (320,000: bracket 2) with 32,000:
    // bracket 2 gives (32,000 + 300 − 320,000) / (0.02 − 4) = 72,286.43, notional 289,146 —
    // below 300k, so bracket 1 (0.4%, cum 0): (32,000 − 320,000) / (0.016 − 4) = 288,000 / 3.984
    //   = 72,289.1566…, notional 289,157 ≤ 300k: consistent.
    let t = trigger_price(4.0, 4.0, 32_000.0 - 320_000.0, &btc);
    assert!(close(level(t), 288_000.0 / 3.984, 1e-6), "{t:?}");
    assert!(4.0 * level(t) <= 300_000.0);
}

#[test]
fn bybit_btcusdt_risk_limits_hand_worked() {
    let btc = tiers::bybit::BTCUSDT.ladder().unwrap();
    // Bybit's MM = position value × MMR − mmDeduction. Hand-worked: long 10 BTC at 100,000
    // (position value 1,000,000: tier 2, 0.5%, deduction 510) with 100,000 margin.
    //   equity(m) = 100,000 + 10 (m − 100,000) = 10m − 900,000; MM(m) = 0.05m − 510
    //   10m − 900,000 = 0.05m − 510 → 9.95m = 899,490 → m = 90,401.0050…
    //   position value there 904,010 in (300k, 2M]: tier 2, consistent; MM = 4,010.05.
    let t = trigger_price(10.0, 10.0, -900_000.0, &btc);
    assert!(matches!(t, Trigger::AtOrBelow(_)));
    assert!(close(level(t), 899_490.0 / 9.95, 1e-6), "{t:?}");
    assert!(close(btc.maintenance_margin(10.0 * level(t)), 4_010.050_251, 1e-5));
}

#[test]
fn hyperliquid_btc_second_tier_hand_worked() {
    let btc = tiers::hyperliquid::BTC.ladder().unwrap();
    // Hand-worked above 150M (tier 2: 20x, rate 2.5%, deduction 150M × (2.5% − 1.25%) =
    // 1,875,000). Long 2,000 BTC at 100,000 (200M) with 20M: equity = 2,000m − 180M; maintenance
    // = 50m − 1,875,000 while 2,000m > 150M. 1,950m = 178,125,000 → m = 91,346.1538…, notional
    // 182.7M > 150M: tier 2, consistent.
    let t = trigger_price(2_000.0, 2_000.0, 20e6 - 200e6, &btc);
    assert!(close(level(t), 178_125_000.0 / 1_950.0, 1e-6), "{t:?}");
    // Below 150M the docs' single-rate formula applies: the 40x case of
    // `hyperliquid_formula_agrees_with_trigger_price` gives the same level on the real table.
    let liq = hyperliquid_liquidation_price(60_000.0, 1.0, 4_500.0, 2.0, 0.0125);
    assert!(close(level(trigger_price(2.0, 2.0, 6_000.0 - 120_000.0, &btc)), liq, 1e-6));
}

#[test]
fn dydx_large_cap_hand_worked() {
    let btc = tiers::dydx::BTC_USD.ladder().unwrap();
    // dYdX's isolated formula (docs example above) on BTC-USD, MMF 2% × 60% = 1.2%, hand-worked:
    // deposit 10,000, short 3 BTC at 60,000: p' = (10,000 + 180,000) / (3 × 0.012 + 3)
    //   = 190,000 / 3.036 = 62,582.3451…
    let p = dydx_liquidation_price(10_000.0, -3.0, 60_000.0, 0.012, 0.0);
    assert!(close(p, 190_000.0 / 3.036, 1e-6));
    let t = trigger_price(-3.0, -3.0, 190_000.0, &btc);
    assert!(close(level(t), p, 1e-9), "{t:?}");
    // SOL-USD is Small-Cap in the genesis: MMF 10% × 50% = 5%.
    assert_eq!(tiers::dydx::SOL_USD.ladder().unwrap().tier(1e6).mmr, 0.05);
}

#[test]
fn one_position_four_venues() {
    // Long 1 BTC at 100,000 with 5,000 margin (20x): equity = m − 95,000; each venue's first tier
    // applies (notional ≤ 300k everywhere), so the trigger is 95,000 / (1 − rate), by hand:
    //   Binance 0.4%: 95,381.5261; Bybit 0.33%: 95,314.5380; Hyperliquid 1.25%: 96,202.5316;
    //   dYdX 1.2%: 96,153.8462. The same book of positions is liquidated at different marks.
    for (table, rate) in [
        (&tiers::binance::BTCUSDT, 0.004),
        (&tiers::bybit::BTCUSDT, 0.0033),
        (&tiers::hyperliquid::BTC, 0.0125),
        (&tiers::dydx::BTC_USD, 0.012),
    ] {
        let t = trigger_price(1.0, 1.0, -95_000.0, &table.ladder().unwrap());
        assert!(close(level(t), 95_000.0 / (1.0 - rate), 1e-6), "{}: {t:?}", table.name());
    }
}
