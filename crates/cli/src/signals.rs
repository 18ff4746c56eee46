//! Process signals: a closed stdout ends the process quietly, and SIGINT/SIGTERM never leave a
//! partial output file.
//!
//! - **SIGPIPE** is restored to its default action. Rust's runtime ignores it, so a write to a
//!   closed pipe (`liqcascade run --json | head -1`) returns `EPIPE` and `println!` panics with
//!   "failed printing to stdout: Broken pipe". With the default action the process ends at
//!   that write, silently, with the conventional status (killed by SIGPIPE: 141 in a shell),
//!   which is what `cat`, `grep` and every other filter do. `main` also treats an
//!   `ErrorKind::BrokenPipe` error reaching it as a quiet end (status 141) for writers that
//!   report instead of signalling (and for platforms without SIGPIPE).
//! - **SIGINT / SIGTERM**: the handler records the signal with `liq_io::output::note_interrupt`.
//!   If no output file is being written, nothing partial can exist and it ends the process at
//!   once with 128 + the signal (130, 143) via `_exit` (async-signal-safe). Otherwise the writer
//!   stops at its next buffer, removes its temporary file, and `main` exits with the same
//!   status.
//!
//! `signal(2)` and `_exit(2)` are declared here directly: both are in the C library that the
//! standard library already links, so no crate is added for two functions. The signal numbers
//! are those of Linux and macOS; elsewhere nothing is installed.

#[cfg(any(target_os = "linux", target_os = "macos"))]
mod sys {
    pub const SIGINT: i32 = 2;
    pub const SIGPIPE: i32 = 13;
    pub const SIGTERM: i32 = 15;
    /// `SIG_DFL` is the null handler.
    pub const SIG_DFL: usize = 0;
    extern "C" {
        /// `sighandler_t signal(int, sighandler_t)`: handlers are passed as addresses.
        pub fn signal(signum: i32, handler: usize) -> usize;
        pub fn _exit(status: i32) -> !;
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
extern "C" fn on_interrupt(signal: i32) {
    if !liq_io::output::note_interrupt(signal) {
        // SAFETY: `_exit` is async-signal-safe and ends the process without running anything.
        unsafe { sys::_exit(128 + signal) }
    }
}

/// Installs the handlers described in the module doc; call first thing in `main`.
pub fn install() {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    {
        let handler: extern "C" fn(i32) = on_interrupt;
        // SAFETY: `signal` is called with valid signal numbers and either SIG_DFL or the address
        // of an `extern "C" fn(i32)` that only touches atomics and calls `_exit`.
        unsafe {
            sys::signal(sys::SIGPIPE, sys::SIG_DFL);
            sys::signal(sys::SIGINT, handler as usize);
            sys::signal(sys::SIGTERM, handler as usize);
        }
    }
}
