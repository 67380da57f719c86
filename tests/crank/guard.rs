//! §13's guard price (amended) on chain: an epoch's clearing price is volume-weighted
//! over the purchases made while it was open, counts only when they bought half of the
//! stock the previous epoch added, and the guard price is the least counted price of its
//! window, fixed by what the epoch closed with. Every cap is written out from §13:
//! `floor(floor(R * price / 1e9) * bps / 10000)`.
use crate::common::*;
use deepnode::state::{Bounds, DomainSettings, ValueGuard};
use deepnode_sdk::ix;
use deepnode_tests::fixtures::default_bounds;
use deepnode_tests::tokens::TOKEN;
use solana_sdk::signer::Signer;

/// Revenue of each epoch: 10,000,000 through shard 0 and 100,000 through shard 1, whose
/// buyback shares (1%) add 100,000 + 1,000 = 101,000 to the auction.
const BIG: u64 = 10_000_000;
const SMALL: u64 = 100_000;
const REVENUE: u64 = BIG + SMALL;
const STOCK: u64 = (BIG + SMALL) / 100;
/// The guard: half of the revenue's DN value.
const GUARD_BPS: u64 = 5_000;

/// §13's cap at `price_e9` for an epoch of [`REVENUE`].
fn cap(price_e9: u64) -> u64 {
    let value = (u128::from(REVENUE) * u128::from(price_e9) / 1_000_000_000) as u64;
    (u128::from(value) * u128::from(GUARD_BPS) / 10_000) as u64
}

/// A token-paid domain guarded at 50% (guard window `window`), its auction configured
/// with `reference` as reference price, and a buyer.
async fn market(window: u16, reference: u64) -> (World, Buyer) {
    let bounds = Bounds {
        guard_price_epochs: window,
        ..default_bounds()
    };
    let mut w = World::new(None, Some(bounds)).await;
    let s = DomainSettings {
        max_emission_value_bps: GUARD_BPS as u16,
        ..settings(2)
    };
    w.domain(false, TOKEN, &[], s, 3, 1_000_000, 1).await;
    configure(&mut w, 3_600, 100_000_000, reference).await;
    let buyer = w.buyer().await;
    (w, buyer)
}

/// Governance sets domain 0's auction: duration, floor, reference price.
async fn configure(w: &mut World, duration: u32, floor: u64, reference: u64) {
    let gov = w.p.gov.insecure_clone();
    let payer = w.env.payer().pubkey();
    let domain = w.doms[0].d.keys.domain;
    let ix = ix::set_auction_params(payer, gov.pubkey(), domain, duration, floor, reference);
    w.ok(&[ix], &[&gov]).await;
}

/// The open epoch's payments and verified work (miner 0, two validators).
async fn revenue_and_work(w: &mut World) {
    w.pay(0, BIG, 0).await;
    w.pay(0, SMALL, 1).await;
    w.attest(0, 0, 0, 100).await;
    w.attest(0, 1, 0, 100).await;
}

/// Moves every shard's buyback share into the auction.
async fn collect_stock(w: &mut World) {
    let keys = w.doms[0].d.keys;
    w.ok(
        &[ix::fund_auction(&keys, 0), ix::fund_auction(&keys, 1)],
        &[],
    )
    .await;
}

/// Buys `quantity` at exactly `price_e9`: the auction's floor is set to it (reference
/// `reference`) and its duration passes, so that the price is the floor. Checks the DN
/// paid, `ceil(quantity * price / 1e9)`.
async fn buy_at(w: &mut World, b: &Buyer, price_e9: u64, quantity: u64, reference: u64) {
    configure(w, 60, price_e9, reference).await;
    w.env.advance(61).await;
    let before = w.env.balance(b.dn).await;
    let ix = b.buy_ix(w, quantity, price_e9);
    w.ok(&[ix], &[&b.kp]).await;
    let cost = (u128::from(quantity) * u128::from(price_e9)).div_ceil(1_000_000_000) as u64;
    assert_eq!(before - w.env.balance(b.dn).await, cost);
}

fn guard(price_e9: u64) -> Option<ValueGuard> {
    Some(ValueGuard {
        price_e9,
        max_value_bps: GUARD_BPS as u16,
        cap: cap(price_e9),
    })
}

/// Finding 2: neither a dust purchase (above or below the price), nor a ladder of small
/// restarts in one transaction, nor a purchase bundled with the settlement moves the
/// guard price (window 1). Before, any purchase set the price settlement read live: the
/// dust purchase at the floor would have cut the cap tenfold, the ladder raised it
/// eightfold, the bundled purchase raised it too.
#[tokio::test]
async fn one_purchase_cannot_move_the_guard_price() {
    let reference = 1_000_000_000;
    let (mut w, b) = market(1, reference).await;
    // Epoch A: nothing bought; the reference price guards it.
    revenue_and_work(&mut w).await;
    let ev = w.crank(0).await;
    assert_eq!(ev.value_guard, guard(reference));
    assert_eq!(ev.budget, cap(reference));
    // Epoch B: 60,000 of A's 101,000 bought at 1 DN each: counted (more than half).
    collect_stock(&mut w).await;
    buy_at(&mut w, &b, 1_000_000_000, 60_000, reference).await;
    revenue_and_work(&mut w).await;
    let ev = w.crank(0).await;
    assert_eq!(ev.value_guard, guard(1_000_000_000));
    let book = w.book(0, ev.epoch).await;
    assert_eq!(
        (
            book.settlement.clearing_e9,
            book.settlement.clearing_counted
        ),
        (1_000_000_000, true)
    );
    // Epoch C: one unit at the floor, 0.1 DN, then a ladder in one transaction over
    // what the vault holds (40,999: the rest of A's stock, B's not collected), each
    // purchase buying half of what is left and restarting at twice its price: 35,875
    // units in all, less than half of B's 101,000. Nothing counts.
    buy_at(&mut w, &b, 100_000_000, 1, reference).await;
    configure(&mut w, 3_600, 100_000_000, reference).await;
    let ladder: Vec<_> = [20_500, 10_250, 5_125]
        .iter()
        .map(|q| b.buy_ix(&w, *q, u64::MAX))
        .collect();
    w.ok(&ladder, &[&b.kp]).await;
    revenue_and_work(&mut w).await;
    let ev = w.crank(0).await;
    assert_eq!(ev.value_guard, guard(1_000_000_000), "dust and ladder");
    let book = w.book(0, ev.epoch).await;
    assert_eq!(book.bought_quantity, 1 + 20_500 + 10_250 + 5_125);
    assert!(!book.settlement.clearing_counted);
    // Epoch D: settled in one transaction with a purchase of 100,000 units at a high
    // price: the purchase is the next epoch's; D's guard is what D closed with.
    revenue_and_work(&mut w).await;
    let e = w.close(0).await;
    w.finalise(0, e).await;
    collect_stock(&mut w).await;
    let keys = w.doms[0].d.keys;
    let payer = w.env.payer().pubkey();
    w.ok(&[ix::fund_reward_vault(payer, &keys, e, &[0, 1])], &[])
        .await;
    configure(&mut w, 3_600, 100_000_000, reference).await;
    let settle_keys = w.env.settle_keys(&w.doms[0].d, e).await;
    let keeper = w.keeper.insecure_clone();
    let bundle = [
        b.buy_ix(&w, 100_000, u64::MAX),
        ix::settle_epoch(keeper.pubkey(), &keys, &w.p.dn, settle_keys),
    ];
    w.ok(&bundle, &[&b.kp, &keeper]).await;
    let book = w.book(0, e).await;
    assert_eq!(book.settlement.value_guard, guard(1_000_000_000), "bundled");
    assert_eq!(book.bought_quantity, 0);
    let open = w.book(0, keys.epoch).await;
    assert_eq!(
        open.bought_quantity, 100_000,
        "the purchase joined the open epoch"
    );
}

/// Finding 2: with a window of two epochs, the guard price is the least counted price
/// of the last two epochs: a counted epoch at twice the price raises it only once every
/// epoch of the window counted at least that price; epochs with nothing counted keep
/// it; real volume at a lower price lowers it at once. Exact caps each epoch.
#[tokio::test]
async fn the_guard_price_rises_only_when_its_whole_window_counted_the_higher_price() {
    let reference = 10_000_000_000;
    let (mut w, b) = market(2, reference).await;
    let mut caps = Vec::new();
    // (purchase price of the epoch, if any) → the guard price it settles at.
    let plan: [(Option<u64>, u64); 7] = [
        (None, reference),
        (Some(1_000_000_000), 1_000_000_000),
        (Some(2_000_000_000), 1_000_000_000),
        (Some(2_000_000_000), 2_000_000_000),
        (None, 2_000_000_000),
        (None, 2_000_000_000),
        (Some(500_000_000), 500_000_000),
    ];
    for (k, (price, expected)) in plan.iter().enumerate() {
        if k > 0 {
            collect_stock(&mut w).await;
        }
        if let Some(p) = price {
            // 60,000 of the previous epoch's 101,000: counted.
            buy_at(&mut w, &b, *p, 60_000, reference).await;
        }
        revenue_and_work(&mut w).await;
        let ev = w.crank(0).await;
        assert_eq!(ev.value_guard, guard(*expected), "epoch {k}");
        assert_eq!(ev.budget, cap(*expected).min(2 * REVENUE), "epoch {k}");
        caps.push(ev.value_guard.expect("guarded").cap);
    }
    assert_eq!(
        caps,
        [50_500_000, 5_050_000, 5_050_000, 10_100_000, 10_100_000, 10_100_000, 2_525_000]
    );
    assert_eq!(STOCK, 101_000);
}
