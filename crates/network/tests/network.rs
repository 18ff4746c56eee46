//! Exposure graph, margin-unit triggers, contagion matrix and the report on hand-made
//! three-market scenarios.

mod common;
use common::*;
use liq_domain::{AssetId, AssetPrice, AssetSpec, Collateral, MarketId};
use liq_engine::EngineModel;
use liq_margin::Trigger;
use liq_network::*;

/// BTC 1,000, ETH 100, SOL 50 (all mmr 1%).
/// - a0 cross: long 1 BTC @ 1,000 and long 10 ETH @ 100, wallet 150.
/// - a1 cross: long 10 SOL @ 50, wallet 50, collateral 0.2 BTC (haircut 10%, priced at BTC).
/// - a2 isolated: long 0.5 BTC @ 1,000 (margin 100) and long 5 ETH @ 100 (margin 100).
/// - a3 cross: short 10 ETH @ 100, wallet 200.
fn three_markets() -> EngineModel {
    let (b, e, s) = (btc(), eth(), sol());
    let mut a1 = account("a1", 50.0, vec![position(&s, 2, 100, 50.0, None)]);
    a1.collateral.push(Collateral { asset: AssetId(0), qty: 0.2 });
    let accounts = vec![
        account("a0", 150.0, vec![position(&b, 0, 1000, 1000.0, None), position(&e, 1, 1000, 100.0, None)]),
        a1,
        account(
            "a2",
            0.0,
            vec![position(&b, 0, 500, 1000.0, Some(100.0)), position(&e, 1, 500, 100.0, Some(100.0))],
        ),
        account("a3", 200.0, vec![position(&e, 1, -1000, 100.0, None)]),
    ];
    let books = vec![book(&b, 1.0, 300), book(&e, 10.0, 3000), book(&s, 20.0, 2000)];
    let mut sc = scenario(vec![b, e, s], books, accounts);
    sc.assets.push(AssetSpec { symbol: "BTC".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.1 });
    EngineModel::new(&sc).unwrap()
}

#[test]
fn market_projection_counts_shared_and_cross_margin_accounts() {
    let model = three_markets();
    let g = build_exposure_graph(&model, 10);
    // Bipartite: 3 markets + 4 accounts; edges a0–BTC, a0–ETH, a1–SOL, a2–BTC, a2–ETH, a3–ETH.
    assert_eq!(g.bipartite.node_count(), 7);
    assert_eq!(g.bipartite.edge_count(), 6);
    // Open interest (gross notional at the mark): BTC 1,000 + 500; ETH 1,000 + 500 + 1,000; SOL 500.
    assert_eq!(g.open_interest_usd, vec![1500.0, 2500.0, 500.0]);
    let pairs = g.market_pairs();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    // BTC–ETH: shared by a0 and a2 (notional 1,000 + 1,000 and 500 + 500 = 3,000); one cross
    // wallet (a0) holds both, 2,000 of notional.
    let p = &pairs[0];
    assert_eq!((p.market_a.as_str(), p.market_b.as_str()), ("BTCUSDT", "ETHUSDT"));
    assert_eq!((p.link.shared_accounts, p.link.cross_margin_links), (2, 1));
    assert_eq!((p.link.shared_notional_usd, p.link.cross_margin_notional_usd), (3000.0, 2000.0));
    // BTC–SOL: nobody holds both, but a1's SOL wallet is backed by BTC: one cross-margin link,
    // notional 0 (BTC) + 500 (SOL).
    let p = &pairs[1];
    assert_eq!((p.market_a.as_str(), p.market_b.as_str()), ("BTCUSDT", "SOLUSDT"));
    assert_eq!((p.link.shared_accounts, p.link.cross_margin_links), (0, 1));
    assert_eq!(p.link.cross_margin_notional_usd, 500.0);
    // Overlap: a0 and a2 are both long BTC and ETH: min(1,000, 500) + min(1,000, 500) = 1,000.
    // a3 is short ETH, opposite to everyone; a1 alone in SOL. One edge.
    assert_eq!(g.accounts.edge_count(), 1);
    assert_eq!(g.accounts.edge_weights().next().copied(), Some(1000.0));
    // Top accounts by gross notional: a0 (2,000), then a2 and a3 (1,000; ties by index), a1 (500).
    assert_eq!(g.top_accounts, vec![0, 2, 3, 1]);
}

#[test]
fn exports_name_every_pair() {
    let model = three_markets();
    let g = build_exposure_graph(&model, 10);
    let ex = market_graph_export(&g);
    let mut gml = Vec::new();
    write_graphml(&ex, &mut gml).unwrap();
    let gml = String::from_utf8(gml).unwrap();
    assert_eq!(gml.matches("<edge ").count(), 2);
    assert!(gml.contains("<data key=\"label\">BTCUSDT</data>"));
    let mut dot = Vec::new();
    write_dot(&bipartite_export(&g, &model.labels, false), &mut dot).unwrap();
    assert_eq!(String::from_utf8(dot).unwrap().matches(" -- ").count(), 6);
    let mut json = Vec::new();
    write_json(&account_graph_export(&g, &model.labels), &mut json).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["edges"][0]["attrs"]["overlap_notional_usd"], 1000.0);
}

#[test]
fn unit_views_recover_haircut_and_triggers() {
    let model = three_markets();
    let units = unit_views(&model);
    let a1 = units.iter().find(|u| u.account == 1).unwrap();
    // a1's BTC exposure is its collateral after haircut: 0.2 × (1 − 0.1) = 0.18 BTC.
    assert!(close(a1.exposure_to(0), 0.18, 1e-12), "{a1:?}");
    let a0 = units.iter().find(|u| u.account == 0).unwrap();
    // a0 with ETH fixed: equity 150 + (m − 1,000) = maintenance 0.01·m + 0.01·1,000
    // ⇒ 0.99·m = 860 ⇒ m = 868.6868…  (bisection, multi-market unit).
    match a0.trigger(&model, 0, 10.0) {
        Trigger::AtOrBelow(p) => assert!(close(p, 860.0 / 0.99, 1e-9), "{p}"),
        t => panic!("{t:?}"),
    }
    // With BTC fixed: 150 + 10·(m − 100) = 0.01·10·m + 10 ⇒ 9.9·m = 860 ⇒ m = 86.8686…
    match a0.trigger(&model, 1, 10.0) {
        Trigger::AtOrBelow(p) => assert!(close(p, 860.0 / 9.9, 1e-9), "{p}"),
        t => panic!("{t:?}"),
    }
    // a3 short 10 ETH, wallet 200: 200 − 10·(m − 100) = 0.1·m ⇒ m = 1,200/10.1 = 118.8118… (closed form).
    let a3 = units.iter().find(|u| u.account == 3).unwrap();
    assert_eq!(
        a3.trigger(&model, 1, 10.0),
        liq_margin::trigger_price(-10.0, -10.0, 1200.0, &model.markets[1].ladder)
    );
    match a3.trigger(&model, 1, 10.0) {
        Trigger::AtOrAbove(p) => assert!(close(p, 1200.0 / 10.1, 1e-9)),
        t => panic!("{t:?}"),
    }
}

/// Two independent markets (no shared account, no cross-impact): the contagion matrix must be
/// diagonal — a shock in one market cannot liquidate anything in the other — and its spectral
/// radius the larger diagonal entry.
#[test]
fn independent_markets_have_a_diagonal_contagion_matrix() {
    let (b, e) = (btc(), eth());
    let mut accounts = Vec::new();
    // A ladder of isolated longs of 1,000 USD notional in each market with margin M = 20 + 2i:
    // relative trigger (1 − M/1,000)/0.99, from −1.01% (i = 0) to −4.85% (i = 19), ~0.2% apart,
    // so a −2% shock liquidates the first few directly and their selling reaches the next.
    for i in 0..20 {
        let margin = 20.0 + 2.0 * i as f64;
        accounts.push(account(&format!("b{i}"), 0.0, vec![position(&b, 0, 1000, 1000.0, Some(margin))]));
        accounts.push(account(&format!("e{i}"), 0.0, vec![position(&e, 1, 1000, 100.0, Some(margin))]));
    }
    let books = vec![book(&b, 0.5, 300), book(&e, 5.0, 3000)];
    let model = EngineModel::new(&scenario(vec![b, e], books, accounts)).unwrap();
    let c = contagion_matrix(&model, -0.02).unwrap();
    assert_eq!(c.matrix[0][1], 0.0);
    assert_eq!(c.matrix[1][0], 0.0);
    assert!(c.row_defined.iter().all(|&d| d), "{c:?}");
    let rho = c.matrix[0][0].max(c.matrix[1][1]);
    assert!(close(c.spectral_radius, rho, 1e-9), "{c:?}");
    // Each row's entry is (total − direct)/direct of its own run.
    for i in 0..2 {
        assert!(close(c.matrix[i][i], (c.response_usd[i][i] - c.direct_usd[i]) / c.direct_usd[i], 1e-12));
    }
}

#[test]
fn cross_margin_links_show_up_off_the_diagonal() {
    let model = three_markets();
    let path = contagion_along_path(&model, &[-0.01, -0.05, -0.2]).unwrap();
    assert_eq!(path.len(), 3);
    for c in &path {
        // The 2×2 closed form of ρ must hold on whatever the engine produced for BTC/ETH, when
        // SOL's row and column are zero.
        let m = &c.matrix;
        if m[2].iter().all(|&x| x == 0.0) && m.iter().all(|r| r[2] == 0.0) {
            let (a, b, cc, d) = (m[0][0], m[0][1], m[1][0], m[1][1]);
            let rho = 0.5 * (a + d) + (0.25 * (a - d).powi(2) + b * cc).sqrt();
            assert!(close(c.spectral_radius, rho, 1e-8), "{c:?}");
        }
        assert_eq!(c.self_amplifying, c.spectral_radius > 1.0);
    }
    // At −20% in BTC, a0 (trigger 868.7 with ETH fixed) is liquidated directly; its cross wallet
    // holds 10 ETH, so ETH liquidation follows a BTC shock: C[BTC][ETH] > 0.
    assert!(path[2].matrix[0][1] > 0.0, "{:?}", path[2]);
}

#[test]
fn analyse_reports_pairs_rankings_and_concentration() {
    let model = three_markets();
    let r = analyse(&model, &NetworkOptions::default()).unwrap();
    assert_eq!(r.markets, vec!["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
    assert_eq!(r.market_pairs[0].link.cross_margin_links, 1);
    assert_eq!(r.contagion.shock, -0.02);
    assert_eq!(r.contagion_path.len(), 3);
    assert_eq!(r.systemic_markets.len(), 3);
    assert_eq!(r.systemic_accounts.len(), 4);
    assert_eq!(r.concentration.len(), 6);
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"cross_margin_links\":1"));
    let bad = NetworkOptions { headline_shock: -0.03, ..NetworkOptions::default() };
    assert!(analyse(&model, &bad).is_err());
}
