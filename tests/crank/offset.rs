//! §14 offset emissions on chain: part of each epoch's revenue-reward pool becomes offset
//! stock in the auction, purchases pay its DN into the offset reserve (the buyback part's
//! DN is burned), and settlement pays the roles from the reserve before minting, the
//! global cap counting only what is minted. Every value is written out from §12 and §14:
//!
//! An epoch here: one payment of 10,000,000 (owner 20%, fee 10%, buyback 1%) leaves a
//! pool `P` of 6,900,000; at `offset_bps` 5,000 the offset stock is 3,450,000 and the
//! roles split the other 3,450,000. With work, the budget is 2 × 10,000,000 = 20,000,000;
//! the tip 1,000; the stakers' pool `floor(19,999,000 × 20%) = 3,999,800` is capped at
//! 1% of the 3,000,000 active stake, 30,000, so 3,969,800 is withheld and the roles are
//! paid 16,030,200 (the tip included).
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::EpochSettled;
use deepnode::state::{Auction, Bounds, Config, DomainSettings, EmissionPeriod};
use deepnode_sdk::{ix, pda};
use deepnode_tests::code;
use deepnode_tests::fixtures::default_bounds;
use deepnode_tests::tokens::TOKEN;
use solana_sdk::signer::Signer;

/// One epoch's payment.
const PAYMENT: u64 = 10_000_000;
/// The roles' DN of an epoch with work (budget less withheld, the tip included).
const DUE: u64 = 16_030_200;
/// The offset stock of an epoch at 5,000 bps.
const OFFSET: u64 = 3_450_000;
/// The buyback share of an epoch's payment.
const BUYBACK: u64 = 100_000;

/// A token-paid domain offsetting half of its pool, three validators of 1,000,000, one
/// miner, its auction configured, and a buyer; `bounds` or the defaults.
async fn offset_market(bounds: Option<Bounds>) -> (World, Buyer) {
    let mut w = World::new(None, bounds).await;
    let s = DomainSettings {
        offset_bps: 5_000,
        ..settings(2)
    };
    w.domain(false, TOKEN, &[], s, 3, 1_000_000, 1).await;
    set_price(&mut w, 1_000_000_000).await;
    let buyer = w.buyer().await;
    (w, buyer)
}

/// Governance configures the auction so that, once its 60 seconds pass, the price is
/// exactly `price_e9` (the floor, which is also the reference).
async fn set_price(w: &mut World, price_e9: u64) {
    let gov = w.p.gov.insecure_clone();
    let payer = w.env.payer().pubkey();
    let domain = w.doms[0].d.keys.domain;
    let ix = ix::set_auction_params(payer, gov.pubkey(), domain, 60, price_e9, price_e9);
    w.ok(&[ix], &[&gov]).await;
    w.env.advance(61).await;
}

/// The open epoch's payment and verified work; cranked.
async fn epoch_with_work(w: &mut World) -> EpochSettled {
    w.pay(0, PAYMENT, 0).await;
    w.attest(0, 0, 0, 100).await;
    w.attest(0, 1, 0, 100).await;
    w.crank(0).await
}

/// Moves shard 0's buyback share into the auction.
async fn fund_auction(w: &mut World) {
    let keys = w.doms[0].d.keys;
    w.ok(&[ix::fund_auction(&keys, 0)], &[]).await;
}

/// Buys `quantity`; checks the DN it cost and returns (DN burned, DN to the reserve) by
/// the purchase's event.
async fn buy(w: &mut World, b: &Buyer, quantity: u64, cost: u64) -> (u64, u64) {
    let before = w.env.balance(b.dn).await;
    let ix = b.buy_ix(w, quantity, u64::MAX);
    let ev: deepnode::events::AuctionPurchased = w.env.ok_event(&[ix], &[&b.kp]).await;
    w.check().await;
    assert_eq!(
        before - w.env.balance(b.dn).await,
        cost,
        "DN paid for {quantity}"
    );
    (ev.dn_burned, ev.reserve_dn)
}

async fn auction(w: &mut World) -> Auction {
    let domain = w.doms[0].d.keys.domain;
    w.env.get(pda::auction(&domain)).await
}

async fn reserve(w: &mut World) -> u64 {
    let domain = w.doms[0].d.keys.domain;
    w.env.balance(pda::offset_reserve(&domain)).await
}

/// The offset stock leaves the pool for the auction; purchases of odd quantities split
/// units and DN in proportion (offset part `floor(q × offset / available)`, its DN
/// `floor(cost × part / q)`, the rest burned), exactly, down to an empty auction.
#[tokio::test]
async fn purchases_split_their_dn_between_the_burn_and_the_reserve() {
    let (mut w, b) = offset_market(None).await;
    let ev = epoch_with_work(&mut w).await;
    assert_eq!(
        (ev.rev_pool, ev.offset_stock, ev.from_reserve),
        (6_900_000, OFFSET, 0)
    );
    // The roles split 3,450,000: 50%, 20%, 15%, 5%, 9%, the foundation the rest.
    assert_eq!(
        ev.rev_pools,
        [1_725_000, 690_000, 517_500, 172_500, 310_500, 34_500]
    );
    assert_eq!(ev.minted, DUE);
    let a = auction(&mut w).await;
    assert_eq!((a.available, a.offset_available), (OFFSET, OFFSET));
    fund_auction(&mut w).await;
    let a = auction(&mut w).await;
    assert_eq!(
        (a.available, a.offset_available),
        (OFFSET + BUYBACK, OFFSET)
    );
    // At 1.5 DN a unit: (quantity, cost, offset units, DN to the reserve, DN burned).
    set_price(&mut w, 1_500_000_000).await;
    let steps: [(u64, u64, u64, u64, u64); 4] = [
        (1_000_001, 1_500_002, 971_831, 1_457_746, 42_256),
        (333_333, 500_000, 323_943, 485_914, 14_086),
        (7, 11, 6, 9, 2),
        (2_216_659, 3_324_989, 2_154_220, 3_231_330, 93_659),
    ];
    let (mut left, mut offset_left, mut reserved) = (OFFSET + BUYBACK, OFFSET, 0);
    for (q, cost, offset_units, to_reserve, burned) in steps {
        let supply = w.env.supply(w.p.dn.mint).await;
        assert_eq!(buy(&mut w, &b, q, cost).await, (burned, to_reserve));
        assert_eq!(supply - w.env.supply(w.p.dn.mint).await, burned, "burned");
        (left, offset_left, reserved) =
            (left - q, offset_left - offset_units, reserved + to_reserve);
        let a = auction(&mut w).await;
        assert_eq!((a.available, a.offset_available), (left, offset_left));
        assert_eq!(reserve(&mut w).await, reserved);
    }
    assert_eq!((left, offset_left, reserved), (0, 0, 5_174_999));
    // 5,325,002 DN paid: 5,174,999 kept in the reserve, 150,003 burned.
    let a = auction(&mut w).await;
    assert_eq!(
        (a.reserve_in, a.reserve_out, a.dn_burned),
        (5_174_999, 0, 150_003)
    );
}

/// The reserve pays the roles first: partly (the rest minted), then entirely (nothing
/// minted, the DN supply unchanged by the settlement).
#[tokio::test]
async fn the_reserve_pays_first_partly_then_entirely() {
    let (mut w, b) = offset_market(None).await;
    epoch_with_work(&mut w).await;
    fund_auction(&mut w).await;
    // Everything for sale at 1.5 DN: 5,325,000 DN, 5,175,000 of it for the offset stock.
    set_price(&mut w, 1_500_000_000).await;
    buy(&mut w, &b, OFFSET + BUYBACK, 5_325_000).await;
    assert_eq!(reserve(&mut w).await, 5_175_000);
    let config: Config = w.env.get(pda::config()).await;
    let ev = epoch_with_work(&mut w).await;
    assert_eq!(
        (ev.from_reserve, ev.minted, ev.withheld, ev.budget),
        (5_175_000, DUE - 5_175_000, 3_969_800, 20_000_000)
    );
    let after: Config = w.env.get(pda::config()).await;
    assert_eq!(after.dn_minted - config.dn_minted, DUE - 5_175_000);
    assert_eq!(reserve(&mut w).await, 0);
    // Everything for sale at 10 DN: 35,500,000 DN, of which 34,500,000 for the offset
    // stock (3,450,000 of 3,550,000 units).
    fund_auction(&mut w).await;
    set_price(&mut w, 10_000_000_000).await;
    assert_eq!(
        buy(&mut w, &b, OFFSET + BUYBACK, 35_500_000).await,
        (1_000_000, 34_500_000)
    );
    let supply = w.env.supply(w.p.dn.mint).await;
    let ev = epoch_with_work(&mut w).await;
    assert_eq!((ev.from_reserve, ev.minted), (DUE, 0));
    assert_eq!(w.env.supply(w.p.dn.mint).await, supply, "nothing minted");
    assert_eq!(reserve(&mut w).await, 34_500_000 - DUE);
    let a = auction(&mut w).await;
    assert_eq!(
        (a.reserve_in, a.reserve_out),
        (5_175_000 + 34_500_000, 5_175_000 + DUE)
    );
    // The roles are paid all the same: the keeper's tip and every pool are credited.
    assert_eq!(ev.tip, 1_000);
    assert_eq!(ev.dn_pools.iter().sum::<u64>() + ev.tip, DUE);
}

/// The global cap counts only what is minted: with a cap of 20,000,000 per period (one
/// period for the whole test), epoch A mints 16,030,200 and leaves a room of 3,969,800;
/// B's budget is that room, paid from the reserve, so C has the same room again.
#[tokio::test]
async fn the_global_cap_binds_on_what_is_minted_only() {
    let bounds = Bounds {
        global_cap_per_period: 20_000_000,
        period_secs: u32::MAX,
        ..default_bounds()
    };
    let (mut w, b) = offset_market(Some(bounds)).await;
    let a = epoch_with_work(&mut w).await;
    assert_eq!((a.minted, a.period_minted), (DUE, DUE));
    fund_auction(&mut w).await;
    set_price(&mut w, 1_500_000_000).await;
    buy(&mut w, &b, OFFSET + BUYBACK, 5_325_000).await;
    // B: budget 3,969,800 (the room); tip 1,000; the stakers' 793,760 capped at 30,000
    // (763,760 withheld): the roles are due 3,206,040, all from the reserve.
    let room = 20_000_000 - DUE;
    let ev = epoch_with_work(&mut w).await;
    assert_eq!(
        (
            ev.budget,
            ev.withheld,
            ev.from_reserve,
            ev.minted,
            ev.period_minted
        ),
        (room, 763_760, 3_206_040, 0, DUE)
    );
    // C: the same room; the reserve's 1,968,960 left pay first, 1,237,080 minted.
    let ev = epoch_with_work(&mut w).await;
    assert_eq!(
        (ev.budget, ev.from_reserve, ev.minted, ev.period_minted),
        (room, 1_968_960, 1_237_080, DUE + 1_237_080)
    );
    let period: EmissionPeriod = w.env.get(pda::period(0)).await;
    assert_eq!(period.minted, DUE + 1_237_080);
}

/// A domain paid in DN offsets nothing; an offset share above governance's bound is
/// refused; governance's bound itself is at most 100%.
#[tokio::test]
async fn offset_settings_are_refused_where_they_cannot_apply() {
    let bounds = Bounds {
        max_offset_bps: 3_000,
        ..default_bounds()
    };
    let mut w = World::new(None, Some(bounds)).await;
    w.domain(true, TOKEN, &[], settings(2), 1, 1_000_000, 1)
        .await;
    w.domain(false, TOKEN, &[], settings(2), 1, 1_000_000, 1)
        .await;
    for (k, offset, expected) in [
        (0, 1, E::OffsetOnDnDomain),
        (1, 3_001, E::OffsetOutOfBounds),
    ] {
        let owner = w.doms[k].d.owner.insecure_clone();
        let s = DomainSettings {
            offset_bps: offset,
            ..settings(2)
        };
        let ix = ix::update_domain_settings(owner.pubkey(), w.doms[k].d.keys.domain, s);
        w.fails(&[ix], &[&owner], code(expected)).await;
    }
    let gov = w.p.gov.insecure_clone();
    let too_wide = Bounds {
        max_offset_bps: 10_001,
        ..default_bounds()
    };
    w.fails(
        &[ix::update_bounds(gov.pubkey(), too_wide)],
        &[&gov],
        code(E::BoundsExceedLimits),
    )
    .await;
    // Within the bound, the token-paid domain queues it.
    let owner = w.doms[1].d.owner.insecure_clone();
    let s = DomainSettings {
        offset_bps: 3_000,
        ..settings(2)
    };
    let ix = ix::update_domain_settings(owner.pubkey(), w.doms[1].d.keys.domain, s);
    w.ok(&[ix], &[&owner]).await;
}
