//! The liquidation map: per market, the notional that would be liquidated at each price level —
//! the heat map traders read — first-order and including the cascade.
//!
//! **First-order** (static positions): every margin unit with a position in the market gets
//! its trigger for a move of that market alone ([`UnitView::trigger`]: closed form for isolated
//! positions and one-market cross wallets, bisection over the uniform move of that market for
//! multi-market cross wallets); its position in the market is liquidated there, at notional
//! |size| × trigger price. Longs appear below the mark, shorts above.
//!
//! **Cascade**: the price grid's bin edges are also shock levels; at each edge the engine runs
//! the full cascade with the market alone moved there, and the map records the liquidated
//! notional in every market. Comparing the cumulative first-order curve with the cascade one
//! shows how much the feedback adds at each level.
//!
//! The grid: bins of `bin_width` (relative to the mark) out to ±`range`, with the mark on a bin
//! edge, so each bin lies wholly on the long or the short side.

use crate::contagion::ShockRunner;
use crate::error::NetworkError;
use crate::units::UnitView;
use liq_engine::EngineModel;
use liq_margin::Trigger;
use serde::Serialize;
use std::io::Write;

/// Grid settings.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MapOptions {
    /// Half-width of the grid, relative to the mark (0.2 = ±20%).
    pub range: f64,
    /// Bin width, relative to the mark (0.01 = 1%).
    pub bin_width: f64,
    /// Run the engine at each bin edge (one cascade per edge).
    pub cascade: bool,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions { range: 0.2, bin_width: 0.01, cascade: true }
    }
}

/// One liquidation level: a margin unit's position in the market and where it is liquidated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapLevel {
    pub price: f64,
    pub notional_usd: f64,
    /// `long` (liquidated on the way down) or `short`.
    pub side: &'static str,
    pub account: u32,
}

/// One price bin.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MapBin {
    pub price_lo: f64,
    pub price_hi: f64,
    /// First-order long notional liquidated at a price inside this bin, USD.
    pub long_usd: f64,
    /// First-order short notional liquidated inside this bin, USD.
    pub short_usd: f64,
    /// The bin's far edge from the mark (where the cumulative columns are read).
    pub edge_price: f64,
    /// First-order notional liquidated in this market if the price moves from the mark to the
    /// far edge, USD.
    pub cumulative_first_order_usd: f64,
    /// Engine run with the market moved to the far edge: liquidated notional in this market.
    pub cumulative_cascade_usd: Option<f64>,
    /// The same run: liquidated notional in every market together.
    pub cascade_all_markets_usd: Option<f64>,
    /// The same run: this market's mark at the end of the cascade.
    pub cascade_mark_end: Option<f64>,
}

/// The map of one market.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct LiquidationMap {
    pub market: String,
    pub mark: f64,
    pub options: MapOptions,
    pub bins: Vec<MapBin>,
    /// Every first-order level, ascending by price (includes those outside the grid). Not read
    /// back from a result file (one entry per margin unit; the report keeps the bins).
    #[serde(skip_deserializing)]
    pub levels: Vec<MapLevel>,
    /// First-order notional with triggers below / above the grid, USD.
    pub below_grid_usd: f64,
    pub above_grid_usd: f64,
}

/// Every first-order liquidation level of market `k`, ascending by price.
pub fn first_order_levels(model: &EngineModel, units: &[UnitView], k: usize) -> Vec<MapLevel> {
    let m0 = model.mark0[k];
    let mut out = Vec::new();
    for u in units {
        let q: f64 = u.positions.iter().filter(|p| p.0 == k).map(|p| p.1.abs()).sum();
        if q == 0.0 {
            continue;
        }
        let (price, side) = match u.trigger(model, k, 10.0) {
            // Already under maintenance: it goes at the current mark.
            Trigger::AtOrBelow(p) => (p.min(m0), "long"),
            Trigger::AtOrAbove(p) => (p.max(m0), "short"),
            Trigger::Never => continue,
        };
        out.push(MapLevel { price, notional_usd: q * price, side, account: u.account });
    }
    out.sort_by(|a, b| a.price.total_cmp(&b.price).then(a.account.cmp(&b.account)));
    out
}

/// The liquidation map of market `k`.
pub fn liquidation_map(
    model: &EngineModel,
    units: &[UnitView],
    k: usize,
    opts: &MapOptions,
) -> Result<LiquidationMap, NetworkError> {
    if k >= model.n_markets() {
        return Err(NetworkError::invalid("liquidation map", format!("no market {k}")));
    }
    if !(opts.range > 0.0 && opts.range < 1.0 && opts.bin_width > 0.0 && opts.bin_width <= opts.range) {
        return Err(NetworkError::invalid(
            "liquidation map",
            format!("need 0 < bin_width ≤ range < 1, got range {} bin_width {}", opts.range, opts.bin_width),
        ));
    }
    let m0 = model.mark0[k];
    let half = (opts.range / opts.bin_width).ceil() as i64;
    let edge = |i: i64| m0 * (1.0 + i as f64 * opts.bin_width);
    let levels = first_order_levels(model, units, k);
    let mut bins: Vec<MapBin> = (-half..half)
        .map(|i| {
            let (lo, hi) = (edge(i), edge(i + 1));
            MapBin {
                price_lo: lo,
                price_hi: hi,
                long_usd: 0.0,
                short_usd: 0.0,
                edge_price: if i < 0 { lo } else { hi },
                cumulative_first_order_usd: 0.0,
                cumulative_cascade_usd: None,
                cascade_all_markets_usd: None,
                cascade_mark_end: None,
            }
        })
        .collect();
    let (lo, hi) = (edge(-half), edge(half));
    let (mut below, mut above) = (0.0, 0.0);
    let width = m0 * opts.bin_width;
    for l in &levels {
        if l.price < lo {
            below += l.notional_usd;
            continue;
        }
        if l.price > hi {
            above += l.notional_usd;
            continue;
        }
        // Longs at exactly the mark belong to the bin below it, shorts to the bin above.
        let mut b = ((l.price - lo) / width).floor() as i64;
        if l.side == "long" && l.price >= m0 {
            b = half - 1;
        } else if l.side == "short" && l.price <= m0 {
            b = half;
        }
        let b = b.clamp(0, 2 * half - 1) as usize;
        if l.side == "long" {
            bins[b].long_usd += l.notional_usd;
        } else {
            bins[b].short_usd += l.notional_usd;
        }
    }
    // Cumulative first-order from the mark outwards on each side.
    let mut acc = 0.0;
    for b in bins[..half as usize].iter_mut().rev() {
        acc += b.long_usd;
        b.cumulative_first_order_usd = acc;
    }
    acc = 0.0;
    for b in bins[half as usize..].iter_mut() {
        acc += b.short_usd;
        b.cumulative_first_order_usd = acc;
    }
    if opts.cascade {
        let mut runner = ShockRunner::new(model);
        let mut moves = vec![0.0; model.n_markets()];
        for b in bins.iter_mut() {
            moves[k] = b.edge_price / m0 - 1.0;
            let out = runner.run(model, &moves);
            b.cumulative_cascade_usd = Some(out.markets[k].liquidated_notional_usd);
            b.cascade_all_markets_usd = Some(out.liquidated_notional_usd());
            b.cascade_mark_end = Some(out.markets[k].mark_end);
        }
    }
    Ok(LiquidationMap {
        market: model.markets[k].symbol.clone(),
        mark: m0,
        options: opts.clone(),
        bins,
        levels,
        below_grid_usd: below,
        above_grid_usd: above,
    })
}

/// Writes the bins as CSV (one row per bin; empty cascade columns if the cascade was not run).
pub fn write_liquidation_map_csv(map: &LiquidationMap, w: impl Write) -> Result<(), NetworkError> {
    let mut wr = csv::Writer::from_writer(w);
    let io = |e: csv::Error| NetworkError::invalid("liquidation map csv", e.to_string());
    wr.write_record([
        "market",
        "price_lo",
        "price_hi",
        "long_usd",
        "short_usd",
        "edge_price",
        "cumulative_first_order_usd",
        "cumulative_cascade_usd",
        "cascade_all_markets_usd",
        "cascade_mark_end",
    ])
    .map_err(io)?;
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for b in &map.bins {
        wr.write_record([
            map.market.clone(),
            b.price_lo.to_string(),
            b.price_hi.to_string(),
            b.long_usd.to_string(),
            b.short_usd.to_string(),
            b.edge_price.to_string(),
            b.cumulative_first_order_usd.to_string(),
            opt(b.cumulative_cascade_usd),
            opt(b.cascade_all_markets_usd),
            opt(b.cascade_mark_end),
        ])
        .map_err(io)?;
    }
    wr.flush()?;
    Ok(())
}

/// Writes the whole map (bins and levels) as JSON.
pub fn write_liquidation_map_json(map: &LiquidationMap, w: impl Write) -> Result<(), NetworkError> {
    serde_json::to_writer_pretty(w, map)?;
    Ok(())
}
