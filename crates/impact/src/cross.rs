//! cross (to be written)
