//! From the raw file to a validated `liq_domain::Scenario`.
//!
//! Validation runs in dependency order (markets, then what refers to markets: impact, books,
//! assets, shock, accounts, CSV, population) and stops at the first error, naming it by field
//! path; [`Ctx::err`] turns the path into a line. Values that the domain types validate
//! themselves (ladders, market scalars) are checked there and only re-labelled here, so a rule
//! lives in one place.

use super::raw::{RawBook, RawMarket, RawModel, RawScenario, RawShock, RawTiers};
use crate::convert::MarketSymbols;
use crate::{locate, Format, IoError};
use liq_domain::{
    AssetSpec, BookSpec, DepthProfile, DomainError, EngineConfig, ImpactConfig, ImpactKind, L2Level,
    MarketSpec, RiskLadder, RiskTier, Scenario, Shock, SquareRootParams, VenuePreset, WithdrawalConfig,
};
use std::path::Path;

/// Where the text came from, to turn a field path into an error with a line.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub format: Format,
}

impl Ctx<'_> {
    pub fn err(&self, field: impl Into<String>, message: impl Into<String>) -> IoError {
        let field = field.into();
        let (line, column) = match locate::locate(self.text, self.format, &field) {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        IoError::Invalid { file: self.file.to_path_buf(), line, column, field, message: message.into() }
    }

    /// A domain error raised for something under `prefix` (`markets[1].` + `tiers[2].mmr`).
    pub fn domain(&self, prefix: &str, e: DomainError) -> IoError {
        self.err(format!("{prefix}{}", e.field), e.message)
    }
}

fn finite(ctx: &Ctx, field: &str, v: f64) -> Result<f64, IoError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(ctx.err(field, format!("must be a finite number, got {v}")))
    }
}

fn positive(ctx: &Ctx, field: &str, v: f64) -> Result<f64, IoError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ctx.err(field, format!("must be a positive finite number, got {v}")))
    }
}

/// Validates everything; accounts from `accounts_csv` and `[population]` are appended by the
/// caller through the two hooks so this module stays free of file I/O.
///
/// `venue_override` (the CLI's `--venue`) replaces the file's `venue` before anything depends on
/// it, so markets whose tiers are `"preset"` (or omitted) take the override's tables.
pub(crate) fn validate(
    raw: RawScenario,
    ctx: &Ctx,
    venue_override: Option<VenuePreset>,
    read_file: impl Fn(&str, &str, &[MarketSpec], &[AssetSpec]) -> Result<Vec<liq_domain::Account>, IoError>,
    read_options: impl FnOnce(&str, &[MarketSpec]) -> Result<Vec<liq_domain::OptionOpenInterest>, IoError>,
) -> Result<Scenario, IoError> {
    if raw.name.trim().is_empty() {
        return Err(ctx.err("name", "must not be empty"));
    }
    let venue_specs =
        if raw.venues.is_empty() { Vec::new() } else { super::venues::venues(ctx, &raw, venue_override)? };
    let venue = match (&raw.venue, venue_specs.first()) {
        (_, Some(first)) => first.preset,
        (Some(v), None) => {
            let venue = VenuePreset::parse(v).ok_or_else(|| {
                if crate::is_lending_venue(v) {
                    return ctx.err(
                        "venue",
                        format!(
                            "{v} is a lending venue: its file has [[reserves]] and [[borrowers]], not [[markets]] \
                             (docs/scenario-format.md \"Lending books\", examples/aave-v3.toml)"
                        ),
                    );
                }
                let names: Vec<&str> = VenuePreset::ALL.iter().map(|v| v.name()).collect();
                ctx.err(
                    "venue",
                    format!(
                        "unknown venue \"{v}\" (one of: {}); aave-v3 is a lending venue with its own file shape",
                        names.join(", ")
                    ),
                )
            })?;
            venue_override.unwrap_or(venue)
        }
        (None, None) => return Err(ctx.err("venue", "missing: give `venue = \"…\"` or list [[venues]]")),
    };
    let fund = raw.insurance_fund_usd;
    if !(fund.is_finite() && fund >= 0.0) {
        return Err(
            ctx.err("insurance_fund_usd", format!("must be a non-negative finite amount, got {fund}"))
        );
    }
    let insurance_fund = if venue_specs.is_empty() {
        crate::convert::usd(fund, "insurance fund").map_err(|m| ctx.err("insurance_fund_usd", m))?
    } else {
        super::venues::total_fund(&venue_specs)
    };
    let engine = engine(ctx, &raw.engine)?;

    if raw.markets.is_empty() {
        return Err(ctx.err("markets", "at least one market is required"));
    }
    if raw.markets.len() > u16::MAX as usize {
        return Err(
            ctx.err("markets", format!("{} markets; at most {} are supported", raw.markets.len(), u16::MAX))
        );
    }
    let mut markets = Vec::with_capacity(raw.markets.len());
    let mut market_venue: Vec<liq_domain::VenueId> = Vec::new();
    for (i, m) in raw.markets.iter().enumerate() {
        let v = super::venues::market_venue(ctx, i, m.venue.as_deref(), &venue_specs)?;
        // "preset" tiers are the market's own venue's tables.
        let spec = market(ctx, i, m, v.map_or(venue, |v| venue_specs[v.idx()].preset))?;
        if let Some(v) = v {
            market_venue.push(v);
        }
        // A symbol is unique within a venue; several venues list the same one.
        let same_venue = |j: usize| v.is_none() || market_venue[j] == market_venue[i];
        if let Some(j) = markets.iter().enumerate().position(|(j, o): (usize, &MarketSpec)| {
            same_venue(j) && o.symbol.eq_ignore_ascii_case(&spec.symbol)
        }) {
            return Err(ctx.err(
                format!("markets[{i}].symbol"),
                format!("duplicate market: markets[{j}] is also {}", spec.symbol),
            ));
        }
        markets.push(spec);
    }
    let symbols = if venue_specs.is_empty() {
        MarketSymbols::new(&markets)
    } else {
        MarketSymbols::with_venues(
            &markets,
            market_venue.iter().map(|v| venue_specs[v.idx()].name.clone()).collect(),
        )
    };
    let multi = (!venue_specs.is_empty()).then_some((venue_specs.as_slice(), market_venue.as_slice()));
    let impact = impact(ctx, &raw, &markets)?;
    let books = raw
        .markets
        .iter()
        .enumerate()
        .map(|(i, m)| book(ctx, i, m.book.as_ref(), &markets[i], raw.impact.model))
        .collect::<Result<Vec<_>, _>>()?;
    let mut assets = super::accounts::assets(ctx, &raw.assets, &symbols)?;
    let mut collateral = super::collateral::collateral(ctx, &raw)?;
    super::collateral::apply_preset_tables(&raw, venue, &mut assets, &mut collateral);
    let shock = shock(ctx, &raw.shock, &symbols, markets.len())?;
    let price = super::price::price_formation(ctx, &raw, venue, &markets, &symbols, multi)?;
    let book_shock_usd = super::price::book_shock(ctx, &raw.shock, &symbols, markets.len())?;
    let flows = super::flows::flows(ctx, &raw, &markets, &symbols, |csv| read_options(csv, &markets))?;
    let policy = super::policy::policy(ctx, raw.policy.as_ref(), &markets, &symbols)?;

    let mut accounts = super::accounts::accounts(ctx, &raw.accounts, &markets, &symbols, &assets)?;
    for (field, file, what) in [
        ("accounts_csv", &raw.accounts_csv, "the CSV"),
        ("accounts_parquet", &raw.accounts_parquet, "the Parquet file"),
    ] {
        let Some(file) = file else { continue };
        let more = read_file(field, file, &markets, &assets)?;
        // Each file's ids are unique already (its reader checks); only ids across sources can
        // clash. The smaller side goes in the set: with no inline accounts this costs nothing.
        if !accounts.is_empty() {
            let (small, large) =
                if accounts.len() <= more.len() { (&accounts, &more) } else { (&more, &accounts) };
            let seen: std::collections::HashSet<&str> = small.iter().map(|a| a.label.as_str()).collect();
            if let Some(dup) = large.iter().find(|a| seen.contains(a.label.as_str())) {
                return Err(ctx.err(
                    field,
                    format!("account \"{}\" is both in an earlier account source and in {what}", dup.label),
                ));
            }
        }
        if accounts.is_empty() {
            // Moved, not copied: extending an empty vector by a million accounts held both.
            accounts = more;
        } else {
            accounts.extend(more);
        }
    }
    if let Some(spec) = &raw.population {
        let generated = crate::population::generate_population(spec, &markets, &assets, raw.seed)
            .map_err(|e| ctx.domain("", e))?;
        accounts.extend(generated);
    }
    if !venue_specs.is_empty() {
        accounts.extend(super::venues::populations(
            ctx,
            &raw.venues,
            &markets,
            &market_venue,
            &assets,
            raw.seed,
        )?);
        super::venues::check_one_venue_per_account(
            ctx,
            &accounts,
            raw.accounts.len(),
            &market_venue,
            &venue_specs,
        )?;
    }
    crate::limits::check_accounts(accounts.len() as u64).map_err(|e| ctx.err("accounts", e))?;

    Ok(Scenario {
        name: raw.name,
        seed: raw.seed,
        venue,
        markets,
        books,
        assets,
        accounts,
        insurance_fund,
        shock,
        impact,
        engine,
        price,
        book_shock_usd,
        venues: liq_domain::VenueMap { venues: venue_specs, market_venue },
        collateral,
        flows,
        policy,
    })
}

fn engine(ctx: &Ctx, e: &super::raw::RawEngine) -> Result<EngineConfig, IoError> {
    if e.round_cap == 0 {
        return Err(ctx.err("engine.round_cap", "must be at least 1"));
    }
    positive(ctx, "engine.round_duration_s", e.round_duration_s)?;
    let mark = super::price::mark_rule(ctx, e)?;
    let adl_policy = match e.adl_policy.as_deref() {
        None => liq_domain::AdlMode::Venue,
        Some(p) => liq_domain::AdlMode::parse(p).ok_or_else(|| {
            ctx.err("engine.adl_policy", format!("unknown ADL policy \"{p}\" (one of: venue, pro-rata)"))
        })?,
    };
    Ok(EngineConfig { round_cap: e.round_cap, round_duration_s: e.round_duration_s, mark, adl_policy })
}

/// The lookup of built-in risk-limit tables, in one place: `"venue:SYMBOL"` names a table
/// (`liq_margin::tiers::by_name`); `"preset"` (or no `tiers` at all) asks for the scenario venue's
/// table of this market, matched by base asset (`liq_margin::tiers::for_market`), so changing the
/// venue changes the tables.
fn builtin_ladder(name: &str, venue: VenuePreset, market_symbol: &str) -> Result<RiskLadder, String> {
    use liq_margin::tiers;
    let table = if name.trim().eq_ignore_ascii_case("preset") {
        tiers::for_market(venue, market_symbol)
            .map_err(|e| format!("\"preset\" on venue {}: {e}", venue.name()))?
    } else {
        tiers::by_name(name).map_err(|e| e.to_string())?
    };
    // The built-in tables are constants checked by liq-margin's tests; an error here is a bug in
    // a table, still reported rather than panicking.
    table
        .ladder()
        .map_err(|e| format!("built-in table {} is invalid: {}: {}", table.name(), e.field, e.message))
}

fn market(ctx: &Ctx, i: usize, m: &RawMarket, venue: VenuePreset) -> Result<MarketSpec, IoError> {
    let p = format!("markets[{i}].");
    let ladder = match &m.tiers {
        // No `tiers` key: the venue's table; an error names the market's symbol line.
        None => {
            builtin_ladder("preset", venue, &m.symbol).map_err(|msg| ctx.err(format!("{p}symbol"), msg))?
        }
        Some(RawTiers::Builtin(name)) => {
            builtin_ladder(name, venue, &m.symbol).map_err(|msg| ctx.err(format!("{p}tiers"), msg))?
        }
        Some(RawTiers::Table(rows)) => {
            if rows.is_empty() {
                return Err(ctx.err(format!("{p}tiers"), "a risk-limit ladder needs at least one tier"));
            }
            // Floors are the previous caps; a missing maintenance amount is derived by continuity
            // (how Binance computes its `cum` column); a given one is checked against it.
            let mut tiers = Vec::with_capacity(rows.len());
            let (mut floor, mut cum, mut prev_mmr) = (0.0, 0.0, None);
            for r in rows {
                if let Some(pm) = prev_mmr {
                    cum += floor * (r.mmr - pm);
                }
                let amount = r.maintenance_amount.unwrap_or(cum);
                tiers.push(RiskTier {
                    floor_notional: floor,
                    cap_notional: r.cap_notional,
                    mmr: r.mmr,
                    maintenance_amount: amount,
                    max_leverage: r.max_leverage,
                });
                // Continue from the derived value so one bad row is reported once, at that row.
                floor = r.cap_notional;
                prev_mmr = Some(r.mmr);
            }
            RiskLadder::new(tiers).map_err(|e| ctx.domain(&p, e))?
        }
    };
    let spec = MarketSpec {
        symbol: m.symbol.trim().to_string(),
        tick_size: m.tick_size,
        lot_size: m.lot_size,
        index_price: m.index_price,
        mark_price: m.mark_price.unwrap_or(m.index_price),
        ladder,
        liquidation_fee_rate: m.liquidation_fee_rate,
        taker_fee_rate: m.taker_fee_rate,
    };
    spec.validate().map_err(|e| ctx.domain(&p, e))?;
    Ok(spec)
}

fn impact(ctx: &Ctx, raw: &RawScenario, markets: &[MarketSpec]) -> Result<ImpactConfig, IoError> {
    let r = &raw.impact;
    positive(ctx, "impact.resilience_tau_s", r.resilience_tau_s)?;
    let s = r.withdrawal.sensitivity;
    if !(s.is_finite() && s >= 0.0) {
        return Err(ctx
            .err("impact.withdrawal.sensitivity", format!("must be a non-negative finite number, got {s}")));
    }
    let f = r.withdrawal.floor;
    if !(f.is_finite() && f > 0.0 && f <= 1.0) {
        return Err(ctx.err("impact.withdrawal.floor", format!("must be in (0, 1], got {f}")));
    }
    let n = markets.len();
    if !r.cross_impact.is_empty() {
        if r.cross_impact.len() != n {
            return Err(ctx.err(
                "impact.cross_impact",
                format!(
                    "has {} rows; it must be {n}×{n} (one row and column per market) or empty",
                    r.cross_impact.len()
                ),
            ));
        }
        for (j, row) in r.cross_impact.iter().enumerate() {
            if row.len() != n {
                return Err(ctx.err(
                    format!("impact.cross_impact[{j}]"),
                    format!("has {} entries; it must be {n}×{n} (one row and column per market)", row.len()),
                ));
            }
            for (i, v) in row.iter().enumerate() {
                finite(ctx, &format!("impact.cross_impact[{j}][{i}]"), *v)?;
            }
        }
    }
    let kind = match r.model {
        RawModel::Book => ImpactKind::Book,
        RawModel::SquareRoot => {
            let mut params = Vec::with_capacity(n);
            for (i, m) in raw.markets.iter().enumerate() {
                let p = format!("markets[{i}].square_root");
                let q = m
                    .square_root
                    .as_ref()
                    .ok_or_else(|| ctx.err(&p, "required when impact.model = \"square_root\""))?;
                positive(ctx, &format!("{p}.y"), q.y)?;
                if !(q.delta.is_finite() && q.delta > 0.0 && q.delta <= 1.0) {
                    return Err(ctx.err(format!("{p}.delta"), format!("must be in (0, 1], got {}", q.delta)));
                }
                positive(ctx, &format!("{p}.daily_volatility"), q.daily_volatility)?;
                positive(ctx, &format!("{p}.daily_volume_usd"), q.daily_volume_usd)?;
                params.push(SquareRootParams {
                    y: q.y,
                    delta: q.delta,
                    daily_volatility: q.daily_volatility,
                    daily_volume_usd: q.daily_volume_usd,
                });
            }
            ImpactKind::SquareRoot(params)
        }
    };
    Ok(ImpactConfig {
        kind,
        resilience_tau_s: r.resilience_tau_s,
        withdrawal: WithdrawalConfig { sensitivity: s, floor: f },
        cross_impact: r.cross_impact.clone(),
    })
}

/// Built-in depth profiles, by name.
fn builtin_profile(name: &str) -> Result<DepthProfile, String> {
    match name.trim().to_ascii_lowercase().as_str() {
        "btcusdt-20240808" => toml::from_str(include_str!("../../data/btcusdt_depth_20240808.toml"))
            .map_err(|e| format!("built-in profile {name} is corrupt: {e}")),
        _ => Err(format!("unknown built-in book \"{name}\" (built in: btcusdt-20240808)")),
    }
}

fn book(
    ctx: &Ctx,
    i: usize,
    raw: Option<&RawBook>,
    m: &MarketSpec,
    model: RawModel,
) -> Result<BookSpec, IoError> {
    let Some(b) = raw else {
        return match model {
            // The square-root law needs no depth; an empty book keeps `books` one per market.
            RawModel::SquareRoot => Ok(BookSpec::Levels { bids: Vec::new(), asks: Vec::new() }),
            RawModel::Book => {
                Err(ctx.err(format!("markets[{i}]"), "needs a [markets.book] when impact.model = \"book\""))
            }
        };
    };
    book_at(ctx, &format!("markets[{i}].book"), b, m)
}

/// A book given at field path `p` (`markets[0].book`, `spot_markets[2].book`) on `m`'s grid.
pub(crate) fn book_at(ctx: &Ctx, p: &str, b: &RawBook, m: &MarketSpec) -> Result<BookSpec, IoError> {
    let p = p.to_string();
    let given = [
        b.bids.is_some() || b.asks.is_some(),
        b.profile.is_some(),
        b.builtin.is_some(),
        b.levels_csv.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(ctx.err(&p, "give exactly one of: bids and asks, levels_csv, profile, builtin"));
    }
    if let Some(file) = &b.levels_csv {
        if b.scale.is_some() {
            return Err(ctx.err(format!("{p}.scale"), "applies to profile and builtin books only"));
        }
        let dir = ctx.file.parent().unwrap_or(Path::new(""));
        return crate::book_csv::read_book_csv(&dir.join(file), m);
    }
    if let (Some(bids), Some(asks)) = (&b.bids, &b.asks) {
        if b.scale.is_some() {
            return Err(ctx.err(format!("{p}.scale"), "applies to profile and builtin books only"));
        }
        let bids = levels(ctx, &format!("{p}.bids"), bids, m, -1)?;
        let asks = levels(ctx, &format!("{p}.asks"), asks, m, 1)?;
        if bids[0].price >= asks[0].price {
            return Err(ctx.err(
                format!("{p}.asks[0]"),
                format!("best ask {} is not above best bid {}", asks[0].price, bids[0].price),
            ));
        }
        return Ok(BookSpec::Levels { bids, asks });
    }
    if b.bids.is_some() != b.asks.is_some() {
        let missing = if b.bids.is_none() { "bids" } else { "asks" };
        return Err(ctx.err(&p, format!("explicit levels need both bids and asks; {missing} is missing")));
    }
    let (mut profile, at) = match (&b.profile, &b.builtin) {
        (Some(r), _) => (
            DepthProfile {
                bucket_bps: r.bucket_bps,
                spread_ticks: r.spread_ticks,
                bid_notional_usd: r.bid_notional_usd.clone(),
                ask_notional_usd: r.ask_notional_usd.clone(),
            },
            format!("{p}.profile"),
        ),
        (None, Some(name)) => {
            (builtin_profile(name).map_err(|e| ctx.err(format!("{p}.builtin"), e))?, format!("{p}.builtin"))
        }
        (None, None) => {
            return Err(ctx.err(&p, "give exactly one of: bids and asks, levels_csv, profile, builtin"))
        }
    };
    let scale = b.scale.unwrap_or(1.0);
    if !(scale.is_finite() && scale > 0.0) {
        return Err(ctx.err(format!("{p}.scale"), format!("must be a positive finite number, got {scale}")));
    }
    positive(ctx, &format!("{at}.bucket_bps"), profile.bucket_bps)?;
    if profile.spread_ticks < 1 {
        return Err(
            ctx.err(format!("{at}.spread_ticks"), format!("must be ≥ 1, got {}", profile.spread_ticks))
        );
    }
    for (side, v) in [
        ("bid_notional_usd", &mut profile.bid_notional_usd),
        ("ask_notional_usd", &mut profile.ask_notional_usd),
    ] {
        if v.is_empty() {
            return Err(ctx.err(format!("{at}.{side}"), "needs at least one bucket"));
        }
        for (k, x) in v.iter_mut().enumerate() {
            // Checked after scaling too: a huge notional times `scale` could overflow to ∞.
            if !(x.is_finite() && *x >= 0.0 && (*x * scale).is_finite()) {
                return Err(ctx.err(
                    format!("{at}.{side}[{k}]"),
                    format!("must be a non-negative finite amount (after scale {scale}), got {x}"),
                ));
            }
            *x *= scale;
        }
    }
    Ok(BookSpec::Profile(profile))
}

/// Explicit levels: `[price, qty]` on the tick and lot grids, strictly ordered away from mid.
fn levels(ctx: &Ctx, p: &str, raw: &[[f64; 2]], m: &MarketSpec, dir: i64) -> Result<Vec<L2Level>, IoError> {
    if raw.is_empty() {
        return Err(ctx.err(p, "needs at least one level"));
    }
    let mut out: Vec<L2Level> = Vec::with_capacity(raw.len());
    let mut prev_ticks = None;
    for (k, &[price, qty]) in raw.iter().enumerate() {
        // The field path is built only for an error: a 60,000-level side would build it 60,000
        // times. The check is the book CSV's (`crate::book_csv`), so both forms say the same.
        let ticks = crate::book_csv::check_level(price, qty, prev_ticks, m, dir)
            .map_err(|e| ctx.err(format!("{p}[{k}]"), e))?;
        prev_ticks = Some(ticks);
        out.push(L2Level { price, qty });
    }
    Ok(out)
}

fn shock(ctx: &Ctx, s: &RawShock, symbols: &MarketSymbols, n: usize) -> Result<Shock, IoError> {
    let one_move = |field: &str, v: f64| -> Result<(), IoError> {
        crate::limits::check_move(v).map(|_| ()).map_err(|e| ctx.err(field, e))
    };
    let per_market =
        |map: &std::collections::BTreeMap<String, f64>, what: &str| -> Result<Vec<f64>, IoError> {
            let mut out = vec![0.0; n];
            let mut set = vec![false; n];
            for (sym, &v) in map {
                let f = format!("shock.{what}.{sym}");
                // A bare asset in a multi-venue file moves it on every venue (news).
                for id in symbols.resolve_all(sym).map_err(|e| ctx.err(&f, e))? {
                    if std::mem::replace(&mut set[id.idx()], true) {
                        return Err(ctx.err(&f, "names a market already given (long and short symbol forms)"));
                    }
                    finite(ctx, &f, v)?;
                    out[id.idx()] = v;
                }
            }
            Ok(out)
        };
    match (&s.moves, s.factor, &s.betas) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err(ctx.err("shock", "give either moves or factor and betas, not both"))
        }
        (Some(moves), None, None) => {
            let v = per_market(moves, "moves")?;
            for (sym, &x) in moves {
                one_move(&format!("shock.moves.{sym}"), x)?;
            }
            Ok(Shock::PerMarket(v))
        }
        (None, Some(factor), betas) => {
            finite(ctx, "shock.factor", factor)?;
            let empty = Default::default();
            let betas_map = betas.as_ref().unwrap_or(&empty);
            let betas = per_market(betas_map, "betas")?;
            for (sym, &b) in betas_map {
                one_move(&format!("shock.betas.{sym}"), factor * b)?;
            }
            Ok(Shock::Factor { factor, betas })
        }
        (None, None, Some(_)) => Err(ctx.err("shock.betas", "betas need a factor")),
        (None, None, None) => Ok(Shock::PerMarket(vec![0.0; n])),
    }
}
