//! Derives the BTCUSDT depth profile shipped in `crates/io/data/btcusdt_depth_20240808.toml` from
//! a real Binance USD-M websocket capture.
//!
//! This example owns the one-off calibration; the product only reads the TOML it writes (it never
//! touches `../shared` at run time).
//!
//! Method:
//! 1. Read the capture (`<ns timestamp> <json>` per line): the REST snapshot (`lastUpdateId`) and
//!    the `depthUpdate` diffs. Diffs are applied in sequence from the first one with
//!    `U ≤ lastUpdateId ≤ u` (it may precede the snapshot in the file: the REST answer arrives
//!    after the stream started); each next diff must have `pu` = previous `u`, else a gap is
//!    reported.
//! 2. Sample the book at the snapshot and every 30 s after it (local receive time).
//! 3. For each sample, sum USD notional (price × qty) per 1-bps bucket of distance from that
//!    sample's mid, per side, within the *observed range*: the snapshot's own reach in bps
//!    (1000 levels per side). Average the buckets over samples.
//! 4. Fit log(cumulative notional) = a + β·log(distance) by least squares over the observed
//!    buckets (per side) and extend the profile to 2,500 bps with C(d) = C(D)·(d/D)^β, anchored at
//!    the observed edge D so cumulative depth is continuous.
//! 5. Cross-check: depth the rebuilt book shows beyond the observed range at the last sample is a
//!    lower bound (only levels a diff touched are known there); it is reported next to the fit.
//!
//! Usage: `cargo run --release -p liq-impact --example derive_depth [capture.gz] [out.toml]`.

use flate2::read::GzDecoder;
use liq_domain::DepthProfile;
use serde_json::Value;
use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

/// Tick of BTCUSDT (0.1 USD); prices are keyed in ticks to avoid float keys.
const TICK: f64 = 0.1;
const BUCKET_BPS: f64 = 1.0;
/// Extend the profile to 25% from mid, so a −20% cascade still meets depth.
const REACH_BPS: usize = 2_500;
const SAMPLE_EVERY_NS: u64 = 30_000_000_000;

type Side = BTreeMap<i64, f64>;

struct Diff {
    ts: u64,
    first: u64,
    last: u64,
    prev: u64,
    bids: Vec<(i64, f64)>,
    asks: Vec<(i64, f64)>,
}

struct Sample {
    ts: u64,
    bids: Side,
    asks: Side,
}

fn levels(v: &Value, what: &str) -> Result<Vec<(i64, f64)>, Box<dyn Error>> {
    let arr = v.as_array().ok_or_else(|| format!("{what}: not an array"))?;
    arr.iter()
        .map(|l| {
            let p: f64 = l[0].as_str().ok_or("price not a string")?.parse()?;
            let q: f64 = l[1].as_str().ok_or("qty not a string")?.parse()?;
            Ok(((p / TICK).round() as i64, q))
        })
        .collect()
}

fn apply(side: &mut Side, updates: &[(i64, f64)]) {
    for &(t, q) in updates {
        if q == 0.0 {
            side.remove(&t);
        } else {
            side.insert(t, q);
        }
    }
}

/// Best bid, best ask, mid in ticks.
fn top(s: &Sample) -> (i64, i64, f64) {
    let bb = *s.bids.keys().next_back().unwrap_or(&0);
    let ba = *s.asks.keys().next().unwrap_or(&0);
    (bb, ba, (bb + ba) as f64 / 2.0)
}

/// USD notional per bucket of distance from `mid` (ticks) for buckets below `n`.
fn buckets(side: &Side, mid: f64, dir: f64, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for (&t, &q) in side {
        let d = (t as f64 - mid) * dir / mid * 1e4;
        let b = (d / BUCKET_BPS).floor();
        if b >= 0.0 && (b as usize) < n {
            out[b as usize] += t as f64 * TICK * q;
        }
    }
    out
}

/// Least-squares fit of log C = a + β log d over the cumulative profile; returns (β, R²).
fn fit(avg: &[f64]) -> (f64, f64) {
    let pts: Vec<(f64, f64)> = avg
        .iter()
        .scan(0.0, |c, &x| {
            *c += x;
            Some(*c)
        })
        .enumerate()
        .filter(|&(_, c)| c > 0.0)
        .map(|(i, c)| (((i + 1) as f64 * BUCKET_BPS).ln(), c.ln()))
        .collect();
    let n = pts.len() as f64;
    let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let syy: f64 = pts.iter().map(|p| (p.1 - my).powi(2)).sum();
    let beta = sxy / sxx;
    (beta, sxy * sxy / (sxx * syy))
}

/// Observed buckets followed by the power-law extension out to `REACH_BPS`.
fn extend(avg: &[f64], beta: f64) -> Vec<f64> {
    let edge = avg.len() as f64 * BUCKET_BPS;
    let total: f64 = avg.iter().sum();
    let cum = |d: f64| total * (d / edge).powf(beta);
    let mut out = avg.to_vec();
    for i in avg.len()..REACH_BPS {
        out.push(cum((i + 1) as f64 * BUCKET_BPS) - cum(i as f64 * BUCKET_BPS));
    }
    out
}

fn within(profile: &[f64], bps: usize) -> f64 {
    profile.iter().take(bps).sum()
}

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let args: Vec<String> = std::env::args().collect();
    let input = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/binance-usdm-btcusdt-20240808/btcusdt_20240808.gz"));
    let output = args
        .get(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("crates/io/data/btcusdt_depth_20240808.toml"));
    let file = std::fs::File::open(&input).map_err(|e| {
        format!(
            "cannot open the capture {}: {e}. It lives in the shared data folder \
             (/work/shared/data, see SOURCES.md); pass its path as the first argument.",
            input.display()
        )
    })?;

    // 1. Snapshot and diffs.
    let mut snapshot: Option<(u64, u64, Side, Side)> = None;
    let mut diffs = Vec::new();
    for (n, line) in BufReader::new(GzDecoder::new(file)).lines().enumerate() {
        let line = line?;
        let is_snapshot = snapshot.is_none() && line.contains("\"lastUpdateId\"");
        if !is_snapshot && !line.contains("\"depthUpdate\"") {
            continue;
        }
        let (ts, json) = line.split_once(' ').ok_or_else(|| format!("line {}: no timestamp", n + 1))?;
        let ts: u64 = ts.parse().map_err(|e| format!("line {}: timestamp: {e}", n + 1))?;
        let v: Value = serde_json::from_str(json).map_err(|e| format!("line {}: {e}", n + 1))?;
        let num = |v: &Value, k: &str| v[k].as_u64().ok_or_else(|| format!("line {}: no `{k}`", n + 1));
        if is_snapshot {
            let id = num(&v, "lastUpdateId")?;
            let bids = levels(&v["bids"], "bids")?.into_iter().collect();
            let asks = levels(&v["asks"], "asks")?.into_iter().collect();
            snapshot = Some((ts, id, bids, asks));
        } else {
            let d = &v["data"];
            diffs.push(Diff {
                ts,
                first: num(d, "U")?,
                last: num(d, "u")?,
                prev: num(d, "pu")?,
                bids: levels(&d["b"], "b")?,
                asks: levels(&d["a"], "a")?,
            });
        }
    }
    let (snap_ts, snap_id, bids, asks) =
        snapshot.ok_or("no depth snapshot (`lastUpdateId`) in the capture")?;
    let snap_low = *bids.keys().next().ok_or("empty snapshot bids")?;
    let snap_high = *asks.keys().next_back().ok_or("empty snapshot asks")?;

    // 2. Replay and sample.
    let mut cur = Sample { ts: snap_ts, bids, asks };
    let mut samples = vec![Sample { ts: snap_ts, bids: cur.bids.clone(), asks: cur.asks.clone() }];
    let (mut last_u, mut applied, mut gaps) = (None::<u64>, 0usize, 0usize);
    let mut next_sample = snap_ts + SAMPLE_EVERY_NS;
    for d in diffs.iter().filter(|d| d.last > snap_id) {
        match last_u {
            None if d.first > snap_id => {
                println!("warning: first diff U={} is after lastUpdateId={snap_id}: gap at start", d.first);
                gaps += 1;
            }
            Some(u) if d.prev != u => {
                println!("warning: gap: diff pu={} but previous u={u}", d.prev);
                gaps += 1;
            }
            _ => {}
        }
        // The state just before the first diff at or after a sample time is the book then.
        while d.ts >= next_sample {
            samples.push(Sample { ts: next_sample, bids: cur.bids.clone(), asks: cur.asks.clone() });
            next_sample += SAMPLE_EVERY_NS;
        }
        apply(&mut cur.bids, &d.bids);
        apply(&mut cur.asks, &d.asks);
        cur.ts = d.ts;
        last_u = Some(d.last);
        applied += 1;
    }
    println!(
        "snapshot lastUpdateId {snap_id}; applied {applied} diffs, {gaps} gaps; {} samples",
        samples.len()
    );

    // 3. Observed range: the snapshot's reach from its own mid, in whole buckets.
    let (_, _, mid0) = top(&samples[0]);
    let obs_bid = ((mid0 - snap_low as f64) / mid0 * 1e4 / BUCKET_BPS).floor() as usize;
    let obs_ask = ((snap_high as f64 - mid0) / mid0 * 1e4 / BUCKET_BPS).floor() as usize;
    let (mut avg_bid, mut avg_ask) = (vec![0.0; obs_bid], vec![0.0; obs_ask]);
    let mut spreads = Vec::new();
    let mut times = Vec::new();
    for s in &samples {
        let (bb, ba, mid) = top(s);
        if ba <= bb {
            return Err(format!("crossed book at t={} ns: bid {bb} ask {ba}", s.ts).into());
        }
        spreads.push(ba - bb);
        times.push(format!("+{:.0}s (mid {:.2})", (s.ts - snap_ts) as f64 / 1e9, mid * TICK));
        for (acc, b) in [
            (&mut avg_bid, buckets(&s.bids, mid, -1.0, obs_bid)),
            (&mut avg_ask, buckets(&s.asks, mid, 1.0, obs_ask)),
        ] {
            for (a, x) in acc.iter_mut().zip(b) {
                *a += x / samples.len() as f64;
            }
        }
    }
    spreads.sort_unstable();
    let spread_ticks = spreads[spreads.len() / 2];

    // 4. Fit and extend.
    let (beta_bid, r2_bid) = fit(&avg_bid);
    let (beta_ask, r2_ask) = fit(&avg_ask);
    let profile = DepthProfile {
        bucket_bps: BUCKET_BPS,
        bid_notional_usd: extend(&avg_bid, beta_bid),
        ask_notional_usd: extend(&avg_ask, beta_ask),
        spread_ticks,
    };

    // 5. Lower bound from the last rebuilt book.
    let last = samples.last().ok_or("no samples")?;
    let (_, _, mid_last) = top(last);
    let lb_bid = buckets(&last.bids, mid_last, -1.0, REACH_BPS);
    let lb_ask = buckets(&last.asks, mid_last, 1.0, REACH_BPS);

    let m = |x: f64| format!("{:.1}M", x / 1e6);
    let mut h = String::new();
    writeln!(h, "# BTCUSDT depth profile, Binance USD-M, 2024-08-08 23:54–23:59 UTC (a calm window).")?;
    writeln!(h, "# Generated by `cargo run --release -p liq-impact --example derive_depth`; do not edit.")?;
    writeln!(h, "#")?;
    writeln!(h, "# Source: btcusdt_20240808.gz, a raw websocket capture from GitHub nkaz001/hftbacktest,")?;
    writeln!(h, "#   examples/usdm/btcusdt_20240808.gz (MIT license): REST snapshot + depth@0ms diffs.")?;
    writeln!(h, "# Method: the snapshot (lastUpdateId {snap_id}) and the book rebuilt from diffs")?;
    writeln!(
        h,
        "#   ({applied} applied in sequence, {gaps} gaps) sampled every 30 s: {} samples at",
        samples.len()
    )?;
    for chunk in times.chunks(4) {
        writeln!(h, "#   {}", chunk.join(", "))?;
    }
    writeln!(h, "#   USD notional (price × qty) per 1-bps bucket of distance from each sample's mid,")?;
    writeln!(h, "#   averaged over samples, within the observed range = the snapshot's reach")?;
    writeln!(h, "#   (1000 levels per side): bids 0–{obs_bid} bps, asks 0–{obs_ask} bps.")?;
    writeln!(h, "# Beyond it: power law of cumulative depth C(d) ∝ d^β fitted (least squares in logs) on")?;
    writeln!(h, "#   the observed buckets and anchored at the observed edge, out to {REACH_BPS} bps (25%):")?;
    writeln!(h, "#   bids β = {beta_bid:.3} (R² = {r2_bid:.3}), asks β = {beta_ask:.3} (R² = {r2_ask:.3}).")?;
    writeln!(h, "#   This extrapolates ~100× beyond the data. β > 1 (density rising with distance) holds")?;
    writeln!(
        h,
        "#   near mid but likely not far out, so depth far from mid is probably overstated: compare"
    )?;
    writeln!(h, "#   the lower bound in brackets below, and scale the profile in scenarios that need it.")?;
    writeln!(h, "# Spread: median over samples, {spread_ticks} tick(s).")?;
    writeln!(h, "# Total notional (USD) within:        bids        asks   (last rebuilt book, lower bound)")?;
    for bps in [10, 50, 100, 1000, 2500] {
        writeln!(
            h,
            "#   {bps:>5} bps {:>22} {:>11}   ({} / {})",
            m(within(&profile.bid_notional_usd, bps)),
            m(within(&profile.ask_notional_usd, bps)),
            m(within(&lb_bid, bps)),
            m(within(&lb_ask, bps)),
        )?;
    }
    print!("{h}");

    let arr = |v: &[f64]| {
        let rows: Vec<String> = v
            .chunks(8)
            .map(|c| format!("  {},", c.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(", ")))
            .collect();
        format!("[\n{}\n]", rows.join("\n"))
    };
    let mut out = h;
    writeln!(out, "\nbucket_bps = {BUCKET_BPS:.1}\nspread_ticks = {spread_ticks}")?;
    writeln!(out, "bid_notional_usd = {}", arr(&profile.bid_notional_usd))?;
    writeln!(out, "ask_notional_usd = {}", arr(&profile.ask_notional_usd))?;
    // Round trip through the domain type before writing: the file must load as a DepthProfile.
    let back: DepthProfile = toml::from_str(&out)?;
    if back.bid_notional_usd.len() != REACH_BPS || back.ask_notional_usd.len() != REACH_BPS {
        return Err("round trip lost buckets".into());
    }
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&output, out).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    println!("wrote {}", output.display());
    Ok(())
}
