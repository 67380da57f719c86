//! `update_domain_settings`: the domain owner queues new settings, checked against the
//! governance bounds now and applied when the next epoch opens (never to the open one).
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::DomainSettingsQueued;
use crate::state::{Config, Domain, DomainSettings};

/// Accounts of [`update_domain_settings`](crate::deepnode::update_domain_settings).
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateDomainSettings<'info> {
    /// The domain owner.
    pub owner: Signer<'info>,
    /// The config (bounds).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump,
        has_one = owner @ DeepNodeError::NotDomainOwner)]
    pub domain: Box<Account<'info, Domain>>,
}

/// Handler of [`update_domain_settings`](crate::deepnode::update_domain_settings).
pub fn handler(ctx: Context<UpdateDomainSettings>, settings: DomainSettings) -> Result<()> {
    let domain = &mut ctx.accounts.domain;
    settings.validate(
        &ctx.accounts.config.bounds,
        domain.max_minted_share_bps,
        domain.revenue_is_dn,
    )?;
    domain.pending_settings = Some(settings);
    domain.invariant()?;
    let event = DomainSettingsQueued {
        domain: domain.key(),
        current: domain.settings,
        pending: settings,
        effective_epoch: domain.current_epoch.checked_add(1).or_overflow()?,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
