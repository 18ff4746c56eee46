//! Finding the line of a field in the source text.
//!
//! Validation works on plain deserialized structs and names the offending field by its path in
//! the format's own words (`markets[1].tiers[2].mmr`). Only when an error is reported is the text
//! walked again to find where that path is written: TOML through `toml_edit`'s spanned document,
//! JSON through a small structural scanner. Doing it lazily keeps the happy path free of span
//! bookkeeping (and fast on large inline populations), and keeps validation format-independent.
//! When the exact field is not written in the file (a defaulted or derived value) the deepest
//! ancestor that is written is reported instead, so the line is never wrong, only coarser.

use crate::Format;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Splits `markets[1].tiers[2].mmr` into steps. A bracket that does not hold a number is kept
/// as part of the key, so odd map keys never make the parse fail.
fn parse_path(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        while let Some(end) = rest.find(']') {
            match rest[1..end].parse::<usize>() {
                Ok(i) if rest.starts_with('[') => out.push(Seg::Index(i)),
                _ => break,
            }
            rest = &rest[end + 1..];
        }
    }
    out
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Line and column of the field `path` (or its deepest written ancestor) in `text`.
pub fn locate(text: &str, format: Format, path: &str) -> Option<(usize, usize)> {
    let segs = parse_path(path);
    let offset = match format {
        Format::Toml => toml_offset(text, &segs),
        Format::Json => json_offset(text, &segs),
    }?;
    Some(line_col(text, offset))
}

// ---------------------------------------------------------------------------------------------
// TOML

#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a toml_edit::Item),
    Value(&'a toml_edit::Value),
    Table(&'a toml_edit::Table),
}

fn toml_offset(text: &str, segs: &[Seg]) -> Option<usize> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let mut node = Node::Table(doc.as_table());
    let mut best: Option<usize> = None;
    for seg in segs {
        let next = match (seg, node) {
            (Seg::Key(k), Node::Table(t)) | (Seg::Key(k), Node::Item(toml_edit::Item::Table(t))) => {
                let span = t.key(k).and_then(|k| k.span());
                t.get(k).map(|i| (span.or_else(|| i.span()), Node::Item(i)))
            }
            (Seg::Key(k), Node::Item(toml_edit::Item::Value(toml_edit::Value::InlineTable(t))))
            | (Seg::Key(k), Node::Value(toml_edit::Value::InlineTable(t))) => {
                let span = t.key(k).and_then(|k| k.span());
                t.get(k).map(|v| (span.or_else(|| v.span()), Node::Value(v)))
            }
            (Seg::Index(i), Node::Item(toml_edit::Item::ArrayOfTables(a))) => {
                a.get(*i).map(|t| (t.span(), Node::Table(t)))
            }
            (Seg::Index(i), Node::Item(toml_edit::Item::Value(toml_edit::Value::Array(a))))
            | (Seg::Index(i), Node::Value(toml_edit::Value::Array(a))) => {
                a.get(*i).map(|v| (v.span(), Node::Value(v)))
            }
            _ => None,
        };
        let Some((span, n)) = next else { break };
        if let Some(s) = span {
            best = Some(s.start);
        }
        node = n;
    }
    best
}

// ---------------------------------------------------------------------------------------------
// JSON

/// A forward-only scanner over well-formed JSON (the text already deserialized once, so it is
/// well-formed; on anything unexpected the scanner gives up and the caller keeps what it has).
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Skips a string starting at the opening quote; returns its raw (escaped) contents.
    fn string(&mut self) -> Option<&[u8]> {
        self.ws();
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return self.b.get(start..self.i - 1);
                }
                _ => self.i += 1,
            }
        }
        None
    }

    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                self.ws();
                if self.peek()? == close {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.string()?;
                        self.eat(b':')?;
                    }
                    self.skip_value()?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        c if c == close => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => {
                // Number or literal: runs to the next delimiter.
                while self.i < self.b.len()
                    && !matches!(self.b[self.i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// At an object: moves to the value of member `key`; returns the offset of the key.
    fn member(&mut self, key: &str) -> Option<usize> {
        self.eat(b'{')?;
        loop {
            self.ws();
            let at = self.i;
            let raw = self.string()?;
            // Keys with escapes are compared unescaped; plain keys (all of ours) directly.
            let matches = if raw.contains(&b'\\') {
                let quoted = self.b.get(at..self.i)?;
                serde_json::from_slice::<String>(quoted).ok().as_deref() == Some(key)
            } else {
                raw == key.as_bytes()
            };
            self.eat(b':')?;
            if matches {
                self.ws();
                return Some(at);
            }
            self.skip_value()?;
            self.eat(b',')?;
        }
    }

    /// At an array: moves to element `index`; returns its offset.
    fn element(&mut self, index: usize) -> Option<usize> {
        self.eat(b'[')?;
        for _ in 0..index {
            self.skip_value()?;
            self.eat(b',')?;
        }
        self.ws();
        Some(self.i)
    }
}

fn json_offset(text: &str, segs: &[Seg]) -> Option<usize> {
    let mut s = Scan { b: text.as_bytes(), i: 0 };
    let mut best = None;
    for seg in segs {
        let at = match seg {
            Seg::Key(k) => s.member(k),
            Seg::Index(i) => s.element(*i),
        };
        match at {
            Some(at) => best = Some(at),
            None => break,
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse_path("markets[1].tiers[2].mmr"),
            vec![
                Seg::Key("markets".into()),
                Seg::Index(1),
                Seg::Key("tiers".into()),
                Seg::Index(2),
                Seg::Key("mmr".into())
            ]
        );
        assert_eq!(
            parse_path("book.bids[0][1]"),
            vec![Seg::Key("book".into()), Seg::Key("bids".into()), Seg::Index(0), Seg::Index(1)]
        );
    }

    #[test]
    fn finds_toml_and_json_fields() {
        let toml = "a = 1\n[[m]]\nx = 1\n[[m]]\nx = 2\nt = [\n  { k = 1 },\n  { k = 2, j = 3 },\n]\n";
        assert_eq!(locate(toml, Format::Toml, "m[1].t[1].j"), Some((8, 12)));
        assert_eq!(locate(toml, Format::Toml, "m[1].x"), Some((5, 1)));
        // Missing leaf: the deepest written ancestor.
        assert_eq!(locate(toml, Format::Toml, "m[1].t[0].nope"), Some((7, 3)));
        let json =
            "{\n \"a\": 1,\n \"m\": [\n  {\"x\": [1, 2]},\n  {\"x\": {\"y\\u0041\": 1, \"z\": 2}}\n ]\n}";
        assert_eq!(locate(json, Format::Json, "m[1].x.z"), Some((5, 24)));
        assert_eq!(locate(json, Format::Json, "m[1].x.yA"), Some((5, 10)));
        assert_eq!(locate(json, Format::Json, "m[0].x[1]"), Some((4, 13)));
        assert_eq!(locate(json, Format::Json, "a"), Some((2, 2)));
    }
}
