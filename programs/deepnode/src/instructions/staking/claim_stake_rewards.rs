//! `claim_stake_rewards`: the staker pulls the DN and revenue-token rewards its stake has
//! accrued. One accumulator read per side, whatever the number of epochs passed. Never
//! paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::StakeRewardsClaimed;
use crate::state::{Config, Domain, Epoch, StakePool, StakePosition};
use crate::token_util::{require_token_account, token_balance, VaultCpi};

/// Accounts of [`claim_stake_rewards`](crate::deepnode::claim_stake_rewards). As in
/// `pay`, no address is derived: program accounts are tied to the domain and the position
/// by the fields they store, vaults and the vault authority by the addresses stored at
/// creation (each derivation would cost 1,500 CU).
#[event_cpi]
#[derive(Accounts)]
pub struct ClaimStakeRewards<'info> {
    /// The staker.
    pub owner: Signer<'info>,
    /// The config (DN mint).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's stake pool.
    #[account(mut, constraint = stake_pool.domain == domain.key() @ DeepNodeError::StakePoolMismatch)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// The staker's position.
    #[account(mut, constraint = position.domain == domain.key() @ DeepNodeError::StakePoolMismatch,
        has_one = owner @ DeepNodeError::NotStakeOwner)]
    pub position: Box<Account<'info, StakePosition>>,
    /// The epoch of the position's last change.
    #[account(constraint = change_epoch.domain == domain.key()
        && change_epoch.index == position.change_epoch @ DeepNodeError::WrongChangeEpoch)]
    pub change_epoch: Box<Account<'info, Epoch>>,
    /// CHECK: the domain's DN stake vault (holds DN rewards): the address the pool stores.
    #[account(mut, address = stake_pool.stake_vault @ DeepNodeError::VaultMismatch)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: the domain's revenue reward vault: the address the pool stores.
    #[account(mut, address = stake_pool.reward_vault @ DeepNodeError::VaultMismatch)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: the staker's DN account (A5: token program, mint and owner checked in the
    /// handler from its fixed fields).
    #[account(mut)]
    pub owner_dn: UncheckedAccount<'info>,
    /// CHECK: the staker's revenue-mint account (A5: checked likewise).
    #[account(mut)]
    pub owner_revenue: UncheckedAccount<'info>,
    /// CHECK: the DN mint (the config's); the token program checks it in the transfer.
    #[account(address = config.dn_mint)]
    pub dn_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's revenue mint; the token program checks it in the transfer.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores).
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
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
    let owner = a.owner.key();
    require_token_account(
        &a.owner_dn,
        &a.config.dn_mint,
        &owner,
        &a.config.dn_token_program,
    )?;
    require_token_account(
        &a.owner_revenue,
        &a.domain.revenue_mint,
        &owner,
        &a.domain.revenue_token_program,
    )?;
    a.position.sync(&a.stake_pool, &a.change_epoch)?;
    let dn = a.position.dn_owed;
    let revenue = a.position.rev_owed;
    require!(dn > 0 || revenue > 0, DeepNodeError::NothingToClaim);
    let p = &mut a.position;
    p.dn_owed = 0;
    p.rev_owed = 0;
    p.dn_claimed = p.dn_claimed.checked_add(dn).or_overflow()?;
    p.rev_claimed = p.rev_claimed.checked_add(revenue).or_overflow()?;
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
