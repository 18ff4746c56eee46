//! Runs the default ABM and prints the summary and stylised facts:
//! `cargo run --release -p liq-abm --example abm_run -- [seed] [duration_s] [shock_move] [shock_at_s]`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let dur = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3600.0);
    let mut cfg = liq_abm::default_config();
    if let Some(m) = args.get(3).and_then(|s| s.parse::<f64>().ok()) {
        let at = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(dur / 2.0);
        cfg.shock = Some(liq_abm::ShockCfg { at_s: at, index_move: m, over_s: 30.0 });
    }
    if let Ok(v) = std::env::var("LEV_COUNT") {
        cfg.leveraged.count = v.parse().unwrap_or(cfg.leveraged.count);
    }
    if let Ok(v) = std::env::var("ARB_CLIP") {
        cfg.arbitrageur.clip_lots = v.parse().unwrap_or(cfg.arbitrageur.clip_lots);
    }
    if let Ok(v) = std::env::var("FUND_UNWIND") {
        cfg.insurance_fund_unwind_lots_per_s = v.parse().unwrap_or(cfg.insurance_fund_unwind_lots_per_s);
    }
    if let Ok(v) = std::env::var("MOM") {
        cfg.momentum.max_position_lots = v.parse().unwrap_or(200);
    }
    if let Ok(v) = std::env::var("WITHDRAW") {
        cfg.makers.withdraw = v == "1";
    }
    if let Ok(which) = std::env::var("EXPERIMENT") {
        let shock = cfg.shock.clone().unwrap_or(liq_abm::ShockCfg {
            at_s: dur / 2.0,
            index_move: -0.05,
            over_s: 30.0,
        });
        let r = match which.as_str() {
            "stops" => liq_abm::experiments::stop_clusters(&cfg, &shock, seed, dur),
            "matching" => liq_abm::experiments::matching_rule(&cfg, &shock, seed, dur),
            _ => liq_abm::experiments::maker_withdrawal(&cfg, &shock, seed, dur),
        };
        println!("{:#?}", r.map(|c| c.arms));
        return;
    }
    let t = std::time::Instant::now();
    let o = match liq_abm::run_abm(&cfg, seed, dur) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let el = t.elapsed().as_secs_f64();
    println!("{:#?}", o.summary);
    println!("{:#?}", o.stylised);
    println!("ledger {:?}", o.ledger);
    if std::env::var("PATH_EVERY").is_ok() {
        let k: usize = std::env::var("PATH_EVERY").unwrap().parse().unwrap_or(60);
        for p in o.price_path.iter().step_by(k) {
            println!("t={:>6.0} mid={:>9.1} index={:>9.1} mark={:>9.1}", p.t_s, p.mid, p.index, p.mark);
        }
    }
    println!("{:.3}s wall, {:.2} M events/s", el, o.summary.sim_events as f64 / el / 1e6);
}
