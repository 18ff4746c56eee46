//! Runners kept for reuse across the chunks of one parallel run.
//!
//! rayon's `map_init` builds its state once per *split* of the work, not once per thread, and
//! a split is about a chunk: a `stress` of 100,000 paths built a [`liq_engine::Cascade`] (a
//! workspace of every account and every book's levels) about 400 times, and the page faults
//! of zeroing those were a tenth of a `--paths 600` profile (issue 15). A pool hands a chunk a
//! runner another chunk has finished with, so a run builds at most as many as run at once.
//! A runner resets itself at the start of each run, so which one a chunk gets changes nothing.

use std::sync::Mutex;

/// Idle runners (module doc).
#[derive(Debug)]
pub(crate) struct Pool<T> {
    idle: Mutex<Vec<T>>,
}

impl<T> Pool<T> {
    pub fn new() -> Pool<T> {
        Pool { idle: Mutex::new(Vec::new()) }
    }

    /// Runs `f` on an idle runner, or on a new one from `make` when none is idle, and keeps the
    /// runner for the next caller. (A panic in `f` drops the runner; a poisoned lock still
    /// holds only whole runners, so it is used as is.)
    pub fn with<R>(&self, make: impl FnOnce() -> T, f: impl FnOnce(&mut T) -> R) -> R {
        let taken = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut runner = taken.unwrap_or_else(make);
        let r = f(&mut runner);
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(runner);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::Pool;

    /// Three calls in a row build one runner and reuse it: the counter it carries sees all three.
    #[test]
    fn reuses_an_idle_runner() {
        let pool = Pool::new();
        let mut built = 0;
        for expect in 1..=3 {
            let seen = pool.with(
                || {
                    built += 1;
                    0u32
                },
                |n| {
                    *n += 1;
                    *n
                },
            );
            assert_eq!(seen, expect);
        }
        assert_eq!(built, 1);
    }
}
