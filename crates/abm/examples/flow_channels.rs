//! What each flow channel adds to an ABM cascade, over a range of seeds, with the `[flows]` of a
//! config patch (default `examples/abm/flows.toml`) merged over the default config:
//!
//! ```text
//! cargo run --release -p liq-abm --example flow_channels -- [PATCH] [SHOCK] [SEEDS] [DURATION_S]
//! ```
//!
//! (`liqcascade abm PATCH --flows --shock X --seeds A-B` is the user-facing form; this one
//! needs only the ABM crate, for surveys while the CLI is not built.)

use liq_abm::{default_config, experiments, ShockCfg};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/abm/flows.toml");
    let path = args.get(1).map_or(root, String::as_str);
    let shock: f64 = args.get(2).map_or(-0.10, |s| s.parse().expect("SHOCK: a fraction, -0.1"));
    let seeds: u64 = args.get(3).map_or(4, |s| s.parse().expect("SEEDS: a count"));
    let duration: f64 = args.get(4).map_or(600.0, |s| s.parse().expect("DURATION_S: seconds"));
    let text = std::fs::read_to_string(path).expect("the patch reads");
    let table: toml::Table = toml::from_str(&text).expect("the patch is TOML");
    let mut cfg = default_config();
    cfg.flows = table.get("flows").cloned().expect("a [flows] table").try_into().expect("[flows] parses");
    let sh = ShockCfg { at_s: duration / 3.0, index_move: shock, over_s: 60.0 };
    let mut sums = Vec::new();
    for seed in 1..=seeds {
        let x = experiments::flow_channels(&cfg, &sh, seed, duration).expect("config valid");
        for a in &x.arms {
            let traded: Vec<String> = a
                .channels
                .iter()
                .filter(|c| ["leveraged_token", "dealer_gamma", "stops"].contains(&c.channel.as_str()))
                .map(|c| {
                    format!("{} sold {:.2}M bought {:.2}M", c.channel, c.sold_usd / 1e6, c.bought_usd / 1e6)
                })
                .collect();
            println!(
                "seed {seed} {:<20} liquidated {:>8.2}M trough {:+.2}%  {}",
                a.label,
                a.summary.liquidated_notional_usd / 1e6,
                a.summary.trough_after_shock * 100.0,
                traded.join(", ")
            );
        }
        sums.resize(x.effects.len(), (String::new(), 0.0, 0usize));
        for (s, e) in sums.iter_mut().zip(&x.effects) {
            s.0.clone_from(&e.channel);
            s.1 += e.added_liquidated_usd;
            s.2 += usize::from(e.added_liquidated_usd > 0.0);
        }
    }
    for (c, total, more) in sums {
        println!(
            "{c}: adds {:.2}M of liquidations on average over {seeds} seeds (more on {more})",
            total / seeds as f64 / 1e6
        );
    }
}
