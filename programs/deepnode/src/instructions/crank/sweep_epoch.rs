//! `sweep_epoch`: once an epoch's claim window has passed (the domain's open epoch index
//! is greater than `s + claim_window_epochs`, `s` the domain's last closed epoch when the
//! epoch was settled), anyone sweeps it: the DN of its pools
//! never credited (unclaimed payouts and rounding dust) is burned from the stake vault,
//! the revenue never credited rolls into the open epoch's revenue-reward pool
//! (PROTOCOL.md §5). Credited balances are untouched: they never expire. Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::constants::*;
use crate::create::{load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::EpochSwept;
use crate::state::{Config, Domain, Epoch, EpochBook, StakePool};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`sweep_epoch`](crate::deepnode::sweep_epoch).
#[event_cpi]
#[derive(Accounts)]
pub struct SweepEpoch<'info> {
    /// Anyone.
    pub caller: Signer<'info>,
    /// The config (DN mint).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The expired, settled epoch.
    #[account(constraint = epoch.domain == domain.key() @ DeepNodeError::EpochWrongDomain)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The swept epoch's book.
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == epoch.index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
    /// CHECK: the open epoch's book (receives the uncredited revenue); read in the
    /// handler once the swept epoch is known to be settled (so never the same account).
    #[account(mut)]
    pub open_book: UncheckedAccount<'info>,
    /// The domain's stake pool (the vaults' ledgers).
    #[account(mut, constraint = stake_pool.domain == domain.key() @ DeepNodeError::StakePoolMismatch)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// CHECK: the DN mint (the config's), burned from.
    #[account(mut, address = config.dn_mint)]
    pub dn_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's DN stake vault: the address the pool stores.
    #[account(mut, address = stake_pool.stake_vault @ DeepNodeError::VaultMismatch)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores).
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the DN mint.
    #[account(address = config.dn_token_program)]
    pub dn_token_program: Interface<'info, TokenInterface>,
}

/// Handler of [`sweep_epoch`](crate::deepnode::sweep_epoch).
pub fn handler(mut ctx: Context<SweepEpoch>) -> Result<()> {
    let a = &mut ctx.accounts;
    a.epoch.require_settled()?;
    a.book.require_not_swept()?;
    require!(
        !a.epoch.window_open(&a.book, a.domain.current_epoch)?,
        DeepNodeError::ClaimWindowOpen
    );
    let mut open_book: EpochBook = load_state(&a.open_book)?;
    require!(
        open_book.domain == a.domain.key() && open_book.epoch == a.domain.current_epoch,
        DeepNodeError::NextEpochMismatch
    );
    let dn = a.book.settlement.dn_uncredited()?;
    let rev = a.book.settlement.rev_uncredited()?;
    if dn > 0 {
        VaultCpi {
            domain: a.domain.key(),
            authority_bump: a.domain.vault_authority_bump,
            vault: &a.stake_vault,
            authority: &a.vault_authority,
            mint: &a.dn_mint,
            decimals: a.config.dn_decimals,
            token_program: &a.dn_token_program,
        }
        .burn(dn)?;
    }
    let pool = &mut a.stake_pool;
    pool.dn_roles_owed = pool
        .dn_roles_owed
        .checked_sub(dn)
        .ok_or(DeepNodeError::VaultUndercovered)?;
    // A lifetime statistic: it wraps (§10).
    pool.dn_burned = pool.dn_burned.wrapping_add(dn);
    // The revenue stays in the reward vault, now owed to the open epoch's pool.
    open_book.rolled_in = open_book.rolled_in.checked_add(rev).or_overflow()?;
    open_book.invariant()?;
    write_state(&a.open_book, &open_book)?;
    a.book.settlement.swept = true;
    a.book.invariant()?;
    a.stake_pool
        .check_stake_vault(token_balance(&a.stake_vault)?)?;
    let event = EpochSwept {
        domain: a.domain.key(),
        epoch: a.epoch.index,
        caller: a.caller.key(),
        dn_burned: dn,
        rev_rolled: rev,
        into_epoch: open_book.epoch,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
