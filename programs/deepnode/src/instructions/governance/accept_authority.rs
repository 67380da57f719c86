//! `accept_authority`: second step of the governance rotation, signed by the new key.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::AuthorityAccepted;
use crate::state::Config;

/// Accounts of [`accept_authority`](crate::deepnode::accept_authority).
#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    /// The proposed authority.
    pub new_authority: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
}

/// Handler of [`accept_authority`](crate::deepnode::accept_authority).
pub fn handler(ctx: Context<AcceptAuthority>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let pending = config
        .pending_authority
        .ok_or(DeepNodeError::NoPendingAuthority)?;
    require_keys_eq!(
        pending,
        ctx.accounts.new_authority.key(),
        DeepNodeError::NotPendingAuthority
    );
    let old = config.authority;
    config.authority = pending;
    config.pending_authority = None;
    config.invariant()?;
    crate::emit_event!(ctx, AuthorityAccepted { old, new: pending });
    Ok(())
}
