//! A position population inferred from public data — the method behind public liquidation heat
//! maps, made explicit and testable.
//!
//! Inputs: klines (price, volume, taker-buy volume per candle) and an open-interest series.
//! Method, per open-interest interval (t_{k−1}, t_k]:
//! 1. ΔOI = OI_k − OI_{k−1} (base units).
//! 2. ΔOI > 0 — *placement*: the added open interest is spread over the klines opened in
//!    [t_{k−1}, t_k) in proportion to their volume (equally if none traded; at the last earlier
//!    kline's close if the interval has no kline), each share entering at that kline's VWAP.
//! 3. *Side*: every contract has a long and a short holder. [`SplitRule::BothSides`] places both
//!    (long and short population each equal to OI). The other rules model only the aggressive,
//!    leveraged side of the new open interest — the side liquidation maps are about — and split
//!    ΔOI into longs and shorts: [`SplitRule::TakerBuyRatio`] with the kline's taker-buy share,
//!    [`SplitRule::LongAccountRatio`] with the long account fraction r/(1+r) of the OI row's
//!    long/short account ratio (the kline ratio when the row has none; counted in the report).
//! 4. ΔOI < 0 — *removal*: |ΔOI| is removed from each side (BothSides) or split between sides in
//!    proportion to their open size (other rules), and within a side either oldest lots first
//!    ([`Removal::Fifo`]) or every lot by the same factor ([`Removal::ProRata`]). Removal beyond
//!    what is open is reported as `unmatched_removal`.
//! 5. The open interest at the first row has unknown entry prices; with
//!    `initial_at_first_price` it is placed at the first kline's open (else it is not placed, and
//!    its later removal shows up as `unmatched_removal`).
//! 6. *Leverage*: each open lot becomes one isolated account per bucket of the leverage
//!    distribution, with size × weight and margin = notional at entry / leverage.
//! 7. *Lots*: with `lot_size` set, account sizes are rounded to whole lots (the scenario loader
//!    requires it); the signed rounding residual is reported, and accounts that round to zero
//!    lots are left out and counted with their size (`dust_accounts`, `dust_size`).

use crate::error::CalibError;
use crate::public::{Kline, OiPoint};
use serde::{Deserialize, Serialize};
use std::io::Write;

/// How new open interest is split into longs and shorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitRule {
    BothSides,
    TakerBuyRatio,
    LongAccountRatio,
}

/// Which lots a fall in open interest closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    Fifo,
    ProRata,
}

/// One bucket of the leverage distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LeverageBucket {
    pub leverage: f64,
    pub weight: f64,
}

/// Population options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationOptions {
    pub market: String,
    pub split: SplitRule,
    pub removal: Removal,
    /// Weights must sum to 1.
    pub leverage: Vec<LeverageBucket>,
    pub initial_at_first_price: bool,
    /// Round account sizes to this lot (base units); `None` keeps exact sizes.
    pub lot_size: Option<f64>,
}

impl Default for PopulationOptions {
    fn default() -> Self {
        // An assumed distribution, not a fitted one: weight on 5–20× with a tail to 100×, the
        // shape exchange disclosures and heat-map vendors describe for retail perps.
        let lev = [(2.0, 0.10), (5.0, 0.25), (10.0, 0.30), (20.0, 0.20), (50.0, 0.10), (100.0, 0.05)];
        Self {
            market: "BTCUSDT".into(),
            split: SplitRule::TakerBuyRatio,
            removal: Removal::Fifo,
            leverage: lev.iter().map(|&(leverage, weight)| LeverageBucket { leverage, weight }).collect(),
            initial_at_first_price: true,
            // Binance BTCUSDT stepSize (the default market's).
            lot_size: Some(0.001),
        }
    }
}

/// An open lot: signed size (base units; + long) entered at one price at one time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lot {
    pub opened_ms: i64,
    pub entry_price: f64,
    pub size: f64,
}

/// What the reconstruction did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PopulationReport {
    pub intervals: usize,
    pub oi_added: f64,
    pub oi_removed: f64,
    pub unmatched_removal: f64,
    pub long_open: f64,
    pub short_open: f64,
    /// Intervals where the long/short account ratio was missing and the kline ratio stood in.
    pub ratio_fallbacks: usize,
    /// Σ (rounded − exact) account size, base units (signed: longs +, shorts −).
    pub rounding_residual: f64,
    pub dust_accounts: usize,
    /// Σ |size| of the accounts that rounded to zero lots.
    pub dust_size: f64,
}

/// One row of the accounts CSV of docs/scenario-format.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    pub account: String,
    pub market: String,
    pub size: f64,
    pub entry_price: f64,
    pub mode: String,
    pub margin_usd: f64,
    pub wallet_usd: f64,
    pub collateral: String,
}

/// The reconstructed population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    pub lots: Vec<Lot>,
    pub accounts: Vec<AccountRow>,
    pub report: PopulationReport,
}

fn remove(lots: &mut Vec<Lot>, amount: f64, rule: Removal) -> f64 {
    let open: f64 = lots.iter().map(|l| l.size.abs()).sum();
    if amount >= open {
        lots.clear();
        return amount - open;
    }
    match rule {
        Removal::ProRata => {
            let f = 1.0 - amount / open;
            lots.iter_mut().for_each(|l| l.size *= f);
        }
        Removal::Fifo => {
            let mut left = amount;
            for l in lots.iter_mut() {
                let take = left.min(l.size.abs());
                l.size -= take * l.size.signum();
                left -= take;
                if left <= 0.0 {
                    break;
                }
            }
            lots.retain(|l| l.size != 0.0);
        }
    }
    0.0
}

/// Reconstructs the population; see the module docs for the method.
pub fn build_population(
    klines: &[Kline],
    oi: &[OiPoint],
    opts: &PopulationOptions,
) -> Result<Population, CalibError> {
    if klines.is_empty() || oi.len() < 2 {
        return Err(CalibError::estimate("population", "need ≥ 1 kline and ≥ 2 open-interest rows"));
    }
    let wsum: f64 = opts.leverage.iter().map(|b| b.weight).sum();
    if opts.leverage.is_empty()
        || (wsum - 1.0).abs() > 1e-9
        || opts.leverage.iter().any(|b| !(b.leverage >= 1.0 && b.weight >= 0.0))
    {
        return Err(CalibError::estimate(
            "population",
            format!("leverage buckets need leverage ≥ 1, weight ≥ 0, weights summing to 1 (sum {wsum})"),
        ));
    }
    let both = opts.split == SplitRule::BothSides;
    let (mut longs, mut shorts): (Vec<Lot>, Vec<Lot>) = (Vec::new(), Vec::new());
    let mut rep = PopulationReport::default();
    let place = |longs: &mut Vec<Lot>, shorts: &mut Vec<Lot>, t: i64, price: f64, q: f64, f_long: f64| {
        let (l, s) = if both { (q, q) } else { (q * f_long, q * (1.0 - f_long)) };
        if l > 0.0 {
            longs.push(Lot { opened_ms: t, entry_price: price, size: l });
        }
        if s > 0.0 {
            shorts.push(Lot { opened_ms: t, entry_price: price, size: -s });
        }
    };
    let ratio = |k: &Kline, p: &OiPoint, fallbacks: &mut usize| match opts.split {
        SplitRule::LongAccountRatio => p.long_account_fraction.unwrap_or_else(|| {
            *fallbacks += 1;
            k.taker_buy_ratio()
        }),
        _ => k.taker_buy_ratio(),
    };
    if opts.initial_at_first_price && oi[0].oi_base > 0.0 {
        let k = klines.iter().find(|k| k.open_time_ms >= oi[0].time_ms).unwrap_or(&klines[0]);
        let f = ratio(k, &oi[0], &mut rep.ratio_fallbacks);
        place(&mut longs, &mut shorts, oi[0].time_ms, k.open, oi[0].oi_base, f);
    }
    for w in oi.windows(2) {
        let (p0, p1) = (&w[0], &w[1]);
        rep.intervals += 1;
        let d = p1.oi_base - p0.oi_base;
        if d > 0.0 {
            rep.oi_added += d;
            let inside: Vec<&Kline> = klines
                .iter()
                .filter(|k| k.open_time_ms >= p0.time_ms && k.open_time_ms < p1.time_ms)
                .collect();
            if inside.is_empty() {
                let k = klines.iter().rev().find(|k| k.open_time_ms < p1.time_ms).unwrap_or(&klines[0]);
                let f = ratio(k, p1, &mut rep.ratio_fallbacks);
                place(&mut longs, &mut shorts, p1.time_ms, k.close, d, f);
                continue;
            }
            let vol: f64 = inside.iter().map(|k| k.volume).sum();
            for k in &inside {
                let share = if vol > 0.0 { k.volume / vol } else { 1.0 / inside.len() as f64 };
                let f = ratio(k, p1, &mut rep.ratio_fallbacks);
                place(&mut longs, &mut shorts, k.open_time_ms, k.vwap(), d * share, f);
            }
        } else if d < 0.0 {
            let r = -d;
            rep.oi_removed += r;
            if both {
                rep.unmatched_removal += remove(&mut longs, r, opts.removal);
                rep.unmatched_removal += remove(&mut shorts, r, opts.removal);
            } else {
                let l: f64 = longs.iter().map(|x| x.size).sum();
                let s: f64 = -shorts.iter().map(|x| x.size).sum::<f64>();
                if l + s <= 0.0 {
                    rep.unmatched_removal += r;
                    continue;
                }
                rep.unmatched_removal += remove(&mut longs, r * l / (l + s), opts.removal);
                rep.unmatched_removal += remove(&mut shorts, r * s / (l + s), opts.removal);
            }
        }
    }
    rep.long_open = longs.iter().map(|l| l.size).sum();
    rep.short_open = -shorts.iter().map(|l| l.size).sum::<f64>();
    let mut lots = longs;
    lots.extend(shorts);
    lots.sort_by_key(|l| l.opened_ms);
    let mut accounts = Vec::with_capacity(lots.len() * opts.leverage.len());
    for (i, l) in lots.iter().enumerate() {
        for b in opts.leverage.iter().filter(|b| b.weight > 0.0) {
            let exact = l.size * b.weight;
            let size = match opts.lot_size.filter(|&x| x > 0.0) {
                Some(lot) => (exact / lot).round() * lot,
                None => exact,
            };
            if size == 0.0 {
                rep.dust_accounts += 1;
                rep.dust_size += exact.abs();
                continue;
            }
            rep.rounding_residual += size - exact;
            accounts.push(AccountRow {
                account: format!(
                    "pop-{}-{i}-{}x-{}",
                    opts.market,
                    b.leverage,
                    if l.size > 0.0 { "long" } else { "short" }
                ),
                market: opts.market.clone(),
                size,
                entry_price: l.entry_price,
                mode: "isolated".into(),
                margin_usd: size.abs() * l.entry_price / b.leverage,
                wallet_usd: 0.0,
                collateral: String::new(),
            });
        }
    }
    Ok(Population { lots, accounts, report: rep })
}

/// A number with at most 9 decimals and no trailing zeros (sizes rounded to a lot print as the
/// lot multiple they are, not as 13.063000000000001).
fn short(x: f64) -> String {
    let s = format!("{x:.9}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Writes the accounts CSV (`account,market,size,entry_price,mode,margin_usd,wallet_usd,collateral`).
pub fn write_accounts_csv<W: Write>(out: W, rows: &[AccountRow]) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "account",
        "market",
        "size",
        "entry_price",
        "mode",
        "margin_usd",
        "wallet_usd",
        "collateral",
    ])?;
    for r in rows {
        w.write_record([
            r.account.clone(),
            r.market.clone(),
            short(r.size),
            short(r.entry_price),
            r.mode.clone(),
            format!("{:.6}", r.margin_usd),
            format!("{}", r.wallet_usd),
            r.collateral.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
