//! Buyback and burn: set_auction_params, fund_auction, buy_back (PROTOCOL.md §8).
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::{AuctionConfigured, AuctionFunded, AuctionPurchased};
use deepnode::state::Auction;
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

const DURATION: u32 = 3_600;
const FLOOR: u64 = 100_000_000; // 0.1 DN base unit per revenue unit
const REFERENCE: u64 = 2_000_000_000; // 2 DN base units per revenue unit

async fn configure(w: &mut World) {
    let gov = w.p.gov.insecure_clone();
    let payer = w.env.payer();
    let ix = ix::set_auction_params(
        payer.pubkey(),
        gov.pubkey(),
        w.d.keys.domain,
        DURATION,
        FLOOR,
        REFERENCE,
    );
    let ev: AuctionConfigured = w.env.ok_event(&[ix], &[&gov]).await;
    assert_eq!(
        (
            ev.duration_secs,
            ev.floor_price_e9,
            ev.reference_price_e9,
            ev.start_price_e9
        ),
        (DURATION, FLOOR, REFERENCE, REFERENCE)
    );
}

struct Buyer {
    key: Keypair,
    dn: Pubkey,
    revenue: Pubkey,
}

async fn buyer(w: &mut World, dn: u64) -> Buyer {
    let key = Keypair::new();
    let holder = w.p.dn_holder.insecure_clone();
    let mint = w.p.dn.mint;
    let dn_account = w.env.create_token_account(&key.pubkey(), &mint).await;
    let from = w.p.dn_holder_account;
    w.env
        .transfer(&mint, &from, &dn_account, &holder, dn, 6)
        .await;
    let revenue = w.revenue_account(&key.pubkey()).await;
    Buyer {
        key,
        dn: dn_account,
        revenue,
    }
}

fn buy_ix(
    w: &World,
    b: &Buyer,
    quantity: u64,
    max_price: u64,
) -> solana_sdk::instruction::Instruction {
    ix::buy_back(
        &w.d.keys,
        &w.p.dn,
        b.key.pubkey(),
        b.dn,
        b.revenue,
        quantity,
        max_price,
    )
}

async fn collect(w: &mut World, shard: u8) -> AuctionFunded {
    let keys = w.d.keys;
    let ev: AuctionFunded = w.env.ok_event(&[ix::fund_auction(&keys, shard)], &[]).await;
    w.check().await;
    ev
}

async fn auction(w: &mut World) -> Auction {
    w.env.get(pda::auction(&w.d.keys.domain)).await
}

/// The run of the issue: revenue accrues over several payments, the price decays, a
/// buyer buys half, the price restarts at twice the clearing price, a second buyer buys
/// the rest; DN supply falls by exactly what was burned; vaults covered at every step.
#[tokio::test]
async fn descending_auction_sells_the_buyback_and_burns_dn() {
    let mut w = world().await;
    configure(&mut w).await;
    w.pay(0, 1_000_000).await;
    w.pay(1, 2_000_000).await;
    w.pay(0, 3_000_000).await;
    assert_eq!(w.ledger(0).await.buyback_owed, 40_000);
    assert_eq!(collect(&mut w, 0).await.amount, 40_000);
    assert_eq!(collect(&mut w, 1).await.available, 60_000);
    assert_eq!(
        w.env.balance(pda::buyback_vault(&w.d.keys.domain)).await,
        60_000
    );

    let b1 = buyer(&mut w, 1_000_000).await;
    let b2 = buyer(&mut w, 1_000_000).await;
    // At the start the price is the reference price: a bound below it is refused.
    let k1 = b1.key.insecure_clone();
    w.env
        .fails_with(
            &[buy_ix(&w, &b1, 30_000, REFERENCE - 1)],
            &[&k1],
            code(E::PriceAboveLimit),
        )
        .await;
    // Half-way through the price has decayed linearly half-way to the floor.
    w.env.advance(i64::from(DURATION) / 2).await;
    let mid = REFERENCE - (REFERENCE - FLOOR) / 2;
    let supply = w.env.supply(w.p.dn.mint).await;
    let ev: AuctionPurchased = w
        .env
        .ok_event(&[buy_ix(&w, &b1, 30_000, mid)], &[&k1])
        .await;
    assert_eq!(ev.price_e9, mid);
    assert_eq!(ev.dn_burned, 31_500); // ceil(30,000 * 1.05)
    assert_eq!(ev.next_start_price_e9, 2 * mid);
    assert_eq!(ev.remaining, 30_000);
    assert_eq!(w.env.supply(w.p.dn.mint).await, supply - 31_500);
    assert_eq!(w.env.balance(b1.revenue).await, 30_000);
    assert_eq!(w.env.balance(b1.dn).await, 1_000_000 - 31_500);
    w.check().await;

    // The auction restarted at twice the clearing price.
    let a = auction(&mut w).await;
    assert_eq!(
        (a.start_price_e9, a.last_clearing_e9, a.sales),
        (2 * mid, mid, 1)
    );
    let k2 = b2.key.insecure_clone();
    w.env
        .fails_with(
            &[buy_ix(&w, &b2, 30_000, mid)],
            &[&k2],
            code(E::PriceAboveLimit),
        )
        .await;
    // Past the duration the price rests at the floor.
    w.env.advance(i64::from(DURATION) + 10).await;
    w.env
        .fails_with(
            &[buy_ix(&w, &b2, 30_001, FLOOR)],
            &[&k2],
            code(E::QuantityAboveBalance),
        )
        .await;
    let supply = w.env.supply(w.p.dn.mint).await;
    let ev: AuctionPurchased = w
        .env
        .ok_event(&[buy_ix(&w, &b2, 30_000, FLOOR)], &[&k2])
        .await;
    assert_eq!((ev.price_e9, ev.dn_burned, ev.remaining), (FLOOR, 3_000, 0));
    assert_eq!(w.env.supply(w.p.dn.mint).await, supply - 3_000);
    w.check().await;
    let a = auction(&mut w).await;
    assert_eq!(
        (a.sold, a.dn_burned, a.available, a.start_price_e9),
        (60_000, 34_500, 0, 2 * FLOOR)
    );
    w.env
        .fails_with(
            &[buy_ix(&w, &b2, 1, u64::MAX)],
            &[&k2],
            code(E::BuybackVaultEmpty),
        )
        .await;
}

#[tokio::test]
async fn buy_back_refuses_bad_requests() {
    let mut w = world().await;
    configure(&mut w).await;
    w.pay(0, 1_000_000).await;
    collect(&mut w, 0).await;
    let b = buyer(&mut w, 1_000_000).await;
    let k = b.key.insecure_clone();
    w.env
        .fails_with(&[buy_ix(&w, &b, 0, u64::MAX)], &[&k], code(E::ZeroQuantity))
        .await;
    w.env
        .fails_with(
            &[buy_ix(&w, &b, 10_001, u64::MAX)],
            &[&k],
            code(E::QuantityAboveBalance),
        )
        .await;
    // Payee and payer accounts checked for mint and owner (A5).
    let stranger = Keypair::new();
    let stranger_rev = w.revenue_account(&stranger.pubkey()).await;
    let ix = ix::buy_back(
        &w.d.keys,
        &w.p.dn,
        k.pubkey(),
        b.dn,
        stranger_rev,
        10,
        u64::MAX,
    );
    w.env
        .fails_with(&[ix], &[&k], anchor_code::TOKEN_OWNER)
        .await;
    let other_rev = w.revenue_account(&k.pubkey()).await;
    let ix = ix::buy_back(
        &w.d.keys,
        &w.p.dn,
        k.pubkey(),
        other_rev,
        b.revenue,
        10,
        u64::MAX,
    );
    w.env
        .fails_with(&[ix], &[&k], anchor_code::TOKEN_MINT)
        .await;
    // One account in two roles is refused by Anchor's duplicate-mutable check (F3).
    let ix = ix::buy_back(
        &w.d.keys,
        &w.p.dn,
        k.pubkey(),
        b.revenue,
        b.revenue,
        10,
        u64::MAX,
    );
    w.env
        .fails_with(&[ix], &[&k], anchor_code::DUPLICATE_MUTABLE)
        .await;
    // Only the stored DN mint (A4).
    let fake = w.env.create_mint(TOKEN, 6, &k.pubkey()).await;
    let fake_acct = w
        .env
        .funded_account(&k.pubkey(), &fake, &k, 1_000_000)
        .await;
    let ix = ix::buy_back(
        &w.d.keys,
        &deepnode_sdk::ix::DnKeys {
            mint: fake,
            token_program: TOKEN,
        },
        k.pubkey(),
        fake_acct,
        b.revenue,
        10,
        u64::MAX,
    );
    w.env.fails_with(&[ix], &[&k], anchor_code::ADDRESS).await;
    // Not enough DN: the burn fails in the token program and nothing moves.
    let poor = buyer(&mut w, 1).await;
    let kp = poor.key.insecure_clone();
    w.env
        .fails_exactly(
            &[buy_ix(&w, &poor, 10_000, u64::MAX)],
            &[&kp],
            solana_sdk::transaction::TransactionError::InstructionError(
                0,
                solana_sdk::instruction::InstructionError::Custom(1),
            ),
        )
        .await;
    // Paused.
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    w.env
        .fails_with(
            &[buy_ix(&w, &b, 10, u64::MAX)],
            &[&k],
            code(E::ProtocolPaused),
        )
        .await;
    w.check().await;
}

#[tokio::test]
async fn auction_parameters_are_bounded() {
    let mut w = world().await;
    let gov = w.p.gov.insecure_clone();
    let payer = w.env.payer();
    let d = w.d.keys.domain;
    let stranger = Keypair::new();
    w.env
        .fails_with(
            &[ix::set_auction_params(
                payer.pubkey(),
                stranger.pubkey(),
                d,
                DURATION,
                FLOOR,
                REFERENCE,
            )],
            &[&stranger],
            code(E::NotGovernance),
        )
        .await;
    w.env
        .fails_with(
            &[ix::set_auction_params(
                payer.pubkey(),
                gov.pubkey(),
                d,
                59,
                FLOOR,
                REFERENCE,
            )],
            &[&gov],
            code(E::AuctionDurationOutOfBounds),
        )
        .await;
    w.env
        .fails_with(
            &[ix::set_auction_params(
                payer.pubkey(),
                gov.pubkey(),
                d,
                7 * 86_400 + 1,
                FLOOR,
                REFERENCE,
            )],
            &[&gov],
            code(E::AuctionDurationOutOfBounds),
        )
        .await;
    w.env
        .fails_with(
            &[ix::set_auction_params(
                payer.pubkey(),
                gov.pubkey(),
                d,
                DURATION,
                0,
                REFERENCE,
            )],
            &[&gov],
            code(E::AuctionFloorOutOfBounds),
        )
        .await;
    w.env
        .fails_with(
            &[ix::set_auction_params(
                payer.pubkey(),
                gov.pubkey(),
                d,
                DURATION,
                FLOOR,
                FLOOR - 1,
            )],
            &[&gov],
            code(E::AuctionStartBelowFloor),
        )
        .await;
    // Changing parameters after a sale restarts from twice the last clearing price.
    configure(&mut w).await;
    w.pay(0, 1_000_000).await;
    collect(&mut w, 0).await;
    let b = buyer(&mut w, 1_000_000).await;
    let k = b.key.insecure_clone();
    w.env.ok(&[buy_ix(&w, &b, 5_000, u64::MAX)], &[&k]).await;
    let ev: AuctionConfigured = w
        .env
        .ok_event(
            &[ix::set_auction_params(
                payer.pubkey(),
                gov.pubkey(),
                d,
                600,
                FLOOR,
                REFERENCE,
            )],
            &[&gov],
        )
        .await;
    assert_eq!(ev.start_price_e9, 2 * REFERENCE);
}

#[tokio::test]
async fn dn_domains_have_no_auction() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env
        .domain_on_mint(&p, p.dn.mint, TOKEN, Keypair::new(), 1, default_settings())
        .await;
    let payer = env.payer();
    let gov = p.gov.insecure_clone();
    let ix = ix::set_auction_params(
        payer.pubkey(),
        gov.pubkey(),
        d.keys.domain,
        DURATION,
        FLOOR,
        REFERENCE,
    );
    env.fails_with(&[ix], &[&gov], code(E::AuctionOnDnDomain))
        .await;
}

#[tokio::test]
async fn collect_needs_a_configured_auction_and_something_to_collect() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    let keys = w.d.keys;
    w.env
        .fails_with(
            &[ix::fund_auction(&keys, 0)],
            &[],
            anchor_code::NOT_INITIALIZED,
        )
        .await;
    configure(&mut w).await;
    w.env
        .fails_with(&[ix::fund_auction(&keys, 1)], &[], code(E::NothingToFund))
        .await;
    collect(&mut w, 0).await;
    w.env
        .fails_with(&[ix::fund_auction(&keys, 0)], &[], code(E::NothingToFund))
        .await;
    // A shard vault that is not the named shard's (A3).
    w.pay(1, 1_000_000).await;
    let ix = replace(
        ix::fund_auction(&keys, 1),
        &pda::vault(&keys.domain, 1),
        pda::vault(&keys.domain, 0),
    );
    w.env.fails_with(&[ix], &[], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn transfer_fee_mints_make_available_only_what_arrived() {
    let mut w = world_with(
        TOKEN_2022,
        &[MintExt::TransferFee {
            bps: 100,
            max: 1_000_000,
        }],
    )
    .await;
    configure(&mut w).await;
    let line = w.pay(0, 10_000_000).await;
    assert_eq!(line.received, 9_900_000);
    let ev = collect(&mut w, 0).await;
    // 99,000 left the shard; 1% was withheld on the way.
    assert_eq!(ev.amount, 98_010);
    assert_eq!(auction(&mut w).await.available, 98_010);
}

/// Time comes from the Clock sysvar only (F4); a clock that moves backwards after a sale
/// counts as no time elapsed: the price stays at the restart price, never above it.
#[tokio::test]
async fn a_clock_moving_backwards_never_raises_the_price() {
    let mut w = world().await;
    configure(&mut w).await;
    w.pay(0, 10_000_000).await;
    collect(&mut w, 0).await;
    let b = buyer(&mut w, 10_000_000).await;
    let k = b.key.insecure_clone();
    w.env.advance(i64::from(DURATION)).await;
    // Half of the 100,000 for sale: the auction restarts at twice the floor.
    let ev: AuctionPurchased = w
        .env
        .ok_event(&[buy_ix(&w, &b, 50_000, FLOOR)], &[&k])
        .await;
    assert_eq!((ev.restarted, ev.next_start_price_e9), (true, 2 * FLOOR));
    w.env.advance(-600).await;
    let ev: AuctionPurchased = w
        .env
        .ok_event(&[buy_ix(&w, &b, 1_000, 2 * FLOOR)], &[&k])
        .await;
    assert_eq!(ev.price_e9, 2 * FLOOR);
    w.check().await;
}

/// §8 (review finding 5): a purchase of less than half of what is for sale leaves the
/// price curve as it was, so dust purchases cannot hold the price up; one of at least
/// half restarts it at twice its clearing price.
#[tokio::test]
async fn dust_purchases_do_not_restart_the_auction() {
    let mut w = world().await;
    configure(&mut w).await;
    w.pay(0, 1_000_000).await;
    assert_eq!(collect(&mut w, 0).await.available, 10_000);
    let b = buyer(&mut w, 1_000_000).await;
    let k = b.key.insecure_clone();
    w.env.advance(i64::from(DURATION) / 2).await;
    let mid = REFERENCE - (REFERENCE - FLOOR) / 2;
    let before = auction(&mut w).await;
    let ev: AuctionPurchased = w.env.ok_event(&[buy_ix(&w, &b, 1, mid)], &[&k]).await;
    assert_eq!(
        (
            ev.price_e9,
            ev.restarted,
            ev.next_start_price_e9,
            ev.remaining
        ),
        (mid, false, before.start_price_e9, 9_999)
    );
    // 4,999 of the 9,999 left is still below half.
    let ev: AuctionPurchased = w.env.ok_event(&[buy_ix(&w, &b, 4_999, mid)], &[&k]).await;
    assert_eq!(
        (ev.price_e9, ev.restarted, ev.remaining),
        (mid, false, 5_000)
    );
    let a = auction(&mut w).await;
    assert_eq!(
        (a.start_price_e9, a.start_ts, a.last_clearing_e9, a.sales),
        (before.start_price_e9, before.start_ts, mid, 2)
    );
    // The curve kept decaying: past the duration the price is the floor, and 2,500 of
    // the 5,000 left (half) restarts the auction at twice the floor.
    w.env.advance(i64::from(DURATION) / 2 + 1).await;
    let ev: AuctionPurchased = w.env.ok_event(&[buy_ix(&w, &b, 2_500, FLOOR)], &[&k]).await;
    assert_eq!(
        (
            ev.price_e9,
            ev.restarted,
            ev.next_start_price_e9,
            ev.remaining
        ),
        (FLOOR, true, 2 * FLOOR, 2_500)
    );
    w.check().await;
}
