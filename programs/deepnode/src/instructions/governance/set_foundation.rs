//! `set_foundation`: governance replaces the foundation's DN account (the recipient of
//! the fixed 1% of every emission) at once, with an event. The new account must hold
//! DN (mint and token program checked).
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::FoundationChanged;
use crate::state::Config;

/// Accounts of [`set_foundation`](crate::deepnode::set_foundation).
#[event_cpi]
#[derive(Accounts)]
pub struct SetFoundation<'info> {
    /// Governance.
    pub authority: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ DeepNodeError::NotGovernance)]
    pub config: Box<Account<'info, Config>>,
    /// The foundation's new DN account (A5: a DN account of the DN token program).
    #[account(token::mint = config.dn_mint, token::token_program = config.dn_token_program)]
    pub foundation: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Handler of [`set_foundation`](crate::deepnode::set_foundation).
pub fn handler(mut ctx: Context<SetFoundation>) -> Result<()> {
    let a = &mut ctx.accounts;
    let new = a.foundation.key();
    let old = a.config.foundation;
    require_keys_neq!(old, new, DeepNodeError::FoundationUnchanged);
    a.config.foundation = new;
    a.config.invariant()?;
    let event = FoundationChanged {
        authority: a.authority.key(),
        old,
        new,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
