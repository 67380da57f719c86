//! `pay_batch`: the domain's payment processor settles many (model, amount, usage)
//! lines in one transaction. Each line is one token transfer into the chosen shard and is
//! split on what the vault received; remaining accounts carry `[model, model_epoch]` per
//! line, each checked (owner, type, domain, epoch). A model may appear on several lines:
//! each line reloads and writes back its accounts, so repeats add up correctly.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

use crate::constants::*;
use crate::create::write_state;
use crate::errors::DeepNodeError;
use crate::events::BatchPaid;
use crate::instructions::revenue::route::{credit_payment, load_model_epoch};
use crate::layouts::PAY_BATCH;
use crate::state::{Config, Domain, EpochShard, Model, VaultShard};
use crate::token_util::{token_balance, VaultCpi};

/// One line of a batch; its model and model-epoch record are the line's pair of
/// remaining accounts.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct BatchLine {
    /// Amount to transfer for this line.
    pub amount: u64,
    /// Usage units to record.
    pub usage_units: u64,
}

/// Accounts of [`pay_batch`](crate::deepnode::pay_batch).
#[event_cpi]
#[derive(Accounts)]
#[instruction(shard: u8)]
pub struct PayBatch<'info> {
    /// The domain's payment processor (its fee authority); pays new records' rent.
    #[account(mut)]
    pub processor: Signer<'info>,
    /// The processor's revenue-mint account.
    #[account(mut,
        token::mint = revenue_mint,
        token::token_program = token_program)]
    pub processor_token: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The config (pause switch).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    #[account(constraint = domain.fee_authority == processor.key() @ DeepNodeError::NotFeeAuthority)]
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
    /// CHECK: the shard's token account (the address its ledger stores); the token
    /// program checks it in the transfer.
    #[account(mut, address = vault_shard.vault @ DeepNodeError::VaultMismatch)]
    pub vault: UncheckedAccount<'info>,
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
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Loads a model from a remaining account: owned by this program, of type `Model`, of
/// this domain, active, and writable.
fn load_model<'info>(
    info: &'info AccountInfo<'info>,
    domain: &Pubkey,
) -> Result<Account<'info, Model>> {
    require_keys_eq!(
        *info.owner,
        crate::ID,
        DeepNodeError::AccountNotOwnedByProgram
    );
    require!(info.is_writable, DeepNodeError::AccountNotWritable);
    let model = Account::<Model>::try_from(info)?;
    require_keys_eq!(model.domain, *domain, DeepNodeError::ModelWrongDomain);
    require!(model.active, DeepNodeError::ModelInactive);
    Ok(model)
}

/// Handler of [`pay_batch`](crate::deepnode::pay_batch).
pub fn handler<'info>(
    mut ctx: Context<'info, PayBatch<'info>>,
    shard: u8,
    lines: Vec<BatchLine>,
) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(!a.config.paused, DeepNodeError::ProtocolPaused);
    require!(a.domain.is_ready(), DeepNodeError::DomainNotReady);
    require!(!lines.is_empty(), DeepNodeError::BatchEmpty);
    require!(
        lines.len() <= PAY_BATCH.max_items,
        DeepNodeError::BatchTooLarge
    );
    let pairs = PAY_BATCH.accounts_for(lines.len()).or_overflow()?;
    require!(
        ctx.remaining_accounts.len() == pairs,
        DeepNodeError::BatchAccountsMismatch
    );

    let domain_key = a.domain.key();
    let epoch_index = a.domain.current_epoch;
    let fee_bps = a.domain.settings.fee_bps;
    let burned = a.domain.revenue_is_dn;
    let cpi = VaultCpi {
        domain: domain_key,
        authority_bump: a.domain.vault_authority_bump,
        vault: &a.vault.to_account_info(),
        authority: &a.vault_authority.to_account_info(),
        mint: &a.revenue_mint.to_account_info(),
        decimals: a.domain.revenue_decimals,
        token_program: &a.token_program.to_account_info(),
    };
    let payer = a.processor.to_account_info();
    let system = a.system_program.to_account_info();
    let source = a.processor_token.to_account_info();

    let mut routed = Vec::with_capacity(lines.len());
    let mut total_received: u64 = 0;
    let mut to_burn: u64 = 0;
    for (line, accounts) in lines
        .iter()
        .zip(ctx.remaining_accounts.chunks_exact(PAY_BATCH.accounts()))
    {
        require!(line.amount >= MIN_PAYMENT, DeepNodeError::PaymentTooSmall);
        let mut model = load_model(&accounts[0], &domain_key)?;
        let model_key = model.key();
        let mut record = load_model_epoch(
            &accounts[1],
            &model_key,
            &domain_key,
            epoch_index,
            &payer,
            &system,
        )?;
        let received = cpi.receive(&source, &payer, line.amount)?;
        let result = credit_payment(
            received,
            line.amount,
            line.usage_units,
            fee_bps,
            burned,
            model_key,
            &mut model,
            &mut record,
            &mut a.epoch_shard,
            &mut a.vault_shard,
        )?;
        // Written back now, so a later line naming the same model reads these values.
        model.exit(&crate::ID)?;
        write_state(&accounts[1], &record)?;
        total_received = total_received.checked_add(received).or_overflow()?;
        to_burn = to_burn.checked_add(result.buyback).or_overflow()?;
        routed.push(result);
    }
    if burned {
        cpi.burn(to_burn)?;
    }
    a.vault_shard
        .invariant(token_balance(&a.vault.to_account_info())?)?;
    let event = BatchPaid {
        domain: domain_key,
        epoch: epoch_index,
        shard,
        processor: a.processor.key(),
        burned,
        total_received,
        lines: routed,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
