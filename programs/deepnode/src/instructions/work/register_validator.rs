//! `register_validator`: a staker whose active stake meets the domain's minimum registers
//! as a validator, up to the domain's cap. Its index is assigned once and never reused.
//! It votes from the next epoch on (PROTOCOL.md §7): its stake active then joins the
//! pool's validator stake of the next epoch. Paused: refused.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::{create_state, load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::ValidatorRegistered;
use crate::state::{Config, Domain, StakePool, StakePosition, Validator};

/// Accounts of [`register_validator`](crate::deepnode::register_validator).
#[event_cpi]
#[derive(Accounts)]
pub struct RegisterValidator<'info> {
    /// The validator's key; pays the account's rent.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The config (pause switch).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// CHECK: the validator's PDA (seeds checked): created here the first time, else
    /// loaded and checked by the handler (owner, type).
    #[account(mut, seeds = [VALIDATOR_SEED, domain.key().as_ref(), authority.key().as_ref()], bump)]
    pub validator: UncheckedAccount<'info>,
    /// The validator's stake position in this domain.
    #[account(mut, seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), authority.key().as_ref()],
        bump = position.bump)]
    pub position: Box<Account<'info, StakePosition>>,
    /// The domain's stake pool (validator stake of the next epoch).
    #[account(mut, seeds = [STAKE_POOL_SEED, domain.key().as_ref()], bump = stake_pool.bump)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`register_validator`](crate::deepnode::register_validator).
pub fn handler(mut ctx: Context<RegisterValidator>) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(!a.config.paused, DeepNodeError::ProtocolPaused);
    let epoch = a.domain.current_epoch;
    let stake = a.position.eligible_stake(epoch)?;
    require!(
        stake >= a.domain.settings.min_validator_stake,
        DeepNodeError::ValidatorStakeTooLow
    );
    require!(
        a.domain.validators_active < a.domain.settings.max_validators,
        DeepNodeError::ValidatorCapReached
    );
    let domain_key = a.domain.key();
    let authority = a.authority.key();
    let info = a.validator.to_account_info();
    let index = if info.data_is_empty() {
        let index = a.domain.validator_count;
        a.domain.validator_count = index.checked_add(1).ok_or(DeepNodeError::MathOverflow)?;
        let validator = Validator {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.validator,
            domain: domain_key,
            authority,
            index,
            active: true,
            registered_epoch: epoch,
            attestations: 0,
            reserved: [0; 16],
        };
        create_state(
            &info,
            &a.authority.to_account_info(),
            &a.system_program.to_account_info(),
            &[
                VALIDATOR_SEED,
                domain_key.as_ref(),
                authority.as_ref(),
                &[ctx.bumps.validator],
            ],
            Validator::INIT_SPACE,
            &validator,
        )?;
        index
    } else {
        let mut validator: Validator = load_state(&info)?;
        require!(!validator.active, DeepNodeError::ValidatorAlreadyRegistered);
        validator.active = true;
        validator.registered_epoch = epoch;
        write_state(&info, &validator)?;
        validator.index
    };
    a.domain.validators_active = a
        .domain
        .validators_active
        .checked_add(1)
        .ok_or(DeepNodeError::MathOverflow)?;
    a.position.validator = true;
    a.stake_pool.add_validator_stake(a.position.next_stake()?)?;
    let event = ValidatorRegistered {
        domain: domain_key,
        authority,
        index,
        stake,
        validators_active: a.domain.validators_active,
        votes_from_epoch: epoch.checked_add(1).ok_or(DeepNodeError::MathOverflow)?,
        validator_stake_next: a.stake_pool.validator_stake_next,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
