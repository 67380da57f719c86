//! Per-domain epochs and their per-shard revenue counters.
use anchor_lang::prelude::*;

use crate::errors::DeepNodeError;
use crate::state::DomainSettings;

/// Where an epoch is in its life (PROTOCOL.md §5).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum EpochStatus {
    /// Payments and attestations are recorded into it.
    Open,
    /// Ended; records are being finalised.
    Closed,
    /// Every record finalised; totals known.
    Finalised,
    /// Budget minted and pools fixed.
    Settled,
}

/// One epoch of one domain. Seeds: `[EPOCH_SEED, domain, index.to_le_bytes()]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Epoch {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain this epoch belongs to.
    pub domain: Pubkey,
    /// Epoch index within the domain.
    pub index: u64,
    /// Life-cycle state.
    pub status: EpochStatus,
    /// Unix time the epoch opened (Clock sysvar).
    pub start_ts: i64,
    /// Unix time after which the epoch may be closed.
    pub end_ts: i64,
    /// Settings the epoch opened with; later changes never touch them (invariant 7).
    pub settings: DomainSettings,
    /// Number of shard counters of this epoch (the domain's shard count).
    pub shard_count: u8,
    /// Stake active during this epoch (the stakers' weight), fixed when it opens.
    pub active_stake: u64,
    /// Work records created in this epoch (the crank finalises this many).
    pub work_records: u64,
    /// Whether the stakers' rewards of this epoch are in the accumulators.
    pub stake_rewards_recorded: bool,
    /// Stake pool's DN accumulator after this epoch's rewards (valid once recorded).
    pub stake_acc_dn: u128,
    /// Stake pool's revenue accumulator after this epoch's rewards (valid once recorded).
    pub stake_acc_rev: u128,
    /// Validator stake `W_e`: the summed weights of the validators that vote in this
    /// epoch (registered when it opened), fixed when it opens (PROTOCOL.md §7).
    pub validator_stake: u64,
    /// Room for the crank's totals without migration.
    pub reserved: [u8; 135],
}

impl Epoch {
    /// Fails unless the epoch is open.
    pub fn require_open(&self) -> Result<()> {
        require!(
            self.status == EpochStatus::Open,
            DeepNodeError::EpochNotOpen
        );
        Ok(())
    }
}

/// Revenue counters of one shard for one epoch; summed when the epoch closes.
/// Seeds: `[EPOCH_SHARD_SEED, domain, epoch.to_le_bytes(), [shard]]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct EpochShard {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Epoch index.
    pub epoch: u64,
    /// Shard index.
    pub shard: u8,
    /// Sum of amounts received (`R`'s part from this shard).
    pub revenue: u64,
    /// Sum of emission-pool shares (`P`'s part from this shard).
    pub pool: u64,
    /// Usage units recorded (informational; saturates at `u64::MAX` rather than fail).
    pub usage_units: u64,
    /// Number of payments recorded.
    pub payments: u64,
    /// Who paid the rent (gets it back when the record is closed).
    pub rent_payer: Pubkey,
}

impl EpochShard {
    /// Checks the counters are coherent: the pool share never exceeds the revenue.
    pub fn invariant(&self) -> Result<()> {
        require!(self.pool <= self.revenue, DeepNodeError::VaultUndercovered);
        Ok(())
    }
}
