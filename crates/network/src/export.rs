//! Graph exports: GraphML, DOT and JSON, written by hand with proper escaping.
//!
//! Every graph is first turned into a [`GraphExport`] (nodes and edges with named numeric
//! attributes), so the three writers share one shape and the CLI can export any of the exposure
//! graphs. GraphML declares each attribute as a `<key>` of type double; DOT quotes every id and
//! label; JSON goes through serde_json.

use crate::exposure::{BipartiteNode, ExposureGraph};
use liq_engine::AccountLabels;
use serde::Serialize;
use std::io::Write;

/// A node: stable id, display label, kind (`market`/`account`) and numeric attributes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportNode {
    pub id: String,
    pub label: String,
    pub kind: String,
    pub attrs: Vec<(String, f64)>,
}

/// An edge between two node ids with numeric attributes (the first is the main weight).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportEdge {
    pub source: String,
    pub target: String,
    pub attrs: Vec<(String, f64)>,
}

/// A graph ready to be written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphExport {
    pub name: String,
    pub directed: bool,
    pub nodes: Vec<ExportNode>,
    pub edges: Vec<ExportEdge>,
}

fn market_node(g: &ExposureGraph, k: usize) -> ExportNode {
    ExportNode {
        id: format!("m{k}"),
        label: g.market_names[k].clone(),
        kind: "market".into(),
        attrs: vec![("open_interest_usd".into(), g.open_interest_usd[k])],
    }
}

fn account_node(model_labels: &AccountLabels, g: &ExposureGraph, a: u32) -> ExportNode {
    // Exposures are in account order: a binary search keeps the full bipartite export O(N log N).
    let gross = g
        .exposures
        .binary_search_by_key(&a, |e| e.account)
        .map(|i| g.exposures[i].gross_notional())
        .unwrap_or(0.0);
    ExportNode {
        id: format!("a{a}"),
        label: model_labels.get(a as usize).map_or_else(|| format!("account {a}"), str::to_string),
        kind: "account".into(),
        attrs: vec![("gross_notional_usd".into(), gross)],
    }
}

/// The market–market projection.
pub fn market_graph_export(g: &ExposureGraph) -> GraphExport {
    let nodes = (0..g.market_names.len()).map(|k| market_node(g, k)).collect();
    let edges = g
        .markets
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = g.markets.edge_endpoints(e)?;
            let l = &g.markets[e];
            Some(ExportEdge {
                source: format!("m{}", a.index()),
                target: format!("m{}", b.index()),
                attrs: vec![
                    ("cross_margin_links".into(), l.cross_margin_links as f64),
                    ("shared_accounts".into(), l.shared_accounts as f64),
                    ("shared_notional_usd".into(), l.shared_notional_usd),
                    ("cross_margin_notional_usd".into(), l.cross_margin_notional_usd),
                ],
            })
        })
        .collect();
    GraphExport { name: "markets".into(), directed: false, nodes, edges }
}

/// The account–account overlap projection over the top accounts.
pub fn account_graph_export(g: &ExposureGraph, labels: &AccountLabels) -> GraphExport {
    let nodes = g.top_accounts.iter().map(|&a| account_node(labels, g, a)).collect();
    let edges = g
        .accounts
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = g.accounts.edge_endpoints(e)?;
            Some(ExportEdge {
                source: format!("a{}", g.accounts[a]),
                target: format!("a{}", g.accounts[b]),
                attrs: vec![("overlap_notional_usd".into(), g.accounts[e])],
            })
        })
        .collect();
    GraphExport { name: "account_overlap".into(), directed: false, nodes, edges }
}

/// The bipartite graph, restricted to the top accounts of the overlap graph when `top_only`
/// (the full graph of a 120,000-account population is large but valid).
pub fn bipartite_export(g: &ExposureGraph, labels: &AccountLabels, top_only: bool) -> GraphExport {
    let mut top = g.top_accounts.clone();
    top.sort_unstable();
    let keep = |a: u32| !top_only || top.binary_search(&a).is_ok();
    let mut nodes = Vec::new();
    for n in g.bipartite.node_indices() {
        match g.bipartite[n] {
            BipartiteNode::Market(k) => nodes.push(market_node(g, k)),
            BipartiteNode::Account(a) if keep(a) => nodes.push(account_node(labels, g, a)),
            BipartiteNode::Account(_) => {}
        }
    }
    let id = |n: BipartiteNode| match n {
        BipartiteNode::Market(k) => format!("m{k}"),
        BipartiteNode::Account(a) => format!("a{a}"),
    };
    let edges = g
        .bipartite
        .edge_indices()
        .filter_map(|e| {
            let (x, y) = g.bipartite.edge_endpoints(e)?;
            let (nx, ny) = (g.bipartite[x], g.bipartite[y]);
            let account = if let BipartiteNode::Account(a) = nx {
                a
            } else if let BipartiteNode::Account(a) = ny {
                a
            } else {
                return None;
            };
            keep(account).then(|| ExportEdge {
                source: id(nx),
                target: id(ny),
                attrs: vec![("notional_usd".into(), g.bipartite[e])],
            })
        })
        .collect();
    GraphExport { name: "accounts_markets".into(), directed: false, nodes, edges }
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab/newline are not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text inside a double-quoted DOT id.
pub fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn fmt_num(x: f64) -> String {
    // GraphML doubles and DOT numbers: finite values as Rust prints them, non-finite as NaN/INF
    // spelled the way XML Schema's double type accepts.
    if x.is_finite() {
        format!("{x}")
    } else if x.is_nan() {
        "NaN".into()
    } else if x > 0.0 {
        "INF".into()
    } else {
        "-INF".into()
    }
}

/// Writes GraphML.
pub fn write_graphml(g: &GraphExport, mut w: impl Write) -> std::io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(w, r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#)?;
    writeln!(w, r#"  <key id="label" for="node" attr.name="label" attr.type="string"/>"#)?;
    writeln!(w, r#"  <key id="kind" for="node" attr.name="kind" attr.type="string"/>"#)?;
    let mut node_keys: Vec<&str> = Vec::new();
    for n in &g.nodes {
        for (k, _) in &n.attrs {
            if !node_keys.contains(&k.as_str()) {
                node_keys.push(k);
            }
        }
    }
    let mut edge_keys: Vec<&str> = Vec::new();
    for e in &g.edges {
        for (k, _) in &e.attrs {
            if !edge_keys.contains(&k.as_str()) {
                edge_keys.push(k);
            }
        }
    }
    for k in &node_keys {
        let k = xml_escape(k);
        writeln!(w, r#"  <key id="n_{k}" for="node" attr.name="{k}" attr.type="double"/>"#)?;
    }
    for k in &edge_keys {
        let k = xml_escape(k);
        writeln!(w, r#"  <key id="e_{k}" for="edge" attr.name="{k}" attr.type="double"/>"#)?;
    }
    let dir = if g.directed { "directed" } else { "undirected" };
    writeln!(w, r#"  <graph id="{}" edgedefault="{dir}">"#, xml_escape(&g.name))?;
    for n in &g.nodes {
        writeln!(w, r#"    <node id="{}">"#, xml_escape(&n.id))?;
        writeln!(w, r#"      <data key="label">{}</data>"#, xml_escape(&n.label))?;
        writeln!(w, r#"      <data key="kind">{}</data>"#, xml_escape(&n.kind))?;
        for (k, v) in &n.attrs {
            writeln!(w, r#"      <data key="n_{}">{}</data>"#, xml_escape(k), fmt_num(*v))?;
        }
        writeln!(w, "    </node>")?;
    }
    for e in &g.edges {
        writeln!(w, r#"    <edge source="{}" target="{}">"#, xml_escape(&e.source), xml_escape(&e.target))?;
        for (k, v) in &e.attrs {
            writeln!(w, r#"      <data key="e_{}">{}</data>"#, xml_escape(k), fmt_num(*v))?;
        }
        writeln!(w, "    </edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")
}

/// Writes Graphviz DOT. The first edge attribute becomes `weight` as well.
pub fn write_dot(g: &GraphExport, mut w: impl Write) -> std::io::Result<()> {
    let (kw, arrow) = if g.directed { ("digraph", "->") } else { ("graph", "--") };
    writeln!(w, "{kw} \"{}\" {{", dot_escape(&g.name))?;
    for n in &g.nodes {
        write!(
            w,
            "  \"{}\" [label=\"{}\", kind=\"{}\"",
            dot_escape(&n.id),
            dot_escape(&n.label),
            dot_escape(&n.kind)
        )?;
        for (k, v) in &n.attrs {
            write!(w, ", \"{}\"=\"{}\"", dot_escape(k), fmt_num(*v))?;
        }
        writeln!(w, "];")?;
    }
    for e in &g.edges {
        write!(w, "  \"{}\" {arrow} \"{}\" [", dot_escape(&e.source), dot_escape(&e.target))?;
        if let Some((_, v)) = e.attrs.first() {
            write!(w, "weight=\"{}\"", fmt_num(*v))?;
        }
        for (k, v) in &e.attrs {
            write!(w, ", \"{}\"=\"{}\"", dot_escape(k), fmt_num(*v))?;
        }
        writeln!(w, "];")?;
    }
    writeln!(w, "}}")
}

/// Writes the graph as JSON (`{name, directed, nodes, edges}`, attributes as objects).
pub fn write_json(g: &GraphExport, w: impl Write) -> Result<(), serde_json::Error> {
    let attrs = |a: &[(String, f64)]| {
        // Non-finite numbers have no JSON form: they are written as null.
        serde_json::Value::Object(a.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect())
    };
    let value = serde_json::json!({
        "name": g.name,
        "directed": g.directed,
        "nodes": g.nodes.iter().map(|n| serde_json::json!({
            "id": n.id, "label": n.label, "kind": n.kind, "attrs": attrs(&n.attrs),
        })).collect::<Vec<_>>(),
        "edges": g.edges.iter().map(|e| serde_json::json!({
            "source": e.source, "target": e.target, "attrs": attrs(&e.attrs),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(w, &value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> GraphExport {
        GraphExport {
            name: "t<&>".into(),
            directed: false,
            nodes: vec![
                ExportNode {
                    id: "m0".into(),
                    label: "BTC\"<x>&".into(),
                    kind: "market".into(),
                    attrs: vec![("oi".into(), 1.5)],
                },
                ExportNode {
                    id: "a1".into(),
                    label: "back\\slash \"q\"".into(),
                    kind: "account".into(),
                    attrs: vec![],
                },
            ],
            edges: vec![ExportEdge {
                source: "a1".into(),
                target: "m0".into(),
                attrs: vec![("w".into(), f64::NAN)],
            }],
        }
    }

    #[test]
    fn graphml_escapes_markup() {
        let mut out = Vec::new();
        write_graphml(&tiny(), &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("<data key=\"label\">BTC&quot;&lt;x&gt;&amp;</data>"), "{s}");
        assert!(s.contains("<graph id=\"t&lt;&amp;&gt;\" edgedefault=\"undirected\">"));
        assert!(s.contains("<data key=\"e_w\">NaN</data>"));
        assert!(s.contains("<key id=\"n_oi\" for=\"node\" attr.name=\"oi\" attr.type=\"double\"/>"));
    }

    #[test]
    fn dot_escapes_quotes_and_backslashes() {
        let mut out = Vec::new();
        write_dot(&tiny(), &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains(r#"label="back\\slash \"q\"""#), "{s}");
        assert!(s.contains(r#""a1" -- "m0" [weight="NaN""#), "{s}");
    }

    #[test]
    fn json_round_trips() {
        let mut out = Vec::new();
        write_json(&tiny(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["nodes"][0]["label"], "BTC\"<x>&");
        assert_eq!(v["nodes"][0]["attrs"]["oi"], 1.5);
        assert!(v["edges"][0]["attrs"]["w"].is_null());
    }
}
