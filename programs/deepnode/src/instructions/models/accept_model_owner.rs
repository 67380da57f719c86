//! `accept_model_owner`: the proposed owner takes the model (and its unclaimed revenue).
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::ModelOwnerAccepted;
use crate::state::Model;

/// Accounts of [`accept_model_owner`](crate::deepnode::accept_model_owner).
#[event_cpi]
#[derive(Accounts)]
pub struct AcceptModelOwner<'info> {
    /// The proposed owner.
    pub new_owner: Signer<'info>,
    /// The model.
    #[account(mut, seeds = [MODEL_SEED, model.domain.as_ref(), model.id.to_le_bytes().as_ref()],
        bump = model.bump)]
    pub model: Box<Account<'info, Model>>,
}

/// Handler of [`accept_model_owner`](crate::deepnode::accept_model_owner).
pub fn handler(ctx: Context<AcceptModelOwner>) -> Result<()> {
    let model = &mut ctx.accounts.model;
    let pending = model
        .pending_owner
        .ok_or(DeepNodeError::NoPendingModelOwner)?;
    require_keys_eq!(
        pending,
        ctx.accounts.new_owner.key(),
        DeepNodeError::NotPendingModelOwner
    );
    let old = model.owner;
    model.owner = pending;
    model.pending_owner = None;
    model.invariant()?;
    let event = ModelOwnerAccepted {
        model: model.key(),
        old,
        new: pending,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
