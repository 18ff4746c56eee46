//! Tests of the population generator: determinism, shares within binomial error of the spec,
//! every account above maintenance at the marks, sizes on the lot grid, the power-law tail, and
//! errors that name the field.

use liq_domain::{Account, AssetId, AssetPrice, AssetSpec, MarginMode, MarketId, MarketSpec, RiskLadder};
use liq_io::population::{generate_population, liquidation_distance, PopulationSpec};

/// Binance BTCUSDT/ETHUSDT/SOLUSDT brackets (cap, mmr, max leverage), first six tiers, as in
/// liq_margin::tiers (freqtrade's dump of `GET /fapi/v1/leverageBracket`, 2024 Q3).
fn markets() -> Vec<MarketSpec> {
    let m = |symbol: &str, tick, lot, px: f64, rows: &[(f64, f64, f64)], fee| MarketSpec {
        symbol: symbol.into(),
        tick_size: tick,
        lot_size: lot,
        index_price: px,
        mark_price: px,
        ladder: RiskLadder::from_caps(rows).unwrap(),
        liquidation_fee_rate: fee,
        taker_fee_rate: 0.0005,
    };
    let big = [
        (50_000.0, 0.004, 125.0),
        (600_000.0, 0.005, 100.0),
        (3_000_000.0, 0.0065, 75.0),
        (12_000_000.0, 0.01, 50.0),
        (70_000_000.0, 0.02, 25.0),
        (100_000_000.0, 0.025, 20.0),
    ];
    let sol = [
        (20_000.0, 0.005, 100.0),
        (100_000.0, 0.0065, 75.0),
        (800_000.0, 0.01, 50.0),
        (4_000_000.0, 0.02, 25.0),
        (8_000_000.0, 0.025, 20.0),
        (40_000_000.0, 0.05, 10.0),
    ];
    vec![
        m("BTCUSDT", 0.1, 0.001, 99_381.9, &big, 0.0125),
        m("ETHUSDT", 0.01, 0.001, 3_083.87, &big, 0.0125),
        m("SOLUSDT", 0.001, 1.0, 228.67, &sol, 0.015),
    ]
}

fn assets() -> Vec<AssetSpec> {
    vec![
        AssetSpec { symbol: "BTC".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.05 },
        AssetSpec { symbol: "ETH".into(), price: AssetPrice::Market(MarketId(1)), haircut: 0.05 },
    ]
}

fn population(n: u32, seed: u64) -> Vec<Account> {
    let spec = PopulationSpec { accounts: n, ..PopulationSpec::default() };
    generate_population(&spec, &markets(), &assets(), seed).unwrap()
}

/// |observed − expected| ≤ 5 binomial standard errors (a false alarm once in ~3.5 million runs).
fn assert_share(what: &str, hits: usize, n: usize, p: f64) {
    let obs = hits as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!((obs - p).abs() <= 5.0 * se, "{what}: observed {obs:.4} vs spec {p:.4} (n = {n}, se = {se:.5})");
}

#[test]
fn same_seed_same_accounts_different_seed_different() {
    let a = population(5_000, 7);
    assert_eq!(a, population(5_000, 7));
    assert_ne!(a, population(5_000, 8));
}

#[test]
fn shares_match_the_spec_within_sampling_error() {
    let spec = PopulationSpec::default();
    let pop = population(200_000, 42);
    assert_eq!(pop.len(), 200_000);
    let cross: Vec<&Account> =
        pop.iter().filter(|a| a.positions.iter().all(|p| p.mode == MarginMode::Cross)).collect();
    assert_share("cross", cross.len(), pop.len(), spec.cross_share);
    let multi: Vec<&&Account> = cross.iter().filter(|a| a.positions.len() >= 2).collect();
    assert_share("multi-market | cross", multi.len(), cross.len(), spec.multi_market_share);
    let three = multi.iter().filter(|a| a.positions.len() == 3).count();
    assert_share("three markets | multi", three, multi.len(), spec.three_market_share);
    let coll = cross.iter().filter(|a| !a.collateral.is_empty()).count();
    assert_share("volatile collateral | cross", coll, cross.len(), spec.volatile_collateral_share);
    assert!(pop
        .iter()
        .filter(|a| a.positions[0].mode == MarginMode::Isolated)
        .all(|a| a.positions.len() == 1));
    // oi_share is the market mix of single-market accounts (multi-market ones draw without replacement).
    let single: Vec<&Account> = pop.iter().filter(|a| a.positions.len() == 1).collect();
    for (k, mix) in spec.markets.iter().enumerate() {
        let hits = single.iter().filter(|a| a.positions[0].market == MarketId(k as u16)).count();
        assert_share(&mix.symbol, hits, single.len(), mix.oi_share);
    }
    let all: Vec<_> = pop.iter().flat_map(|a| &a.positions).collect();
    let longs = all.iter().filter(|p| p.size_lots > 0).count();
    assert_share("long", longs, all.len(), spec.markets[0].long_share);
    // Multi-market accounts hold distinct markets.
    for a in &multi {
        let mut ms: Vec<MarketId> = a.positions.iter().map(|p| p.market).collect();
        ms.sort();
        ms.dedup();
        assert_eq!(ms.len(), a.positions.len());
    }
}

#[test]
fn every_account_is_above_maintenance_at_the_marks() {
    let (ms, assets) = (markets(), assets());
    for a in population(200_000, 3) {
        // Recomputed here from the ladder, independently of the generator's own check.
        let mut pool = a.wallet.usd();
        for c in &a.collateral {
            let spec = &assets[c.asset.idx()];
            let AssetPrice::Market(id) = spec.price else { unreachable!() };
            pool += c.qty * ms[id.idx()].mark_price * (1.0 - spec.haircut);
        }
        let mut pool_mm = 0.0;
        for p in &a.positions {
            let m = &ms[p.market.idx()];
            let pnl = p.size_lots as f64 * m.lot_size * m.mark_price - p.cost.usd();
            let mm = m.ladder.maintenance_margin(m.notional(p.size_lots, m.mark_price));
            match p.mode {
                MarginMode::Cross => {
                    pool += pnl;
                    pool_mm += mm;
                }
                MarginMode::Isolated => {
                    assert!(p.isolated_margin.usd() + pnl > mm, "{}: isolated under maintenance", a.label)
                }
            }
        }
        if pool_mm > 0.0 {
            assert!(pool > pool_mm, "{}: cross equity {pool} ≤ maintenance {pool_mm}", a.label);
        }
        assert!(a.collateral.iter().all(|c| c.asset == AssetId(0) || c.asset == AssetId(1)));
    }
}

#[test]
fn sizes_and_prices_lie_on_the_grids() {
    let ms = markets();
    for a in population(50_000, 11) {
        for p in &a.positions {
            let m = &ms[p.market.idx()];
            assert_ne!(p.size_lots, 0);
            let unit = p.size_lots * m.micros_per_lot_tick();
            assert_eq!(p.cost.0 % unit, 0, "{}: cost {} not lots × ticks", a.label, p.cost.0);
            assert!(p.cost.0 / unit >= 1, "entry price below one tick");
            assert!(m.notional(p.size_lots, m.mark_price) <= m.ladder.position_limit() * 1.5);
        }
    }
}

/// Hill estimator on the top k of the position notionals at entry: α̂ = k / Σ ln(x_i / x_(k)).
/// Its standard error is α/√k; the tolerance is 4 standard errors plus lot-rounding slack.
#[test]
fn size_tail_has_the_spec_exponent() {
    let spec = PopulationSpec::default();
    let mut x: Vec<f64> =
        population(200_000, 5).iter().flat_map(|a| a.positions.iter().map(|p| p.cost.usd().abs())).collect();
    x.sort_by(|a, b| b.partial_cmp(a).unwrap());
    let k = x.len() / 100;
    let hill = k as f64 / x[..k].iter().map(|v| (v / x[k]).ln()).sum::<f64>();
    let alpha = spec.size.tail_exponent;
    let tol = 4.0 * alpha / (k as f64).sqrt() + 0.02;
    assert!((hill - alpha).abs() < tol, "Hill {hill:.3} vs α = {alpha} (k = {k}, tol {tol:.3})");
}

#[test]
fn a_few_percent_start_near_liquidation() {
    let (ms, assets) = (markets(), assets());
    let pop = population(120_000, 42);
    let d: Vec<f64> = pop.iter().map(|a| liquidation_distance(a, &ms, &assets)).collect();
    let share = |x: f64| d.iter().filter(|&&v| v < x).count() as f64 / d.len() as f64;
    let (s1, s2, s5) = (share(0.01), share(0.02), share(0.05));
    println!("within 1%: {s1:.4}, 2%: {s2:.4}, 5%: {s5:.4}");
    assert!(d.iter().all(|&v| v > 0.0));
    assert!((0.01..=0.12).contains(&s5), "share within 5% of liquidation {s5}");
}

#[test]
fn bad_parameters_name_the_field() {
    let (ms, assets) = (markets(), assets());
    let err = |f: fn(&mut PopulationSpec)| {
        let mut s = PopulationSpec { accounts: 10, ..PopulationSpec::default() };
        f(&mut s);
        generate_population(&s, &ms, &assets, 1).unwrap_err().field
    };
    assert_eq!(err(|s| s.leverage.median = 0.5), "population.leverage.median");
    assert_eq!(err(|s| s.leverage.sigma = f64::NAN), "population.leverage.sigma");
    assert_eq!(err(|s| s.size.tail_exponent = -1.0), "population.size.tail_exponent");
    assert_eq!(err(|s| s.cross_share = 1.5), "population.cross_share");
    assert_eq!(err(|s| s.markets[1].symbol = "DOGEUSDT".into()), "population.markets[1].symbol");
    assert_eq!(err(|s| s.markets[0].oi_share = 0.9), "population.markets");
    assert_eq!(err(|s| s.markets.clear()), "population.markets");
    assert_eq!(err(|s| s.history.correlation = 2.0), "population.history.correlation");
    let spec = PopulationSpec { accounts: 10, ..PopulationSpec::default() };
    let e = generate_population(&spec, &ms, &[], 1).unwrap_err();
    assert_eq!(e.field, "population.volatile_collateral_share");
}

#[test]
fn default_toml_population_is_the_default_spec() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let pop: PopulationSpec = doc["population"].clone().try_into().unwrap();
    assert_eq!(pop, PopulationSpec::default());
    let bad = "accounts = 1\nbogus = 2";
    assert!(toml::from_str::<PopulationSpec>(bad).is_err());
}

/// Generation time for 1,000,000 accounts; run with
/// `cargo test --release -p liq-io --test population -- --ignored --nocapture`.
#[test]
#[ignore]
fn time_one_million_accounts() {
    let spec = PopulationSpec { accounts: 1_000_000, ..PopulationSpec::default() };
    let (ms, assets) = (markets(), assets());
    let t = std::time::Instant::now();
    let pop = generate_population(&spec, &ms, &assets, 42).unwrap();
    let dt = t.elapsed();
    let notional: f64 = pop.iter().flat_map(|a| &a.positions).map(|p| p.cost.usd().abs()).sum();
    println!("1,000,000 accounts in {dt:?}; open interest at entry {notional:.3e} USD");
    let default = generate_population(&PopulationSpec::default(), &ms, &assets, 42).unwrap();
    let oi: f64 = default.iter().flat_map(|a| &a.positions).map(|p| p.cost.usd().abs()).sum();
    println!("default population (seed 42): open interest at entry {oi:.3e} USD");
}
