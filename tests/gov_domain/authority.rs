//! Two-step governance rotation: `propose_authority` / `accept_authority`.
use deepnode::errors::DeepNodeError as E;
use deepnode::events::{AuthorityAccepted, AuthorityProposed, FoundationChanged};
use deepnode::state::Config;
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

#[tokio::test]
async fn authority_rotation_hands_over_every_power() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let next = Keypair::new();

    let ev: AuthorityProposed = env
        .ok_event(
            &[ix::propose_authority(p.gov.pubkey(), Some(next.pubkey()))],
            &[&p.gov],
        )
        .await;
    assert_eq!(
        (ev.authority, ev.pending),
        (p.gov.pubkey(), Some(next.pubkey()))
    );
    let c: Config = env.get(pda::config()).await;
    assert_eq!(
        (c.authority, c.pending_authority),
        (p.gov.pubkey(), Some(next.pubkey()))
    );

    let ev: AuthorityAccepted = env
        .ok_event(&[ix::accept_authority(next.pubkey())], &[&next])
        .await;
    assert_eq!((ev.old, ev.new), (p.gov.pubkey(), next.pubkey()));
    let c: Config = env.get(pda::config()).await;
    assert_eq!((c.authority, c.pending_authority), (next.pubkey(), None));

    // The old key lost its power, the new one has it.
    let ix_old = ix::update_bounds(p.gov.pubkey(), default_bounds());
    env.fails_with(&[ix_old], &[&p.gov], code(E::NotGovernance))
        .await;
    env.ok(
        &[ix::update_bounds(next.pubkey(), default_bounds())],
        &[&next],
    )
    .await;
    // Accepting twice finds nothing pending.
    env.fails_with(
        &[ix::accept_authority(next.pubkey())],
        &[&next],
        code(E::NoPendingAuthority),
    )
    .await;
}

#[tokio::test]
async fn propose_none_cancels_the_rotation() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let next = Keypair::new();
    env.ok(
        &[ix::propose_authority(p.gov.pubkey(), Some(next.pubkey()))],
        &[&p.gov],
    )
    .await;
    let ev: AuthorityProposed = env
        .ok_event(&[ix::propose_authority(p.gov.pubkey(), None)], &[&p.gov])
        .await;
    assert_eq!((ev.authority, ev.pending), (p.gov.pubkey(), None));
    let c: Config = env.get(pda::config()).await;
    assert_eq!(c.pending_authority, None);
    env.fails_with(
        &[ix::accept_authority(next.pubkey())],
        &[&next],
        code(E::NoPendingAuthority),
    )
    .await;
}

#[tokio::test]
async fn accept_by_other_than_pending_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let next = Keypair::new();
    env.ok(
        &[ix::propose_authority(p.gov.pubkey(), Some(next.pubkey()))],
        &[&p.gov],
    )
    .await;
    let intruder = Keypair::new();
    env.fails_with(
        &[ix::accept_authority(intruder.pubkey())],
        &[&intruder],
        code(E::NotPendingAuthority),
    )
    .await;
    // Not even the current governance can accept on the pending key's behalf.
    env.fails_with(
        &[ix::accept_authority(p.gov.pubkey())],
        &[&p.gov],
        code(E::NotPendingAuthority),
    )
    .await;
    let c: Config = env.get(pda::config()).await;
    assert_eq!(
        (c.authority, c.pending_authority),
        (p.gov.pubkey(), Some(next.pubkey()))
    );
}

#[tokio::test]
async fn accept_with_nothing_pending_fails() {
    let mut env = Env::start().await;
    env.init_protocol(TOKEN).await;
    let somebody = Keypair::new();
    env.fails_with(
        &[ix::accept_authority(somebody.pubkey())],
        &[&somebody],
        code(E::NoPendingAuthority),
    )
    .await;
}

#[tokio::test]
async fn propose_by_non_governance_fails() {
    let mut env = Env::start().await;
    env.init_protocol(TOKEN).await;
    let intruder = Keypair::new();
    let ix = ix::propose_authority(intruder.pubkey(), Some(intruder.pubkey()));
    env.fails_with(&[ix], &[&intruder], code(E::NotGovernance))
        .await;
    let c: Config = env.get(pda::config()).await;
    assert_eq!(c.pending_authority, None);
}

/// Review finding 8: governance rotates the foundation's DN account, with an event.
#[tokio::test]
async fn governance_rotates_the_foundation_account() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let owner = Keypair::new();
    let new_account = env.create_token_account(&owner.pubkey(), &p.dn.mint).await;
    let old = env.get::<Config>(pda::config()).await.foundation;
    let stranger = Keypair::new();
    env.fails_with(
        &[ix::set_foundation(stranger.pubkey(), new_account)],
        &[&stranger],
        code(E::NotGovernance),
    )
    .await;
    // Not a DN account.
    let other_mint = env
        .create_mint(p.dn.token_program, 6, &Keypair::new().pubkey())
        .await;
    let wrong = env.create_token_account(&owner.pubkey(), &other_mint).await;
    env.fails_with(
        &[ix::set_foundation(p.gov.pubkey(), wrong)],
        &[&p.gov],
        anchor_code::TOKEN_MINT,
    )
    .await;
    env.fails_with(
        &[ix::set_foundation(p.gov.pubkey(), old)],
        &[&p.gov],
        code(E::FoundationUnchanged),
    )
    .await;
    let ev: FoundationChanged = env
        .ok_event(
            &[ix::set_foundation(p.gov.pubkey(), new_account)],
            &[&p.gov],
        )
        .await;
    assert_eq!(
        (ev.authority, ev.old, ev.new),
        (p.gov.pubkey(), old, new_account)
    );
    assert_eq!(
        env.get::<Config>(pda::config()).await.foundation,
        new_account
    );
}
