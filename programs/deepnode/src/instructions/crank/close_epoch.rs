//! `close_epoch`: permissionless first step of the crank (PROTOCOL.md §5). Once the open
//! epoch's end time plus its grace window (`close_grace_secs`, for late attestations and
//! reveals) has passed (Clock sysvar only, F4), anyone closes it and opens the next
//! epoch, so a domain never has a gap. The closed epoch records what its settlement will
//! take from governance and the auction (tip ceiling, cap, period, guard window,
//! reference price), so that no later change alters it (F8). The new epoch takes the queued settings (re-checked against today's bounds;
//! dropped with an event if they no longer fit), the stake changes of the closed epoch
//! (new stake activates, requested stake deactivates), and its shard revenue counters:
//! one remaining account per shard, in shard order, created here and paid by the
//! caller. The new epoch records its validator stake `W_e` from the pool's running
//! total. A domain that is not ready (shards or stake pool missing) cannot close.
//! Never paused: the crank always finishes.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;

use crate::constants::*;
use crate::create::{create_state, load_state};
use crate::errors::DeepNodeError;
use crate::events::EpochClosed;
use crate::layouts::CLOSE_EPOCH;
use crate::state::{
    Auction, ClosedWith, Config, Domain, Epoch, EpochBook, EpochOpening, EpochShard, EpochStatus,
    StakePool,
};

/// Accounts of [`close_epoch`](crate::deepnode::close_epoch).
#[event_cpi]
#[derive(Accounts)]
pub struct CloseEpoch<'info> {
    /// Anyone; pays the new epoch's rent.
    #[account(mut)]
    pub caller: Signer<'info>,
    /// The config (bounds for the queued settings).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(mut, seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The open epoch, to close.
    #[account(mut, seeds = [EPOCH_SEED, domain.key().as_ref(), domain.current_epoch.to_le_bytes().as_ref()],
        bump = epoch.bump)]
    pub epoch: Box<Account<'info, Epoch>>,
    /// CHECK: the next epoch's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [EPOCH_SEED, domain.key().as_ref(),
        domain.current_epoch.checked_add(1).or_overflow()?.to_le_bytes().as_ref()], bump)]
    pub next_epoch: UncheckedAccount<'info>,
    /// CHECK: the next epoch's book PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [EPOCH_BOOK_SEED, domain.key().as_ref(),
        domain.current_epoch.checked_add(1).or_overflow()?.to_le_bytes().as_ref()], bump)]
    pub next_book: UncheckedAccount<'info>,
    /// The domain's stake pool (its boundary changes apply now).
    #[account(mut, seeds = [STAKE_POOL_SEED, domain.key().as_ref()], bump = stake_pool.bump)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    /// CHECK: the domain's buyback auction `[AUCTION_SEED, domain]` (seeds checked), whose
    /// reference price the closed epoch records; may be empty (no auction: 0).
    #[account(seeds = [AUCTION_SEED, domain.key().as_ref()], bump)]
    pub auction: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`close_epoch`](crate::deepnode::close_epoch).
pub fn handler<'info>(mut ctx: Context<'info, CloseEpoch<'info>>) -> Result<()> {
    let a = &mut ctx.accounts;
    a.epoch.require_open()?;
    // §4: a domain closes no epoch before every shard and its stake pool exist, so an
    // epoch never has fewer shard counters than shards.
    require!(a.domain.is_ready(), DeepNodeError::DomainNotReady);
    let now = Clock::get()?.unix_timestamp;
    require!(now >= a.epoch.closes_at()?, DeepNodeError::EpochNotEnded);
    let ready = usize::from(a.domain.shards_ready);
    require!(
        CLOSE_EPOCH.accounts_for(ready) == Some(ctx.remaining_accounts.len()),
        DeepNodeError::EpochShardAccountsMismatch
    );

    a.epoch.status = EpochStatus::Closed;
    let bounds = &a.config.bounds;
    let reference_price_e9 = if a.auction.data_is_empty() {
        0
    } else {
        load_state::<Auction>(&a.auction)?.reference_price_e9
    };
    a.epoch.closed_with = ClosedWith {
        keeper_tip_max: bounds.keeper_tip_max,
        global_cap_per_period: bounds.global_cap_per_period,
        period_secs: bounds.period_secs,
        guard_price_epochs: bounds.guard_price_epochs,
        reference_price_e9,
    };
    let (mut settings_applied, mut settings_dropped) = (false, false);
    if let Some(queued) = a.domain.pending_settings.take() {
        if queued
            .validate(
                &a.config.bounds,
                a.domain.max_minted_share_bps,
                a.domain.revenue_is_dn,
            )
            .is_ok()
        {
            a.domain.settings = queued;
            settings_applied = true;
        } else {
            settings_dropped = true;
        }
    }
    let next_active = a.stake_pool.roll_boundary()?;
    // W_e of the next epoch: the stake its validators (those registered now) have in it.
    let next_validator_stake = a.stake_pool.validator_stake_next;
    let closed = a.epoch.index;
    let next = closed.checked_add(1).or_overflow()?;
    a.domain.current_epoch = next;
    a.domain.invariant()?;
    let domain_key = a.domain.key();
    let end_ts = now
        .checked_add(i64::from(a.domain.settings.epoch_secs))
        .or_overflow()?;
    let epoch = Epoch::open(EpochOpening {
        bump: ctx.bumps.next_epoch,
        domain: domain_key,
        index: next,
        start_ts: now,
        end_ts,
        settings: a.domain.settings,
        shard_count: a.domain.shard_count,
        active_stake: next_active,
        validator_stake: next_validator_stake,
    });
    a.epoch.invariant()?;
    epoch.invariant()?;
    a.stake_pool.check_totals()?;
    let payer = a.caller.to_account_info();
    let system = a.system_program.to_account_info();
    let next_le = next.to_le_bytes();
    create_state(
        &a.next_epoch.to_account_info(),
        &payer,
        &system,
        &[
            EPOCH_SEED,
            domain_key.as_ref(),
            &next_le,
            &[ctx.bumps.next_epoch],
        ],
        Epoch::INIT_SPACE,
        &epoch,
    )?;
    create_state(
        &a.next_book.to_account_info(),
        &payer,
        &system,
        &[
            EPOCH_BOOK_SEED,
            domain_key.as_ref(),
            &next_le,
            &[ctx.bumps.next_book],
        ],
        EpochBook::INIT_SPACE,
        &EpochBook::open(ctx.bumps.next_book, domain_key, next),
    )?;
    for (shard, info) in ctx.remaining_accounts.iter().enumerate() {
        let shard = u8::try_from(shard).or_overflow()?;
        let (expected, bump) = Pubkey::find_program_address(
            &[EPOCH_SHARD_SEED, domain_key.as_ref(), &next_le, &[shard]],
            &crate::ID,
        );
        require_keys_eq!(
            info.key(),
            expected,
            DeepNodeError::EpochShardAccountsMismatch
        );
        let counter = EpochShard {
            version: ACCOUNT_VERSION,
            bump,
            domain: domain_key,
            epoch: next,
            shard,
            revenue: 0,
            pool: 0,
            usage_units: 0,
            payments: 0,
            rent_payer: payer.key(),
            collected: false,
            buyback: 0,
        };
        counter.invariant()?;
        create_state(
            info,
            &payer,
            &system,
            &[
                EPOCH_SHARD_SEED,
                domain_key.as_ref(),
                &next_le,
                &[shard],
                &[bump],
            ],
            EpochShard::INIT_SPACE,
            &counter,
        )?;
    }
    let event = EpochClosed {
        domain: domain_key,
        epoch: closed,
        closed_by: payer.key(),
        work_records: a.epoch.work_records,
        next_epoch: next,
        next_end_ts: end_ts,
        next_active_stake: next_active,
        next_validator_stake,
        settings_applied,
        settings_dropped,
        closed_with: a.epoch.closed_with,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
