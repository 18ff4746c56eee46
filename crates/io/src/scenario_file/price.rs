//! The price-formation sections of a scenario file: `[[spot_markets]]`, `[[index]]`,
//! `[arbitrage]`, `[maker_hedge]`, `[funding]`, `engine.mark` and `shock.book`
//! (docs/scenario-format.md).
//!
//! Validation here names every field: a spot market naming an unknown perp, index weights that
//! do not sum to 1, a negative capacity or latency are refused with file, line and field.

use super::raw::{RawBook, RawEngine, RawScenario, RawShock};
use super::validate::{book_at, Ctx};
use crate::convert::MarketSymbols;
use crate::IoError;
use liq_domain::scenario::asset_key;
use liq_domain::{
    ArbitrageSpec, IndexRule, IndexSpec, MakerHedgeSpec, MarkRule, MarketSpec, PriceFormation,
    SpotMarketSpec, VenueId, VenuePreset, VenueSpec,
};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSpotMarket {
    pub name: String,
    /// The perp market whose asset it trades.
    pub market: String,
    pub tick_size: f64,
    pub lot_size: f64,
    /// Starting price; default the perp market's index price.
    pub price: Option<f64>,
    pub taker_fee_rate: f64,
    pub book: RawBook,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawIndexRule {
    WeightedMean,
    WeightedMedian,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIndex {
    pub market: String,
    /// The venue this index belongs to; omitted = every venue.
    pub venue: Option<String>,
    pub rule: RawIndexRule,
    pub outlier_band: Option<f64>,
    /// Spot market name → weight; the weights sum to 1.
    pub weights: BTreeMap<String, f64>,
}

/// A number for every market, or a map by market symbol.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum PerMarket {
    All(f64),
    Each(BTreeMap<String, f64>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArbitrage {
    pub capacity_usd_per_s: PerMarket,
    pub latency_s: f64,
    pub perp_fee_rate: f64,
    #[serde(default)]
    pub min_edge: f64,
}

/// `[maker_hedge]`: the perp makers' hedge of their inventory on the index's spot books.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMakerHedge {
    pub hedge_ratio: f64,
    pub latency_s: f64,
    pub capacity_usd_per_s: PerMarket,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFunding {
    pub interval_s: Option<f64>,
    pub time_to_next_s: Option<f64>,
    #[serde(default)]
    pub last_rate: BTreeMap<String, f64>,
    /// Funding accrues on time-stepped runs (default false: DESIGN.md "Funding on a path").
    pub accrue: Option<bool>,
    /// Largest |rate| per payment, replacing the venue's published cap (fraction, in [0, 1]).
    pub cap: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "rule", rename_all = "snake_case")]
pub(crate) enum RawMark {
    Venue,
    Blend { book_weight: f64 },
    MedianOfThree { basis_window_s: f64 },
    Hyperliquid { ema_s: f64, fallback_ema_s: f64 },
    Oracle,
}

/// `engine.mark`, default the venue's published rule.
pub(crate) fn mark_rule(ctx: &Ctx, e: &RawEngine) -> Result<MarkRule, IoError> {
    if e.mark_book_weight.is_some() {
        return Err(ctx.err(
            "engine.mark_book_weight",
            "replaced by the venue's published mark rule; a custom blend is \
             `mark = { rule = \"blend\", book_weight = … }`",
        ));
    }
    mark_rule_of(ctx, "engine.mark", e.mark.as_ref())
}

/// A mark rule at field `p` (`engine.mark`, `venues[1].mark`), default the venue's published rule.
pub(crate) fn mark_rule_of(ctx: &Ctx, p: &str, mark: Option<&RawMark>) -> Result<MarkRule, IoError> {
    Ok(match mark {
        None | Some(RawMark::Venue) => MarkRule::Venue,
        Some(RawMark::Blend { book_weight: w }) => {
            if !(w.is_finite() && (0.0..=1.0).contains(w)) {
                return Err(ctx.err(format!("{p}.book_weight"), format!("must be in [0, 1], got {w}")));
            }
            MarkRule::Blend { book_weight: *w }
        }
        Some(RawMark::MedianOfThree { basis_window_s: w }) => {
            positive_in(ctx, &format!("{p}.basis_window_s"), *w, 86_400.0)?;
            MarkRule::MedianOfThree { basis_window_s: *w }
        }
        Some(RawMark::Hyperliquid { ema_s, fallback_ema_s }) => {
            positive_in(ctx, &format!("{p}.ema_s"), *ema_s, 86_400.0)?;
            positive_in(ctx, &format!("{p}.fallback_ema_s"), *fallback_ema_s, 86_400.0)?;
            MarkRule::Hyperliquid { ema_s: *ema_s, fallback_ema_s: *fallback_ema_s }
        }
        Some(RawMark::Oracle) => MarkRule::Oracle,
    })
}

fn positive_in(ctx: &Ctx, field: &str, v: f64, max: f64) -> Result<f64, IoError> {
    if v.is_finite() && v > 0.0 && v <= max {
        Ok(v)
    } else {
        Err(ctx.err(field, format!("must be in (0, {max}], got {v}")))
    }
}

fn non_negative_in(ctx: &Ctx, field: &str, v: f64, max: f64) -> Result<f64, IoError> {
    if v.is_finite() && (0.0..=max).contains(&v) {
        Ok(v)
    } else {
        Err(ctx.err(field, format!("must be in [0, {max}], got {v}")))
    }
}

/// `shock.book`: USD of market flow per perp market (negative = sell).
pub(crate) fn book_shock(
    ctx: &Ctx,
    raw: &RawShock,
    symbols: &MarketSymbols,
    n_m: usize,
) -> Result<Vec<f64>, IoError> {
    let Some(map) = &raw.book else { return Ok(Vec::new()) };
    let mut out = vec![0.0; n_m];
    for (sym, &usd) in map {
        let f = format!("shock.book.{sym}");
        let k = symbols.resolve(sym).map_err(|m| ctx.err(&f, m))?.idx();
        // 1e12 USD: more than the open interest of every perp market together.
        if !(usd.is_finite() && usd.abs() <= 1e12) {
            return Err(ctx.err(&f, format!("must be a USD amount within ±1e12, got {usd}")));
        }
        out[k] = usd;
    }
    Ok(out)
}

/// The price-formation sections, validated.
pub(crate) fn price_formation(
    ctx: &Ctx,
    raw: &RawScenario,
    venue: VenuePreset,
    markets: &[MarketSpec],
    symbols: &MarketSymbols,
    multi: Option<(&[VenueSpec], &[VenueId])>,
) -> Result<PriceFormation, IoError> {
    let n_m = markets.len();
    let mut pf = PriceFormation::static_index(n_m);
    pf.funding.interval_s = liq_margin::mark::venue_funding_interval_s(venue);
    pf.funding.time_to_next_s = pf.funding.interval_s / 2.0;
    for (j, s) in raw.spot_markets.iter().enumerate() {
        let p = format!("spot_markets[{j}]");
        if s.name.trim().is_empty() {
            return Err(ctx.err(format!("{p}.name"), "must not be empty"));
        }
        if let Some(i) = pf.spot.iter().position(|o| o.name.eq_ignore_ascii_case(s.name.trim())) {
            return Err(
                ctx.err(format!("{p}.name"), format!("duplicate: spot_markets[{i}] is also {}", s.name))
            );
        }
        // With several venues a bare asset names its market on each: the first is the spot
        // market's reference (its exogenous move moves this book).
        let k = symbols.resolve_all(&s.market).map_err(|m| ctx.err(format!("{p}.market"), m))?[0].idx();
        let price = s.price.unwrap_or(markets[k].index_price);
        positive_in(ctx, &format!("{p}.price"), price, 1e12)?;
        positive_in(ctx, &format!("{p}.tick_size"), s.tick_size, 1e9)?;
        positive_in(ctx, &format!("{p}.lot_size"), s.lot_size, 1e9)?;
        non_negative_in(ctx, &format!("{p}.taker_fee_rate"), s.taker_fee_rate, 0.1)?;
        let mpt = s.tick_size * s.lot_size * 1e6;
        if !(mpt >= 1.0 && (mpt - mpt.round()).abs() < 1e-6 && mpt < 1e15) {
            return Err(ctx.err(
                format!("{p}.lot_size"),
                format!("tick × lot × 1e6 = {mpt} must be a whole number ≥ 1 of micro-USD"),
            ));
        }
        let spec = MarketSpec {
            symbol: s.name.clone(),
            tick_size: s.tick_size,
            lot_size: s.lot_size,
            index_price: price,
            mark_price: price,
            ..markets[k].clone()
        };
        let book = book_at(ctx, &format!("{p}.book"), &s.book, &spec)?;
        pf.spot.push(SpotMarketSpec {
            name: s.name.trim().to_string(),
            perp_market: k,
            tick_size: s.tick_size,
            lot_size: s.lot_size,
            price,
            taker_fee_rate: s.taker_fee_rate,
            book,
        });
    }
    // Indices: venue-specific entries per venue, and the ones for every venue.
    let mut generic: Vec<Option<IndexSpec>> = vec![None; n_m];
    let mut by_venue: Vec<(VenuePreset, Vec<Option<IndexSpec>>)> = Vec::new();
    let mut multi_own: Vec<Option<IndexSpec>> = vec![None; n_m];
    for (i, ix) in raw.index.iter().enumerate() {
        let p = format!("index[{i}]");
        // With several venues the entry may name a market listed on each: resolved below.
        let k = match multi {
            Some(_) => {
                symbols.resolve_all(&ix.market).map_err(|m| ctx.err(format!("{p}.market"), m))?[0].idx()
            }
            None => symbols.resolve(&ix.market).map_err(|m| ctx.err(format!("{p}.market"), m))?.idx(),
        };
        let rule = match ix.rule {
            RawIndexRule::WeightedMedian => {
                if ix.outlier_band.is_some() {
                    return Err(
                        ctx.err(format!("{p}.outlier_band"), "applies to rule = \"weighted_mean\" only")
                    );
                }
                IndexRule::WeightedMedian
            }
            RawIndexRule::WeightedMean => {
                if let Some(b) = ix.outlier_band {
                    positive_in(ctx, &format!("{p}.outlier_band"), b, 1.0)?;
                }
                IndexRule::WeightedMean { outlier_band: ix.outlier_band }
            }
        };
        if ix.weights.is_empty() {
            return Err(ctx.err(format!("{p}.weights"), "an index needs at least one constituent"));
        }
        let mut constituents = Vec::with_capacity(ix.weights.len());
        let mut sum = 0.0;
        for (name, &w) in &ix.weights {
            let f = format!("{p}.weights.{name}");
            let j =
                pf.spot.iter().position(|s| s.name.eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
                    ctx.err(&f, format!("unknown spot market \"{name}\" (give it in [[spot_markets]])"))
                })?;
            let same_asset = pf.spot[j].perp_market == k
                || (multi.is_some()
                    && asset_key(&markets[pf.spot[j].perp_market].symbol) == asset_key(&markets[k].symbol));
            if !same_asset {
                return Err(ctx.err(&f, format!("{name} does not trade {}'s asset", markets[k].symbol)));
            }
            positive_in(ctx, &f, w, 1.0)?;
            sum += w;
            constituents.push((j, w));
        }
        if (sum - 1.0).abs() > 1e-9 {
            return Err(ctx.err(
                format!("{p}.weights"),
                format!("weights sum to {}, not 1", (sum * 1e9).round() / 1e9),
            ));
        }
        let spec = IndexSpec { rule, constituents };
        if let Some((venues, market_venue)) = multi {
            // Several venues: the entry applies to the market it names on every venue, or on
            // the venue it names (by name or preset); a venue's own entry wins over a generic one.
            let targets = symbols.resolve_all(&ix.market).map_err(|m| ctx.err(format!("{p}.market"), m))?;
            let only = match &ix.venue {
                None => None,
                Some(v) => {
                    let hits: Vec<usize> = (0..venues.len())
                        .filter(|&i| {
                            venues[i].name.eq_ignore_ascii_case(v.trim())
                                || venues[i].preset.name().eq_ignore_ascii_case(v.trim())
                        })
                        .collect();
                    if hits.is_empty() {
                        let names: Vec<&str> = venues.iter().map(|x| x.name.as_str()).collect();
                        return Err(ctx.err(
                            format!("{p}.venue"),
                            format!("unknown venue \"{v}\" (venues: {})", names.join(", ")),
                        ));
                    }
                    Some(hits)
                }
            };
            for t in targets {
                let kt = t.idx();
                let vt = market_venue[kt].idx();
                if only.as_ref().is_some_and(|h| !h.contains(&vt)) {
                    continue;
                }
                // The constituents must trade this market's asset too.
                if let Some(&(j, _)) = spec.constituents.iter().find(|&&(j, _)| {
                    asset_key(&markets[pf.spot[j].perp_market].symbol) != asset_key(&markets[kt].symbol)
                }) {
                    return Err(ctx.err(
                        format!("{p}.weights.{}", pf.spot[j].name),
                        format!("{} does not trade {}'s asset", pf.spot[j].name, markets[kt].symbol),
                    ));
                }
                let slot = if only.is_some() { &mut multi_own[kt] } else { &mut generic[kt] };
                if slot.is_some() {
                    return Err(ctx.err(
                        &p,
                        format!("a second index for {} on {}", markets[kt].symbol, venues[vt].name),
                    ));
                }
                *slot = Some(spec.clone());
            }
            continue;
        }
        match &ix.venue {
            None => {
                if generic[k].is_some() {
                    return Err(
                        ctx.err(&p, format!("a second index for {} without a venue", markets[k].symbol))
                    );
                }
                generic[k] = Some(spec);
            }
            Some(v) => {
                let v = VenuePreset::parse(v)
                    .ok_or_else(|| ctx.err(format!("{p}.venue"), format!("unknown venue \"{v}\"")))?;
                let slot = match by_venue.iter().position(|(x, _)| *x == v) {
                    Some(i) => i,
                    None => {
                        by_venue.push((v, vec![None; n_m]));
                        by_venue.len() - 1
                    }
                };
                if by_venue[slot].1[k].is_some() {
                    return Err(ctx.err(&p, format!("a second {} index for {}", v.name(), markets[k].symbol)));
                }
                by_venue[slot].1[k] = Some(spec);
            }
        }
    }
    for (_, ix) in by_venue.iter_mut() {
        for k in 0..n_m {
            if ix[k].is_none() {
                ix[k] = generic[k].clone();
            }
        }
    }
    pf.index = if multi.is_some() {
        multi_own.into_iter().zip(generic).map(|(own, g)| own.or(g)).collect()
    } else {
        by_venue.into_iter().find(|(v, _)| *v == venue).map(|(_, ix)| ix).unwrap_or(generic)
    };
    if let Some(a) = &raw.arbitrage {
        let latency = non_negative_in(ctx, "arbitrage.latency_s", a.latency_s, 3600.0)?;
        let fee = non_negative_in(ctx, "arbitrage.perp_fee_rate", a.perp_fee_rate, 0.1)?;
        let edge = non_negative_in(ctx, "arbitrage.min_edge", a.min_edge, 0.5)?;
        // 1e12 USD/s: beyond any market; a bound so a typo cannot size the quotes absurdly.
        let cap = |f: &str, v: f64| non_negative_in(ctx, f, v, 1e12);
        let caps: Vec<f64> = match &a.capacity_usd_per_s {
            PerMarket::All(v) => vec![cap("arbitrage.capacity_usd_per_s", *v)?; n_m],
            PerMarket::Each(map) => {
                let mut v = vec![0.0; n_m];
                for (sym, &c) in map {
                    let f = format!("arbitrage.capacity_usd_per_s.{sym}");
                    for k in symbols.resolve_all(sym).map_err(|m| ctx.err(&f, m))? {
                        v[k.idx()] = cap(&f, c)?;
                    }
                }
                v
            }
        };
        pf.arbitrage = caps
            .into_iter()
            .map(|c| ArbitrageSpec {
                capacity_usd_per_s: c,
                latency_s: latency,
                perp_fee_rate: fee,
                min_edge: edge,
            })
            .collect();
    }
    if let Some(f) = &raw.funding {
        if let Some(i) = f.interval_s {
            pf.funding.interval_s = positive_in(ctx, "funding.interval_s", i, 7.0 * 86_400.0)?;
        }
        pf.funding.time_to_next_s = pf.funding.interval_s / 2.0;
        if let Some(t) = f.time_to_next_s {
            pf.funding.time_to_next_s =
                non_negative_in(ctx, "funding.time_to_next_s", t, pf.funding.interval_s)?;
        }
        for (sym, &r) in &f.last_rate {
            let fld = format!("funding.last_rate.{sym}");
            let ks = symbols.resolve_all(sym).map_err(|m| ctx.err(&fld, m))?;
            if !(r.is_finite() && r.abs() <= 0.1) {
                return Err(ctx.err(&fld, format!("must be a rate within ±0.1 per interval, got {r}")));
            }
            for k in ks {
                pf.last_funding_rate[k.idx()] = r;
            }
        }
        pf.funding.accrue = f.accrue.unwrap_or(false);
        if pf.funding.accrue && pf.funding.interval_s < liq_margin::funding::MIN_ACCRUAL_INTERVAL_S {
            return Err(ctx.err(
                "funding.interval_s",
                format!(
                    "with accrue = true must be at least {} s (each funding time settles every position), got {}",
                    liq_margin::funding::MIN_ACCRUAL_INTERVAL_S,
                    pf.funding.interval_s
                ),
            ));
        }
        if let Some(c) = f.cap {
            // A cap of 1 (100% of notional per payment) is beyond any venue's; a negative cap is
            // refused rather than read as "no cap".
            pf.funding.cap = Some(non_negative_in(ctx, "funding.cap", c, 1.0)?);
        }
    }
    if let Some(h) = &raw.maker_hedge {
        pf.maker_hedge = maker_hedge(ctx, h, symbols, n_m)?;
    }
    Ok(pf)
}

/// `[maker_hedge]`, validated: a ratio in [0, 1] (hedging more than the inventory would be a
/// position of their own), a latency up to an hour, a capacity per market.
fn maker_hedge(
    ctx: &Ctx,
    h: &RawMakerHedge,
    symbols: &MarketSymbols,
    n_m: usize,
) -> Result<Vec<MakerHedgeSpec>, IoError> {
    let ratio = non_negative_in(ctx, "maker_hedge.hedge_ratio", h.hedge_ratio, 1.0)?;
    let latency = non_negative_in(ctx, "maker_hedge.latency_s", h.latency_s, 3600.0)?;
    // The same bound as the arbitrageurs' capacity: beyond any market.
    let cap = |f: &str, v: f64| non_negative_in(ctx, f, v, 1e12);
    let caps: Vec<f64> = match &h.capacity_usd_per_s {
        PerMarket::All(v) => vec![cap("maker_hedge.capacity_usd_per_s", *v)?; n_m],
        PerMarket::Each(map) => {
            let mut v = vec![0.0; n_m];
            for (sym, &c) in map {
                let f = format!("maker_hedge.capacity_usd_per_s.{sym}");
                for k in symbols.resolve_all(sym).map_err(|m| ctx.err(&f, m))? {
                    v[k.idx()] = cap(&f, c)?;
                }
            }
            v
        }
    };
    Ok(caps
        .into_iter()
        .map(|c| MakerHedgeSpec { hedge_ratio: ratio, latency_s: latency, capacity_usd_per_s: c })
        .collect())
}
