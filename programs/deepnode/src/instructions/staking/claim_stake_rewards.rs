//! `claim_stake_rewards`: the staker pulls the DN and revenue-token rewards its stake has
//! accrued. One accumulator read per side, whatever the number of epochs passed. Never
//! paused.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::StakeRewardsClaimed;
use crate::state::{Config, Domain, Epoch, StakePool, StakePosition};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`claim_stake_rewards`](crate::deepnode::claim_stake_rewards).
#[event_cpi]
#[derive(Accounts)]
pub struct ClaimStakeRewards<'info> {
    /// The staker.
    pub owner: Signer<'info>,
    /// The config (DN mint).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
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
    /// The epoch of the position's last change.
    #[account(seeds = [EPOCH_SEED, domain.key().as_ref(), position.change_epoch.to_le_bytes().as_ref()],
        bump = change_epoch.bump)]
    pub change_epoch: Box<Account<'info, Epoch>>,
    /// The domain's DN stake vault (holds DN rewards).
    #[account(mut, seeds = [STAKE_VAULT_SEED, domain.key().as_ref()], bump = stake_pool.vault_bump)]
    pub stake_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The domain's revenue reward vault.
    #[account(mut, seeds = [STAKE_REWARD_VAULT_SEED, domain.key().as_ref()], bump = stake_pool.reward_vault_bump)]
    pub reward_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The staker's DN account (A5: mint and owner checked).
    #[account(mut, token::mint = dn_mint, token::authority = owner, token::token_program = dn_token_program)]
    pub owner_dn: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The staker's revenue-mint account (A5: mint and owner checked).
    #[account(mut, token::mint = revenue_mint, token::authority = owner,
        token::token_program = revenue_token_program)]
    pub owner_revenue: Box<InterfaceAccount<'info, TokenAccount>>,
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
}

/// Handler of [`claim_stake_rewards`](crate::deepnode::claim_stake_rewards).
pub fn handler(mut ctx: Context<ClaimStakeRewards>) -> Result<()> {
    let a = &mut ctx.accounts;
    a.position.sync(&a.stake_pool, &a.change_epoch)?;
    let dn = a.position.dn_owed;
    let revenue = a.position.rev_owed;
    require!(dn > 0 || revenue > 0, DeepNodeError::NothingToClaim);
    let p = &mut a.position;
    p.dn_owed = 0;
    p.rev_owed = 0;
    p.dn_claimed = p
        .dn_claimed
        .checked_add(dn)
        .ok_or(DeepNodeError::MathOverflow)?;
    p.rev_claimed = p
        .rev_claimed
        .checked_add(revenue)
        .ok_or(DeepNodeError::MathOverflow)?;
    // Claims never exceed what settlement paid in (E3: accruals round down).
    a.stake_pool.record_claim(dn, revenue)?;
    let domain = a.domain.key();
    let authority = a.vault_authority.to_account_info();
    if dn > 0 {
        VaultCpi {
            domain,
            authority_bump: a.domain.vault_authority_bump,
            vault: &a.stake_vault.to_account_info(),
            authority: &authority,
            mint: &a.dn_mint.to_account_info(),
            decimals: a.config.dn_decimals,
            token_program: &a.dn_token_program.to_account_info(),
        }
        .send(&a.owner_dn.to_account_info(), dn)?;
    }
    if revenue > 0 {
        VaultCpi {
            domain,
            authority_bump: a.domain.vault_authority_bump,
            vault: &a.reward_vault.to_account_info(),
            authority: &authority,
            mint: &a.revenue_mint.to_account_info(),
            decimals: a.domain.revenue_decimals,
            token_program: &a.revenue_token_program.to_account_info(),
        }
        .send(&a.owner_revenue.to_account_info(), revenue)?;
    }
    a.stake_pool
        .check_stake_vault(token_balance(&a.stake_vault.to_account_info())?)?;
    a.stake_pool
        .check_reward_vault(token_balance(&a.reward_vault.to_account_info())?)?;
    a.position.invariant(a.domain.current_epoch)?;
    let event = StakeRewardsClaimed {
        domain,
        owner: a.owner.key(),
        dn,
        revenue,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
