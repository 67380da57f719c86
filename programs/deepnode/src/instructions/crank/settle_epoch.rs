//! `settle_epoch`: permissionless third step of the crank (PROTOCOL.md §5, §6, §12).
//! Once every record of a closed epoch that reached quorum is finalised, anyone settles
//! it, once, in epoch order per domain: the budget (revenue × rate, floor only with
//! verified work, ceiling, §13's value guard at the epoch's guard price, the global cap
//! of the period containing the epoch's end, the max supply), the keeper tip, the DN pools per role (roles with nobody to pay and the
//! stakers' cap withheld, not minted), one mint of what is paid into the domain's stake
//! vault, the revenue-reward pool moved from the shard vaults into the reward vault and
//! split with the same weights (unpayable roles roll into the next epoch), and the
//! stakers' accumulators. With `offset_bps` (§14), `floor(P * offset_bps / 10000)` of the
//! revenue-reward pool `P` moves from the reward vault into the auction as offset stock
//! and only the rest splits among the roles; what the roles are paid in DN comes out of
//! the domain's offset reserve first, and only the rest is minted (the global cap and the
//! max supply count what is minted). Every governance value it uses is the one the epoch recorded
//! when it closed (F8). The guard price comes from the purchases made while the epoch was
//! open (fixed when it closed) and the stock the previous epoch added (fixed when that
//! one settled, which settlement's order puts first), so no purchase made afterwards,
//! bundled with this call or not, moves it (F7). The accounts are a fixed set (the
//! shards are fixed at the domain's creation), all mandatory. Nothing is pushed to an
//! outside account: the tip is credited to the caller's balance. Never paused.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, MintTo, TokenInterface};
use deepnode_math::{
    cap_period, clearing_price, dn_pools, emission_value_cap, epoch_budget, offset_stock,
    payable_roles, purchases_count, reserve_payout, rev_pools, room, staker_cap, BudgetInput,
    PRICE_SCALE, STAKERS_ROLE,
};

use crate::constants::*;
use crate::create::{create_state, load_state, write_state};
use crate::errors::{math, DeepNodeError};
use crate::events::EpochSettled;
use crate::state::{
    Auction, Config, Domain, EmissionPeriod, Epoch, EpochBook, EpochStatus, StakePool, ValueGuard,
};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`settle_epoch`](crate::deepnode::settle_epoch).
#[event_cpi]
#[derive(Accounts)]
pub struct SettleEpoch<'info> {
    /// Anyone; pays for the period and its own reward balance if new; earns the tip.
    #[account(mut)]
    pub caller: Signer<'info>,
    /// The config (bounds, DN mint, supply).
    #[account(mut, address = CONFIG_ADDRESS @ DeepNodeError::WrongConfig)]
    pub config: Box<Account<'info, Config>>,
    /// The domain (created only at its PDA).
    pub domain: Box<Account<'info, Domain>>,
    /// The epoch to settle.
    #[account(mut, constraint = epoch.domain == domain.key() @ DeepNodeError::EpochWrongDomain)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// The epoch's book (totals, collected revenue, settlement).
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == epoch.index
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
    /// CHECK: the next epoch's book (receives the revenue of unpayable roles); read in
    /// the handler once the epoch is known to be closed (an open epoch has no next one).
    #[account(mut)]
    pub next_book: UncheckedAccount<'info>,
    /// The domain's stake pool (accumulators, vault ledgers).
    #[account(mut, constraint = stake_pool.domain == domain.key() @ DeepNodeError::StakePoolMismatch)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// CHECK: the cap period `[PERIOD_SEED, end_ts / period_secs]`: derived and created
    /// (paid by the caller) in the handler.
    #[account(mut)]
    pub period: UncheckedAccount<'info>,
    /// CHECK: the caller's reward balance `[REWARD_SEED, domain, caller]`: checked or
    /// created in the handler.
    #[account(mut)]
    pub keeper_reward: UncheckedAccount<'info>,
    /// CHECK: the DN mint (the config's).
    #[account(mut, address = config.dn_mint)]
    pub dn_mint: UncheckedAccount<'info>,
    /// CHECK: the DN mint authority PDA.
    #[account(seeds = [MINT_AUTHORITY_SEED], bump = config.mint_authority_bump)]
    pub mint_authority: UncheckedAccount<'info>,
    /// CHECK: the domain's DN stake vault (receives the mint): the address the pool stores.
    #[account(mut, address = stake_pool.stake_vault @ DeepNodeError::VaultMismatch)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: the domain's buyback auction `[AUCTION_SEED, domain]` (seeds checked), the
    /// §13 guard's price source: its guard window takes this epoch's purchases. May be
    /// empty (no auction configured: price 0, nothing to record).
    #[account(mut, seeds = [AUCTION_SEED, domain.key().as_ref()], bump)]
    pub auction: UncheckedAccount<'info>,
    /// CHECK: §14: the domain's offset reserve (the address the domain stores), a DN
    /// token account; it pays the roles before any mint.
    #[account(mut, address = domain.offset_reserve @ DeepNodeError::OffsetReserveMismatch)]
    pub offset_reserve: UncheckedAccount<'info>,
    /// CHECK: the domain's revenue reward vault (the offset stock leaves it): the address
    /// the pool stores.
    #[account(mut, address = stake_pool.reward_vault @ DeepNodeError::VaultMismatch)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: the domain's buyback vault (receives the offset stock; seeds and stored bump
    /// checked).
    #[account(mut, seeds = [BUYBACK_VAULT_SEED, domain.key().as_ref()],
        bump = domain.buyback_vault_bump)]
    pub buyback_vault: UncheckedAccount<'info>,
    /// CHECK: the domain's revenue mint (the domain's).
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: UncheckedAccount<'info>,
    /// CHECK: the domain's vault authority (the address the domain stores); signs for the
    /// reserve and the reward vault.
    #[account(address = domain.vault_authority @ DeepNodeError::VaultAuthorityMismatch)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the DN mint.
    #[account(address = config.dn_token_program)]
    pub dn_token_program: Interface<'info, TokenInterface>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub revenue_token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// §14: moves epoch `offset` of the revenue-reward pool from the reward vault into the
/// auction as offset stock (what arrived, with a transfer-fee mint); the auction must
/// exist. Returns the auction's reserve balance by its ledger (0 with no auction).
fn add_offset_stock(a: &mut SettleEpoch, offset: u64) -> Result<u64> {
    if a.auction.data_is_empty() {
        return Ok(0);
    }
    let mut auction: Auction = load_state(&a.auction)?;
    if offset > 0 {
        let buyback = a.buyback_vault.to_account_info();
        let before = token_balance(&buyback)?;
        VaultCpi {
            domain: a.domain.key(),
            authority_bump: a.domain.vault_authority_bump,
            vault: &a.reward_vault.to_account_info(),
            authority: &a.vault_authority.to_account_info(),
            mint: &a.revenue_mint.to_account_info(),
            decimals: a.domain.revenue_decimals,
            token_program: &a.revenue_token_program.to_account_info(),
        }
        .send(&buyback, offset)?;
        let arrived = token_balance(&buyback)?.checked_sub(before).or_overflow()?;
        auction.available = auction.available.checked_add(arrived).or_overflow()?;
        auction.offset_available = auction
            .offset_available
            .checked_add(arrived)
            .or_overflow()?;
        auction.invariant(token_balance(&buyback)?)?;
        write_state(&a.auction, &auction)?;
    }
    auction.reserve()
}

/// §14: pays `from_reserve` DN out of the offset reserve into the stake vault, and
/// records it on the auction's ledger (checked against the reserve's balance first).
fn pay_from_reserve(a: &mut SettleEpoch, from_reserve: u64) -> Result<()> {
    if from_reserve == 0 {
        return Ok(());
    }
    let mut auction: Auction = load_state(&a.auction)?;
    let reserve = a.offset_reserve.to_account_info();
    require!(
        token_balance(&reserve)? >= auction.reserve()?,
        DeepNodeError::VaultUndercovered
    );
    VaultCpi {
        domain: a.domain.key(),
        authority_bump: a.domain.vault_authority_bump,
        vault: &reserve,
        authority: &a.vault_authority.to_account_info(),
        mint: &a.dn_mint.to_account_info(),
        decimals: a.config.dn_decimals,
        token_program: &a.dn_token_program.to_account_info(),
    }
    .send(&a.stake_vault.to_account_info(), from_reserve)?;
    auction.reserve_out = auction
        .reserve_out
        .checked_add(from_reserve)
        .or_overflow()?;
    write_state(&a.auction, &auction)
}

/// §13: the epoch's purchases enter the guard price (when the domain has an auction and
/// is not paid in DN); returns the guard price of the epoch and what it recorded:
/// `(price, clearing price, counted)`. Inputs were fixed when the epoch closed (its
/// tally, its recorded window and reference price) and when the previous epoch settled
/// (the stock it added).
fn guard_price(a: &mut SettleEpoch) -> Result<(u64, u64, bool)> {
    if a.domain.revenue_is_dn {
        return Ok((PRICE_SCALE, 0, false));
    }
    if a.auction.data_is_empty() {
        return Ok((0, 0, false));
    }
    let b = &a.book;
    let clearing = math(clearing_price(b.bought_dn, b.bought_quantity))?;
    let counts = math(Ok(purchases_count(b.bought_quantity, b.previous_stock)))?;
    let counted = clearing.filter(|_| counts);
    let mut auction: Auction = load_state(&a.auction)?;
    let closed = a.epoch.closed_with;
    let price = auction.settle_guard(
        a.epoch.index,
        counted,
        closed.guard_price_epochs,
        closed.reference_price_e9,
    )?;
    write_state(&a.auction, &auction)?;
    Ok((price, clearing.unwrap_or(0), counted.is_some()))
}

/// §13: the cap the guard gives an epoch with a guard, at `price_e9`.
fn value_guard(a: &SettleEpoch, revenue: u64, price_e9: u64) -> Result<Option<ValueGuard>> {
    let max_value_bps = a.epoch.settings.max_emission_value_bps;
    if max_value_bps == 0 {
        return Ok(None);
    }
    let cap = math(emission_value_cap(revenue, price_e9, max_value_bps))?;
    Ok(Some(ValueGuard {
        price_e9,
        max_value_bps,
        cap,
    }))
}

/// Handler of [`settle_epoch`](crate::deepnode::settle_epoch).
pub fn handler<'info>(mut ctx: Context<'info, SettleEpoch<'info>>) -> Result<()> {
    let a = &mut ctx.accounts;
    let e = &a.epoch;
    require!(
        e.status != EpochStatus::Settled,
        DeepNodeError::EpochAlreadySettled
    );
    require!(e.status != EpochStatus::Open, DeepNodeError::EpochNotClosed);
    let b = &a.book;
    require!(
        b.finalised_records == b.quorate_records,
        DeepNodeError::RecordsNotFinalised
    );
    require!(
        e.index == a.stake_pool.next_settle_epoch,
        DeepNodeError::SettleOutOfOrder
    );
    let mut next_book: EpochBook = load_state(&a.next_book)?;
    require!(
        next_book.domain == a.domain.key() && Some(next_book.epoch) == e.index.checked_add(1),
        DeepNodeError::NextEpochMismatch
    );
    require!(
        b.shards_collected == e.shard_count,
        DeepNodeError::ShardsNotFunded
    );
    let domain_key = a.domain.key();
    let payer = a.caller.to_account_info();
    let system = a.system_program.to_account_info();
    let (revenue, received) = (b.revenue_collected, b.pool_received);

    // Who can be paid (§6: a role with nobody to pay gets no pool).
    let (e, b) = (&a.epoch, &a.book);
    let payable = payable_roles(b.total_verified, e.active_stake, b.total_agreeing, revenue);
    let bps = e.settings.split.roles();

    // The cap period containing the epoch's end (F4: times come from the Clock), with
    // the period length in force when the epoch closed (F8).
    let closed = e.closed_with;
    let period_index = math(cap_period(e.end_ts, closed.period_secs))?;
    let period_le = period_index.to_le_bytes();
    let (period_key, period_bump) =
        Pubkey::find_program_address(&[PERIOD_SEED, &period_le], &crate::ID);
    require_keys_eq!(a.period.key(), period_key, DeepNodeError::PeriodMismatch);
    let mut period = if a.period.data_is_empty() {
        EmissionPeriod {
            version: ACCOUNT_VERSION,
            bump: period_bump,
            index: period_index,
            period_secs: closed.period_secs,
            minted: 0,
            reserved: [0; 16],
        }
    } else {
        load_state::<EmissionPeriod>(&a.period)?
    };
    let supply = a
        .config
        .initial_supply
        .checked_add(a.config.dn_minted)
        .or_overflow()?;
    let (guard_price_e9, clearing_e9, clearing_counted) = guard_price(a)?;
    let (e, b) = (&a.epoch, &a.book);
    let guard = value_guard(a, revenue, guard_price_e9)?;
    let budget = math(epoch_budget(&BudgetInput {
        revenue,
        emission_rate_e9: e.settings.emission_rate_e9,
        floor: e.settings.floor,
        ceiling: e.settings.ceiling,
        has_work: b.total_verified > 0,
        cap_room: room(closed.global_cap_per_period, period.minted),
        supply_room: a.config.max_supply.map(|max| room(max, supply)),
        value_cap: guard.map(|g| g.cap),
    }))?;
    let cap = math(staker_cap(e.active_stake, e.settings.max_staker_yield_bps))?;
    let dn = math(dn_pools(budget, closed.keeper_tip_max, bps, payable, cap))?;
    let rev_pool = received.checked_add(b.rolled_in).or_overflow()?;
    // §14: the offset stock comes off the pool before the split (a domain without an
    // auction has nowhere to sell it: nothing is offset).
    let offset = if a.auction.data_is_empty() {
        0
    } else {
        math(offset_stock(rev_pool, e.settings.offset_bps))?
    };
    let to_roles = rev_pool.checked_sub(offset).or_overflow()?;
    let (rev, rolled_out) = math(rev_pools(to_roles, bps, payable))?;
    let reserve = add_offset_stock(a, offset)?;
    // §14: the reserve pays the roles first; only the rest is minted.
    let (from_reserve, minted) = reserve_payout(reserve, dn.minted);
    pay_from_reserve(a, from_reserve)?;

    // One mint of the rest of everything paid (pools and tip) into the stake vault.
    if minted > 0 {
        let bump = [a.config.mint_authority_bump];
        let seeds: &[&[u8]] = &[MINT_AUTHORITY_SEED, &bump];
        token_interface::mint_to(
            CpiContext::new_with_signer(
                a.dn_token_program.key(),
                MintTo {
                    mint: a.dn_mint.to_account_info(),
                    to: a.stake_vault.to_account_info(),
                    authority: a.mint_authority.to_account_info(),
                },
                &[seeds],
            ),
            minted,
        )?;
    }
    a.config.dn_minted = a.config.dn_minted.checked_add(minted).or_overflow()?;
    a.config.invariant()?;
    period.minted = period.minted.checked_add(minted).or_overflow()?;
    period.invariant()?;
    if a.period.data_is_empty() {
        create_state(
            &a.period,
            &payer,
            &system,
            &[PERIOD_SEED, &period_le, &[period_bump]],
            EmissionPeriod::INIT_SPACE,
            &period,
        )?;
    } else {
        write_state(&a.period, &period)?;
    }

    // Stakers: their pools enter the accumulators; what no position can accrue stays
    // with the other roles' DN for the sweep.
    let (stakers_dn, stakers_rev) = a.stake_pool.record_epoch_rewards(
        &mut a.epoch,
        dn.pools[STAKERS_ROLE],
        rev[STAKERS_ROLE],
    )?;
    let pool = &mut a.stake_pool;
    pool.dn_roles_owed = dn
        .minted
        .checked_sub(stakers_dn)
        .and_then(|v| pool.dn_roles_owed.checked_add(v))
        .or_overflow()?;
    // fund_reward_vault booked the revenue to the roles; the stakers' part moves to them,
    // the offset stock left for the auction.
    pool.rev_roles_owed = pool
        .rev_roles_owed
        .checked_sub(stakers_rev)
        .and_then(|v| v.checked_sub(offset))
        .or_overflow()?;
    next_book.rolled_in = next_book.rolled_in.checked_add(rolled_out).or_overflow()?;
    // §13: the next epoch's purchases count if they buy half of what this one added
    // (its buyback share and its offset stock).
    a.book.stock_added = a.book.stock_added.checked_add(offset).or_overflow()?;
    next_book.previous_stock = a.book.stock_added;
    write_state(&a.next_book, &next_book)?;

    let caller = a.caller.key();
    let s = &mut a.book.settlement;
    s.revenue = revenue;
    s.rev_pool = rev_pool;
    s.budget = budget;
    s.value_guard = guard;
    s.tip = dn.tip;
    s.minted = minted;
    s.offset_stock = offset;
    s.from_reserve = from_reserve;
    s.withheld = dn.withheld;
    s.rolled_out = rolled_out;
    s.dn_pools = dn.pools;
    s.rev_pools = rev;
    s.dn_credited[STAKERS_ROLE] = stakers_dn;
    s.rev_credited[STAKERS_ROLE] = stakers_rev;
    s.settled_by = caller;
    // §5: the claim window counts from the domain's last closed epoch, now.
    s.window_from = a.domain.current_epoch.checked_sub(1).or_overflow()?;
    s.clearing_e9 = clearing_e9;
    s.clearing_counted = clearing_counted;
    s.guard_price_e9 = guard_price_e9;
    a.epoch.status = EpochStatus::Settled;
    // Always checked (F3), created once per keeper and domain.
    super::credit_recipient(
        &a.keeper_reward,
        &domain_key,
        &caller,
        &payer,
        &system,
        dn.tip,
        0,
    )?;
    a.epoch.invariant()?;
    a.book.invariant()?;
    a.stake_pool.invariant(
        token_balance(&a.stake_vault)?,
        token_balance(&a.reward_vault)?,
    )?;
    let event = EpochSettled {
        domain: domain_key,
        epoch: a.epoch.index,
        settled_by: caller,
        revenue,
        rev_pool,
        rolled_in: a.book.rolled_in,
        budget,
        value_guard: guard,
        tip: dn.tip,
        minted,
        withheld: dn.withheld,
        rolled_out,
        dn_pools: dn.pools,
        rev_pools: rev,
        stakers_dn_funded: stakers_dn,
        stakers_rev_funded: stakers_rev,
        period_minted: period.minted,
        offset_stock: offset,
        from_reserve,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
