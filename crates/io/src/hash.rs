//! The scenario hash recorded in every output, so a result can be traced to its exact input.
//!
//! SHA-256 over a canonical form of the *validated* scenario, hex-encoded, first 16 characters
//! (64 bits: ample to tell scenarios apart, short enough to read in a table). Hashing the
//! validated form rather than the file text means the same scenario hashes the same whether it
//! was written in TOML or JSON, with accounts inline, in a CSV or in Parquet, with comments or
//! without.
//!
//! The canonical form has two parts, each behind a tag and a length so no byte string can be
//! read as another:
//! - **the head**: `serde_json` of every field except the accounts and explicit book levels
//!   (struct fields in declaration order, numbers in serde_json's shortest round-trip form). It
//!   is a few kilobytes however large the population is.
//! - **the bulk**, in a fixed little-endian binary layout: per book its kind and, for explicit
//!   levels, each level's price and quantity as `f64` bits; per account the label's length and
//!   bytes, the wallet (micro-USD `i64`), each collateral `(asset u16, qty f64 bits)` and each
//!   position `(market u16, size_lots i64, cost i64, mode u8, isolated_margin i64)`, with counts
//!   in front of every list. Every value the engine reads is in it exactly, so changing any
//!   input changes the hash (tests below).
//!
//! The bulk is hashed in blocks of accounts on all cores, and the block digests are hashed in
//! order into the final digest (a two-level tree): the same accounts give the same hash on any
//! thread count. This replaced a SHA-256 of the whole scenario re-serialised as JSON, which was
//! the largest single cost of loading a 1,000,000-account scenario (issue 15); hashes recorded
//! before that change differ from today's for the same scenario.

use liq_domain::{Account, BookSpec, MarginMode, Scenario};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Accounts per leaf of the hash tree: large enough that the leaf digests are a negligible
/// share of the work, small enough to spread a million accounts over any core count.
const ACCOUNTS_PER_LEAF: usize = 16_384;

/// Feeds written bytes to the hasher.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every field of the scenario but the bulk, borrowed. The destructuring in [`scenario_hash`]
/// names every field of `Scenario` without `..`, so a field added there fails to compile until
/// it is hashed here or in the bulk.
#[derive(Serialize)]
struct Head<'a> {
    name: &'a str,
    seed: u64,
    venue: &'a liq_domain::VenuePreset,
    markets: &'a [liq_domain::MarketSpec],
    /// Profile books in full; explicit-level books only as a marker (their levels are in the bulk).
    books: Vec<Option<&'a BookSpec>>,
    assets: &'a [liq_domain::AssetSpec],
    insurance_fund: &'a liq_domain::Money,
    shock: &'a liq_domain::Shock,
    impact: &'a liq_domain::ImpactConfig,
    engine: &'a liq_domain::EngineConfig,
    price: &'a liq_domain::PriceFormation,
    book_shock_usd: &'a [f64],
    /// Absent for one venue, the default collateral rules and no forced flows, so those
    /// scenarios keep their hash.
    #[serde(skip_serializing_if = "single_venue")]
    venues: &'a liq_domain::VenueMap,
    #[serde(skip_serializing_if = "default_collateral")]
    collateral: &'a liq_domain::CollateralSpec,
    #[serde(skip_serializing_if = "no_flows")]
    flows: &'a liq_domain::FlowsSpec,
    /// Absent when no mitigation policy is on, so those scenarios keep their hash.
    #[serde(skip_serializing_if = "no_policy")]
    policy: &'a liq_domain::PolicySpec,
}

fn single_venue(v: &&liq_domain::VenueMap) -> bool {
    v.is_single()
}

fn default_collateral(c: &&liq_domain::CollateralSpec) -> bool {
    **c == liq_domain::CollateralSpec::default()
}

fn no_flows(f: &&liq_domain::FlowsSpec) -> bool {
    f.is_empty()
}

fn no_policy(p: &&liq_domain::PolicySpec) -> bool {
    p.is_off()
}

/// First 16 hex characters of the SHA-256 of a lending book's canonical JSON (`venue =
/// "aave-v3"`: a few hundred borrowers, so the JSON form costs nothing; tagged apart from the perp
/// form so the two can never collide).
pub fn lending_scenario_hash(scenario: &liq_domain::LendingScenario) -> String {
    let mut h = Sha256::new();
    h.update(b"liqcascade-lending-v1\0");
    if serde_json::to_writer(std::io::BufWriter::new(HashWriter(&mut h)), scenario).is_err() {
        h.update(b"<serialization error>");
    }
    hex16(&h.finalize())
}

/// First 16 hex characters of the SHA-256 of the scenario's canonical form (module doc).
pub fn scenario_hash(scenario: &Scenario) -> String {
    let Scenario {
        name,
        seed,
        venue,
        markets,
        books,
        assets,
        accounts,
        insurance_fund,
        shock,
        impact,
        engine,
        price,
        book_shock_usd,
        venues,
        collateral,
        flows,
        policy,
    } = scenario;
    let head = Head {
        name,
        seed: *seed,
        venue,
        markets,
        books: books.iter().map(|b| matches!(b, BookSpec::Profile(_)).then_some(b)).collect(),
        assets,
        insurance_fund,
        shock,
        impact,
        engine,
        price,
        book_shock_usd,
        venues,
        collateral,
        flows,
        policy,
    };
    let mut h = Sha256::new();
    h.update(b"liqcascade-scenario-v2\0head\0");
    // Serializing plain structs of numbers and strings into a sink that never fails cannot
    // error; should a future field make it fail, hash what was written plus a marker rather
    // than panic in the middle of writing outputs.
    if serde_json::to_writer(std::io::BufWriter::new(HashWriter(&mut h)), &head).is_err() {
        h.update(b"<serialization error>");
    }
    h.update(b"\0books\0");
    h.update((books.len() as u64).to_le_bytes());
    for b in books {
        match b {
            BookSpec::Profile(_) => h.update([0u8]),
            BookSpec::Levels { bids, asks } => {
                h.update([1u8]);
                for side in [bids, asks] {
                    h.update((side.len() as u64).to_le_bytes());
                    let mut buf = Vec::with_capacity(side.len() * 16);
                    for l in side {
                        buf.extend_from_slice(&l.price.to_bits().to_le_bytes());
                        buf.extend_from_slice(&l.qty.to_bits().to_le_bytes());
                    }
                    h.update(&buf);
                }
            }
        }
    }
    h.update(b"\0accounts\0");
    h.update((accounts.len() as u64).to_le_bytes());
    let leaves: Vec<[u8; 32]> = accounts.par_chunks(ACCOUNTS_PER_LEAF).map(leaf_digest).collect();
    for leaf in &leaves {
        h.update(leaf);
    }
    hex16(&h.finalize())
}

/// SHA-256 of one block of accounts in the binary layout of the module doc.
fn leaf_digest(accounts: &[Account]) -> [u8; 32] {
    let mut buf: Vec<u8> = Vec::with_capacity(accounts.len() * 64);
    for a in accounts {
        buf.extend_from_slice(&(a.label.len() as u64).to_le_bytes());
        buf.extend_from_slice(a.label.as_bytes());
        buf.extend_from_slice(&a.wallet.0.to_le_bytes());
        buf.extend_from_slice(&(a.collateral.len() as u32).to_le_bytes());
        for c in &a.collateral {
            buf.extend_from_slice(&c.asset.0.to_le_bytes());
            buf.extend_from_slice(&c.qty.to_bits().to_le_bytes());
        }
        buf.extend_from_slice(&(a.positions.len() as u32).to_le_bytes());
        for p in &a.positions {
            buf.extend_from_slice(&p.market.0.to_le_bytes());
            buf.extend_from_slice(&p.size_lots.to_le_bytes());
            buf.extend_from_slice(&p.cost.0.to_le_bytes());
            buf.push(match p.mode {
                MarginMode::Cross => 0,
                MarginMode::Isolated => 1,
            });
            buf.extend_from_slice(&p.isolated_margin.0.to_le_bytes());
        }
    }
    Sha256::digest(&buf).into()
}

/// The first 8 bytes of a digest as 16 lowercase hex characters.
fn hex16(digest: &[u8]) -> String {
    let mut s = String::with_capacity(16);
    for b in &digest[..8] {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use liq_domain::{AssetId, Collateral, L2Level, MarketId, Money};

    fn base() -> Scenario {
        let mut s = crate::default_scenario::default_scenario_with_accounts(40_000).unwrap();
        s.books[0] = BookSpec::Levels {
            bids: vec![L2Level { price: 99_000.0, qty: 1.0 }],
            asks: vec![L2Level { price: 99_001.0, qty: 2.0 }],
        };
        s.accounts[7].collateral.push(Collateral { asset: AssetId(0), qty: 0.5 });
        s
    }

    /// Invariant: the hash is a function of the content (same input, same hash) and changes when
    /// any single value the engine reads changes, in the head, the books or any account (here
    /// one in the middle of the last leaf and one in the first, so both tree levels count).
    #[test]
    fn any_change_changes_the_hash() {
        let s = base();
        let h = scenario_hash(&s);
        assert_eq!(h.len(), 16);
        assert_eq!(h, scenario_hash(&s.clone()), "same content, same hash");
        let last = s.accounts.len() - 3;
        let edits: Vec<(&str, Edit)> = vec![
            ("name", Box::new(|s| s.name.push('x'))),
            ("seed", Box::new(|s| s.seed += 1)),
            ("fund", Box::new(|s| s.insurance_fund.0 += 1)),
            ("tick", Box::new(|s| s.markets[1].tick_size *= 2.0)),
            ("bid price", Box::new(|s| bid(s).price = 99_000.1)),
            ("bid qty", Box::new(|s| bid(s).qty = 1.001)),
            ("label", Box::new(|s| s.accounts[3].label.push('x'))),
            ("wallet", Box::new(move |s| s.accounts[last].wallet.0 += 1)),
            ("size", Box::new(move |s| s.accounts[last].positions[0].size_lots += 1)),
            ("cost", Box::new(|s| s.accounts[0].positions[0].cost.0 += 1)),
            ("market", Box::new(|s| s.accounts[0].positions[0].market = MarketId(2))),
            ("mode", Box::new(|s| flip_mode(&mut s.accounts[0].positions[0].mode))),
            ("margin", Box::new(|s| s.accounts[1].positions[0].isolated_margin.0 += 1)),
            ("collateral qty", Box::new(|s| s.accounts[7].collateral[0].qty = 0.25)),
            ("collateral asset", Box::new(|s| s.accounts[7].collateral[0].asset = AssetId(1))),
            ("account dropped", Box::new(|s| drop(s.accounts.pop()))),
            ("accounts swapped", Box::new(|s| s.accounts.swap(0, 1))),
            ("book shock", Box::new(|s| s.book_shock_usd = vec![-1.0, 0.0, 0.0])),
            (
                "wallet moved into label",
                Box::new(|s| {
                    s.accounts[2].label.push('\0');
                    s.accounts[2].wallet = Money(0);
                }),
            ),
        ];
        for (what, edit) in edits {
            let mut t = s.clone();
            edit(&mut t);
            assert_ne!(scenario_hash(&t), h, "{what} changed but the hash did not");
        }
    }

    /// One change to a scenario, for the table of edits.
    type Edit = Box<dyn Fn(&mut Scenario)>;

    fn bid(s: &mut Scenario) -> &mut L2Level {
        match &mut s.books[0] {
            BookSpec::Levels { bids, .. } => &mut bids[0],
            BookSpec::Profile(_) => unreachable!("base() gives book 0 explicit levels"),
        }
    }

    fn flip_mode(m: &mut MarginMode) {
        *m = match m {
            MarginMode::Cross => MarginMode::Isolated,
            MarginMode::Isolated => MarginMode::Cross,
        };
    }

    /// Invariant: the hash does not depend on the thread count (the leaves are combined in
    /// order, not as they finish).
    #[test]
    fn same_hash_on_any_thread_count() {
        let s = base();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        assert_eq!(one.install(|| scenario_hash(&s)), three.install(|| scenario_hash(&s)));
    }
}
