//! L2 book (to be written).
