//! DebtRank (Battiston, Puliga, Kaushik, Tasca, Caldarelli, "DebtRank: Too Central to Fail?",
//! Sci. Rep. 2, 541, 2012) and the account/market impact graph it runs on.
//!
//! **Algorithm.** Nodes have relative economic value `v_i` (Σ v = 1) and a distress level
//! `h_i ∈ [0, 1]`; `W[i][j]` is the impact of i's full distress on j. Each node is Undistressed,
//! Distressed or Inactive. At t = 1 the initially distressed nodes (h > 0) are D. Each step:
//! `h_j(t) = min(1, h_j(t−1) + Σ_{i: s_i(t−1) = D} W[i][j]·h_i(t−1))`; then a node that was D
//! becomes I (it propagates exactly once — the rule that keeps walks from counting the same
//! loss twice around a cycle), and an undistressed node with h > 0 becomes D. Inactive nodes
//! still absorb losses; they just do not pass them on again. It stops when no node is D.
//! DebtRank `R = Σ_j h_j(T)·v_j − Σ_j h_j(1)·v_j`: the value lost *beyond* the initial distress.
//!
//! **The account/market impact graph** (built from the exposure data, over the top-N accounts
//! by gross notional plus every market):
//! - account a → market k: `W = n_a,k / OI_k`, the share of the market's open interest that a's
//!   forced close pushes through the book — a market's distress is read as the fraction of its
//!   open interest under forced flow;
//! - market k → account a: `W = min(1, n_a,k·δ / E_a)`, the fraction of a's start equity lost
//!   when k makes the reference move δ of a fully distressed market (default δ = 10%); an
//!   account with non-positive equity is fully exposed (W = 1);
//! - values: account = gross notional, market = open interest, normalised together to sum 1.
//!
//! A node's systemic importance is the DebtRank with that node alone fully distressed.

use crate::error::NetworkError;
use crate::exposure::ExposureGraph;
use crate::matrix::{check_square_nonneg, check_vec_nonneg};
use crate::units::UnitView;
use liq_engine::AccountLabels;
use serde::Serialize;

/// Result of one DebtRank run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DebtRankResult {
    /// Final distress per node.
    pub h: Vec<f64>,
    /// Steps until no node was distressed.
    pub steps: usize,
    /// `Σ h(T)·v − Σ h(1)·v`.
    pub debtrank: f64,
}

/// DebtRank on a sparse impact graph: `out[i]` lists `(j, W[i][j])`.
pub fn debtrank_sparse(out: &[Vec<(usize, f64)>], v: &[f64], h0: &[f64]) -> DebtRankResult {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        U,
        D,
        I,
    }
    let n = v.len();
    let mut h: Vec<f64> = h0.iter().map(|x| x.clamp(0.0, 1.0)).collect();
    let mut s: Vec<S> = h.iter().map(|&x| if x > 0.0 { S::D } else { S::U }).collect();
    let initial: f64 = h.iter().zip(v).map(|(a, b)| a * b).sum();
    let mut distressed: Vec<usize> = (0..n).filter(|&i| s[i] == S::D).collect();
    let mut steps = 1;
    let mut next_h = h.clone();
    let mut touched: Vec<usize> = Vec::new();
    while !distressed.is_empty() {
        touched.clear();
        for &i in &distressed {
            for &(j, w) in &out[i] {
                next_h[j] = (next_h[j] + w * h[i]).min(1.0);
                touched.push(j);
            }
        }
        for &i in &distressed {
            s[i] = S::I;
        }
        let mut newly = Vec::new();
        for &j in &touched {
            h[j] = next_h[j];
            if s[j] == S::U && h[j] > 0.0 {
                s[j] = S::D;
                newly.push(j);
            }
        }
        distressed = newly;
        steps += 1;
    }
    let fin: f64 = h.iter().zip(v).map(|(a, b)| a * b).sum();
    DebtRankResult { h, steps, debtrank: fin - initial }
}

/// DebtRank on a dense impact matrix `w[i][j]`, with validation (square, finite, non-negative,
/// lengths of `v` and `h0`).
pub fn debtrank(w: &[Vec<f64>], v: &[f64], h0: &[f64]) -> Result<DebtRankResult, NetworkError> {
    let n = check_square_nonneg("debtrank impact matrix", w)?;
    check_vec_nonneg("debtrank values", v)?;
    check_vec_nonneg("debtrank initial distress", h0)?;
    if v.len() != n || h0.len() != n {
        return Err(NetworkError::invalid(
            "debtrank",
            format!("{n} nodes but {} values and {} initial distress levels", v.len(), h0.len()),
        ));
    }
    let out: Vec<Vec<(usize, f64)>> = w
        .iter()
        .map(|row| row.iter().enumerate().filter(|e| *e.1 > 0.0).map(|(j, &x)| (j, x)).collect())
        .collect();
    Ok(debtrank_sparse(&out, v, h0))
}

/// DebtRank of each node distressed alone (h = 1 at that node).
pub fn debtrank_each(out: &[Vec<(usize, f64)>], v: &[f64]) -> Vec<f64> {
    let n = v.len();
    let mut h0 = vec![0.0; n];
    (0..n)
        .map(|i| {
            h0[i] = 1.0;
            let r = debtrank_sparse(out, v, &h0).debtrank;
            h0[i] = 0.0;
            r
        })
        .collect()
}

/// The account/market impact graph (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpactGraph {
    /// Nodes `0..accounts.len()` are accounts, the rest markets.
    pub accounts: Vec<u32>,
    pub markets: Vec<String>,
    pub value: Vec<f64>,
    pub out: Vec<Vec<(usize, f64)>>,
}

/// Builds the impact graph over the exposure graph's top accounts.
pub fn impact_graph(g: &ExposureGraph, units: &[UnitView], reference_move: f64) -> ImpactGraph {
    let n_m = g.market_names.len();
    let accounts = g.top_accounts.clone();
    let n_a = accounts.len();
    let mut equity = vec![0.0; n_a];
    let mut sorted: Vec<(u32, usize)> = accounts.iter().enumerate().map(|(i, &a)| (a, i)).collect();
    sorted.sort_unstable();
    for u in units {
        if let Ok(p) = sorted.binary_search_by_key(&u.account, |e| e.0) {
            equity[sorted[p].1] += u.equity0;
        }
    }
    let mut out = vec![Vec::new(); n_a + n_m];
    let mut value = vec![0.0; n_a + n_m];
    for (i, &a) in accounts.iter().enumerate() {
        let Ok(e) = g.exposures.binary_search_by_key(&a, |e| e.account) else { continue };
        let ex = &g.exposures[e];
        value[i] = ex.gross_notional();
        for &(k, _, gross) in &ex.markets {
            if g.open_interest_usd[k] > 0.0 {
                out[i].push((n_a + k, gross / g.open_interest_usd[k]));
            }
            let w = if equity[i] > 0.0 { (gross * reference_move / equity[i]).min(1.0) } else { 1.0 };
            out[n_a + k].push((i, w));
        }
    }
    value[n_a..].copy_from_slice(&g.open_interest_usd);
    let total: f64 = value.iter().sum();
    if total > 0.0 {
        value.iter_mut().for_each(|x| *x /= total);
    }
    ImpactGraph { accounts, markets: g.market_names.clone(), value, out }
}

/// A ranked node.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RankRow {
    pub name: String,
    /// Account index (accounts only).
    pub account: Option<u32>,
    pub debtrank: f64,
}

/// DebtRank rankings of accounts and markets, each sorted descending.
pub fn systemic_rankings(ig: &ImpactGraph, labels: &AccountLabels) -> (Vec<RankRow>, Vec<RankRow>) {
    let r = debtrank_each(&ig.out, &ig.value);
    let n_a = ig.accounts.len();
    let mut acc: Vec<RankRow> = ig
        .accounts
        .iter()
        .enumerate()
        .map(|(i, &a)| RankRow {
            name: labels.get(a as usize).map_or_else(|| format!("account {a}"), str::to_string),
            account: Some(a),
            debtrank: r[i],
        })
        .collect();
    let mut mk: Vec<RankRow> = ig
        .markets
        .iter()
        .enumerate()
        .map(|(k, name)| RankRow { name: name.clone(), account: None, debtrank: r[n_a + k] })
        .collect();
    acc.sort_by(|x, y| y.debtrank.total_cmp(&x.debtrank));
    mk.sort_by(|x, y| y.debtrank.total_cmp(&x.debtrank));
    (acc, mk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_by_hand() {
        // A → B (0.5), B → C (0.5); v = (0.5, 0.3, 0.2); A fully distressed.
        // t=1: h = (1, 0, 0), A is D.  t=2: h_B = 0.5·1 = 0.5; A → I, B → D.
        // t=3: h_C = 0.5·0.5 = 0.25; B → I, C → D.  t=4: C has no out-edges; C → I; stop.
        // R = (1·0.5 + 0.5·0.3 + 0.25·0.2) − 1·0.5 = 0.15 + 0.05 = 0.20.
        let w = vec![vec![0.0, 0.5, 0.0], vec![0.0, 0.0, 0.5], vec![0.0, 0.0, 0.0]];
        let r = debtrank(&w, &[0.5, 0.3, 0.2], &[1.0, 0.0, 0.0]).unwrap();
        assert_eq!(r.h, vec![1.0, 0.5, 0.25]);
        assert!((r.debtrank - 0.20).abs() < 1e-12);
        assert_eq!(r.steps, 4);
    }

    #[test]
    fn cycle_propagates_once_and_inactive_nodes_absorb() {
        // A ⇄ B with W = 0.5 both ways, v = (0.5, 0.5), h0 = (0.4, 0).
        // t=2: h_B = 0.5·0.4 = 0.2; A → I, B → D.
        // t=3: h_A = 0.4 + 0.5·0.2 = 0.5 (inactive A still absorbs); B → I; nobody is D: stop.
        // A does not pass its extra 0.1 on again. R = (0.5 + 0.2)·0.5 − 0.4·0.5 = 0.15.
        let w = vec![vec![0.0, 0.5], vec![0.5, 0.0]];
        let r = debtrank(&w, &[0.5, 0.5], &[0.4, 0.0]).unwrap();
        assert!((r.h[0] - 0.5).abs() < 1e-12 && (r.h[1] - 0.2).abs() < 1e-12, "{r:?}");
        assert!((r.debtrank - 0.15).abs() < 1e-12);
    }

    #[test]
    fn distress_is_capped_at_one() {
        // A → C (0.8) and B → C (0.8), both A and B distressed: h_C = min(1, 1.6) = 1.
        // v = (0.25, 0.25, 0.5): R = 1·0.5 = 0.5.
        let w = vec![vec![0.0, 0.0, 0.8], vec![0.0, 0.0, 0.8], vec![0.0; 3]];
        let r = debtrank(&w, &[0.25, 0.25, 0.5], &[1.0, 1.0, 0.0]).unwrap();
        assert_eq!(r.h[2], 1.0);
        assert!((r.debtrank - 0.5).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(debtrank(&[vec![0.0, 1.0]], &[1.0], &[1.0]), Err(NetworkError::NotSquare { .. })));
        assert!(matches!(
            debtrank(&[vec![-0.1]], &[1.0], &[1.0]),
            Err(NetworkError::Negative { row: 0, col: 0, .. })
        ));
        assert!(debtrank(&[vec![0.0]], &[1.0, 2.0], &[1.0]).is_err());
    }
}
