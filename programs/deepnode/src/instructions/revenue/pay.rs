//! `pay`: a consumer pays for one model. One token transfer into the chosen vault shard,
//! split by §12 on what the vault received; the pool share is credited to the open epoch.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::*;
use crate::create::write_state;
use crate::errors::DeepNodeError;
use crate::events::PaymentRouted;
use crate::instructions::revenue::route::{credit_payment, load_model_epoch};
use crate::state::{Config, Domain, Epoch, EpochShard, Model, VaultShard};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`pay`](crate::deepnode::pay).
#[event_cpi]
#[derive(Accounts)]
#[instruction(shard: u8)]
pub struct Pay<'info> {
    /// The consumer; pays the model-epoch record's rent the first time.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The consumer's revenue-mint account.
    #[account(mut,
        token::mint = revenue_mint,
        token::token_program = token_program)]
    pub payer_token: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The config (pause switch).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's open epoch.
    #[account(seeds = [EPOCH_SEED, domain.key().as_ref(), domain.current_epoch.to_le_bytes().as_ref()],
        bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The shard's counter for the open epoch.
    #[account(mut, seeds = [EPOCH_SHARD_SEED, domain.key().as_ref(), epoch.index.to_le_bytes().as_ref(), &[shard]],
        bump = epoch_shard.bump)]
    pub epoch_shard: Box<Account<'info, EpochShard>>,
    /// The shard's ledger.
    #[account(mut, seeds = [VAULT_SHARD_SEED, domain.key().as_ref(), &[shard]], bump = vault_shard.bump)]
    pub vault_shard: Box<Account<'info, VaultShard>>,
    /// The shard's token account.
    #[account(mut, seeds = [VAULT_SEED, domain.key().as_ref(), &[shard]], bump = vault_shard.vault_bump)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The model paid for.
    #[account(mut, seeds = [MODEL_SEED, domain.key().as_ref(), model.id.to_le_bytes().as_ref()],
        bump = model.bump)]
    pub model: Box<Account<'info, Model>>,
    /// CHECK: the model's revenue record for the open epoch (seeds checked); created on
    /// the model's first payment of the epoch, else checked and loaded by the handler.
    #[account(mut, seeds = [MODEL_EPOCH_SEED, model.key().as_ref(), epoch.index.to_le_bytes().as_ref()], bump)]
    pub model_epoch: UncheckedAccount<'info>,
    /// The revenue mint (writable only when it is DN: the buyback share is burned).
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

/// Handler of [`pay`](crate::deepnode::pay).
pub fn handler(mut ctx: Context<Pay>, shard: u8, amount: u64, usage_units: u64) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(!a.config.paused, DeepNodeError::ProtocolPaused);
    require!(a.domain.is_ready(), DeepNodeError::DomainNotReady);
    a.epoch.require_open()?;
    require!(a.model.active, DeepNodeError::ModelInactive);
    require!(amount >= MIN_PAYMENT, DeepNodeError::PaymentTooSmall);

    let record_info = a.model_epoch.to_account_info();
    let mut record = load_model_epoch(
        &record_info,
        &a.model.key(),
        &a.domain.key(),
        a.epoch.index,
        &a.payer.to_account_info(),
        &a.system_program.to_account_info(),
    )?;
    let cpi = VaultCpi {
        domain: a.domain.key(),
        authority_bump: a.domain.vault_authority_bump,
        vault: &a.vault.to_account_info(),
        authority: &a.vault_authority.to_account_info(),
        mint: &a.revenue_mint.to_account_info(),
        decimals: a.domain.revenue_decimals,
        token_program: &a.token_program.to_account_info(),
    };
    let received = cpi.receive(
        &a.payer_token.to_account_info(),
        &a.payer.to_account_info(),
        amount,
    )?;
    let burned = a.domain.revenue_is_dn;
    let line = credit_payment(
        received,
        amount,
        usage_units,
        a.epoch.settings.fee_bps,
        burned,
        a.model.key(),
        &mut a.model,
        &mut record,
        &mut a.epoch_shard,
        &mut a.vault_shard,
    )?;
    write_state(&record_info, &record)?;
    if burned {
        cpi.burn(line.buyback)?;
    }
    a.vault_shard
        .invariant(token_balance(&a.vault.to_account_info())?)?;
    let event = PaymentRouted {
        domain: a.domain.key(),
        epoch: a.epoch.index,
        shard,
        payer: a.payer.key(),
        burned,
        line,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
