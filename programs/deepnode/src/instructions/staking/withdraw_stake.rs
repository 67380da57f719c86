//! `withdraw_stake`: once the unbonding period of an unstake ticket has passed, the
//! staker takes its principal back; and as soon as the ticket's epochs are settled,
//! during the unbonding too, the rewards the ticket's stake earned through its request
//! epoch are credited to the position (claimed with `claim_stake_rewards`; the fraction
//! of a unit they leave is carried to the position's next credit). A ticket that is paid
//! out and credited is closed and its rent returned. Neither step waits for the other:
//! the principal comes back even if no epoch was ever settled. Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{TokenAccount, TokenInterface};

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::events::StakeWithdrawn;
use crate::state::{Config, Domain, Epoch, StakePool, StakePosition, UnstakeTicket};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`withdraw_stake`](crate::deepnode::withdraw_stake).
#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawStake<'info> {
    /// The staker; gets the ticket's rent back when it closes.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The config (DN mint).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's stake pool.
    #[account(mut, constraint = stake_pool.domain == domain.key() @ DeepNodeError::StakePoolMismatch)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// The staker's position.
    #[account(mut, constraint = position.domain == domain.key() @ DeepNodeError::StakePoolMismatch,
        has_one = owner @ DeepNodeError::NotStakeOwner)]
    pub position: Box<Account<'info, StakePosition>>,
    /// The unstake ticket.
    /// (The owner's one position in the domain is the position above.)
    #[account(mut, constraint = ticket.domain == domain.key() @ DeepNodeError::TicketMismatch,
        has_one = owner @ DeepNodeError::NotStakeOwner)]
    pub ticket: Box<Account<'info, UnstakeTicket>>,
    /// The ticket's request epoch (its rewards end the ticket's earnings).
    #[account(constraint = request_epoch.domain == domain.key()
        && request_epoch.index == ticket.epoch @ DeepNodeError::TicketMismatch)]
    pub request_epoch: Box<Account<'info, Epoch>>,
    /// The epoch starting the ticket's pending part (the request epoch when it has none).
    #[account(constraint = start_epoch.domain == domain.key()
        && start_epoch.index == ticket.pending_epoch @ DeepNodeError::TicketMismatch)]
    pub start_epoch: Box<Account<'info, Epoch>>,
    /// The staker's DN account.
    #[account(mut, token::mint = dn_mint, token::authority = owner, token::token_program = dn_token_program)]
    pub owner_dn: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: the domain's DN stake vault: the address the pool stores.
    #[account(mut, address = stake_pool.stake_vault @ DeepNodeError::VaultMismatch)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: the DN mint (the config's); the token program checks it in the transfer.
    #[account(address = config.dn_mint)]
    pub dn_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores).
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the DN mint.
    #[account(address = config.dn_token_program)]
    pub dn_token_program: Interface<'info, TokenInterface>,
}

/// Handler of [`withdraw_stake`](crate::deepnode::withdraw_stake).
pub fn handler(mut ctx: Context<WithdrawStake>) -> Result<()> {
    let a = &mut ctx.accounts;
    let current = a.domain.current_epoch;
    let unbonded = current >= a.ticket.withdrawable_epoch;
    // The principal waits for the unbonding; the rewards only for their epochs'
    // settlement, so they are credited as soon as they are known (§9).
    let amount = if unbonded { a.ticket.principal } else { 0 };
    if amount > 0 {
        a.ticket.principal = 0;
        a.position.unbonding = a
            .position
            .unbonding
            .checked_sub(amount)
            .ok_or(DeepNodeError::StakeAccountingBroken)?;
        a.stake_pool.total_staked = a
            .stake_pool
            .total_staked
            .checked_sub(amount)
            .or_overflow()?;
        VaultCpi {
            domain: a.domain.key(),
            authority_bump: a.domain.vault_authority_bump,
            vault: &a.stake_vault.to_account_info(),
            authority: &a.vault_authority.to_account_info(),
            mint: &a.dn_mint.to_account_info(),
            decimals: a.config.dn_decimals,
            token_program: &a.dn_token_program.to_account_info(),
        }
        .send(&a.owner_dn.to_account_info(), amount)?;
    }
    let (mut dn, mut revenue, mut credited_now) = (0, 0, false);
    if !a.ticket.rewards_credited {
        if let Some(earned) = a.ticket.earnings(&a.request_epoch, &a.start_epoch)? {
            a.position.add_ticket_earnings(earned)?;
            a.ticket.rewards_credited = true;
            (dn, revenue, credited_now) = (earned.units.0, earned.units.1, true);
        }
    }
    // Nothing to do now: still unbonding (and rewards credited or not yet known), or
    // rewards not yet known (and the principal already withdrawn).
    require!(
        amount > 0 || credited_now,
        if unbonded {
            DeepNodeError::TicketRewardsUnsettled
        } else {
            DeepNodeError::StakeStillUnbonding
        }
    );
    a.stake_pool
        .check_stake_vault(token_balance(&a.stake_vault.to_account_info())?)?;
    a.position.invariant(current)?;
    a.ticket.invariant()?;
    let closed = a.ticket.principal == 0 && a.ticket.rewards_credited;
    let event = StakeWithdrawn {
        domain: a.domain.key(),
        owner: a.owner.key(),
        ticket: a.ticket.key(),
        amount,
        dn_credited: dn,
        revenue_credited: revenue,
        ticket_closed: closed,
        pool_total_staked: a.stake_pool.total_staked,
    };
    if closed {
        a.ticket.close(a.owner.to_account_info())?;
    }
    crate::emit_event!(ctx, event);
    Ok(())
}
