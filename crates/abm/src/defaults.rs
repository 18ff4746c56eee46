//! The embedded default configuration: every value of [`AbmConfig`], each with where it comes
//! from — the BTCUSDT capture in `../shared/data` (order flow, sizes, depth profile), a venue's
//! published rule, a paper, or, where nothing can say, the argument for the choice.

use crate::book::{MatchRule, StpMode};
use crate::config::*;
use liq_domain::VenuePreset;

/// The embedded default: a BTCUSDT-like perpetual on Binance rules.
pub fn default_config() -> AbmConfig {
    // The index's root-mean-square volatility: 70 % a year. The perpetual's own 1-minute
    // volatility comes out near 50 % (the median over 32 one-hour runs; BTC's realised volatility
    // has mostly been 40–80 % a year in 2021–2024): the makers' inventory skew and the
    // arbitrageur pull the perp only part of the way to the index within a minute.
    let annual_vol = 0.7;
    let normal_vol_per_sqrt_s = annual_vol / (365.25f64 * 86_400.0).sqrt();
    AbmConfig {
        market: MarketCfg {
            symbol: "BTCUSDT".into(),
            // Binance BTCUSDT perpetual: tick 0.1 USDT, lot (step size) 0.001 BTC
            // (GET /fapi/v1/exchangeInfo, PRICE_FILTER and LOT_SIZE, observed 2024).
            tick_size: 0.1,
            lot_size: 0.001,
            // A round level in BTC's 2024 range.
            initial_price: 60_000.0,
            // Binance's liquidation clearance fee has been 0.5 % on BTCUSDT-M (FAQ "Binance Futures
            // Liquidation Protocols"; varies by symbol and over time).
            liquidation_fee_rate: 0.005,
            // ±30 %: far beyond any move a run of hours produces; keeps the level array to 360,000
            // levels (≈ 9 MB).
            price_window: 0.3,
        },
        venue: VenuePreset::Binance,
        matching: MatchRule::PriceTime,
        // Binance's default STP mode is "expire taker" (EXPIRE_TAKER) for API orders.
        stp: StpMode::CancelTaking,
        // The index is published every second on Binance; 250 ms gives the arbitrageur and the
        // makers a smoother anchor without costing much.
        // In crypto the perpetual leads the spot price (Alexander, Choi, Park & Sohn 2020,
        // "BitMEX bitcoin derivatives: Price discovery, informational efficiency, and hedging
        // effectiveness", J. Futures Markets): spot closes a gap to the perp within tens of
        // seconds; a 30-s time constant.
        // The index carries the news from the rest of the market, and news does not arrive at
        // a constant rate: its volatility is log-normal with a 5-minute half-life and a standard
        // deviation of log σ of 0.9 (σ moves by a factor 2.5 at one standard deviation). A
        // modelling choice, not a fit: no long 1-minute series is in ../shared/data; with it the
        // index alone has a median 1-minute kurtosis of 5.8 over one-hour runs.
        index: IndexCfg {
            annual_vol,
            log_vol_sd: 0.9,
            log_vol_halflife_s: 300.0,
            dt_ms: 250.0,
            perp_feedback_per_s: 1.0 / 30.0,
            // A BTCUSDT spread is a tick (0.016 bp); 5 bp means the makers have left.
            perp_feedback_max_spread_bps: 5.0,
        },
        // Binance's mark price is the index plus a moving average of the basis, and the
        // liquidation engine checks it continuously; a half/half blend of index and mid keeps both
        // channels (exogenous index moves, endogenous book moves) in the trigger.
        mark_index_weight: 0.5,
        mark_dt_ms: 100.0,
        // Makers react to the last half-minute of volatility (fast enough to pull quotes within a
        // cascade, slow enough not to flicker on one trade), measured on 1-s returns, against a
        // normal that is the last half hour's volatility: a sudden rise alarms them, a lasting one
        // becomes the new normal (without that, a volatile hour would keep makers in stress
        // mode forever and the market would run away).
        vol_halflife_s: 30.0,
        vol_return_horizon_s: 1,
        normal_vol_per_sqrt_s,
        vol_baseline_halflife_s: 1_800.0,
        makers: MakerCfg {
            // A handful of dominant makers quote most of a perp's top of book (Binance's market
            // maker programme lists tens of firms; the top few dominate).
            count: 8,
            // Each maker quotes the touch and 15 deeper levels reaching ≈ 1 % from the mid:
            // level l ≥ 1 at 2 bp × (l − 1 + stagger)^1.5 with sizes growing so that the
            // cumulative depth rises as distance^1.3 — the capture's depth profile (cumulative
            // depth C(d) ∝ d^β, β = 1.28 bids / 1.36 asks, crates/io/data/btcusdt_depth_20240808.toml).
            // 1 BTC at the touch per maker: ≈ $15 M within ±10 bp (the capture: $18.1 M median).
            levels: 16,
            base_half_spread_bps: 0.01,
            level_spacing_bps: 2.0,
            level_spacing_exponent: 1.5,
            size_lots: 1_000,
            size_depth_exponent: 0.3,
            requote_ms: 250.0,
            index_weight: 0.3,
            // Inventory skew: 0.4 bp per BTC of unhedged inventory, with inventory hedged away
            // (spot, other venues) with a 30-s half-life. Sets the permanent impact: Kyle's λ at
            // 10 s comes out ≈ 1.1 bp per $1 M (the capture: 0.82).
            skew_bps_per_lot: 0.0004,
            hedge_halflife_s: 30.0,
            max_inventory_lots: 500_000,
            // Under stress (volatility ratio r, capped at 2 for the gradual response) spreads widen
            // and sizes shrink as √r and the skew steepens as √r (Avellaneda & Stoikov 2008 make
            // the reservation-price shift proportional to variance; a softer response keeps the
            // feedback from running away).
            vol_spread_exponent: 0.5,
            vol_size_exponent: 0.5,
            vol_skew_exponent: 0.5,
            stress_ratio_cap: 2.0,
            withdraw: true,
            // Pull quotes when volatility runs at 6× the recent normal (a design choice: real
            // makers pull on their own risk limits, which are not public; calm hours never reach it,
            // shocks do).
            withdraw_vol_ratio: 4.0,
            // Out for 10 s, then back (wider, thinner) for at least 10 s.
            withdraw_pause_s: 10.0,
            // Co-located makers: ≈ 1 ms with sub-millisecond jitter.
            latency: LatencyCfg { fixed_us: 1_000.0, jitter_us: 500.0 },
        },
        noise: NoiseCfg {
            accounts: 200,
            // The capture (`../shared/data`, BTCUSDT 2024-08-08, 343 s of trades): 21,313 trades,
            // 5,436 taker orders (trades of one side in the same millisecond), 15.8 a second.
            market_rate_per_s: 16.0,
            // Near-critical self-excitation with a kernel spanning 0.5 s to 10 min (Hardiman,
            // Bercot & Bouchaud 2013, "Critical reflexivity in financial markets": branching ≈ 1
            // with a power-law kernel; a sum of exponentials stands in for the power law).
            // The capture's taker orders per 10 s have variance / mean = 48; this gives ≈ 5 — the
            // capture's bursts are shorter than the kernel's shortest component (left as is).
            hawkes_branching: 0.95,
            vol_activity_exponent: 0.0,
            hawkes_decays_s: vec![0.5, 5.0, 60.0, 600.0],
            hawkes_kernel_weights: vec![0.4, 0.2, 0.2, 0.2],
            // The capture's taker-order signs: autocorrelation 0.20 at lag 1, 0.12 at 10, 0.024 at
            // 100 — long memory, ≈ lag^−0.7 beyond lag 10. Lillo–Mike–Farmer: γ = α − 1, so
            // α = 1.7; three active metaorders give 0.19 at lag 1 once the other takers
            // (arbitrageur, momentum) are mixed in. At most 2,000 children (≈ 6 minutes).
            metaorders_active: 3,
            metaorder_length_alpha: 1.7,
            metaorder_max_children: 2_000,
            limit_rate_per_s: 12.0,
            // The capture's taker-order sizes (BTC): median 0.030, 10 % 0.002, 90 % 0.65,
            // 99 % 7.0, 99.9 % 46, max 70. A log-normal with median 0.030 and σ = 2.4 gives
            // 0.0014 / 0.65 / 8.0 / 50 at those quantiles; capped at 50 BTC.
            size_median_lots: 30.0,
            size_log_sigma: 2.4,
            // Children of one metaorder have similar sizes: 70 % of the log-size variance is the
            // metaorder's. The capture's log sizes have autocorrelation 0.22 at lag 1 and 0.05
            // at lag 10; the run gives ≈ 0.17 and ≈ 0.06.
            size_metaorder_share: 0.7,
            // Bigger children come less often (√ participation cap): without it a metaorder of
            // 20-BTC children fires several a second and moves the price 1 % in seconds.
            participation_size_exponent: 0.5,
            size_cap_lots: 50_000,
            limit_depth_bps: 8.0,
            limit_lifetime_s: 30.0,
            // Retail over the internet: tens of milliseconds.
            latency: LatencyCfg { fixed_us: 30_000.0, jitter_us: 40_000.0 },
        },
        momentum: MomentumCfg {
            count: 20,
            wake_mean_s: 5.0,
            lookback_s: 60.0,
            // A 0.3 % move in a minute is ≈ 4σ at 60 % annual vol (σ_1min ≈ 0.083 %): a strong
            // signal; the target position saturates there.
            full_signal_return: 0.003,
            // 2 BTC each, 40 BTC in all: about five seconds of the market's volume.
            max_position_lots: 2_000,
            min_trade_lots: 100,
            latency: LatencyCfg { fixed_us: 5_000.0, jitter_us: 5_000.0 },
        },
        execution: ExecutionCfg {
            enabled: true,
            arrivals_per_hour: 10.0,
            size_min_lots: 10_000.0,
            // Gabaix et al. (2003): institutional metaorder sizes have a Pareto tail with
            // exponent ≈ 1.5.
            size_alpha: 1.5,
            size_cap_lots: 2_000_000,
            duration_at_min_s: 120.0,
            duration_exponent: 0.5,
            child_interval_s: 1.0,
            latency: LatencyCfg { fixed_us: 5_000.0, jitter_us: 5_000.0 },
        },
        arbitrageur: ArbCfg {
            enabled: true,
            wake_ms: 100.0,
            // Round-trip taker fees on Binance are ≈ 2 × 4–5 bp for a retail tier, ≈ 2 × 1.7 bp for
            // a VIP; an arbitrageur acts beyond a few bp of basis.
            threshold_bps: 3.0,
            // 1-BTC clips every 100 ms (≈ $36 M a minute at most), up to 5,000 BTC (≈ $300 M):
            // basis desks hold billions across venues, so a small inventory cap would let an hour
            // of one-sided flow exhaust the arbitrage and run the market away from the index; the
            // clip keeps the arbitrage from absorbing a liquidation cascade instantly.
            clip_lots: 1_000,
            max_inventory_lots: 5_000_000,
            latency: LatencyCfg { fixed_us: 2_000.0, jitter_us: 1_000.0 },
        },
        leveraged: LeveragedCfg {
            // ≈ $0.9 B of open interest (mean notional ≈ $31 k): Binance's BTCUSDT perpetual
            // carries ≈ $7–8 B against ≈ $18 M within ±10 bp; this venue is an eighth of that
            // relative to its depth, enough for a 5 % shock to liquidate tens of millions.
            count: 30_000,
            // Long/short account ratios on Binance BTCUSDT have mostly sat between 1 and 2.5
            // (GET /futures/data/globalLongShortAccountRatio); 60 % long.
            long_fraction: 0.6,
            // The cascade engine's default population (docs/default-scenario.md): chosen leverage
            // log-normal, median 12×, σ 0.75 (71 % in 5–25×, 2.9 % ≥ 50×), and an exponential
            // top-up of mean 2 × the initial margin, fitted there to Hyperliquid's notional-weighted
            // effective-leverage split.
            leverage_median: 12.0,
            leverage_log_sigma: 0.75,
            topup_mean: 2.0,
            notional_median_usd: 15_000.0,
            notional_sigma: 1.2,
            // Positions opened over the preceding days at prices within a few % of today's.
            entry_dispersion: 0.02,
            // Open interest recovers within hours after a flush (Binance BTCUSDT open interest,
            // e.g. after the 2024-08-05 drop); a liquidated trader is back after ~20 minutes.
            reentry_mean_s: 1_200.0,
            latency: LatencyCfg { fixed_us: 30_000.0, jitter_us: 40_000.0 },
        },
        stops: StopCfg {
            enabled: true,
            // Stops cluster at round numbers and at round percentages below recent prices
            // (Osler 2003, "Currency orders and exchange rate dynamics"): 1, 2, 3, 5 %.
            distances: vec![0.01, 0.02, 0.03, 0.05],
            orders_per_cluster: 20,
            order_lots: 50,
        },
        // A small venue's fund relative to the open interest here (≈ 90 M USD of leveraged
        // notional): large enough for ordinary days, small enough that a cascade can reach ADL.
        insurance_fund_usd: 200_000.0,
        // 2 BTC a second (≈ $7 M a minute), at most 50 bp through the mid: the venue's engine
        // works the inventory off as market conditions allow (a design choice; venues do not
        // publish their unwind rules).
        insurance_fund_unwind_lots_per_s: 2_000.0,
        fund_unwind_limit_bps: 50.0,
        cascade_window_s: 10.0,
        shock: None,
        flows: Default::default(),
    }
}
