//! `set_paused`: governance pauses or unpauses payments, attestations, staking and new
//! domains and models. Claims, withdrawals and the crank are never paused.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::PauseChanged;
use crate::state::Config;

/// Accounts of [`set_paused`](crate::deepnode::set_paused).
#[event_cpi]
#[derive(Accounts)]
pub struct SetPaused<'info> {
    /// Governance.
    pub authority: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ DeepNodeError::NotGovernance)]
    pub config: Account<'info, Config>,
}

/// Handler of [`set_paused`](crate::deepnode::set_paused).
pub fn handler(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
    let config = &mut ctx.accounts.config;
    require!(config.paused != paused, DeepNodeError::PauseUnchanged);
    config.paused = paused;
    config.invariant()?;
    let event = PauseChanged {
        authority: config.authority,
        paused,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
