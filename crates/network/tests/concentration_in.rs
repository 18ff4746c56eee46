//! `concentration_in` (one market, one distance, no unit views kept) against the two rows of
//! `concentration` over `unit_views` for the same market and distance: equal to the bit, on
//! random books of isolated positions, one- and multi-market cross wallets and wallets holding
//! market-priced collateral (the cases where the trigger is bisected and the haircut inferred).

mod common;
use common::*;
use liq_domain::{AssetId, AssetPrice, AssetSpec, Collateral, MarketId};
use liq_engine::EngineModel;
use liq_network::concentration::concentration_in;
use liq_network::{concentration, unit_views};
use proptest::prelude::*;

/// (isolated?, BTC lots, ETH lots, wallet, BTC collateral held in tenths)
type Spec = (bool, i64, i64, f64, u8);

fn model_of(spec: &[Spec]) -> EngineModel {
    let (b, e) = (btc(), eth());
    let accounts = spec
        .iter()
        .enumerate()
        .map(|(i, &(iso, qb, qe, wallet, coll))| {
            let mut ps = Vec::new();
            if qb != 0 {
                ps.push(position(&b, 0, qb, 1000.0 * (1.0 + (i % 7) as f64 * 0.01), iso.then_some(60.0)));
            }
            if qe != 0 && !iso {
                ps.push(position(&e, 1, qe, 100.0, None));
            }
            let mut a = account(&format!("a{i}"), wallet, ps);
            if coll > 0 && !iso {
                a.collateral = vec![Collateral { asset: AssetId(0), qty: f64::from(coll) / 10.0 }];
            }
            a
        })
        .collect();
    let books = vec![book(&b, 5.0, 400), book(&e, 50.0, 400)];
    let mut s = scenario(vec![b, e], books, accounts);
    s.assets = vec![AssetSpec { symbol: "BTC".into(), price: AssetPrice::Market(MarketId(0)), haircut: 0.1 }];
    EngineModel::new(&s).expect("valid scenario")
}

fn spec() -> impl Strategy<Value = Spec> {
    (any::<bool>(), -3000i64..3000, -30_000i64..30_000, 0.0f64..400.0, 0u8..20)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn equals_the_rows_of_concentration(
        book in prop::collection::vec(spec(), 1..60),
        threshold in 0.0f64..0.3,
    ) {
        let model = model_of(&book);
        let units = unit_views(&model);
        let all = concentration(&model, &units, &[threshold]);
        for k in 0..2 {
            let want: Vec<_> = all.iter().filter(|r| r.market == model.markets[k].symbol).cloned().collect();
            let got = concentration_in(&model, k, threshold);
            prop_assert_eq!(&got[..], &want[..]);
        }
    }
}
