//! `update_domain_settings`: queued for the next epoch, never touching the open one.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::DomainSettingsQueued;
use deepnode::state::{Domain, DomainSettings, Epoch};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

fn next_settings() -> DomainSettings {
    let mut s = default_settings();
    s.fee_bps = 2_000;
    s.max_model_share_bps = 3_000;
    s.epoch_secs = 3_600;
    s.split.miners = 4_000;
    s.split.stakers = 3_000;
    s
}

#[tokio::test]
async fn update_domain_settings_queues_for_next_epoch() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env.default_domain(&p).await;
    let epoch_key = pda::epoch(&d.keys.domain, 0);
    let epoch_before: Epoch = env.get(epoch_key).await;

    let ix = ix::update_domain_settings(d.owner.pubkey(), d.keys.domain, next_settings());
    let ev: DomainSettingsQueued = env.ok_event(&[ix], &[&d.owner]).await;
    assert_eq!(ev.domain, d.keys.domain);
    assert_eq!(ev.current, default_settings());
    assert_eq!(ev.pending, next_settings());
    assert_eq!(ev.effective_epoch, 1);

    let state: Domain = env.get(d.keys.domain).await;
    assert_eq!(
        state.settings,
        default_settings(),
        "settings in force unchanged"
    );
    assert_eq!(state.pending_settings, Some(next_settings()));
    assert_eq!(state.current_epoch, 0);

    // Invariant 7: the open epoch keeps the snapshot it opened with.
    let epoch_after: Epoch = env.get(epoch_key).await;
    assert_eq!(epoch_after.settings, default_settings());
    assert_eq!(epoch_after.settings, epoch_before.settings);
    assert_eq!(
        (epoch_after.start_ts, epoch_after.end_ts),
        (epoch_before.start_ts, epoch_before.end_ts)
    );
    assert_eq!(
        (epoch_after.status, epoch_after.index),
        (epoch_before.status, 0)
    );

    // A second proposal replaces the queued one.
    let mut again = next_settings();
    again.quorum = 4;
    env.ok(
        &[ix::update_domain_settings(
            d.owner.pubkey(),
            d.keys.domain,
            again,
        )],
        &[&d.owner],
    )
    .await;
    let state: Domain = env.get(d.keys.domain).await;
    assert_eq!(state.pending_settings, Some(again));
}

#[tokio::test]
async fn update_domain_settings_by_non_owner_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env.default_domain(&p).await;
    let intruder = Keypair::new();
    let ix = ix::update_domain_settings(intruder.pubkey(), d.keys.domain, next_settings());
    env.fails_with(&[ix], &[&intruder], code(E::NotDomainOwner))
        .await;
    // Governance is not the domain owner either.
    let ix = ix::update_domain_settings(p.gov.pubkey(), d.keys.domain, next_settings());
    env.fails_with(&[ix], &[&p.gov], code(E::NotDomainOwner))
        .await;
    let state: Domain = env.get(d.keys.domain).await;
    assert_eq!(state.pending_settings, None);
}

#[tokio::test]
async fn update_domain_settings_out_of_bounds_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env.default_domain(&p).await;
    let mut s = next_settings();
    s.fee_bps = default_bounds().max_fee_bps + 1;
    let ix = ix::update_domain_settings(d.owner.pubkey(), d.keys.domain, s);
    env.fails_with(&[ix], &[&d.owner], code(E::FeeBpsOutOfBounds))
        .await;
    let mut s = next_settings();
    s.epoch_secs = default_bounds().min_epoch_secs - 1;
    let ix = ix::update_domain_settings(d.owner.pubkey(), d.keys.domain, s);
    env.fails_with(&[ix], &[&d.owner], code(E::EpochDurationOutOfBounds))
        .await;
    // A quorum the domain's validators can never reach.
    let mut s = next_settings();
    s.max_validators = 2;
    s.quorum = 3;
    let ix = ix::update_domain_settings(d.owner.pubkey(), d.keys.domain, s);
    env.fails_with(&[ix], &[&d.owner], code(E::QuorumAboveMaxValidators))
        .await;
    // Bounds narrowed after creation apply to later changes.
    let mut b = default_bounds();
    b.max_fee_bps = 1_500;
    set_bounds(&mut env, &p, b).await;
    let ix = ix::update_domain_settings(d.owner.pubkey(), d.keys.domain, next_settings());
    env.fails_with(&[ix], &[&d.owner], code(E::FeeBpsOutOfBounds))
        .await;
    let state: Domain = env.get(d.keys.domain).await;
    assert_eq!(state.pending_settings, None);
}

#[tokio::test]
async fn fee_increase_conflicting_with_a_minted_model_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mut b = default_bounds();
    (b.max_fee_bps, b.max_model_share_bps) = (5_000, 5_000);
    set_bounds(&mut env, &p, b).await;
    // Domain: fee 1000, ceiling 5000; a model takes x = 5000 (5000 + 1000 + 100 <= 10000).
    let d = env.default_domain(&p).await;
    env.model(&d, 5_000).await;

    // Fee 5000 with ceiling 4900 fits on its own (5000 + 4900 + 100 = 10000) but not with
    // the minted model: 5000 + 5000 + 100 > 10000.
    let mut s = default_settings();
    (s.fee_bps, s.max_model_share_bps) = (5_000, 4_900);
    let ix = ix::update_domain_settings(d.owner.pubkey(), d.keys.domain, s);
    env.fails_with(&[ix], &[&d.owner], code(E::FeeConflictsWithMintedModel))
        .await;

    // The largest fee that still leaves room for the model is accepted.
    s.fee_bps = 4_900;
    env.ok(
        &[ix::update_domain_settings(
            d.owner.pubkey(),
            d.keys.domain,
            s,
        )],
        &[&d.owner],
    )
    .await;
}
