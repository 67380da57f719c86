//! `request_unstake`: the staker asks to take active stake out. It still earns for the
//! open epoch, stops earning (and stops counting for validator eligibility at once) from
//! the next, and may be withdrawn once the open epoch index reaches
//! `request_epoch + 1 + unbonding_epochs`. Never paused: users can always leave.
use anchor_lang::prelude::*;

use crate::errors::DeepNodeError;
use crate::events::UnstakeRequested;
use crate::instructions::staking::stake::Stake;

/// Handler of [`request_unstake`](crate::deepnode::request_unstake).
pub fn handler(mut ctx: Context<Stake>, amount: u64) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(amount > 0, DeepNodeError::AmountZero);
    let current = a.domain.current_epoch;
    a.position.sync(&a.stake_pool, &a.change_epoch)?;
    a.position.require_change_slot(current)?;
    let p = &mut a.position;
    require!(amount <= p.weight, DeepNodeError::InsufficientActiveStake);
    p.weight = p
        .weight
        .checked_sub(amount)
        .ok_or(DeepNodeError::MathOverflow)?;
    p.deactivating = p
        .deactivating
        .checked_add(amount)
        .ok_or(DeepNodeError::MathOverflow)?;
    p.unbonding = p
        .unbonding
        .checked_add(amount)
        .ok_or(DeepNodeError::MathOverflow)?;
    p.change_epoch = current;
    // A later request pushes the whole unbonding balance to its own release epoch.
    p.withdrawable_epoch = current
        .checked_add(1)
        .and_then(|v| v.checked_add(u64::from(a.domain.settings.unbonding_epochs)))
        .ok_or(DeepNodeError::MathOverflow)?;
    a.stake_pool.deactivating = a
        .stake_pool
        .deactivating
        .checked_add(amount)
        .ok_or(DeepNodeError::MathOverflow)?;
    a.check()?;
    let event = UnstakeRequested {
        domain: a.domain.key(),
        owner: a.owner.key(),
        amount,
        epoch: current,
        withdrawable_epoch: a.position.withdrawable_epoch,
        remaining_weight: a.position.weight,
    };
    emit_cpi!(event);
    Ok(())
}
