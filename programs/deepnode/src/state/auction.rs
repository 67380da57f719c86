//! The domain's descending-price buyback auction (PROTOCOL.md §8).
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
    /// Room to grow without migration.
    pub reserved: [u8; 64],
}

impl Auction {
    /// Invariant 2 for the buyback vault: its balance covers what is for sale.
    pub fn invariant(&self, vault_balance: u64) -> Result<()> {
        require!(
            vault_balance >= self.available,
            DeepNodeError::VaultUndercovered
        );
        require!(
            self.start_price_e9 >= self.floor_price_e9,
            DeepNodeError::AuctionStartBelowFloor
        );
        Ok(())
    }
}
