//! `request_unstake`: the staker takes active stake out of its position into the unstake
//! ticket of the open epoch (created on the first request of the epoch, rent paid by the
//! staker). The stake still earns for the open epoch and stops from the next; the ticket
//! keeps those earnings and the principal, withdrawable once the open epoch index
//! reaches `request_epoch + 1 + unbonding_epochs`. It never waits for an earlier epoch
//! to be finalised or settled (PROTOCOL.md §9). Never paused: users can always leave.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::{create_state, load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::UnstakeRequested;
use crate::state::{Domain, Epoch, StakePool, StakePosition, UnstakeTicket};

/// Accounts of [`request_unstake`](crate::deepnode::request_unstake).
#[event_cpi]
#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    /// The staker; pays the ticket's rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's stake pool.
    #[account(mut, seeds = [STAKE_POOL_SEED, domain.key().as_ref()], bump = stake_pool.bump)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// The staker's position.
    #[account(mut, seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), position.owner.as_ref()],
        bump = position.bump, has_one = owner @ DeepNodeError::NotStakeOwner)]
    pub position: Box<Account<'info, StakePosition>>,
    /// The epoch of the position's stake added last (its accumulator values apply it).
    #[account(seeds = [EPOCH_SEED, domain.key().as_ref(), position.change_epoch.to_le_bytes().as_ref()],
        bump = change_epoch.bump)]
    pub change_epoch: Box<Account<'info, Epoch>>,
    /// CHECK: the open epoch's unstake ticket of this position (seeds checked): created
    /// by the first request of the epoch, else loaded and checked by the handler.
    #[account(mut, seeds = [UNSTAKE_TICKET_SEED, position.key().as_ref(),
        domain.current_epoch.to_le_bytes().as_ref()], bump)]
    pub ticket: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`request_unstake`](crate::deepnode::request_unstake).
pub fn handler(mut ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(amount > 0, DeepNodeError::AmountZero);
    let current = a.domain.current_epoch;
    a.position.sync(&a.stake_pool, &a.change_epoch)?;
    let available = a.position.eligible_stake(current)?;
    require!(amount <= available, DeepNodeError::InsufficientActiveStake);
    // Credited weight first, then stake added in an earlier epoch whose rewards are not
    // recorded yet (it earns from the epoch after `change_epoch`).
    let from_weight = amount.min(a.position.weight);
    let from_pending = amount.checked_sub(from_weight).or_overflow()?;
    let withdrawable_epoch = current
        .checked_add(1)
        .and_then(|v| v.checked_add(u64::from(a.domain.settings.unbonding_epochs)))
        .or_overflow()?;

    let info = a.ticket.to_account_info();
    let position_key = a.position.key();
    let created = info.data_is_empty() && *info.owner == System::id();
    let mut ticket = if created {
        UnstakeTicket {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.ticket,
            domain: a.domain.key(),
            owner: a.owner.key(),
            epoch: current,
            principal: 0,
            withdrawable_epoch,
            settled_part: 0,
            checkpoint_dn: a.position.checkpoint_dn,
            checkpoint_rev: a.position.checkpoint_rev,
            pending_part: 0,
            pending_epoch: current,
            rewards_credited: false,
        }
    } else {
        let ticket: UnstakeTicket = load_state(&info)?;
        require!(
            ticket.owner == a.owner.key()
                && ticket.domain == a.domain.key()
                && ticket.epoch == current,
            DeepNodeError::TicketMismatch
        );
        ticket
    };
    // The ticket's settled part has been credited up to its checkpoint; bring it to the
    // position's (both are values the pool reached, the position's the later one).
    let p = &mut a.position;
    let earned = ticket.advance_settled((p.checkpoint_dn, p.checkpoint_rev))?;
    p.add_ticket_earnings(earned)?;
    if from_pending > 0 {
        // Within one epoch the unapplied added stake always has the same epoch.
        require!(
            ticket.pending_part == 0 || ticket.pending_epoch == p.change_epoch,
            DeepNodeError::StakeAccountingBroken
        );
        ticket.pending_epoch = p.change_epoch;
    }
    let add = |v: u64, by: u64| v.checked_add(by).or_overflow();
    ticket.settled_part = add(ticket.settled_part, from_weight)?;
    ticket.pending_part = add(ticket.pending_part, from_pending)?;
    ticket.principal = add(ticket.principal, amount)?;
    p.weight = p.weight.checked_sub(from_weight).or_overflow()?;
    p.pending = p.pending.checked_sub(from_pending).or_overflow()?;
    p.unbonding = add(p.unbonding, amount)?;
    p.requested = if p.requested_epoch == current {
        add(p.requested, amount)?
    } else {
        amount
    };
    p.requested_epoch = current;
    let pool = &mut a.stake_pool;
    pool.deactivating = add(pool.deactivating, amount)?;
    if p.validator {
        pool.remove_validator_stake(amount)?;
    }
    pool.check_totals()?;
    ticket.invariant()?;

    if created {
        create_state(
            &info,
            &a.owner.to_account_info(),
            &a.system_program.to_account_info(),
            &[
                UNSTAKE_TICKET_SEED,
                position_key.as_ref(),
                &current.to_le_bytes(),
                &[ctx.bumps.ticket],
            ],
            UnstakeTicket::INIT_SPACE,
            &ticket,
        )?;
    } else {
        write_state(&info, &ticket)?;
    }
    a.position.invariant(current)?;
    let event = UnstakeRequested {
        domain: a.domain.key(),
        owner: a.owner.key(),
        amount,
        epoch: current,
        ticket: info.key(),
        ticket_principal: ticket.principal,
        withdrawable_epoch: ticket.withdrawable_epoch,
        remaining_stake: a.position.next_stake()?,
        validator_stake_next: a.stake_pool.validator_stake_next,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
