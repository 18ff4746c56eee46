//! Cross-impact: how a relative mid move caused by liquidation flow in one market moves the
//! others (the arbitrage channel between correlated perpetuals).
//!
//! This module owns [`CrossImpact`], the validated matrix Λ: a move `r_i` caused by flow in
//! market `i` moves market `j` by `Λ[j][i]·r_i`. The diagonal is ignored (a market's own move is
//! its book's business), so it is stored as zero.

use crate::ImpactError;

/// A validated cross-impact matrix, dense row-major with a zero diagonal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CrossImpact {
    n: usize,
    lambda: Vec<f64>,
}

impl CrossImpact {
    /// Validates `matrix` for `n_markets` markets. An empty matrix means no cross-impact.
    /// Errors name the entry (`impact.cross_impact[1][2]`).
    pub fn new(matrix: &[Vec<f64>], n_markets: usize) -> Result<Self, ImpactError> {
        if matrix.is_empty() {
            return Ok(Self::default());
        }
        let err = |field: String, message: String| ImpactError::Invalid { field, message };
        if matrix.len() != n_markets {
            return Err(err(
                "impact.cross_impact".into(),
                format!("has {} rows, expected one per market ({n_markets})", matrix.len()),
            ));
        }
        let mut lambda = Vec::with_capacity(n_markets * n_markets);
        for (j, row) in matrix.iter().enumerate() {
            if row.len() != n_markets {
                return Err(err(
                    format!("impact.cross_impact[{j}]"),
                    format!("has {} columns, expected {n_markets} (the matrix must be square)", row.len()),
                ));
            }
            for (i, &v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(err(
                        format!("impact.cross_impact[{j}][{i}]"),
                        format!("must be finite, got {v}"),
                    ));
                }
                lambda.push(if i == j { 0.0 } else { v });
            }
        }
        Ok(Self { n: n_markets, lambda })
    }

    /// True when there is no cross-impact.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// `out[j] = Σ_{i≠j} Λ[j][i]·own_moves[i]`, without allocating. Entries of `out` beyond the
    /// matrix are set to 0; entries of `own_moves` beyond it are ignored.
    pub fn spill(&self, own_moves: &[f64], out: &mut [f64]) {
        let m = self.n.min(own_moves.len());
        for (j, o) in out.iter_mut().enumerate() {
            *o = if j < self.n {
                let row = &self.lambda[j * self.n..j * self.n + m];
                row.iter().zip(own_moves).map(|(l, r)| l * r).sum()
            } else {
                0.0
            };
        }
    }
}
