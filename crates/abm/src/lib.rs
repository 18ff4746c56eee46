//! Agent-based market: L3 matching engine, discrete-event scheduler with latency, agents, and the
//! venue's liquidation engine in the loop.

pub mod book;
