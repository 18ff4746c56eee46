//! The venue comparison (`liqcascade compare --venues …`): each venue's run of the same book
//! and shock ([`VenueRun`]) and the rules that differ between them ([`RuleDifference`]), as one
//! result type ([`VenueComparison`]) that the CLI's JSON, the HTML report and the Python package
//! all read.
//!
//! The differing rules are found, not written: each venue's rules as the run uses them (its
//! `liq_margin::Rulebook`, the mark rule and its clock, the funding interval, the index of every
//! market and the margin table of every market, as loaded for that venue) are serialised to JSON
//! ([`venue_rules`]) and compared leaf by leaf ([`differences`]); a leaf that is not the same on
//! every venue is one line.

use liq_domain::Scenario;
use liq_engine::Summary;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The comparison: one run per venue, in the order asked, and the rules that differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VenueComparison {
    pub venues: Vec<VenueRun>,
    pub differences: Vec<RuleDifference>,
}

/// One venue's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VenueRun {
    pub venue: String,
    pub scenario_hash: Option<String>,
    pub accounts: usize,
    pub summary: Option<Summary>,
    /// Per market: the end mark's move from the start.
    pub mark_move: Vec<(String, f64)>,
    /// Why the venue could not run this book (its tables do not cover a market).
    pub error: Option<String>,
}

/// One rule that is not the same on every venue: its path and each venue's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleDifference {
    pub rule: String,
    pub values: Vec<(String, Value)>,
}

/// The rules a run on `s` uses, as one JSON object (what [`differences`] compares).
pub fn venue_rules(s: &Scenario) -> Value {
    let (mark, mark_clock) = liq_margin::mark::venue_mark_rule(s.venue);
    let mark = if s.engine.mark == liq_domain::MarkRule::Venue { mark } else { s.engine.mark };
    let mut markets = serde_json::Map::new();
    for (k, m) in s.markets.iter().enumerate() {
        let table = liq_margin::tiers::identify(&m.symbol, &m.ladder).map(|t| t.name());
        let tiers = m.ladder.tiers();
        let index = s.price.index.get(k).and_then(|i| i.as_ref()).map(|i| {
            let weights: BTreeMap<String, f64> =
                i.constituents.iter().map(|&(spot, w)| (s.price.spot[spot].name.clone(), w)).collect();
            serde_json::json!({ "rule": i.rule, "weights": weights })
        });
        markets.insert(
            m.symbol.clone(),
            serde_json::json!({
                "margin_table": table,
                "first_tier_mmr": tiers.first().map(|t| t.mmr),
                "first_tier_max_leverage": tiers.first().map(|t| t.max_leverage),
                "tiers": tiers.len(),
                "liquidation_fee_rate": m.liquidation_fee_rate,
                "index": index,
            }),
        );
    }
    serde_json::json!({
        "rulebook": liq_margin::Rulebook::for_venue(s.venue),
        "mark": { "rule": mark, "update_s": mark_clock },
        "funding_interval_s": s.price.funding.interval_s,
        "markets": markets,
    })
}

fn leaves(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(&p, x, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// Every leaf of the venues' rules that is not the same on all of them (a leaf missing on a
/// venue counts as `null`), in path order.
pub fn differences(rules: &[(String, Value)]) -> Vec<RuleDifference> {
    let flat: Vec<(String, BTreeMap<String, Value>)> = rules
        .iter()
        .map(|(v, r)| {
            let mut m = BTreeMap::new();
            leaves("", r, &mut m);
            (v.clone(), m)
        })
        .collect();
    let mut paths: Vec<&String> = flat.iter().flat_map(|(_, m)| m.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for p in paths {
        let values: Vec<(String, Value)> =
            flat.iter().map(|(v, m)| (v.clone(), m.get(p).cloned().unwrap_or(Value::Null))).collect();
        if values.windows(2).any(|w| w[0].1 != w[1].1) {
            out.push(RuleDifference { rule: p.clone(), values });
        }
    }
    out
}
