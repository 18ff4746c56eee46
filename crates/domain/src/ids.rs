//! Typed dense indices into the scenario's `Vec`s (barter-rs style): O(1) lookup, no hashing,
//! and the type system keeps a market index from being used as an account index.

use serde::{Deserialize, Serialize};

macro_rules! dense_index {
    ($(#[$doc:meta])* $name:ident, $inner:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// The index as a `usize`, for indexing a `Vec`.
            #[inline]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

dense_index!(
    /// Index of a market (perpetual) in `Scenario::markets`.
    MarketId,
    u16
);
dense_index!(
    /// Index of an account in `Scenario::accounts`.
    AccountId,
    u32
);
dense_index!(
    /// Index of a collateral asset in `Scenario::assets`.
    AssetId,
    u16
);
dense_index!(
    /// Index of a venue in `Scenario::venues` (0 = the scenario's only venue when it has one).
    VenueId,
    u16
);
