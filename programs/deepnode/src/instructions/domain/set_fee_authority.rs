//! `set_fee_authority`: the domain owner replaces the domain's payment processor / fee
//! authority (a lost or compromised processor key must be replaceable). Fees already
//! credited stay in the shard ledgers and are withdrawn by the new key.
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::FeeAuthorityChanged;
use crate::state::Domain;

/// Accounts of [`set_fee_authority`](crate::deepnode::set_fee_authority).
#[event_cpi]
#[derive(Accounts)]
pub struct SetFeeAuthority<'info> {
    /// The domain owner.
    pub owner: Signer<'info>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump,
        has_one = owner @ DeepNodeError::NotDomainOwner)]
    pub domain: Box<Account<'info, Domain>>,
}

/// Handler of [`set_fee_authority`](crate::deepnode::set_fee_authority).
pub fn handler(ctx: Context<SetFeeAuthority>, fee_authority: Pubkey) -> Result<()> {
    let domain = &mut ctx.accounts.domain;
    require_keys_neq!(
        domain.fee_authority,
        fee_authority,
        DeepNodeError::FeeAuthorityUnchanged
    );
    let old = domain.fee_authority;
    domain.fee_authority = fee_authority;
    domain.invariant()?;
    let event = FeeAuthorityChanged {
        domain: domain.key(),
        old,
        new: fee_authority,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
