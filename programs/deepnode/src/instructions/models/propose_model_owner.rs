//! `propose_model_owner`: first step of a model ownership transfer (`None` cancels).
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::ModelOwnerProposed;
use crate::state::Model;

/// Accounts of [`propose_model_owner`](crate::deepnode::propose_model_owner).
#[event_cpi]
#[derive(Accounts)]
pub struct ProposeModelOwner<'info> {
    /// Current owner.
    pub owner: Signer<'info>,
    /// The model.
    #[account(mut, seeds = [MODEL_SEED, model.domain.as_ref(), model.id.to_le_bytes().as_ref()],
        bump = model.bump, has_one = owner @ DeepNodeError::NotModelOwner)]
    pub model: Box<Account<'info, Model>>,
}

/// Handler of [`propose_model_owner`](crate::deepnode::propose_model_owner).
pub fn handler(ctx: Context<ProposeModelOwner>, new_owner: Option<Pubkey>) -> Result<()> {
    let model = &mut ctx.accounts.model;
    model.pending_owner = new_owner;
    model.invariant()?;
    let event = ModelOwnerProposed {
        model: model.key(),
        owner: model.owner,
        pending: new_owner,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
