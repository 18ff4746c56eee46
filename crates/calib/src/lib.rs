//! Calibration from real high-frequency data: exchange-format loaders, volatility, correlation, depth, impact-law and resilience estimators.
