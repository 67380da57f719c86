//! `fund_reward_vault`: after an epoch closes, anyone moves each shard's share of its
//! revenue-reward pool from the shard's vault into the domain's reward vault, a batch of
//! shards at a time, and sums the epoch's revenue `R` (PROTOCOL.md §5, §12). The reward
//! vault credits what it received (transfer-fee mints). Settlement waits until every
//! shard is collected, so its own accounts stay a small fixed set whatever the shard
//! count (a 16-shard domain needs 48 shard accounts: a transaction of its own). Never
//! paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::create::{load_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::RewardVaultFunded;
use crate::layouts::FUND_REWARD_VAULT;
use crate::state::{Domain, Epoch, EpochBook, EpochShard, EpochStatus, StakePool, VaultShard};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`fund_reward_vault`](crate::deepnode::fund_reward_vault). Remaining accounts: for
/// each shard collected, in increasing shard order, its epoch counter (w), its ledger (w)
/// and its token account (w).
#[event_cpi]
#[derive(Accounts)]
pub struct FundRewardVault<'info> {
    /// Anyone.
    pub caller: Signer<'info>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The closed epoch.
    #[account(constraint = epoch.domain == domain.key() @ DeepNodeError::EpochWrongDomain)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The epoch's book (collected revenue and pool).
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == epoch.index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
    /// The domain's stake pool (the reward vault's ledger).
    #[account(mut, constraint = stake_pool.domain == domain.key() @ DeepNodeError::StakePoolMismatch)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// CHECK: the domain's revenue reward vault: the address the pool stores.
    #[account(mut, address = stake_pool.reward_vault @ DeepNodeError::VaultMismatch)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: the domain's revenue mint.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores).
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub revenue_token_program: Interface<'info, TokenInterface>,
}

/// Handler of [`fund_reward_vault`](crate::deepnode::fund_reward_vault).
pub fn handler<'info>(mut ctx: Context<'info, FundRewardVault<'info>>) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(
        matches!(a.epoch.status, EpochStatus::Closed | EpochStatus::Finalised),
        DeepNodeError::EpochNotClosed
    );
    let accounts = ctx.remaining_accounts;
    require!(!accounts.is_empty(), DeepNodeError::BatchEmpty);
    let items = FUND_REWARD_VAULT
        .items_in(accounts.len())
        .ok_or(DeepNodeError::EpochShardAccountsMismatch)?;
    let domain_key = a.domain.key();
    let cpi = VaultCpi {
        domain: domain_key,
        authority_bump: a.domain.vault_authority_bump,
        vault: &a.reward_vault,
        authority: &a.vault_authority,
        mint: &a.revenue_mint,
        decimals: a.domain.revenue_decimals,
        token_program: &a.revenue_token_program,
    };
    let mut previous: Option<u8> = None;
    let (mut revenue, mut received, mut stock) = (0u64, 0u64, 0u64);
    let mut shards = Vec::with_capacity(items.min(FUND_REWARD_VAULT.max_items));
    for chunk in accounts.chunks_exact(FUND_REWARD_VAULT.accounts()) {
        let (counter_info, ledger_info, vault_info) = (&chunk[0], &chunk[1], &chunk[2]);
        let mut counter: EpochShard = load_state(counter_info)?;
        let mut ledger: VaultShard = load_state(ledger_info)?;
        require!(
            counter.domain == domain_key
                && counter.epoch == a.epoch.index
                && ledger.domain == domain_key
                && ledger.index == counter.shard,
            DeepNodeError::ShardAccountMismatch
        );
        require!(
            previous.is_none_or(|p| counter.shard > p),
            DeepNodeError::AccountsNotIncreasing
        );
        previous = Some(counter.shard);
        require!(!counter.collected, DeepNodeError::ShardAlreadyFunded);
        require_keys_eq!(vault_info.key(), ledger.vault, DeepNodeError::VaultMismatch);
        if counter.pool > 0 {
            let before = token_balance(&a.reward_vault)?;
            VaultCpi {
                vault: vault_info,
                ..cpi
            }
            .send(&a.reward_vault, counter.pool)?;
            let got = token_balance(&a.reward_vault)?
                .checked_sub(before)
                .or_overflow()?;
            received = received.checked_add(got).or_overflow()?;
            ledger.pool_owed = ledger
                .pool_owed
                .checked_sub(counter.pool)
                .ok_or(DeepNodeError::VaultUndercovered)?;
            ledger.invariant(token_balance(vault_info)?)?;
            write_state(ledger_info, &ledger)?;
        }
        revenue = revenue.checked_add(counter.revenue).or_overflow()?;
        stock = stock.checked_add(counter.buyback).or_overflow()?;
        counter.collected = true;
        counter.invariant()?;
        write_state(counter_info, &counter)?;
        shards.push(counter.shard);
    }
    let shard_count = a.epoch.shard_count;
    let e = &mut a.book;
    e.shards_collected = e
        .shards_collected
        .checked_add(u8::try_from(shards.len()).or_overflow()?)
        .or_overflow()?;
    require!(
        e.shards_collected <= shard_count,
        DeepNodeError::EpochShardAccountsMismatch
    );
    e.revenue_collected = e.revenue_collected.checked_add(revenue).or_overflow()?;
    e.pool_received = e.pool_received.checked_add(received).or_overflow()?;
    e.stock_added = e.stock_added.checked_add(stock).or_overflow()?;
    // The reward vault now owes what it received to the epoch's roles.
    a.stake_pool.rev_roles_owed = a
        .stake_pool
        .rev_roles_owed
        .checked_add(received)
        .or_overflow()?;
    e.invariant()?;
    a.stake_pool.check_totals()?;
    a.stake_pool
        .check_reward_vault(token_balance(&a.reward_vault)?)?;
    let event = RewardVaultFunded {
        domain: domain_key,
        epoch: e.epoch,
        shards,
        revenue,
        received,
        shards_collected: e.shards_collected,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
