//! `init_shard`: permissionless; creates the next vault shard of a domain (ledger, token
//! account, and its counter for the open epoch). Every parameter comes from seeds and the
//! domain (C2); shards are created in order, so none can be skipped or made twice.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::*;
use crate::create::{create_state, create_token_vault};
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
    /// CHECK: the shard ledger's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [VAULT_SHARD_SEED, domain.key().as_ref(), &[shard]], bump)]
    pub vault_shard: UncheckedAccount<'info>,
    /// CHECK: the shard token account's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [VAULT_SEED, domain.key().as_ref(), &[shard]], bump)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the PDA of the shard's counter for the open epoch (seeds checked), created
    /// by the handler.
    #[account(
        mut,
        seeds = [
            EPOCH_SHARD_SEED,
            domain.key().as_ref(),
            domain.current_epoch.to_le_bytes().as_ref(),
            &[shard],
        ],
        bump,
    )]
    pub epoch_shard: UncheckedAccount<'info>,
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
pub fn handler(mut ctx: Context<InitShard>, shard: u8) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(
        shard < a.domain.shard_count,
        DeepNodeError::ShardIndexOutOfRange
    );
    require!(
        shard == a.domain.shards_ready,
        DeepNodeError::ShardOutOfOrder
    );
    a.domain.shards_ready = shard.checked_add(1).or_overflow()?;
    a.domain.invariant()?;
    let domain_key = a.domain.key();
    let epoch = a.domain.current_epoch;
    let vault_key = a.vault.key();
    let payer = a.payer.to_account_info();
    let system = a.system_program.to_account_info();
    let ledger = VaultShard {
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
    };
    create_state(
        &a.vault_shard.to_account_info(),
        &payer,
        &system,
        &[
            VAULT_SHARD_SEED,
            domain_key.as_ref(),
            &[shard],
            &[ctx.bumps.vault_shard],
        ],
        VaultShard::INIT_SPACE,
        &ledger,
    )?;
    create_token_vault(
        &a.vault.to_account_info(),
        &payer,
        &system,
        &[
            VAULT_SEED,
            domain_key.as_ref(),
            &[shard],
            &[ctx.bumps.vault],
        ],
        &a.revenue_mint.to_account_info(),
        &a.vault_authority.to_account_info(),
        &a.token_program.to_account_info(),
    )?;
    let counter = EpochShard {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.epoch_shard,
        domain: domain_key,
        epoch,
        shard,
        revenue: 0,
        pool: 0,
        usage_units: 0,
        payments: 0,
        rent_payer: payer.key(),
        collected: false,
        buyback: 0,
    };
    create_state(
        &a.epoch_shard.to_account_info(),
        &payer,
        &system,
        &[
            EPOCH_SHARD_SEED,
            domain_key.as_ref(),
            &epoch.to_le_bytes(),
            &[shard],
            &[ctx.bumps.epoch_shard],
        ],
        EpochShard::INIT_SPACE,
        &counter,
    )?;
    let domain_ready = a.domain.is_ready();
    let event = ShardInitialized {
        domain: domain_key,
        shard,
        vault: vault_key,
        domain_ready,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
