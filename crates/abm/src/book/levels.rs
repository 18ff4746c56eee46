//! Price levels and the two-level occupancy bitmap of the book.
//!
//! Every tick of the book's price window has a `Level` (head and tail of its intrusive FIFO
//! list of resting orders, its total quantity and order count). Which levels hold orders is kept
//! in a bitmap with a summary word per 64 words, so the next occupied level above or below any
//! tick is found with at most a handful of `trailing_zeros`/`leading_zeros` instructions when the
//! book is dense around the mid (the usual case) and a short scan of the summary when it is not.
//! A single bitmap serves both sides: the book is never crossed, so every occupied level below the
//! best ask is a bid and every occupied level above the best bid is an ask.

/// "No order" in the intrusive lists.
pub(crate) const NIL: u32 = u32::MAX;

/// One price level: an intrusive FIFO list of resting orders in the order slab.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Level {
    pub head: u32,
    pub tail: u32,
    pub qty: i64,
    pub count: u32,
}

impl Level {
    pub const EMPTY: Level = Level { head: NIL, tail: NIL, qty: 0, count: 0 };
}

/// Occupancy bitmap over level indices with a summary level.
#[derive(Debug, Clone)]
pub(crate) struct Bitmap {
    words: Vec<u64>,
    summary: Vec<u64>,
}

impl Bitmap {
    pub fn new(n: usize) -> Bitmap {
        let w = n.div_ceil(64).max(1);
        Bitmap { words: vec![0; w], summary: vec![0; w.div_ceil(64)] }
    }

    #[inline]
    pub fn set(&mut self, i: usize) {
        let w = i >> 6;
        self.words[w] |= 1 << (i & 63);
        self.summary[w >> 6] |= 1 << (w & 63);
    }

    #[inline]
    pub fn clear(&mut self, i: usize) {
        let w = i >> 6;
        self.words[w] &= !(1 << (i & 63));
        if self.words[w] == 0 {
            self.summary[w >> 6] &= !(1 << (w & 63));
        }
    }

    /// Lowest occupied index `>= i`.
    #[inline]
    pub fn next_at_or_above(&self, i: usize) -> Option<usize> {
        let w = i >> 6;
        if w >= self.words.len() {
            return None;
        }
        let m = self.words[w] & (!0u64 << (i & 63));
        if m != 0 {
            return Some((w << 6) | m.trailing_zeros() as usize);
        }
        // Words above `w`, through the summary.
        let j = w + 1;
        let mut s = j >> 6;
        if s >= self.summary.len() {
            return None;
        }
        let mut sm = if (j & 63) == 0 { self.summary[s] } else { self.summary[s] & (!0u64 << (j & 63)) };
        loop {
            if sm != 0 {
                let word = (s << 6) | sm.trailing_zeros() as usize;
                return Some((word << 6) | self.words[word].trailing_zeros() as usize);
            }
            s += 1;
            if s >= self.summary.len() {
                return None;
            }
            sm = self.summary[s];
        }
    }

    /// Highest occupied index `<= i`.
    #[inline]
    pub fn prev_at_or_below(&self, i: usize) -> Option<usize> {
        let w = i >> 6;
        let b = i & 63;
        let mask = if b == 63 { !0u64 } else { (1u64 << (b + 1)) - 1 };
        let m = self.words[w] & mask;
        if m != 0 {
            return Some((w << 6) | (63 - m.leading_zeros() as usize));
        }
        if w == 0 {
            return None;
        }
        let j = w - 1;
        let mut s = j >> 6;
        let jb = j & 63;
        let mut sm = self.summary[s] & if jb == 63 { !0u64 } else { (1u64 << (jb + 1)) - 1 };
        loop {
            if sm != 0 {
                let word = (s << 6) | (63 - sm.leading_zeros() as usize);
                return Some((word << 6) | (63 - self.words[word].leading_zeros() as usize));
            }
            if s == 0 {
                return None;
            }
            s -= 1;
            sm = self.summary[s];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_neighbours_across_words_and_summary_words() {
        // 10,000 bits = 157 words = 3 summary words; 5 and 9,000 are 8,995 apart, so the search
        // has to cross summary words in both directions.
        let mut b = Bitmap::new(10_000);
        for i in [5, 64, 4_100, 9_000] {
            b.set(i);
        }
        assert_eq!(b.next_at_or_above(0), Some(5));
        assert_eq!(b.next_at_or_above(6), Some(64));
        assert_eq!(b.next_at_or_above(65), Some(4_100));
        assert_eq!(b.next_at_or_above(4_101), Some(9_000));
        assert_eq!(b.next_at_or_above(9_001), None);
        assert_eq!(b.prev_at_or_below(9_999), Some(9_000));
        assert_eq!(b.prev_at_or_below(8_999), Some(4_100));
        assert_eq!(b.prev_at_or_below(4_099), Some(64));
        assert_eq!(b.prev_at_or_below(63), Some(5));
        assert_eq!(b.prev_at_or_below(4), None);
        b.clear(64);
        assert_eq!(b.next_at_or_above(6), Some(4_100));
        assert_eq!(b.prev_at_or_below(4_099), Some(5));
    }
}
