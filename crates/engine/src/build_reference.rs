//! The model build as it was before issue 15, kept as the reference the parallel build is
//! tested against: accounts flattened one by one onto growing vectors, a full [`Workspace`] for
//! the start totals, the trigger index's lists sorted with the comparator. Test-only.

use crate::index::TriggerIndex;
use crate::ledger::Workspace;
use crate::model::{AssetPricing, EngineError, EngineModel, Unit};
use liq_domain::{MarginMode, Scenario};
use liq_margin::{trigger_price, Trigger};

/// `EngineModel::new(s)` rebuilt the old way: the scenario-wide parts are the new build's (they
/// did not change), everything derived from the accounts is redone sequentially.
pub(crate) fn reference_model(s: &Scenario) -> Result<EngineModel, EngineError> {
    let mut m = EngineModel::new(s)?;
    let n_m = m.n_markets();
    let mut labels = Vec::with_capacity(s.accounts.len());
    (m.pos_start, m.coll_start, m.wallet0) = (Vec::new(), Vec::new(), Vec::new());
    (m.pos_account, m.pos_market, m.pos_isolated) = (Vec::new(), Vec::new(), Vec::new());
    (m.size0, m.cost0, m.iso_margin0) = (Vec::new(), Vec::new(), Vec::new());
    (m.coll_asset, m.coll_qty0) = (Vec::new(), Vec::new());
    (m.collateral_capped, m.path_holders, m.auto_exchange0, m.ltv_watch) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    m.ext_size0 = vec![0; n_m];
    m.ext_cost0 = vec![0; n_m];
    m.collateral_total0 = vec![0.0; m.asset_pricing.len()];
    for (ai, a) in s.accounts.iter().enumerate() {
        labels.push(a.label.clone());
        m.pos_start.push(m.size0.len() as u32);
        m.coll_start.push(m.coll_asset.len() as u32);
        m.wallet0.push(a.wallet.0);
        for p in &a.positions {
            m.pos_account.push(ai as u32);
            m.pos_market.push(p.market.0);
            m.pos_isolated.push(p.mode == MarginMode::Isolated);
            m.size0.push(p.size_lots);
            m.cost0.push(p.cost.0);
            m.iso_margin0.push(if p.mode == MarginMode::Isolated { p.isolated_margin.0 } else { 0 });
        }
        for c in &a.collateral {
            m.coll_asset.push(c.asset.0);
            let qty = match m.asset_transfer_cap[c.asset.idx()] {
                Some(cap) if c.qty > cap => {
                    m.collateral_capped.push((ai as u32, c.asset.0, c.qty - cap));
                    cap
                }
                _ => c.qty,
            };
            m.coll_qty0.push(qty);
            if matches!(m.asset_pricing[c.asset.idx()], AssetPricing::Path(_))
                && m.path_holders.last() != Some(&(ai as u32))
            {
                m.path_holders.push(ai as u32);
            }
        }
    }
    m.pos_start.push(m.size0.len() as u32);
    m.coll_start.push(m.coll_asset.len() as u32);
    if let Some(threshold) = m.auto_exchange_threshold {
        m.auto_exchange0 = (0..m.n_accounts() as u32)
            .filter(|&a| {
                m.wallet0[a as usize] < threshold && m.collateral_of(a).any(|c| m.coll_qty0[c] > 0.0)
            })
            .collect();
        m.ltv_watch = (0..m.n_accounts() as u32)
            .filter(|&a| {
                m.positions_of(a).is_empty()
                    && m.wallet0[a as usize] < 0
                    && m.collateral_of(a).any(|c| m.coll_qty0[c] > 0.0)
            })
            .collect();
    }
    for s in 0..m.size0.len() {
        m.ext_size0[m.pos_market[s] as usize] -= m.size0[s];
    }
    for h in &m.flows.holders {
        m.ext_size0[h.market] -= h.size0;
    }
    for k in 0..n_m {
        let spec = &m.markets[k];
        m.ext_cost0[k] = spec.value(m.ext_size0[k], spec.ticks(m.mark0[k])).0;
    }
    for c in 0..m.coll_asset.len() {
        m.collateral_total0[m.coll_asset[c] as usize] += m.coll_qty0[c];
    }
    m.labels = crate::labels::AccountLabels::from_strs(labels.iter().map(String::as_str));
    m.ledger_total0 = 0;
    m.accounts_equity0 = 0.0;
    m.index = TriggerIndex::default();
    let ws = Workspace::new(&m);
    m.ledger_total0 = ws.ledger_total();
    m.accounts_equity0 = ws.accounts_equity_total(&m);
    m.index = reference_index(&m, &ws);
    Ok(m)
}

fn sorted(mut v: Vec<(f64, Unit)>, descending: bool) -> Vec<(f64, Unit)> {
    if descending {
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    } else {
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    }
    v
}

/// The index built sequentially, account by account, and sorted with the comparator.
fn reference_index(model: &EngineModel, ws: &Workspace) -> TriggerIndex {
    let n_m = model.n_markets();
    let mut idx = TriggerIndex {
        longs: vec![Vec::new(); n_m],
        shorts: vec![Vec::new(); n_m],
        frontier: Vec::new(),
        frontier_weights: Vec::new(),
        slots_by_market: vec![Vec::new(); n_m],
    };
    let insert = |idx: &mut TriggerIndex, k: usize, u: Unit, t: Trigger| match t {
        Trigger::AtOrBelow(p) => idx.longs[k].push((p, u)),
        Trigger::AtOrAbove(p) => idx.shorts[k].push((p, u)),
        Trigger::Never => {}
    };
    let mut deps: Vec<usize> = Vec::new();
    for a in 0..model.n_accounts() as u32 {
        for s in model.positions_of(a) {
            if model.pos_isolated[s] {
                let k = model.pos_market[s] as usize;
                let spec = &model.markets[k];
                let q = model.size0[s] as f64 * spec.lot_size;
                let fixed = (model.iso_margin0[s] - model.cost0[s]) as f64 * 1e-6;
                insert(&mut idx, k, Unit::isolated(s as u32), trigger_price(q, q, fixed, &spec.ladder));
            }
        }
        deps.clear();
        let mut has_cross_position = false;
        for s in model.positions_of(a) {
            if !model.pos_isolated[s] {
                has_cross_position = true;
                let k = model.pos_market[s] as usize;
                if !deps.contains(&k) {
                    deps.push(k);
                }
            }
        }
        if !has_cross_position {
            continue;
        }
        for c in model.collateral_of(a) {
            if let AssetPricing::Market(k) = model.asset_pricing[model.coll_asset[c] as usize] {
                if !deps.contains(&k) {
                    deps.push(k);
                }
            }
        }
        let u = Unit::cross(a);
        let cross_in = |k: usize| {
            model
                .positions_of(a)
                .filter(move |&s| !model.pos_isolated[s] && model.pos_market[s] as usize == k)
        };
        if deps.len() == 1 && cross_in(deps[0]).count() == 1 {
            let k = deps[0];
            let s = cross_in(k).next().unwrap_or(0);
            let spec = &model.markets[k];
            let q = model.size0[s] as f64 * spec.lot_size;
            let (equity, _) = ws.unit_margin(model, u);
            let exposure = ws.unit_exposure(model, u, k);
            let fixed = equity - exposure * model.mark0[k];
            insert(&mut idx, k, u, trigger_price(q, exposure, fixed, &spec.ladder));
        } else {
            let (equity, mm) = ws.unit_margin(model, u);
            let buffer = equity - mm;
            let mut lipschitz = 0.0;
            let mut weights = vec![0.0; n_m];
            for &k in &deps {
                let spec = &model.markets[k];
                let notional: f64 =
                    cross_in(k).map(|s| (model.size0[s] as f64 * spec.lot_size).abs() * model.mark0[k]).sum();
                let l_k = ws.unit_exposure(model, u, k).abs() * model.mark0[k]
                    + notional * spec.ladder.tier(2.0 * notional).mmr;
                lipschitz += l_k;
                weights[k] = if buffer > 0.0 { l_k / buffer } else { f64::INFINITY };
            }
            let distance = if lipschitz > 0.0 { (buffer / lipschitz).min(1.0) } else { 1.0 };
            idx.frontier.push((distance, u));
            idx.frontier_weights.extend_from_slice(&weights);
        }
    }
    for (s, &k) in model.pos_market.iter().enumerate() {
        idx.slots_by_market[k as usize].push(s as u32);
    }
    idx.longs = idx.longs.into_iter().map(|v| sorted(v, true)).collect();
    idx.shorts = idx.shorts.into_iter().map(|v| sorted(v, false)).collect();
    let mut order: Vec<usize> = (0..idx.frontier.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (idx.frontier[a], idx.frontier[b]);
        x.0.total_cmp(&y.0).then(x.1.cmp(&y.1))
    });
    let frontier = order.iter().map(|&i| idx.frontier[i]).collect();
    let weights = order.iter().flat_map(|&i| idx.frontier_weights[i * n_m..(i + 1) * n_m].to_vec()).collect();
    idx.frontier = frontier;
    idx.frontier_weights = weights;
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flatten::ACCOUNTS_PER_BLOCK;
    use liq_domain::builders::*;
    use liq_domain::*;
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Three markets; cross accounts over one to three of them (one-market units go to the
    /// price lists, the others to the frontier), isolated positions, collateral priced by a
    /// market, by a fixed price with a depeg path, and with tiers and a transfer-in cap, wallets
    /// below the auto-exchange threshold, collateral-only accounts with negative wallets.
    fn population(seed: u64, n: usize) -> Scenario {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let markets = vec![
            market("BTCUSDT", 1.0, 0.001, 1000.0, &[(50_000.0, 0.01, 50.0), (1e9, 0.025, 20.0)], 0.005),
            market("ETHUSDT", 0.1, 0.01, 100.0, &[(20_000.0, 0.01, 50.0), (1e9, 0.02, 25.0)], 0.005),
            market("SOLUSDT", 0.01, 0.1, 10.0, &[(1e9, 0.02, 20.0)], 0.005),
        ];
        let book = |mid: f64, tick: f64, qty: f64| {
            let side = |sign: f64| -> Vec<(f64, f64)> {
                (1..=30).map(|i| (mid + sign * i as f64 * tick, qty * (1.0 + i as f64 / 10.0))).collect()
            };
            levels(&side(-1.0), &side(1.0))
        };
        let books = vec![book(1000.0, 1.0, 0.3), book(100.0, 0.1, 3.0), book(10.0, 0.01, 30.0)];
        let mut accounts = Vec::with_capacity(n);
        for i in 0..n {
            let cross = rng.random_bool(0.6);
            let n_pos = if rng.random_bool(0.1) { 0 } else { rng.random_range(1..=3usize) };
            let first = rng.random_range(0..3u16);
            let mut positions = Vec::new();
            let mut wallet = 0.0;
            for j in 0..n_pos {
                let k = (first + j as u16) % 3;
                let m = &markets[k as usize];
                let lots = rng.random_range(1..3000i64) * if rng.random_bool(0.55) { 1 } else { -1 };
                // Few distinct entries, so that trigger prices tie.
                let entry = m.mark_price * (1.0 + 0.01 * rng.random_range(-10..10) as f64);
                let margin = lots.abs() as f64 * m.lot_size * entry / rng.random_range(2.0..40.0);
                let isolated = !cross || rng.random_bool(0.2);
                wallet += if isolated { 0.0 } else { margin };
                positions.push(position(m, k, lots, entry, isolated.then_some(margin)));
            }
            if n_pos == 0 {
                wallet = -rng.random_range(0.0..200.0);
            } else if rng.random_bool(0.1) {
                wallet = -rng.random_range(0.0..2_000.0);
            }
            let label = if i % 7 == 0 { format!("ünïcødé-{i}") } else { format!("acct-{i}") };
            let mut a = account(&label, wallet, positions);
            for asset in 0..3u16 {
                if rng.random_bool(0.25) {
                    a.collateral.push(Collateral { asset: AssetId(asset), qty: rng.random_range(0.0..3.0) });
                }
            }
            accounts.push(a);
        }
        let mut s = scenario(VenuePreset::Binance, markets, books, accounts, 5_000.0, vec![-0.05, 0.0, 0.02]);
        s.assets = vec![
            AssetSpec { symbol: "BTC".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.05 },
            AssetSpec { symbol: "USDE".into(), price: AssetPrice::Fixed(1.0), haircut: 0.02 },
            AssetSpec { symbol: "ETH".into(), price: AssetPrice::Market(MarketId(1)), haircut: 0.1 },
        ];
        s.collateral.assets = vec![
            AssetCollateral { max_transfer_in: Some(2.0), ..Default::default() },
            AssetCollateral {
                price_path: vec![PathPoint { t_s: 5.0, price: 0.9 }, PathPoint { t_s: 10.0, price: 0.7 }],
                ..Default::default()
            },
            AssetCollateral {
                value_tiers: vec![
                    ValueTier { up_to: 1.0, ratio: 0.95 },
                    ValueTier { up_to: f64::INFINITY, ratio: 0.5 },
                ],
                ..Default::default()
            },
        ];
        s.collateral.auto_exchange_threshold_usd = Some(-100.0);
        s
    }

    /// Every field, floats by their bits (`Debug` prints `-0.0` and every value exactly).
    fn assert_same(fast: &EngineModel, slow: &EngineModel) {
        assert_eq!(fast.labels, slow.labels);
        assert_eq!(fast.index.longs.len(), slow.index.longs.len());
        let bits = |v: &[(f64, Unit)]| v.iter().map(|e| (e.0.to_bits(), e.1)).collect::<Vec<_>>();
        for k in 0..fast.n_markets() {
            assert_eq!(bits(&fast.index.longs[k]), bits(&slow.index.longs[k]), "longs of market {k}");
            assert_eq!(bits(&fast.index.shorts[k]), bits(&slow.index.shorts[k]), "shorts of market {k}");
        }
        assert_eq!(bits(&fast.index.frontier), bits(&slow.index.frontier));
        let wbits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(wbits(&fast.index.frontier_weights), wbits(&slow.index.frontier_weights));
        assert_eq!(fast.index.slots_by_market, slow.index.slots_by_market);
        assert_eq!(fast.ledger_total0, slow.ledger_total0);
        assert_eq!(fast.accounts_equity0.to_bits(), slow.accounts_equity0.to_bits());
        assert_eq!(wbits(&fast.collateral_total0), wbits(&slow.collateral_total0));
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "some other field differs");
    }

    #[test]
    fn the_parallel_build_is_the_sequential_one_over_several_blocks() {
        // Three and a bit blocks, so block joins and the last partial block are exercised.
        let s = population(7, 3 * ACCOUNTS_PER_BLOCK + 1_234);
        let fast = EngineModel::new(&s).unwrap();
        let slow = reference_model(&s).unwrap();
        assert!(!fast.index.frontier.is_empty() && !fast.index.longs[0].is_empty());
        assert!(!fast.collateral_capped.is_empty() && !fast.path_holders.is_empty());
        assert!(!fast.auto_exchange0.is_empty() && !fast.ltv_watch.is_empty());
        assert_same(&fast, &slow);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn the_parallel_build_is_the_sequential_one(seed in any::<u64>(), n in 0usize..600) {
            let s = population(seed, n);
            assert_same(&EngineModel::new(&s).unwrap(), &reference_model(&s).unwrap());
        }
    }

    #[test]
    fn start_margins_in_blocks_are_the_workspaces_unit_margins() {
        let s = population(3, 2 * ACCOUNTS_PER_BLOCK + 99);
        let m = EngineModel::new(&s).unwrap();
        let bits = |v: Vec<(Unit, f64, f64)>| {
            v.into_iter().map(|(u, e, mm)| (u, e.to_bits(), mm.to_bits())).collect::<Vec<_>>()
        };
        assert_eq!(bits(m.start_margins()), bits(Workspace::new(&m).unit_margins(&m)));
    }

    /// The first error in account order is the one reported, whichever block finds it first.
    #[test]
    fn the_first_bad_account_is_reported_from_any_block() {
        let n = 3 * ACCOUNTS_PER_BLOCK;
        let mut s = population(11, n);
        let with_position =
            |s: &Scenario, from: usize| (from..n).find(|&i| !s.accounts[i].positions.is_empty()).unwrap();
        let late = with_position(&s, 2 * ACCOUNTS_PER_BLOCK + 5);
        let early = with_position(&s, ACCOUNTS_PER_BLOCK + 3);
        s.accounts[late].positions[0].market = MarketId(9);
        let err = EngineModel::new(&s).unwrap_err();
        assert_eq!(
            err,
            EngineError::invalid(format!("accounts[{late}].positions[0].market"), "unknown market index 9")
        );
        s.accounts[early].positions[0].size_lots = 0;
        let err = EngineModel::new(&s).unwrap_err();
        assert_eq!(err, EngineError::invalid(format!("accounts[{early}].positions[0].size"), "zero size"));
        s.accounts[7].collateral = vec![Collateral { asset: AssetId(3), qty: 1.0 }];
        let err = EngineModel::new(&s).unwrap_err();
        assert_eq!(err, EngineError::invalid("accounts[7].collateral[0].asset", "unknown asset index 3"));
    }
}
