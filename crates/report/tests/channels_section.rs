//! The report's forced-flow channels section (issue 16 item 4): present for a run with flows, its
//! table's figures equal the run's per-channel totals and attribution, its chart's stacked series
//! add up to the same totals and to the liquidated notional, and a run without flows has no
//! section at all.

mod common;

use common::meta;
use liq_domain::builders::*;
use liq_domain::*;
use liq_engine::{channel_report, Cascade, EngineModel};
use liq_report::fmt::usd;
use liq_report::policies::{channels_chart, ChannelsSection};
use liq_report::{render_html, ReportInput};

/// One market at 1000 with 20 leveraged longs, a 3× token and dealers short puts at 950.
fn with_flows(flows: bool) -> Scenario {
    let m = market("BTCUSDT", 1.0, 0.001, 1000.0, &[(1e9, 0.01, 50.0)], 0.005);
    let bids: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 - i as f64, 2.0)).collect();
    let asks: Vec<(f64, f64)> = (1..=300).map(|i| (1000.0 + i as f64, 2.0)).collect();
    let accounts = (0..20)
        .map(|i| {
            let entry = 1000.0 - i as f64;
            account(&format!("a{i}"), 500.0 + 40.0 * i as f64, vec![position(&m, 0, 5_000, entry, None)])
        })
        .collect();
    let mut s =
        scenario(VenuePreset::Binance, vec![m], vec![levels(&bids, &asks)], accounts, 1_000.0, vec![-0.12]);
    if flows {
        s.flows.leveraged_tokens.push(LeveragedTokenSpec {
            name: "BTC3L".into(),
            market: MarketId(0),
            leverage: 3.0,
            aum_usd: 20_000.0,
            daily_rebalance_at_s: None,
            intraday_move: 0.1111,
            intraday_reduce_only: true,
        });
        s.flows.dealers = Some(DealerBookSpec {
            options: vec![OptionOpenInterest {
                market: MarketId(0),
                strike: 950.0,
                expiry_years: 7.0 / 365.0,
                option_type: OptionType::Put,
                open_interest: 200.0,
                dealer_sign: -1,
            }],
            vol: 0.6,
            hedge_ratio: 1.0,
            rebalance_interval_s: 1.0,
            min_trade_usd: 0.0,
        });
    }
    s
}

/// The `<td>` texts of the table that follows the section heading.
fn section_cells(html: &str, heading: &str) -> Option<Vec<String>> {
    let start = html.find(&format!("<h2>{heading}</h2>"))?;
    let rest = &html[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    Some(
        rest[..end]
            .split("<td>")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap().replace("&#36;", "$").replace("&amp;", "&"))
            .collect(),
    )
}

#[test]
fn the_channels_section_shows_the_runs_per_channel_totals() {
    let model = EngineModel::new(&with_flows(true)).unwrap();
    let mut c = Cascade::new(&model);
    let report = c.report(&model);
    let attribution = channel_report(&mut c, &model);
    let o = &report.outcome;
    assert_eq!(o.channels.len(), 2, "both channels present");
    assert!(o.channels.iter().any(|t| t.sold_usd > 0.0), "a flow traded");
    let sec = ChannelsSection::new(&report, Some(&attribution)).expect("flows give a section");
    let mut input = ReportInput::from_cascade(meta(), &report);
    input.channels = Some(sec.clone());
    let html = render_html(&input);
    let cells = section_cells(&html, "Forced-flow channels").expect("the section is present");
    // A row per channel (name, traded, liquidations added), then the liquidations row.
    assert_eq!(cells.len(), 3 * (o.channels.len() + 1), "{cells:?}");
    for (i, t) in o.channels.iter().enumerate() {
        let row = &cells[3 * i..3 * i + 3];
        assert_eq!(row[0], t.channel.name());
        assert_eq!(row[1], usd(t.sold_usd + t.bought_usd), "{row:?}");
        let added = attribution.channels.iter().find(|r| r.channel == t.channel).unwrap();
        assert_eq!(row[2], usd(added.liquidations_added_usd));
    }
    let last = &cells[3 * o.channels.len()..];
    assert_eq!(last[0], "liquidations");
    assert_eq!(last[1], usd(o.liquidated_notional_usd()));
    assert!(last[2].starts_with(&usd(attribution.liquidations_only_usd)), "{last:?}");
    // The chart's stacks: each channel's bars add to what it traded, the liquidations' to the
    // run's liquidated notional.
    let chart = channels_chart(&sec);
    let series = chart.option["series"].as_array().unwrap();
    let sum = |name: &str| -> f64 {
        let s = series.iter().find(|s| s["name"] == name).unwrap();
        s["data"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).sum()
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    assert!(close(sum("liquidations"), o.liquidated_notional_usd()));
    for t in &o.channels {
        assert!(close(sum(t.channel.name()), t.sold_usd + t.bought_usd), "{}", t.channel.name());
    }
    assert!(html.contains("id=\"fig-channels\""));
}

#[test]
fn a_run_without_flows_has_no_channels_section() {
    let model = EngineModel::new(&with_flows(false)).unwrap();
    let report = Cascade::new(&model).report(&model);
    assert!(report.outcome.channels.is_empty());
    assert!(ChannelsSection::new(&report, None).is_none());
    let html = render_html(&ReportInput::from_cascade(meta(), &report));
    assert!(!html.contains("Forced-flow channels"));
}
