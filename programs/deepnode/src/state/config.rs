//! The protocol's global configuration and the bounds governance sets for every domain.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;

/// Bounds within which every domain parameter must lie (PROTOCOL.md §10).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bounds {
    /// Highest fee share `y` a domain may charge (bps).
    pub max_fee_bps: u16,
    /// Highest model-share ceiling `x_max` a domain may set (bps).
    pub max_model_share_bps: u16,
    /// Range of the miners' emission share (bps).
    pub miners_bps: BpsRange,
    /// Range of the stakers' emission share (bps).
    pub stakers_bps: BpsRange,
    /// Range of the validators' emission share (bps).
    pub validators_bps: BpsRange,
    /// Range of the domain owner's emission share (bps, at most 1000).
    pub domain_owner_bps: BpsRange,
    /// Range of the model owners' emission share (bps).
    pub model_owners_bps: BpsRange,
    /// Lowest emission rate (DN base units per revenue unit, times 1e9).
    pub min_emission_rate_e9: u64,
    /// Highest emission rate (DN base units per revenue unit, times 1e9).
    pub max_emission_rate_e9: u64,
    /// Lowest per-epoch emission floor a domain may set (DN base units).
    pub min_floor: u64,
    /// Highest per-epoch emission floor a domain may set (DN base units).
    pub max_floor: u64,
    /// Lowest per-epoch emission ceiling a domain may set (DN base units).
    pub min_ceiling: u64,
    /// Highest per-epoch emission ceiling a domain may set (DN base units).
    pub max_ceiling: u64,
    /// Shortest epoch (seconds).
    pub min_epoch_secs: u32,
    /// Longest epoch (seconds).
    pub max_epoch_secs: u32,
    /// Smallest validator quorum (at least 1).
    pub min_quorum: u16,
    /// Largest validator quorum (at most `MAX_ATTESTATIONS`).
    pub max_quorum: u16,
    /// Largest attestation tolerance (bps).
    pub max_tolerance_bps: u16,
    /// Lowest `min_validator_stake` a domain may require (DN base units, at least 1).
    pub min_validator_stake: u64,
    /// Largest validator cap a domain may set (at most `MAX_ATTESTATIONS`).
    pub max_validators: u16,
    /// Largest staker yield cap per epoch (bps of active stake).
    pub max_staker_yield_bps: u16,
    /// Shortest claim window (epochs).
    pub min_claim_window_epochs: u16,
    /// Longest claim window (epochs).
    pub max_claim_window_epochs: u16,
    /// Longest unbonding period (epochs, at most `MAX_UNBONDING_EPOCHS`).
    pub max_unbonding_epochs: u16,
    /// Most vault shards per domain (at most `MAX_SHARDS`).
    pub max_shards: u8,
    /// Keeper tip ceiling per settled epoch (DN base units).
    pub keeper_tip_max: u64,
    /// Global emission cap per period (DN base units).
    pub global_cap_per_period: u64,
    /// Length of the global cap's period (seconds, > 0).
    pub period_secs: u32,
    /// Shortest buyback auction (seconds).
    pub min_auction_secs: u32,
    /// Longest buyback auction (seconds).
    pub max_auction_secs: u32,
    /// Lowest auction price floor (DN per revenue unit times 1e9, at least 1).
    pub min_auction_floor_e9: u64,
    /// §13: when above 0, every domain must set an emission value guard of at most this
    /// (bps); 0 leaves the guard to each domain.
    #[cfg_attr(feature = "serde", serde(default))]
    pub max_emission_value_bps: u16,
    /// Shortest grace after an epoch's end before it may close (seconds): the window for
    /// late attestations and for reveals (§5, §7).
    #[cfg_attr(feature = "serde", serde(default = "default_min_close_grace_secs"))]
    pub min_close_grace_secs: u32,
    /// Longest such grace (seconds).
    #[cfg_attr(feature = "serde", serde(default = "default_max_close_grace_secs"))]
    pub max_close_grace_secs: u32,
    /// §7: when set, every domain must attest by commit and reveal.
    #[cfg_attr(feature = "serde", serde(default))]
    pub require_commit_reveal: bool,
    /// §13: epochs over which the guard price is the least counted clearing price (at
    /// least 1, at most `deepnode_math::MAX_GUARD_EPOCHS`).
    #[cfg_attr(feature = "serde", serde(default = "default_guard_price_epochs"))]
    pub guard_price_epochs: u16,
    /// §14: the largest `offset_bps` a domain may set (at most 10000).
    #[cfg_attr(feature = "serde", serde(default = "default_max_offset_bps"))]
    pub max_offset_bps: u16,
}

/// Offset bound when a bounds file names none: any share (§14).
#[cfg(feature = "serde")]
fn default_max_offset_bps() -> u16 {
    10_000
}

/// Shortest close grace when a bounds file names none: 60 seconds.
#[cfg(feature = "serde")]
fn default_min_close_grace_secs() -> u32 {
    60
}

/// Longest close grace when a bounds file names none: one day.
#[cfg(feature = "serde")]
fn default_max_close_grace_secs() -> u32 {
    86_400
}

/// Guard window when a bounds file names none: one epoch (§13).
#[cfg(feature = "serde")]
fn default_guard_price_epochs() -> u16 {
    1
}

/// An inclusive range of basis points.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BpsRange {
    /// Lowest value allowed.
    pub min: u16,
    /// Highest value allowed.
    pub max: u16,
}

impl BpsRange {
    /// Whether `v` lies in the range.
    pub fn contains(&self, v: u16) -> bool {
        self.min <= v && v <= self.max
    }
}

impl Bounds {
    /// Checks the bounds are internally consistent and within the protocol's hard limits.
    pub fn validate(&self) -> Result<()> {
        let ranges = [
            (self.miners_bps, MAX_ROLE_BPS),
            (self.stakers_bps, MAX_ROLE_BPS),
            (self.validators_bps, MAX_ROLE_BPS),
            (self.domain_owner_bps, MAX_DOMAIN_OWNER_BPS),
            (self.model_owners_bps, BPS - FOUNDATION_BPS),
        ];
        for (range, limit) in ranges {
            require!(range.min <= range.max, DeepNodeError::BoundsMinAboveMax);
            require!(range.max <= limit, DeepNodeError::BoundsExceedLimits);
        }
        let pairs = [
            (self.min_emission_rate_e9, self.max_emission_rate_e9),
            (self.min_floor, self.max_floor),
            (self.min_ceiling, self.max_ceiling),
            (
                u64::from(self.min_epoch_secs),
                u64::from(self.max_epoch_secs),
            ),
            (u64::from(self.min_quorum), u64::from(self.max_quorum)),
            (
                u64::from(self.min_claim_window_epochs),
                u64::from(self.max_claim_window_epochs),
            ),
            (
                u64::from(self.min_auction_secs),
                u64::from(self.max_auction_secs),
            ),
            (
                u64::from(self.min_close_grace_secs),
                u64::from(self.max_close_grace_secs),
            ),
        ];
        for (lo, hi) in pairs {
            require!(lo <= hi, DeepNodeError::BoundsMinAboveMax);
        }
        // `fee + share + 1% <= 100%` is a rule per domain (§4), checked on each domain's
        // settings: two domains may use the two ends of these bounds.
        require!(
            self.min_epoch_secs >= 1
                && self.min_quorum >= 1
                && self.max_quorum <= MAX_ATTESTATIONS
                && self.max_tolerance_bps <= BPS
                && self.max_shards >= 1
                && self.max_shards <= MAX_SHARDS
                && self.period_secs >= 1
                && self.min_auction_secs >= 1
                && self.min_auction_floor_e9 >= 1
                && self.max_fee_bps <= BPS
                && self.max_model_share_bps <= BPS
                && self.max_staker_yield_bps <= BPS
                && self.max_offset_bps <= BPS
                // §5: a claim window of at least one epoch.
                && self.min_claim_window_epochs >= 1
                // §13: the guard window is at least one epoch.
                && self.guard_price_epochs >= 1
                && self.guard_price_epochs <= deepnode_math::MAX_GUARD_EPOCHS
                // Every validator's attestation fits in a record (A6).
                && self.max_validators >= 1
                && self.max_validators <= MAX_ATTESTATIONS
                // A validator stakes something; unbonding never locks stake for good.
                && self.min_validator_stake >= 1
                && self.max_unbonding_epochs <= MAX_UNBONDING_EPOCHS,
            DeepNodeError::BoundsExceedLimits
        );
        // Some quorum must be reachable by the validators a domain may register.
        require!(
            self.min_quorum <= self.max_validators,
            DeepNodeError::BoundsMinAboveMax
        );
        Ok(())
    }
}

/// The protocol's single configuration account. Seeds: `[CONFIG_SEED]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Config {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Canonical bump of the DN mint-authority PDA.
    pub mint_authority_bump: u8,
    /// Governance key: sets bounds, co-signs domains, pauses (multisig in production).
    pub authority: Pubkey,
    /// Proposed next governance key; it takes over when it accepts.
    pub pending_authority: Option<Pubkey>,
    /// When set, payments, attestations, staking and new domains and models are refused.
    pub paused: bool,
    /// The DN mint (its mint authority is the program's PDA).
    pub dn_mint: Pubkey,
    /// Token program that owns the DN mint.
    pub dn_token_program: Pubkey,
    /// DN decimals, for `transfer_checked`.
    pub dn_decimals: u8,
    /// Foundation's DN token account (receives the fixed 1% of emissions).
    pub foundation: Pubkey,
    /// Bounds for every domain parameter.
    pub bounds: Bounds,
    /// Optional cap on DN supply, enforced by the program.
    pub max_supply: Option<u64>,
    /// DN supply when the protocol was initialised.
    pub initial_supply: u64,
    /// DN minted by the program since initialisation.
    pub dn_minted: u64,
    /// Number of domains created (the next domain's id).
    pub domain_count: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 128],
}

impl Config {
    /// Checks the stored configuration is coherent.
    pub fn invariant(&self) -> Result<()> {
        self.bounds.validate()?;
        if let Some(max) = self.max_supply {
            let supply = self
                .initial_supply
                .checked_add(self.dn_minted)
                .or_overflow()?;
            require!(supply <= max, DeepNodeError::MaxSupplyBelowSupply);
        }
        Ok(())
    }
}
