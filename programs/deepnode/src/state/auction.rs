//! The domain's descending-price buyback auction (PROTOCOL.md §8).
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::errors::DeepNodeError;

/// Auction state of one domain. Seeds: `[AUCTION_SEED, domain]`.
/// Prices are DN base units per revenue base unit, times 1e9.
#[account]
#[derive(InitSpace, Debug)]
pub struct Auction {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Seconds over which the price decays from start to floor.
    pub duration_secs: u32,
    /// Price floor (times 1e9).
    pub floor_price_e9: u64,
    /// Start price used before the first sale (times 1e9).
    pub reference_price_e9: u64,
    /// Start price of the running auction (times 1e9).
    pub start_price_e9: u64,
    /// Unix time the running auction started.
    pub start_ts: i64,
    /// Clearing price of the last sale (0 before the first).
    pub last_clearing_e9: u64,
    /// Revenue tokens in the buyback vault available for sale.
    pub available: u64,
    /// Lifetime revenue tokens sold.
    pub sold: u64,
    /// Lifetime DN burned by purchases.
    pub dn_burned: u64,
    /// Number of purchases.
    pub sales: u64,
    /// §13: the guard price after the last settled epoch (times 1e9; 0 until a
    /// clearing price has counted, the reference price standing in until then).
    pub guard_price_e9: u64,
    /// §13: the clearing prices that counted, one slot per epoch modulo
    /// `MAX_GUARD_EPOCHS` (price 0: an empty slot), for the guard's window.
    pub counted: [CountedPrice; deepnode_math::MAX_GUARD_EPOCHS as usize],
    /// §14: the part of `available` that is offset stock.
    pub offset_available: u64,
    /// §14: DN paid into the offset reserve by purchases of offset stock (lifetime).
    pub reserve_in: u64,
    /// §14: DN paid out of the offset reserve by settlements (lifetime).
    pub reserve_out: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 40],
}

/// A clearing price that counted toward the guard price, with its epoch.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct CountedPrice {
    /// The epoch whose purchases cleared at the price.
    pub epoch: u64,
    /// The volume-weighted clearing price (times 1e9; 0: none).
    pub price_e9: u64,
}

impl Auction {
    /// §13: folds a settled epoch's purchases into the guard price. With `counted` (its
    /// clearing price, when its purchases bought half of the previous epoch's stock) the
    /// price takes the epoch's slot; the guard price is then the least counted price of
    /// the last `window` epochs up to `epoch`, else the one carried, else `reference`.
    /// Returns the guard price.
    pub fn settle_guard(
        &mut self,
        epoch: u64,
        counted: Option<u64>,
        window: u16,
        reference: u64,
    ) -> Result<u64> {
        let slots = u64::from(deepnode_math::MAX_GUARD_EPOCHS);
        let slot = usize::try_from(
            epoch
                .checked_rem(slots)
                .ok_or(DeepNodeError::DivisionByZero)?,
        )
        .or_overflow()?;
        self.counted[slot] = CountedPrice {
            epoch,
            price_e9: counted.unwrap_or(0),
        };
        let carried = if self.guard_price_e9 > 0 {
            self.guard_price_e9
        } else {
            reference
        };
        let prices = self
            .counted
            .iter()
            .filter(|c| c.price_e9 > 0)
            .map(|c| (c.epoch, c.price_e9));
        let price = deepnode_math::guard_price(prices, epoch, window, carried);
        if counted.is_some() || self.guard_price_e9 > 0 {
            self.guard_price_e9 = price;
        }
        Ok(price)
    }

    /// §14: what the offset reserve holds, by the ledger.
    pub fn reserve(&self) -> Result<u64> {
        self.reserve_in.checked_sub(self.reserve_out).or_overflow()
    }

    /// Invariant 2 for the buyback vault: its balance covers what is for sale, and the
    /// offset stock is part of it.
    pub fn invariant(&self, vault_balance: u64) -> Result<()> {
        require!(
            vault_balance >= self.available && self.available >= self.offset_available,
            DeepNodeError::VaultUndercovered
        );
        self.check_prices()
    }

    /// Checks the prices are coherent: the auction starts at or above its floor.
    pub fn check_prices(&self) -> Result<()> {
        require!(
            self.start_price_e9 >= self.floor_price_e9,
            DeepNodeError::AuctionStartBelowFloor
        );
        Ok(())
    }
}
