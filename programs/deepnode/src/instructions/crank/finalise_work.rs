//! `finalise_work`: permissionless second step of the crank (PROTOCOL.md §7). Once an
//! epoch is closed, anyone finalises its work records that reached quorum, a batch at a
//! time: each record's verified work is the stake-weighted median over the epoch's
//! whole validator stake `W_e`, and each attestation within the tolerance adds one to
//! its validator's score. The epoch accumulates the totals settlement divides by. A
//! record below quorum verifies nothing and is refused, so griefers' one-attestation
//! records never add to the crank's work. Never paused.
use crate::errors::OrOverflow;
use crate::layouts::FINALISE_WORK;
use anchor_lang::prelude::*;
use deepnode_math::{agrees, verified_units, Vote};

use crate::constants::*;
use crate::create::{load_state, write_state};
use crate::errors::{math, DeepNodeError};
use crate::events::{FinalisedLine, WorkFinalised};
use crate::state::{Domain, Epoch, EpochBook, EpochStatus, WorkRecord};

/// Accounts of [`finalise_work`](crate::deepnode::finalise_work). Remaining accounts:
/// the work records (writable), in strictly increasing address order.
#[event_cpi]
#[derive(Accounts)]
pub struct FinaliseWork<'info> {
    /// Anyone.
    pub caller: Signer<'info>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The closed epoch.
    #[account(mut, constraint = epoch.domain == domain.key() @ DeepNodeError::EpochWrongDomain)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The epoch's book (voters, scores, totals).
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == epoch.index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
}

/// Handler of [`finalise_work`](crate::deepnode::finalise_work).
pub fn handler<'info>(mut ctx: Context<'info, FinaliseWork<'info>>) -> Result<()> {
    let a = &mut ctx.accounts;
    // A finalised epoch still answers a repeated record with the record's own error.
    require!(
        matches!(a.epoch.status, EpochStatus::Closed | EpochStatus::Finalised),
        DeepNodeError::EpochNotClosed
    );
    let records = ctx.remaining_accounts;
    require!(!records.is_empty(), DeepNodeError::BatchEmpty);
    require!(
        FINALISE_WORK
            .items_in(records.len())
            .is_some_and(|n| n <= FINALISE_WORK.max_items),
        DeepNodeError::BatchTooLarge
    );
    let domain_key = a.domain.key();
    let (quorum, tolerance) = (a.epoch.settings.quorum, a.epoch.settings.tolerance_bps);
    let total_stake = a.epoch.validator_stake;
    let mut previous: Option<Pubkey> = None;
    let mut lines = Vec::with_capacity(records.len());
    for info in records {
        super::require_increasing(&mut previous, info.key())?;
        let mut record: WorkRecord = load_state(info)?;
        require_keys_eq!(
            record.domain,
            domain_key,
            DeepNodeError::WorkRecordWrongDomain
        );
        require!(
            record.epoch == a.epoch.index,
            DeepNodeError::WorkRecordWrongEpoch
        );
        require!(!record.finalised, DeepNodeError::RecordAlreadyFinalised);
        require!(
            u16::from(record.count) >= quorum,
            DeepNodeError::RecordBelowQuorum
        );
        // The votes on the stack (the heap never frees; a batch must not allocate per
        // record), each weighted by its validator's weight in the epoch.
        let mut votes = [Vote { units: 0, stake: 0 }; MAX_ATTESTATIONS as usize];
        let count = usize::from(record.count);
        for (slot, a_) in votes.iter_mut().zip(record.recorded()) {
            let voter = a
                .book
                .voter(a_.validator)
                .ok_or(DeepNodeError::NoValidatorScore)?;
            *slot = Vote {
                units: a_.units,
                stake: a.book.voters[voter].weight,
            };
        }
        let verified = math(verified_units(&mut votes[..count], total_stake, quorum))?;
        let mut agreeing: u8 = 0;
        if let Some(median) = verified {
            for vote in record.recorded() {
                if math(agrees(vote.units, median, tolerance))? {
                    a.book.add_agreeing(vote.validator)?;
                    agreeing = agreeing.checked_add(1).or_overflow()?;
                }
            }
        }
        let verified = verified.unwrap_or(0);
        record.finalised = true;
        record.verified_units = verified;
        record.invariant()?;
        write_state(info, &record)?;
        a.book.total_verified = a
            .book
            .total_verified
            .checked_add(u128::from(verified))
            .or_overflow()?;
        a.book.finalised_records = a.book.finalised_records.checked_add(1).or_overflow()?;
        lines.push(FinalisedLine {
            record: info.key(),
            verified,
            agreeing,
        });
    }
    require!(
        a.book.finalised_records <= a.book.quorate_records,
        DeepNodeError::MathOverflow
    );
    if a.book.finalised_records == a.book.quorate_records {
        a.epoch.status = EpochStatus::Finalised;
    }
    a.epoch.invariant()?;
    a.book.invariant()?;
    let event = WorkFinalised {
        domain: domain_key,
        epoch: a.epoch.index,
        caller: a.caller.key(),
        lines,
        finalised_records: a.book.finalised_records,
        quorate_records: a.book.quorate_records,
        total_verified: a.book.total_verified,
        total_agreeing: a.book.total_agreeing,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
