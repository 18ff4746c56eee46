//! The desk's delta hedge of its own book as a flow of the cascade (`stress --hedge`):
//! hand-worked order size, impact and fee against the book's levels and the hedged loss; band
//! suppression and the number of rebalances on a thin book; the same outcome on every thread.

mod common;
use common::*;
use liq_domain::*;
use liq_engine::{Cascade, Channel, DeskHedgeSpec, EngineModel, ExoPath, RunOptions};

/// A flat path of `steps` one-second steps on one market.
fn flat(steps: usize) -> ExoPath {
    ExoPath { n_markets: 1, dt_s: 1.0, levels: vec![1.0; steps] }
}

/// BTC at 1000 (tick 1, lot 0.001, taker fee 0.05%) with `bids` and a deep ask side.
fn book_scenario(bids: &[(f64, f64)], tau_s: f64) -> Scenario {
    let asks: Vec<(f64, f64)> = (1..=50).map(|i| (1000.0 + i as f64, 400.0)).collect();
    let mut s =
        scenario(VenuePreset::Binance, vec![btc()], vec![levels(bids, &asks)], vec![], 0.0, vec![0.0]);
    s.impact.resilience_tau_s = tau_s;
    s
}

fn hedge(q: f64, interval_s: f64, band: f64, ratio: f64) -> DeskHedgeSpec {
    DeskHedgeSpec { positions: vec![q], interval_s, band, ratio }
}

#[test]
fn hand_worked_one_million_dollar_long_fully_hedged_through_the_book() {
    // The desk is long 1,000 BTC at 1000: delta +$1,000,000. Ratio 1: the first rebalance (t = 0)
    // sells 1,000 BTC = 1,000,000 lots into bids of 400 BTC at 999, 998, 997, …:
    //   400 × 999 + 400 × 998 + 200 × 997 = 399,600 + 399,200 + 199,400 = 998,200 USD.
    // Impact against the mark 1000: 1,000,000 − 998,200 = 1,800 USD; taker fee 0.05% × 998,200
    // = 499.10 USD; hedging cost 2,299.10 USD. The hedge is then complete: no other rebalance.
    // Hedged P&L = 1000 (m_end − 1000) + [998,200 − 499.10 − 1000 m_end] = −2,299.10 whatever the
    // end mark: the hedged loss is the hedging cost.
    let bids: Vec<(f64, f64)> = (1..=50).map(|i| (1000.0 - i as f64, 400.0)).collect();
    let model = EngineModel::new(&book_scenario(&bids, f64::INFINITY)).unwrap();
    let hedged = model.with_desk_hedge(hedge(1000.0, 30.0, 0.0, 1.0)).unwrap();
    let r = Cascade::new(&hedged).report_path(&hedged, &flat(90), &RunOptions::default());
    let o = &r.outcome;
    let e = &o.flow_events[0];
    assert_eq!(
        (e.channel, e.generation, e.trigger, e.lots),
        (Channel::DeskHedge, 0, "rebalance", -1_000_000)
    );
    assert!(close(e.mark, 1000.0), "mark {}", e.mark);
    assert!(close(e.notional_usd, 998_200.0), "{}", e.notional_usd);
    assert_eq!(o.flow_events.len(), 1, "one rebalance: the target never moves");
    let d = o.desk_hedge.as_ref().unwrap();
    assert_eq!(d.rebalances, 1);
    assert_eq!(d.position_lots, vec![-1_000_000]);
    assert!(close(d.impact_usd, 1_800.0), "impact {}", d.impact_usd);
    assert!(close(d.fees_usd, 499.1), "fees {}", d.fees_usd);
    let m_end = o.markets[0].mark_end;
    let desk_pnl = 1000.0 * (m_end - 1000.0) + d.pnl_usd;
    assert!((desk_pnl + 2_299.1).abs() < 1e-3, "hedged P&L {desk_pnl} at end mark {m_end}");
    // The sale moved the book the liquidations walk: the end mark is below the start.
    assert!(m_end < 1000.0, "{m_end}");
    // The fee went to the venue: the ledger shows it.
    let ledger = o.ledger.as_ref().unwrap();
    let fees = ledger.holders.iter().find(|h| h.group == "venue_fees").unwrap();
    assert!(close(fees.equity_change_usd, 499.1));
    assert!(ledger.holders.iter().any(|h| h.group == "desk_hedge" && h.position_lots == vec![-1_000_000]));
}

#[test]
fn a_thin_book_takes_the_hedge_in_clips_one_per_interval_and_the_band_stops_the_rest() {
    // One bid level of 300 BTC at 999 that refills completely between steps (τ = 0): each
    // rebalance sells at most 300 BTC. Long 1,000 BTC, ratio 1.
    let model = EngineModel::new(&book_scenario(&[(999.0, 300.0)], 0.0)).unwrap();
    let run = |spec: DeskHedgeSpec, steps: usize| {
        let m = model.with_desk_hedge(spec).unwrap();
        let o = Cascade::new(&m).report_path(&m, &flat(steps), &RunOptions::default()).outcome;
        let lots: Vec<i64> = o.flow_events.iter().map(|e| e.lots).collect();
        let times: Vec<f64> = o.flow_events.iter().map(|e| e.time_s).collect();
        (o.desk_hedge.unwrap(), lots, times)
    };
    // Band 0, every 30 s over 120 s (decisions at 0, 30, 60, 90): 300 + 300 + 300 + 100 BTC.
    let (d, lots, times) = run(hedge(1000.0, 30.0, 0.0, 1.0), 120);
    assert_eq!(lots, vec![-300_000, -300_000, -300_000, -100_000]);
    assert_eq!(times, vec![0.0, 30.0, 60.0, 90.0]);
    assert_eq!((d.rebalances, d.position_lots[0]), (4, -1_000_000));
    // Each clip sold at 999 against the mark it decided on: impact = Σ qty × (mark − 999).
    // (The first at mark 1000: 300 USD.)
    let m = model.with_desk_hedge(hedge(1000.0, 30.0, 0.0, 1.0)).unwrap();
    let o = Cascade::new(&m).report_path(&m, &flat(120), &RunOptions::default()).outcome;
    let by_events: f64 = o.flow_events.iter().map(|e| e.lots.abs() as f64 * 0.001 * (e.mark - 999.0)).sum();
    assert!(close(o.desk_hedge.as_ref().unwrap().impact_usd, by_events));
    assert!(close(o.flow_events[0].mark, 1000.0));
    assert!(o.flow_events.iter().all(|e| close(e.price, 999.0)), "every clip at the one bid level");
    // The same over 60 s: decisions at 0 and 30 only → 2 rebalances, 600 BTC hedged.
    let (d, _, _) = run(hedge(1000.0, 30.0, 0.0, 1.0), 60);
    assert_eq!((d.rebalances, d.position_lots[0]), (2, -600_000));
    // Every 10 s over 60 s: 0, 10, 20, 30 → done after 4.
    let (d, _, times) = run(hedge(1000.0, 10.0, 0.0, 1.0), 60);
    assert_eq!((d.rebalances, d.position_lots[0]), (4, -1_000_000));
    assert_eq!(times, vec![0.0, 10.0, 20.0, 30.0]);
    // Band 50% (500 BTC): after the first clip the 700-BTC gap trades, after the second the
    // 400-BTC gap is inside the band and nothing more trades.
    let (d, lots, _) = run(hedge(1000.0, 30.0, 0.5, 1.0), 120);
    assert_eq!(lots, vec![-300_000, -300_000]);
    assert_eq!((d.rebalances, d.position_lots[0]), (2, -600_000));
    // Band above the whole target (ratio 0.5 → 500 BTC, band 60% = 600 BTC): no trade at all.
    let (d, lots, _) = run(hedge(1000.0, 30.0, 0.6, 0.5), 120);
    assert!(lots.is_empty());
    assert_eq!((d.rebalances, d.traded_usd, d.pnl_usd), (0, 0.0, 0.0));
}

#[test]
fn a_short_book_is_hedged_by_buying() {
    // Short 2 BTC, ratio 0.5: buy 1 BTC at the first ask, 1001: impact 1 USD, fee 0.5005 USD.
    let bids: Vec<(f64, f64)> = (1..=50).map(|i| (1000.0 - i as f64, 400.0)).collect();
    let model = EngineModel::new(&book_scenario(&bids, f64::INFINITY)).unwrap();
    let m = model.with_desk_hedge(hedge(-2.0, 30.0, 0.0, 0.5)).unwrap();
    let o = Cascade::new(&m).report_path(&m, &flat(10), &RunOptions::default()).outcome;
    let d = o.desk_hedge.unwrap();
    assert_eq!(d.position_lots, vec![1000]);
    assert!(close(d.impact_usd, 1.0) && close(d.fees_usd, 0.5005), "{d:?}");
}

#[test]
fn a_model_without_the_portfolio_refuses_the_hedge() {
    let model = EngineModel::new(&book_scenario(&[(999.0, 1.0)], 0.0)).unwrap();
    let err = model.with_desk_hedge(hedge(0.0, 30.0, 0.0, 1.0)).unwrap_err().to_string();
    assert!(err.contains("hedge") && err.contains("no delta"), "{err}");
    let err = model.with_desk_hedge(hedge(1.0, -5.0, 0.0, 1.0)).unwrap_err().to_string();
    assert!(err.contains("hedge.interval"), "{err}");
}
