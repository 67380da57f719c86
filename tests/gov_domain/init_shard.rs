//! `init_shard`: shards in order, once each; payments wait for every shard.
use crate::common::*;
use deepnode::constants::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::ShardInitialized;
use deepnode::state::{Domain, EpochShard, VaultShard};
use deepnode_tests::tokens::{TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::signer::Signer;

#[tokio::test]
async fn init_shard_creates_ledger_vault_and_epoch_counter() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = partial_domain(&mut env, &p, TOKEN_2022, &[], false, 3, 0).await;
    let domain = d.keys.domain;
    let payer = env.payer().pubkey();
    for s in 0..3u8 {
        let ev: ShardInitialized = env
            .ok_event(&[ix::init_shard(payer, &d.keys, s)], &[])
            .await;
        let vault = pda::vault(&domain, s);
        assert_eq!((ev.domain, ev.shard, ev.vault), (domain, s, vault));
        assert_eq!(
            ev.domain_ready,
            s == 2,
            "ready only once the last shard exists"
        );

        let ledger: VaultShard = env.get(pda::vault_shard(&domain, s)).await;
        assert_eq!(ledger.version, ACCOUNT_VERSION);
        assert_eq!(
            ledger.bump,
            bump(&[VAULT_SHARD_SEED, domain.as_ref(), &[s]])
        );
        assert_eq!(
            ledger.vault_bump,
            bump(&[VAULT_SEED, domain.as_ref(), &[s]])
        );
        assert_eq!(
            (ledger.domain, ledger.index, ledger.vault),
            (domain, s, vault)
        );
        let owed = ledger.model_owed + ledger.fee_owed + ledger.buyback_owed + ledger.pool_owed;
        let lifetime = ledger.lifetime_received
            + ledger.lifetime_fees
            + ledger.lifetime_model
            + ledger.lifetime_buyback;
        assert_eq!((owed, lifetime, ledger.dn_burned), (0, 0, 0));

        assert_eq!(env.account(vault).await.expect("vault").owner, TOKEN_2022);
        let v = token_state(&mut env, vault).await;
        assert_eq!(
            (v.mint, v.owner, v.amount),
            (d.keys.revenue_mint, pda::vault_authority(&domain), 0)
        );

        let es: EpochShard = env.get(pda::epoch_shard(&domain, 0, s)).await;
        assert_eq!(es.version, ACCOUNT_VERSION);
        assert_eq!(
            es.bump,
            bump(&[EPOCH_SHARD_SEED, domain.as_ref(), &0u64.to_le_bytes(), &[s]])
        );
        assert_eq!((es.domain, es.epoch, es.shard), (domain, 0, s));
        assert_eq!(
            (es.revenue, es.pool, es.usage_units, es.payments),
            (0, 0, 0, 0)
        );
        assert_eq!(es.rent_payer, payer);

        let state: Domain = env.get(domain).await;
        assert_eq!(state.shards_ready, s + 1);
    }
}

#[tokio::test]
async fn init_shard_out_of_order_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = partial_domain(&mut env, &p, TOKEN, &[], false, 3, 0).await;
    let payer = env.payer().pubkey();
    env.fails_with(
        &[ix::init_shard(payer, &d.keys, 1)],
        &[],
        code(E::ShardOutOfOrder),
    )
    .await;
    env.ok(&[ix::init_shard(payer, &d.keys, 0)], &[]).await;
    env.fails_with(
        &[ix::init_shard(payer, &d.keys, 2)],
        &[],
        code(E::ShardOutOfOrder),
    )
    .await;
}

#[tokio::test]
async fn init_shard_beyond_shard_count_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = partial_domain(&mut env, &p, TOKEN, &[], false, 2, 2).await;
    let payer = env.payer().pubkey();
    env.fails_with(
        &[ix::init_shard(payer, &d.keys, 2)],
        &[],
        code(E::ShardIndexOutOfRange),
    )
    .await;
    env.fails_with(
        &[ix::init_shard(payer, &d.keys, 255)],
        &[],
        code(E::ShardIndexOutOfRange),
    )
    .await;
}

#[tokio::test]
async fn init_shard_twice_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = partial_domain(&mut env, &p, TOKEN, &[], false, 2, 1).await;
    let payer = env.payer().pubkey();
    // Shard 0 exists: the domain's counter has moved on, so index 0 is out of order.
    env.fails_with(
        &[ix::init_shard(payer, &d.keys, 0)],
        &[],
        code(E::ShardOutOfOrder),
    )
    .await;
    let state: Domain = env.get(d.keys.domain).await;
    assert_eq!(state.shards_ready, 1);
}

#[tokio::test]
async fn pay_before_every_shard_is_ready_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = partial_domain(&mut env, &p, TOKEN, &[], false, 2, 1).await;
    let (model, _owner) = env.model(&d, 2_500).await;
    let (consumer, token) = env.consumer(&d, 1_000_000).await;
    let ix = pay_ix(&d, &consumer, token, model, 0, 1_000_000);
    env.fails_with(
        std::slice::from_ref(&ix),
        &[&consumer],
        code(E::DomainNotReady),
    )
    .await;
    // Once the last shard exists the same payment goes through.
    env.ok(&[ix::init_shard(env.payer().pubkey(), &d.keys, 1)], &[])
        .await;
    env.ok(&[ix], &[&consumer]).await;
    env.check_vaults(&d, &[model]).await;
}

/// §4 (review finding 6): an epoch cannot close before every shard exists, so no epoch
/// ever has fewer shard counters than shards.
#[tokio::test]
async fn close_before_every_shard_is_ready_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = partial_domain(&mut env, &p, TOKEN, &[], false, 2, 1).await;
    let e0: deepnode::state::Epoch = env.get(pda::epoch(&d.keys.domain, 0)).await;
    let now = env.clock().await.unix_timestamp;
    env.advance(e0.closes_at().expect("close time") - now).await;
    let payer = env.payer().pubkey();
    env.fails_with(
        &[ix::close_epoch(payer, &d.keys, 1)],
        &[],
        code(E::DomainNotReady),
    )
    .await;
    env.ok(&[ix::init_shard(payer, &d.keys, 1)], &[]).await;
    env.ok(&[ix::close_epoch(payer, &d.keys, 2)], &[]).await;
    let e1: deepnode::state::Epoch = env.get(pda::epoch(&d.keys.domain, 1)).await;
    assert_eq!(e1.shard_count, 2);
    for shard in 0..2 {
        let counter: EpochShard = env.get(pda::epoch_shard(&d.keys.domain, 1, shard)).await;
        assert_eq!((counter.epoch, counter.shard), (1, shard));
    }
}
