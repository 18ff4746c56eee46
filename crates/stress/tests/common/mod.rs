//! Builders for small hand-made scenarios used by the stress tests.
#![allow(dead_code)]

pub use liq_domain::builders::*;
