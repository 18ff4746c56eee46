//! Sorting the trigger index's lists by price: an LSD radix sort on the price's bits.
//!
//! The index sorts about one entry per position by `(trigger price, unit)` — longs by price
//! descending, shorts and the frontier ascending — with `f64::total_cmp` on the price and the
//! unit breaking ties ([`crate::index`]). A comparison sort costs `n log n` unpredictable
//! branches; this sort maps each price to the unsigned integer whose order is `total_cmp`'s
//! ([`total_order_key`]; descending is its complement) and distributes by one byte at a time,
//! skipping every byte in which all keys agree (prices of one market share their sign and
//! exponent). LSD radix passes are stable, so entries already in unit order come out ordered by
//! `(key, unit)`: exactly the comparator's total order, whatever ties, signed zeros, infinities
//! or NaNs the prices hold (`tests::radix_order_is_the_comparators`).

use crate::model::Unit;

/// `x`'s rank in `f64::total_cmp`'s order as an unsigned integer: `total_order_key(a) <
/// total_order_key(b)` iff `a.total_cmp(&b)` is `Less` (−NaN < −∞ < … < −0.0 < +0.0 < … < +∞ <
/// +NaN). Negative numbers have their bits flipped (a larger magnitude is smaller), non-negative
/// ones their sign bit set (above every negative).
#[inline]
pub(crate) fn total_order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Which way an index list runs by price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PriceOrder {
    Ascending,
    Descending,
}

/// Below this length a comparison sort is cheaper than eight 256-bucket histograms.
const SMALL: usize = 256;

/// Sorts `v` by price in `order` (by `f64::total_cmp`), then by unit ascending: the order of
/// `v.sort_by(|a, b| price(a).total_cmp(&price(b)).then(unit(a).cmp(&unit(b))))` (with the price
/// comparison reversed for `Descending`); stable, like `sort_by`. The frontier's entries carry
/// their entry number along this way, to move their weights with them.
pub(crate) fn sort_by_price<T: Copy>(
    v: &mut Vec<T>,
    order: PriceOrder,
    price: impl Fn(&T) -> f64,
    unit: impl Fn(&T) -> Unit,
) {
    let key = |e: &T| match order {
        PriceOrder::Ascending => total_order_key(price(e)),
        PriceOrder::Descending => !total_order_key(price(e)),
    };
    if v.len() < SMALL {
        v.sort_by(|a, b| key(a).cmp(&key(b)).then(unit(a).cmp(&unit(b))));
        return;
    }
    let mut scratch = vec![v[0]; v.len()];
    by_unit(v, &mut scratch, &unit);
    let mut hist = vec![[0usize; 256]; 8];
    for e in v.iter() {
        let k = key(e);
        for (d, h) in hist.iter_mut().enumerate() {
            h[(k >> (8 * d)) as usize & 0xff] += 1;
        }
    }
    for (d, h) in hist.iter().enumerate() {
        scatter(v, &mut scratch, h, |e| (key(e) >> (8 * d)) as usize & 0xff);
    }
}

/// Puts `v` in unit order, stably. The index's lists arrive as two increasing runs interleaved
/// (the cross units, below the isolated bit, and the isolated ones, above it, each in account
/// order), so a stable split on the isolated bit usually does it in one pass; any other input
/// falls back to radix passes over the unit's bytes.
fn by_unit<T: Copy>(v: &mut Vec<T>, scratch: &mut Vec<T>, unit: &impl Fn(&T) -> Unit) {
    let in_order = |v: &[T]| v.windows(2).all(|w| unit(&w[0]) <= unit(&w[1]));
    if in_order(v) {
        return;
    }
    let top = |e: &T| (unit(e).0 >> 31) as usize;
    let mut split = [0usize; 256];
    v.iter().for_each(|e| split[top(e)] += 1);
    scatter(v, scratch, &split, top);
    if in_order(v) {
        return;
    }
    let mut hist = vec![[0usize; 256]; 4];
    for e in v.iter() {
        for (d, h) in hist.iter_mut().enumerate() {
            h[(unit(e).0 >> (8 * d)) as usize & 0xff] += 1;
        }
    }
    for (d, h) in hist.iter().enumerate() {
        scatter(v, scratch, h, |e| (unit(e).0 >> (8 * d)) as usize & 0xff);
    }
}

/// One stable counting-sort pass of `v` by `digit` (whose counts are `hist`), through `scratch`
/// (as long as `v`). A pass in which one bucket holds everything would not move anything and is
/// skipped.
fn scatter<T: Copy>(v: &mut Vec<T>, scratch: &mut Vec<T>, hist: &[usize; 256], digit: impl Fn(&T) -> usize) {
    if hist.contains(&v.len()) {
        return;
    }
    let mut next = [0usize; 256];
    let mut at = 0;
    for (n, &c) in next.iter_mut().zip(hist) {
        *n = at;
        at += c;
    }
    for e in v.iter() {
        let d = digit(e);
        scratch[next[d]] = *e;
        next[d] += 1;
    }
    std::mem::swap(v, scratch);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The order the index used before this sort (issue 15): the reference.
    fn by_comparator(v: &mut [(f64, Unit, u32)], order: PriceOrder) {
        v.sort_by(|a, b| {
            let c = match order {
                PriceOrder::Ascending => a.0.total_cmp(&b.0),
                PriceOrder::Descending => b.0.total_cmp(&a.0),
            };
            c.then(a.1.cmp(&b.1))
        });
    }

    /// Prices that stress the order: signed zeros, infinities, NaNs of both signs, subnormals,
    /// and few distinct values so that ties are common.
    fn price() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(f64::MIN_POSITIVE / 2.0),
            Just(-f64::MIN_POSITIVE / 2.0),
            (0u32..20).prop_map(|i| 60_000.0 + 500.0 * i as f64),
            any::<f64>(),
            (1.0e3..2.0e5f64),
        ]
    }

    fn unit() -> impl Strategy<Value = Unit> {
        prop_oneof![(0u32..5_000).prop_map(Unit::cross), (0u32..5_000).prop_map(Unit::isolated)]
    }

    /// Bits, not values: `-0.0 == 0.0` and `NaN != NaN` would hide a wrong order.
    fn bits(v: &[(f64, Unit, u32)]) -> Vec<(u64, Unit, u32)> {
        v.iter().map(|e| (e.0.to_bits(), e.1, e.2)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn radix_order_is_the_comparators(
            entries in proptest::collection::vec((price(), unit()), 0..1_500),
            descending in any::<bool>(),
            index_shaped in any::<bool>(),
        ) {
            let order = if descending { PriceOrder::Descending } else { PriceOrder::Ascending };
            let mut v: Vec<(f64, Unit, u32)> =
                entries.iter().enumerate().map(|(i, &(p, u))| (p, u, i as u32)).collect();
            if index_shaped {
                // As the index builds them: cross and isolated units each increasing.
                let (mut c, mut s) = (0u32, 0u32);
                for (i, e) in v.iter_mut().enumerate() {
                    e.1 = if i % 3 == 0 { c += 1; Unit::cross(c) } else { s += 2; Unit::isolated(s) };
                }
            }
            let mut want = v.clone();
            by_comparator(&mut want, order);
            sort_by_price(&mut v, order, |e| e.0, |e| e.1);
            prop_assert_eq!(bits(&v), bits(&want));
        }
    }

    #[test]
    fn the_key_orders_as_total_cmp_on_the_edge_values() {
        let xs = [
            -f64::NAN,
            f64::NEG_INFINITY,
            -1.0e300,
            -1.0,
            -f64::MIN_POSITIVE / 2.0,
            -0.0,
            0.0,
            f64::MIN_POSITIVE / 2.0,
            1.0,
            1.0e300,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn long_lists_with_many_ties_sort_as_the_comparator() {
        // Beyond `SMALL`, every radix path: ties on a coarse price grid, units out of order.
        let mut v: Vec<(f64, Unit, u32)> = (0..20_000u32)
            .map(|i| {
                let p = 50_000.0 + ((i.wrapping_mul(2_654_435_761) >> 20) % 64) as f64 * 25.0;
                let u = if i % 2 == 0 {
                    Unit::isolated(20_000 - i)
                } else {
                    Unit::cross(i.wrapping_mul(7) % 9_973)
                };
                (if i % 101 == 0 { -0.0 } else { p }, u, i)
            })
            .collect();
        for order in [PriceOrder::Ascending, PriceOrder::Descending] {
            let mut want = v.clone();
            by_comparator(&mut want, order);
            sort_by_price(&mut v, order, |e| e.0, |e| e.1);
            assert_eq!(bits(&v), bits(&want));
        }
    }
}
