//! Test only: a reused workspace starts every run in exactly the state of a fresh one.
//!
//! [`Workspace::reset`] restores only what the previous run touched (the accounts on its
//! touched list, epoch stamps instead of clearing the stamp arrays, impact books restored in
//! place), so a run on 1,000,000 accounts does not copy ~40 MB first. The property here is what
//! makes that safe: after any run and a reset, every field of the workspace — balances,
//! positions, collateral, holders, books, price and flow state — equals that of
//! `Workspace::new(model)` brought to the same start, compared through the derived `Debug`
//! text (f64 printed round-trip exact), with the two run-local encodings put in a canonical
//! form: the stamps (which only matter by whether they equal the current epoch) and the parked
//! depth-carrying books (a cache for switching back from a counterfactual run).

use crate::cascade::{Cascade, ExoPath, Labels, RunOptions};
use crate::ledger::Workspace;
use crate::model::EngineModel;
use liq_domain::builders::{account, levels, market, position, scenario};
use liq_domain::*;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The workspace's state as text ([`Workspace::canonical_text`]) without the books' memo
/// caches: `FullDepth` (a side's full depth per level under a multiplier, keyed by the
/// multiplier's bits) and `Deficit` (the missing volume, keyed and invalidated on every
/// change, and the memoised decay factors keyed by their inputs) hold values of pure functions
/// of inputs a run does not change (liq_impact `full_depth.rs`, `deficit.rs`), so a warm cache
/// and a cold one give the same numbers. A ladder's `depth` entries at and beyond its `hi` are
/// never read (those levels are read from the profile, and written when `hi` passes them), and
/// a restore copies only the first `hi`: only those are compared.
fn canonical(ws: &Workspace) -> String {
    let mut text = ws.canonical_text();
    for cache in ["full: FullDepth {", "deficit: Deficit {"] {
        while let Some(a) = text.find(cache) {
            let b = a + text[a..].find('}').expect("a cache's Debug text closes");
            text.replace_range(a..=b, "");
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(a) = rest.find("depth: [") {
        let open = a + "depth: [".len();
        let close = open + rest[open..].find(']').expect("a depth list closes");
        let after = &rest[close + 1..];
        let Some(hi_text) = after.strip_prefix(", hi: ") else {
            out.push_str(&rest[..close + 1]);
            rest = after;
            continue;
        };
        let digits = hi_text.bytes().take_while(u8::is_ascii_digit).count();
        let hi: usize = hi_text[..digits].parse().expect("hi is a number");
        out.push_str(&rest[..open]);
        let kept: Vec<&str> = rest[open..close].split(", ").take(hi).collect();
        out.push_str(&kept.join(", "));
        out.push(']');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Brings a workspace to the start of a run as `Cascade::simulate` does.
fn start(ws: &mut Workspace, model: &EngineModel, with_impact: bool, path_run: bool) {
    ws.reset(model, with_impact);
    ws.start_prices(model, model.scenario.round_duration_s);
    ws.start_funding(model, path_run);
}

/// Two markets, cross and isolated accounts (some in both markets, some with BTC collateral),
/// leverage up to 50×, spot-indexed or static marks: liquidations, backstop take-overs, ADL
/// and collateral sales all occur across the cases.
fn random_scenario(seed: u64, n: usize, venue: VenuePreset, shock: [f64; 2], fund: f64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let btc = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005);
    let eth = market("ETHUSDT", 0.1, 0.01, 100.0, &[(20_000.0, 0.01, 50.0), (1e9, 0.02, 25.0)], 0.005);
    let book = |mid: f64, tick: f64, qty: f64| {
        let side = |d: f64| -> Vec<(f64, f64)> {
            (1..=30).map(|i| (mid + d * i as f64 * tick, qty * (1.0 + i as f64 / 10.0))).collect()
        };
        levels(&side(-1.0), &side(1.0))
    };
    let books = vec![book(1000.0, 1.0, 0.3), book(100.0, 0.1, 3.0)];
    let markets = vec![btc, eth];
    let mut accounts = Vec::with_capacity(n);
    for i in 0..n {
        let cross = rng.random_bool(0.5);
        let first = rng.random_range(0..2u16);
        let mut wallet = 0.0;
        let mut positions = Vec::new();
        for j in 0..if rng.random_bool(0.3) { 2 } else { 1 } {
            let k = if j == 0 { first } else { 1 - first };
            let m = &markets[k as usize];
            let lots = rng.random_range(1..3000i64) * if rng.random_bool(0.55) { 1 } else { -1 };
            let entry =
                (m.mark_price * (1.0 + rng.random_range(-0.15..0.15)) / m.tick_size).round() * m.tick_size;
            let margin = lots.abs() as f64 * m.lot_size * entry / rng.random_range(2.0..50.0);
            if cross {
                wallet += margin;
                positions.push(position(m, k, lots, entry, None));
            } else {
                positions.push(position(m, k, lots, entry, Some(margin)));
            }
        }
        let mut a =
            account(&format!("a{i}"), if cross { wallet } else { rng.random_range(0.0..50.0) }, positions);
        if cross && rng.random_bool(0.3) {
            a.collateral.push(Collateral { asset: AssetId(0), qty: rng.random_range(0.0..0.5) });
        }
        accounts.push(a);
    }
    let mut s = scenario(venue, markets, books, accounts, fund, shock.to_vec());
    s.assets = vec![AssetSpec { symbol: "BTC".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.1 }];
    s.impact.resilience_tau_s = 5.0;
    s.impact.withdrawal = WithdrawalConfig { sensitivity: 3.0, floor: 0.3 };
    s.impact.cross_impact = vec![vec![0.0, 0.4], vec![0.6, 0.0]];
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// After runs of every kind (impact, counterfactual, a shock path), a reset workspace equals
    /// a fresh one field by field, for the next run with and without impact.
    #[test]
    fn reset_workspace_equals_a_fresh_one(
        seed in any::<u64>(),
        n in 1usize..50,
        venue in prop_oneof![
            Just(VenuePreset::Binance),
            Just(VenuePreset::Bybit),
            Just(VenuePreset::Hyperliquid),
            Just(VenuePreset::Dydx)
        ],
        s0 in -0.3f64..0.1,
        s1 in -0.3f64..0.1,
        fund in prop_oneof![Just(0.0), 0.0f64..5_000.0, 10_000.0f64..40_000.0],
        runs in proptest::collection::vec(0u8..3, 1..4),
    ) {
        let s = random_scenario(seed, n, venue, [s0, s1], fund);
        let model = EngineModel::new(&s).unwrap();
        let mut c = Cascade::new(&model);
        let mut touched_any = false;
        for &kind in &runs {
            let o = match kind {
                0 => c.run(&model, true),
                1 => c.run(&model, false),
                _ => {
                    let path = ExoPath { n_markets: 2, dt_s: 1.0, levels: vec![1.0 + s0 / 2.0, 1.0, 1.0 + s0, 1.0 + s1] };
                    c.simulate(&model, &path, &RunOptions::default(), Labels::AllFirstOrder).0
                }
            };
            touched_any |= !o.events.is_empty();
        }
        for (with_impact, path_run) in [(true, false), (false, false), (true, true)] {
            let mut fresh = Workspace::new(&model);
            start(&mut fresh, &model, with_impact, path_run);
            let mut reused = c.ws.clone();
            start(&mut reused, &model, with_impact, path_run);
            let (a, b) = (canonical(&reused), canonical(&fresh));
            let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            prop_assert!(
                a == b,
                "reset state differs (with_impact {with_impact}, path {path_run}) at …{}… vs …{}…",
                &a[at.saturating_sub(300)..(at + 200).min(a.len())],
                &b[at.saturating_sub(300)..(at + 200).min(b.len())]
            );
        }
        // The property is not vacuous: a run that liquidated left the workspace dirty.
        if touched_any {
            prop_assert!(canonical(&c.ws) != canonical(&Workspace::new(&model)));
        }
    }
}
