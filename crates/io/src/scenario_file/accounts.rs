//! Collateral assets and inline `[[accounts]]`: symbols resolved, positions converted exactly.
//!
//! Collateral is stored sorted by asset index, so an account reads the same whatever order its
//! file listed the assets in (and hashes the same from TOML, JSON or CSV).

use super::raw::{RawAccount, RawAsset};
use super::validate::Ctx;
use crate::convert::{self, MarketSymbols};
use crate::IoError;
use liq_domain::{Account, AssetPrice, AssetSpec, Collateral, MarketSpec};
use std::collections::{BTreeMap, HashSet};

pub(crate) fn assets(
    ctx: &Ctx,
    raw: &[RawAsset],
    symbols: &MarketSymbols,
) -> Result<Vec<AssetSpec>, IoError> {
    if raw.len() > u16::MAX as usize {
        return Err(ctx.err("assets", format!("{} assets; at most {} are supported", raw.len(), u16::MAX)));
    }
    let mut out: Vec<AssetSpec> = Vec::with_capacity(raw.len());
    for (i, a) in raw.iter().enumerate() {
        let p = format!("assets[{i}]");
        let symbol = a.symbol.trim().to_string();
        if symbol.is_empty() {
            return Err(ctx.err(format!("{p}.symbol"), "must not be empty"));
        }
        if out.iter().any(|o| o.symbol.eq_ignore_ascii_case(&symbol)) {
            return Err(ctx.err(format!("{p}.symbol"), format!("duplicate asset {symbol}")));
        }
        let price = match (&a.market, a.price) {
            (Some(m), None) => {
                AssetPrice::Market(symbols.resolve(m).map_err(|e| ctx.err(format!("{p}.market"), e))?)
            }
            (None, Some(px)) => {
                if !(px.is_finite() && px > 0.0) {
                    return Err(
                        ctx.err(format!("{p}.price"), format!("must be a positive finite price, got {px}"))
                    );
                }
                AssetPrice::Fixed(px)
            }
            _ => return Err(ctx.err(&p, "give exactly one of market (priced at its mark) or price (fixed)")),
        };
        let h = a.haircut.unwrap_or(0.0);
        if !(h.is_finite() && (0.0..1.0).contains(&h)) {
            return Err(ctx.err(format!("{p}.haircut"), format!("must be in [0, 1), got {h}")));
        }
        out.push(AssetSpec { symbol, price, haircut: h });
    }
    Ok(out)
}

/// Collateral quantities by symbol → `Collateral`s sorted by asset. Errors are `(symbol,
/// message)`; the caller names the field (`accounts[3].collateral.BTC`).
fn collateral(
    map: &BTreeMap<String, f64>,
    assets: &[AssetSpec],
) -> Result<Vec<Collateral>, (String, String)> {
    let mut out: Vec<Collateral> = Vec::with_capacity(map.len());
    for (sym, &qty) in map {
        let asset = convert::resolve_asset(assets, sym).map_err(|e| (sym.clone(), e))?;
        if !(qty.is_finite() && qty >= 0.0) {
            return Err((
                sym.clone(),
                format!("collateral must be a non-negative finite quantity, got {qty}"),
            ));
        }
        if out.iter().any(|c| c.asset == asset) {
            return Err((sym.clone(), format!("asset {} listed twice", assets[asset.idx()].symbol)));
        }
        out.push(Collateral { asset, qty });
    }
    out.sort_by_key(|c| c.asset);
    Ok(out)
}

/// A USD cross-wallet balance. Negative balances are allowed (volatile collateral may back a
/// USD debt, as in Binance's Multi-Assets mode); only non-finite values are errors.
pub(crate) fn wallet(v: f64) -> Result<liq_domain::Money, String> {
    convert::usd(v, "wallet")
}

pub(crate) fn accounts(
    ctx: &Ctx,
    raw: &[RawAccount],
    markets: &[MarketSpec],
    symbols: &MarketSymbols,
    assets: &[AssetSpec],
) -> Result<Vec<Account>, IoError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut ids: HashSet<&str> = HashSet::with_capacity(raw.len());
    for (i, a) in raw.iter().enumerate() {
        let p = format!("accounts[{i}]");
        if a.id.trim().is_empty() {
            return Err(ctx.err(format!("{p}.id"), "must not be empty"));
        }
        if !ids.insert(a.id.as_str()) {
            return Err(ctx.err(format!("{p}.id"), format!("duplicate account id \"{}\"", a.id)));
        }
        let wallet = wallet(a.wallet_usd).map_err(|e| ctx.err(format!("{p}.wallet_usd"), e))?;
        let collateral = collateral(&a.collateral, assets)
            .map_err(|(sym, e)| ctx.err(format!("{p}.collateral.{sym}"), e))?;
        let mut positions = Vec::with_capacity(a.positions.len());
        for (k, r) in a.positions.iter().enumerate() {
            let q = format!("{p}.positions[{k}]");
            let id = symbols.resolve(&r.market).map_err(|e| ctx.err(format!("{q}.market"), e))?;
            // One position per account and market (a venue's one-way mode), as in the accounts
            // CSV: a second entry is an error, never summed.
            if let Some(j) = positions.iter().position(|p: &liq_domain::Position| p.market == id) {
                return Err(ctx.err(
                    format!("{q}.market"),
                    format!(
                        "{p}.positions[{j}] is already in {}: one position per market",
                        markets[id.idx()].symbol
                    ),
                ));
            }
            let pos = convert::position(&markets[id.idx()], id, r.size, r.entry_price, r.mode, r.margin_usd)
                .map_err(|(f, e)| ctx.err(format!("{q}.{f}"), e))?;
            positions.push(pos);
        }
        out.push(Account { label: a.id.clone(), wallet, collateral, positions });
    }
    Ok(out)
}
