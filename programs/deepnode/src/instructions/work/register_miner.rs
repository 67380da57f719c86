//! `register_miner`: a miner registers in a domain (or registers again after leaving).
//! Paused: refused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::{create_state, load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::MinerRegistered;
use crate::state::{Config, Domain, Miner};

/// Accounts of [`register_miner`](crate::deepnode::register_miner).
#[event_cpi]
#[derive(Accounts)]
pub struct RegisterMiner<'info> {
    /// The miner's key; pays the account's rent.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The config (pause switch).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// CHECK: the miner's PDA (seeds checked): created here the first time, else loaded
    /// and checked by the handler (owner, type).
    #[account(mut, seeds = [MINER_SEED, domain.key().as_ref(), authority.key().as_ref()], bump)]
    pub miner: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`register_miner`](crate::deepnode::register_miner).
pub fn handler(mut ctx: Context<RegisterMiner>) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(!a.config.paused, DeepNodeError::ProtocolPaused);
    let domain_key = a.domain.key();
    let authority = a.authority.key();
    let epoch = a.domain.current_epoch;
    let info = a.miner.to_account_info();
    if info.data_is_empty() {
        let miner = Miner {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.miner,
            domain: domain_key,
            authority,
            active: true,
            registered_epoch: epoch,
            reserved: [0; 16],
        };
        miner.invariant(epoch)?;
        create_state(
            &info,
            &a.authority.to_account_info(),
            &a.system_program.to_account_info(),
            &[
                MINER_SEED,
                domain_key.as_ref(),
                authority.as_ref(),
                &[ctx.bumps.miner],
            ],
            Miner::INIT_SPACE,
            &miner,
        )?;
    } else {
        let mut miner: Miner = load_state(&info)?;
        require!(!miner.active, DeepNodeError::MinerAlreadyRegistered);
        miner.active = true;
        miner.registered_epoch = epoch;
        miner.invariant(epoch)?;
        write_state(&info, &miner)?;
    }
    a.domain.miners_active = a.domain.miners_active.checked_add(1).or_overflow()?;
    let event = MinerRegistered {
        domain: domain_key,
        authority,
        miner: info.key(),
        epoch,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
