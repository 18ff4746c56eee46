//! `liqcascade._native`: the Python extension module of liqcascade (PyO3, abi3, built by
//! maturin; the Python package in python/liqcascade wraps it).
//!
//! Owns the boundary between Python and the engine and nothing of the modelling: scenarios are
//! loaded and validated by `liq_io`, options parsed by `liq_options` (the CLI's own parsers),
//! and every command runs the same library calls as the CLI, so a result dict is the JSON the
//! CLI writes (one result schema, docs/result.schema.json). Modules:
//! - `errors` — `InputError` (a `ValueError` with `file`, `line`, `column`, `field`, `row`)
//!   from the loaders' located errors and the options' messages.
//! - `scenario` — the `Scenario` class (file, embedded default, JSON text, an accounts table),
//!   picklable by its source so Ray workers rebuild it exactly.
//! - `arrow_export` — `ArrowBatch`, a record batch handed to pyarrow/polars through the Arrow C
//!   data interface (`__arrow_c_array__`, `__arrow_c_stream__`) without copying.
//! - `commands` — `run`, `stress`, `stress_shard`, `merge`, `sweep`, `network`, `map`,
//!   `compare`; each releases the GIL while the engine runs.

use pyo3::prelude::*;

mod arrow_export;
mod commands;
mod errors;
mod scenario;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<errors::InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<arrow_export::ArrowBatch>()?;
    commands::register(m)?;
    Ok(())
}
