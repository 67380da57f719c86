//! `mint_model`: anyone mints a model in a domain, fixing its owner share `x` for good.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::create_state;
use crate::errors::DeepNodeError;
use crate::events::ModelMinted;
use crate::state::{Config, Domain, DomainSettings, Model};

/// Accounts of [`mint_model`](crate::deepnode::mint_model).
#[event_cpi]
#[derive(Accounts)]
pub struct MintModel<'info> {
    /// The model's owner; pays rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The config (pause switch).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    /// The domain (its model counter names the model).
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// CHECK: the new model's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [MODEL_SEED, domain.key().as_ref(), domain.model_count.to_le_bytes().as_ref()], bump)]
    pub model: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// `x` must respect the ceiling and leave room for the fee and the buyback, under the
/// settings in force and under any queued settings.
fn check_share(x: u16, s: &DomainSettings) -> Result<()> {
    require!(
        x <= s.max_model_share_bps,
        DeepNodeError::OwnerShareAboveCeiling
    );
    require!(
        deepnode_math::shares_fit(x, s.fee_bps),
        DeepNodeError::OwnerShareExceedsWhole
    );
    Ok(())
}

/// Handler of [`mint_model`](crate::deepnode::mint_model).
pub fn handler(ctx: Context<MintModel>, owner_share_bps: u16) -> Result<()> {
    require!(!ctx.accounts.config.paused, DeepNodeError::ProtocolPaused);
    let domain = &mut ctx.accounts.domain;
    check_share(owner_share_bps, &domain.settings)?;
    if let Some(pending) = domain.pending_settings {
        check_share(owner_share_bps, &pending)?;
    }
    let id = domain.model_count;
    domain.model_count = id.checked_add(1).or_overflow()?;
    domain.max_minted_share_bps = domain.max_minted_share_bps.max(owner_share_bps);
    let domain_key = domain.key();
    let owner = ctx.accounts.owner.key();
    let model = Model {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.model,
        domain: domain_key,
        id,
        owner,
        pending_owner: None,
        owner_share_bps,
        active: true,
        claimable: 0,
        lifetime_revenue: 0,
        lifetime_owner_share: 0,
        lifetime_claimed: 0,
        reserved: [0; 64],
    };
    domain.invariant()?;
    model.invariant()?;
    create_state(
        &ctx.accounts.model.to_account_info(),
        &ctx.accounts.owner.to_account_info(),
        &ctx.accounts.system_program.to_account_info(),
        &[
            MODEL_SEED,
            domain_key.as_ref(),
            &id.to_le_bytes(),
            &[ctx.bumps.model],
        ],
        Model::INIT_SPACE,
        &model,
    )?;
    let event = ModelMinted {
        domain: domain_key,
        model: ctx.accounts.model.key(),
        id,
        owner,
        owner_share_bps,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
