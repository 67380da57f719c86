//! A domain: its revenue mint, its settings and its pending settings.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::state::Bounds;

/// Emission split between the five paid roles (bps); with the foundation's fixed 100 bps
/// they make 10,000.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SplitBps {
    /// Miners, paid by verified work units.
    pub miners: u16,
    /// Stakers, paid by stake active for the whole epoch.
    pub stakers: u16,
    /// Validators, paid by agreeing attestations.
    pub validators: u16,
    /// The domain owner, paid directly.
    pub domain_owner: u16,
    /// Model owners, paid by the epoch's revenue per model.
    pub model_owners: u16,
}

impl SplitBps {
    /// The five shares in role order (`deepnode_math::MINERS_ROLE` ... `MODEL_OWNERS_ROLE`),
    /// as the math crate's pools take them.
    pub fn roles(&self) -> [u16; deepnode_math::ROLES - 1] {
        [
            self.miners,
            self.stakers,
            self.validators,
            self.domain_owner,
            self.model_owners,
        ]
    }
}

/// Economic settings of a domain; an epoch keeps a snapshot of those it opened with.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DomainSettings {
    /// Fee share `y` of every payment (bps).
    pub fee_bps: u16,
    /// Ceiling `x_max` for a model's owner share (bps).
    pub max_model_share_bps: u16,
    /// Emission split between roles.
    pub split: SplitBps,
    /// DN base units minted per revenue base unit, times 1e9.
    pub emission_rate_e9: u64,
    /// Per-epoch emission floor when there was verified work (DN base units).
    pub floor: u64,
    /// Per-epoch emission ceiling (DN base units).
    pub ceiling: u64,
    /// Epoch length (seconds).
    pub epoch_secs: u32,
    /// Attestations needed before a miner's work counts.
    pub quorum: u16,
    /// Distance from the median within which an attestation agrees (bps of the median).
    pub tolerance_bps: u16,
    /// Active stake a validator needs (DN base units).
    pub min_validator_stake: u64,
    /// Most validators the domain registers.
    pub max_validators: u16,
    /// Staker pool cap per epoch, in bps of active stake.
    pub max_staker_yield_bps: u16,
    /// Epochs during which a settled epoch stays claimable.
    pub claim_window_epochs: u16,
    /// Epochs a request to unstake waits before withdrawal.
    pub unbonding_epochs: u16,
    /// §13 emission value guard: an epoch mints at most this share (bps) of its
    /// revenue's DN value; 0: no guard (a plain u16 keeps `pay`'s deserialisation
    /// within its compute goal).
    #[cfg_attr(feature = "serde", serde(default))]
    pub max_emission_value_bps: u16,
    /// §5: seconds after an epoch's end before it may close: late attestations, and the
    /// reveals of a commit-reveal domain, land in this window.
    #[cfg_attr(feature = "serde", serde(default = "default_close_grace_secs"))]
    pub close_grace_secs: u32,
    /// §7: validators commit to their attestations while the epoch is open and reveal
    /// them in the close grace window, so that none can copy another's reports.
    #[cfg_attr(feature = "serde", serde(default))]
    pub commit_reveal: bool,
    /// §14: share (bps) of each epoch's revenue-reward pool sold in the auction for DN
    /// that pays the roles instead of new mint; 0 on a domain paid in DN.
    #[cfg_attr(feature = "serde", serde(default))]
    pub offset_bps: u16,
}

/// Close grace when a settings file names none: five minutes.
#[cfg(feature = "serde")]
fn default_close_grace_secs() -> u32 {
    300
}

impl DomainSettings {
    /// Checks every value against the governance bounds, each with its own error.
    /// `max_minted_share_bps` is the largest owner share of any model already minted in
    /// the domain: a new fee must leave room for it too. A domain paid in DN
    /// (`revenue_is_dn`) offsets nothing (§14).
    pub fn validate(
        &self,
        b: &Bounds,
        max_minted_share_bps: u16,
        revenue_is_dn: bool,
    ) -> Result<()> {
        require!(
            self.fee_bps <= b.max_fee_bps,
            DeepNodeError::FeeBpsOutOfBounds
        );
        require!(
            self.max_model_share_bps <= b.max_model_share_bps,
            DeepNodeError::ModelShareCeilingOutOfBounds
        );
        require!(
            deepnode_math::shares_fit(self.max_model_share_bps, self.fee_bps),
            DeepNodeError::FeeAndShareExceedWhole
        );
        require!(
            deepnode_math::shares_fit(max_minted_share_bps, self.fee_bps),
            DeepNodeError::FeeConflictsWithMintedModel
        );
        let s = &self.split;
        require!(
            b.miners_bps.contains(s.miners),
            DeepNodeError::MinersSplitOutOfBounds
        );
        require!(
            b.stakers_bps.contains(s.stakers),
            DeepNodeError::StakersSplitOutOfBounds
        );
        require!(
            b.validators_bps.contains(s.validators),
            DeepNodeError::ValidatorsSplitOutOfBounds
        );
        require!(
            b.domain_owner_bps.contains(s.domain_owner),
            DeepNodeError::DomainOwnerSplitOutOfBounds
        );
        require!(
            b.model_owners_bps.contains(s.model_owners),
            DeepNodeError::ModelOwnersSplitOutOfBounds
        );
        require!(
            deepnode_math::split_is_whole(s.roles()),
            DeepNodeError::SplitSumInvalid
        );
        require!(
            b.min_emission_rate_e9 <= self.emission_rate_e9
                && self.emission_rate_e9 <= b.max_emission_rate_e9,
            DeepNodeError::EmissionRateOutOfBounds
        );
        require!(
            b.min_floor <= self.floor && self.floor <= b.max_floor,
            DeepNodeError::FloorOutOfBounds
        );
        require!(
            b.min_ceiling <= self.ceiling && self.ceiling <= b.max_ceiling,
            DeepNodeError::CeilingOutOfBounds
        );
        require!(self.floor <= self.ceiling, DeepNodeError::FloorAboveCeiling);
        require!(
            b.min_epoch_secs <= self.epoch_secs && self.epoch_secs <= b.max_epoch_secs,
            DeepNodeError::EpochDurationOutOfBounds
        );
        require!(
            b.min_quorum <= self.quorum && self.quorum <= b.max_quorum,
            DeepNodeError::QuorumOutOfBounds
        );
        require!(
            self.tolerance_bps <= b.max_tolerance_bps,
            DeepNodeError::ToleranceOutOfBounds
        );
        require!(
            self.min_validator_stake >= b.min_validator_stake,
            DeepNodeError::MinValidatorStakeOutOfBounds
        );
        require!(
            self.max_validators >= 1 && self.max_validators <= b.max_validators,
            DeepNodeError::MaxValidatorsOutOfBounds
        );
        require!(
            self.quorum <= self.max_validators,
            DeepNodeError::QuorumAboveMaxValidators
        );
        require!(
            self.max_staker_yield_bps <= b.max_staker_yield_bps,
            DeepNodeError::StakerYieldCapOutOfBounds
        );
        require!(
            b.min_claim_window_epochs <= self.claim_window_epochs
                && self.claim_window_epochs <= b.max_claim_window_epochs,
            DeepNodeError::ClaimWindowOutOfBounds
        );
        require!(
            self.unbonding_epochs <= b.max_unbonding_epochs,
            DeepNodeError::UnbondingOutOfBounds
        );
        require!(
            b.min_close_grace_secs <= self.close_grace_secs
                && self.close_grace_secs <= b.max_close_grace_secs,
            DeepNodeError::CloseGraceOutOfBounds
        );
        require!(
            self.commit_reveal || !b.require_commit_reveal,
            DeepNodeError::CommitRevealRequiredByGovernance
        );
        if b.max_emission_value_bps > 0 {
            require!(
                self.max_emission_value_bps > 0,
                DeepNodeError::EmissionValueGuardRequired
            );
            require!(
                self.max_emission_value_bps <= b.max_emission_value_bps,
                DeepNodeError::EmissionValueGuardOutOfBounds
            );
        }
        require!(
            self.offset_bps <= b.max_offset_bps && self.offset_bps <= BPS,
            DeepNodeError::OffsetOutOfBounds
        );
        require!(
            !revenue_is_dn || self.offset_bps == 0,
            DeepNodeError::OffsetOnDnDomain
        );
        Ok(())
    }
}

/// A domain of models. Seeds: `[DOMAIN_SEED, id.to_le_bytes()]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Domain {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Canonical bump of the domain's vault authority PDA.
    pub vault_authority_bump: u8,
    /// Canonical bump of the domain's buyback vault PDA.
    pub buyback_vault_bump: u8,
    /// Sequential id (the PDA seed).
    pub id: u64,
    /// Domain owner: changes settings, receives the domain-owner emission share.
    pub owner: Pubkey,
    /// Payment processor and fee authority: settles batches and withdraws the fee share.
    pub fee_authority: Pubkey,
    /// Revenue mint (SPL Token or Token-2022); fixed at creation.
    pub revenue_mint: Pubkey,
    /// Token program owning the revenue mint.
    pub revenue_token_program: Pubkey,
    /// Revenue mint decimals, for `transfer_checked`.
    pub revenue_decimals: u8,
    /// Whether the revenue mint is DN (the buyback share is then burned in the payment).
    pub revenue_is_dn: bool,
    /// Number of vault shards, fixed at creation.
    pub shard_count: u8,
    /// Shards initialised so far; payments need all of them.
    pub shards_ready: u8,
    /// Index of the open epoch.
    pub current_epoch: u64,
    /// Number of models minted (the next model's id).
    pub model_count: u64,
    /// Largest owner share of any model minted here (bounds later fee changes).
    pub max_minted_share_bps: u16,
    /// Settings in force for the open epoch.
    pub settings: DomainSettings,
    /// Settings to apply when the next epoch opens.
    pub pending_settings: Option<DomainSettings>,
    /// Whether the stake pool and its vaults exist.
    pub stake_pool_ready: bool,
    /// Validators currently registered (bounded by `settings.max_validators`).
    pub validators_active: u16,
    /// Validators ever registered: the next validator's index.
    pub validator_count: u32,
    /// Miners currently registered.
    pub miners_active: u32,
    /// The domain's vault authority PDA (stored so that hot paths compare an address
    /// instead of deriving it).
    pub vault_authority: Pubkey,
    /// §14: the domain's offset reserve, a DN token account at `[OFFSET_RESERVE_SEED,
    /// domain]` (set by `init_stake_pool`).
    pub offset_reserve: Pubkey,
    /// Room to grow without migration.
    pub reserved: [u8; 53],
}

impl Domain {
    /// Whether every vault shard and the stake pool exist.
    pub fn is_ready(&self) -> bool {
        self.shards_ready == self.shard_count && self.stake_pool_ready
    }

    /// Checks the stored domain is coherent.
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.shards_ready <= self.shard_count && self.shard_count <= MAX_SHARDS,
            DeepNodeError::ShardCountOutOfBounds
        );
        require!(
            deepnode_math::shares_fit(self.max_minted_share_bps, self.settings.fee_bps),
            DeepNodeError::FeeConflictsWithMintedModel
        );
        Ok(())
    }
}
