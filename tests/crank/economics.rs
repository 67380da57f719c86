//! The economics on chain (PROTOCOL.md §6, §7, §12): each expected number written out
//! from the spec's rules for the case, never from the program's functions.
use crate::common::*;
use deepnode::constants::MAX_ATTESTED_UNITS;
use deepnode::state::{Bounds, DomainSettings, EmissionPeriod, ValueGuard};
use deepnode_sdk::ix;
use deepnode_tests::fixtures::{default_bounds, default_settings, DN_HOLDER_FUNDS};
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// The default split (miners, stakers, validators, domain owner, model owners) in bps.
const SPLIT: [u64; 5] = [5_000, 2_000, 1_500, 500, 900];
/// The default bounds' keeper tip ceiling.
const TIP: u64 = 1_000;

/// `floor(x * bps / 10000)`.
fn bps(x: u64, b: u64) -> u64 {
    (u128::from(x) * u128::from(b) / 10_000) as u64
}

/// A domain (quorum 2, three validators of 1,000,000, two miners) in a fresh world.
async fn world_with(max_supply: Option<u64>, bounds: Option<Bounds>) -> World {
    let mut w = World::new(max_supply, bounds).await;
    w.domain(false, TOKEN, &[], settings(2), 3, 1_000_000, 2)
        .await;
    w
}

/// Miner 0 verified at 100 units by two validators (quorate).
async fn work(w: &mut World, k: usize) {
    w.attest(k, 0, 0, 100).await;
    w.attest(k, 1, 0, 100).await;
}

#[tokio::test]
async fn an_idle_epoch_mints_nothing() {
    let mut w = world_with(None, None).await;
    w.pay(0, 10_000_000, 0).await;
    let supply = w.env.supply(w.p.dn.mint).await;
    let ev = w.crank(0).await;
    assert_eq!(
        (ev.revenue, ev.budget, ev.minted, ev.tip),
        (10_000_000, 0, 0, 0)
    );
    assert_eq!(w.env.supply(w.p.dn.mint).await, supply, "no DN for no work");
}

#[tokio::test]
async fn a_demand_spike_hits_the_ceiling_and_a_quiet_epoch_gets_the_floor() {
    let mut w = world_with(None, None).await;
    let s = default_settings();
    // 100,000,000 of revenue at 2 DN per unit would be 200,000,000: the ceiling binds.
    w.pay(0, 100_000_000, 0).await;
    work(&mut w, 0).await;
    let spike = w.crank(0).await;
    assert_eq!(spike.budget, s.ceiling);
    // 1,000 of revenue would be 2,000: the floor binds (there was verified work).
    w.pay(0, 1_000, 0).await;
    work(&mut w, 0).await;
    let quiet = w.crank(0).await;
    assert_eq!(quiet.budget, s.floor);
    // In between, the rate: 2,000,000 of revenue gives 4,000,000.
    w.pay(0, 2_000_000, 1).await;
    work(&mut w, 0).await;
    assert_eq!(w.crank(0).await.budget, 4_000_000);
}

/// Two domains whose epochs end in one cap period (a period longer than the test):
/// whichever settles first takes the floor, the other what the cap leaves, in either
/// order, and the period never exceeds its cap.
#[tokio::test]
async fn the_global_cap_binds_across_two_domains_in_either_order() {
    for first in [0usize, 1] {
        let cap = 1_500_000;
        let bounds = Bounds {
            global_cap_per_period: cap,
            period_secs: u32::MAX,
            ..default_bounds()
        };
        let mut w = World::new(None, Some(bounds)).await;
        for _ in 0..2 {
            w.domain(false, TOKEN, &[], settings(2), 3, 1_000_000, 2)
                .await;
        }
        for k in 0..2 {
            w.pay(k, 1_000, 0).await;
            work(&mut w, k).await;
            let e = w.close(k).await;
            w.finalise(k, e).await;
        }
        let second = 1 - first;
        let e_first = w.doms[first].d.keys.epoch - 1;
        let e_second = w.doms[second].d.keys.epoch - 1;
        let a = w.settle(first, e_first).await;
        let b = w.settle(second, e_second).await;
        // The first gets the floor (1,000,000) and mints it less what it withholds (the
        // stakers' cap); the cap counts what is minted, so the second gets what is left.
        assert_eq!(a.budget, 1_000_000);
        assert_eq!(a.minted, 1_000_000 - a.withheld);
        assert_eq!(b.budget, cap - a.minted);
        assert_eq!(b.period_minted, a.minted + b.minted);
        let period: EmissionPeriod = w.env.get(pda::period(0)).await;
        assert_eq!(period.minted, a.minted + b.minted);
        assert!(period.minted <= cap);
        // Further epochs in the same period share what is left, down to nothing.
        let mut left = cap - period.minted;
        for _ in 0..4 {
            w.pay(first, 1_000, 0).await;
            work(&mut w, first).await;
            let ev = w.crank(first).await;
            assert_eq!(ev.budget, left.min(1_000_000));
            left -= ev.minted;
        }
        let period: EmissionPeriod = w.env.get(pda::period(0)).await;
        assert!(period.minted <= cap);
    }
}

#[tokio::test]
async fn the_max_supply_binds() {
    let room = 300_000;
    let mut w = world_with(Some(DN_HOLDER_FUNDS + room), None).await;
    w.pay(0, 1_000_000, 0).await;
    work(&mut w, 0).await;
    let first = w.crank(0).await;
    // The floor (1,000,000) is more than the supply allows.
    assert_eq!(first.budget, room);
    // What was withheld was not minted: the next epoch may mint it, and no more.
    w.pay(0, 1_000_000, 0).await;
    work(&mut w, 0).await;
    let second = w.crank(0).await;
    assert_eq!(second.budget, room - first.minted);
    let supply = w.env.supply(w.p.dn.mint).await;
    assert_eq!(supply, DN_HOLDER_FUNDS + first.minted + second.minted);
    assert!(supply <= DN_HOLDER_FUNDS + room);
}

#[tokio::test]
async fn the_stakers_cap_withholds_and_unpaid_roles_withhold_and_roll() {
    let mut w = world_with(None, None).await;
    // Verified work but no revenue: budget = floor; the model owners have nobody to pay
    // (no revenue), their DN is withheld; the stakers' pool is capped at 1% of the
    // 3,000,000 active stake.
    work(&mut w, 0).await;
    let ev = w.crank(0).await;
    let floor = default_settings().floor;
    let rest = floor - TIP;
    let pools: Vec<u64> = SPLIT.iter().map(|b| bps(rest, *b)).collect();
    let cap = bps(3_000_000, 100);
    assert_eq!(ev.budget, floor);
    assert_eq!(ev.dn_pools[1], cap);
    assert_eq!(ev.dn_pools[4], 0, "no revenue: no model owner to pay");
    assert_eq!(ev.withheld, pools[4] + (pools[1] - cap));
    assert_eq!(ev.minted, floor - ev.withheld);
    // Revenue but no work: no budget; the miners' and validators' revenue shares roll
    // into the next epoch's pool.
    w.pay(0, 1_000_000, 0).await;
    let ev = w.crank(0).await;
    // The payment's pool share: 1,000,000 less 20% (model), 10% (fee), 1% (buyback).
    let pool = 1_000_000 - 200_000 - 100_000 - 10_000;
    assert_eq!(ev.rev_pool, pool);
    let rolled = bps(pool, SPLIT[0]) + bps(pool, SPLIT[2]);
    assert_eq!((ev.budget, ev.rolled_out), (0, rolled));
    assert_eq!((ev.rev_pools[0], ev.rev_pools[2]), (0, 0));
    let open = w.doms[0].d.keys.epoch;
    assert_eq!(w.book(0, open).await.rolled_in, rolled);
    // The next epoch's pool starts with it.
    work(&mut w, 0).await;
    let ev = w.crank(0).await;
    assert_eq!((ev.rolled_in, ev.rev_pool), (rolled, rolled));
}

#[tokio::test]
async fn the_sweep_burns_exactly_the_dust() {
    let mut w = world_with(None, None).await;
    w.pay(0, 3_333_333, 0).await;
    // Miners 0 and 1 verified at 100 and 200 (the pools do not split evenly).
    work(&mut w, 0).await;
    w.attest(0, 0, 1, 200).await;
    w.attest(0, 2, 1, 200).await;
    let ev = w.crank(0).await;
    let e = ev.epoch;
    w.credit_all(0, e).await;
    let s = w.book(0, e).await.settlement;
    // Miners 100:200 of the pool: floor(p/3) + floor(2p/3) leaves the rounding.
    let miners = ev.dn_pools[0] / 3 + ev.dn_pools[0] * 2 / 3;
    assert_eq!(s.dn_credited[0], miners);
    let dust: u64 = (0..6).map(|r| s.dn_pools[r] - s.dn_credited[r]).sum();
    assert!(dust > 0 && dust < 10, "dust {dust}");
    w.close(0).await;
    w.close(0).await;
    let supply = w.env.supply(w.p.dn.mint).await;
    let payer = w.env.payer().pubkey();
    let keys = w.doms[0].d.keys;
    w.ok(&[ix::sweep_epoch(payer, &keys, &w.p.dn, e)], &[])
        .await;
    assert_eq!(supply - w.env.supply(w.p.dn.mint).await, dust);
}

/// Validators holding less than half of the epoch's stake report absurd units: the
/// verified work and the honest validators' rewards are exactly what they would be had
/// the minority not attested at all.
#[tokio::test]
async fn an_absurd_minority_changes_neither_work_nor_honest_rewards() {
    let mut outcomes = Vec::new();
    for minority_attests in [true, false] {
        let mut w = World::new(None, None).await;
        w.domain(false, TOKEN, &[], settings(2), 5, 1_000_000, 2)
            .await;
        w.pay(0, 5_000_000, 0).await;
        for v in 0..3 {
            w.attest(0, v, 0, 100).await;
            w.attest(0, v, 1, 40).await;
        }
        if minority_attests {
            for v in 3..5 {
                w.attest(0, v, 0, MAX_ATTESTED_UNITS).await;
                w.attest(0, v, 1, 0).await;
            }
        }
        let ev = w.crank(0).await;
        let e = ev.epoch;
        let book = w.book(0, e).await;
        w.credit_all(0, e).await;
        let mut honest = Vec::new();
        for v in 0..3 {
            let key = w.doms[0].validators[v].key();
            let domain = w.doms[0].d.keys.domain;
            let b: deepnode::state::RewardBalance = w.env.get(pda::reward(&domain, &key)).await;
            honest.push((b.dn_owed, b.rev_owed));
        }
        outcomes.push((book.total_verified, book.total_agreeing, ev.budget, honest));
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert_eq!(outcomes[0].0, 140, "medians 100 and 40");
    assert_eq!(outcomes[0].1, 6, "only the honest attestations agree");
}

/// Guard of 50% of the revenue's DN value (§13) on the default test settings.
fn guarded() -> DomainSettings {
    DomainSettings {
        max_emission_value_bps: 5_000,
        ..settings(2)
    }
}

/// §13 on a domain paid in DN: one revenue unit is worth one DN, so the guard caps the
/// budget at half the revenue, below the rate's budget and below the floor alike.
#[tokio::test]
async fn the_value_guard_caps_a_dn_paid_domain_at_half_its_revenue() {
    // Governance requires a guard of at most 80%; the domain's 50% is within it.
    let bounds = Bounds {
        max_emission_value_bps: 8_000,
        ..default_bounds()
    };
    let mut w = World::new(None, Some(bounds)).await;
    w.domain(true, TOKEN, &[], guarded(), 3, 1_000_000, 2).await;
    // 2,000,000 DN of revenue at 2 DN per unit would give 4,000,000; half of its value
    // is 1,000,000.
    w.pay(0, 2_000_000, 0).await;
    work(&mut w, 0).await;
    let supply = w.env.supply(w.p.dn.mint).await;
    let ev = w.crank(0).await;
    let expected = ValueGuard {
        price_e9: 1_000_000_000,
        max_value_bps: 5_000,
        cap: 1_000_000,
    };
    assert_eq!(ev.value_guard, Some(expected));
    assert_eq!(ev.budget, 1_000_000);
    assert_eq!(ev.minted + ev.withheld, 1_000_000);
    assert_eq!(w.env.supply(w.p.dn.mint).await, supply + ev.minted);
    let e = w.doms[0].d.keys.epoch - 1;
    assert_eq!(w.book(0, e).await.settlement.value_guard, Some(expected));
    // 1,000 DN of revenue: the floor would give 1,000,000; the guard allows 500, all
    // of it the keeper's tip (the tip comes out of the budget first).
    w.pay(0, 1_000, 0).await;
    work(&mut w, 0).await;
    let ev = w.crank(0).await;
    assert_eq!(ev.value_guard.map(|g| g.cap), Some(500));
    assert_eq!((ev.budget, ev.tip, ev.minted), (500, 500, 500));
    assert_eq!(ev.dn_pools, [0; 6]);
}

/// §13 on a domain paid in another token: no auction, no price (nothing minted); then
/// the auction's reference price before the first sale; then its clearing price.
#[tokio::test]
async fn the_value_guard_prices_a_token_domain_by_its_buyback_auction() {
    let mut w = World::new(None, None).await;
    w.domain(false, TOKEN, &[], guarded(), 3, 1_000_000, 2)
        .await;
    let revenue = 2_000_000;
    w.pay(0, revenue, 0).await;
    work(&mut w, 0).await;
    let ev = w.crank(0).await;
    let guard = |price_e9, cap| {
        Some(ValueGuard {
            price_e9,
            max_value_bps: 5_000,
            cap,
        })
    };
    assert_eq!(ev.value_guard, guard(0, 0));
    assert_eq!((ev.budget, ev.minted, ev.withheld), (0, 0, 0));

    // Reference price 0.5 DN per unit: 2,000,000 units are worth 1,000,000 DN; half of
    // that is 500,000 (the rate would give 4,000,000).
    let (duration, floor, reference) = (3_600u32, 100_000_000u64, 500_000_000u64);
    let gov = w.p.gov.insecure_clone();
    let payer = w.env.payer().pubkey();
    let domain = w.doms[0].d.keys.domain;
    let configure = ix::set_auction_params(payer, gov.pubkey(), domain, duration, floor, reference);
    w.ok(std::slice::from_ref(&configure), &[&gov]).await;
    w.pay(0, revenue, 0).await;
    work(&mut w, 0).await;
    let ev = w.crank(0).await;
    assert_eq!(ev.value_guard, guard(reference, 500_000));
    assert_eq!(ev.budget, 500_000);

    // The auction restarts at the reference price; half its duration later the price
    // is 0.5 - (0.5 - 0.1) / 2 = 0.3 DN per unit, and a purchase clears there.
    w.ok(&[configure], &[&gov]).await;
    w.env.advance(i64::from(duration / 2)).await;
    w.ok(&[ix::fund_auction(&w.doms[0].d.keys, 0)], &[]).await;
    let buyer = Keypair::new();
    w.env.airdrop(&buyer.pubkey(), 1_000_000_000).await;
    let mint = w.p.dn.mint;
    let buyer_dn = w.env.create_token_account(&buyer.pubkey(), &mint).await;
    let (holder, from) = (w.p.dn_holder.insecure_clone(), w.p.dn_holder_account);
    w.env
        .transfer(&mint, &from, &buyer_dn, &holder, 1_000_000, 6)
        .await;
    let buyer_revenue = w
        .env
        .revenue_account(&w.p, &w.doms[0].d, &buyer.pubkey(), 0)
        .await;
    let keys = w.doms[0].d.keys;
    let buy = ix::buy_back(
        &keys,
        &w.p.dn,
        buyer.pubkey(),
        buyer_dn,
        buyer_revenue,
        10_000,
        300_000_000,
    );
    w.ok(&[buy], &[&buyer]).await;
    // 10,000 units at 0.3 cost exactly 3,000 DN.
    assert_eq!(w.env.balance(buyer_dn).await, 1_000_000 - 3_000);
    w.pay(0, revenue, 0).await;
    work(&mut w, 0).await;
    let ev = w.crank(0).await;
    // 2,000,000 units at 0.3 are worth 600,000 DN; half of that is 300,000.
    assert_eq!(ev.value_guard, guard(300_000_000, 300_000));
    assert_eq!(ev.budget, 300_000);
}

/// Without a guard the settlement says so, and the budget is the rate's.
#[tokio::test]
async fn no_guard_by_default() {
    let mut w = world_with(None, None).await;
    w.pay(0, 2_000_000, 0).await;
    work(&mut w, 0).await;
    let ev = w.crank(0).await;
    assert_eq!((ev.value_guard, ev.budget), (None, 4_000_000));
}
