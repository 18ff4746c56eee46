//! Loaders for the public Binance data layouts used to infer a position population: `klines`
//! (data.binance.vision and `GET /fapi/v1/klines`: open_time, open, high, low, close, volume,
//! close_time, quote_volume, count, taker_buy_volume, taker_buy_quote_volume, ignore; header
//! optional) and open interest in three layouts recognised by their header — the daily `metrics`
//! files (create_time, symbol, sum_open_interest, sum_open_interest_value,
//! count_toptrader_long_short_ratio, sum_toptrader_long_short_ratio, count_long_short_ratio,
//! sum_taker_long_short_vol_ratio), `openInterestHist` saved as CSV (symbol, sumOpenInterest,
//! sumOpenInterestValue, timestamp) and a generic `time,open_interest[,open_interest_usd]
//! [,long_short_ratio]`.

use crate::error::CalibError;
use crate::files::{field, Table};
use crate::util::{non_negative, positive, time_ms};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One kline (candle).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Kline {
    pub open_time_ms: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    /// Base volume.
    pub volume: f64,
    pub close_time_ms: i64,
    pub quote_volume: f64,
    pub taker_buy_volume: f64,
}

impl Kline {
    /// Volume-weighted average price of the candle; the typical price (H+L+C)/3 when it traded
    /// nothing.
    pub fn vwap(&self) -> f64 {
        if self.volume > 0.0 && self.quote_volume > 0.0 {
            self.quote_volume / self.volume
        } else {
            (self.high + self.low + self.close) / 3.0
        }
    }

    /// Share of the volume bought by takers, 0.5 when it traded nothing.
    pub fn taker_buy_ratio(&self) -> f64 {
        if self.volume > 0.0 {
            (self.taker_buy_volume / self.volume).clamp(0.0, 1.0)
        } else {
            0.5
        }
    }
}

/// Binance klines CSV (header optional), time-sorted.
pub fn load_klines(path: &Path) -> Result<Vec<Kline>, CalibError> {
    let t = Table::read(path, false)?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (i, (line, r)) in t.rows.iter().enumerate() {
        let l = *line;
        if i == 0 && field(r, 0).eq_ignore_ascii_case("open_time") {
            continue; // data.binance.vision files since 2022 carry a header
        }
        if r.len() < 11 {
            return Err(CalibError::parse(
                path,
                l,
                "row",
                format!("expected ≥ 11 kline columns, got {}", r.len()),
            ));
        }
        let k = Kline {
            open_time_ms: time_ms(path, l, "open_time", field(r, 0))?,
            open: positive(path, l, "open", field(r, 1))?,
            high: positive(path, l, "high", field(r, 2))?,
            low: positive(path, l, "low", field(r, 3))?,
            close: positive(path, l, "close", field(r, 4))?,
            volume: non_negative(path, l, "volume", field(r, 5))?,
            close_time_ms: time_ms(path, l, "close_time", field(r, 6))?,
            quote_volume: non_negative(path, l, "quote_volume", field(r, 7))?,
            taker_buy_volume: non_negative(path, l, "taker_buy_volume", field(r, 9))?,
        };
        if k.high < k.low || k.taker_buy_volume > k.volume * (1.0 + 1e-9) {
            return Err(CalibError::parse(path, l, "high", "high < low or taker buy volume > volume"));
        }
        out.push(k);
    }
    out.sort_by_key(|k| k.open_time_ms);
    Ok(out)
}

/// One open-interest observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OiPoint {
    pub time_ms: i64,
    /// Open interest in base units (contracts of one coin).
    pub oi_base: f64,
    pub oi_usd: Option<f64>,
    /// Fraction of accounts that are net long, from a long/short account ratio r as r/(1+r).
    pub long_account_fraction: Option<f64>,
    /// Taker buy/sell volume ratio, when given.
    pub taker_buy_sell_ratio: Option<f64>,
}

/// Which open-interest layout a file was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OiLayout {
    BinanceMetrics,
    BinanceOpenInterestHist,
    Generic,
}

/// Open interest CSV in any of the three layouts; time-sorted.
pub fn load_open_interest(path: &Path) -> Result<(OiLayout, Vec<OiPoint>), CalibError> {
    let t = Table::read(path, true)?;
    let (layout, ct, co, cu, cr, ctk) = if t.opt_col(&["sum_open_interest"]).is_some() {
        (
            OiLayout::BinanceMetrics,
            t.col(path, &["create_time"])?,
            t.col(path, &["sum_open_interest"])?,
            t.opt_col(&["sum_open_interest_value"]),
            t.opt_col(&["count_long_short_ratio"]),
            t.opt_col(&["sum_taker_long_short_vol_ratio"]),
        )
    } else if t.opt_col(&["sumopeninterest"]).is_some() {
        (
            OiLayout::BinanceOpenInterestHist,
            t.col(path, &["timestamp"])?,
            t.col(path, &["sumopeninterest"])?,
            t.opt_col(&["sumopeninterestvalue"]),
            None,
            None,
        )
    } else {
        (
            OiLayout::Generic,
            t.col(path, &["time", "timestamp", "time_ms", "ts"])?,
            t.col(path, &["open_interest", "oi"]).map_err(|_| {
                CalibError::parse(
                    path,
                    1,
                    "open_interest",
                    format!(
                        "not a known open-interest layout (metrics, openInterestHist, or generic \
                         time,open_interest); header: {}",
                        t.header().join(",")
                    ),
                )
            })?,
            t.opt_col(&["open_interest_usd", "oi_usd", "open_interest_value"]),
            t.opt_col(&["long_short_ratio", "long_short_account_ratio"]),
            t.opt_col(&["taker_buy_sell_ratio"]),
        )
    };
    let optional = |l: usize, name: &str, c: Option<usize>, r: &csv::StringRecord| -> Result<_, CalibError> {
        match c.map(|c| field(r, c)).filter(|s| !s.is_empty()) {
            Some(s) => Ok(Some(non_negative(path, l, name, s)?)),
            None => Ok(None),
        }
    };
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, r) in &t.rows {
        let l = *line;
        let ratio = optional(l, "long_short_ratio", cr, r)?;
        out.push(OiPoint {
            time_ms: time_ms(path, l, "time", field(r, ct))?,
            oi_base: non_negative(path, l, "open_interest", field(r, co))?,
            oi_usd: optional(l, "open_interest_usd", cu, r)?,
            long_account_fraction: ratio.map(|x| x / (1.0 + x)),
            taker_buy_sell_ratio: optional(l, "taker_buy_sell_ratio", ctk, r)?,
        });
    }
    if out.is_empty() {
        return Err(CalibError::content(path, "no open-interest rows"));
    }
    out.sort_by_key(|p| p.time_ms);
    Ok((layout, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn write(name: &str, body: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("liq-calib-public-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn klines_with_and_without_header() {
        let row = "1702939260000,42477.8,42503.4,42470.3,42494.6,226.072,1702939319999,9605297.769,2186,148.93,6327854.2406,0\n";
        let a = load_klines(&write("k1.csv", row)).unwrap();
        let b = load_klines(&write(
            "k2.csv",
            &format!("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n{row}"),
        ))
        .unwrap();
        assert_eq!(a, b);
        // VWAP 9605297.769 / 226.072 = 42487.78…; taker-buy share 148.93 / 226.072 = 0.6588.
        assert!((a[0].vwap() - 42_487.782).abs() < 0.01);
        assert!((a[0].taker_buy_ratio() - 0.658_78).abs() < 1e-4);
        let e = load_klines(&write("k3.csv", "1,2,3\n")).unwrap_err().to_string();
        assert!(e.contains("k3.csv:1: field `row`"), "{e}");
    }

    #[test]
    fn open_interest_layouts() {
        let m = write(
            "m.csv",
            "create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio\n\
             2024-01-01 00:05:00,BTCUSDT,100.5,4200000,1.2,1.1,3.0,0.9\n\
             2024-01-01 00:00:00,BTCUSDT,100,4100000,,,,\n",
        );
        let (l, v) = load_open_interest(&m).unwrap();
        assert_eq!(l, OiLayout::BinanceMetrics);
        assert_eq!(v[0].oi_base, 100.0);
        assert_eq!(v[0].long_account_fraction, None);
        // Ratio 3 long accounts per short → 3/4 of accounts long.
        assert_eq!(v[1].long_account_fraction, Some(0.75));
        assert_eq!(v[1].time_ms - v[0].time_ms, 300_000);
        let h = write("h.csv", "symbol,sumOpenInterest,sumOpenInterestValue,timestamp\nBTCUSDT,20401.36,149940752.14,1583139900000\n");
        assert_eq!(load_open_interest(&h).unwrap().0, OiLayout::BinanceOpenInterestHist);
        let g = write("g.csv", "time,open_interest\n1000,5\n");
        assert_eq!(load_open_interest(&g).unwrap().1[0].oi_base, 5.0);
        let bad = write("b.csv", "time,foo\n1,2\n");
        assert!(load_open_interest(&bad)
            .unwrap_err()
            .to_string()
            .contains("not a known open-interest layout"));
    }
}
