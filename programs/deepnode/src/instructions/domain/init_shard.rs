//! `init_shard`: permissionless; creates the next vault shard of a domain (ledger, token
//! account, and its counter for the open epoch). Every parameter comes from seeds and the
//! domain (C2); shards are created in order, so none can be skipped or made twice.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::ShardInitialized;
use crate::state::{Domain, EpochShard, VaultShard};

/// Accounts of [`init_shard`](crate::deepnode::init_shard).
#[event_cpi]
#[derive(Accounts)]
#[instruction(shard: u8)]
pub struct InitShard<'info> {
    /// Pays rent (anyone).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The shard's ledger.
    #[account(
        init,
        payer = payer,
        space = 8 + VaultShard::INIT_SPACE,
        seeds = [VAULT_SHARD_SEED, domain.key().as_ref(), &[shard]],
        bump,
    )]
    pub vault_shard: Box<Account<'info, VaultShard>>,
    /// The shard's token account.
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, domain.key().as_ref(), &[shard]],
        bump,
        token::mint = revenue_mint,
        token::authority = vault_authority,
        token::token_program = token_program,
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The shard's counter for the domain's open epoch.
    #[account(
        init,
        payer = payer,
        space = 8 + EpochShard::INIT_SPACE,
        seeds = [
            EPOCH_SHARD_SEED,
            domain.key().as_ref(),
            domain.current_epoch.to_le_bytes().as_ref(),
            &[shard],
        ],
        bump,
    )]
    pub epoch_shard: Box<Account<'info, EpochShard>>,
    /// The domain's revenue mint.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the domain's vault authority; address checked by the seeds and stored bump.
    #[account(seeds = [VAULT_AUTHORITY_SEED, domain.key().as_ref()], bump = domain.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`init_shard`](crate::deepnode::init_shard).
pub fn handler(ctx: Context<InitShard>, shard: u8) -> Result<()> {
    let domain = &mut ctx.accounts.domain;
    require!(
        shard < domain.shard_count,
        DeepNodeError::ShardIndexOutOfRange
    );
    require!(shard == domain.shards_ready, DeepNodeError::ShardOutOfOrder);
    domain.shards_ready = shard.checked_add(1).ok_or(DeepNodeError::MathOverflow)?;
    let domain_key = domain.key();
    let vault_key = ctx.accounts.vault.key();
    ctx.accounts.vault_shard.set_inner(VaultShard {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.vault_shard,
        vault_bump: ctx.bumps.vault,
        domain: domain_key,
        index: shard,
        vault: vault_key,
        model_owed: 0,
        fee_owed: 0,
        buyback_owed: 0,
        pool_owed: 0,
        lifetime_received: 0,
        lifetime_fees: 0,
        lifetime_model: 0,
        lifetime_buyback: 0,
        dn_burned: 0,
        reserved: [0; 64],
    });
    ctx.accounts.epoch_shard.set_inner(EpochShard {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.epoch_shard,
        domain: domain_key,
        epoch: domain.current_epoch,
        shard,
        revenue: 0,
        pool: 0,
        usage_units: 0,
        payments: 0,
        rent_payer: ctx.accounts.payer.key(),
    });
    domain.invariant()?;
    let domain_ready = domain.is_ready();
    let event = ShardInitialized {
        domain: domain_key,
        shard,
        vault: vault_key,
        domain_ready,
    };
    emit_cpi!(event);
    Ok(())
}
