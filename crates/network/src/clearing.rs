//! Direct exposures: a liabilities matrix between entities (lenders, funds, market makers) with
//! external assets, the Eisenberg–Noe clearing vector, and DebtRank on the same network.
//!
//! **Eisenberg–Noe** (Management Science 47(2), 2001). `L[i][j]` is what i owes j; `p̄_i = Σ_j
//! L[i][j]`; `Π[i][j] = L[i][j] / p̄_i`. A clearing vector solves
//! `p_i = min(p̄_i, e_i + Σ_j Π[j][i]·p_j)`. It is computed with the *fictitious default*
//! algorithm: assume everyone pays in full, find who cannot, solve the linear system in which
//! those pay everything they receive, repeat until the default set stops growing (at most n
//! rounds, exact). This gives the greatest clearing vector. Should the linear system be singular
//! (a closed cycle of defaulters with no outside assets), the monotone Picard iteration from p̄
//! is used instead, which converges to the same greatest vector.
//!
//! **DebtRank on liabilities**: the impact of i's distress on creditor j is
//! `W[i][j] = min(1, L[i][j] / E_j)` with j's book equity `E_j = e_j + Σ_k L[k][j] − p̄_j`
//! (W = 1 for an entity with no positive equity); values are shares of total assets
//! `e_j + Σ_k L[k][j]`.

use crate::debtrank::debtrank_each;
use crate::error::NetworkError;
use crate::matrix::{check_square_nonneg, check_vec_nonneg};
use serde::Serialize;

/// A validated liabilities network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Liabilities {
    pub names: Vec<String>,
    /// `l[i][j]`: what i owes j.
    pub l: Vec<Vec<f64>>,
    /// External (non-interbank) assets.
    pub external: Vec<f64>,
}

impl Liabilities {
    /// Validates: square, finite, non-negative; one name and one external asset per entity.
    pub fn new(
        names: Vec<String>,
        l: Vec<Vec<f64>>,
        external: Vec<f64>,
    ) -> Result<Liabilities, NetworkError> {
        let n = check_square_nonneg("liabilities", &l)?;
        check_vec_nonneg("external assets", &external)?;
        if names.len() != n || external.len() != n {
            return Err(NetworkError::invalid(
                "liabilities",
                format!("{n}×{n} matrix with {} names and {} external assets", names.len(), external.len()),
            ));
        }
        Ok(Liabilities { names, l, external })
    }

    pub fn obligations(&self) -> Vec<f64> {
        self.l.iter().map(|r| r.iter().sum()).collect()
    }

    fn relative(&self) -> Vec<Vec<f64>> {
        self.l
            .iter()
            .map(|r| {
                let s: f64 = r.iter().sum();
                r.iter().map(|x| if s > 0.0 { x / s } else { 0.0 }).collect()
            })
            .collect()
    }

    /// Book equity `e_j + Σ_k L[k][j] − p̄_j`.
    pub fn book_equity(&self) -> Vec<f64> {
        let n = self.names.len();
        let pbar = self.obligations();
        (0..n).map(|j| self.external[j] + (0..n).map(|k| self.l[k][j]).sum::<f64>() - pbar[j]).collect()
    }
}

/// The clearing outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clearing {
    /// Payments p.
    pub payments: Vec<f64>,
    /// Obligations p̄.
    pub obligations: Vec<f64>,
    pub defaulted: Vec<bool>,
    /// Equity after clearing: `e_i + Σ_j Π[j][i] p_j − p_i` (≥ 0).
    pub equity: Vec<f64>,
    /// Fictitious-default rounds (0 if the Picard fallback was used).
    pub rounds: usize,
}

/// The greatest Eisenberg–Noe clearing vector.
pub fn eisenberg_noe(net: &Liabilities) -> Clearing {
    let n = net.names.len();
    let pbar = net.obligations();
    let pi = net.relative();
    let inflow = |p: &[f64], i: usize| net.external[i] + (0..n).map(|j| pi[j][i] * p[j]).sum::<f64>();
    let mut p = pbar.clone();
    let mut defaults = vec![false; n];
    let mut rounds = 0;
    let mut fallback = false;
    loop {
        rounds += 1;
        let next: Vec<bool> = (0..n).map(|i| inflow(&p, i) < pbar[i] * (1.0 - 1e-12)).collect();
        if rounds > 1 && next == defaults {
            break;
        }
        // The default set only grows under fictitious default; a shrink means numerical noise.
        defaults = next.iter().zip(&defaults).map(|(a, b)| *a || *b).collect();
        match solve_defaulters(net, &pi, &pbar, &defaults) {
            Some(x) => p = x,
            None => {
                fallback = true;
                break;
            }
        }
        if rounds > n + 1 {
            break;
        }
    }
    if fallback {
        p = picard(net, 1e-13, 100_000);
        rounds = 0;
    }
    let equity: Vec<f64> = (0..n).map(|i| (inflow(&p, i) - p[i]).max(0.0)).collect();
    let defaulted = (0..n).map(|i| p[i] < pbar[i] * (1.0 - 1e-12)).collect();
    Clearing { payments: p, obligations: pbar, defaulted, equity, rounds }
}

/// Payments when the set `d` defaults: non-defaulters pay p̄, defaulters pay all they get:
/// `p_i − Σ_{j∈d} Π[j][i] p_j = e_i + Σ_{j∉d} Π[j][i] p̄_j` for i ∈ d.
fn solve_defaulters(net: &Liabilities, pi: &[Vec<f64>], pbar: &[f64], d: &[bool]) -> Option<Vec<f64>> {
    let n = pbar.len();
    let idx: Vec<usize> = (0..n).filter(|&i| d[i]).collect();
    let m = idx.len();
    let mut a = vec![vec![0.0; m + 1]; m];
    for (r, &i) in idx.iter().enumerate() {
        a[r][r] = 1.0;
        for (c, &j) in idx.iter().enumerate() {
            a[r][c] -= pi[j][i];
        }
        a[r][m] = net.external[i] + (0..n).filter(|&j| !d[j]).map(|j| pi[j][i] * pbar[j]).sum::<f64>();
    }
    // Gaussian elimination with partial pivoting.
    for c in 0..m {
        let piv = (c..m).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))?;
        if a[piv][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, piv);
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            let f = row[c] / pivot_row[c];
            if r != c && f != 0.0 {
                for (x, p) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut p = pbar.to_vec();
    for (r, &i) in idx.iter().enumerate() {
        p[i] = (a[r][m] / a[r][r]).clamp(0.0, pbar[i]);
    }
    Some(p)
}

/// Picard iteration `p ← min(p̄, e + Πᵀp)` from p̄ (monotone decreasing to the greatest vector).
pub fn picard(net: &Liabilities, tol: f64, max_iter: usize) -> Vec<f64> {
    let n = net.names.len();
    let pbar = net.obligations();
    let pi = net.relative();
    let mut p = pbar.clone();
    for _ in 0..max_iter {
        let next: Vec<f64> = (0..n)
            .map(|i| pbar[i].min(net.external[i] + (0..n).map(|j| pi[j][i] * p[j]).sum::<f64>()))
            .collect();
        let diff: f64 = next.iter().zip(&p).map(|(a, b)| (a - b).abs()).sum();
        p = next;
        if diff < tol {
            break;
        }
    }
    p
}

/// DebtRank of each entity distressed alone, on the liabilities network (see the module doc).
pub fn liabilities_debtrank(net: &Liabilities) -> Vec<f64> {
    let n = net.names.len();
    let equity = net.book_equity();
    let assets: Vec<f64> =
        (0..n).map(|j| net.external[j] + (0..n).map(|k| net.l[k][j]).sum::<f64>()).collect();
    let total: f64 = assets.iter().sum();
    let v: Vec<f64> = assets.iter().map(|a| if total > 0.0 { a / total } else { 0.0 }).collect();
    let out: Vec<Vec<(usize, f64)>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i && net.l[i][j] > 0.0)
                .map(|j| (j, if equity[j] > 0.0 { (net.l[i][j] / equity[j]).min(1.0) } else { 1.0 }))
                .collect()
        })
        .collect();
    debtrank_each(&out, &v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(l: Vec<Vec<f64>>, e: Vec<f64>) -> Liabilities {
        let names = (0..l.len()).map(|i| format!("n{i}")).collect();
        Liabilities::new(names, l, e).unwrap()
    }

    #[test]
    fn chain_of_defaults_by_hand() {
        // A owes B 10, B owes C 10, C owes A 5; e = (2, 2, 10).
        // C: 10 + inflow ≥ 5 always → pays 5. A: 2 + 5 = 7 < 10 → pays 7.
        // B: 2 + 7 = 9 < 10 → pays 9. C: 10 + 9 − 5 = 14 equity. p = (7, 9, 5).
        let n =
            net(vec![vec![0.0, 10.0, 0.0], vec![0.0, 0.0, 10.0], vec![5.0, 0.0, 0.0]], vec![2.0, 2.0, 10.0]);
        let c = eisenberg_noe(&n);
        assert!(c.payments.iter().zip([7.0, 9.0, 5.0]).all(|(a, b)| (a - b).abs() < 1e-12), "{c:?}");
        assert_eq!(c.defaulted, vec![true, true, false]);
        assert!((c.equity[2] - 14.0).abs() < 1e-12 && c.equity[0].abs() < 1e-12);
        let p = picard(&n, 1e-14, 10_000);
        assert!(p.iter().zip(&c.payments).all(|(a, b)| (a - b).abs() < 1e-9));
    }

    #[test]
    fn mutual_defaults_need_the_linear_solve() {
        // A owes B 10; B owes A 10 and C 10 (Π_BA = Π_BC = ½); e = (1, 1, 0).
        // Round 1 (all pay in full): A gets 1 + 10 = 11 ≥ 10, B gets 1 + 10 = 11 < 20 → B defaults.
        // Round 2: p_B = 1 + 10 = 11; A gets 1 + 5.5 = 6.5 < 10 → A defaults too.
        // Round 3: p_A = 1 + ½p_B, p_B = 1 + p_A ⇒ p_A = 1.5 + ½p_A ⇒ p_A = 3, p_B = 4.
        // C receives ½·4 = 2.
        let n = net(vec![vec![0.0, 10.0, 0.0], vec![10.0, 0.0, 10.0], vec![0.0; 3]], vec![1.0, 1.0, 0.0]);
        let c = eisenberg_noe(&n);
        assert!((c.payments[0] - 3.0).abs() < 1e-12 && (c.payments[1] - 4.0).abs() < 1e-12, "{c:?}");
        assert!((c.equity[2] - 2.0).abs() < 1e-12);
        let p = picard(&n, 1e-14, 100_000);
        assert!((p[0] - 3.0).abs() < 1e-9 && (p[1] - 4.0).abs() < 1e-9);
    }

    #[test]
    fn closed_cycle_pays_in_full() {
        // A and B owe each other 10, no outside assets: the greatest clearing vector is full
        // payment (each pays with what it receives), p = (10, 10).
        let n = net(vec![vec![0.0, 10.0], vec![10.0, 0.0]], vec![0.0, 0.0]);
        assert_eq!(eisenberg_noe(&n).payments, vec![10.0, 10.0]);
    }

    #[test]
    fn debtrank_on_liabilities_by_hand() {
        // A owes B 10; e = (20, 5). B's assets 5 + 10 = 15, equity 15 (owes nothing);
        // A's assets 20, equity 10. W[A][B] = min(1, 10/15) = 2/3. v = (20, 15)/35.
        // A distressed: h_B = 2/3, R_A = (2/3)·(15/35) = 2/7. B owes nobody: R_B = 0.
        let n = net(vec![vec![0.0, 10.0], vec![0.0, 0.0]], vec![20.0, 5.0]);
        let r = liabilities_debtrank(&n);
        assert!((r[0] - 2.0 / 7.0).abs() < 1e-12 && r[1] == 0.0, "{r:?}");
    }

    #[test]
    fn bad_matrices_get_clear_errors() {
        let e =
            Liabilities::new(vec!["a".into(), "b".into()], vec![vec![0.0, 1.0], vec![0.0]], vec![0.0, 0.0]);
        assert_eq!(
            e.unwrap_err().to_string(),
            "liabilities: matrix is not square: row 1 has 1 entries, expected 2"
        );
        let e = Liabilities::new(vec!["a".into()], vec![vec![-1.0]], vec![0.0]).unwrap_err();
        assert_eq!(e.to_string(), "liabilities: entry [0][0] is negative (-1)");
        let e = Liabilities::new(vec!["a".into()], vec![vec![f64::NAN]], vec![0.0]).unwrap_err();
        assert_eq!(e.to_string(), "liabilities: entry [0][0] is not a finite number (NaN)");
        let e = Liabilities::new(vec!["a".into()], vec![vec![0.0]], vec![f64::INFINITY]).unwrap_err();
        assert!(e.to_string().starts_with("external assets:"), "{e}");
    }
}
