//! The ABM's exact ledger: cash, position and cost basis of every account, in integer micro-USD
//! and lots.
//!
//! A trade moves `value` micro-USD of cost basis from seller to buyer and `lots` of position the
//! other way; a transfer moves cash. Cost basis is never rounded: equity is
//! `cash − cost + position × mark`, and when a position reaches zero its cost is folded into cash
//! (the realised PnL). Two invariants follow and [`Ledger::check`] tests them: the sum of
//! positions is zero (open interest long = short), and `Σ (cash − cost)` never changes (money is
//! conserved: nothing is created or lost between accounts, the insurance fund and bad debt).

/// Balances of every account (index = book owner id).
#[derive(Debug, Clone)]
pub struct Ledger {
    pub cash: Vec<i64>,
    pub pos: Vec<i64>,
    pub cost: Vec<i64>,
    /// Micro-USD per lot per tick.
    pub unit: i64,
    initial_total: i128,
}

/// The ledger's invariants as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LedgerCheck {
    /// Σ (cash − cost) now minus at the start: 0 when money is conserved.
    pub money_drift_micros: i128,
    /// Open interest, lots: sum of long positions.
    pub oi_long_lots: i64,
    /// Sum of |short positions|, lots.
    pub oi_short_lots: i64,
}

impl LedgerCheck {
    pub fn ok(&self) -> bool {
        self.money_drift_micros == 0 && self.oi_long_lots == self.oi_short_lots
    }
}

impl Ledger {
    /// Accounts with the given starting cash, flat.
    pub fn new(cash: Vec<i64>, unit: i64) -> Ledger {
        let n = cash.len();
        let initial_total = cash.iter().map(|&c| c as i128).sum();
        Ledger { cash, pos: vec![0; n], cost: vec![0; n], unit, initial_total }
    }

    /// `buyer` buys `lots` from `seller` for `value` micro-USD.
    #[inline]
    pub fn trade(&mut self, buyer: u32, seller: u32, lots: i64, value: i64) {
        let (b, s) = (buyer as usize, seller as usize);
        self.pos[b] += lots;
        self.cost[b] += value;
        self.pos[s] -= lots;
        self.cost[s] -= value;
        if self.pos[b] == 0 {
            self.fold(b);
        }
        if self.pos[s] == 0 {
            self.fold(s);
        }
    }

    /// A trade at `price` ticks.
    #[inline]
    pub fn trade_at(&mut self, buyer: u32, seller: u32, lots: i64, price: i64) {
        self.trade(buyer, seller, lots, lots * price * self.unit);
    }

    #[inline]
    fn fold(&mut self, a: usize) {
        self.cash[a] -= self.cost[a];
        self.cost[a] = 0;
    }

    /// Moves `amount` micro-USD of cash.
    #[inline]
    pub fn transfer(&mut self, from: u32, to: u32, amount: i64) {
        self.cash[from as usize] -= amount;
        self.cash[to as usize] += amount;
    }

    /// `cash − cost` in USD: equity with the position marked at zero (the `fixed_usd` of
    /// `liq_margin::trigger_price`).
    #[inline]
    pub fn fixed_usd(&self, a: u32) -> f64 {
        (self.cash[a as usize] - self.cost[a as usize]) as f64 * 1e-6
    }

    /// Equity in USD at `mark` with `lot_size` base units per lot.
    #[inline]
    pub fn equity_usd(&self, a: u32, mark: f64, lot_size: f64) -> f64 {
        self.fixed_usd(a) + self.pos[a as usize] as f64 * lot_size * mark
    }

    pub fn check(&self) -> LedgerCheck {
        let total: i128 = self.cash.iter().zip(&self.cost).map(|(&c, &k)| c as i128 - k as i128).sum();
        let oi_long_lots = self.pos.iter().filter(|&&p| p > 0).sum();
        let oi_short_lots = -self.pos.iter().filter(|&&p| p < 0).sum::<i64>();
        LedgerCheck { money_drift_micros: total - self.initial_total, oi_long_lots, oi_short_lots }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_realises_pnl_into_cash() {
        // Unit 100 micro-USD per lot-tick (tick 0.1, lot 0.001). A buys 10 lots at 600,000 ticks
        // from B: value 10 × 600,000 × 100 = 600,000,000 µUSD (600 USD). A sells them back at
        // 600,100: 600,100,000 µUSD. A's cash: 1,000,000,000 − 600,000,000 + 600,100,000
        // = 1,000,100,000 (a 0.1 USD gain); B's = 999,900,000.
        let mut l = Ledger::new(vec![1_000_000_000, 1_000_000_000], 100);
        l.trade_at(0, 1, 10, 600_000);
        assert_eq!(l.equity_usd(0, 60_000.0, 0.001), 1_000.0);
        l.trade_at(1, 0, 10, 600_100);
        assert_eq!((l.cash[0], l.cash[1]), (1_000_100_000, 999_900_000));
        assert_eq!((l.cost[0], l.pos[0]), (0, 0));
        assert!(l.check().ok());
    }
}
