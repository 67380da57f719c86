//! `buy_back`: anyone buys all or part of the buyback vault at the current auction price,
//! paying DN. No oracle: the price only falls until someone finds it worth paying, and a
//! sale of at least half of what the vault held restarts the auction at twice the
//! clearing price. The vault holds buyback stock and offset stock (§14); a purchase takes
//! both in proportion (`deepnode_math::split_purchase`): the DN paid for the buyback part
//! is burned, the DN paid for the offset part goes to the domain's offset reserve. Every
//! purchase is tallied on the open epoch's book (DN paid, units bought): §13's guard
//! price is volume-weighted over an epoch's purchases of both stocks, and fixed once the
//! epoch closes.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    self, Burn, Mint, TokenAccount, TokenInterface, TransferChecked,
};
use deepnode_math::{auction_cost, auction_price, restart_price, restarts_auction, split_purchase};

use crate::constants::*;
use crate::errors::{math, DeepNodeError};
use crate::events::AuctionPurchased;
use crate::state::{Auction, Config, Domain, EpochBook};
use crate::token_util::{token_balance, VaultCpi};

/// Accounts of [`buy_back`](crate::deepnode::buy_back).
#[event_cpi]
#[derive(Accounts)]
pub struct BuyBack<'info> {
    /// The buyer; signs the DN burn.
    pub buyer: Signer<'info>,
    /// The config (pause switch, DN mint).
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The domain.
    #[account(seeds = [DOMAIN_SEED, domain.id.to_le_bytes().as_ref()], bump = domain.bump)]
    pub domain: Box<Account<'info, Domain>>,
    /// The domain's auction.
    #[account(mut, seeds = [AUCTION_SEED, domain.key().as_ref()], bump = auction.bump)]
    pub auction: Box<Account<'info, Auction>>,
    /// The open epoch's book (its purchases' tally).
    #[account(mut, constraint = book.domain == domain.key() && book.epoch == domain.current_epoch
        @ DeepNodeError::EpochBookMismatch)]
    pub book: Box<Account<'info, EpochBook>>,
    /// The domain's buyback vault.
    #[account(mut, seeds = [BUYBACK_VAULT_SEED, domain.key().as_ref()], bump = domain.buyback_vault_bump)]
    pub buyback_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: the domain's offset reserve (the address the domain stores), a DN token
    /// account the token program checks when it receives the offset part's DN.
    #[account(mut, address = domain.offset_reserve @ DeepNodeError::OffsetReserveMismatch)]
    pub offset_reserve: UncheckedAccount<'info>,
    /// The buyer's DN account, burned from.
    #[account(mut,
        token::mint = dn_mint,
        token::authority = buyer,
        token::token_program = dn_token_program)]
    pub buyer_dn: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The buyer's revenue-mint account, paid to (A5: mint and owner checked).
    #[account(mut,
        token::mint = revenue_mint,
        token::authority = buyer,
        token::token_program = revenue_token_program)]
    pub buyer_revenue: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The DN mint (its supply falls by the burn).
    #[account(mut, address = config.dn_mint)]
    pub dn_mint: Box<InterfaceAccount<'info, Mint>>,
    /// The domain's revenue mint.
    #[account(address = domain.revenue_mint)]
    pub revenue_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the domain's vault authority; address checked by the seeds and stored bump.
    #[account(seeds = [VAULT_AUTHORITY_SEED, domain.key().as_ref()], bump = domain.vault_authority_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    /// Token program of the DN mint.
    #[account(address = config.dn_token_program)]
    pub dn_token_program: Interface<'info, TokenInterface>,
    /// Token program of the revenue mint.
    #[account(address = domain.revenue_token_program)]
    pub revenue_token_program: Interface<'info, TokenInterface>,
}

/// Handler of [`buy_back`](crate::deepnode::buy_back).
pub fn handler(mut ctx: Context<BuyBack>, quantity: u64, max_price_e9: u64) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(!a.config.paused, DeepNodeError::ProtocolPaused);
    require!(quantity > 0, DeepNodeError::ZeroQuantity);
    require!(a.auction.available > 0, DeepNodeError::BuybackVaultEmpty);
    require!(
        quantity <= a.auction.available,
        DeepNodeError::QuantityAboveBalance
    );
    let now = Clock::get()?.unix_timestamp;
    // The clock may drift backwards a little (F4): treat that as no time elapsed.
    let elapsed = u64::try_from(now.saturating_sub(a.auction.start_ts)).unwrap_or(0);
    let price = math(auction_price(
        a.auction.start_price_e9,
        a.auction.floor_price_e9,
        elapsed,
        u64::from(a.auction.duration_secs),
    ))?;
    require!(price <= max_price_e9, DeepNodeError::PriceAboveLimit);
    let cost = math(auction_cost(quantity, price))?;
    let split = math(split_purchase(
        quantity,
        a.auction.available,
        a.auction.offset_available,
        cost,
    ))?;

    if split.burned_dn > 0 {
        token_interface::burn(
            CpiContext::new(
                a.dn_token_program.key(),
                Burn {
                    mint: a.dn_mint.to_account_info(),
                    from: a.buyer_dn.to_account_info(),
                    authority: a.buyer.to_account_info(),
                },
            ),
            split.burned_dn,
        )?;
    }
    // §14: the offset part's DN into the reserve, counted as it arrived.
    let mut reserved = 0;
    if split.reserve_dn > 0 {
        let reserve = a.offset_reserve.to_account_info();
        let before = token_balance(&reserve)?;
        token_interface::transfer_checked(
            CpiContext::new(
                a.dn_token_program.key(),
                TransferChecked {
                    from: a.buyer_dn.to_account_info(),
                    mint: a.dn_mint.to_account_info(),
                    to: reserve.clone(),
                    authority: a.buyer.to_account_info(),
                },
            ),
            split.reserve_dn,
            a.dn_mint.decimals,
        )?;
        reserved = token_balance(&reserve)?.checked_sub(before).or_overflow()?;
    }
    let cpi = VaultCpi {
        domain: a.domain.key(),
        authority_bump: a.domain.vault_authority_bump,
        vault: &a.buyback_vault.to_account_info(),
        authority: &a.vault_authority.to_account_info(),
        mint: &a.revenue_mint.to_account_info(),
        decimals: a.domain.revenue_decimals,
        token_program: &a.revenue_token_program.to_account_info(),
    };
    cpi.send(&a.buyer_revenue.to_account_info(), quantity)?;

    let auction = &mut a.auction;
    // §8: only a purchase of at least half of what the vault held restarts the auction
    // (at twice its clearing price); a smaller one leaves the price curve as it was, so
    // dust purchases cannot hold the price up.
    let restarts = math(restarts_auction(quantity, auction.available))?;
    auction.available = auction.available.checked_sub(quantity).or_overflow()?;
    auction.offset_available = auction
        .offset_available
        .checked_sub(split.offset_quantity)
        .or_overflow()?;
    // The reserve's ledger is exact (settlement pays out of it); DN supply bounds it.
    auction.reserve_in = auction.reserve_in.checked_add(reserved).or_overflow()?;
    // Lifetime statistics saturate: they never make a purchase fail (§10).
    auction.sold = auction.sold.saturating_add(quantity);
    auction.dn_burned = auction.dn_burned.saturating_add(split.burned_dn);
    auction.sales = auction.sales.saturating_add(1);
    auction.last_clearing_e9 = price;
    // §13: the open epoch's tally (u128: no number of purchases can overflow it).
    let book = &mut a.book;
    book.bought_dn = book.bought_dn.checked_add(u128::from(cost)).or_overflow()?;
    book.bought_quantity = book
        .bought_quantity
        .checked_add(u128::from(quantity))
        .or_overflow()?;
    if restarts {
        auction.start_price_e9 = restart_price(price).max(auction.floor_price_e9);
        auction.start_ts = now;
    }
    auction.invariant(token_balance(&a.buyback_vault.to_account_info())?)?;
    a.book.invariant()?;
    let event = AuctionPurchased {
        domain: a.domain.key(),
        buyer: a.buyer.key(),
        price_e9: price,
        quantity,
        dn_burned: split.burned_dn,
        offset_quantity: split.offset_quantity,
        reserve_dn: reserved,
        offset_remaining: auction.offset_available,
        reserve: auction.reserve()?,
        restarted: restarts,
        next_start_price_e9: auction.start_price_e9,
        remaining: auction.available,
        epoch: a.book.epoch,
        epoch_bought_dn: a.book.bought_dn,
        epoch_bought_quantity: a.book.bought_quantity,
    };
    crate::emit_event!(ctx, event);
    Ok(())
}
