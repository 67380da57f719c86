//! `deactivate_model`: the owner stops a model from accepting payments; what it has
//! earned stays claimable.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::ModelDeactivated;
use crate::state::Model;

/// Accounts of [`deactivate_model`](crate::deepnode::deactivate_model).
#[event_cpi]
#[derive(Accounts)]
pub struct DeactivateModel<'info> {
    /// The owner.
    pub owner: Signer<'info>,
    /// The model.
    #[account(mut, seeds = [MODEL_SEED, model.domain.as_ref(), model.id.to_le_bytes().as_ref()],
        bump = model.bump, has_one = owner @ DeepNodeError::NotModelOwner)]
    pub model: Box<Account<'info, Model>>,
}

/// Handler of [`deactivate_model`](crate::deepnode::deactivate_model).
pub fn handler(ctx: Context<DeactivateModel>) -> Result<()> {
    let model = &mut ctx.accounts.model;
    require!(model.active, DeepNodeError::ModelInactive);
    model.active = false;
    model.invariant()?;
    let event = ModelDeactivated {
        model: model.key(),
        owner: model.owner,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
