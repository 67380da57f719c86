//! The ledger of one revenue vault shard: what its token balance owes, and to whom.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::errors::DeepNodeError;

/// Ledger of the shard's token account. Seeds: `[VAULT_SHARD_SEED, domain, [index]]`.
/// The token account itself is `[VAULT_SEED, domain, [index]]`, owned by the domain's
/// vault authority.
#[account]
#[derive(InitSpace, Debug)]
pub struct VaultShard {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Canonical bump of the shard's token account PDA.
    pub vault_bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Shard index.
    pub index: u8,
    /// The shard's token account.
    pub vault: Pubkey,
    /// Model owner shares credited and not yet claimed.
    pub model_owed: u64,
    /// Fee shares not yet withdrawn by the fee authority.
    pub fee_owed: u64,
    /// Buyback shares not yet moved to the buyback vault.
    pub buyback_owed: u64,
    /// Emission-pool shares not yet paid out to epoch roles.
    pub pool_owed: u64,
    /// Lifetime amount received (wraps modulo 2^64: a statistic, §10).
    pub lifetime_received: u64,
    /// Lifetime fee shares credited (wraps).
    pub lifetime_fees: u64,
    /// Lifetime model owner shares credited (wraps).
    pub lifetime_model: u64,
    /// Lifetime buyback shares, burned or accrued (wraps).
    pub lifetime_buyback: u64,
    /// DN burned by payments on this shard, DN-revenue domains (wraps).
    pub dn_burned: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 64],
}

impl VaultShard {
    /// Everything the shard's token account still owes.
    pub fn total_owed(&self) -> Result<u64> {
        self.model_owed
            .checked_add(self.fee_owed)
            .and_then(|v| v.checked_add(self.buyback_owed))
            .and_then(|v| v.checked_add(self.pool_owed))
            .or_overflow()
    }

    /// Invariant 2: the vault's balance covers everything owed out of it.
    pub fn invariant(&self, vault_balance: u64) -> Result<()> {
        require!(
            vault_balance >= self.total_owed()?,
            DeepNodeError::VaultUndercovered
        );
        Ok(())
    }
}
