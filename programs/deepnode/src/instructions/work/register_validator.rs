//! `register_validator`: a staker whose active stake meets the domain's minimum registers
//! as a validator, up to the domain's cap. Its index is assigned once and never reused.
//! It votes from the next epoch on (PROTOCOL.md §7): its stake active then joins the
//! pool's validator stake of the next epoch. When the set is full, a candidate whose
//! stake active in the next epoch is strictly greater than a registered validator's
//! registers in its place: the displaced validator stops voting from the next epoch on,
//! exactly as if it had deregistered, and leaves the next epoch's validator stake.
//! Validator permits follow stake. Paused: refused.
use crate::errors::OrOverflow;
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
    /// The validator to displace when the set is full (its PDA; checked by the handler);
    /// absent while the set has room.
    #[account(mut)]
    pub displaced: Option<Box<Account<'info, Validator>>>,
    /// The displaced validator's stake position (checked by the handler); given with it.
    #[account(mut)]
    pub displaced_position: Option<Box<Account<'info, StakePosition>>>,
}

/// When the set is full, displaces `displaced` (with its position) in favour of a
/// candidate whose next-epoch stake is `candidate`: it must be a registered validator of
/// `domain` holding strictly less. Returns its key and next-epoch stake.
fn displace(
    domain: &Pubkey,
    current: u64,
    candidate: u64,
    displaced: &mut Validator,
    position: &mut StakePosition,
) -> Result<(Pubkey, u64)> {
    require!(
        displaced.domain == *domain
            && position.domain == *domain
            && position.owner == displaced.authority,
        DeepNodeError::DisplacedValidatorMismatch
    );
    require!(displaced.active, DeepNodeError::DisplacedNotRegistered);
    let theirs = position.next_stake()?;
    require!(candidate > theirs, DeepNodeError::StakeNotAboveDisplaced);
    displaced.active = false;
    // §7: it still votes in the open epoch (its weight is in W_e), not in the next.
    displaced.votes_until = current;
    position.validator = false;
    Ok((displaced.authority, theirs))
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
    let domain_key = a.domain.key();
    let full = a.domain.validators_active >= a.domain.settings.max_validators;
    let displaced = match (full, a.displaced.as_mut(), a.displaced_position.as_mut()) {
        (false, None, None) => None,
        (false, _, _) => return err!(DeepNodeError::DisplacementNotNeeded),
        (true, Some(v), Some(p)) => {
            let candidate = a.position.next_stake()?;
            let (key, theirs) = displace(&domain_key, epoch, candidate, v, p)?;
            v.invariant()?;
            a.stake_pool.remove_validator_stake(theirs)?;
            a.domain.validators_active = a.domain.validators_active.checked_sub(1).or_overflow()?;
            Some(key)
        }
        (true, _, _) => return err!(DeepNodeError::ValidatorCapReached),
    };
    let authority = a.authority.key();
    require_keys_neq!(
        displaced.unwrap_or_default(),
        authority,
        DeepNodeError::DisplacedValidatorMismatch
    );
    let info = a.validator.to_account_info();
    let index = if info.data_is_empty() {
        let index = a.domain.validator_count;
        a.domain.validator_count = index.checked_add(1).or_overflow()?;
        let validator = Validator {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.validator,
            domain: domain_key,
            authority,
            index,
            active: true,
            registered_epoch: epoch,
            attestations: 0,
            votes_until: u64::MAX,
            reserved: [0; 8],
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
        // Back in the epoch it left: it never stopped voting in this one.
        if validator.votes_until != epoch {
            validator.registered_epoch = epoch;
        }
        validator.votes_until = u64::MAX;
        validator.invariant()?;
        write_state(&info, &validator)?;
        validator.index
    };
    a.domain.validators_active = a.domain.validators_active.checked_add(1).or_overflow()?;
    a.position.validator = true;
    a.stake_pool.add_validator_stake(a.position.next_stake()?)?;
    a.stake_pool.check_totals()?;
    a.position.invariant(a.domain.current_epoch)?;
    let event = ValidatorRegistered {
        domain: domain_key,
        authority,
        index,
        stake,
        validators_active: a.domain.validators_active,
        votes_from_epoch: epoch.checked_add(1).or_overflow()?,
        validator_stake_next: a.stake_pool.validator_stake_next,
        displaced,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
