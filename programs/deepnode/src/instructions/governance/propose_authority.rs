//! `propose_authority`: first step of the two-step governance rotation (`None` cancels).
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::AuthorityProposed;
use crate::state::Config;

/// Accounts of [`propose_authority`](crate::deepnode::propose_authority).
#[event_cpi]
#[derive(Accounts)]
pub struct ProposeAuthority<'info> {
    /// Current governance.
    pub authority: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ DeepNodeError::NotGovernance)]
    pub config: Account<'info, Config>,
}

/// Handler of [`propose_authority`](crate::deepnode::propose_authority).
pub fn handler(ctx: Context<ProposeAuthority>, new_authority: Option<Pubkey>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.pending_authority = new_authority;
    config.invariant()?;
    let event = AuthorityProposed {
        authority: config.authority,
        pending: new_authority,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
