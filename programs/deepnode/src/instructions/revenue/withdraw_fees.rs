//! `withdraw_fees`: the domain's fee authority withdraws one shard's fee balance. Never
//! paused.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

use crate::errors::DeepNodeError;
use crate::events::FeesWithdrawn;
use crate::state::{Domain, VaultShard};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`withdraw_fees`](crate::deepnode::withdraw_fees).
#[event_cpi]
#[derive(Accounts)]
#[instruction(shard: u8)]
pub struct WithdrawFees<'info> {
    /// The domain's fee authority.
    pub fee_authority: Signer<'info>,
    /// The domain (created only at its PDA).
    #[account(has_one = fee_authority @ DeepNodeError::NotFeeAuthority)]
    pub domain: Box<Account<'info, Domain>>,
    /// The shard's ledger.
    #[account(mut, constraint = vault_shard.domain == domain.key()
        && vault_shard.index == shard @ DeepNodeError::ShardAccountMismatch)]
    pub vault_shard: Box<Account<'info, VaultShard>>,
    /// CHECK: the shard's token account (the address its ledger stores); the token
    /// program checks it in the transfer.
    #[account(mut, address = vault_shard.vault @ DeepNodeError::VaultMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// The fee authority's token account (A5: mint and owner checked).
    #[account(mut,
        token::mint = revenue_mint,
        token::authority = fee_authority,
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

/// Handler of [`withdraw_fees`](crate::deepnode::withdraw_fees).
pub fn handler(mut ctx: Context<WithdrawFees>, shard: u8) -> Result<()> {
    let a = &mut ctx.accounts;
    let amount = a.vault_shard.fee_owed;
    require!(amount > 0, DeepNodeError::NothingToWithdraw);
    a.vault_shard.fee_owed = 0;
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
    a.vault_shard
        .invariant(token_balance(&a.vault.to_account_info())?)?;
    let event = FeesWithdrawn {
        domain: a.domain.key(),
        shard,
        fee_authority: a.fee_authority.key(),
        destination: a.destination.key(),
        amount,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
