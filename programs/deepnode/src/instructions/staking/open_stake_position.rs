//! `open_stake_position`: a staker creates its (empty) position in a domain. Not paused:
//! an empty position changes nothing; staking into it is what pause stops.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::create_state;
use crate::events::StakePositionOpened;
use crate::state::{Domain, StakePool, StakePosition};

/// Accounts of [`open_stake_position`](crate::deepnode::open_stake_position).
#[event_cpi]
#[derive(Accounts)]
pub struct OpenStakePosition<'info> {
    /// The staker; pays the position's rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's stake pool (the position starts at its accumulators).
    #[account(seeds = [STAKE_POOL_SEED, domain.key().as_ref()], bump = stake_pool.bump)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// CHECK: the position's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), owner.key().as_ref()], bump)]
    pub position: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`open_stake_position`](crate::deepnode::open_stake_position).
pub fn handler(ctx: Context<OpenStakePosition>) -> Result<()> {
    let a = &ctx.accounts;
    let domain_key = a.domain.key();
    let owner = a.owner.key();
    let position = StakePosition {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.position,
        domain: domain_key,
        owner,
        weight: 0,
        checkpoint_dn: a.stake_pool.acc_dn,
        checkpoint_rev: a.stake_pool.acc_rev,
        pending: 0,
        change_epoch: a.domain.current_epoch,
        requested: 0,
        requested_epoch: a.domain.current_epoch,
        unbonding: 0,
        dn_owed: 0,
        rev_owed: 0,
        dn_claimed: 0,
        rev_claimed: 0,
        validator: false,
        carry_dn: 0,
        carry_rev: 0,
        reserved: [0; 15],
    };
    position.invariant(a.domain.current_epoch)?;
    create_state(
        &a.position.to_account_info(),
        &a.owner.to_account_info(),
        &a.system_program.to_account_info(),
        &[
            STAKE_POSITION_SEED,
            domain_key.as_ref(),
            owner.as_ref(),
            &[ctx.bumps.position],
        ],
        StakePosition::INIT_SPACE,
        &position,
    )?;
    let event = StakePositionOpened {
        domain: domain_key,
        owner,
        position: a.position.key(),
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
