//! `stake`: the staker moves DN into the domain's stake vault. The amount the vault
//! received becomes active when the next epoch opens (no just-in-time stake: it earns
//! nothing for the open epoch). Paused: refused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::Staked;
use crate::state::{Config, Domain, Epoch, StakePool, StakePosition};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`stake`](crate::deepnode::stake).
#[event_cpi]
#[derive(Accounts)]
pub struct Stake<'info> {
    /// The staker.
    pub owner: Signer<'info>,
    /// The config (pause switch, DN mint).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's stake pool.
    #[account(mut, seeds = [STAKE_POOL_SEED, domain.key().as_ref()], bump = stake_pool.bump)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// The staker's position.
    #[account(mut, seeds = [STAKE_POSITION_SEED, domain.key().as_ref(), position.owner.as_ref()],
        bump = position.bump, has_one = owner @ DeepNodeError::NotStakeOwner)]
    pub position: Box<Account<'info, StakePosition>>,
    /// The epoch of the position's last change (its accumulator values apply the change).
    #[account(seeds = [EPOCH_SEED, domain.key().as_ref(), position.change_epoch.to_le_bytes().as_ref()],
        bump = change_epoch.bump)]
    pub change_epoch: Box<Account<'info, Epoch>>,
    /// The staker's DN account.
    #[account(mut, token::mint = dn_mint, token::authority = owner, token::token_program = dn_token_program)]
    pub owner_dn: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The domain's DN stake vault.
    #[account(mut, seeds = [STAKE_VAULT_SEED, domain.key().as_ref()], bump = stake_pool.vault_bump)]
    pub stake_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The DN mint.
    #[account(address = config.dn_mint)]
    pub dn_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the domain's vault authority; address checked by the seeds and stored bump.
    #[account(seeds = [VAULT_AUTHORITY_SEED, domain.key().as_ref()], bump = domain.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the DN mint.
    #[account(address = config.dn_token_program)]
    pub dn_token_program: Interface<'info, TokenInterface>,
}

impl<'info> Stake<'info> {
    /// The stake vault's token side, signed by the domain's vault authority.
    pub fn vault_cpi(&self) -> VaultCpi<'_, 'info> {
        VaultCpi {
            domain: self.domain.key(),
            authority_bump: self.domain.vault_authority_bump,
            vault: AsRef::<AccountInfo<'info>>::as_ref(&*self.stake_vault),
            authority: self.vault_authority.as_ref(),
            mint: AsRef::<AccountInfo<'info>>::as_ref(&*self.dn_mint),
            decimals: self.config.dn_decimals,
            token_program: self.dn_token_program.as_ref(),
        }
    }

    /// Invariant 2 for the stake vault, the pool's totals and the position's own check.
    pub fn check(&self) -> Result<()> {
        self.stake_pool
            .check_stake_vault(token_balance(&self.stake_vault.to_account_info())?)?;
        self.position.invariant(self.domain.current_epoch)
    }
}

/// Handler of [`stake`](crate::deepnode::stake).
pub fn handler(mut ctx: Context<Stake>, amount: u64) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(!a.config.paused, DeepNodeError::ProtocolPaused);
    require!(amount > 0, DeepNodeError::AmountZero);
    let current = a.domain.current_epoch;
    a.position.sync(&a.stake_pool, &a.change_epoch)?;
    a.position.require_change_slot(current)?;
    let received = a.vault_cpi().receive(
        &a.owner_dn.to_account_info(),
        &a.owner.to_account_info(),
        amount,
    )?;
    require!(received > 0, DeepNodeError::AmountZero);
    let p = &mut a.position;
    p.pending = p.pending.checked_add(received).or_overflow()?;
    p.change_epoch = current;
    let pool = &mut a.stake_pool;
    pool.activating = pool.activating.checked_add(received).or_overflow()?;
    pool.total_staked = pool.total_staked.checked_add(received).or_overflow()?;
    // A validator's new stake counts in the validator stake from the next epoch on.
    if a.position.validator {
        pool.add_validator_stake(received)?;
    }
    a.check()?;
    let event = Staked {
        domain: a.domain.key(),
        owner: a.owner.key(),
        amount: received,
        epoch: current,
        pending: a.position.pending,
        pool_total_staked: a.stake_pool.total_staked,
        validator_stake_next: a.stake_pool.validator_stake_next,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
