//! `deregister_validator`: a validator leaves (its slot under the cap frees up). Anyone
//! may deregister a validator whose active stake fell below the domain's minimum, so
//! under-staked validators cannot hold the cap's slots. The account stays (its index is
//! never reused). Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::ValidatorDeregistered;
use crate::state::{Domain, StakePool, StakePosition, Validator};

/// Accounts of [`deregister_validator`](crate::deepnode::deregister_validator).
#[event_cpi]
#[derive(Accounts)]
pub struct DeregisterValidator<'info> {
    /// The validator itself, or anyone once the validator is under-staked.
    pub caller: Signer<'info>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The validator.
    #[account(mut, seeds = [VALIDATOR_SEED, domain.key().as_ref(), validator.authority.as_ref()],
        bump = validator.bump)]
    pub validator: Box<Account<'info, Validator>>,
    /// The validator's stake position.
    #[account(mut, seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), validator.authority.as_ref()],
        bump = position.bump)]
    pub position: Box<Account<'info, StakePosition>>,
    /// The domain's stake pool (validator stake of the next epoch).
    #[account(mut, seeds = [STAKE_POOL_SEED, domain.key().as_ref()], bump = stake_pool.bump)]
    pub stake_pool: Box<Account<'info, StakePool>>,
}

/// Handler of [`deregister_validator`](crate::deepnode::deregister_validator).
pub fn handler(mut ctx: Context<DeregisterValidator>) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(a.validator.active, DeepNodeError::ValidatorNotRegistered);
    let stake = a.position.eligible_stake(a.domain.current_epoch)?;
    if a.caller.key() != a.validator.authority {
        require!(
            stake < a.domain.settings.min_validator_stake,
            DeepNodeError::ValidatorStillEligible
        );
    }
    a.validator.active = false;
    // It stays in the open epoch's W_e (fixed when it opened) and still votes in it
    // (§7); it leaves the next one's.
    a.validator.votes_until = a.domain.current_epoch;
    a.validator.invariant()?;
    a.position.validator = false;
    a.stake_pool
        .remove_validator_stake(a.position.next_stake()?)?;
    a.stake_pool.check_totals()?;
    a.position.invariant(a.domain.current_epoch)?;
    a.domain.validators_active = a.domain.validators_active.checked_sub(1).or_overflow()?;
    let event = ValidatorDeregistered {
        domain: a.domain.key(),
        authority: a.validator.authority,
        by: a.caller.key(),
        stake,
        validators_active: a.domain.validators_active,
        validator_stake_next: a.stake_pool.validator_stake_next,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
