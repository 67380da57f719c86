//! `commit_attestations`: in a commit-reveal domain (PROTOCOL.md §7), a validator voting
//! in the open epoch commits, before the epoch's end, to the batches of attestations it
//! will reveal in the close grace window: one Merkle root over every batch's hash
//! (`state::commitment::batch_leaf`), so that one transaction commits any number of
//! batches. Committing again before the end replaces the commitment. Nothing can be
//! committed after the end. Paused, or domain not ready: refused.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::{create_state, load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::AttestationsCommitted;
use crate::state::{Commitment, Config, Domain, Epoch, StakePosition, Validator};

/// Accounts of [`commit_attestations`](crate::deepnode::commit_attestations).
#[event_cpi]
#[derive(Accounts)]
#[instruction(epoch_index: u64)]
pub struct CommitAttestations<'info> {
    /// The validator's key; pays the commitment's rent.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The config (pause switch).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The epoch committed for (must be open and not yet ended).
    #[account(seeds = [EPOCH_SEED, domain.key().as_ref(), epoch_index.to_le_bytes().as_ref()],
        bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The validator.
    #[account(seeds = [VALIDATOR_SEED, domain.key().as_ref(), authority.key().as_ref()],
        bump = validator.bump)]
    pub validator: Box<Account<'info, Validator>>,
    /// The validator's stake position (eligible stake).
    #[account(seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), authority.key().as_ref()],
        bump = position.bump)]
    pub position: Box<Account<'info, StakePosition>>,
    /// CHECK: the commitment's PDA (seeds checked): created here the first time, else
    /// loaded and replaced.
    #[account(mut, seeds = [COMMITMENT_SEED, domain.key().as_ref(), authority.key().as_ref(),
        epoch_index.to_le_bytes().as_ref()], bump)]
    pub commitment: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`commit_attestations`](crate::deepnode::commit_attestations).
pub fn handler(
    mut ctx: Context<CommitAttestations>,
    epoch_index: u64,
    root: [u8; 32],
    batches: u32,
) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(!a.config.paused, DeepNodeError::ProtocolPaused);
    require!(a.domain.is_ready(), DeepNodeError::DomainNotReady);
    require!(
        a.epoch.settings.commit_reveal,
        DeepNodeError::CommitRevealOff
    );
    a.epoch.require_open()?;
    let now = Clock::get()?.unix_timestamp;
    require!(now < a.epoch.end_ts, DeepNodeError::CommitAfterEnd);
    a.validator.voting_stake(
        epoch_index,
        &a.position,
        a.domain.current_epoch,
        a.epoch.settings.min_validator_stake,
    )?;
    require!(
        batches >= 1 && (batches as u64) <= 1u64 << MAX_MERKLE_DEPTH,
        DeepNodeError::CommitmentBatchesOutOfBounds
    );
    let domain = a.domain.key();
    let authority = a.authority.key();
    let info = a.commitment.to_account_info();
    let replaced = !info.data_is_empty();
    let commitment = Commitment {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.commitment,
        domain,
        validator: authority,
        epoch: epoch_index,
        root,
        batches,
        revealed: 0,
        rent_payer: authority,
    };
    commitment.invariant()?;
    if replaced {
        let old: Commitment = load_state(&info)?;
        require!(
            old.domain == domain && old.validator == authority && old.epoch == epoch_index,
            DeepNodeError::CommitmentMismatch
        );
        write_state(&info, &commitment)?;
    } else {
        let epoch_le = epoch_index.to_le_bytes();
        create_state(
            &info,
            &a.authority.to_account_info(),
            &a.system_program.to_account_info(),
            &[
                COMMITMENT_SEED,
                domain.as_ref(),
                authority.as_ref(),
                &epoch_le,
                &[ctx.bumps.commitment],
            ],
            Commitment::INIT_SPACE,
            &commitment,
        )?;
    }
    let event = AttestationsCommitted {
        domain,
        epoch: epoch_index,
        validator: authority,
        root,
        batches,
        replaced,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
