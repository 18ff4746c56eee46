//! The mutation engine: turns a seed input into a hostile variant, deterministically from a
//! ChaCha8 stream. The operators are the classes of the hostile-input run of issue 14: bit
//! flips, byte insertion and deletion, truncation, splicing two seeds, replacing a number by an
//! extreme one (NaN, ±inf, ±1.7e308, −0, subnormals, integers past 2⁶⁴), duplicating, deleting
//! and swapping lines, removing the header, encoding garbage (BOM, invalid UTF-8, NUL, UTF-16,
//! CRLF), whitespace around JSON/CSV separators and values of the wrong type.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Numbers a hostile file puts where a number is expected.
pub const EXTREME_NUMBERS: &[&str] = &[
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "1e308",
    "-1e308",
    "1.7e308",
    "-1.7e308",
    "1e309",
    "-0",
    "-0.0",
    "0",
    "5e-324",
    "1e-320",
    "2.2250738585072014e-308",
    "1e-9",
    "-1",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "1e18",
    "1e12",
    "0x10",
    "1_000",
    "",
];

/// Tokens of the wrong type for a value.
const WRONG_TYPES: &[&str] = &["\"abc\"", "true", "[]", "{}", "null", "\"\"", "\"1e308\"", "[1,2]"];

/// Bytes that separate or quote fields in the formats the loaders read.
const STRUCTURAL: &[u8] = b"\n\r,;:\"'{}[]= #\t.-+e\\0";

/// One mutation operator (named in crash reports so a failure says how the input was made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    BitFlip,
    ByteInsert,
    ByteDelete,
    ByteOverwrite,
    Truncate,
    Splice,
    ExtremeNumber,
    WrongType,
    DuplicateLine,
    DeleteLine,
    SwapLines,
    RemoveHeader,
    Encoding,
    Whitespace,
}

const OPS: &[Op] = &[
    Op::BitFlip,
    Op::ByteInsert,
    Op::ByteDelete,
    Op::ByteOverwrite,
    Op::Truncate,
    Op::Splice,
    Op::ExtremeNumber,
    Op::ExtremeNumber,
    Op::ExtremeNumber,
    Op::WrongType,
    Op::DuplicateLine,
    Op::DeleteLine,
    Op::SwapLines,
    Op::RemoveHeader,
    Op::Encoding,
    Op::Whitespace,
];

/// Operators that keep a binary file's structure mostly intact, so the reader gets past the
/// footer and into the pages (where the Parquet readers used to panic).
const BINARY_OPS: &[Op] = &[
    Op::BitFlip,
    Op::BitFlip,
    Op::ByteOverwrite,
    Op::ByteOverwrite,
    Op::ByteInsert,
    Op::ByteDelete,
    Op::Truncate,
];

/// Whether the seeds are text (every operator) or binary (byte-level operators only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Binary,
}

/// A deterministic mutator over a seed corpus.
pub struct Mutator {
    rng: ChaCha8Rng,
    corpus: Vec<Vec<u8>>,
    kind: Kind,
}

impl Mutator {
    /// `seed` fixes the whole sequence of mutants (`LIQ_FUZZ_SEED` in the harness).
    pub fn new(seed: u64, corpus: Vec<Vec<u8>>, kind: Kind) -> Self {
        assert!(!corpus.is_empty(), "a fuzz target needs at least one seed input");
        Self { rng: ChaCha8Rng::seed_from_u64(seed), corpus, kind }
    }

    /// The next mutant: a random seed with one to four operators applied, and their names.
    pub fn next_input(&mut self) -> (Vec<u8>, Vec<Op>) {
        let i = self.rng.random_range(0..self.corpus.len());
        let mut data = self.corpus[i].clone();
        let n = match self.rng.random_range(0..10) {
            0..=5 => 1,
            6..=7 => 2,
            8 => 3,
            _ => 4,
        };
        let mut ops = Vec::with_capacity(n);
        for _ in 0..n {
            let table = if self.kind == Kind::Binary { BINARY_OPS } else { OPS };
            let op = table[self.rng.random_range(0..table.len())];
            self.apply(op, &mut data);
            ops.push(op);
        }
        (data, ops)
    }

    fn pos(&mut self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            self.rng.random_range(0..len)
        }
    }

    fn apply(&mut self, op: Op, d: &mut Vec<u8>) {
        match op {
            Op::BitFlip => {
                if !d.is_empty() {
                    let p = self.pos(d.len());
                    d[p] ^= 1 << self.rng.random_range(0..8);
                }
            }
            Op::ByteInsert => {
                let p = self.pos(d.len() + 1);
                let b = if self.rng.random_bool(0.5) {
                    STRUCTURAL[self.rng.random_range(0..STRUCTURAL.len())]
                } else {
                    self.rng.random()
                };
                d.insert(p, b);
            }
            Op::ByteDelete => {
                if !d.is_empty() {
                    let p = self.pos(d.len());
                    let n = self.rng.random_range(1..=8).min(d.len() - p);
                    d.drain(p..p + n);
                }
            }
            Op::ByteOverwrite => {
                if !d.is_empty() {
                    let p = self.pos(d.len());
                    d[p] = match self.rng.random_range(0..4) {
                        0 => 0,
                        1 => 0xff,
                        2 => 0x7f,
                        _ => self.rng.random(),
                    };
                }
            }
            Op::Truncate => {
                let p = self.pos(d.len() + 1);
                d.truncate(p);
            }
            Op::Splice => {
                let j = self.rng.random_range(0..self.corpus.len());
                let other = self.corpus[j].clone();
                let a = self.pos(d.len() + 1);
                let b = self.pos(other.len() + 1);
                d.truncate(a);
                d.extend_from_slice(&other[b..]);
            }
            Op::ExtremeNumber => {
                let spans = number_spans(d);
                if let Some(&(s, e)) = pick(&mut self.rng, &spans) {
                    let r = EXTREME_NUMBERS[self.rng.random_range(0..EXTREME_NUMBERS.len())];
                    d.splice(s..e, r.bytes());
                }
            }
            Op::WrongType => {
                let spans = number_spans(d);
                if let Some(&(s, e)) = pick(&mut self.rng, &spans) {
                    let r = WRONG_TYPES[self.rng.random_range(0..WRONG_TYPES.len())];
                    d.splice(s..e, r.bytes());
                }
            }
            Op::DuplicateLine | Op::DeleteLine | Op::SwapLines | Op::RemoveHeader => {
                let mut lines = split_lines(d);
                if lines.is_empty() {
                    return;
                }
                let i = self.pos(lines.len());
                match op {
                    Op::DuplicateLine => {
                        let l = lines[i].clone();
                        lines.insert(i, l);
                    }
                    Op::DeleteLine => {
                        lines.remove(i);
                    }
                    Op::SwapLines => {
                        let j = self.pos(lines.len());
                        lines.swap(i, j);
                    }
                    _ => {
                        lines.remove(0);
                    }
                }
                *d = lines.concat();
            }
            Op::Encoding => match self.rng.random_range(0..6) {
                0 => {
                    d.splice(0..0, [0xef, 0xbb, 0xbf]);
                }
                1 => {
                    let p = self.pos(d.len() + 1);
                    d.splice(p..p, [0xc3, 0x28]);
                }
                2 => {
                    let p = self.pos(d.len() + 1);
                    d.insert(p, 0);
                }
                3 => {
                    // UTF-16 LE with its BOM: what a spreadsheet's "Unicode text" export writes.
                    let s = String::from_utf8_lossy(d).into_owned();
                    let mut out = vec![0xff, 0xfe];
                    out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
                    *d = out;
                }
                4 => {
                    let s = String::from_utf8_lossy(d).replace('\n', "\r\n");
                    *d = s.into_bytes();
                }
                _ => {
                    let p = self.pos(d.len() + 1);
                    d.splice(p..p, "é€\u{fffd}\u{200b}".bytes());
                }
            },
            Op::Whitespace => {
                // Spaces after JSON colons and around CSV commas, as pretty-printers write them.
                let seps: Vec<usize> =
                    d.iter().enumerate().filter(|(_, b)| matches!(b, b':' | b',')).map(|(i, _)| i).collect();
                if seps.is_empty() {
                    return;
                }
                if self.rng.random_bool(0.5) {
                    let mut out = Vec::with_capacity(d.len() + seps.len());
                    for &b in d.iter() {
                        out.push(b);
                        if matches!(b, b':' | b',') {
                            out.push(b' ');
                        }
                    }
                    *d = out;
                } else if let Some(&p) = pick(&mut self.rng, &seps) {
                    d.insert(p + 1, if self.rng.random_bool(0.5) { b' ' } else { b'\t' });
                }
            }
        }
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, v: &'a [T]) -> Option<&'a T> {
    if v.is_empty() {
        None
    } else {
        Some(&v[rng.random_range(0..v.len())])
    }
}

/// Lines with their terminators (so `concat` restores the input exactly).
fn split_lines(d: &[u8]) -> Vec<Vec<u8>> {
    d.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// Byte ranges of the numeric tokens in `d` (`-12.5e3`, `1000`): where a loader reads numbers.
pub fn number_spans(d: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < d.len() {
        let prev_ok = i == 0 || !(d[i - 1].is_ascii_alphanumeric() || d[i - 1] == b'_');
        let digit_next = d.get(i + 1).is_some_and(u8::is_ascii_digit);
        if prev_ok && (d[i].is_ascii_digit() || (d[i] == b'-' && digit_next)) {
            let s = i;
            i += 1;
            while i < d.len() && continues_number(d, i) {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Whether byte `i` extends the number token before it (digits, a point, an exponent).
fn continues_number(d: &[u8], i: usize) -> bool {
    let next_ok = |j: usize| d.get(j).is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+'));
    match d[i] {
        b'0'..=b'9' | b'.' => true,
        b'e' | b'E' => next_ok(i + 1),
        b'-' | b'+' => matches!(d[i - 1], b'e' | b'E'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_spans_find_signed_and_exponent_tokens() {
        let d = b"a1,-2.5e-3,x=40 id7";
        let spans: Vec<&[u8]> = number_spans(d).iter().map(|&(s, e)| &d[s..e]).collect();
        // `a1` and `id7` are names, not numbers.
        assert_eq!(spans, vec![&b"-2.5e-3"[..], &b"40"[..]]);
    }

    #[test]
    fn same_seed_same_mutants() {
        let corpus = vec![b"time,price\n1,2\n3,4\n".to_vec()];
        let mut a = Mutator::new(7, corpus.clone(), Kind::Text);
        let mut b = Mutator::new(7, corpus, Kind::Text);
        for _ in 0..200 {
            assert_eq!(a.next_input(), b.next_input());
        }
    }

    #[test]
    fn every_operator_is_drawn() {
        let mut m = Mutator::new(1, vec![b"{\"a\": 1, \"b\": [2.5]}\nx,1\n".to_vec()], Kind::Text);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2_000 {
            for op in m.next_input().1 {
                seen.insert(format!("{op:?}"));
            }
        }
        assert_eq!(seen.len(), 14, "{seen:?}");
    }
}
