//! `claim_rewards`: pays credited balances out to their recipients' token accounts, everything
//! credited over any number of epochs in one line of the same size (PROTOCOL.md §5).
//! Anyone may call it for anyone: tokens only ever go to accounts the recipient owns. A
//! destination that cannot receive (frozen, closed, wrong mint or owner, memo required)
//! keeps that part of the balance credited; for a recipient claiming its own balance
//! that is an error it can act on, in a keeper's push it fails only that line (D3).
//! Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::constants::*;
use crate::create::{load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::{ClaimedLine, RewardClaimed};
use crate::layouts::CLAIM_REWARDS;
use crate::state::{Config, Domain, RewardBalance, StakePool};
use crate::token_util::{accepts_payout, token_balance, VaultCpi};

/// Accounts of [`claim_rewards`](crate::deepnode::claim_rewards). Remaining accounts, per line: the
/// reward balance (w), a DN account of the recipient (w), a revenue-mint account of the
/// recipient (w); balances in strictly increasing address order.
#[event_cpi]
#[derive(Accounts)]
pub struct ClaimRewards<'info> {
    /// The recipient claiming its own balance, or anyone pushing.
    pub caller: Signer<'info>,
    /// The config (DN mint).
    #[account(address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's stake pool (the vaults' ledgers).
    #[account(mut, constraint = stake_pool.domain == domain.key() @ DeepNodeError::StakePoolMismatch)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// CHECK: the domain's DN stake vault: the address the pool stores.
    #[account(mut, address = stake_pool.stake_vault @ DeepNodeError::VaultMismatch)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: the domain's revenue reward vault: the address the pool stores.
    #[account(mut, address = stake_pool.reward_vault @ DeepNodeError::VaultMismatch)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: the DN mint (the config's).
    #[account(address = config.dn_mint)]
    pub dn_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's revenue mint.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores).
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the DN mint.
    #[account(address = config.dn_token_program)]
    pub dn_token_program: Interface<'info, TokenInterface>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub revenue_token_program: Interface<'info, TokenInterface>,
}

/// Handler of [`claim_rewards`](crate::deepnode::claim_rewards).
pub fn handler<'info>(mut ctx: Context<'info, ClaimRewards<'info>>) -> Result<()> {
    let a = &mut ctx.accounts;
    let accounts = ctx.remaining_accounts;
    require!(!accounts.is_empty(), DeepNodeError::BatchEmpty);
    let items = CLAIM_REWARDS
        .items_in(accounts.len())
        .ok_or(DeepNodeError::ClaimAccountsMismatch)?;
    require!(
        items <= CLAIM_REWARDS.max_items,
        DeepNodeError::BatchTooLarge
    );
    let domain_key = a.domain.key();
    let caller = a.caller.key();
    let dn_cpi = VaultCpi {
        domain: domain_key,
        authority_bump: a.domain.vault_authority_bump,
        vault: &a.stake_vault,
        authority: &a.vault_authority,
        mint: &a.dn_mint,
        decimals: a.config.dn_decimals,
        token_program: &a.dn_token_program,
    };
    let rev_cpi = VaultCpi {
        vault: &a.reward_vault,
        mint: &a.revenue_mint,
        decimals: a.domain.revenue_decimals,
        token_program: &a.revenue_token_program,
        ..dn_cpi
    };
    let mut previous = None;
    let mut out = Vec::with_capacity(items);
    for chunk in accounts.chunks_exact(CLAIM_REWARDS.accounts()) {
        let (balance_info, dn_to, rev_to) = (&chunk[0], &chunk[1], &chunk[2]);
        super::require_increasing(&mut previous, balance_info.key())?;
        let mut balance: RewardBalance = load_state(balance_info)?;
        require_keys_eq!(
            balance.domain,
            domain_key,
            DeepNodeError::RewardAccountMismatch
        );
        let own = balance.recipient == caller;
        let dn_ok = balance.dn_owed > 0
            && accepts_payout(
                dn_to,
                &a.config.dn_mint,
                &balance.recipient,
                &a.config.dn_token_program,
            );
        let rev_ok = balance.rev_owed > 0
            && accepts_payout(
                rev_to,
                &a.domain.revenue_mint,
                &balance.recipient,
                &a.domain.revenue_token_program,
            );
        if own {
            require!(
                balance.dn_owed > 0 || balance.rev_owed > 0,
                DeepNodeError::NothingToClaim
            );
            require!(
                (balance.dn_owed == 0 || dn_ok) && (balance.rev_owed == 0 || rev_ok),
                DeepNodeError::DestinationRefused
            );
        }
        let dn = if dn_ok { balance.dn_owed } else { 0 };
        let rev = if rev_ok { balance.rev_owed } else { 0 };
        if dn > 0 {
            dn_cpi.send(dn_to, dn)?;
            a.stake_pool.dn_roles_owed = a
                .stake_pool
                .dn_roles_owed
                .checked_sub(dn)
                .ok_or(DeepNodeError::VaultUndercovered)?;
        }
        if rev > 0 {
            rev_cpi.send(rev_to, rev)?;
            a.stake_pool.rev_roles_owed = a
                .stake_pool
                .rev_roles_owed
                .checked_sub(rev)
                .ok_or(DeepNodeError::VaultUndercovered)?;
        }
        balance.dn_owed = balance.dn_owed.checked_sub(dn).or_overflow()?;
        balance.rev_owed = balance.rev_owed.checked_sub(rev).or_overflow()?;
        if dn > 0 || rev > 0 {
            balance.invariant()?;
            write_state(balance_info, &balance)?;
        }
        out.push(ClaimedLine {
            recipient: balance.recipient,
            dn,
            rev,
            dn_kept: balance.dn_owed,
            rev_kept: balance.rev_owed,
        });
    }
    a.stake_pool.invariant(
        token_balance(&a.stake_vault)?,
        token_balance(&a.reward_vault)?,
    )?;
    let event = RewardClaimed {
        domain: domain_key,
        caller,
        lines: out,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
