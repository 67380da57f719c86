//! `update_bounds`: governance replaces the domain-parameter bounds. Existing domains keep
//! their settings; every later change is checked against the new bounds.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::BoundsUpdated;
use crate::state::{Bounds, Config};

/// Accounts of [`update_bounds`](crate::deepnode::update_bounds).
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateBounds<'info> {
    /// Governance.
    pub authority: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ DeepNodeError::NotGovernance)]
    pub config: Account<'info, Config>,
}

/// Handler of [`update_bounds`](crate::deepnode::update_bounds).
pub fn handler(ctx: Context<UpdateBounds>, bounds: Bounds) -> Result<()> {
    bounds.validate()?;
    let config = &mut ctx.accounts.config;
    let old = config.bounds;
    config.bounds = bounds;
    config.invariant()?;
    crate::emit_event!(ctx, BoundsUpdated { old, new: bounds });
    Ok(())
}
