//! Test support for liqcascade: a deterministic in-test fuzzer for every loader (issue 14, item
//! 7). cargo-fuzz needs a nightly toolchain; this runs on stable inside `cargo test`, bounded by
//! `LIQ_FUZZ_ITERS` executions per target.
//!
//! - [`mutate`] owns the mutation engine (ChaCha8-seeded operators over a seed corpus);
//! - [`harness`] owns the run: `catch_unwind`, a wall-clock watchdog, the check that an error
//!   names its file, crash files and statistics;
//! - [`CappedAlloc`] is a global allocator for fuzz test binaries that refuses any single
//!   allocation over a cap, so an allocation sized by a hostile number aborts at once (with
//!   Rust's "memory allocation of N bytes failed") instead of taking the machine's memory.
//!
//! Each crate fuzzes its own loaders in `tests/fuzz_*.rs`, with this crate as a dev-dependency;
//! it depends on no project crate, so no layering is crossed. Crash inputs are committed under
//! the crate's `tests/fuzz_regressions/<target>/` and replayed by every run.

pub mod harness;
pub mod mutate;

pub use harness::{fuzz, iterations, run, seed, Failure, Loader, Stats, Target};
pub use mutate::{Kind, Mutator, Op, EXTREME_NUMBERS};

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator with a per-allocation cap (install with `#[global_allocator]` in a fuzz
/// test binary). A request over the cap returns null, which Rust turns into an immediate abort.
pub struct CappedAlloc {
    cap: usize,
}

impl CappedAlloc {
    /// `cap` in bytes. 1 GiB is far above anything a loader needs for a fuzz input of a few
    /// kilobytes, and far below what would push a shared machine into swap.
    pub const fn new(cap: usize) -> Self {
        Self { cap }
    }
}

// SAFETY: every call is forwarded unchanged to `System`, except that requests over the cap
// return null, which `GlobalAlloc` permits for any request.
unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > self.cap {
            return std::ptr::null_mut();
        }
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > self.cap {
            return std::ptr::null_mut();
        }
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > self.cap {
            return std::ptr::null_mut();
        }
        System.realloc(ptr, layout, new_size)
    }
}
