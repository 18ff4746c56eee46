//! The calibration view of the ABM: one line per seed with the stylised facts *and* the order-flow
//! statistics the real capture is compared on (taker rate, count dispersion, sign and log-size
//! autocorrelation, Kyle's λ), then a summary line. How the default in `defaults.rs` was tuned:
//!
//! `cargo run --release -p liq-abm --example abm_survey -- [first_seed] [seeds] [duration_s]`
//!
//! `ABM_TOML='makers.size_lots = 900; index.log_vol_sd = 0.7'` patches the default (dotted keys,
//! `;`-separated); `QUIET=1` prints only the summary; `SHOW_RATIO`, `SHOW_GROUPS` and
//! `SHOW_PATH=60` add the makers' volatility ratio, the groups' positions and the price path.
//! (`liqcascade abm [CONFIG] --seeds A-B` is the user-facing form of the same survey.)

use liq_abm::{default_config, run_abm, AbmConfig};

fn config() -> AbmConfig {
    let base = default_config();
    match std::env::var("ABM_TOML") {
        Ok(patch) => {
            let mut v = toml::Value::try_from(&base).expect("config serialises");
            for line in patch.split(';').map(str::trim).filter(|l| !l.is_empty()) {
                let (k, val) = line.split_once('=').expect("KEY = VALUE");
                let parsed: toml::Value = toml::from_str::<toml::Table>(&format!("x = {}", val.trim()))
                    .expect("value")["x"]
                    .clone();
                let mut cur = &mut v;
                let keys: Vec<&str> = k.trim().split('.').collect();
                for key in &keys[..keys.len() - 1] {
                    cur = cur.get_mut(*key).unwrap_or_else(|| panic!("no key {key}"));
                }
                let last = keys[keys.len() - 1];
                cur.as_table_mut().expect("table").insert(last.to_string(), parsed);
            }
            v.try_into().expect("patched config deserialises")
        }
        Err(_) => base,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let first: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(12);
    let dur: f64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3600.0);
    let cfg = config();
    println!(
        "{:>5} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>9} {:>6} {:>11} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>5}",
        "seed", "k1m", "k10s", "acf1m", "|acf|1m", "|acf|10", "sprd_bp", "depth$M", "vol%", "liq$", "dd%",
        "tak/s", "disp", "sacf1", "sac100", "lambda", "vol$M/s", "lnq1"
    );
    let mut ks = Vec::new();
    let (mut vols, mut dds, mut s1, mut l1, mut acf1m, mut absacf) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let quiet = std::env::var("QUIET").is_ok();
    let mut kidx = Vec::new();
    for seed in first..first + n {
        let t = std::time::Instant::now();
        let o = run_abm(&cfg, seed, dur).expect("run");
        let el = t.elapsed().as_secs_f64();
        let s = &o.stylised;
        let m5 = |v: &[f64]| v.iter().take(5).sum::<f64>() / 5.0;
        let r = liq_abm::stats::log_returns(&o.price_path.iter().map(|p| p.mid).collect::<Vec<_>>(), 60);
        let var = r.iter().map(|x| x * x).sum::<f64>() / r.len().max(1) as f64;
        let vol = (var * 525_960.0).sqrt() * 100.0;
        ks.push(s.kurtosis_1min);
        let idx: Vec<f64> = o.price_path.iter().map(|p| p.index).collect();
        kidx.push(liq_abm::stats::kurtosis(&liq_abm::stats::log_returns(&idx, 60)));
        let f = s.flow.clone().unwrap_or_default();
        vols.push(vol);
        dds.push(o.summary.max_drawdown * 100.0);
        s1.push(f.sign_acf_1_10_100[0]);
        l1.push(f.log_size_acf_1_10[0]);
        acf1m.push(s.acf_returns_1min[0]);
        absacf.push(m5(&s.acf_abs_returns_1min));
        if quiet {
            continue;
        }
        println!(
            "{:>5} {:>7.2} {:>7.2} {:>7.3} {:>7.3} {:>7.3} {:>8.4} {:>9.2} {:>6.1} {:>11.0} {:>8.2} {:>6.1} {:>6.1} {:>6.3} {:>6.3} {:>6.2} {:>7.3} {:>5.2}",
            seed,
            s.kurtosis_1min,
            s.kurtosis_10s,
            s.acf_returns_1min[0],
            m5(&s.acf_abs_returns_1min),
            m5(&s.acf_abs_returns_10s),
            s.spread_bps.median,
            s.depth_usd_10bp.median / 1e6,
            vol,
            o.summary.liquidated_notional_usd,
            o.summary.max_drawdown * 100.0,
            f.taker_orders_per_s,
            f.count_dispersion_10s,
            f.sign_acf_1_10_100[0],
            f.sign_acf_1_10_100[2],
            f.kyle_lambda_bps_per_musd,
            f.volume_usd_per_s / 1e6,
            f.log_size_acf_1_10[0],
        );
        let _ = el;
        if let Ok(k) = std::env::var("SHOW_PATH") {
            let k: usize = k.parse().unwrap_or(60);
            for p in o.price_path.iter().step_by(k) {
                println!(
                    "      t={:>6.0} mid={:>9.1} index={:>9.1} ratio={:>6.2}",
                    p.t_s, p.mid, p.index, p.vol_ratio
                );
            }
        }
        if std::env::var("SHOW_RATIO").is_ok() {
            let v: Vec<f64> = o.price_path.iter().map(|p| p.vol_ratio).collect();
            let d = liq_abm::stats::dist(&v);
            println!(
                "      vol ratio p05 {:.2} median {:.2} p95 {:.2} max {:.2}",
                d.p05,
                d.median,
                d.p95,
                v.iter().cloned().fold(0.0, f64::max)
            );
        }
        if std::env::var("SHOW_GROUPS").is_ok() {
            let g: Vec<String> =
                o.summary.groups.iter().map(|g| format!("{} {:+.1}", g.group, g.position_base)).collect();
            println!("      {}", g.join(" · "));
        }
    }
    let above = ks.iter().filter(|k| **k > 3.0).count();
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mn = ks.iter().cloned().fold(f64::INFINITY, f64::min);
    let kim = med(&mut kidx);
    println!(
        "index k1m med {:.2} | k1m>3 {}/{} min {:.2} med {:.2} | vol med {:.0}% max {:.0}% | worst dd {:.1}% | acf1m med {:.2} |acf| med {:.3} | sacf1 {:.3} lnq1 {:.3}",
        kim,
        above,
        ks.len(),
        mn,
        med(&mut ks),
        med(&mut vols.clone()),
        vols.iter().cloned().fold(0.0, f64::max),
        dds.iter().cloned().fold(0.0, f64::min),
        med(&mut acf1m),
        med(&mut absacf),
        med(&mut s1),
        med(&mut l1)
    );
}
