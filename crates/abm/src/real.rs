//! The stylised-facts check on a real capture, and its side-by-side comparison with a run.
//!
//! [`capture_series`] turns a Binance USD-M websocket capture (loaded by
//! [`liq_calib::load_binance_capture`]) into the same 1-second series the ABM samples: at every
//! whole second after the REST snapshot, the mid and the quoted spread (bp of the mid) of the last
//! bookTicker at or before that exchange time (the rebuilt book's best quotes before the first
//! ticker), and the USD notional resting within ±10 bp of the mid on both sides of the book
//! rebuilt by [`liq_calib::BookReplay`] from the snapshot and `depthUpdate` diffs. Depth is NaN
//! (dropped by the distribution) where the rebuild is unreliable or crossed.
//! [`stylised_facts_of_capture`] feeds those series to the very same
//! [`stylised_facts`] the ABM uses, and [`render_comparison`] prints
//! the two side by side.
//!
//! A short capture limits what can be said: the BTCUSDT capture in `../shared/data` spans about
//! 345 s, so it has only 5 one-minute returns. The table says so and the 10-second statistics are
//! the ones to compare.

use crate::stats::{flow_facts, stylised_facts, FlowFacts, FlowSeries, StylisedFacts};
use liq_calib::{BookReplay, BookSide, CalibError, Capture};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// Fewer 1-minute returns than this and the table flags the 1-minute statistics as not meaningful.
pub const MIN_MEANINGFUL_RETURNS: usize = 30;

/// Why the real facts could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum RealFactsError {
    /// The capture could not be read (file, line and field are named).
    #[error(transparent)]
    Load(#[from] CalibError),
    /// The capture parsed but is too short or has no usable quotes.
    #[error("{path}: {message}")]
    Unusable { path: String, message: String },
}

/// The 1-second series sampled from a capture.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RealSeries {
    /// Exchange time of each sample, ms.
    pub t_ms: Vec<i64>,
    pub mid: Vec<f64>,
    pub spread_bps: Vec<f64>,
    pub depth_usd_10bp: Vec<f64>,
    /// Samples whose depth is NaN because the rebuilt book was unreliable, one-sided or crossed.
    pub depth_missing: usize,
    /// Taker flow per sample (the second ending at it) and per taker order.
    pub flow: FlowSeries,
}

/// The capture's taker flow on the sample grid. The trade stream gives fills, not orders: fills
/// on the same side in the same exchange millisecond are taken as one taker order (a market
/// order sweeping several levels prints them together).
fn capture_flow(cap: &Capture, t_ms: &[i64]) -> FlowSeries {
    let mut trades: Vec<_> = cap.trades.iter().filter(|t| t.qty > 0.0 && t.price > 0.0).collect();
    trades.sort_by_key(|t| t.time_ms);
    let mut f = FlowSeries::default();
    let mut last: Option<(i64, bool)> = None;
    let mut order_time = Vec::new();
    for t in &trades {
        if last != Some((t.time_ms, t.taker_buy)) {
            last = Some((t.time_ms, t.taker_buy));
            f.signs.push(if t.taker_buy { 1 } else { -1 });
            f.sizes_base.push(0.0);
            order_time.push(t.time_ms);
        }
        if let Some(q) = f.sizes_base.last_mut() {
            *q += t.qty;
        }
    }
    let (mut i, mut k) = (0, 0);
    for &t in t_ms {
        let (mut orders, mut net, mut vol) = (0.0, 0.0, 0.0);
        while k < order_time.len() && order_time[k] <= t {
            if order_time[k] > t - 1_000 {
                orders += 1.0;
            }
            k += 1;
        }
        while i < trades.len() && trades[i].time_ms <= t {
            if trades[i].time_ms > t - 1_000 {
                let usd = trades[i].qty * trades[i].price;
                net += if trades[i].taker_buy { usd } else { -usd };
                vol += usd;
            }
            i += 1;
        }
        f.taker_orders.push(orders);
        f.net_taker_usd.push(net);
        f.volume_usd.push(vol);
    }
    f
}

/// Samples a loaded capture every second (see the module docs).
pub fn capture_series(cap: &Capture) -> Result<RealSeries, RealFactsError> {
    let unusable =
        |message: String| RealFactsError::Unusable { path: cap.path.display().to_string(), message };
    let snap = cap.snapshots.first().ok_or_else(|| unusable("no REST depth snapshot".into()))?;
    let (_, end_ms) = cap.time_span_ms().ok_or_else(|| unusable("no timestamped events".into()))?;
    let mut tickers: Vec<_> = cap.tickers.iter().filter(|t| t.quote.ask > t.quote.bid).collect();
    tickers.sort_by_key(|t| (t.quote.time_ms, t.update_id));
    let mut replay = BookReplay::new(cap);
    let mut out = RealSeries::default();
    let mut next_ticker = 0;
    let mut t = snap.time_ms + 1_000;
    while t <= end_ms {
        replay.advance_to_time(t);
        while tickers.get(next_ticker).is_some_and(|k| k.quote.time_ms <= t) {
            next_ticker += 1;
        }
        let book = replay.book();
        let top = match next_ticker.checked_sub(1).map(|i| &tickers[i].quote) {
            Some(q) => Some((q.bid, q.ask)),
            None => book.best_bid().zip(book.best_ask()).map(|(b, a)| (b.0, a.0)).filter(|(b, a)| a > b),
        };
        if let Some((bid, ask)) = top {
            let mid = (bid + ask) / 2.0;
            let depth = if replay.reliable() && book.mid().is_some() {
                book.notional_within(BookSide::Bid, 10.0) + book.notional_within(BookSide::Ask, 10.0)
            } else {
                out.depth_missing += 1;
                f64::NAN
            };
            out.t_ms.push(t);
            out.mid.push(mid);
            out.spread_bps.push((ask - bid) / mid * 1e4);
            out.depth_usd_10bp.push(depth);
        }
        t += 1_000;
    }
    out.flow = capture_flow(cap, &out.t_ms);
    if out.mid.len() < 2 {
        return Err(unusable(format!(
            "only {} one-second sample(s) with a quote after the snapshot; need at least 2",
            out.mid.len()
        )));
    }
    Ok(out)
}

/// Loads a capture (at most `max_lines` lines) and computes its stylised facts.
pub fn stylised_facts_of_capture(
    path: &Path,
    max_lines: Option<usize>,
) -> Result<StylisedFacts, RealFactsError> {
    let cap = liq_calib::load_binance_capture(path, max_lines)?;
    let s = capture_series(&cap)?;
    let mut facts = stylised_facts(&s.mid, &s.spread_bps, &s.depth_usd_10bp);
    facts.flow = Some(flow_facts(&s.mid, &s.flow));
    Ok(facts)
}

/// A simulated run's facts beside a real capture's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactsComparison {
    pub simulated: StylisedFacts,
    pub real: StylisedFacts,
}

fn num(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "n/a".to_string()
    }
}

fn note_1min(n: usize) -> &'static str {
    if n < MIN_MEANINGFUL_RETURNS {
        " (too few)"
    } else {
        ""
    }
}

/// A side-by-side plain-text table: sample sizes, kurtosis at 1 min and 10 s, ACF of returns and
/// of |returns| at lags 1–5, spread median/p95 and depth median; 1-minute statistics computed
/// from fewer than [`MIN_MEANINGFUL_RETURNS`] returns are flagged.
pub fn render_comparison(c: &FactsComparison) -> String {
    let (s, r) = (&c.simulated, &c.real);
    let mut out = String::new();
    let mut row = |label: &str, sim: String, real: String| {
        let _ = writeln!(out, "  {label:<34} {sim:>14} {real:>16}");
    };
    row("statistic", "simulated".into(), "real capture".into());
    row("1-s samples with two-sided quote", s.spread_bps.n.to_string(), r.spread_bps.n.to_string());
    let n1 = |f: &StylisedFacts| format!("{}{}", f.n_returns_1min, note_1min(f.n_returns_1min));
    row("1-min returns", n1(s), n1(r));
    row("10-s returns", s.n_returns_10s.to_string(), r.n_returns_10s.to_string());
    row("kurtosis 10 s (3 = Gaussian)", num(s.kurtosis_10s, 2), num(r.kurtosis_10s, 2));
    let k1 = |f: &StylisedFacts| format!("{}{}", num(f.kurtosis_1min, 2), note_1min(f.n_returns_1min));
    row("kurtosis 1 min", k1(s), k1(r));
    type Acf = fn(&StylisedFacts) -> &Vec<f64>;
    let acfs: [(&str, Acf); 4] = [
        ("ACF returns 10 s", |f| &f.acf_returns_10s),
        ("ACF |returns| 10 s", |f| &f.acf_abs_returns_10s),
        ("ACF returns 1 min", |f| &f.acf_returns_1min),
        ("ACF |returns| 1 min", |f| &f.acf_abs_returns_1min),
    ];
    for (name, get) in acfs {
        for lag in 1..=5 {
            let at = |f: &StylisedFacts| num(get(f).get(lag - 1).copied().unwrap_or(f64::NAN), 3);
            row(&format!("{name}, lag {lag}"), at(s), at(r));
        }
    }
    row("spread median, bp", num(s.spread_bps.median, 4), num(r.spread_bps.median, 4));
    row("spread p95, bp", num(s.spread_bps.p95, 4), num(r.spread_bps.p95, 4));
    row("depth ±10 bp median, USD", num(s.depth_usd_10bp.median, 0), num(r.depth_usd_10bp.median, 0));
    type Flow = fn(&FlowFacts) -> f64;
    let flows: [(&str, Flow, usize); 10] = [
        ("taker orders per s", |f| f.taker_orders_per_s, 2),
        ("taker orders per 10 s, var/mean", |f| f.count_dispersion_10s, 1),
        ("taker sign ACF, lag 1", |f| f.sign_acf_1_10_100[0], 3),
        ("taker sign ACF, lag 10", |f| f.sign_acf_1_10_100[1], 3),
        ("taker sign ACF, lag 100", |f| f.sign_acf_1_10_100[2], 3),
        ("median taker order, base", |f| f.median_order_base, 4),
        ("log-size ACF, lag 1", |f| f.log_size_acf_1_10[0], 3),
        ("log-size ACF, lag 10", |f| f.log_size_acf_1_10[1], 3),
        ("volume per s, USD", |f| f.volume_usd_per_s, 0),
        ("Kyle's λ 10 s, bp per $1M", |f| f.kyle_lambda_bps_per_musd, 2),
    ];
    for (name, get, dec) in flows {
        let at = |f: &StylisedFacts| f.flow.as_ref().map(|x| num(get(x), dec)).unwrap_or("n/a".into());
        row(name, at(s), at(r));
    }
    let mut text = out;
    for (who, f) in [("simulated run", s), ("real capture", r)] {
        if f.n_returns_1min < MIN_MEANINGFUL_RETURNS {
            let _ = writeln!(
                text,
                "  note: the {who} has only {} one-minute returns ({} s of 1-s samples): its 1-minute \
                 kurtosis and ACF are not meaningful; compare the 10-second statistics.",
                f.n_returns_1min, f.spread_bps.n
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::dist;

    #[test]
    fn table_flags_short_samples_and_prints_na() {
        let mids: Vec<f64> = (0..400).map(|i| 100.0 + (i as f64 * 0.7).sin()).collect();
        let real = stylised_facts(&mids, &vec![0.02; 400], &vec![1e6; 400]);
        let sim = StylisedFacts { spread_bps: dist(&[0.5; 3600]), ..real.clone() };
        let text = render_comparison(&FactsComparison { simulated: sim, real });
        // 400 one-second mids sampled every 60 → 7 points, 6 returns.
        assert!(text.contains("6 (too few)"), "{text}");
        assert!(text.contains("only 6 one-minute returns (400 s"), "{text}");
        assert!(text.contains("0.0200") && text.contains("0.5000"), "{text}");
        // Lag 5 of 6 returns is defined; a default (empty) ACF prints n/a.
        let empty = render_comparison(&FactsComparison {
            simulated: StylisedFacts::default(),
            real: StylisedFacts::default(),
        });
        assert!(empty.contains("n/a"), "{empty}");
    }
}
