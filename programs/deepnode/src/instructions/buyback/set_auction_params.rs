//! `set_auction_params`: governance sets a domain's auction duration, price floor and
//! reference start price, within the global bounds. The running auction restarts now,
//! from the reference price before the first sale and from twice the last clearing price
//! after it.
use anchor_lang::prelude::*;
use deepnode_math::restart_price;

use crate::constants::*;
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
    /// The domain's auction (created the first time).
    #[account(init_if_needed, payer = payer, space = 8 + Auction::INIT_SPACE,
        seeds = [AUCTION_SEED, domain.key().as_ref()], bump)]
    pub auction: Box<Account<'info, Auction>>,
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
    let auction = &mut ctx.accounts.auction;
    if auction.version == 0 {
        auction.version = ACCOUNT_VERSION;
        auction.bump = ctx.bumps.auction;
        auction.domain = domain_key;
    }
    auction.duration_secs = duration_secs;
    auction.floor_price_e9 = floor_price_e9;
    auction.reference_price_e9 = reference_price_e9;
    auction.start_price_e9 = if auction.sales == 0 {
        reference_price_e9
    } else {
        restart_price(auction.last_clearing_e9).max(floor_price_e9)
    };
    auction.start_ts = now;
    let event = AuctionConfigured {
        domain: domain_key,
        duration_secs,
        floor_price_e9,
        reference_price_e9,
        start_price_e9: auction.start_price_e9,
    };
    emit_cpi!(event);
    Ok(())
}
