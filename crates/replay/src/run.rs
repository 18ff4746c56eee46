//! Loading the window, rebasing the scenario, running the engine and binning per minute.

use crate::error::ReplayError;
use crate::metrics::{compare, Comparison};
use liq_calib::files::{load_binance_trade_tape, load_force_orders, load_price_paths, ForceOrder};
use liq_domain::{BookSpec, Money, Scenario};
use liq_engine::{Cascade, EngineModel, ExoPath, RunOptions};
use liq_stress::paths::{replay_path, PricePath};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader};
use std::path::Path;

/// The recorded inputs of one window, matched to a scenario's markets.
#[derive(Debug, Clone)]
pub struct ReplayData {
    pub window: (i64, i64),
    pub step_s: f64,
    /// Scenario symbols, in scenario order.
    pub symbols: Vec<String>,
    /// First trade price of each market in the window (`None`: no trade, the market stays flat).
    pub first_prices: Vec<Option<f64>>,
    /// Exogenous path relative to the first prices, covering the whole window.
    pub path: ExoPath,
    /// Recorded forceOrder notional (`usd_size`) and counts per market and minute.
    pub rec_notional: Vec<Vec<f64>>,
    pub rec_count: Vec<Vec<u64>>,
    /// forceOrder notional in the window for symbols the scenario does not hold.
    pub rec_unmatched_usd: f64,
}

/// Per-minute series of one symbol, simulated and recorded side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolSeries {
    pub symbol: String,
    /// Window's first trade price (the rebased mark), if the tape has the symbol.
    pub first_price: Option<f64>,
    pub sim_notional_usd: Vec<f64>,
    pub rec_notional_usd: Vec<f64>,
    pub sim_count: Vec<u64>,
    pub rec_count: Vec<u64>,
    pub comparison: Comparison,
}

/// One replay: per-minute series per symbol and summed, and the error measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayReport {
    pub window_start_ms: i64,
    pub window_end_ms: i64,
    pub step_s: f64,
    pub minutes: usize,
    pub accounts: usize,
    pub symbols: Vec<SymbolSeries>,
    /// All symbols summed (symbol `ALL`); its comparison is the headline error measure.
    pub total: SymbolSeries,
    pub rec_unmatched_usd: f64,
    /// Simulated liquidations after the window (rounds run to the fixed point), binned into the
    /// last minute.
    pub sim_after_window_usd: f64,
    /// Present when the population was fitted (see [`crate::fit`]).
    pub fit: Option<crate::fit::FitReport>,
    pub notes: Vec<String>,
}

/// Notes every report carries.
pub const NOTES: [&str; 3] = [
    "Binance's forceOrder stream sends at most one event per symbol per second: recorded counts and notional are a lower bound.",
    "Scenario marks/index prices are rebased to the window's first trade prices; positions' cost bases and margins are scaled by the same ratio, so distances to liquidation are kept.",
    "Error measure: Pearson correlation of per-minute notional, ln(sim/rec totals), RMSE of normalised per-minute shares; lag = cross-correlation argmax (positive = simulation later).",
];

fn minutes(window: (i64, i64)) -> usize {
    ((window.1 - window.0 + 59_999) / 60_000) as usize
}

/// Reads the price source: Binance's trade tape (no header, 7 columns) or a price-path CSV with a
/// header `timestamp,market,price`. Returns `(market, time_ms, price)` time-sorted.
fn load_prices(file: &Path) -> Result<Vec<(String, i64, f64)>, ReplayError> {
    let f = std::fs::File::open(file)
        .map_err(|e| ReplayError::Content { file: file.to_path_buf(), message: e.to_string() })?;
    let mut first = String::new();
    BufReader::new(f)
        .read_line(&mut first)
        .map_err(|e| ReplayError::Content { file: file.to_path_buf(), message: e.to_string() })?;
    let headed = first.split(',').next().is_some_and(|c| c.trim().parse::<f64>().is_err());
    let mut out: Vec<(String, i64, f64)> = if headed {
        load_price_paths(file)?.into_iter().map(|p| (p.market, p.time_ms, p.price)).collect()
    } else {
        load_binance_trade_tape(file)?
            .into_iter()
            .flat_map(|m| m.trades.into_iter().map(move |t| (m.market.clone(), t.time_ms, t.price)))
            .collect()
    };
    out.sort_by_key(|p| p.1);
    Ok(out)
}

impl ReplayData {
    /// Loads the price source (`trades`) and the forceOrder dump for `window = (start_ms,
    /// end_ms)` (start inclusive, end exclusive) and matches symbols to `scenario` (`BTC` and
    /// `BTCUSDT` both match `BTCUSDT`). The path takes, per `step_s` step, the last price at or
    /// before the step's end, relative to the window's first price.
    pub fn load(
        scenario: &Scenario,
        trades: &Path,
        force_orders: &Path,
        window: (i64, i64),
        step_s: f64,
    ) -> Result<ReplayData, ReplayError> {
        if window.1 <= window.0 {
            return Err(ReplayError::config("window", format!("end {} ≤ start {}", window.1, window.0)));
        }
        if !(step_s.is_finite() && step_s > 0.0 && step_s <= 60.0) {
            return Err(ReplayError::config("step_s", format!("must be in (0, 60] seconds, got {step_s}")));
        }
        let symbols: Vec<String> = scenario.markets.iter().map(|m| m.symbol.clone()).collect();
        let n_m = symbols.len();
        let mut rec = PricePath { markets: symbols.clone(), series: vec![Vec::new(); n_m] };
        for (m, t, p) in load_prices(trades)? {
            if t < window.0 || t >= window.1 {
                continue;
            }
            if let Some(id) = scenario.market_by_symbol(&m) {
                rec.series[id.idx()].push(((t - window.0) as f64 / 1e3, p));
            }
        }
        let first_prices: Vec<Option<f64>> = rec.series.iter().map(|s| s.first().map(|x| x.1)).collect();
        if first_prices.iter().all(Option::is_none) {
            let message = format!("no trade of {symbols:?} in window [{}, {}) ms", window.0, window.1);
            return Err(ReplayError::Content { file: trades.to_path_buf(), message });
        }
        // `replay_path` needs a row per listed market: drop empty ones (they stay at 1.0).
        let keep: Vec<usize> = (0..n_m).filter(|&k| !rec.series[k].is_empty()).collect();
        let rec = PricePath {
            markets: keep.iter().map(|&k| symbols[k].clone()).collect(),
            series: keep.iter().map(|&k| rec.series[k].clone()).collect(),
        };
        let mut path = replay_path(&rec, &symbols, step_s)?;
        let steps = ((window.1 - window.0) as f64 / 1e3 / step_s).ceil() as usize;
        path.levels.truncate(steps * n_m);
        while path.n_steps() < steps {
            let last = path.levels[path.levels.len() - n_m..].to_vec();
            path.levels.extend(last);
        }
        let n_min = minutes(window);
        let mut rec_notional = vec![vec![0.0; n_min]; n_m];
        let mut rec_count = vec![vec![0u64; n_min]; n_m];
        let mut rec_unmatched_usd = 0.0;
        let orders: Vec<ForceOrder> = load_force_orders(force_orders)?;
        for o in orders.iter().filter(|o| o.time_ms >= window.0 && o.time_ms < window.1) {
            let Some(id) = scenario.market_by_symbol(&o.symbol) else {
                rec_unmatched_usd += o.usd_size;
                continue;
            };
            let i = ((o.time_ms - window.0) / 60_000) as usize;
            rec_notional[id.idx()][i] += o.usd_size;
            rec_count[id.idx()][i] += 1;
        }
        Ok(ReplayData {
            window,
            step_s,
            symbols,
            first_prices,
            path,
            rec_notional,
            rec_count,
            rec_unmatched_usd,
        })
    }
}

/// The scenario with each market's mark at the window's first price. With ratio `r = first /
/// mark`: mark = first, index × r (the basis is kept), explicit book levels' prices × r and
/// quantities ÷ r (same notional), every position's cost basis and isolated margin × r, and each
/// cross wallet × the notional-weighted r of its positions. Every USD amount of a single-market
/// account scales by r, so its distance to liquidation (a ratio) is unchanged; for multi-market
/// cross accounts it is kept to first order. Risk tiers are by notional and may shift at their
/// edges. Markets without a first price are left as they are.
pub fn rebase(scenario: &Scenario, first_prices: &[Option<f64>]) -> Scenario {
    let mut s = scenario.clone();
    let ratio: Vec<f64> =
        s.markets.iter().zip(first_prices).map(|(m, p)| p.map_or(1.0, |p| p / m.mark_price)).collect();
    for (k, m) in s.markets.iter_mut().enumerate() {
        m.mark_price *= ratio[k];
        m.index_price *= ratio[k];
        if let Some(BookSpec::Levels { bids, asks }) = s.books.get_mut(k) {
            for l in bids.iter_mut().chain(asks.iter_mut()) {
                l.price = (l.price * ratio[k] / m.tick_size).round() * m.tick_size;
                l.qty /= ratio[k];
            }
        }
    }
    let scale = |x: Money, r: f64| Money::from_usd(x.usd() * r);
    for a in &mut s.accounts {
        let (mut w, mut wr) = (0.0, 0.0);
        for p in &mut a.positions {
            let r = ratio[p.market.idx()];
            let n = p.cost.usd().abs();
            p.cost = scale(p.cost, r);
            p.isolated_margin = scale(p.isolated_margin, r);
            if p.isolated_margin.0 == 0 {
                w += n;
                wr += n * r;
            }
        }
        if w > 0.0 {
            a.wallet = scale(a.wallet, wr / w);
        }
    }
    s
}

/// Runs the engine on `scenario` as is (already rebased) over the window's path and bins the
/// result next to the record.
pub fn simulate(scenario: &Scenario, data: &ReplayData) -> Result<ReplayReport, ReplayError> {
    let model = EngineModel::new(scenario)?;
    let opts = RunOptions { keep_paths: false, ..RunOptions::default() };
    let report = Cascade::new(&model).report_path(&model, &data.path, &opts);
    let n_m = data.symbols.len();
    let n_min = minutes(data.window);
    let window_s = (data.window.1 - data.window.0) as f64 / 1e3;
    let mut sim_notional = vec![vec![0.0; n_min]; n_m];
    let mut sim_count = vec![vec![0u64; n_min]; n_m];
    let mut after = 0.0;
    for e in report.outcome.events.iter().filter(|e| e.kind.liquidates()) {
        // Step t moves prices to the window's price at (t + 1)·step, drawn from [t·step,
        // (t + 1)·step): it is binned by its start, `time_s` = t·step.
        if e.time_s >= window_s {
            after += e.notional_usd;
        }
        let i = ((e.time_s / 60.0).floor().max(0.0) as usize).min(n_min - 1);
        let k = e.market as usize;
        sim_notional[k][i] += e.notional_usd;
        sim_count[k][i] += 1;
    }
    let series = |symbol: String, first_price, sn: Vec<f64>, rn: Vec<f64>, sc: Vec<u64>, rc: Vec<u64>| {
        let comparison = compare(&sn, &rn, sc.iter().sum(), rc.iter().sum());
        SymbolSeries {
            symbol,
            first_price,
            sim_notional_usd: sn,
            rec_notional_usd: rn,
            sim_count: sc,
            rec_count: rc,
            comparison,
        }
    };
    let sum_f = |v: &[Vec<f64>]| (0..n_min).map(|i| v.iter().map(|x| x[i]).sum()).collect::<Vec<f64>>();
    let sum_u = |v: &[Vec<u64>]| (0..n_min).map(|i| v.iter().map(|x| x[i]).sum()).collect::<Vec<u64>>();
    let total = series(
        "ALL".into(),
        None,
        sum_f(&sim_notional),
        sum_f(&data.rec_notional),
        sum_u(&sim_count),
        sum_u(&data.rec_count),
    );
    let symbols = (0..n_m)
        .map(|k| {
            series(
                data.symbols[k].clone(),
                data.first_prices[k],
                sim_notional[k].clone(),
                data.rec_notional[k].clone(),
                sim_count[k].clone(),
                data.rec_count[k].clone(),
            )
        })
        .collect();
    let mut notes: Vec<String> = NOTES.iter().map(|s| s.to_string()).collect();
    for (k, p) in data.first_prices.iter().enumerate() {
        if p.is_none() {
            notes.push(format!("{}: no trade in the window; its price is held flat.", data.symbols[k]));
        }
    }
    Ok(ReplayReport {
        window_start_ms: data.window.0,
        window_end_ms: data.window.1,
        step_s: data.step_s,
        minutes: n_min,
        accounts: scenario.accounts.len(),
        symbols,
        total,
        rec_unmatched_usd: data.rec_unmatched_usd,
        sim_after_window_usd: after,
        fit: None,
        notes,
    })
}

/// Replays `window = (start_ms, end_ms)` of the price source `trades` (Binance trade tape, or a
/// `timestamp,market,price` CSV) through `scenario`'s population, rebased to the window's first
/// prices (see [`rebase`]), in steps of `step_s` seconds (≤ 60), and compares the simulated
/// liquidations with the forceOrder dump `force_orders` per minute and symbol.
pub fn replay(
    scenario: &Scenario,
    trades: &Path,
    force_orders: &Path,
    window: (i64, i64),
    step_s: f64,
) -> Result<ReplayReport, ReplayError> {
    let data = ReplayData::load(scenario, trades, force_orders, window, step_s)?;
    simulate(&rebase(scenario, &data.first_prices), &data)
}
