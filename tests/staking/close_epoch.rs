//! `close_epoch`: after the end time plus the grace window, anyone closes the open epoch
//! and opens the next with the queued settings, the boundary's stake changes and fresh
//! shard counters. One negative test per constraint, each with its exact error.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::EpochClosed;
use deepnode::state::{Bounds, Domain, DomainSettings, Epoch, EpochShard, EpochStatus};
use deepnode_tests::fixtures::{default_bounds, default_settings};
use deepnode_tests::*;
use solana_sdk::signer::Signer;

#[tokio::test]
async fn close_after_the_grace_window_opens_the_next_epoch() {
    let mut w = world().await;
    let s = w.staker(700).await;
    let ix = w.stake_ix(&s, 700).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    let owner = w.d.owner.insecure_clone();
    let queued = DomainSettings {
        fee_bps: 1_200,
        ..default_settings()
    };
    w.env
        .ok(
            &[ix::update_domain_settings(
                owner.pubkey(),
                w.d.keys.domain,
                queued,
            )],
            &[&owner],
        )
        .await;
    let e0: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 0)).await;
    let now = w.env.clock().await.unix_timestamp;
    w.env
        .advance(e0.closes_at().expect("close time") - now - 1)
        .await;
    let payer = w.env.payer().pubkey();
    let close = ix::close_epoch(payer, &w.d.keys, 2);
    w.env
        .fails_with(std::slice::from_ref(&close), &[], code(E::EpochNotEnded))
        .await;
    w.env.advance(1).await;
    let ev: EpochClosed = w.env.ok_event(&[close], &[]).await;
    assert_eq!((ev.epoch, ev.next_epoch, ev.next_active_stake), (0, 1, 700));
    assert!(ev.settings_applied && !ev.settings_dropped);
    let e0: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 0)).await;
    assert_eq!(e0.status, EpochStatus::Closed);
    let e1: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 1)).await;
    assert_eq!(
        (e1.status, e1.active_stake, e1.settings.fee_bps),
        (EpochStatus::Open, 700, 1_200)
    );
    assert_eq!(
        e1.end_ts - e1.start_ts,
        i64::from(default_settings().epoch_secs)
    );
    let domain: Domain = w.env.get(w.d.keys.domain).await;
    assert_eq!((domain.current_epoch, domain.settings.fee_bps), (1, 1_200));
    assert!(domain.pending_settings.is_none());
    for shard in 0..2 {
        let c: EpochShard = w
            .env
            .get(pda::epoch_shard(&w.d.keys.domain, 1, shard))
            .await;
        assert_eq!((c.epoch, c.shard, c.revenue), (1, shard, 0));
    }
    w.d.keys.epoch = 1;
    // Payments land in the new epoch.
    let (model, _) = w.env.model(&w.d, 2_000).await;
    let (consumer, token) = w.env.consumer(&w.d, 1_000_000).await;
    let pay = ix::pay(&w.d.keys, consumer.pubkey(), token, model, 1, 1_000_000, 3);
    w.env.ok(&[pay], &[&consumer]).await;
    let c: EpochShard = w.env.get(pda::epoch_shard(&w.d.keys.domain, 1, 1)).await;
    assert_eq!(c.revenue, 1_000_000);
    w.env.check_vaults(&w.d, &[model]).await;
    w.env.check_stake(&w.d, &[s.key()]).await;
}

#[tokio::test]
async fn closing_twice_is_impossible() {
    let mut w = world().await;
    let before = w.d.keys;
    w.close().await;
    let payer = w.env.payer().pubkey();
    // The old keys name epoch 0, which is no longer the domain's open epoch.
    w.env
        .fails_with(
            &[ix::close_epoch(payer, &before, 2)],
            &[],
            anchor_code::SEEDS,
        )
        .await;
    // Epoch 1 has just opened: it cannot close before its end.
    w.env
        .fails_with(
            &[ix::close_epoch(payer, &w.d.keys, 2)],
            &[],
            code(E::EpochNotEnded),
        )
        .await;
}

#[tokio::test]
async fn shard_counters_must_be_all_and_in_order() {
    let mut w = world().await;
    let e0: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 0)).await;
    let now = w.env.clock().await.unix_timestamp;
    w.env
        .advance(e0.closes_at().expect("close time") - now)
        .await;
    let payer = w.env.payer().pubkey();
    w.env
        .fails_with(
            &[ix::close_epoch(payer, &w.d.keys, 1)],
            &[],
            code(E::EpochShardAccountsMismatch),
        )
        .await;
    let mut swapped = ix::close_epoch(payer, &w.d.keys, 2);
    let n = swapped.accounts.len();
    swapped.accounts.swap(n - 1, n - 2);
    w.env
        .fails_with(&[swapped], &[], code(E::EpochShardAccountsMismatch))
        .await;
}

#[tokio::test]
async fn queued_settings_outside_todays_bounds_are_dropped() {
    let mut w = world().await;
    let owner = w.d.owner.insecure_clone();
    let queued = DomainSettings {
        fee_bps: 2_500,
        ..default_settings()
    };
    w.env
        .ok(
            &[ix::update_domain_settings(
                owner.pubkey(),
                w.d.keys.domain,
                queued,
            )],
            &[&owner],
        )
        .await;
    let gov = w.p.gov.insecure_clone();
    let tighter = Bounds {
        max_fee_bps: 2_000,
        ..default_bounds()
    };
    w.env
        .ok(&[ix::update_bounds(gov.pubkey(), tighter)], &[&gov])
        .await;
    let e0: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 0)).await;
    let now = w.env.clock().await.unix_timestamp;
    w.env
        .advance(e0.closes_at().expect("close time") - now)
        .await;
    let payer = w.env.payer().pubkey();
    let ev: EpochClosed = w
        .env
        .ok_event(&[ix::close_epoch(payer, &w.d.keys, 2)], &[])
        .await;
    assert!(!ev.settings_applied && ev.settings_dropped);
    let domain: Domain = w.env.get(w.d.keys.domain).await;
    assert_eq!(domain.settings.fee_bps, default_settings().fee_bps);
}

#[tokio::test]
async fn close_is_not_stopped_by_pause() {
    let mut w = world().await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    w.close().await;
    assert_eq!(w.env.get::<Domain>(w.d.keys.domain).await.current_epoch, 1);
}
