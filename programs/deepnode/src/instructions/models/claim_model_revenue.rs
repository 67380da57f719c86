//! `claim_model_revenue`: the model owner pulls its accrued owner share out of one vault
//! shard: `min(claimable, what the shard owes to model owners)`. Shards pool model
//! balances, so an owner with more claimable than one shard holds claims from several.
//! Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

use crate::errors::DeepNodeError;
use crate::events::ModelRevenueClaimed;
use crate::state::{Domain, Model, VaultShard};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`claim_model_revenue`](crate::deepnode::claim_model_revenue).
#[event_cpi]
#[derive(Accounts)]
#[instruction(shard: u8)]
pub struct ClaimModelRevenue<'info> {
    /// The model owner.
    pub owner: Signer<'info>,
    /// The model.
    #[account(mut, has_one = owner @ DeepNodeError::NotModelOwner,
        has_one = domain @ DeepNodeError::ModelWrongDomain)]
    pub model: Box<Account<'info, Model>>,
    /// The model's domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The shard's ledger.
    #[account(mut, constraint = vault_shard.domain == domain.key()
        && vault_shard.index == shard @ DeepNodeError::ShardAccountMismatch)]
    pub vault_shard: Box<Account<'info, VaultShard>>,
    /// CHECK: the shard's token account (the address its ledger stores); the token
    /// program checks it in the transfer.
    #[account(mut, address = vault_shard.vault @ DeepNodeError::VaultMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// The owner's token account for the revenue mint (A5: mint and owner checked).
    #[account(mut,
        token::mint = revenue_mint,
        token::authority = owner,
        token::token_program = token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: the domain's revenue mint (writable only when it is DN); the token program
    /// checks it against the token accounts.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores).
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Handler of [`claim_model_revenue`](crate::deepnode::claim_model_revenue).
pub fn handler(mut ctx: Context<ClaimModelRevenue>, shard: u8) -> Result<()> {
    let a = &mut ctx.accounts;
    let amount = a.model.claimable.min(a.vault_shard.model_owed);
    require!(amount > 0, DeepNodeError::NothingToClaim);
    a.model.claimable = a.model.claimable.checked_sub(amount).or_overflow()?;
    a.model.lifetime_claimed = a.model.lifetime_claimed.wrapping_add(amount);
    a.vault_shard.model_owed = a.vault_shard.model_owed.checked_sub(amount).or_overflow()?;
    let cpi = VaultCpi {
        domain: a.domain.key(),
        authority_bump: a.domain.vault_authority_bump,
        vault: &a.vault.to_account_info(),
        authority: &a.vault_authority.to_account_info(),
        mint: &a.revenue_mint.to_account_info(),
        decimals: a.domain.revenue_decimals,
        token_program: &a.token_program.to_account_info(),
    };
    cpi.send(&a.destination.to_account_info(), amount)?;
    a.model.invariant()?;
    a.vault_shard
        .invariant(token_balance(&a.vault.to_account_info())?)?;
    let event = ModelRevenueClaimed {
        model: a.model.key(),
        owner: a.owner.key(),
        shard,
        amount,
        remaining: a.model.claimable,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
