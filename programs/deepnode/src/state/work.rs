//! Verified work: registered miners and validators, and the per-miner-epoch record of
//! validators' attestations (PROTOCOL.md §7).
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::MAX_ATTESTATIONS;
use crate::errors::DeepNodeError;

/// A miner registered in a domain. Seeds: `[MINER_SEED, domain, authority]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Miner {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// The miner's key (registers, deregisters, later claims).
    pub authority: Pubkey,
    /// Whether the miner is registered (deregistering keeps the account, so its
    /// records keep a stable key).
    pub active: bool,
    /// Epoch of the latest registration.
    pub registered_epoch: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 16],
}

impl Miner {
    /// Checks the miner is coherent: registered no later than the open epoch
    /// `current`.
    pub fn invariant(&self, current: u64) -> Result<()> {
        require!(
            self.registered_epoch <= current,
            DeepNodeError::InvariantBroken
        );
        Ok(())
    }
}

/// A validator registered in a domain. Seeds: `[VALIDATOR_SEED, domain, authority]`.
/// The account is never closed, so its `index` is never reused and can stand for the
/// validator inside work records (one attestation per validator per miner per epoch).
#[account]
#[derive(InitSpace, Debug)]
pub struct Validator {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// The validator's key; its stake position is `[STAKE_POSITION_SEED, domain, authority]`.
    pub authority: Pubkey,
    /// Index within the domain, assigned once at first registration, never reused.
    pub index: u32,
    /// Whether the validator is registered (counts towards the domain's cap).
    pub active: bool,
    /// Epoch of the latest registration: it votes from the next one.
    pub registered_epoch: u64,
    /// Attestations made, lifetime (revisions not counted; saturates: a statistic).
    pub attestations: u64,
    /// Last epoch it votes in: the epoch in which it deregistered or was displaced
    /// (§7: it stops voting from the next one), `u64::MAX` while registered.
    pub votes_until: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 8],
}

impl Validator {
    /// Whether the validator votes in epoch `epoch` (§7): registered before it opened
    /// and not deregistered or displaced before it.
    pub fn votes_in(&self, epoch: u64) -> bool {
        self.registered_epoch < epoch && epoch <= self.votes_until
    }

    /// Its weight in epoch `epoch`, checked as attesting and committing need it (§7): it
    /// votes in the epoch (registered before it opened, else `ValidatorNotYetVoting`; not
    /// deregistered or displaced before it, else `ValidatorNotRegistered`) and `position`
    /// holds at least `min_stake` in the domain's current epoch `current` (else
    /// `ValidatorStakeTooLow`).
    pub fn voting_stake(
        &self,
        epoch: u64,
        position: &crate::state::StakePosition,
        current: u64,
        min_stake: u64,
    ) -> Result<u64> {
        require!(
            self.registered_epoch < epoch,
            DeepNodeError::ValidatorNotYetVoting
        );
        require!(self.votes_in(epoch), DeepNodeError::ValidatorNotRegistered);
        let stake = position.stake_in_epoch(current)?;
        require!(stake >= min_stake, DeepNodeError::ValidatorStakeTooLow);
        Ok(stake)
    }

    /// Checks the validator is coherent: registered, it votes with no end; not, its
    /// voting ends at or after its registration.
    pub fn invariant(&self) -> Result<()> {
        require!(
            if self.active {
                self.votes_until == u64::MAX
            } else {
                self.votes_until >= self.registered_epoch
            },
            DeepNodeError::StakeAccountingBroken
        );
        Ok(())
    }
}

/// One validator's attestation inside a work record (12 bytes). The validator's weight
/// in the epoch is kept once, in the epoch's voter table.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct Attestation {
    /// The validator's index in the domain.
    pub validator: u32,
    /// Work units attested.
    pub units: u64,
}

/// A miner's attestations for one epoch. Seeds: `[WORK_RECORD_SEED, miner, epoch]`
/// where `miner` is the miner's PDA (the address ties the record to its miner, so the
/// record does not store it). Created by the first attestation, which counts it on the
/// epoch; finalised by the crank after the epoch closes; closed by its credit or after
/// the sweep, its rent going back to the first attesting validator (284 bytes).
#[account]
#[derive(InitSpace, Debug)]
pub struct WorkRecord {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// Epoch index.
    pub epoch: u64,
    /// Attestations in use (`attestations[..count]`).
    pub count: u8,
    /// Whether the crank has finalised the record.
    pub finalised: bool,
    /// Verified work units, set when finalised.
    pub verified_units: u64,
    /// Who paid the rent (the first attesting validator; gets it back on close).
    pub rent_payer: Pubkey,
    /// Attestation slots; only the first `count` are meaningful.
    pub attestations: [Attestation; MAX_ATTESTATIONS as usize],
}

impl WorkRecord {
    /// The attestations recorded so far.
    pub fn recorded(&self) -> &[Attestation] {
        &self.attestations[..usize::from(self.count)]
    }

    /// Position of validator `index`'s attestation, if it attested.
    pub fn find(&self, index: u32) -> Option<usize> {
        self.recorded().iter().position(|a| a.validator == index)
    }

    /// Records a new attestation; fails when the record is full.
    pub fn push(&mut self, attestation: Attestation) -> Result<()> {
        let slot = usize::from(self.count);
        require!(
            slot < self.attestations.len(),
            DeepNodeError::AttestationsFull
        );
        self.attestations[slot] = attestation;
        self.count = self.count.checked_add(1).or_overflow()?;
        Ok(())
    }

    /// Checks the record is coherent: its count fits its slots, and work is verified
    /// only once finalised. Cheap: run wherever the record is written.
    pub fn invariant(&self) -> Result<()> {
        require!(
            usize::from(self.count) <= self.attestations.len(),
            DeepNodeError::AttestationsFull
        );
        require!(
            self.finalised || self.verified_units == 0,
            DeepNodeError::InvariantBroken
        );
        Ok(())
    }

    /// [`Self::invariant`], and every recorded validator appears once (up to 120
    /// comparisons): run where attestations change (`attest`, `reveal_attestations`),
    /// not where only the finalisation flags do.
    pub fn check_attestations(&self) -> Result<()> {
        self.invariant()?;
        let recorded = self.recorded();
        for (i, a) in recorded.iter().enumerate() {
            require!(
                !recorded[..i].iter().any(|b| b.validator == a.validator),
                DeepNodeError::AlreadyAttested
            );
        }
        Ok(())
    }
}
