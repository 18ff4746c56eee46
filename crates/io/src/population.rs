//! Synthetic account populations: the `[population]` section of a scenario.
//!
//! Real venues do not publish their account books, so the default scenario generates one from
//! documented distributions whose parameters are each tied to a public number (the sources sit
//! next to every field below, in `crates/io/scenarios/default.toml` and in
//! `docs/default-scenario.md`). The generator is deterministic for a seed (`ChaCha8Rng`), does
//! O(1) work per account (1,000,000 accounts take well under a second in release) and
//! guarantees that every account it returns is strictly above maintenance margin at the
//! scenario's marks, because a population that starts in liquidation would mix the shock's
//! effect with a broken initial state.
//!
//! The model, per account:
//! 1. **Mode**: cross with probability `cross_share`, else one isolated position. A cross account
//!    holds 2 markets with probability `multi_market_share` (3 of those with
//!    `three_market_share`), distinct markets drawn by `oi_share` without replacement; these
//!    carry the cross-asset contagion channel. A share `volatile_collateral_share` of cross
//!    accounts posts its margin in a volatile asset (BTC/ETH with haircut) instead of USDT.
//! 2. **Leverage**: log-normal with `median` and `sigma`, at least 1×, capped by the max
//!    leverage of the risk-limit tier the position's notional falls in.
//! 3. **Size**: Pareto (power-law tail) USD notional with `min_notional_usd` and
//!    `tail_exponent`, capped by the market's position limit, rounded to whole lots (≥ 1 lot).
//! 4. **Side**: long with probability `long_share` of the market.
//! 5. **Entry price**: the close of a uniformly drawn day of a synthetic daily history (a
//!    driftless GBM with the market's `daily_vol`, one common factor giving pairwise correlation
//!    `history.correlation`, ending at the scenario's mark), rounded to the tick grid. A
//!    synthetic path is used because the shipped real data cover only two days, and a path
//!    generated from the seed keeps the generator independent of any one date.
//! 6. **Margin**: initial margin `notional / leverage` plus a top-up drawn from an exponential
//!    distribution with mean `topup_mean` × initial margin (isolated: per position; cross: on
//!    the sum). Positions that would have been liquidated on the way from their entry day to now
//!    (checked against the worst daily close since entry) did not survive to be in the book:
//!    their entry day is re-drawn, which conditions the entry date on survival and leaves the
//!    size, leverage and side distributions untouched. After [`MAX_REDRAWS`] the entry moves to
//!    today (always above maintenance, since initial margin exceeds maintenance in every tier).

use liq_domain::{
    Account, AssetId, AssetPrice, AssetSpec, Collateral, DomainError, MarginMode, MarketId, MarketSpec,
    Money, Position,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Exp1, StandardNormal};
use serde::{Deserialize, Serialize};

/// Entry-day re-draws before a position is moved to an entry at today's mark. 32 draws leave a
/// survival probability of even 10% a 0.9^32 ≈ 3% chance of falling through to the fallback.
pub const MAX_REDRAWS: u32 = 32;

/// Parameters of the synthetic account population. Defaults are the default scenario's
/// (`crates/io/scenarios/default.toml`); each field says where its default comes from.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// Number of accounts. Default 120,000: large enough that the 0.1% tail of leverage and
    /// size is populated by ~100 accounts, small enough for a sub-second cascade run.
    pub accounts: u32,
    /// Per-market mix (must name markets of the scenario; `oi_share` sums to 1).
    pub markets: Vec<MarketMix>,
    /// Share of accounts in cross margin. Default 0.87 = 54 of 62 account liquidations in
    /// Hyperliquid's official 2023 liquidation file (shared/data/hyperliquid-2023-official) were
    /// cross; cross is also Binance's default mode.
    pub cross_share: f64,
    /// Share of cross accounts holding 2–3 markets. Default 0.256 = 55 of the 215 users in
    /// Hyperliquid's 2023 non-market-maker trades who traded BTC, ETH or SOL traded ≥ 2 of them.
    pub multi_market_share: f64,
    /// Share of those multi-market accounts that hold 3 markets. Default 0.218 = 12 of 55 (same
    /// source).
    pub three_market_share: f64,
    /// Share of cross accounts whose margin is posted in a volatile asset (Binance Multi-Assets
    /// mode, which is cross-only). No venue publishes its adoption; default 0.10 is a stated
    /// assumption that makes the channel material (≈ 9% of all accounts). 0 switches it off.
    pub volatile_collateral_share: f64,
    pub leverage: LeverageSpec,
    pub size: SizeSpec,
    pub history: HistorySpec,
    pub margin: MarginSpec,
}

/// One market's part of the population.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarketMix {
    /// Market symbol as in the scenario's `[[markets]]`.
    pub symbol: String,
    /// Share of single-market accounts in this market = its share of Binance open interest
    /// among the population's markets (default: BTC 12.3 bn USD on 2025-01-03, ETH
    /// 1,558,454 ETH on 2025-01-22 × 3,083.87, SOL = ETH × 0.205, the SOL/ETH open-interest
    /// ratio in a CoinGlass snapshot; see docs/default-scenario.md).
    pub oi_share: f64,
    /// Probability that a position in this market is long. Default 0.643, the mean long-account
    /// share of Binance's BTCUSDT global long/short account ratio on 2024-05-12..15 (0.693,
    /// 0.664, 0.556, 0.658) as printed in the cryptoQuotes R package documentation.
    pub long_share: f64,
    /// Daily log-return volatility of the synthetic price history. Default: 1-minute realised
    /// volatility of BTCUSDT/ETHUSDT/SOLUSDT in shared/data/binance_trades.csv (68 common
    /// minutes, 2025-01-26/27) scaled by √1440: 0.032 / 0.035 / 0.053.
    pub daily_vol: f64,
}

/// Chosen leverage: log-normal, clamped to [1, tier max leverage].
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LeverageSpec {
    /// Median leverage. Default 12×: between Hyperliquid's notional-weighted open interest
    /// (Dec 2025: most in 0–7×) and the trade-weighted figures of Binance (2019: 60% of trades
    /// at ≥ 20×) and BitMEX (2019: weighted average 22–30×); an account-weighted book sits
    /// between the two. The replay issue fits it.
    pub median: f64,
    /// Log-normal σ. Default 0.75: puts 71% of accounts in 5–25× and 25% at ≥ 20×, with a tail
    /// (2.9% ≥ 50×) that reaches the tier maximum.
    pub sigma: f64,
}

/// Position notional: Pareto (power-law tail), USD.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SizeSpec {
    /// Pareto scale (minimum notional), USD. Default 626 = median / 2^(1/α) so the median is
    /// 994 USD, the median of the 225 BTC/ETH/SOL liquidation orders in Binance's
    /// force-order stream on 2025-01-26/27 (shared/data/binance-liquidations-2025-01).
    pub min_notional_usd: f64,
    /// Tail exponent α (P(N > x) ∝ x^−α). Default 1.5: Gabaix, Gopikrishnan, Plerou & Stanley
    /// (2003, 2006) find ≈ 3/2 for trade sizes across markets; the Hill estimate on the top
    /// 20–30 of those 225 Binance liquidation orders is 1.4–1.55.
    pub tail_exponent: f64,
}

/// Synthetic daily price history the entry prices are drawn from.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HistorySpec {
    /// Days of history; entry dates are uniform over the last `days` days (0 = all today).
    /// Default 30: at Binance's base funding rate (0.01% per 8 h) a month costs 0.9% of
    /// notional, 9% of the margin at 10×, so leveraged positions are held for weeks, not months.
    pub days: u32,
    /// Pairwise correlation of the markets' daily returns (one common factor). Default 0.82,
    /// the mean pairwise correlation of the 1-minute returns used for `daily_vol`.
    pub correlation: f64,
    /// Mirror the history: the same draws with every daily return's sign flipped, so the
    /// market rose where it fell. Which side sits near liquidation follows the history (the
    /// side that lost since entry is closer to it), so mirroring swaps the crowded side while
    /// leaving sizes, leverage and the long share unchanged (`--skew`, docs/default-scenario.md
    /// "Which side is near liquidation"). Default false.
    #[serde(default)]
    pub mirror: bool,
}

/// Margin posted above initial margin.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarginSpec {
    /// Mean of the exponential top-up, as a multiple of initial margin (cross wallets and
    /// isolated margins hold more than the initial margin of the chosen leverage). Default 2.0:
    /// the value in {1, 2, 3, 4, 6} whose notional-weighted effective leverage best matches
    /// Hyperliquid's open interest in Dec 2025 (36% at 0–3×, 48% at 3–7×, 16% above; generated:
    /// 36% / 40% / 24%). The replay issue fits it against the liquidation tape.
    pub topup_mean: f64,
}

impl Default for PopulationSpec {
    fn default() -> Self {
        let mix = |symbol: &str, oi_share, daily_vol| MarketMix {
            symbol: symbol.to_string(),
            oi_share,
            long_share: 0.643,
            daily_vol,
        };
        Self {
            accounts: 120_000,
            markets: vec![
                mix("BTCUSDT", 0.680, 0.032),
                mix("ETHUSDT", 0.266, 0.035),
                mix("SOLUSDT", 0.054, 0.053),
            ],
            cross_share: 0.87,
            multi_market_share: 0.256,
            three_market_share: 0.218,
            volatile_collateral_share: 0.10,
            leverage: LeverageSpec { median: 12.0, sigma: 0.75 },
            size: SizeSpec { min_notional_usd: 626.0, tail_exponent: 1.5 },
            history: HistorySpec { days: 30, correlation: 0.82, mirror: false },
            margin: MarginSpec { topup_mean: 2.0 },
        }
    }
}

fn check(field: &str, v: f64, ok: bool, want: &str) -> Result<(), DomainError> {
    if v.is_finite() && ok {
        Ok(())
    } else {
        Err(DomainError::new(format!("population.{field}"), format!("must be {want}, got {v}")))
    }
}

fn check_share(field: &str, v: f64) -> Result<(), DomainError> {
    check(field, v, (0.0..=1.0).contains(&v), "a share in [0, 1]")
}

/// The spec resolved against the scenario: market indices and cumulative weights.
struct Resolved {
    /// Index into `markets` of each mix entry.
    market: Vec<usize>,
    weight: Vec<f64>,
    long_share: Vec<f64>,
    daily_vol: Vec<f64>,
    /// Market-priced (volatile) collateral assets.
    volatile: Vec<usize>,
}

impl PopulationSpec {
    /// Checks every parameter; errors name the field (`population.leverage.median`).
    fn resolve(&self, markets: &[MarketSpec], assets: &[AssetSpec]) -> Result<Resolved, DomainError> {
        // Checked before `generate_population` reserves a Vec of this length.
        crate::limits::check_accounts(u64::from(self.accounts))
            .map_err(|e| DomainError::new("population.accounts", e))?;
        if self.markets.is_empty() {
            return Err(DomainError::new("population.markets", "needs at least one market"));
        }
        let mut r = Resolved {
            market: vec![],
            weight: vec![],
            long_share: vec![],
            daily_vol: vec![],
            volatile: vec![],
        };
        for (i, m) in self.markets.iter().enumerate() {
            let f = |n: &str| format!("markets[{i}].{n}");
            let idx = markets
                .iter()
                .position(|s| s.symbol.eq_ignore_ascii_case(m.symbol.trim()))
                .ok_or_else(|| {
                    DomainError::new(
                        format!("population.{}", f("symbol")),
                        format!("no market {:?} in the scenario", m.symbol),
                    )
                })?;
            if r.market.contains(&idx) {
                return Err(DomainError::new(format!("population.{}", f("symbol")), "market listed twice"));
            }
            markets[idx]
                .validate()
                .map_err(|e| DomainError::new(format!("markets[{idx}].{}", e.field), e.message))?;
            check_share(&f("oi_share"), m.oi_share)?;
            check_share(&f("long_share"), m.long_share)?;
            check(&f("daily_vol"), m.daily_vol, (0.0..1.0).contains(&m.daily_vol), "in [0, 1)")?;
            r.market.push(idx);
            r.weight.push(m.oi_share);
            r.long_share.push(m.long_share);
            r.daily_vol.push(m.daily_vol);
        }
        let total: f64 = r.weight.iter().sum();
        if (total - 1.0).abs() > 1e-3 {
            return Err(DomainError::new(
                "population.markets",
                format!("oi_share must sum to 1, sums to {total}"),
            ));
        }
        for (name, v) in [
            ("cross_share", self.cross_share),
            ("multi_market_share", self.multi_market_share),
            ("three_market_share", self.three_market_share),
            ("volatile_collateral_share", self.volatile_collateral_share),
        ] {
            check_share(name, v)?;
        }
        let l = &self.leverage;
        check("leverage.median", l.median, l.median >= 1.0, "≥ 1")?;
        check("leverage.sigma", l.sigma, (0.0..=5.0).contains(&l.sigma), "in [0, 5]")?;
        let s = &self.size;
        check("size.min_notional_usd", s.min_notional_usd, s.min_notional_usd > 0.0, "positive")?;
        check("size.tail_exponent", s.tail_exponent, s.tail_exponent > 0.0, "positive")?;
        let h = &self.history;
        if h.days > 100_000 {
            return Err(DomainError::new(
                "population.history.days",
                format!("must be ≤ 100000, got {}", h.days),
            ));
        }
        check("history.correlation", h.correlation, (0.0..=1.0).contains(&h.correlation), "in [0, 1]")?;
        let t = self.margin.topup_mean;
        check("margin.topup_mean", t, (0.0..=100.0).contains(&t), "in [0, 100]")?;
        for (i, a) in assets.iter().enumerate() {
            if let AssetPrice::Market(id) = a.price {
                if id.idx() >= markets.len() {
                    return Err(DomainError::new(
                        format!("assets[{i}].market"),
                        "names no market of the scenario",
                    ));
                }
                if a.haircut.is_finite() && (0.0..1.0).contains(&a.haircut) {
                    r.volatile.push(i);
                }
            }
        }
        if self.volatile_collateral_share > 0.0 && r.volatile.is_empty() {
            return Err(DomainError::new(
                "population.volatile_collateral_share",
                "is positive but the scenario declares no market-priced collateral asset",
            ));
        }
        Ok(r)
    }
}

/// Daily closes per mix market, ending at the mark, with running extremes from each day to now.
struct History {
    /// `close[k][d]`, d = 0 ..= days, `close[k][days]` = mark.
    close: Vec<Vec<f64>>,
    /// Lowest / highest close from day d to today (inclusive).
    low_since: Vec<Vec<f64>>,
    high_since: Vec<Vec<f64>>,
}

fn build_history(
    spec: &PopulationSpec,
    r: &Resolved,
    markets: &[MarketSpec],
    rng: &mut ChaCha8Rng,
) -> History {
    let days = spec.history.days as usize;
    let (load, idio) = (spec.history.correlation.sqrt(), (1.0 - spec.history.correlation).sqrt());
    let mut close: Vec<Vec<f64>> = r.market.iter().map(|&m| vec![markets[m].mark_price; days + 1]).collect();
    // Walk backwards from today: ln p[d−1] = ln p[d] + σ²/2 − σ z, the reverse of a driftless GBM step.
    for d in (1..=days).rev() {
        let f: f64 = rng.sample(StandardNormal);
        for (k, c) in close.iter_mut().enumerate() {
            let e: f64 = rng.sample(StandardNormal);
            let s = r.daily_vol[k];
            let z = load * f + idio * e;
            c[d - 1] = c[d] * (0.5 * s * s - if spec.history.mirror { -s * z } else { s * z }).exp();
        }
    }
    let extreme = |c: &Vec<f64>, pick: fn(f64, f64) -> f64| {
        let mut out = c.clone();
        for d in (0..days).rev() {
            out[d] = pick(out[d], out[d + 1]);
        }
        out
    };
    let low_since = close.iter().map(|c| extreme(c, f64::min)).collect();
    let high_since = close.iter().map(|c| extreme(c, f64::max)).collect();
    History { close, low_since, high_since }
}

/// A drawn position before its entry date is fixed.
struct Draft {
    mix: usize,
    long: bool,
    notional: f64,
    leverage: f64,
    day: usize,
}

fn pick_market(rng: &mut ChaCha8Rng, w: &[f64], used: &[usize]) -> Option<usize> {
    let total: f64 = w.iter().enumerate().filter(|(i, _)| !used.contains(i)).map(|(_, x)| x).sum();
    if total <= 0.0 {
        return None;
    }
    let mut u = rng.random::<f64>() * total;
    let mut last = None;
    for (i, &x) in w.iter().enumerate() {
        if used.contains(&i) || x <= 0.0 {
            continue;
        }
        last = Some(i);
        if u < x {
            return Some(i);
        }
        u -= x;
    }
    last
}

fn asset_price(a: &AssetSpec, markets: &[MarketSpec]) -> f64 {
    match a.price {
        AssetPrice::Fixed(p) => p,
        AssetPrice::Market(id) => markets[id.idx()].mark_price,
    }
}

/// Equity minus maintenance of one margin unit if every price sat at its worst close since entry:
/// the survival test. Collateral priced by a market is taken at that market's lowest close since
/// the earliest entry. Equity − maintenance rises monotonically with a long's price (and falls
/// with a short's) within and across tiers, so the worst close is the binding one.
fn worst_buffer(
    drafts: &[Draft],
    margin: f64,
    collateral: Option<(usize, f64)>,
    r: &Resolved,
    h: &History,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
) -> f64 {
    let mut buf = margin;
    for d in drafts {
        let m = &markets[r.market[d.mix]];
        let entry = m.price(m.ticks(h.close[d.mix][d.day]).max(1));
        let qty = m.qty(m.lots(d.notional / entry).max(1));
        let worst = if d.long { h.low_since[d.mix][d.day] } else { h.high_since[d.mix][d.day] };
        let pnl = if d.long { qty * (worst - entry) } else { qty * (entry - worst) };
        buf += pnl - m.ladder.maintenance_margin(qty * worst);
    }
    if let Some((a, qty)) = collateral {
        let spec = &assets[a];
        let px = match spec.price {
            AssetPrice::Market(id) => {
                let first = drafts.iter().map(|d| d.day).min().unwrap_or(0);
                r.market
                    .iter()
                    .position(|&m| m == id.idx())
                    .map_or(markets[id.idx()].mark_price, |k| h.low_since[k][first])
            }
            AssetPrice::Fixed(p) => p,
        };
        buf += qty * px * (1.0 - spec.haircut);
    }
    buf
}

/// Generates the population. Deterministic for `(spec, markets, assets, seed)`.
pub fn generate_population(
    spec: &PopulationSpec,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
    seed: u64,
) -> Result<Vec<Account>, DomainError> {
    let r = spec.resolve(markets, assets)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let h = build_history(spec, &r, markets, &mut rng);
    let days = spec.history.days;
    let mut out = Vec::with_capacity(spec.accounts as usize);
    let mut drafts: Vec<Draft> = Vec::with_capacity(3);
    let mut used: Vec<usize> = Vec::with_capacity(3);
    for i in 0..spec.accounts {
        let cross = rng.random_bool(spec.cross_share);
        let n = if !cross || !rng.random_bool(spec.multi_market_share) {
            1
        } else if rng.random_bool(spec.three_market_share) {
            3
        } else {
            2
        };
        let lev =
            (spec.leverage.median.ln() + spec.leverage.sigma * rng.sample::<f64, _>(StandardNormal)).exp();
        drafts.clear();
        used.clear();
        for _ in 0..n {
            let Some(k) = pick_market(&mut rng, &r.weight, &used) else { break };
            used.push(k);
            let m = &markets[r.market[k]];
            let long = rng.random_bool(r.long_share[k]);
            // Pareto by inverse transform; 1 − U ∈ (0, 1] keeps the power finite.
            let u: f64 = rng.random();
            let notional = (spec.size.min_notional_usd * (1.0 - u).powf(-1.0 / spec.size.tail_exponent))
                .min(m.ladder.position_limit() * 0.999);
            let leverage = lev.clamp(1.0, m.ladder.tier(notional).max_leverage);
            let day = days as usize - rng.random_range(0..=days) as usize;
            drafts.push(Draft { mix: k, long, notional, leverage, day });
        }
        let topup = if spec.margin.topup_mean > 0.0 {
            spec.margin.topup_mean * rng.sample::<f64, _>(Exp1)
        } else {
            0.0
        };
        let volatile = if cross && rng.random_bool(spec.volatile_collateral_share) {
            Some(r.volatile[rng.random_range(0..r.volatile.len())])
        } else {
            None
        };
        let account =
            build_account(i, cross, topup, volatile, &mut drafts, &r, &h, markets, assets, &mut rng);
        out.push(account);
    }
    Ok(out)
}

/// Fixes entry dates (re-drawing those that would not have survived), rounds to the grids and
/// posts margin; a final exact check tops up whatever rounding left at or under maintenance.
#[allow(clippy::too_many_arguments)]
fn build_account(
    i: u32,
    cross: bool,
    topup: f64,
    volatile: Option<usize>,
    drafts: &mut [Draft],
    r: &Resolved,
    h: &History,
    markets: &[MarketSpec],
    assets: &[AssetSpec],
    rng: &mut ChaCha8Rng,
) -> Account {
    let days = h.close[0].len() - 1;
    let initial = |d: &Draft| {
        let m = &markets[r.market[d.mix]];
        let entry = m.price(m.ticks(h.close[d.mix][d.day]).max(1));
        m.qty(m.lots(d.notional / entry).max(1)) * entry / d.leverage
    };
    let collateral_qty = |margin: f64| {
        volatile.map(|a| (a, margin / (asset_price(&assets[a], markets) * (1.0 - assets[a].haircut))))
    };
    if cross {
        for attempt in 0..=MAX_REDRAWS {
            let margin: f64 = drafts.iter().map(initial).sum::<f64>() * (1.0 + topup);
            let (wallet, coll) = match collateral_qty(margin) {
                Some(c) => (0.0, Some(c)),
                None => (margin, None),
            };
            if worst_buffer(drafts, wallet, coll, r, h, markets, assets) > 0.0 {
                break;
            }
            for d in drafts.iter_mut() {
                d.day = if attempt == MAX_REDRAWS { days } else { days - rng.random_range(0..=days) };
            }
        }
    } else {
        for d in drafts.iter_mut() {
            for attempt in 0..=MAX_REDRAWS {
                let margin = initial(d) * (1.0 + topup);
                if worst_buffer(std::slice::from_ref(d), margin, None, r, h, markets, assets) > 0.0 {
                    break;
                }
                d.day = if attempt == MAX_REDRAWS { days } else { days - rng.random_range(0..=days) };
            }
        }
    }
    let mode = if cross { MarginMode::Cross } else { MarginMode::Isolated };
    let mut positions = Vec::with_capacity(drafts.len());
    for d in drafts.iter() {
        let m = &markets[r.market[d.mix]];
        let ticks = m.ticks(h.close[d.mix][d.day]).max(1);
        let mut lots = m.lots(d.notional / m.price(ticks)).max(1);
        // Rounding up to a lot must not push a position over the venue's position limit.
        let cap = (m.ladder.position_limit() / (m.price(ticks) * m.lot_size)).floor() as i64;
        lots = lots.min(cap.max(1));
        let signed = if d.long { lots } else { -lots };
        let im = m.notional(lots, m.price(ticks)) / d.leverage * (1.0 + topup);
        positions.push(Position {
            market: MarketId(r.market[d.mix] as u16),
            size_lots: signed,
            cost: m.value(signed, ticks),
            mode,
            isolated_margin: if cross { Money::ZERO } else { Money::from_usd(im) },
        });
    }
    let mut account =
        Account { label: format!("pop-{i:07}"), wallet: Money::ZERO, collateral: Vec::new(), positions };
    if cross {
        let margin: f64 = drafts.iter().map(initial).sum::<f64>() * (1.0 + topup);
        match collateral_qty(margin) {
            Some((a, qty)) => account.collateral.push(Collateral { asset: AssetId(a as u16), qty }),
            None => account.wallet = Money::from_usd(margin),
        }
    }
    ensure_above_maintenance(&mut account, markets, assets);
    account
}

/// Equity, maintenance margin and notional of one margin unit at the scenario's marks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarginUnit {
    pub equity: f64,
    pub maintenance: f64,
    /// Position notional at mark plus counted collateral value (what an adverse move acts on).
    pub exposure: f64,
}

/// The account's margin units at the marks: the cross pool (if it has cross positions), then
/// each isolated position. Unrealised PnL is `size × mark − cost`.
pub fn margin_units(account: &Account, markets: &[MarketSpec], assets: &[AssetSpec]) -> Vec<MarginUnit> {
    let mut units = Vec::with_capacity(account.positions.len());
    let mut pool = MarginUnit { equity: account.wallet.usd(), maintenance: 0.0, exposure: 0.0 };
    for c in &account.collateral {
        let a = &assets[c.asset.idx()];
        let v = c.qty * asset_price(a, markets) * (1.0 - a.haircut);
        pool.equity += v;
        if matches!(a.price, AssetPrice::Market(_)) {
            pool.exposure += v;
        }
    }
    let mut has_cross = false;
    for p in &account.positions {
        let m = &markets[p.market.idx()];
        let notional = m.notional(p.size_lots, m.mark_price);
        let pnl = m.qty(p.size_lots) * m.mark_price - p.cost.usd();
        let mm = m.ladder.maintenance_margin(notional);
        match p.mode {
            MarginMode::Cross => {
                has_cross = true;
                pool.equity += pnl;
                pool.maintenance += mm;
                pool.exposure += notional;
            }
            MarginMode::Isolated => units.push(MarginUnit {
                equity: p.isolated_margin.usd() + pnl,
                maintenance: mm,
                exposure: notional,
            }),
        }
    }
    if has_cross {
        units.insert(0, pool);
    }
    units
}

/// Distance to liquidation: the smallest, over the account's margin units, of
/// `(equity − maintenance) / exposure` — the uniform adverse move of all of a unit's positions
/// and collateral that uses up its buffer (to first order). `INFINITY` without positions.
pub fn liquidation_distance(account: &Account, markets: &[MarketSpec], assets: &[AssetSpec]) -> f64 {
    margin_units(account, markets, assets)
        .iter()
        .filter(|u| u.exposure > 0.0)
        .map(|u| (u.equity - u.maintenance) / u.exposure)
        .fold(f64::INFINITY, f64::min)
}

/// Tops up any margin unit at or under maintenance (rounding to ticks and lots can move a
/// freshly drawn position by a fraction of a tick) to maintenance plus 0.1% of it plus 1 USD.
fn ensure_above_maintenance(account: &mut Account, markets: &[MarketSpec], assets: &[AssetSpec]) {
    let units = margin_units(account, markets, assets);
    let short = |u: &MarginUnit| u.maintenance * 1.001 + 1.0 - u.equity;
    let mut iso = units.iter();
    if account.positions.iter().any(|p| p.mode == MarginMode::Cross) {
        if let Some(u) = iso.next() {
            if u.equity <= u.maintenance {
                account.wallet += Money::from_usd(short(u));
            }
        }
    }
    for p in account.positions.iter_mut().filter(|p| p.mode == MarginMode::Isolated) {
        if let Some(u) = iso.next() {
            if u.equity <= u.maintenance {
                p.isolated_margin += Money::from_usd(short(u));
            }
        }
    }
}
