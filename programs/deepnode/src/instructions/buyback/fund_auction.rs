//! `fund_auction`: permissionless; moves one shard's accrued buyback share into the
//! domain's buyback vault, where the auction sells it. What the buyback vault receives
//! (after any transfer fee) is what becomes available.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::AuctionFunded;
use crate::state::{Auction, Domain, VaultShard};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`fund_auction`](crate::deepnode::fund_auction).
#[event_cpi]
#[derive(Accounts)]
#[instruction(shard: u8)]
pub struct FundAuction<'info> {
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's auction (must be configured).
    #[account(mut, seeds = [AUCTION_SEED, domain.key().as_ref()], bump = auction.bump)]
    pub auction: Box<Account<'info, Auction>>,
    /// The shard's ledger.
    #[account(mut, seeds = [VAULT_SHARD_SEED, domain.key().as_ref(), &[shard]], bump = vault_shard.bump)]
    pub vault_shard: Box<Account<'info, VaultShard>>,
    /// The shard's token account.
    #[account(mut, seeds = [VAULT_SEED, domain.key().as_ref(), &[shard]], bump = vault_shard.vault_bump)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The domain's buyback vault.
    #[account(mut, seeds = [BUYBACK_VAULT_SEED, domain.key().as_ref()], bump = domain.buyback_vault_bump)]
    pub buyback_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The domain's revenue mint.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the domain's vault authority; address checked by the seeds and stored bump.
    #[account(seeds = [VAULT_AUTHORITY_SEED, domain.key().as_ref()], bump = domain.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Handler of [`fund_auction`](crate::deepnode::fund_auction).
pub fn handler(mut ctx: Context<FundAuction>, shard: u8) -> Result<()> {
    let a = &mut ctx.accounts;
    let amount = a.vault_shard.buyback_owed;
    require!(amount > 0, DeepNodeError::NothingToFund);
    a.vault_shard.buyback_owed = 0;
    let shard_cpi = VaultCpi {
        domain: a.domain.key(),
        authority_bump: a.domain.vault_authority_bump,
        vault: &a.vault.to_account_info(),
        authority: &a.vault_authority.to_account_info(),
        mint: &a.revenue_mint.to_account_info(),
        decimals: a.domain.revenue_decimals,
        token_program: &a.token_program.to_account_info(),
    };
    let buyback = a.buyback_vault.to_account_info();
    let before = token_balance(&buyback)?;
    shard_cpi.send(&buyback, amount)?;
    let received = token_balance(&buyback)?.checked_sub(before).or_overflow()?;
    a.auction.available = a.auction.available.checked_add(received).or_overflow()?;
    a.vault_shard
        .invariant(token_balance(&a.vault.to_account_info())?)?;
    a.auction.invariant(token_balance(&buyback)?)?;
    let event = AuctionFunded {
        domain: a.domain.key(),
        shard,
        amount: received,
        available: a.auction.available,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
