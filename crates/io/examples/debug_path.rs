//! Debug: Monte Carlo paths of the default scenario, both runs side by side.
fn main() {
    let s = liq_io::default_scenario::default_scenario().unwrap();
    let model = liq_engine::EngineModel::new(&s).unwrap();
    let mut c = liq_engine::Cascade::new(&model);
    let cfg = liq_stress::MonteCarloConfig {
        paths: 10,
        horizon_s: 900.0,
        steps: 900,
        copula: liq_stress::Copula::StudentT { df: 4.0 },
        daily_vol: vec![0.032, 0.035, 0.053],
        correlation: vec![vec![1.0, 0.82, 0.82], vec![0.82, 1.0, 0.82], vec![0.82, 0.82, 1.0]],
        seed: 42,
    };
    let f = liq_stress::CorrelationFactor::new(&cfg.correlation).unwrap();
    let sv = cfg.step_vol();
    let mut path = liq_engine::ExoPath { n_markets: 3, dt_s: 1.0, levels: vec![] };
    for p in 0..4 {
        liq_stress::montecarlo::draw_path(&cfg, &f, &sv, p, &mut path);
        let r = c.report_path(&model, &path, &liq_engine::RunOptions::default());
        for (name, o) in [("nf", &r.counterfactual), ("c", &r.outcome)] {
            let mut long = 0.0;
            let mut short = 0.0;
            let mut kinds = std::collections::BTreeMap::new();
            for e in &o.events {
                if e.kind.liquidates() {
                    if e.lots < 0 {
                        long += e.notional_usd
                    } else {
                        short += e.notional_usd
                    }
                }
                *kinds.entry(format!("{:?}", e.kind)).or_insert(0.0) += e.notional_usd;
            }
            eprintln!("p{p} {name}: liq {:.0} (longs {:.0}, shorts {:.0}) ev {} acc {} gen {:?} trough {:?} end {:?} unwind {:?} kinds {:?}", o.liquidated_notional_usd(), long, short, o.events.len(), o.accounts_liquidated,
              o.markets.iter().map(|m| m.notional_by_generation.iter().map(|x| x.round()).collect::<Vec<_>>()).collect::<Vec<_>>(),
              o.markets.iter().map(|m| (m.mark_trough / m.mark_start - 1.0) * 100.0).collect::<Vec<_>>(), o.markets.iter().map(|m| (m.mark_end / m.mark_start - 1.0)*100.0).collect::<Vec<_>>(), o.markets.iter().map(|m| m.fund_unwind_usd.round()).collect::<Vec<_>>(), kinds);
        }
    }
}
