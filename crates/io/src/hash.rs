//! The scenario hash recorded in every output, so a result can be traced to its exact input.
//!
//! SHA-256 over the canonical serialization of the *validated* scenario (`serde_json` of
//! `liq_domain::Scenario`: struct fields in declaration order, `Vec`s in index order, numbers in
//! serde_json's shortest round-trip form), hex-encoded, first 16 characters (64 bits: ample to
//! tell scenarios apart, short enough to read in a table). Hashing the validated form rather
//! than the file text means the same scenario hashes the same whether it was written in TOML or
//! JSON, with accounts inline or in a CSV, with comments or without. The JSON is streamed into
//! the hasher, so a million-account scenario is never held as one string.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Feeds written bytes to the hasher.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// First 16 hex characters of the SHA-256 of the scenario's canonical JSON (a perp
/// `liq_domain::Scenario` or a `liq_domain::LendingScenario`).
pub fn scenario_hash<T: serde::Serialize + ?Sized>(scenario: &T) -> String {
    let mut w = HashWriter(Sha256::new());
    // Serializing plain structs of numbers and strings into a sink that never fails cannot
    // error; should a future field make it fail, hash what was written plus a marker rather
    // than panic in the middle of writing outputs.
    if serde_json::to_writer(std::io::BufWriter::new(&mut w), scenario).is_err() {
        w.0.update(b"<serialization error>");
    }
    let digest = w.0.finalize();
    let mut s = String::with_capacity(16);
    for b in &digest[..8] {
        let _ = write!(s, "{b:02x}");
    }
    s
}
