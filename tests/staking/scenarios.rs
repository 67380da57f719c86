//! Whole-epoch scenarios: stake added mid-epoch earns nothing for that epoch, a request
//! to unstake still earns for its epoch (through its ticket), and claims cost the same
//! however many epochs passed. Random sequences live in the program-wide engine
//! (`tests/engine`).
use crate::common::*;
use crate::stake::{accumulator_pays, expected};
use deepnode::errors::DeepNodeError as E;
use deepnode::events::StakeRewardsClaimed;
use deepnode_tests::staking::StakerFx;
use deepnode_tests::*;

/// Claims and returns (dn, revenue) paid.
async fn claim(w: &mut World, s: &StakerFx) -> (u64, u64) {
    let ix = w.claim_ix(s).await;
    let ev: StakeRewardsClaimed = w.env.ok_event(&[ix], &[&s.kp]).await;
    (ev.dn, ev.revenue)
}

#[tokio::test]
async fn stake_added_mid_epoch_earns_nothing_for_that_epoch() {
    let mut w = world().await;
    let a = w.staker(1_000).await;
    let b = w.staker(3_000).await;
    // Epoch 0: a stakes. Nobody is active in epoch 0.
    let ix = w.stake_ix(&a, 1_000).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 1: a active
    w.check(&[&a, &b]).await;
    // Epoch 0 had no active stake: its stakers' pools are not accumulated.
    let (p, d) = (&w.p, &w.d);
    assert!(!w.env.settle_stakers(p, d, 0, 5_000, 5_000).await);
    w.check(&[&a, &b]).await;
    // Epoch 1, mid-epoch: b stakes 3x a's stake.
    w.env.advance(3_600).await;
    let ix = w.stake_ix(&b, 3_000).await;
    w.env.ok(&[ix], &[&b.kp]).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 2: a and b active
    w.check(&[&a, &b]).await;
    let (p, d) = (&w.p, &w.d);
    assert!(w.env.settle_stakers(p, d, 1, 1_000, 400).await);
    w.check(&[&a, &b]).await;
    // b's stake was not active in epoch 1: it earns nothing for it.
    let ix = w.claim_ix(&b).await;
    w.env
        .fails_with(&[ix], &[&b.kp], code(E::NothingToClaim))
        .await;
    assert_eq!(
        claim(&mut w, &a).await,
        (expected(1_000, 1_000, 1_000), expected(400, 1_000, 1_000)),
        "a alone was active in epoch 1"
    );
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 3
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 2, 1_001, 401).await;
    w.check(&[&a, &b]).await;
    // Epoch 2: 1,000 vs 3,000 of 4,000. §12: floor(1001/4) = 250, floor(3003/4) = 750;
    // floor(401/4) = 100, floor(1203/4) = 300; the accumulator pays those or one less.
    let a2 = (expected(1_001, 1_000, 4_000), expected(401, 1_000, 4_000));
    let b2 = (expected(1_001, 3_000, 4_000), expected(401, 3_000, 4_000));
    assert_eq!(a2, (250, 100));
    assert_eq!(b2, (750, 300));
    assert_eq!(claim(&mut w, &a).await, a2);
    assert_eq!(claim(&mut w, &b).await, b2);
    w.check(&[&a, &b]).await;
    let pool = w.pool().await;
    assert!(pool.dn_claimed <= pool.dn_funded && pool.rev_claimed <= pool.rev_funded);
}

#[tokio::test]
async fn a_request_to_unstake_still_earns_for_its_epoch() {
    let mut w = world().await;
    let a = w.staker(1_000).await;
    let b = w.staker(1_000).await;
    for s in [&a, &b] {
        let ix = w.stake_ix(s, 1_000).await;
        w.env.ok(&[ix], &[&s.kp]).await;
    }
    w.close().await; // epoch 1: both active
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 0, 0, 0).await;
    // a requests out during epoch 1: still earns for epoch 1, not for epoch 2.
    let ix = w.unstake_ix(&a, 1_000).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 2: b alone
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 1, 600, 0).await;
    w.close().await; // epoch 3
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 2, 600, 0).await;
    w.check(&[&a, &b]).await;
    let a_dn = expected(600, 1_000, 2_000);
    // b holds one checkpoint across both epochs: one accrual over the two increments.
    let b_dn = accumulator_pays(1_000, &[(600, 2_000), (600, 1_000)]);
    // §12 says 300 and 900; the accumulator pays at most one unit less per epoch.
    assert_eq!((a_dn, b_dn), (299, 899));
    // a's whole stake left the position for its ticket: nothing on the position.
    let ix = w.claim_ix(&a).await;
    w.env
        .fails_with(&[ix], &[&a.kp], code(E::NothingToClaim))
        .await;
    assert_eq!(claim(&mut w, &b).await, (b_dn, 0));
    // The ticket holds a's epoch-1 earnings; withdrawing credits them, claiming pays.
    let ix = w.withdraw_ix(&a, 1).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    assert_eq!(claim(&mut w, &a).await, (a_dn, 0));
    w.check(&[&a, &b]).await;
    assert_eq!(w.env.balance(a.dn_account).await, 1_000 + a_dn);
}

#[tokio::test]
async fn a_claim_after_many_epochs_costs_one_instruction() {
    let mut w = world().await;
    let a = w.staker(1_000).await;
    let b = w.staker(2_000).await;
    for (s, amount) in [(&a, 1_000), (&b, 2_000)] {
        let ix = w.stake_ix(s, amount).await;
        w.env.ok(&[ix], &[&s.kp]).await;
    }
    w.close().await;
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 0, 0, 0).await;
    let mut rule = 0u64;
    for e in 1..=12u64 {
        w.close().await;
        let pool = 1_000 + e * 7;
        let (p, d) = (&w.p, &w.d);
        w.env.settle_stakers(p, d, e, pool, pool / 2).await;
        rule += pool / 3;
    }
    let ix = w.claim_ix(&a).await;
    assert_eq!(
        ix.accounts.len(),
        17,
        "the same accounts after 12 epochs as after one"
    );
    let (dn, _) = claim(&mut w, &a).await;
    // Never above the pro-rata rule, at most one unit per epoch below it.
    assert!(dn <= rule + 12 && dn + 12 >= rule, "dn {dn} vs rule {rule}");
    w.check(&[&a, &b]).await;
}
