//! Cross-impact spill, worked by hand.

use liq_impact::cross::CrossImpact;

#[test]
fn spill_by_hand() {
    // The diagonal (9.9) is ignored.
    let lambda = vec![vec![0.0, 0.5, 0.2], vec![0.8, 0.0, 0.1], vec![0.3, 0.4, 9.9]];
    let c = CrossImpact::new(&lambda, 3).unwrap();
    let own = [-0.02, -0.01, 0.03];
    let mut out = [f64::NAN; 3];
    c.spill(&own, &mut out);
    // 0.5·−0.01 + 0.2·0.03 = 0.001; 0.8·−0.02 + 0.1·0.03 = −0.013; 0.3·−0.02 + 0.4·−0.01 = −0.010.
    let expected = [0.001, -0.013, -0.010];
    for (o, e) in out.iter().zip(expected) {
        assert!((o - e).abs() < 1e-15, "{o} vs {e}");
    }
}

#[test]
fn empty_matrix_spills_nothing() {
    let c = CrossImpact::new(&[], 3).unwrap();
    assert!(c.is_empty());
    let mut out = [1.0; 3];
    c.spill(&[0.1, 0.2, 0.3], &mut out);
    assert_eq!(out, [0.0; 3]);
}

#[test]
fn short_slices_do_not_panic() {
    let c = CrossImpact::new(&[vec![0.0, 0.5], vec![0.25, 0.0]], 2).unwrap();
    let mut out = [1.0; 3];
    c.spill(&[0.04], &mut out);
    // Market 1 gets 0.25·0.04; market 0's only source is missing; slot 2 is outside the matrix.
    assert_eq!(out, [0.0, 0.01, 0.0]);
}
