//! `init_stake_pool`: permissionless; creates a domain's stake pool, its DN stake vault
//! and its revenue reward vault. Every parameter comes from seeds, the config and the
//! domain (C2); the domain takes payments once this and every shard exist.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::*;
use crate::create::{create_state, create_token_vault};
use crate::events::StakePoolInitialized;
use crate::state::{Config, Domain, StakePool};

/// Accounts of [`init_stake_pool`](crate::deepnode::init_stake_pool).
#[event_cpi]
#[derive(Accounts)]
pub struct InitStakePool<'info> {
    /// Pays rent (anyone).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The config (DN mint).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// CHECK: the stake pool's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [STAKE_POOL_SEED, domain.key().as_ref()], bump)]
    pub stake_pool: UncheckedAccount<'info>,
    /// CHECK: the DN stake vault's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [STAKE_VAULT_SEED, domain.key().as_ref()], bump)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: the revenue reward vault's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [STAKE_REWARD_VAULT_SEED, domain.key().as_ref()], bump)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: the offset reserve's PDA (seeds checked), created here as a DN token account
    /// owned by the vault authority (§14; a domain paid in DN never fills it).
    #[account(mut, seeds = [OFFSET_RESERVE_SEED, domain.key().as_ref()], bump)]
    pub offset_reserve: UncheckedAccount<'info>,
    /// The DN mint.
    #[account(address = config.dn_mint)]
    pub dn_mint: Box<InterfaceAccount<'info, Mint>>,
    /// The domain's revenue mint.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the domain's vault authority; address checked by the seeds and stored bump.
    #[account(seeds = [VAULT_AUTHORITY_SEED, domain.key().as_ref()], bump = domain.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the DN mint.
    #[account(address = config.dn_token_program)]
    pub dn_token_program: Interface<'info, TokenInterface>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub revenue_token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`init_stake_pool`](crate::deepnode::init_stake_pool).
pub fn handler(mut ctx: Context<InitStakePool>) -> Result<()> {
    let a = &mut ctx.accounts;
    let domain_key = a.domain.key();
    let pool = StakePool {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.stake_pool,
        vault_bump: ctx.bumps.stake_vault,
        reward_vault_bump: ctx.bumps.reward_vault,
        domain: domain_key,
        total_staked: 0,
        active: 0,
        activating: 0,
        deactivating: 0,
        acc_dn: 0,
        acc_rev: 0,
        next_settle_epoch: 0,
        dn_funded: 0,
        dn_claimed: 0,
        rev_funded: 0,
        rev_claimed: 0,
        validator_stake_next: 0,
        stake_vault: a.stake_vault.key(),
        reward_vault: a.reward_vault.key(),
        dn_roles_owed: 0,
        rev_roles_owed: 0,
        dn_burned: 0,
        dn_carry: 0,
        rev_carry: 0,
        reserved: [0; 16],
    };
    pool.check_totals()?;
    let payer = a.payer.to_account_info();
    let system = a.system_program.to_account_info();
    create_state(
        &a.stake_pool.to_account_info(),
        &payer,
        &system,
        &[
            STAKE_POOL_SEED,
            domain_key.as_ref(),
            &[ctx.bumps.stake_pool],
        ],
        StakePool::INIT_SPACE,
        &pool,
    )?;
    create_token_vault(
        &a.stake_vault.to_account_info(),
        &payer,
        &system,
        &[
            STAKE_VAULT_SEED,
            domain_key.as_ref(),
            &[ctx.bumps.stake_vault],
        ],
        &a.dn_mint.to_account_info(),
        &a.vault_authority.to_account_info(),
        &a.dn_token_program.to_account_info(),
    )?;
    create_token_vault(
        &a.reward_vault.to_account_info(),
        &payer,
        &system,
        &[
            STAKE_REWARD_VAULT_SEED,
            domain_key.as_ref(),
            &[ctx.bumps.reward_vault],
        ],
        &a.revenue_mint.to_account_info(),
        &a.vault_authority.to_account_info(),
        &a.revenue_token_program.to_account_info(),
    )?;
    create_token_vault(
        &a.offset_reserve.to_account_info(),
        &payer,
        &system,
        &[
            OFFSET_RESERVE_SEED,
            domain_key.as_ref(),
            &[ctx.bumps.offset_reserve],
        ],
        &a.dn_mint.to_account_info(),
        &a.vault_authority.to_account_info(),
        &a.dn_token_program.to_account_info(),
    )?;
    a.domain.offset_reserve = a.offset_reserve.key();
    a.domain.stake_pool_ready = true;
    a.domain.invariant()?;
    let event = StakePoolInitialized {
        domain: domain_key,
        stake_pool: a.stake_pool.key(),
        stake_vault: a.stake_vault.key(),
        reward_vault: a.reward_vault.key(),
        offset_reserve: a.offset_reserve.key(),
        domain_ready: a.domain.is_ready(),
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
