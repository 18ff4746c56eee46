//! Good scenarios: the TOML fixture, its JSON twin and its CSV twin load to the same validated
//! `Scenario` (and the same hash), with every converted number worked out by hand.

use liq_domain::{
    AssetId, AssetPrice, BookSpec, ImpactKind, L2Level, MarginMode, MarketId, Money, Shock, VenuePreset,
};
use liq_io::hash::scenario_hash;
use liq_io::{load_scenario, parse_scenario_str, Format};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[test]
fn toml_fixture_converts_exactly() {
    let s = load_scenario(&fixture("good.toml")).unwrap();
    assert_eq!((s.name.as_str(), s.seed, s.venue), ("fixture", 7, VenuePreset::Binance));
    assert_eq!(s.insurance_fund, Money(1_000_000_000_000));
    assert_eq!(
        (s.engine.round_cap, s.engine.round_duration_s, s.engine.mark),
        (50, 2.0, liq_domain::MarkRule::Blend { book_weight: 0.5 })
    );
    assert_eq!(s.impact.kind, ImpactKind::Book);
    assert_eq!(
        (s.impact.resilience_tau_s, s.impact.withdrawal.sensitivity, s.impact.withdrawal.floor),
        (20.0, 2.0, 0.5)
    );
    assert_eq!(s.impact.cross_impact, vec![vec![0.0, 0.5], vec![0.8, 0.0]]);
    // `ETH` is the short form of ETHUSDT.
    assert_eq!(s.shock, Shock::PerMarket(vec![-0.08, -0.05]));

    let btc = &s.markets[0];
    assert_eq!((btc.mark_price, s.markets[1].mark_price), (60_010.0, 3_000.0)); // ETH: defaults to index
                                                                                // Third tier's maintenance amount derived by continuity: 50 + 500,000 × (0.01 − 0.005) = 2,550.
    let cums: Vec<f64> = btc.ladder.tiers().iter().map(|t| t.maintenance_amount).collect();
    assert_eq!(cums, vec![0.0, 50.0, 2_550.0]);
    assert_eq!(s.markets[1].ladder, liq_margin::tiers::binance_brackets("ETHUSDT").unwrap());
    assert_eq!(
        s.books[0],
        BookSpec::Levels {
            bids: vec![L2Level { price: 59_999.9, qty: 1.25 }, L2Level { price: 59_999.8, qty: 0.4 }],
            asks: vec![L2Level { price: 60_000.0, qty: 2.0 }, L2Level { price: 60_000.2, qty: 0.5 }],
        }
    );
    // Profile notional × scale 0.5.
    let BookSpec::Profile(p) = &s.books[1] else { panic!("ETH book should be a profile") };
    assert_eq!(
        (p.bid_notional_usd.as_slice(), p.ask_notional_usd.as_slice()),
        (&[50_000.0, 100_000.0][..], &[75_000.0, 125_000.0][..])
    );

    assert_eq!(s.assets[0].price, AssetPrice::Market(MarketId(0)));
    // USDC gives no haircut: the venue's (Binance) published USDC ratio 99.99% applies (the
    // 2021-05-28 multi-assets table, `liq_margin::collateral`), i.e. a haircut of 0.0001.
    assert_eq!(s.assets[1].price, AssetPrice::Fixed(1.0));
    assert!((s.assets[1].haircut - 0.0001).abs() < 1e-12, "{}", s.assets[1].haircut);

    let [alice, bob, carol] = &s.accounts[..] else { panic!("three accounts") };
    assert_eq!(alice.wallet, Money(10_000_000_000));
    // Collateral sorted by asset index: BTC (0) before USDC (1), whatever the file's order.
    let coll: Vec<(AssetId, f64)> = alice.collateral.iter().map(|c| (c.asset, c.qty)).collect();
    assert_eq!(coll, vec![(AssetId(0), 0.5), (AssetId(1), 2_500.0)]);
    // 0.5 BTC = 500 lots; 60,000 = 600,000 ticks; one lot at one tick = 0.1 × 0.001 USD = 100
    // micro-USD: cost = 500 × 600,000 × 100 = 3 × 10¹⁰ micro-USD = 30,000 USD.
    let p = &alice.positions[0];
    assert_eq!(
        (p.market, p.size_lots, p.cost, p.mode, p.isolated_margin),
        (MarketId(0), 500, Money(30_000_000_000), MarginMode::Cross, Money::ZERO)
    );
    // −2 ETH = −2,000 lots; 3,000 = 300,000 ticks; 0.01 × 0.001 USD = 10 micro-USD:
    // cost = −2,000 × 300,000 × 10 = −6 × 10⁹ micro-USD; margin 500 USD.
    let p = &alice.positions[1];
    assert_eq!(
        (p.market, p.size_lots, p.cost, p.mode, p.isolated_margin),
        (MarketId(1), -2_000, Money(-6_000_000_000), MarginMode::Isolated, Money(500_000_000))
    );
    // −0.003 BTC = −3 lots; 61,234.56 rounds to the tick 61,234.6 = 612,346 ticks:
    // cost = −3 × 612,346 × 100 = −183,703,800 micro-USD; margin 20.5 USD.
    let p = &bob.positions[0];
    assert_eq!((p.size_lots, p.cost, p.isolated_margin), (-3, Money(-183_703_800), Money(20_500_000)));
    assert_eq!((carol.wallet, carol.positions.len()), (Money(-100_250_000), 0));
}

#[test]
fn json_and_csv_twins_load_identically_and_hash_the_same() {
    let toml = load_scenario(&fixture("good.toml")).unwrap();
    let json = load_scenario(&fixture("good.json")).unwrap();
    let csv = load_scenario(&fixture("good_csv.toml")).unwrap();
    assert_eq!(toml, json);
    assert_eq!(toml, csv);
    let h = scenario_hash(&toml);
    assert_eq!(h.len(), 16);
    assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(h, scenario_hash(&json));
    assert_eq!(h, scenario_hash(&csv));
    // And any change shows.
    let mut other = toml.clone();
    other.accounts[0].wallet.0 += 1;
    assert_ne!(h, scenario_hash(&other));
}

#[test]
fn text_from_memory_resolves_csv_against_origin() {
    let text = std::fs::read_to_string(fixture("good_csv.toml")).unwrap();
    let s = parse_scenario_str(&text, Format::Toml, &fixture("good_csv.toml")).unwrap();
    assert_eq!(s.accounts.len(), 3);
}

#[test]
fn default_scenario_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    let s = load_scenario(&path).unwrap();
    assert_eq!(s.markets.len(), 3);
    assert_eq!(s.accounts.len(), 120_000);
    assert!(matches!(s.books[2], BookSpec::Profile(_)));
}

/// The JSON example of docs/scenario-format.md loads (keeps the user documentation true).
#[test]
fn documented_json_example_loads() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario-format.md"))
            .unwrap();
    let start = doc.find("```json\n").unwrap() + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let s = parse_scenario_str(&doc[start..end], Format::Json, Path::new("example.json")).unwrap();
    // 0.5 BTC at 60,000: 500 lots × 600,000 ticks × 100 micro-USD = 3 × 10¹⁰ micro-USD.
    assert_eq!(
        (s.accounts[0].positions[0].size_lots, s.accounts[0].positions[0].cost),
        (500, Money(30_000_000_000))
    );
    assert_eq!(s.shock, Shock::PerMarket(vec![-0.08]));
}
