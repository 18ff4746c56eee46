//! Containing panics of third-party readers: [`quietly`] runs a closure under `catch_unwind`
//! and keeps the panic message for the error instead of printing it. The Parquet and Arrow
//! readers panic on some corrupt files; a user should see one error naming the file, not a
//! panic report followed by it.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Runs `f`; `Err` carries the panic message if it panicked. While `f` runs, a panic on this
/// thread is not printed (the process-wide hook is wrapped once; other threads and other
/// panics still reach the previous hook).
pub fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    r.map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic without a message".into())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(super::quietly(|| 2 + 2), Ok(4));
        let r: Result<(), String> = super::quietly(|| panic!("page type {} unsupported", -64));
        assert_eq!(r, Err("page type -64 unsupported".to_string()));
    }
}
