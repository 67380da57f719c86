//! `set_paused`: what stops (payments, new domains and models) and what never does
//! (fee withdrawals and model claims).
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::{PauseChanged, PaymentRouted};
use deepnode::state::{Config, Domain, Model, VaultShard};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

async fn set_paused(env: &mut Env, p: &Protocol, paused: bool) -> PauseChanged {
    let gov = p.gov.insecure_clone();
    env.ok_event(&[ix::set_paused(gov.pubkey(), paused)], &[&gov])
        .await
}

#[tokio::test]
async fn pause_and_unpause_emit_events() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let ev = set_paused(&mut env, &p, true).await;
    assert_eq!((ev.authority, ev.paused), (p.gov.pubkey(), true));
    assert!(env.get::<Config>(pda::config()).await.paused);
    let ev = set_paused(&mut env, &p, false).await;
    assert_eq!((ev.authority, ev.paused), (p.gov.pubkey(), false));
    assert!(!env.get::<Config>(pda::config()).await.paused);
}

#[tokio::test]
async fn pause_to_the_same_state_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    env.fails_with(
        &[ix::set_paused(p.gov.pubkey(), false)],
        &[&p.gov],
        code(E::PauseUnchanged),
    )
    .await;
    set_paused(&mut env, &p, true).await;
    env.fails_with(
        &[ix::set_paused(p.gov.pubkey(), true)],
        &[&p.gov],
        code(E::PauseUnchanged),
    )
    .await;
}

#[tokio::test]
async fn pause_by_non_governance_fails() {
    let mut env = Env::start().await;
    env.init_protocol(TOKEN).await;
    let intruder = Keypair::new();
    env.fails_with(
        &[ix::set_paused(intruder.pubkey(), true)],
        &[&intruder],
        code(E::NotGovernance),
    )
    .await;
    assert!(!env.get::<Config>(pda::config()).await.paused);
}

#[tokio::test]
async fn pause_stops_entries_but_never_exits() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env.default_domain(&p).await;
    let (model, model_owner) = env.model(&d, 2_500).await;
    let (consumer, consumer_token) = env.consumer(&d, 10_000_000).await;
    let ev: PaymentRouted = env
        .ok_event(
            &[pay_ix(&d, &consumer, consumer_token, model, 0, 1_000_000)],
            &[&consumer],
        )
        .await;
    deepnode_tests::invariants::check_line(&ev.line);
    assert!(ev.line.fee > 0 && ev.line.owner > 0);

    set_paused(&mut env, &p, true).await;

    // New domains, new models and payments are refused.
    let mint = env.create_mint(TOKEN, 6, &Keypair::new().pubkey()).await;
    let nd = new_domain(&mut env, &p, mint, TOKEN, 1, default_settings()).await;
    env.fails_with(
        std::slice::from_ref(&nd.ix),
        &[&nd.owner, &p.gov],
        code(E::ProtocolPaused),
    )
    .await;
    let domain: Domain = env.get(d.keys.domain).await;
    let ix = ix::mint_model(
        model_owner.pubkey(),
        d.keys.domain,
        domain.model_count,
        1_000,
    );
    env.fails_with(&[ix], &[&model_owner], code(E::ProtocolPaused))
        .await;
    let ix = pay_ix(&d, &consumer, consumer_token, model, 1, 1_000_000);
    env.fails_with(&[ix], &[&consumer], code(E::ProtocolPaused))
        .await;

    // The fee authority and the model owner still take out what is theirs.
    let fee_account = env
        .create_token_account(&d.fee_authority.pubkey(), &d.keys.revenue_mint)
        .await;
    let ix = ix::withdraw_fees(&d.keys, d.fee_authority.pubkey(), fee_account, 0);
    env.ok(&[ix], &[&d.fee_authority]).await;
    assert_eq!(env.balance(fee_account).await, ev.line.fee);

    let owner_account = env
        .create_token_account(&model_owner.pubkey(), &d.keys.revenue_mint)
        .await;
    let ix = ix::claim_model_revenue(&d.keys, model_owner.pubkey(), model, owner_account, 0);
    env.ok(&[ix], &[&model_owner]).await;
    assert_eq!(env.balance(owner_account).await, ev.line.owner);
    assert_eq!(env.get::<Model>(model).await.claimable, 0);
    let ledger: VaultShard = env.get(pda::vault_shard(&d.keys.domain, 0)).await;
    assert_eq!((ledger.fee_owed, ledger.model_owed), (0, 0));
    env.check_vaults(&d, &[model]).await;

    // Unpaused, payments flow again.
    set_paused(&mut env, &p, false).await;
    let ix = pay_ix(&d, &consumer, consumer_token, model, 1, 1_000_000);
    env.ok(&[ix], &[&consumer]).await;
    env.check_vaults(&d, &[model]).await;
    env.check_dn_supply(p.dn.mint, &[&d]).await;
}
