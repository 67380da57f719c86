//! Models and their per-epoch revenue records.
use anchor_lang::prelude::*;

use crate::errors::DeepNodeError;

/// A model in a domain. Seeds: `[MODEL_SEED, domain, id.to_le_bytes()]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Model {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain the model belongs to.
    pub domain: Pubkey,
    /// Sequential id within the domain (the PDA seed).
    pub id: u64,
    /// Current owner: claims the owner share.
    pub owner: Pubkey,
    /// Proposed next owner; takes over when it accepts.
    pub pending_owner: Option<Pubkey>,
    /// Owner share `x` (bps), fixed at mint and never changed.
    pub owner_share_bps: u16,
    /// Whether the model accepts payments.
    pub active: bool,
    /// Owner share credited and not yet claimed (revenue base units).
    pub claimable: u64,
    /// Lifetime amount received for this model (wraps modulo 2^64: a statistic).
    pub lifetime_revenue: u64,
    /// Lifetime owner share credited (wraps).
    pub lifetime_owner_share: u64,
    /// Lifetime owner share claimed (wraps; credited minus claimed is what is owed).
    pub lifetime_claimed: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 64],
}

impl Model {
    /// Checks what is claimable is exactly what was credited and not claimed (the
    /// wrapping difference of the lifetime counters).
    pub fn invariant(&self) -> Result<()> {
        let owed = self
            .lifetime_owner_share
            .wrapping_sub(self.lifetime_claimed);
        require!(owed == self.claimable, DeepNodeError::VaultUndercovered);
        Ok(())
    }
}

/// Revenue of one model in one epoch (model owners' pools are split by it).
/// Seeds: `[MODEL_EPOCH_SEED, model, epoch.to_le_bytes()]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct ModelEpoch {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Model.
    pub model: Pubkey,
    /// Domain.
    pub domain: Pubkey,
    /// Epoch index.
    pub epoch: u64,
    /// Sum of amounts received for the model in the epoch.
    pub revenue: u64,
    /// Usage units recorded (informational; saturates at `u64::MAX` rather than fail).
    pub usage_units: u64,
    /// Number of payments.
    pub payments: u64,
    /// Who paid the rent (gets it back when the record is closed).
    pub rent_payer: Pubkey,
}

impl ModelEpoch {
    /// Checks the record is coherent: no revenue or usage without a payment.
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.payments > 0 || (self.revenue == 0 && self.usage_units == 0),
            DeepNodeError::InvariantBroken
        );
        Ok(())
    }
}
