//! Stress testing: time-stepped cascade on shock paths, Monte Carlo with fat-tailed copulas, cascade-adjusted VaR/ES, critical shock.
