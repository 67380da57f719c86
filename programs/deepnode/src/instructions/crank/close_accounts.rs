//! `close_accounts`: closes an epoch's records once nothing can need them, returning
//! each one's rent to whoever paid it (PROTOCOL.md §5, C3). After settlement: shard
//! counters (settlement has summed them) and work records that never reached quorum
//! (they verify nothing). After the sweep: every remaining work record and model epoch
//! record (no claim is possible any more). Commit-reveal commitments after settlement
//! (nothing can be revealed once the epoch closed). Records claimed earlier were already
//! closed by their credit. Epoch accounts stay: unstake tickets and stake positions read their
//! accumulator values whenever their owners come back. Never paused.
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

use crate::create::load_state;
use crate::errors::DeepNodeError;
use crate::events::{AccountClosed, ClosedKind, ClosedLine};
use crate::layouts::CLOSE_ACCOUNTS;
use crate::state::{
    Commitment, Domain, Epoch, EpochBook, EpochShard, EpochStatus, ModelEpoch, WorkRecord,
};

/// Accounts of [`close_accounts`](crate::deepnode::close_accounts). Remaining accounts:
/// pairs of (record (w), its rent payer (w)), records in strictly increasing order.
#[event_cpi]
#[derive(Accounts)]
pub struct CloseAccounts<'info> {
    /// Anyone.
    pub caller: Signer<'info>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The settled epoch the records belong to.
    #[account(constraint = epoch.domain == domain.key() @ DeepNodeError::EpochWrongDomain)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// Its book (whether it has been swept).
    #[account(constraint = book.domain == domain.key() && book.epoch == epoch.index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
}

/// Handler of [`close_accounts`](crate::deepnode::close_accounts).
pub fn handler<'info>(mut ctx: Context<'info, CloseAccounts<'info>>) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(
        a.epoch.status == EpochStatus::Settled,
        DeepNodeError::EpochNotSettled
    );
    let accounts = ctx.remaining_accounts;
    require!(!accounts.is_empty(), DeepNodeError::BatchEmpty);
    let items = CLOSE_ACCOUNTS
        .items_in(accounts.len())
        .ok_or(DeepNodeError::CreditAccountsMismatch)?;
    require!(
        items <= CLOSE_ACCOUNTS.max_items,
        DeepNodeError::BatchTooLarge
    );
    let domain_key = a.domain.key();
    let (index, swept) = (a.epoch.index, a.book.settlement.swept);
    let mut previous = None;
    let mut lines = Vec::with_capacity(items);
    for pair in accounts.chunks_exact(CLOSE_ACCOUNTS.accounts()) {
        let (info, payer) = (&pair[0], &pair[1]);
        super::require_increasing(&mut previous, info.key())?;
        let disc: [u8; 8] = info
            .try_borrow_data()?
            .get(..8)
            .and_then(|d| <[u8; 8]>::try_from(d).ok())
            .ok_or(DeepNodeError::NotClosable)?;
        let (kind, rent_payer) = if disc == WorkRecord::DISCRIMINATOR {
            let r: WorkRecord = load_state(info)?;
            require!(
                r.domain == domain_key && r.epoch == index,
                DeepNodeError::WorkRecordWrongEpoch
            );
            // A finalised record may still be credited until the sweep.
            require!(!r.finalised || swept, DeepNodeError::CloseNotAllowedYet);
            (ClosedKind::WorkRecord, r.rent_payer)
        } else if disc == ModelEpoch::DISCRIMINATOR {
            let r: ModelEpoch = load_state(info)?;
            require!(
                r.domain == domain_key && r.epoch == index,
                DeepNodeError::ModelEpochMismatch
            );
            require!(swept, DeepNodeError::CloseNotAllowedYet);
            (ClosedKind::ModelEpoch, r.rent_payer)
        } else if disc == EpochShard::DISCRIMINATOR {
            let r: EpochShard = load_state(info)?;
            require!(
                r.domain == domain_key && r.epoch == index,
                DeepNodeError::ShardAccountMismatch
            );
            (ClosedKind::EpochShard, r.rent_payer)
        } else if disc == Commitment::DISCRIMINATOR {
            let r: Commitment = load_state(info)?;
            require!(
                r.domain == domain_key && r.epoch == index,
                DeepNodeError::CommitmentMismatch
            );
            (ClosedKind::Commitment, r.rent_payer)
        } else {
            return err!(DeepNodeError::NotClosable);
        };
        require_keys_eq!(payer.key(), rent_payer, DeepNodeError::RentPayerMismatch);
        let lamports = super::close_program_account(info, payer)?;
        lines.push(ClosedLine {
            kind,
            account: info.key(),
            rent_payer,
            lamports,
        });
    }
    let event = AccountClosed {
        domain: domain_key,
        epoch: index,
        lines,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
