//! The harness: runs a loader on mutants of its seed corpus under `catch_unwind` and a
//! wall-clock watchdog, and fails the test on a panic, a hang or an error that does not name the
//! file it was reading. Crashing inputs are saved so they can be committed as regressions.
//!
//! Every input is written to a file first (the loaders read paths, and an extension selects some
//! formats); after an abort — an allocation over the [`crate::CappedAlloc`] cap kills the
//! process — the culprit is the file `<work>/<target>/input.<ext>`.

use crate::mutate::{Kind, Mutator, Op};
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A loader under test: reads the file and returns its error message, if any.
pub type Loader = fn(&Path) -> Result<(), String>;

/// Executions per target when `LIQ_FUZZ_ITERS` is unset: the whole fuzz suite then runs in well
/// under a minute in a debug build on two cores (measured per target in the report).
pub const DEFAULT_ITERS: u64 = 400;

/// Executions per target: `LIQ_FUZZ_ITERS`, else [`DEFAULT_ITERS`].
pub fn iterations() -> u64 {
    std::env::var("LIQ_FUZZ_ITERS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(DEFAULT_ITERS)
}

/// The mutation stream's seed: `LIQ_FUZZ_SEED`, else a fixed one (CI runs are reproducible;
/// set it to explore further).
pub fn seed() -> u64 {
    std::env::var("LIQ_FUZZ_SEED").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(0x6c69_7163)
}

/// One fuzz target.
pub struct Target {
    /// Names the target in reports and its work and crash directories.
    pub name: String,
    /// Extension of the file the input is written to (`toml`, `csv`, `parquet`…).
    pub ext: String,
    pub kind: Kind,
    pub seeds: Vec<Vec<u8>>,
    /// Committed crash inputs, replayed (unmutated) before fuzzing; every file in it is one case.
    pub regressions: Option<PathBuf>,
    /// How long one load may take before it counts as a hang.
    pub bound: Duration,
    /// Where inputs and crashes are written (a test's `CARGO_TARGET_TMPDIR`).
    pub work: PathBuf,
    /// A target whose one execution costs this many of a typical one runs `iterations() /
    /// cost` mutants (at least one), so the suite's time stays bounded.
    pub cost: u64,
}

impl Target {
    /// A text target with a 5-second bound: a debug build loads these small files in
    /// milliseconds, so five seconds means the loader is looping, not working.
    pub fn new(name: &str, ext: &str, work: &Path) -> Self {
        Self {
            name: name.to_string(),
            ext: ext.to_string(),
            kind: Kind::Text,
            seeds: Vec::new(),
            regressions: None,
            bound: Duration::from_secs(5),
            work: work.to_path_buf(),
            cost: 1,
        }
    }

    /// Adds a seed input.
    pub fn seed(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.seeds.push(bytes.into());
        self
    }

    /// Adds every file in `paths` as a seed (panics on a missing seed: it is the test's own file).
    pub fn seed_files(mut self, paths: &[PathBuf]) -> Self {
        for p in paths {
            let b = std::fs::read(p).unwrap_or_else(|e| panic!("seed {}: {e}", p.display()));
            self.seeds.push(b);
        }
        self
    }

    pub fn binary(mut self) -> Self {
        self.kind = Kind::Binary;
        self
    }

    pub fn regressions(mut self, dir: PathBuf) -> Self {
        self.regressions = Some(dir);
        self
    }
}

/// What went wrong on one input.
#[derive(Debug, Clone)]
pub enum Failure {
    Panic(String),
    Hang(Duration),
    /// An error that does not name the file.
    Unlocated(String),
}

/// What a run did: the figures the report quotes.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub executions: u64,
    pub ok: u64,
    pub errors: u64,
    /// Errors that also name a line (`file:LINE`).
    pub errors_with_line: u64,
    /// Distinct error messages with the numbers blanked: how many different refusals were seen.
    pub distinct_errors: usize,
    pub failures: Vec<(PathBuf, Vec<Op>, Failure)>,
    pub elapsed: Duration,
}

enum Reply {
    Done(Result<(), String>),
    Panicked(String),
}

struct Worker {
    tx: mpsc::Sender<PathBuf>,
    rx: mpsc::Receiver<Reply>,
}

impl Worker {
    fn spawn(loader: Loader) -> Self {
        let (tx, in_rx) = mpsc::channel::<PathBuf>();
        let (out_tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for p in in_rx {
                let r = match catch_unwind(AssertUnwindSafe(|| loader(&p))) {
                    Ok(r) => Reply::Done(r),
                    Err(e) => Reply::Panicked(panic_message(&*e)),
                };
                if out_tx.send(r).is_err() {
                    break;
                }
            }
        });
        Self { tx, rx }
    }
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into())
}

/// Runs the regressions, then `iterations()` mutants, and panics (failing the test) if any input
/// panicked, hung or gave an unlocated error, naming the saved inputs. Returns the statistics.
pub fn fuzz(target: &Target, loader: Loader) -> Stats {
    let stats = run(target, loader, (iterations() / target.cost.max(1)).max(1), seed());
    eprintln!(
        "fuzz {}: {} executions ({} accepted, {} refused, {} of them with a line, {} distinct \
         refusals), {} failures, seed {}, {:.1} s",
        target.name,
        stats.executions,
        stats.ok,
        stats.errors,
        stats.errors_with_line,
        stats.distinct_errors,
        stats.failures.len(),
        seed(),
        stats.elapsed.as_secs_f64()
    );
    if !stats.failures.is_empty() {
        let list: Vec<String> = stats
            .failures
            .iter()
            .map(|(p, ops, f)| format!("  {} (ops {ops:?}): {f:?}", p.display()))
            .collect();
        panic!("fuzz {}: {} failing inputs\n{}", target.name, stats.failures.len(), list.join("\n"));
    }
    stats
}

/// The loop behind [`fuzz`], with explicit iteration count and seed (no panic on failures).
pub fn run(target: &Target, loader: Loader, iters: u64, seed: u64) -> Stats {
    let start = Instant::now();
    let dir = target.work.join(format!("fuzz-{}", target.name));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let input = dir.join(format!("input.{}", target.ext));
    let mut worker = Worker::spawn(loader);
    let mut stats = Stats::default();
    let mut shapes = BTreeSet::new();
    let mut cases: Vec<(Vec<u8>, Vec<Op>)> = Vec::new();
    if let Some(reg) = &target.regressions {
        if let Ok(rd) = std::fs::read_dir(reg) {
            let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for f in files.into_iter().filter(|f| f.is_file()) {
                cases.push((std::fs::read(&f).unwrap_or_default(), Vec::new()));
            }
        }
    }
    cases.extend(target.seeds.iter().map(|s| (s.clone(), Vec::new())));
    let mut mutator = Mutator::new(seed, target.seeds.clone(), target.kind);
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut i = 0u64;
    let total = cases.len() as u64 + iters;
    while i < total {
        let (data, ops) = if (i as usize) < cases.len() {
            std::mem::take(&mut cases[i as usize])
        } else {
            mutator.next_input()
        };
        i += 1;
        std::fs::write(&input, &data).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        stats.executions += 1;
        let t0 = Instant::now();
        worker.tx.send(input.clone()).expect("fuzz worker alive");
        let failure = match worker.rx.recv_timeout(target.bound) {
            Ok(Reply::Done(Ok(()))) => {
                stats.ok += 1;
                None
            }
            Ok(Reply::Done(Err(msg))) => {
                stats.errors += 1;
                if msg.contains(&format!("{name}:")) {
                    stats.errors_with_line += u64::from(names_line(&msg, &name));
                    shapes.insert(shape(&msg));
                    None
                } else {
                    Some(Failure::Unlocated(msg))
                }
            }
            Ok(Reply::Panicked(msg)) => Some(Failure::Panic(msg)),
            Err(_) => {
                // The worker is stuck in the loader: abandon it (the thread ends with the test
                // process) and carry on with a fresh one.
                worker = Worker::spawn(loader);
                Some(Failure::Hang(t0.elapsed()))
            }
        };
        if let Some(f) = failure {
            let crash = dir.join(format!("crash-{}.{}", stats.failures.len(), target.ext));
            let _ = std::fs::write(&crash, &data);
            stats.failures.push((crash, ops, f));
            if stats.failures.len() >= 8 {
                break;
            }
        }
    }
    stats.distinct_errors = shapes.len();
    stats.elapsed = start.elapsed();
    stats
}

/// Whether `msg` names `file:LINE`.
fn names_line(msg: &str, file: &str) -> bool {
    msg.match_indices(&format!("{file}:"))
        .any(|(i, m)| msg[i + m.len()..].chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// The message's first line with digits blanked, to count distinct kinds of refusal.
fn shape(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or("");
    let s: String = first.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
    s.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work() -> PathBuf {
        std::env::temp_dir().join(format!("liq-fuzz-selftest-{}", std::process::id()))
    }

    fn fussy(p: &Path) -> Result<(), String> {
        let t = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if t.contains("panic") {
            panic!("asked to");
        }
        if t.contains("loop") {
            std::thread::sleep(Duration::from_secs(5));
        }
        if t.contains("anon") {
            return Err("something is wrong".into());
        }
        if t.contains("bad") {
            return Err(format!("{}:1: field `x`: bad", p.display()));
        }
        Ok(())
    }

    #[test]
    fn each_failure_class_is_caught_and_saved() {
        let mut t = Target::new("selftest", "txt", &work())
            .seed("panic")
            .seed("loop")
            .seed("anon")
            .seed("bad")
            .seed("fine");
        // Long enough that a panic's unwinding on a loaded 2-core machine is not taken for a
        // hang (500 ms was, twice in session 4), short enough to keep the loop seed cheap.
        t.bound = Duration::from_millis(2500);
        let s = run(&t, fussy, 0, 1);
        assert_eq!(s.executions, 5);
        assert_eq!((s.ok, s.errors, s.errors_with_line), (1, 2, 1));
        let kinds: Vec<String> = s.failures.iter().map(|f| format!("{:?}", f.2)).collect();
        assert!(kinds[0].starts_with("Panic(\"asked to\")"), "{kinds:?}");
        assert!(kinds[1].starts_with("Hang("), "{kinds:?}");
        assert!(kinds[2].starts_with("Unlocated(\"something is wrong\")"), "{kinds:?}");
        assert_eq!(std::fs::read(&s.failures[0].0).unwrap(), b"panic");
    }
}
