//! `withdraw_stake`: the staker takes its whole unbonded stake back once the unbonding
//! period has passed. Never paused.
use anchor_lang::prelude::*;

use crate::errors::DeepNodeError;
use crate::events::StakeWithdrawn;
use crate::instructions::staking::stake::Stake;

/// Handler of [`withdraw_stake`](crate::deepnode::withdraw_stake).
pub fn handler(mut ctx: Context<Stake>) -> Result<()> {
    let a = &mut ctx.accounts;
    let amount = a.position.unbonding;
    require!(amount > 0, DeepNodeError::NothingToWithdraw);
    require!(
        a.domain.current_epoch >= a.position.withdrawable_epoch,
        DeepNodeError::StakeStillUnbonding
    );
    a.position.unbonding = 0;
    a.stake_pool.total_staked = a
        .stake_pool
        .total_staked
        .checked_sub(amount)
        .ok_or(DeepNodeError::MathOverflow)?;
    a.vault_cpi().send(&a.owner_dn.to_account_info(), amount)?;
    a.stake_vault.reload()?;
    a.check()?;
    let event = StakeWithdrawn {
        domain: a.domain.key(),
        owner: a.owner.key(),
        amount,
        pool_total_staked: a.stake_pool.total_staked,
    };
    emit_cpi!(event);
    Ok(())
}
