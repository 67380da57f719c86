//! `set_auction_params`: governance sets a domain's auction duration, price floor and
//! reference start price, within the global bounds. The running auction restarts now,
//! from the reference price before the first sale and from twice the last clearing price
//! after it.
use anchor_lang::prelude::*;
use deepnode_math::restart_price;

use crate::constants::*;
use crate::create::{create_state, write_state};
use crate::errors::DeepNodeError;
use crate::events::AuctionConfigured;
use crate::state::{Auction, Config, Domain};

/// Accounts of [`set_auction_params`](crate::deepnode::set_auction_params).
#[event_cpi]
#[derive(Accounts)]
pub struct SetAuctionParams<'info> {
    /// Pays rent the first time.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// Governance.
    pub authority: Signer<'info>,
    /// The config (bounds).
    #[account(seeds = [CONFIG_SEED], bump = config.bump,
        has_one = authority @ DeepNodeError::NotGovernance)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// CHECK: the domain auction's PDA (seeds checked); created the first time, else
    /// checked and loaded by the handler.
    #[account(mut, seeds = [AUCTION_SEED, domain.key().as_ref()], bump)]
    pub auction: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`set_auction_params`](crate::deepnode::set_auction_params).
pub fn handler(
    ctx: Context<SetAuctionParams>,
    duration_secs: u32,
    floor_price_e9: u64,
    reference_price_e9: u64,
) -> Result<()> {
    let b = &ctx.accounts.config.bounds;
    require!(
        !ctx.accounts.domain.revenue_is_dn,
        DeepNodeError::AuctionOnDnDomain
    );
    require!(
        b.min_auction_secs <= duration_secs && duration_secs <= b.max_auction_secs,
        DeepNodeError::AuctionDurationOutOfBounds
    );
    require!(
        floor_price_e9 >= b.min_auction_floor_e9,
        DeepNodeError::AuctionFloorOutOfBounds
    );
    require!(
        reference_price_e9 >= floor_price_e9,
        DeepNodeError::AuctionStartBelowFloor
    );
    let now = Clock::get()?.unix_timestamp;
    let domain_key = ctx.accounts.domain.key();
    let info = ctx.accounts.auction.to_account_info();
    let existing = if info.data_is_empty() {
        None
    } else {
        let data = info.try_borrow_data()?;
        Some(Auction::try_deserialize(&mut &data[..])?)
    };
    let mut auction = existing.clone().unwrap_or(Auction {
        version: ACCOUNT_VERSION,
        bump: ctx.bumps.auction,
        domain: domain_key,
        duration_secs: 0,
        floor_price_e9: 0,
        reference_price_e9: 0,
        start_price_e9: 0,
        start_ts: 0,
        last_clearing_e9: 0,
        available: 0,
        sold: 0,
        dn_burned: 0,
        sales: 0,
        guard_price_e9: 0,
        counted: Default::default(),
        offset_available: 0,
        reserve_in: 0,
        reserve_out: 0,
        reserved: [0; 40],
    });
    auction.duration_secs = duration_secs;
    auction.floor_price_e9 = floor_price_e9;
    auction.reference_price_e9 = reference_price_e9;
    auction.start_price_e9 = if auction.sales == 0 {
        reference_price_e9
    } else {
        restart_price(auction.last_clearing_e9).max(floor_price_e9)
    };
    auction.start_ts = now;
    auction.check_prices()?;
    if existing.is_some() {
        write_state(&info, &auction)?;
    } else {
        create_state(
            &info,
            &ctx.accounts.payer.to_account_info(),
            &ctx.accounts.system_program.to_account_info(),
            &[AUCTION_SEED, domain_key.as_ref(), &[ctx.bumps.auction]],
            Auction::INIT_SPACE,
            &auction,
        )?;
    }
    let event = AuctionConfigured {
        domain: domain_key,
        duration_secs,
        floor_price_e9,
        reference_price_e9,
        start_price_e9: auction.start_price_e9,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
