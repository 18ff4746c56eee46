//! Dense matrix checks and the Perron–Frobenius power iteration shared by the contagion matrix,
//! DebtRank and clearing: validation with precise errors (non-square, ragged, negative, NaN) and
//! the spectral radius with leading eigenvectors of a non-negative matrix.

use crate::error::NetworkError;
use serde::Serialize;

/// Checks that `m` is `n × n` with finite, non-negative entries.
pub fn check_square_nonneg(what: &str, m: &[Vec<f64>]) -> Result<usize, NetworkError> {
    let n = m.len();
    for (i, row) in m.iter().enumerate() {
        if row.len() != n {
            return Err(NetworkError::NotSquare { what: what.into(), row: i, found: row.len(), expected: n });
        }
    }
    check_entries(what, m)?;
    Ok(n)
}

/// Checks that every row of `m` has `cols` entries, all finite and non-negative.
pub fn check_rect_nonneg(what: &str, m: &[Vec<f64>], cols: usize) -> Result<(), NetworkError> {
    for (i, row) in m.iter().enumerate() {
        if row.len() != cols {
            return Err(NetworkError::Ragged { what: what.into(), row: i, found: row.len(), expected: cols });
        }
    }
    check_entries(what, m)
}

fn check_entries(what: &str, m: &[Vec<f64>]) -> Result<(), NetworkError> {
    for (i, row) in m.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                return Err(NetworkError::NotFinite { what: what.into(), row: i, col: j, value: v });
            }
            if v < 0.0 {
                return Err(NetworkError::Negative { what: what.into(), row: i, col: j, value: v });
            }
        }
    }
    Ok(())
}

/// Checks a vector of finite, non-negative entries (reported as row 0).
pub fn check_vec_nonneg(what: &str, v: &[f64]) -> Result<(), NetworkError> {
    check_entries(what, std::slice::from_ref(&v.to_vec()))
}

/// Spectral radius and leading eigenvectors of a non-negative matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Perron {
    /// ρ(M), the largest |eigenvalue|; for a non-negative matrix it is itself an eigenvalue.
    pub spectral_radius: f64,
    /// Left eigenvector `x M = ρ x`, non-negative, summing to 1.
    pub left: Vec<f64>,
    /// Right eigenvector `M y = ρ y`, non-negative, summing to 1.
    pub right: Vec<f64>,
    /// Iterations used (the larger of the two runs).
    pub iterations: usize,
    /// Whether both runs met the tolerance.
    pub converged: bool,
}

/// Power iteration on `M + I` (Perron–Frobenius). The shift matters: a non-negative matrix can
/// have other eigenvalues of modulus ρ (a periodic one such as `[[0,1],[1,0]]` has ±ρ), where
/// plain power iteration oscillates forever; `M + I` has ρ + 1 as its unique dominant
/// eigenvalue whenever ρ is simple, with the same eigenvectors, so the iteration converges.
/// The eigenvalue is read as the growth of the L1 norm, exact for a non-negative eigenvector.
pub fn perron(m: &[Vec<f64>], tol: f64, max_iter: usize) -> Result<Perron, NetworkError> {
    let n = check_square_nonneg("perron matrix", m)?;
    if n == 0 {
        return Ok(Perron {
            spectral_radius: 0.0,
            left: vec![],
            right: vec![],
            iterations: 0,
            converged: true,
        });
    }
    let (rho_r, right, it_r, ok_r) = iterate(
        n,
        |x, y| {
            for i in 0..n {
                y[i] = x[i] + (0..n).map(|j| m[i][j] * x[j]).sum::<f64>();
            }
        },
        tol,
        max_iter,
    );
    let (rho_l, left, it_l, ok_l) = iterate(
        n,
        |x, y| {
            for j in 0..n {
                y[j] = x[j] + (0..n).map(|i| x[i] * m[i][j]).sum::<f64>();
            }
        },
        tol,
        max_iter,
    );
    Ok(Perron {
        spectral_radius: 0.5 * (rho_r + rho_l),
        left,
        right,
        iterations: it_r.max(it_l),
        converged: ok_r && ok_l,
    })
}

fn iterate(
    n: usize,
    apply: impl Fn(&[f64], &mut [f64]),
    tol: f64,
    max_iter: usize,
) -> (f64, Vec<f64>, usize, bool) {
    let mut x = vec![1.0 / n as f64; n];
    let mut y = vec![0.0; n];
    let mut lambda = 0.0;
    for it in 1..=max_iter {
        apply(&x, &mut y);
        let norm: f64 = y.iter().sum();
        // x sums to 1, so the L1 norm of (M + I)x is the eigenvalue estimate of M + I.
        lambda = norm - 1.0;
        let diff: f64 = y.iter().zip(&x).map(|(a, b)| (a / norm - b).abs()).sum();
        for (xi, yi) in x.iter_mut().zip(&y) {
            *xi = yi / norm;
        }
        if diff < tol {
            return (lambda.max(0.0), x, it, true);
        }
    }
    (lambda.max(0.0), x, max_iter, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_closed_form() {
        // M = [[a, b], [c, d]] = [[0.5, 0.4], [0.9, 0.2]]:
        // ρ = (a+d)/2 + sqrt(((a−d)/2)² + b·c) = 0.35 + sqrt(0.0225 + 0.36) = 0.35 + 0.618466 = 0.968466.
        // Right eigenvector (M − ρI)y = 0: y2/y1 = (ρ − a)/b = 0.468466/0.4 = 1.171165.
        // Left eigenvector x(M − ρI) = 0: x2/x1 = (ρ − a)/c = 0.468466/0.9 = 0.520518.
        let m = vec![vec![0.5, 0.4], vec![0.9, 0.2]];
        let p = perron(&m, 1e-13, 10_000).unwrap();
        let rho = 0.35 + (0.0225f64 + 0.36).sqrt();
        assert!((p.spectral_radius - rho).abs() < 1e-9, "{p:?}");
        assert!((p.right[1] / p.right[0] - (rho - 0.5) / 0.4).abs() < 1e-8);
        assert!((p.left[1] / p.left[0] - (rho - 0.5) / 0.9).abs() < 1e-8);
        assert!(p.converged);
    }

    #[test]
    fn periodic_matrix_converges_thanks_to_shift() {
        // [[0, 2], [2, 0]] has eigenvalues ±2; ρ = 2 with eigenvector (½, ½).
        let p = perron(&[vec![0.0, 2.0], vec![2.0, 0.0]], 1e-12, 1000).unwrap();
        assert!((p.spectral_radius - 2.0).abs() < 1e-9);
        assert!((p.left[0] - 0.5).abs() < 1e-9);
    }

    #[test]
    fn bad_matrices_are_named() {
        let e = check_square_nonneg("L", &[vec![1.0, 2.0], vec![1.0]]).unwrap_err();
        assert_eq!(e.to_string(), "L: matrix is not square: row 1 has 1 entries, expected 2");
        let e = check_square_nonneg("L", &[vec![1.0, -2.0], vec![1.0, 0.0]]).unwrap_err();
        assert!(matches!(e, NetworkError::Negative { row: 0, col: 1, .. }), "{e}");
        let e = check_square_nonneg("L", &[vec![1.0, 0.0], vec![f64::NAN, 0.0]]).unwrap_err();
        assert!(matches!(e, NetworkError::NotFinite { row: 1, col: 0, .. }), "{e}");
    }
}
