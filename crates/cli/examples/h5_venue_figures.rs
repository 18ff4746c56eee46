// Throwaway (not committed): per-venue figures of the default scenario at a BTC shock.
use liq_engine::{Cascade, EngineModel};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = &args[1];
    let shock: f64 = args[2].parse().unwrap();
    let pro_rata = args.get(3).is_some_and(|a| a == "pro-rata");
    let s = liq_io::load_scenario(std::path::Path::new(path)).unwrap();
    let mut model = EngineModel::new(&s).unwrap();
    model.set_shock(s.markets.iter().map(|m| if m.symbol.starts_with("BTC") { shock } else { 0.0 }).collect());
    if pro_rata {
        model.rulebook.adl.policy = liq_margin::rulebook::AdlPolicy::ProRata;
    }
    let t = std::time::Instant::now();
    let r = Cascade::new(&model).report(&model);
    let o = &r.outcome;
    let kinds = |k: liq_engine::EventKind| -> f64 { o.events.iter().filter(|e| e.kind == k).map(|e| e.notional_usd).sum() };
    println!(
        "venue={} shock={} liquidated={:.0} first={:.0} accounts={} rounds={} cap_hit={} market_fill={:.0} takeover={:.0} backstop={:.0} adl={:.0} adl_cp={} adl_deficit={:.0} adl_overshoot={:.0} fund_start={:.0} fund_end={:.0} fund_min={:.0} unwind={:.0} unwind_pnl={:.0} inventory_lots={:?} bad_debt={:.0} retries={} fees={:.0} marks_end={:?} ms={}",
        s.venue.name(), shock, r.summary.liquidated_notional_usd, r.summary.first_order_notional_usd, o.accounts_liquidated, o.rounds, o.round_cap_hit,
        kinds(liq_engine::EventKind::MarketFill), kinds(liq_engine::EventKind::FundTakeover), kinds(liq_engine::EventKind::Backstop),
        o.adl_notional_usd, o.adl_counterparties, o.adl_deficit_usd, o.adl_overshoot_usd,
        o.insurance_fund_start_usd, o.insurance_fund_end_usd, o.insurance_fund_min_usd,
        o.markets.iter().map(|m| m.fund_unwind_usd).sum::<f64>(), o.fund_unwind_pnl_usd,
        o.markets.iter().map(|m| m.fund_inventory_lots).collect::<Vec<_>>(), o.bad_debt_usd, o.liquidation_retries, o.liquidation_fees_usd,
        o.markets.iter().map(|m| (m.mark_end * 100.0).round() / 100.0).collect::<Vec<_>>(), t.elapsed().as_millis()
    );
}
