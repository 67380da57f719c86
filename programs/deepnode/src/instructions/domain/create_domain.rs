//! `create_domain`: the domain owner proposes, governance co-signs; opens epoch 0.
//! Vault shards are created next by `init_shard` (one per shard, so that the largest
//! shard count still fits in transactions).
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::*;
use crate::create::{create_state, create_token_vault};
use crate::errors::DeepNodeError;
use crate::events::DomainCreated;
use crate::state::{Config, Domain, DomainSettings, Epoch, EpochBook, EpochOpening};
use crate::token_util::check_mint_extensions;

/// Arguments of [`create_domain`](crate::deepnode::create_domain).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateDomainArgs {
    /// Payment processor and fee authority.
    pub fee_authority: Pubkey,
    /// Number of vault shards (1..=bounds.max_shards), fixed for the domain's life.
    pub shard_count: u8,
    /// Settings of epoch 0.
    pub settings: DomainSettings,
}

/// Accounts of [`create_domain`](crate::deepnode::create_domain).
#[event_cpi]
#[derive(Accounts)]
pub struct CreateDomain<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The domain owner.
    pub owner: Signer<'info>,
    /// Governance, co-signing the domain.
    pub authority: Signer<'info>,
    /// The config (its domain counter names the new domain).
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ DeepNodeError::NotGovernance)]
    pub config: Account<'info, Config>,
    /// CHECK: the new domain's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [DOMAIN_SEED, config.domain_count.to_le_bytes().as_ref()], bump)]
    pub domain: UncheckedAccount<'info>,
    /// CHECK: epoch 0's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [EPOCH_SEED, domain.key().as_ref(), 0u64.to_le_bytes().as_ref()], bump)]
    pub epoch: UncheckedAccount<'info>,
    /// CHECK: epoch 0's book PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [EPOCH_BOOK_SEED, domain.key().as_ref(), 0u64.to_le_bytes().as_ref()], bump)]
    pub epoch_book: UncheckedAccount<'info>,
    /// The revenue mint, owned by `token_program`.
    #[account(mint::token_program = token_program)]
    pub revenue_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: data-less PDA owning the domain's vaults; address checked by the seeds.
    #[account(seeds = [VAULT_AUTHORITY_SEED, domain.key().as_ref()], bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// CHECK: the buyback vault's PDA (seeds checked), created by the handler as a token
    /// account of the revenue mint owned by the vault authority.
    #[account(mut, seeds = [BUYBACK_VAULT_SEED, domain.key().as_ref()], bump)]
    pub buyback_vault: UncheckedAccount<'info>,
    /// Token program of the revenue mint.
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`create_domain`](crate::deepnode::create_domain).
pub fn handler(ctx: Context<CreateDomain>, args: CreateDomainArgs) -> Result<()> {
    let config = &mut ctx.accounts.config;
    require!(!config.paused, DeepNodeError::ProtocolPaused);
    require!(
        args.shard_count >= 1 && args.shard_count <= config.bounds.max_shards,
        DeepNodeError::ShardCountOutOfBounds
    );
    let revenue_is_dn = ctx.accounts.revenue_mint.key() == config.dn_mint;
    args.settings.validate(&config.bounds, 0, revenue_is_dn)?;
    check_mint_extensions(&ctx.accounts.revenue_mint.to_account_info())?;

    let id = config.domain_count;
    config.domain_count = id.checked_add(1).or_overflow()?;
    config.invariant()?;
    let dn_mint = config.dn_mint;

    let now = Clock::get()?.unix_timestamp;
    let end_ts = now
        .checked_add(i64::from(args.settings.epoch_secs))
        .or_overflow()?;
    let a = &ctx.accounts;
    let domain_key = a.domain.key();
    let mint = &a.revenue_mint;
    let domain = Domain {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.domain,
        vault_authority_bump: ctx.bumps.vault_authority,
        buyback_vault_bump: ctx.bumps.buyback_vault,
        id,
        owner: a.owner.key(),
        fee_authority: args.fee_authority,
        revenue_mint: mint.key(),
        revenue_token_program: a.token_program.key(),
        revenue_decimals: mint.decimals,
        revenue_is_dn: mint.key() == dn_mint,
        shard_count: args.shard_count,
        shards_ready: 0,
        current_epoch: 0,
        model_count: 0,
        max_minted_share_bps: 0,
        settings: args.settings,
        pending_settings: None,
        stake_pool_ready: false,
        validators_active: 0,
        validator_count: 0,
        miners_active: 0,
        vault_authority: ctx.accounts.vault_authority.key(),
        offset_reserve: Pubkey::default(),
        reserved: [0; 53],
    };
    domain.invariant()?;
    let epoch = Epoch::open(EpochOpening {
        bump: ctx.bumps.epoch,
        domain: domain_key,
        index: 0,
        start_ts: now,
        end_ts,
        settings: args.settings,
        shard_count: args.shard_count,
        active_stake: 0,
        validator_stake: 0,
    });
    let payer = a.payer.to_account_info();
    let system = a.system_program.to_account_info();
    let id_le = id.to_le_bytes();
    create_state(
        &a.domain.to_account_info(),
        &payer,
        &system,
        &[DOMAIN_SEED, &id_le, &[ctx.bumps.domain]],
        Domain::INIT_SPACE,
        &domain,
    )?;
    create_state(
        &a.epoch.to_account_info(),
        &payer,
        &system,
        &[
            EPOCH_SEED,
            domain_key.as_ref(),
            &0u64.to_le_bytes(),
            &[ctx.bumps.epoch],
        ],
        Epoch::INIT_SPACE,
        &epoch,
    )?;
    create_state(
        &a.epoch_book.to_account_info(),
        &payer,
        &system,
        &[
            EPOCH_BOOK_SEED,
            domain_key.as_ref(),
            &0u64.to_le_bytes(),
            &[ctx.bumps.epoch_book],
        ],
        EpochBook::INIT_SPACE,
        &EpochBook::open(ctx.bumps.epoch_book, domain_key, 0),
    )?;
    create_token_vault(
        &a.buyback_vault.to_account_info(),
        &payer,
        &system,
        &[
            BUYBACK_VAULT_SEED,
            domain_key.as_ref(),
            &[ctx.bumps.buyback_vault],
        ],
        &a.revenue_mint.to_account_info(),
        &a.vault_authority.to_account_info(),
        &a.token_program.to_account_info(),
    )?;
    let event = DomainCreated {
        domain: domain_key,
        id,
        owner: domain.owner,
        fee_authority: args.fee_authority,
        revenue_mint: domain.revenue_mint,
        revenue_token_program: domain.revenue_token_program,
        shard_count: args.shard_count,
        settings: args.settings,
        epoch: a.epoch.key(),
        epoch_end_ts: end_ts,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
