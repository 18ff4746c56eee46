//! The report's JSON and HTML structure (insta snapshots of a fixed input), the JSON round trip,
//! omitted sections, every static chart's SVG, the interactive charts' JSON, the plot files, and
//! the builders from engine structs.

mod common;

use common::{engine_report, fixed_input, meta};
use liq_report::{render_html, write_plots, ReportInput};

/// The text between each `open` and the following `close`.
fn between<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(close) else { break };
        out.push(&after[..j]);
        rest = &after[j..];
    }
    out
}

/// Headings, figure titles and notes, in page order: the page's structure without the SVG.
fn structure(html: &str) -> Vec<String> {
    let mut items: Vec<(usize, String)> = Vec::new();
    for (tag, open, close) in
        [("h2", "<h2>", "</h2>"), ("figure", "data-title=\"", "\""), ("note", "<p class=\"note\">", "</p>")]
    {
        let mut from = 0;
        for text in between(html, open, close) {
            let pos = html[from..].find(text).map_or(from, |p| p + from);
            from = pos + text.len();
            items.push((pos, format!("{tag}: {text}")));
        }
    }
    items.sort();
    items.into_iter().map(|(_, s)| s).collect()
}

#[test]
fn json_snapshot_and_round_trip() {
    let input = fixed_input();
    let json = serde_json::to_value(&input).unwrap();
    insta::assert_json_snapshot!("fixed_input", json);
    let back: ReportInput = serde_json::from_value(json).unwrap();
    // Equal except the infinite max amplification, which must come back infinite.
    assert_eq!(back.stress.as_ref().unwrap().summary.amplification.max, f64::INFINITY);
    assert_eq!(back, input);
}

#[test]
fn html_structure_snapshot() {
    let html = render_html(&fixed_input());
    insta::assert_debug_snapshot!("html_structure", structure(&html));
    // Self-contained: three inline scripts (ECharts, the data, the glue), no external resources.
    assert_eq!(html.matches("<script").count(), 3);
    let lib = include_str!("../assets/echarts-6.1.0.min.js");
    let own = html.replace(&lib.replace("</script", "<\\/script"), "");
    for banned in [
        "<script src",
        "<link",
        "@import",
        "url(http",
        "<img",
        "<iframe",
        "fetch(",
        "XMLHttpRequest(",
        "https://",
    ] {
        assert!(!own.contains(banned), "{banned}");
    }
    // The inlined library is the committed file.
    assert!(html.contains(&lib[..2000]) && lib.len() > 1_000_000);
    // Every figure has its chart box and its chart in the page's data.
    let specs = liq_report::interactive::all_specs(&fixed_input());
    assert_eq!(html.matches("<figure").count(), specs.len());
    for s in &specs {
        assert!(html.contains(&format!("id=\"chart-{}\"", s.id)), "{}", s.id);
    }
    assert!(html.contains("0123456789abcdef") && html.contains("seed"));
}

#[test]
fn absent_sections_are_omitted_with_a_note() {
    let html = render_html(&ReportInput::new(meta()));
    assert_eq!(html.matches("<figure").count(), 0);
    let notes = between(&html, "<p class=\"note\">", "</p>");
    // A file with none of the cascade's or the Monte Carlo's parts keeps only the headline's
    // note (the analysis commands' own sections stand alone, without a list of absences).
    assert_eq!(notes, ["No cascade or stress result in this file: no headline numbers."]);
    // A file with a stress result but no cascade says which cascade parts it lacks and why:
    // paths, waterfall, fund, heat maps, curve, map.
    let mut stress = ReportInput::new(meta());
    stress.stress = fixed_input().stress;
    let html = render_html(&stress);
    let notes = between(&html, "<p class=\"note\">", "</p>");
    assert_eq!(notes.len(), 6, "{notes:?}");
    assert!(notes.iter().all(|n| !n.is_empty()));
    assert_eq!(notes.iter().filter(|n| n.starts_with("A Monte Carlo result")).count(), 4, "{notes:?}");
    // Scenario names are escaped, not interpreted.
    let mut m = meta();
    m.scenario = "<b>x</b>".into();
    let html = render_html(&ReportInput::new(m));
    assert!(html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;x&lt;/b&gt;"));
}

#[test]
fn every_chart_is_a_non_empty_svg_with_title_axes_and_legend() {
    let input = fixed_input();
    let charts = liq_report::charts::all_charts(&input).unwrap();
    let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "price-path-BTCUSDT",
            "price-path-ETHUSDT",
            "waterfall",
            "fund-adl",
            "shock-loss-BTCUSDT",
            "var-es",
            "venue-es",
            "liquidation-map-BTCUSDT"
        ]
    );
    for c in &charts {
        assert!(c.svg.starts_with("<svg") && c.svg.trim_end().ends_with("</svg>"), "{}", c.id);
        // Drawn shapes, not only the background.
        let shapes = ["<line", "<polyline", "<rect", "<circle", "<path"]
            .iter()
            .map(|t| c.svg.matches(t).count())
            .sum::<usize>();
        assert!(shapes > 10, "{}: {shapes} shapes", c.id);
        assert!(c.svg.contains(&c.title), "{}: title", c.id);
        assert!(c.axes.len() >= 2);
        for a in &c.axes {
            assert!(c.svg.contains(a.as_str()), "{}: axis label {a}", c.id);
            // Units in every value axis: USD, (s), (%), (×); category axes name their categories.
            let unit = ["USD", "(s)", "%", "×"].iter().any(|u| a.contains(u));
            let category = ["generation", "measure", "quantity"].iter().any(|u| a.contains(u));
            assert!(unit || category, "{}: no unit in {a}", c.id);
        }
    }
    // Legends: the series names appear.
    let by = |id: &str| charts.iter().find(|c| c.id == id).unwrap().svg.clone();
    assert!(by("price-path-BTCUSDT").contains("no-impact counterfactual"));
    assert!(by("price-path-BTCUSDT").contains("generation 0 (first-order)"));
    assert!(by("price-path-ETHUSDT").contains("generation 2"));
    assert!(by("waterfall").contains("second-order"));
    assert!(by("var-es").contains("linear (delta-normal)") && by("var-es").contains("cascade-adjusted"));
    assert!(by("shock-loss-BTCUSDT").contains("critical shock 6.00%"));
    assert!(by("liquidation-map-BTCUSDT").contains("current mark"));
    assert!(by("fund-adl").contains("ADL notional, cumulative"));
}

#[test]
fn waterfall_labels_each_generation_increment() {
    let svg = liq_report::charts::bars::waterfall(fixed_input().cascade.as_ref().unwrap()).unwrap().svg;
    // 1.0M + 400k + 100k = 1.5M total.
    for label in ["$1.00M", "$400.00k", "$100.00k", "$1.50M", "total"] {
        assert!(svg.contains(label), "{label}");
    }
}

#[test]
fn plots_are_written_one_file_per_chart() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_plots(&fixed_input(), &dir.path().join("plots")).unwrap();
    assert_eq!(files.len(), 8);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.starts_with("<svg") && text.len() > 2000, "{}", f.display());
    }
    assert!(files[0].ends_with("price-path-BTCUSDT.svg"));
}

#[test]
fn bad_numbers_do_not_panic() {
    let mut input = fixed_input();
    let c = input.cascade.as_mut().unwrap();
    c.paths[0].cascade.push((f64::NAN, f64::INFINITY));
    c.paths[1].cascade.clear();
    c.paths[1].counterfactual.clear();
    c.generations[1].notional_usd = f64::NAN;
    input.critical[0].curve[0].amplification = f64::INFINITY;
    input.liquidation_maps[0].bins.push(liq_network::liqmap::MapBin {
        price_lo: f64::NAN,
        price_hi: 1.0,
        long_usd: -5.0,
        short_usd: 0.0,
        edge_price: 1.0,
        cumulative_first_order_usd: f64::INFINITY,
        cumulative_cascade_usd: None,
        cascade_all_markets_usd: None,
        cascade_mark_end: None,
    });
    let html = render_html(&input);
    assert_eq!(html.matches("<figure").count(), liq_report::interactive::all_specs(&input).len());
    let data = &html[html.find("id=\"report-data\">").unwrap()..];
    let data = &data[..data.find("</script>").unwrap()];
    assert!(!data.contains("NaN") && !data.contains("Infinity"), "non-finite numbers reach the page");
    assert_eq!(liq_report::charts::all_charts(&input).unwrap().len(), 8);
    // An input with every list empty still renders.
    let mut empty = fixed_input();
    let c = empty.cascade.as_mut().unwrap();
    c.paths.clear();
    c.generations.clear();
    c.liquidations.clear();
    c.fund.clear();
    c.fund_counterfactual.clear();
    empty.critical[0].curve.clear();
    empty.liquidation_maps[0].bins.clear();
    let s = &mut empty.stress.as_mut().unwrap().summary;
    s.venue.clear();
    s.linear.clear();
    assert!(render_html(&empty).contains("<figure"));
    assert!(liq_report::charts::all_charts(&empty).is_ok());
}

#[test]
fn from_cascade_mirrors_the_engine_report() {
    let (_, report, meta) = engine_report("single-market-isolated.toml");
    let input = ReportInput::from_cascade(&meta, &report);
    let c = input.cascade.as_ref().unwrap();
    assert_eq!(input.meta.scenario_hash, meta.scenario_hash);
    assert_eq!(c.summary.liquidated_notional_usd, report.summary.liquidated_notional_usd);
    assert_eq!(c.markets.len(), report.markets.len());
    assert_eq!(c.generations.len(), report.generations.len());
    let o = &report.outcome;
    // Markers: every liquidating event counted once, so their notional adds up to the total.
    let markers: f64 = c.liquidations.iter().map(|m| m.notional_usd).sum();
    let events: f64 = o.events.iter().filter(|e| e.kind.liquidates()).map(|e| e.notional_usd).sum();
    assert!((markers - events).abs() <= 1e-6 * events.max(1.0));
    assert_eq!(
        c.liquidations.iter().map(|m| m.events).sum::<u64>(),
        o.events.iter().filter(|e| e.kind.liquidates()).count() as u64
    );
    // Generation split by market adds up to the generation's total.
    for (g, by_market) in c.generations.iter().zip(&c.notional_by_market_usd) {
        let s: f64 = by_market.iter().sum();
        assert!((s - g.notional_usd).abs() <= 1e-6 * g.notional_usd.max(1.0));
    }
    // Paths: pre-shock mark one round before 0, then the after-shock mark at 0, then the end mark.
    let p = &c.paths[0];
    assert_eq!(p.cascade[0], (-o.step_s, o.markets[0].mark_start));
    assert_eq!(p.cascade[1], (0.0, o.markets[0].mark_after_shock));
    assert_eq!(p.cascade.last().unwrap().1, o.markets[0].mark_end);
    assert_eq!(p.counterfactual.last().unwrap().1, report.counterfactual.markets[0].mark_end);
    // Generation-0 markers sit at t = 0 on the after-shock mark.
    for m in c.liquidations.iter().filter(|m| m.generation == 0) {
        assert_eq!((m.time_s, m.mark), (0.0, o.markets[m.market].mark_after_shock));
    }
    // Fund: starts at the fund's start, ends at its end; ADL cumulative ends at the ADL total.
    assert_eq!(c.fund[0].fund_usd, o.insurance_fund_start_usd);
    assert!((c.fund.last().unwrap().fund_usd - o.insurance_fund_end_usd).abs() < 1e-6);
    assert!(
        (c.fund.last().unwrap().adl_cum_usd - o.adl_notional_usd).abs() <= 1e-6 * o.adl_notional_usd.max(1.0)
    );
    assert!(c.fund.windows(2).all(|w| w[1].adl_cum_usd >= w[0].adl_cum_usd));
    // The example exhausts its fund and uses ADL (see its comments): the report shows both.
    assert!(o.adl_notional_usd > 0.0);
    assert!(!c.path_run, "an instant shock is not a path run");
    // Price path, waterfall, fund panels, the price × time heat map.
    let ids: Vec<String> = liq_report::interactive::all_specs(&input).into_iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert!(ids[3].starts_with("time-heatmap-"));
}

#[test]
fn builders_from_stress_and_critical_structs() {
    use liq_stress::critical::{CriticalShock, CurvePoint};
    use liq_stress::{summarise, MonteCarloConfig, PathRow, StressContext};
    let (_, report, meta) = engine_report("single-market-isolated.toml");
    let cfg = MonteCarloConfig {
        paths: 100,
        horizon_s: 3600.0,
        steps: 10,
        copula: liq_stress::Copula::Gaussian,
        daily_vol: vec![0.03],
        correlation: vec![vec![1.0]],
        seed: 1,
    };
    let ctx = StressContext {
        version: "test".into(),
        scenario: meta.scenario.clone(),
        scenario_hash: meta.scenario_hash.clone(),
        markets: vec!["BTCUSDT".into()],
        config: cfg,
        portfolio: "aggregate book (all accounts)".into(),
        deltas_usd: vec![1e6],
        throughput_per_step: None,
        venue: "binance".into(),
        adl_policy: "venue".into(),
    };
    // Loss i for path i = 1..=100 (no feedback) and 2i (cascade): 99% ES = (99 + 100) / 2 = 99.5
    // and 199 (see liq_stress::risk's own worked example).
    let rows: Vec<PathRow> = (1..=100u64)
        .map(|i| PathRow {
            path: i,
            loss_nf: i as f64,
            loss_c: 2.0 * i as f64,
            liquidated_nf: 0.0,
            liquidated_c: 0.0,
            first_order_c: 0.0,
            second_order_c: 0.0,
            amplification: 1.0,
            bad_debt_nf: 0.0,
            bad_debt_c: 0.0,
            fund_drawdown_nf: 0.0,
            fund_drawdown_c: 0.0,
            adl_nf: 0.0,
            adl_c: 0.0,
            accounts_nf: 0,
            accounts_c: 0,
            trough_nf: vec![-0.01],
            trough_c: vec![-0.02],
            end_nf: vec![-0.01],
            end_c: vec![-0.02],
        })
        .collect();
    let summary = summarise(&ctx, &rows);
    let crit = CriticalShock {
        market: "BTCUSDT".into(),
        threshold: 2.0,
        curve: vec![CurvePoint {
            shock: -0.05,
            liquidated_usd: 10.0,
            first_order_usd: 0.0,
            amplification: f64::INFINITY,
            bad_debt_usd: 0.0,
            adl_usd: 0.0,
            accounts_loss_usd: 1.0,
            mark_end: -0.05,
        }],
        critical_shock: None,
    };
    let map = fixed_input().liquidation_maps[0].clone();
    let input = ReportInput::from_cascade(&meta, &report)
        .with_stress(&ctx, &summary)
        .with_critical(&crit)
        .with_critical(&crit)
        .with_liquidation_map(&map)
        .with_liquidation_map(&map);
    let s = &input.stress.as_ref().unwrap().summary;
    assert_eq!((s.loss.no_feedback[0].es, s.loss.cascade[0].es), (99.5, 199.0));
    assert_eq!(s.es99_cascade_over_no_feedback, 2.0);
    // Same market twice: replaced, not duplicated.
    assert_eq!((input.critical.len(), input.liquidation_maps.len()), (1, 1));
    let json = serde_json::to_string(&input).unwrap();
    assert!(json.contains("\"amplification\":\"inf\""));
    let back: ReportInput = serde_json::from_str(&json).unwrap();
    assert_eq!(back.critical[0].curve[0].amplification, f64::INFINITY);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.json");
    input.write_json(&path).unwrap();
    assert_eq!(ReportInput::read_json(&path).unwrap().meta, input.meta);
    std::fs::write(&path, "{\"meta\": 1}").unwrap();
    let err = ReportInput::read_json(&path).unwrap_err().to_string();
    assert!(err.contains("result.json"), "{err}");
}
