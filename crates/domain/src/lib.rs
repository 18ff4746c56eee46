//! Domain vocabulary shared by every layer of liqcascade.
//!
//! This crate owns the *validated, in-memory* picture of a scenario: typed dense indices
//! ([`MarketId`], [`AccountId`], [`AssetId`]), exact money ([`Money`], micro-USD in `i64`),
//! market specifications with their risk-limit ladder ([`RiskLadder`]), accounts with cross and
//! isolated positions and volatile collateral, order-book specifications, the shock, and the
//! venue preset name. It knows nothing about how scenarios are parsed (that is `liq-io`) or how
//! they are run (that is `liq-engine`); lower layers never import higher ones.

pub mod account;
pub mod book;
pub mod builders;
pub mod collateral;
pub mod flows;
pub mod ids;
pub mod lending;
pub mod market;
pub mod money;
pub mod policy;
pub mod price_formation;
pub mod scenario;
pub mod serde_num;
pub mod venue;

pub use account::{Account, AssetPrice, AssetSpec, Collateral, MarginMode, Position};
pub use book::{BookSpec, DepthProfile, L2Level};
pub use collateral::{AssetCollateral, CollateralSale, CollateralSpec, PathPoint, ValueTier};
pub use flows::{
    DealerBookSpec, FlowsSpec, LeveragedTokenSpec, OptionOpenInterest, OptionType, StopClusterSpec, StopKind,
};
pub use ids::{AccountId, AssetId, MarketId, VenueId};
pub use lending::{Borrower, LendingReserve, LendingRules, LendingScenario};
pub use market::{MarketSpec, RiskLadder, RiskTier};
pub use money::Money;
pub use policy::{CircuitBreaker, PolicySpec, VolScaledMaintenance};
pub use price_formation::{
    ArbitrageSpec, FundingSpec, IndexRule, IndexSpec, MakerHedgeSpec, MarkRule, PriceFormation,
    SpotMarketSpec,
};
pub use scenario::{
    AdlMode, EngineConfig, ImpactConfig, ImpactKind, Scenario, Shock, SquareRootParams, VenuePreset,
    WithdrawalConfig,
};
pub use venue::{VenueMap, VenueSpec};

/// Which side of the book an order takes, or which way a position points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Buy order / long position.
    Buy,
    /// Sell order / short position.
    Sell,
}

impl Side {
    /// The side that closes a position of signed size `size` (a long is closed by selling).
    pub fn closing(size: i64) -> Side {
        if size > 0 {
            Side::Sell
        } else {
            Side::Buy
        }
    }

    /// +1 for buy, −1 for sell.
    pub fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }
}

/// A structural error in domain data (a ladder that does not ascend, a tick that is not positive).
/// Parsers wrap it with the file, line and field where the value came from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DomainError {
    /// The field at fault, in the scenario format's own words (`tiers[2].mmr`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl DomainError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
