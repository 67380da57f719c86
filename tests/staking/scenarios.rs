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

/// Stakers' rewards come from the real crank: payments fund the revenue-reward pool,
/// and with no verified work these worlds mint no DN, so the revenue side carries the
/// accumulator here (the DN side runs the same code; the crank tests pay it).
#[tokio::test]
async fn stake_added_mid_epoch_earns_nothing_for_that_epoch() {
    let mut w = world().await;
    let a = w.staker(1_000).await;
    let b = w.staker(3_000).await;
    // Epoch 0: a stakes. Nobody is active in epoch 0.
    let ix = w.stake_ix(&a, 1_000).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    w.pay(1_000_000).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 1: a active
    w.check(&[&a, &b]).await;
    // Epoch 0 had no active stake: its stakers' share rolls over, nothing accumulates.
    assert_eq!(w.settle(0).await, (0, 0));
    assert_eq!(w.pool().await.acc_rev, 0);
    w.check(&[&a, &b]).await;
    // Epoch 1, mid-epoch: b stakes 3x a's stake.
    w.env.advance(3_600).await;
    let ix = w.stake_ix(&b, 3_000).await;
    w.env.ok(&[ix], &[&b.kp]).await;
    w.pay(1_000_000).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 2: a and b active
    w.check(&[&a, &b]).await;
    let (_, r1) = w.settle(1).await;
    assert!(r1 > 0);
    w.check(&[&a, &b]).await;
    // b's stake was not active in epoch 1: it earns nothing for it.
    let ix = w.claim_ix(&b).await;
    w.env
        .fails_with(&[ix], &[&b.kp], code(E::NothingToClaim))
        .await;
    assert_eq!(
        claim(&mut w, &a).await,
        (0, expected(r1, 1_000, 1_000)),
        "a alone was active in epoch 1"
    );
    w.check(&[&a, &b]).await;
    w.pay(1_000_003).await;
    w.close().await; // epoch 3
    let (_, r2) = w.settle(2).await;
    w.check(&[&a, &b]).await;
    // Epoch 2: 1,000 vs 3,000 of 4,000; the accumulator pays §12's share or one less.
    assert_eq!(claim(&mut w, &a).await, (0, expected(r2, 1_000, 4_000)));
    assert_eq!(claim(&mut w, &b).await, (0, expected(r2, 3_000, 4_000)));
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
    w.settle(0).await;
    // a requests out during epoch 1: still earns for epoch 1, not for epoch 2.
    let ix = w.unstake_ix(&a, 1_000).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    w.pay(700_000).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 2: b alone
    let (_, r1) = w.settle(1).await;
    w.pay(700_000).await;
    w.close().await; // epoch 3
    let (_, r2) = w.settle(2).await;
    w.check(&[&a, &b]).await;
    let a_rev = expected(r1, 1_000, 2_000);
    // b holds one checkpoint across both epochs: one accrual over the two increments.
    let b_rev = accumulator_pays(1_000, &[(r1, 2_000), (r2, 1_000)]);
    // a's whole stake left the position for its ticket: nothing on the position.
    let ix = w.claim_ix(&a).await;
    w.env
        .fails_with(&[ix], &[&a.kp], code(E::NothingToClaim))
        .await;
    assert_eq!(claim(&mut w, &b).await, (0, b_rev));
    // The ticket holds a's epoch-1 earnings; withdrawing credits them, claiming pays.
    let ix = w.withdraw_ix(&a, 1).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    assert_eq!(claim(&mut w, &a).await, (0, a_rev));
    w.check(&[&a, &b]).await;
    assert_eq!(w.env.balance(a.dn_account).await, 1_000);
    assert_eq!(w.env.balance(a.revenue_account).await, a_rev);
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
    w.settle(0).await;
    let mut pools = Vec::new();
    for e in 1..=12u64 {
        w.pay(100_000 + e * 7).await;
        w.close().await;
        let (_, rev) = w.settle(e).await;
        pools.push((rev, 3_000));
    }
    let ix = w.claim_ix(&a).await;
    assert_eq!(
        ix.accounts.len(),
        17,
        "the same accounts after 12 epochs as after one"
    );
    let (_, rev) = claim(&mut w, &a).await;
    // One accrual over the twelve increments, as the accumulator pays it; §12's bounds:
    // at most the exact shares summed and floored once, at least the per-epoch rule
    // minus one unit per epoch.
    assert_eq!(rev, accumulator_pays(1_000, &pools));
    let exact: u64 = pools.iter().map(|(p, _)| p).sum::<u64>() / 3;
    let rule: u64 = pools.iter().map(|(p, _)| p / 3).sum();
    assert!(
        rev <= exact && rev + 12 >= rule,
        "rev {rev}: rule {rule}, exact {exact}"
    );
    w.check(&[&a, &b]).await;
}
