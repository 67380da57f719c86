//! `pay`: a consumer pays for one model. One token transfer into the chosen vault shard,
//! split by §12 on what the vault received; the pool share is credited to the open epoch.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

use crate::constants::*;
use crate::create::write_state;
use crate::errors::DeepNodeError;
use crate::events::PaymentRouted;
use crate::instructions::revenue::route::{credit_payment, load_model_epoch};
use crate::state::{Config, Domain, EpochShard, Model, VaultShard};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`pay`](crate::deepnode::pay). No address here is derived: every
/// program account is recognised by its owner and discriminator (Anchor's `Account`) and
/// tied to the domain by the fields it stores, which the program wrote at creation at the
/// account's PDA. Each derivation would cost 1,500 CU; a comparison costs almost nothing.
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
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The shard's counter for the open epoch: an epoch is open exactly while it is its
    /// domain's current epoch (`close_epoch` closes it and moves the domain on in one
    /// instruction), so the counter's epoch is checked against the domain's.
    #[account(mut, constraint = epoch_shard.domain == domain.key()
        && epoch_shard.shard == shard @ DeepNodeError::ShardAccountMismatch,
        constraint = epoch_shard.epoch == domain.current_epoch @ DeepNodeError::EpochNotCurrent)]
    pub epoch_shard: Box<Account<'info, EpochShard>>,
    /// The shard's ledger.
    #[account(mut, constraint = vault_shard.domain == domain.key()
        && vault_shard.index == shard @ DeepNodeError::ShardAccountMismatch)]
    pub vault_shard: Box<Account<'info, VaultShard>>,
    /// CHECK: the shard's token account (the address its ledger stores); its balance is
    /// read by the handler and the token program checks it in the transfer.
    #[account(mut, address = vault_shard.vault @ DeepNodeError::VaultMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// The model paid for.
    #[account(mut, constraint = model.domain == domain.key() @ DeepNodeError::ModelWrongDomain)]
    pub model: Box<Account<'info, Model>>,
    /// CHECK: the model's revenue record for the open epoch: created at its PDA on the
    /// model's first payment of the epoch, else loaded and checked by its stored model and
    /// epoch (the handler).
    #[account(mut)]
    pub model_epoch: UncheckedAccount<'info>,
    /// CHECK: the revenue mint (the domain's; writable only when it is DN, whose buyback
    /// share is burned); the token program checks it against both token accounts.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores).
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
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
    require!(a.model.active, DeepNodeError::ModelInactive);
    require!(amount >= MIN_PAYMENT, DeepNodeError::PaymentTooSmall);

    let record_info = a.model_epoch.to_account_info();
    let mut record = load_model_epoch(
        &record_info,
        &a.model.key(),
        &a.domain.key(),
        a.domain.current_epoch,
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
        a.domain.settings.fee_bps,
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
        epoch: a.domain.current_epoch,
        shard,
        payer: a.payer.key(),
        burned,
        line,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
