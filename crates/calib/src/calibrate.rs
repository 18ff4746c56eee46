//! `calibrate`: runs the loaders and estimators over a set of data sources and returns the
//! per-market parameters with their provenance (time span, SHA-256 of every input, options).
//!
//! Per market, the price series is the bookTicker mid when a capture gives one, else trade prices
//! (TSRV is robust to their bid–ask bounce; impact windows then measure trade-price moves), else
//! a price path. Daily volume V = traded notional × 86,400 s / span. Estimators that lack data
//! leave their field empty and add a warning; loaders that meet a malformed row fail the call.

use crate::capture::load_binance_capture;
use crate::corr::{correlation_matrix, Correlations};
use crate::depth::{DepthAccumulator, DepthEstimate};
use crate::error::CalibError;
use crate::files::{
    load_binance_trade_tape, load_force_orders, load_l2_snapshots_csv, load_price_paths, load_trades_csv,
    ForceOrder,
};
use crate::impact::{fit_impact_law, impact_windows, kyle_lambda, ImpactFit, ImpactFitOptions, KyleLambda};
use crate::records::{Series, Trade};
use crate::replay::{check_against_tickers, BookReplay, TickerCheck};
use crate::resilience::{fit_resilience, taker_orders, ResilienceFit, ResilienceOptions};
use crate::vol::{estimate_volatility, VolEstimate};
use crate::BookSide;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One input file and how to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataSource {
    /// Binance USD-M websocket capture (snapshot, diffs, trades, bookTicker).
    BinanceCapture { path: PathBuf },
    /// Generic trades CSV; `market` names rows of a file without a market column.
    Trades { path: PathBuf, market: String },
    /// Binance trade-tape dump (`binance_trades.csv` layout).
    BinanceTradeTape { path: PathBuf },
    /// L2 snapshots CSV.
    L2Snapshots { path: PathBuf, market: String },
    /// Price paths CSV (`timestamp,market,price`).
    PricePaths { path: PathBuf },
    /// Binance `forceOrder` dump.
    ForceOrders { path: PathBuf },
}

impl DataSource {
    pub fn path(&self) -> &PathBuf {
        match self {
            Self::BinanceCapture { path }
            | Self::Trades { path, .. }
            | Self::BinanceTradeTape { path }
            | Self::L2Snapshots { path, .. }
            | Self::PricePaths { path }
            | Self::ForceOrders { path } => path,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::BinanceCapture { .. } => "binance_capture",
            Self::Trades { .. } => "trades",
            Self::BinanceTradeTape { .. } => "binance_trade_tape",
            Self::L2Snapshots { .. } => "l2_snapshots",
            Self::PricePaths { .. } => "price_paths",
            Self::ForceOrders { .. } => "force_orders",
        }
    }
}

/// Calibration options; the defaults are the ones the reported numbers use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibOptions {
    /// Read at most this many lines of a capture (bounded test runs); `None` = all.
    pub max_capture_lines: Option<usize>,
    /// Volatility signature sampling intervals (s).
    pub vol_intervals_s: Vec<f64>,
    /// Window lengths pooled in the impact fit (s).
    pub impact_windows_s: Vec<f64>,
    /// Bootstrap block length (s).
    pub block_s: f64,
    pub impact: ImpactFitOptions,
    /// Window length of Kyle's λ regression (s).
    pub kyle_window_s: f64,
    pub depth_bucket_bps: f64,
    /// The profile is extended by its power law to this distance (bps).
    pub depth_reach_bps: f64,
    /// Book sampling period for the depth profile (s).
    pub depth_sample_every_s: f64,
    /// Band around the mid whose depth the resilience fit follows (bps).
    pub resilience_band_bps: f64,
    pub resilience: ResilienceOptions,
    /// Minimum gap between refresh times for correlations (s).
    pub corr_min_gap_s: f64,
    /// Scenario fields the data cannot give (written by `to_toml`).
    pub venue: String,
    pub liquidation_fee_rate: f64,
    pub taker_fee_rate: f64,
}

impl Default for CalibOptions {
    fn default() -> Self {
        Self {
            max_capture_lines: None,
            vol_intervals_s: vec![0.1, 1.0, 5.0, 10.0, 30.0, 60.0],
            impact_windows_s: vec![1.0, 2.0, 5.0, 10.0],
            block_s: 10.0,
            impact: ImpactFitOptions::default(),
            kyle_window_s: 1.0,
            depth_bucket_bps: 1.0,
            // 25% from mid, so a −20% cascade still meets depth (as the shipped BTCUSDT profile).
            depth_reach_bps: 2_500.0,
            depth_sample_every_s: 30.0,
            resilience_band_bps: 5.0,
            resilience: ResilienceOptions::default(),
            corr_min_gap_s: 5.0,
            venue: "binance".into(),
            // Binance USD-M BTCUSDT liquidation fee and VIP-0 taker fee (see the default scenario).
            liquidation_fee_rate: 0.0125,
            taker_fee_rate: 0.0005,
        }
    }
}

/// One input as recorded in the calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRecord {
    pub path: String,
    pub kind: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Everything fitted for one market.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketCalibration {
    pub symbol: String,
    pub span_ms: (i64, i64),
    pub price_source: String,
    pub last_price: f64,
    pub tick_size: Option<f64>,
    pub lot_size: Option<f64>,
    pub trades: usize,
    pub volume_usd: f64,
    pub daily_volume_usd: f64,
    pub volatility: Option<VolEstimate>,
    pub depth: Option<DepthEstimate>,
    pub impact: Option<ImpactFit>,
    pub kyle: Option<KyleLambda>,
    pub resilience: Option<ResilienceFit>,
    /// Relaxation time of near-mid depth from its autocorrelation (s).
    pub depth_relaxation_tau_s: Option<f64>,
    pub book_check: Option<TickerCheck>,
}

/// Timing and clustering of forced orders.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiquidationStats {
    pub orders: usize,
    pub notional_usd: f64,
    /// Share of notional from SELL orders (longs liquidated).
    pub long_share: f64,
    /// (symbol, orders, notional USD), largest notional first.
    pub by_symbol: Vec<(String, usize, f64)>,
    /// Busiest minute: (minute start ms, orders).
    pub peak_minute: (i64, usize),
    /// Variance / mean of per-minute counts over minutes with data (1 = Poisson; ≫ 1 = clustered).
    pub fano_per_minute: f64,
}

/// The calibration result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub version: String,
    pub inputs: Vec<InputRecord>,
    /// SHA-256 of the input hashes concatenated in input order.
    pub inputs_sha256: String,
    pub span_ms: (i64, i64),
    pub markets: Vec<MarketCalibration>,
    pub correlations: Option<Correlations>,
    pub liquidations: Option<LiquidationStats>,
    pub options: CalibOptions,
    pub warnings: Vec<String>,
}

/// Per-market raw material gathered from the sources.
#[derive(Default)]
struct Gathered {
    mids: Option<(Series, String)>,
    trades: Vec<Trade>,
    depth: Option<DepthEstimate>,
    depth_series: Option<(Series, Series)>,
    book_check: Option<TickerCheck>,
    tick: Option<f64>,
    lot: Option<f64>,
}

fn hash_file(path: &PathBuf) -> Result<InputRecord, CalibError> {
    let bytes = std::fs::read(path).map_err(|e| CalibError::io(path, e))?;
    let digest = Sha256::digest(&bytes);
    Ok(InputRecord {
        path: path.display().to_string(),
        kind: String::new(),
        bytes: bytes.len() as u64,
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// Runs every estimator the inputs allow. See the module docs for the choices made.
pub fn calibrate(inputs: &[DataSource], opts: &CalibOptions) -> Result<Calibration, CalibError> {
    if inputs.is_empty() {
        return Err(CalibError::estimate("calibrate", "no inputs"));
    }
    let mut records = Vec::new();
    let mut by_market: BTreeMap<String, Gathered> = BTreeMap::new();
    let mut force_orders: Vec<ForceOrder> = Vec::new();
    let mut warnings = Vec::new();
    for src in inputs {
        let mut rec = hash_file(src.path())?;
        rec.kind = src.kind().to_string();
        records.push(rec);
        match src {
            DataSource::BinanceCapture { path } => {
                let cap = load_binance_capture(path, opts.max_capture_lines)?;
                let symbol = cap.symbol.clone().unwrap_or_else(|| stem(path));
                // An estimator that cannot use this capture names it: the user has to know
                // which of several inputs was refused (a fuzz find: "depth fit: ..." alone).
                let g = gather_capture(&cap, opts, &mut warnings).map_err(|e| match e {
                    CalibError::Estimate { what, message } => {
                        CalibError::Content { file: path.clone(), message: format!("{what}: {message}") }
                    }
                    other => other,
                })?;
                merge(by_market.entry(symbol).or_default(), g);
            }
            DataSource::Trades { path, market } => {
                for m in load_trades_csv(path, market)? {
                    by_market.entry(m.market).or_default().trades.extend(m.trades);
                }
            }
            DataSource::BinanceTradeTape { path } => {
                for m in load_binance_trade_tape(path)? {
                    by_market.entry(m.market).or_default().trades.extend(m.trades);
                }
            }
            DataSource::L2Snapshots { path, market } => {
                let snaps = load_l2_snapshots_csv(path, market)?;
                let mut per: BTreeMap<String, Vec<&crate::L2Book>> = BTreeMap::new();
                for s in &snaps {
                    per.entry(s.market.clone()).or_default().push(&s.book);
                }
                for (m, books) in per {
                    let tick = books[0].min_level_gap().unwrap_or(0.01);
                    let reach = observed_reach(books[0]);
                    let mut acc = DepthAccumulator::new(opts.depth_bucket_bps, reach, tick);
                    books.iter().try_for_each(|b| acc.add(b))?;
                    let g = by_market.entry(m).or_default();
                    g.depth = Some(acc.finish(opts.depth_reach_bps)?);
                    g.tick = g.tick.or(Some(tick));
                }
            }
            DataSource::PricePaths { path } => {
                let mut per: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
                for p in load_price_paths(path)? {
                    per.entry(p.market).or_default().push((p.time_ms, p.price));
                }
                for (m, v) in per {
                    let g = by_market.entry(m).or_default();
                    if g.mids.is_none() {
                        g.mids = Some((Series::from_pairs(v), "price path".into()));
                    }
                }
            }
            DataSource::ForceOrders { path } => force_orders.extend(load_force_orders(path)?),
        }
    }

    let mut markets = Vec::new();
    let mut price_series: Vec<(String, Series)> = Vec::new();
    for (symbol, mut g) in by_market {
        g.trades.sort_by_key(|t| t.time_ms);
        if g.mids.is_none() && !g.trades.is_empty() {
            let s = Series::from_pairs(g.trades.iter().map(|t| (t.time_ms, t.price)).collect());
            g.mids = Some((s, "trade prices".into()));
        }
        if let Some((s, _)) = g.mids.as_ref().filter(|(s, _)| s.len() >= 10) {
            price_series.push((symbol.clone(), s.clone()));
        }
        markets.push(estimate_market(symbol, g, opts, &mut warnings));
    }
    let series: Vec<(String, &Series)> = price_series.iter().map(|(m, s)| (m.clone(), s)).collect();
    let correlations =
        (series.len() >= 2).then(|| correlation_matrix(&series, (opts.corr_min_gap_s * 1e3) as i64));

    let spans: Vec<(i64, i64)> = markets.iter().map(|m| m.span_ms).filter(|s| s.1 > s.0).collect();
    let mut span_ms =
        (spans.iter().map(|s| s.0).min().unwrap_or(0), spans.iter().map(|s| s.1).max().unwrap_or(0));
    if let (Some(a), Some(b)) = (force_orders.first(), force_orders.last()) {
        span_ms = if spans.is_empty() {
            (a.time_ms, b.time_ms)
        } else {
            (span_ms.0.min(a.time_ms), span_ms.1.max(b.time_ms))
        };
    }
    let mut all = Sha256::new();
    for r in &records {
        all.update(r.sha256.as_bytes());
    }
    Ok(Calibration {
        version: env!("CARGO_PKG_VERSION").to_string(),
        inputs_sha256: all.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        inputs: records,
        span_ms,
        markets,
        correlations,
        liquidations: (!force_orders.is_empty()).then(|| liquidation_stats(&force_orders)),
        options: opts.clone(),
        warnings,
    })
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "market".into())
}

fn merge(into: &mut Gathered, g: Gathered) {
    into.trades.extend(g.trades);
    into.mids = into.mids.take().or(g.mids);
    into.depth = into.depth.take().or(g.depth);
    into.depth_series = into.depth_series.take().or(g.depth_series);
    into.book_check = into.book_check.take().or(g.book_check);
    into.tick = into.tick.or(g.tick);
    into.lot = into.lot.or(g.lot);
}

/// Reach (bps) of a book's deepest level per side from its own mid.
fn observed_reach(b: &crate::L2Book) -> (f64, f64) {
    let mid = b.mid().unwrap_or(0.0);
    if mid <= 0.0 {
        return (0.0, 0.0);
    }
    let low = b.bids.keys().next().map(|&k| crate::book::key_price(k)).unwrap_or(mid);
    let high = b.asks.keys().next_back().map(|&k| crate::book::key_price(k)).unwrap_or(mid);
    ((mid - low) / mid * 1e4, (high - mid) / mid * 1e4)
}

/// Reads what a capture offers: the ticker check, depth samples and per-diff depth near the mid
/// from one replay, ticker mids, trades, tick and lot sizes.
fn gather_capture(
    cap: &crate::Capture,
    opts: &CalibOptions,
    warnings: &mut Vec<String>,
) -> Result<Gathered, CalibError> {
    if cap.unclassified > 0 {
        warnings.push(format!(
            "{}: {} of {} lines are no capture event and were skipped (first at lines {:?})",
            cap.path.display(),
            cap.unclassified,
            cap.lines,
            cap.unclassified_lines
        ));
    }
    let check = check_against_tickers(cap);
    if check.matched < check.checked {
        warnings.push(format!(
            "{}: rebuilt book disagrees with bookTicker at {} of {} check points",
            cap.path.display(),
            check.checked - check.matched,
            check.checked
        ));
    }
    if !check.sequence_issues.is_empty() {
        warnings.push(format!("{}: {} sequence issues", cap.path.display(), check.sequence_issues.len()));
    }
    let mut r = BookReplay::new(cap);
    let first = r.book().clone();
    let tick = first.min_level_gap();
    let mut acc = DepthAccumulator::new(opts.depth_bucket_bps, observed_reach(&first), tick.unwrap_or(0.01));
    acc.add(&first)?;
    let every = (opts.depth_sample_every_s * 1e3).max(1.0) as i64;
    let mut next_sample = r.time_ms() + every;
    let (mut bid, mut ask, mut book_mids) = (Vec::new(), Vec::new(), Vec::new());
    let band = opts.resilience_band_bps;
    let mut push = |r: &BookReplay| {
        bid.push((r.time_ms(), r.book().notional_within(BookSide::Bid, band)));
        ask.push((r.time_ms(), r.book().notional_within(BookSide::Ask, band)));
        if let Some(m) = r.book().mid() {
            book_mids.push((r.time_ms(), m));
        }
    };
    push(&r);
    while let Some(d) = r.peek() {
        // The book just before the first diff at or after a sample time is the book then.
        if d.time_ms >= next_sample {
            // Every sample time up to this diff sees the same book: add it once with that
            // count (a loop per sample time hung on a capture with one far-future diff).
            let times = (d.time_ms - next_sample) / every + 1;
            if r.book().mid().is_some() {
                acc.add_times(r.book(), times as usize)?;
            }
            next_sample += times * every;
        }
        r.step();
        push(&r);
    }
    let depth = acc.finish(opts.depth_reach_bps)?;
    let mids = if cap.tickers.is_empty() {
        (Series::from_pairs(book_mids), "rebuilt book mid".to_string())
    } else {
        (cap.ticker_mids(), "bookTicker mid".to_string())
    };
    let lot = cap
        .trades
        .iter()
        .map(|t| t.qty)
        .chain(first.bids.values().copied())
        .chain(first.asks.values().copied())
        .filter(|&q| q > 0.0)
        .min_by(f64::total_cmp);
    Ok(Gathered {
        mids: (!mids.0.is_empty()).then_some(mids),
        trades: cap.trades.clone(),
        depth: Some(depth),
        depth_series: Some((Series::from_pairs(bid), Series::from_pairs(ask))),
        book_check: Some(check),
        tick,
        lot,
    })
}

/// Runs the estimators on one market's material; what cannot be estimated becomes a warning.
fn estimate_market(
    symbol: String,
    g: Gathered,
    opts: &CalibOptions,
    warnings: &mut Vec<String>,
) -> MarketCalibration {
    let mut warn = |what: &str, e: CalibError| warnings.push(format!("{symbol}: {what}: {e}"));
    let mut m = MarketCalibration {
        symbol: symbol.clone(),
        tick_size: g.tick,
        lot_size: g.lot,
        trades: g.trades.len(),
        depth: g.depth,
        book_check: g.book_check,
        ..Default::default()
    };
    let Some((mids, source)) = g.mids else {
        warn("prices", CalibError::estimate("prices", "no price series (no tickers, trades or price path)"));
        return m;
    };
    m.price_source = source;
    m.last_price = mids.values.last().copied().unwrap_or(f64::NAN);
    let t_span = |v: &[i64]| v.first().zip(v.last()).map(|(a, b)| (*a, *b));
    let trade_times: Vec<i64> = g.trades.iter().map(|t| t.time_ms).collect();
    let (a, b) = t_span(&mids.times_ms).unwrap_or((0, 0));
    m.span_ms = t_span(&trade_times).map(|(c, d)| (a.min(c), b.max(d))).unwrap_or((a, b));
    m.volatility = estimate_volatility(&mids, &opts.vol_intervals_s).map_err(|e| warn("volatility", e)).ok();
    m.volume_usd = g.trades.iter().map(|t| t.price * t.qty).sum();
    let span_s = (m.span_ms.1 - m.span_ms.0) as f64 / 1e3;
    if span_s > 0.0 {
        m.daily_volume_usd = m.volume_usd * 86_400.0 / span_s;
    }
    if g.trades.is_empty() {
        return m;
    }
    let windows = impact_windows(&g.trades, &mids, &opts.impact_windows_s, opts.block_s);
    if let Some(v) = &m.volatility {
        let sigma = v.daily_vol_tsrv;
        m.impact = fit_impact_law(&windows, sigma, m.daily_volume_usd, &opts.impact)
            .map_err(|e| warn("impact law", e))
            .ok();
    }
    let kyle_w = impact_windows(&g.trades, &mids, &[opts.kyle_window_s], opts.block_s);
    m.kyle = kyle_lambda(&kyle_w, opts.kyle_window_s).map_err(|e| warn("Kyle λ", e)).ok();
    if let Some((bid, ask)) = &g.depth_series {
        let orders = taker_orders(&g.trades);
        m.resilience =
            fit_resilience(&orders, bid, ask, &opts.resilience).map_err(|e| warn("resilience", e)).ok();
        // Relaxation time of total near-mid depth (both sides), 100-ms grid, lags to 30 s.
        let both = Series::from_pairs(
            bid.times_ms
                .iter()
                .zip(bid.values.iter().zip(&ask.values))
                .map(|(&t, (b, a))| (t, b + a))
                .collect(),
        );
        let lags = [0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0];
        match crate::resilience::depth_relaxation_time(&both, 100, &lags) {
            Ok((tau, _)) => {
                if let Some(r) = m.resilience.as_mut() {
                    r.relaxation_tau_s = Some(tau);
                }
                m.depth_relaxation_tau_s = Some(tau);
            }
            Err(e) => warn("depth relaxation", e),
        }
    }
    m
}

fn liquidation_stats(v: &[ForceOrder]) -> LiquidationStats {
    let notional: f64 = v.iter().map(|o| o.usd_size).sum();
    let sells: f64 = v.iter().filter(|o| o.sell).map(|o| o.usd_size).sum();
    let mut by: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    let mut minutes: BTreeMap<i64, usize> = BTreeMap::new();
    for o in v {
        let e = by.entry(&o.symbol).or_default();
        e.0 += 1;
        e.1 += o.usd_size;
        *minutes.entry(o.time_ms.div_euclid(60_000) * 60_000).or_default() += 1;
    }
    let mut by_symbol: Vec<(String, usize, f64)> =
        by.into_iter().map(|(s, (n, u))| (s.to_string(), n, u)).collect();
    by_symbol.sort_by(|a, b| b.2.total_cmp(&a.2));
    let counts: Vec<f64> = minutes.values().map(|&c| c as f64).collect();
    let mean = counts.iter().sum::<f64>() / counts.len().max(1) as f64;
    let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / counts.len().max(1) as f64;
    let peak = minutes.iter().max_by_key(|(_, &c)| c).map(|(&t, &c)| (t, c)).unwrap_or((0, 0));
    LiquidationStats {
        orders: v.len(),
        notional_usd: notional,
        long_share: if notional > 0.0 { sells / notional } else { 0.0 },
        by_symbol,
        peak_minute: peak,
        fano_per_minute: if mean > 0.0 { var / mean } else { 0.0 },
    }
}
