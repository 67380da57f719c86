//! `deregister_miner`: a miner leaves a domain; validators can no longer attest its work.
//! Attestations already recorded stay. Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::MinerDeregistered;
use crate::state::{Domain, Miner};

/// Accounts of [`deregister_miner`](crate::deepnode::deregister_miner).
#[event_cpi]
#[derive(Accounts)]
pub struct DeregisterMiner<'info> {
    /// The miner's key.
    pub authority: Signer<'info>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The miner.
    #[account(mut, seeds = [MINER_SEED, domain.key().as_ref(), authority.key().as_ref()],
        bump = miner.bump)]
    pub miner: Box<Account<'info, Miner>>,
}

/// Handler of [`deregister_miner`](crate::deepnode::deregister_miner).
pub fn handler(mut ctx: Context<DeregisterMiner>) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(a.miner.active, DeepNodeError::MinerNotRegistered);
    a.miner.active = false;
    a.miner.invariant(a.domain.current_epoch)?;
    a.domain.miners_active = a.domain.miners_active.checked_sub(1).or_overflow()?;
    let event = MinerDeregistered {
        domain: a.domain.key(),
        authority: a.authority.key(),
        epoch: a.domain.current_epoch,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
