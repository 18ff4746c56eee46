//! Stop-loss and take-profit clusters: conditional orders resting at one price level that become
//! one market order in the perp book the first round the mark reaches that level.
//!
//! Venues let a trader trigger on the mark or on the last price (Binance "workingType"
//! MARK_PRICE / CONTRACT_PRICE); the cascade triggers on the mark, the price its liquidations use,
//! so a stop and a liquidation at the same level fire in the same round. The owners are a ledger
//! holder: a sell stop's owners hold the long position the stop closes, entered at the start.

use liq_domain::{MarketSpec, Side, StopClusterSpec};

/// The cluster's order, signed lots (negative = sell): its notional at the trigger price.
pub fn order_lots(spec: &StopClusterSpec, m: &MarketSpec) -> i64 {
    let lots = (spec.notional_usd / (spec.price * m.lot_size)).round().min(1e15) as i64;
    match spec.side {
        Side::Sell => -lots,
        Side::Buy => lots,
    }
}

/// Whether the mark has reached the cluster's level.
pub fn touched(spec: &StopClusterSpec, mark: f64) -> bool {
    if spec.triggers_below() {
        mark <= spec.price
    } else {
        mark >= spec.price
    }
}
