//! pay: one token transfer, the §12 split on what arrived, epoch and model counters.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::state::{EpochShard, ModelEpoch};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

async fn pay_and_check_counters(program: solana_sdk::pubkey::Pubkey) {
    let mut w = world_with(program, &[]).await;
    let line = w.pay(0, 10_000_000).await;
    assert_eq!(
        (
            line.sent,
            line.received,
            line.owner,
            line.fee,
            line.buyback,
            line.pool
        ),
        (10_000_000, 10_000_000, 2_500_000, 1_000_000, 100_000, 6_400_000)
    );
    let line = w.pay(0, 333_333).await;
    assert_eq!(
        (line.owner, line.fee, line.buyback, line.pool),
        (83_333, 33_333, 3_333, 213_334)
    );
    let shard: EpochShard = w.env.get(pda::epoch_shard(&w.d.keys.domain, 0, 0)).await;
    assert_eq!(
        (shard.revenue, shard.pool, shard.payments, shard.usage_units),
        (10_333_333, 6_613_334, 2, 2)
    );
    let record: ModelEpoch = w.env.get(pda::model_epoch(&w.model, 0)).await;
    assert_eq!(
        (record.revenue, record.payments, record.epoch, record.model),
        (10_333_333, 2, 0, w.model)
    );
    assert_eq!(record.rent_payer, w.consumer.pubkey());
    let ledger = w.ledger(0).await;
    assert_eq!(
        (
            ledger.model_owed,
            ledger.fee_owed,
            ledger.buyback_owed,
            ledger.pool_owed
        ),
        (2_583_333, 1_033_333, 103_333, 6_613_334)
    );
    assert_eq!(
        w.env.balance(pda::vault(&w.d.keys.domain, 0)).await,
        10_333_333
    );
    let m = w.model_state().await;
    assert_eq!((m.claimable, m.lifetime_revenue), (2_583_333, 10_333_333));
}

#[tokio::test]
async fn pay_splits_and_counts_with_token() {
    pay_and_check_counters(TOKEN).await;
}

#[tokio::test]
async fn pay_splits_and_counts_with_token_2022() {
    pay_and_check_counters(TOKEN_2022).await;
}

#[tokio::test]
async fn pay_with_a_transfer_fee_splits_what_arrived() {
    let mut w = world_with(
        TOKEN_2022,
        &[MintExt::TransferFee {
            bps: 50,
            max: 1_000_000,
        }],
    )
    .await;
    let line = w.pay(1, 1_000_000).await;
    // 0.5% withheld by the mint: the vault got 995,000 and only that is split.
    assert_eq!((line.sent, line.received), (1_000_000, 995_000));
    assert_eq!(line.owner + line.fee + line.buyback + line.pool, 995_000);
    let m = w.model_state().await;
    assert_eq!(m.lifetime_revenue, 995_000);
}

#[tokio::test]
async fn pay_matches_the_section_12_split_for_many_amounts() {
    let mut w = world().await;
    let mut amount: u64 = 100;
    for _ in 0..12 {
        let line = w.pay((amount % 2) as u8, amount).await;
        // §12 written out here, independently of the math crate: x = 25%, y = 10%.
        let (owner, fee, buyback) = (
            amount * 2_500 / 10_000,
            amount * 1_000 / 10_000,
            amount / 100,
        );
        assert_eq!(
            (line.owner, line.fee, line.buyback, line.pool),
            (owner, fee, buyback, amount - owner - fee - buyback)
        );
        amount = (amount * 7 + 13) % 50_000_000 + 100;
    }
}

#[tokio::test]
async fn pay_in_dn_burns_the_buyback_share() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let holder = p.dn_holder.insecure_clone();
    // A domain paid in DN: the holder is the consumer.
    let d = env
        .domain_on_mint(&p, p.dn.mint, TOKEN, Keypair::new(), 1, default_settings())
        .await;
    assert!(d.keys.is_dn);
    let (model, _) = env.model(&d, 2_500).await;
    env.airdrop(&holder.pubkey(), 1_000_000_000).await;
    let supply = env.supply(p.dn.mint).await;
    let ix = ix::pay(
        &d.keys,
        holder.pubkey(),
        p.dn_holder_account,
        model,
        0,
        1_000_000,
        1,
    );
    let ev: deepnode::events::PaymentRouted = env.ok_event(&[ix], &[&holder]).await;
    assert!(ev.burned);
    assert_eq!(ev.line.buyback, 10_000);
    assert_eq!(env.supply(p.dn.mint).await, supply - 10_000);
    let ledger: deepnode::state::VaultShard = env.get(pda::vault_shard(&d.keys.domain, 0)).await;
    assert_eq!((ledger.dn_burned, ledger.buyback_owed), (10_000, 0));
    assert_eq!(env.balance(pda::vault(&d.keys.domain, 0)).await, 990_000);
    env.check_vaults(&d, &[model]).await;
    env.check_dn_supply(p.dn.mint, &[&d]).await;
    // The mint must be writable for the burn: a read-only mint is refused clearly.
    let mut ix = ix::pay(
        &d.keys,
        holder.pubkey(),
        p.dn_holder_account,
        model,
        0,
        1_000_000,
        1,
    );
    let i = index_of(&ix, &p.dn.mint);
    ix.accounts[i].is_writable = false;
    env.fails_with(&[ix], &[&holder], code(E::MintNotWritable))
        .await;
}

#[tokio::test]
async fn pay_below_the_minimum_fails() {
    let mut w = world().await;
    let consumer = w.consumer.insecure_clone();
    w.env
        .fails_with(&[w.pay_ix(0, 99)], &[&consumer], code(E::PaymentTooSmall))
        .await;
    w.pay(0, 100).await;
}

#[tokio::test]
async fn pay_while_paused_fails() {
    let mut w = world().await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    let consumer = w.consumer.insecure_clone();
    w.env
        .fails_with(&[w.pay_ix(0, 1_000)], &[&consumer], code(E::ProtocolPaused))
        .await;
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), false)], &[&gov])
        .await;
    w.pay(0, 1_000).await;
}

#[tokio::test]
async fn pay_refuses_substituted_accounts() {
    let mut w = world().await;
    let consumer = w.consumer.insecure_clone();
    let keys = w.d.keys;
    // Vault of shard 1 with the ledger of shard 0 (A3).
    let ix = replace(
        w.pay_ix(0, 1_000),
        &pda::vault(&keys.domain, 0),
        pda::vault(&keys.domain, 1),
    );
    w.env
        .fails_with(&[ix], &[&consumer], code(E::VaultMismatch))
        .await;
    // Ledger of shard 1 with everything else of shard 0.
    let ix = replace(
        w.pay_ix(0, 1_000),
        &pda::vault_shard(&keys.domain, 0),
        pda::vault_shard(&keys.domain, 1),
    );
    w.env
        .fails_with(&[ix], &[&consumer], code(E::ShardAccountMismatch))
        .await;
    // Counter of shard 1.
    let ix = replace(
        w.pay_ix(0, 1_000),
        &pda::epoch_shard(&keys.domain, 0, 0),
        pda::epoch_shard(&keys.domain, 0, 1),
    );
    w.env
        .fails_with(&[ix], &[&consumer], code(E::ShardAccountMismatch))
        .await;
    // Payer's account of another mint (D1).
    let other = w.env.create_mint(TOKEN, 6, &consumer.pubkey()).await;
    let other_acct = w
        .env
        .funded_account(&consumer.pubkey(), &other, &consumer, 10_000)
        .await;
    let ix = replace(w.pay_ix(0, 1_000), &w.consumer_token, other_acct);
    w.env
        .fails_with(&[ix], &[&consumer], anchor_code::TOKEN_MINT)
        .await;
    // Another mint in place of the revenue mint.
    let ix = replace(w.pay_ix(0, 1_000), &keys.revenue_mint, other);
    w.env
        .fails_with(&[ix], &[&consumer], anchor_code::TOKEN_MINT)
        .await;
    // A token program other than the domain's (H1).
    let ix = replace(w.pay_ix(0, 1_000), &keys.token_program, TOKEN_2022);
    w.env
        .fails_with(&[ix], &[&consumer], anchor_code::TOKEN_TOKEN_PROGRAM)
        .await;
    // The config replaced by another program account.
    let ix = replace(
        w.pay_ix(0, 1_000),
        &pda::config(),
        pda::vault_shard(&keys.domain, 0),
    );
    w.env
        .fails_with(&[ix], &[&consumer], anchor_code::DISCRIMINATOR)
        .await;
    // A model of another domain.
    let p = &w.p;
    let other_domain = w.env.default_domain(p).await;
    let (foreign_model, _) = w.env.model(&other_domain, 1_000).await;
    let ix = ix::pay(
        &keys,
        consumer.pubkey(),
        w.consumer_token,
        foreign_model,
        0,
        1_000,
        1,
    );
    w.env
        .fails_with(&[ix], &[&consumer], code(E::ModelWrongDomain))
        .await;
    // The other domain's vault authority and shard counter.
    let ix = replace(
        w.pay_ix(0, 1_000),
        &pda::vault_authority(&keys.domain),
        pda::vault_authority(&other_domain.keys.domain),
    );
    w.env
        .fails_with(&[ix], &[&consumer], code(E::VaultAuthorityMismatch))
        .await;
    let ix = replace(
        w.pay_ix(0, 1_000),
        &pda::epoch_shard(&keys.domain, 0, 0),
        pda::epoch_shard(&other_domain.keys.domain, 0, 0),
    );
    w.env
        .fails_with(&[ix], &[&consumer], code(E::ShardAccountMismatch))
        .await;
    // A closed epoch's counter: a payment goes to the open epoch only (an epoch is open
    // exactly while it is its domain's current one).
    let stale = w.pay_ix(0, 1_000);
    w.env.close_epoch(&mut w.d).await;
    w.env
        .fails_with(&[stale], &[&consumer], code(E::EpochNotCurrent))
        .await;
    w.check().await;
}

#[tokio::test]
async fn pay_into_an_epoch_other_than_the_open_one_fails() {
    let mut w = world().await;
    let consumer = w.consumer.insecure_clone();
    // Only the domain's open epoch is accepted: naming epoch 1 (not opened yet) names
    // shard counters that do not exist yet.
    let mut keys = w.d.keys;
    keys.epoch = 1;
    let ix = ix::pay(
        &keys,
        consumer.pubkey(),
        w.consumer_token,
        w.model,
        0,
        1_000,
        1,
    );
    w.env
        .fails_with(&[ix], &[&consumer], anchor_code::NOT_INITIALIZED)
        .await;
}

#[tokio::test]
async fn queued_fee_change_does_not_touch_the_open_epoch() {
    let mut w = world().await;
    let mut next = default_settings();
    next.fee_bps = 2_000;
    let owner = w.d.owner.insecure_clone();
    w.env
        .ok(
            &[ix::update_domain_settings(
                owner.pubkey(),
                w.d.keys.domain,
                next,
            )],
            &[&owner],
        )
        .await;
    // Invariant 7: the open epoch keeps the fee it opened with.
    let line = w.pay(0, 1_000_000).await;
    assert_eq!(line.fee, 100_000);
}

/// §4 (review finding 4): usage units are informational. A payment carrying `u64::MAX`
/// units blocks nothing: later payments to the same model and shard go through, and the
/// counters saturate.
#[tokio::test]
async fn usage_counters_never_make_a_payment_fail() {
    let mut w = world().await;
    let consumer = w.consumer.insecure_clone();
    let pay = |amount: u64, usage: u64| {
        ix::pay(
            &w.d.keys,
            consumer.pubkey(),
            w.consumer_token,
            w.model,
            0,
            amount,
            usage,
        )
    };
    let (huge, again) = (pay(100, u64::MAX), pay(1_000, 5));
    w.env.ok(&[huge], &[&consumer]).await;
    w.env.ok(&[again], &[&consumer]).await;
    let shard: EpochShard = w.env.get(pda::epoch_shard(&w.d.keys.domain, 0, 0)).await;
    assert_eq!(
        (shard.usage_units, shard.payments, shard.revenue),
        (u64::MAX, 2, 1_100)
    );
    let record: ModelEpoch = w.env.get(pda::model_epoch(&w.model, 0)).await;
    assert_eq!((record.usage_units, record.payments), (u64::MAX, 2));
    w.check().await;
}
