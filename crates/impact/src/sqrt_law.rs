//! sqrt law (to be written)
