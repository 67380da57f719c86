//! `reveal_attestations`: in a commit-reveal domain (PROTOCOL.md §7), after the epoch's
//! end and before it closes (the close grace window), anyone reveals one batch of a
//! validator's committed attestations with its lines, salt and Merkle path: the batch is
//! accepted only if its hash is leaf `batch` of the validator's commitment, and its lines
//! then count exactly as `attest` lines do (new attestations only: nothing revealed can
//! be revised, and a batch revealed twice fails on its first line). A batch that is never
//! revealed counts as absent. The revealer pays the rent of the records the batch
//! creates, and gets it back as the validator would. Paused, or domain not ready:
//! refused.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::AttestationsRevealed;
use crate::instructions::work::attest::{AttestLine, Ballot};
use crate::layouts::ATTEST;
use crate::state::commitment::{batch_leaf, verify_path};
use crate::state::{Commitment, Config, Domain, Epoch, EpochBook, StakePosition, Validator};

/// Accounts of [`reveal_attestations`](crate::deepnode::reveal_attestations). Remaining
/// accounts: one `[miner, work_record]` pair per line, as for `attest`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(epoch_index: u64)]
pub struct RevealAttestations<'info> {
    /// Anyone (the validator, or whoever it gave its batches to); pays the rent of the
    /// records the batch creates.
    #[account(mut)]
    pub caller: Signer<'info>,
    /// The config (pause switch).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The epoch revealed for (ended, not yet closed).
    #[account(mut, seeds = [EPOCH_SEED, domain.key().as_ref(), epoch_index.to_le_bytes().as_ref()],
        bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The epoch's book (the voters' weights, the quorate count).
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == epoch_index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
    /// The validator whose batch is revealed.
    #[account(mut, seeds = [VALIDATOR_SEED, domain.key().as_ref(), validator.authority.as_ref()],
        bump = validator.bump)]
    pub validator: Box<Account<'info, Validator>>,
    /// Its stake position (eligible stake).
    #[account(seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), validator.authority.as_ref()],
        bump = position.bump)]
    pub position: Box<Account<'info, StakePosition>>,
    /// Its commitment for the epoch.
    #[account(mut, seeds = [COMMITMENT_SEED, domain.key().as_ref(), validator.authority.as_ref(),
        epoch_index.to_le_bytes().as_ref()], bump = commitment.bump)]
    pub commitment: Box<Account<'info, Commitment>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`reveal_attestations`](crate::deepnode::reveal_attestations).
pub fn handler<'info>(
    mut ctx: Context<'info, RevealAttestations<'info>>,
    epoch_index: u64,
    batch: u32,
    salt: [u8; 32],
    path: Vec<[u8; 32]>,
    lines: Vec<AttestLine>,
) -> Result<()> {
    let a = &mut ctx.accounts;
    // The commitment exists, so the epoch takes commitments (its settings say so).
    // Late: the epoch closed, its grace over.
    require!(
        a.epoch.require_open().is_ok(),
        DeepNodeError::RevealAfterClose
    );
    let now = Clock::get()?.unix_timestamp;
    require!(now >= a.epoch.end_ts, DeepNodeError::RevealBeforeEnd);
    require!(
        lines.iter().all(|l| !l.revise),
        DeepNodeError::RevealCannotRevise
    );
    require!(
        path.len() <= MAX_MERKLE_DEPTH,
        DeepNodeError::RevealMismatch
    );
    let accounts = ctx.remaining_accounts;
    let domain_key = a.domain.key();
    let validator_key = a.validator.authority;
    let mut ballot = Ballot {
        config: &a.config,
        domain: &a.domain,
        domain_key,
        epoch: &mut a.epoch,
        book: &mut a.book,
        validator: &mut a.validator,
        position: &a.position,
        payer: a.caller.to_account_info(),
        system: a.system_program.to_account_info(),
    };
    let stake = ballot.admit(epoch_index, &lines, accounts.len())?;
    // The batch as committed: each line's miner (as the instruction names it) and units.
    let committed: Vec<(Pubkey, u64)> = accounts
        .chunks_exact(ATTEST.accounts())
        .zip(lines.iter())
        .map(|(pair, line)| (pair[0].key(), line.units))
        .collect();
    let leaf = batch_leaf(
        &domain_key,
        epoch_index,
        &validator_key,
        batch,
        &committed,
        &salt,
    );
    require!(
        verify_path(&a.commitment.root, leaf, batch, a.commitment.batches, &path),
        DeepNodeError::RevealMismatch
    );
    let out = ballot.record(epoch_index, &lines, accounts)?;
    a.commitment.revealed = a.commitment.revealed.saturating_add(1);
    a.commitment.invariant()?;
    let event = AttestationsRevealed {
        domain: domain_key,
        epoch: epoch_index,
        validator: validator_key,
        revealed_by: a.caller.key(),
        batch,
        stake,
        lines: out,
        epoch_work_records: a.epoch.work_records,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
