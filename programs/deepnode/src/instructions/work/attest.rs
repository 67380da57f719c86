//! `attest`: a validator voting in the open epoch `epoch`, staked at least the domain's
//! minimum, attests many miners' work units in one instruction (a commit-reveal domain
//! refuses it: its validators commit, then reveal the same lines). Remaining accounts
//! carry one `[miner, work_record]` pair per line, miners in strictly increasing key
//! order (no miner twice). The first attestation of a miner in an epoch creates its
//! record (paid by the validator) and counts it on the epoch. One attestation per
//! validator per miner per epoch: a line either adds a new one or revises the
//! validator's own. Each record keeps the validator's index (never reused, so safe in
//! place of its key) and its weight in the epoch: its stake active in the epoch, which
//! `close_epoch` counted in the epoch's validator stake `W_e`. Only validators
//! registered when the epoch opened vote in it (§7), through the end of the epoch in
//! which they deregister or are displaced, so at most `max_validators` (at most
//! `MAX_ATTESTATIONS`) attest any record. Units are at most `MAX_ATTESTED_UNITS`.
//! Paused, or domain not ready: refused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::{create_state, load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::{AttestedLine, WorkAttested};
use crate::layouts::ATTEST;
use crate::state::{
    Attestation, Config, Domain, Epoch, EpochBook, Miner, StakePosition, Validator, WorkRecord,
};

/// One line: the units attested for the line's miner, and whether it revises the
/// validator's earlier attestation (else it is a new one).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct AttestLine {
    /// Work units.
    pub units: u64,
    /// Replace this validator's attestation instead of adding one.
    pub revise: bool,
}

/// Accounts of [`attest`](crate::deepnode::attest).
#[event_cpi]
#[derive(Accounts)]
#[instruction(epoch_index: u64)]
pub struct Attest<'info> {
    /// The validator's key; pays the rent of records it creates.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The config (pause switch).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The epoch attested (must be open).
    #[account(mut, seeds = [EPOCH_SEED, domain.key().as_ref(), epoch_index.to_le_bytes().as_ref()],
        bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The validator.
    /// The epoch's book (the voters' weights, the quorate count).
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == epoch_index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
    #[account(mut, seeds = [VALIDATOR_SEED, domain.key().as_ref(), authority.key().as_ref()],
        bump = validator.bump)]
    pub validator: Box<Account<'info, Validator>>,
    /// The validator's stake position (eligible stake).
    #[account(seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), authority.key().as_ref()],
        bump = position.bump)]
    pub position: Box<Account<'info, StakePosition>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Loads a miner from a remaining account: owned by this program, of type `Miner`, of
/// this domain, registered, and not the validator's own.
fn load_miner(info: &AccountInfo, domain: &Pubkey, validator: &Pubkey) -> Result<Miner> {
    let miner: Miner = load_state(info)?;
    require_keys_eq!(miner.domain, *domain, DeepNodeError::MinerWrongDomain);
    require!(miner.active, DeepNodeError::MinerNotRegistered);
    require_keys_neq!(miner.authority, *validator, DeepNodeError::SelfAttestation);
    Ok(miner)
}

/// What one batch of attestation lines is recorded against, shared by `attest` and
/// `reveal_attestations`: the epoch, its book, the validator and its position.
pub(crate) struct Ballot<'a, 'info> {
    /// The config (pause switch).
    pub config: &'a Config,
    /// The domain.
    pub domain: &'a Domain,
    /// The domain's address.
    pub domain_key: Pubkey,
    /// The epoch attested.
    pub epoch: &'a mut Epoch,
    /// Its book (voters' weights, the quorate count).
    pub book: &'a mut EpochBook,
    /// The validator.
    pub validator: &'a mut Validator,
    /// The validator's stake position.
    pub position: &'a StakePosition,
    /// Pays the rent of the records the batch creates (and gets it back).
    pub payer: AccountInfo<'info>,
    /// System program.
    pub system: AccountInfo<'info>,
}

impl<'info> Ballot<'_, 'info> {
    /// The checks every batch passes before its lines: not paused, the domain ready, the
    /// epoch open, the validator voting in it (registered before it opened, not
    /// deregistered or displaced before it, §7) with at least the minimum stake, a batch
    /// within its bounds. Records the validator's weight on the book; returns it.
    pub fn admit(
        &mut self,
        epoch_index: u64,
        lines: &[AttestLine],
        accounts: usize,
    ) -> Result<u64> {
        require!(!self.config.paused, DeepNodeError::ProtocolPaused);
        require!(self.domain.is_ready(), DeepNodeError::DomainNotReady);
        self.epoch.require_open()?;
        // §7: one that registered during this epoch votes from the next one; one that
        // deregistered or was displaced votes through the epoch in which it left.
        let stake = self.validator.voting_stake(
            epoch_index,
            self.position,
            self.domain.current_epoch,
            self.epoch.settings.min_validator_stake,
        )?;
        require!(!lines.is_empty(), DeepNodeError::BatchEmpty);
        // The validator's weight in this epoch's medians, recorded once on the epoch.
        self.book.add_voter(self.validator.index, stake)?;
        require!(
            lines.len() <= ATTEST.max_items,
            DeepNodeError::BatchTooLarge
        );
        let pairs = ATTEST.accounts_for(lines.len()).or_overflow()?;
        require!(accounts == pairs, DeepNodeError::AttestAccountsMismatch);
        require!(
            lines.iter().all(|l| l.units <= MAX_ATTESTED_UNITS),
            DeepNodeError::UnitsAboveMaximum
        );
        Ok(stake)
    }

    /// Records `lines` of epoch `epoch_index`, one `[miner, work_record]` pair of
    /// `accounts` each, miners in strictly increasing order: a new attestation creates
    /// the miner's record on its first line of the epoch, a revision replaces the
    /// validator's own.
    pub fn record(
        &mut self,
        epoch_index: u64,
        lines: &[AttestLine],
        accounts: &[AccountInfo<'info>],
    ) -> Result<Vec<AttestedLine>> {
        let domain_key = self.domain_key;
        let authority = self.validator.authority;
        let index = self.validator.index;
        let epoch_le = epoch_index.to_le_bytes();
        let mut previous: Option<Pubkey> = None;
        let mut out = Vec::with_capacity(lines.len());
        for (line, pair) in lines.iter().zip(accounts.chunks_exact(ATTEST.accounts())) {
            let (miner_info, record_info) = (&pair[0], &pair[1]);
            let miner_key = miner_info.key();
            // F3: strictly increasing, so no miner (and no record) appears twice.
            if let Some(prev) = previous {
                require!(miner_key > prev, DeepNodeError::AttestationsNotSorted);
            }
            previous = Some(miner_key);
            load_miner(miner_info, &domain_key, &authority)?;
            require!(record_info.is_writable, DeepNodeError::AccountNotWritable);

            let created = record_info.data_is_empty() && *record_info.owner == System::id();
            let mut record = if created {
                require!(!line.revise, DeepNodeError::NothingToRevise);
                let (expected, bump) = Pubkey::find_program_address(
                    &[WORK_RECORD_SEED, miner_key.as_ref(), &epoch_le],
                    &crate::ID,
                );
                require_keys_eq!(
                    record_info.key(),
                    expected,
                    DeepNodeError::WorkRecordMismatch
                );
                let record = WorkRecord {
                    version: ACCOUNT_VERSION,
                    bump,
                    domain: domain_key,
                    epoch: epoch_index,
                    count: 0,
                    finalised: false,
                    verified_units: 0,
                    rent_payer: self.payer.key(),
                    attestations: [Attestation::default(); MAX_ATTESTATIONS as usize],
                };
                create_state(
                    record_info,
                    &self.payer,
                    &self.system,
                    &[WORK_RECORD_SEED, miner_key.as_ref(), &epoch_le, &[bump]],
                    WorkRecord::INIT_SPACE,
                    &record,
                )?;
                self.epoch.work_records = self.epoch.work_records.checked_add(1).or_overflow()?;
                record
            } else {
                // An existing record is the program's at the miner's address for this epoch.
                let record: WorkRecord = load_state(record_info)?;
                let expected = Pubkey::create_program_address(
                    &[
                        WORK_RECORD_SEED,
                        miner_key.as_ref(),
                        &epoch_le,
                        &[record.bump],
                    ],
                    &crate::ID,
                )
                .map_err(|_| DeepNodeError::WorkRecordMismatch)?;
                require!(
                    record_info.key() == expected
                        && record.epoch == epoch_index
                        && record.domain == domain_key,
                    DeepNodeError::WorkRecordMismatch
                );
                record
            };

            let replaced = match (record.find(index), line.revise) {
                (Some(i), true) => {
                    let old = record.attestations[i].units;
                    record.attestations[i].units = line.units;
                    Some(old)
                }
                (Some(_), false) => return err!(DeepNodeError::AlreadyAttested),
                (None, true) => return err!(DeepNodeError::NothingToRevise),
                (None, false) => {
                    record.push(Attestation {
                        validator: index,
                        units: line.units,
                    })?;
                    // A statistic: it never makes an attestation fail (§10).
                    self.validator.attestations = self.validator.attestations.saturating_add(1);
                    // The record just reached quorum: the crank must finalise it (§7).
                    if u16::from(record.count) == self.epoch.settings.quorum {
                        self.book.quorate_records =
                            self.book.quorate_records.checked_add(1).or_overflow()?;
                    }
                    None
                }
            };
            record.check_attestations()?;
            write_state(record_info, &record)?;
            out.push(AttestedLine {
                miner: miner_key,
                units: line.units,
                replaced,
                record_created: created,
            });
        }
        self.epoch.invariant()?;
        self.book.invariant()?;
        Ok(out)
    }
}

/// Handler of [`attest`](crate::deepnode::attest).
pub fn handler<'info>(
    mut ctx: Context<'info, Attest<'info>>,
    epoch_index: u64,
    lines: Vec<AttestLine>,
) -> Result<()> {
    let a = &mut ctx.accounts;
    // §7: with commit-reveal on, attestations are revealed, never sent in the clear.
    require!(
        !a.epoch.settings.commit_reveal,
        DeepNodeError::CommitRevealRequired
    );
    let mut ballot = Ballot {
        config: &a.config,
        domain: &a.domain,
        domain_key: a.domain.key(),
        epoch: &mut a.epoch,
        book: &mut a.book,
        validator: &mut a.validator,
        position: &a.position,
        payer: a.authority.to_account_info(),
        system: a.system_program.to_account_info(),
    };
    let stake = ballot.admit(epoch_index, &lines, ctx.remaining_accounts.len())?;
    let out = ballot.record(epoch_index, &lines, ctx.remaining_accounts)?;
    let event = WorkAttested {
        domain: a.domain.key(),
        epoch: epoch_index,
        validator: a.authority.key(),
        index: a.validator.index,
        stake,
        lines: out,
        epoch_work_records: a.epoch.work_records,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
