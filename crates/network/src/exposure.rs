//! The exposure graph: accounts × markets (bipartite, edge weight = position notional at the
//! starting mark) and its two projections.
//!
//! - **Market–market**: for each pair, the number of accounts holding both, their notional in the
//!   two markets, and the *cross-margin links*: accounts whose one cross wallet depends on both
//!   marks (cross positions in both, or a cross position in one and volatile collateral priced in
//!   the other). A cross-margin link is the channel by which a crash in one market liquidates
//!   positions in the other without any price spillover.
//! - **Account–account overlap**: accounts exposed in the same direction to the same market are
//!   liquidated by the same moves and sell into the same book. The weight of a pair is
//!   `Σ_k min(|n_a,k|, |n_b,k|)` over markets where both are net long or both net short. The full
//!   projection of N accounts has O(N²) edges, so it is built over the `top_n` accounts by gross
//!   notional only (default 200: 19,900 possible pairs), which cover the systemically relevant
//!   tail of a Pareto-sized population.

use liq_engine::EngineModel;
use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

/// A node of the bipartite graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BipartiteNode {
    Account(u32),
    Market(usize),
}

/// One account's exposure at the start.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountExposure {
    pub account: u32,
    /// `(market, net signed notional USD, gross notional USD)` per market held.
    pub markets: Vec<(usize, f64, f64)>,
    /// Markets the account's cross wallet depends on through positions.
    pub cross_position_markets: Vec<usize>,
    /// Markets pricing the account's volatile collateral (only if it has cross positions).
    pub collateral_markets: Vec<usize>,
}

impl AccountExposure {
    pub fn gross_notional(&self) -> f64 {
        self.markets.iter().map(|m| m.2).sum()
    }
    pub fn notional_in(&self, k: usize) -> f64 {
        self.markets.iter().filter(|m| m.0 == k).map(|m| m.2).sum()
    }
}

/// Weights of a market–market edge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct MarketLink {
    /// Accounts with positions in both markets (any margin mode).
    pub shared_accounts: u64,
    /// Notional those accounts hold in the two markets together, USD.
    pub shared_notional_usd: f64,
    /// Accounts whose single cross wallet depends on both marks.
    pub cross_margin_links: u64,
    /// Notional those cross wallets hold in the two markets together, USD.
    pub cross_margin_notional_usd: f64,
}

/// The three graphs.
#[derive(Debug, Clone)]
pub struct ExposureGraph {
    pub market_names: Vec<String>,
    pub exposures: Vec<AccountExposure>,
    /// Accounts and markets; edge weight = gross notional of the account in the market, USD.
    pub bipartite: UnGraph<BipartiteNode, f64>,
    /// Node i = market i.
    pub markets: UnGraph<String, MarketLink>,
    /// Node i = `top_accounts[i]`; weight = same-direction overlap notional, USD.
    pub accounts: UnGraph<u32, f64>,
    pub top_accounts: Vec<u32>,
    /// Open interest of the population per market (gross notional, one side counted per position).
    pub open_interest_usd: Vec<f64>,
}

/// Per-account exposure from the model's positions and collateral.
pub fn account_exposures(model: &EngineModel) -> Vec<AccountExposure> {
    let mut out = Vec::with_capacity(model.n_accounts());
    for a in 0..model.n_accounts() as u32 {
        let mut e = AccountExposure {
            account: a,
            markets: Vec::new(),
            cross_position_markets: Vec::new(),
            collateral_markets: Vec::new(),
        };
        for s in model.account_positions(a) {
            let p = model.position(s as u32);
            let n = p.qty * model.mark0[p.market];
            match e.markets.iter_mut().find(|m| m.0 == p.market) {
                Some(m) => {
                    m.1 += n;
                    m.2 += n.abs();
                }
                None => e.markets.push((p.market, n, n.abs())),
            }
            if !p.isolated && !e.cross_position_markets.contains(&p.market) {
                e.cross_position_markets.push(p.market);
            }
        }
        if e.markets.is_empty() {
            continue;
        }
        if !e.cross_position_markets.is_empty() {
            for (asset, qty) in model.account_collateral(a) {
                if let Some(k) = model.asset_market(asset) {
                    if qty > 0.0 && !e.collateral_markets.contains(&k) {
                        e.collateral_markets.push(k);
                    }
                }
            }
        }
        out.push(e);
    }
    out
}

/// Builds the bipartite graph and both projections (`top_n` accounts in the overlap graph).
pub fn build_exposure_graph(model: &EngineModel, top_n: usize) -> ExposureGraph {
    let n_m = model.n_markets();
    let exposures = account_exposures(model);
    let market_names: Vec<String> = model.markets.iter().map(|m| m.symbol.clone()).collect();

    let mut bipartite = UnGraph::with_capacity(exposures.len() + n_m, exposures.len() * 2);
    let market_nodes: Vec<NodeIndex> =
        (0..n_m).map(|k| bipartite.add_node(BipartiteNode::Market(k))).collect();
    let mut open_interest_usd = vec![0.0; n_m];
    for e in &exposures {
        let node = bipartite.add_node(BipartiteNode::Account(e.account));
        for &(k, _, gross) in &e.markets {
            bipartite.add_edge(node, market_nodes[k], gross);
            open_interest_usd[k] += gross;
        }
    }

    let mut links = vec![vec![MarketLink::default(); n_m]; n_m];
    for e in &exposures {
        for (i, &(k, _, nk)) in e.markets.iter().enumerate() {
            for &(l, _, nl) in &e.markets[i + 1..] {
                let (a, b) = (k.min(l), k.max(l));
                links[a][b].shared_accounts += 1;
                links[a][b].shared_notional_usd += nk + nl;
            }
        }
        // Pairs (position market, any other market the same wallet depends on).
        let mut deps: Vec<usize> = e.cross_position_markets.clone();
        for &k in &e.collateral_markets {
            if !deps.contains(&k) {
                deps.push(k);
            }
        }
        for (i, &k) in deps.iter().enumerate() {
            for &l in &deps[i + 1..] {
                if !e.cross_position_markets.contains(&k) && !e.cross_position_markets.contains(&l) {
                    continue;
                }
                let (a, b) = (k.min(l), k.max(l));
                links[a][b].cross_margin_links += 1;
                links[a][b].cross_margin_notional_usd += e.notional_in(a) + e.notional_in(b);
            }
        }
    }
    let mut markets = UnGraph::with_capacity(n_m, n_m * n_m / 2);
    for name in &market_names {
        markets.add_node(name.clone());
    }
    for (a, row) in links.into_iter().enumerate() {
        for (b, link) in row.into_iter().enumerate() {
            if b > a && (link.shared_accounts > 0 || link.cross_margin_links > 0) {
                markets.add_edge(NodeIndex::new(a), NodeIndex::new(b), link);
            }
        }
    }

    let mut order: Vec<usize> = (0..exposures.len()).collect();
    // Ties by account index keep the selection deterministic.
    order.sort_by(|&x, &y| {
        exposures[y].gross_notional().total_cmp(&exposures[x].gross_notional()).then(x.cmp(&y))
    });
    order.truncate(top_n);
    let top_accounts: Vec<u32> = order.iter().map(|&i| exposures[i].account).collect();
    let mut accounts = UnGraph::with_capacity(order.len(), 0);
    for &a in &top_accounts {
        accounts.add_node(a);
    }
    for (i, &x) in order.iter().enumerate() {
        for (j, &y) in order.iter().enumerate().skip(i + 1) {
            let w = overlap(&exposures[x], &exposures[y]);
            if w > 0.0 {
                accounts.add_edge(NodeIndex::new(i), NodeIndex::new(j), w);
            }
        }
    }
    ExposureGraph { market_names, exposures, bipartite, markets, accounts, top_accounts, open_interest_usd }
}

/// Same-direction overlap notional of two accounts (see the module doc).
pub fn overlap(a: &AccountExposure, b: &AccountExposure) -> f64 {
    let mut w = 0.0;
    for &(k, na, _) in &a.markets {
        for &(l, nb, _) in &b.markets {
            if k == l && na * nb > 0.0 {
                w += na.abs().min(nb.abs());
            }
        }
    }
    w
}

/// A row of the market-pair table.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MarketPairRow {
    pub market_a: String,
    pub market_b: String,
    #[serde(flatten)]
    pub link: MarketLink,
}

impl ExposureGraph {
    /// Market pairs ranked by cross-margin links, then by shared notional.
    pub fn market_pairs(&self) -> Vec<MarketPairRow> {
        let mut rows: Vec<MarketPairRow> = self
            .markets
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.markets.edge_endpoints(e)?;
                Some(MarketPairRow {
                    market_a: self.markets[a].clone(),
                    market_b: self.markets[b].clone(),
                    link: self.markets[e].clone(),
                })
            })
            .collect();
        rows.sort_by(|x, y| {
            y.link
                .cross_margin_links
                .cmp(&x.link.cross_margin_links)
                .then(y.link.shared_notional_usd.total_cmp(&x.link.shared_notional_usd))
        });
        rows
    }
}
