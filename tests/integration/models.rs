//! mint_model, propose/accept_model_owner, deactivate_model, claim_model_revenue.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::*;
use deepnode::state::{Domain, Model};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::TOKEN_2022;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

#[tokio::test]
async fn mint_model_fixes_the_owner_share() {
    let mut w = world().await;
    let owner = Keypair::new();
    w.env.airdrop(&owner.pubkey(), 1_000_000_000).await;
    let domain: Domain = w.env.get(w.d.keys.domain).await;
    let ix = ix::mint_model(owner.pubkey(), w.d.keys.domain, domain.model_count, 5_000);
    let ev: ModelMinted = w.env.ok_event(&[ix], &[&owner]).await;
    let key = pda::model(&w.d.keys.domain, domain.model_count);
    assert_eq!(
        (ev.model, ev.id, ev.owner, ev.owner_share_bps),
        (key, 1, owner.pubkey(), 5_000)
    );
    let m: Model = w.env.get(key).await;
    assert_eq!(
        (m.owner, m.owner_share_bps, m.active, m.claimable, m.domain),
        (owner.pubkey(), 5_000, true, 0, w.d.keys.domain)
    );
    let domain: Domain = w.env.get(w.d.keys.domain).await;
    assert_eq!(
        (domain.model_count, domain.max_minted_share_bps),
        (2, 5_000)
    );
}

#[tokio::test]
async fn mint_model_above_the_ceiling_fails() {
    let mut w = world().await;
    let owner = w.model_owner.insecure_clone();
    let ix = ix::mint_model(owner.pubkey(), w.d.keys.domain, 1, 5_001);
    w.env
        .fails_with(&[ix], &[&owner], code(E::OwnerShareAboveCeiling))
        .await;
}

#[tokio::test]
async fn mint_model_checks_queued_settings_too() {
    let mut w = world().await;
    let mut next = default_settings();
    next.max_model_share_bps = 2_000;
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
    let mo = w.model_owner.insecure_clone();
    let ix = ix::mint_model(mo.pubkey(), w.d.keys.domain, 1, 3_000);
    w.env
        .fails_with(&[ix], &[&mo], code(E::OwnerShareAboveCeiling))
        .await;
    let ix = ix::mint_model(mo.pubkey(), w.d.keys.domain, 1, 2_000);
    w.env.ok(&[ix], &[&mo]).await;
}

#[tokio::test]
async fn mint_model_with_a_wrong_id_fails_on_seeds() {
    let mut w = world().await;
    let mo = w.model_owner.insecure_clone();
    // The model id must be the domain's counter: anything else is another address.
    let ix = ix::mint_model(mo.pubkey(), w.d.keys.domain, 7, 1_000);
    w.env.fails_with(&[ix], &[&mo], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn mint_model_while_paused_fails() {
    let mut w = world().await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    let mo = w.model_owner.insecure_clone();
    let ix = ix::mint_model(mo.pubkey(), w.d.keys.domain, 1, 1_000);
    w.env
        .fails_with(&[ix], &[&mo], code(E::ProtocolPaused))
        .await;
}

#[tokio::test]
async fn model_ownership_moves_in_two_steps() {
    let mut w = world().await;
    let old = w.model_owner.insecure_clone();
    let new = Keypair::new();
    let stranger = Keypair::new();
    // Only the owner proposes.
    let ix = ix::propose_model_owner(stranger.pubkey(), w.model, Some(new.pubkey()));
    w.env
        .fails_with(&[ix], &[&stranger], code(E::NotModelOwner))
        .await;
    // Nothing pending yet.
    w.env
        .fails_with(
            &[ix::accept_model_owner(new.pubkey(), w.model)],
            &[&new],
            code(E::NoPendingModelOwner),
        )
        .await;
    let ev: ModelOwnerProposed = w
        .env
        .ok_event(
            &[ix::propose_model_owner(
                old.pubkey(),
                w.model,
                Some(new.pubkey()),
            )],
            &[&old],
        )
        .await;
    assert_eq!(ev.pending, Some(new.pubkey()));
    // Only the proposed key accepts.
    w.env
        .fails_with(
            &[ix::accept_model_owner(stranger.pubkey(), w.model)],
            &[&stranger],
            code(E::NotPendingModelOwner),
        )
        .await;
    // The owner share earned so far follows the model.
    w.pay(0, 1_000_000).await;
    let ev: ModelOwnerAccepted = w
        .env
        .ok_event(&[ix::accept_model_owner(new.pubkey(), w.model)], &[&new])
        .await;
    assert_eq!((ev.old, ev.new), (old.pubkey(), new.pubkey()));
    let m = w.model_state().await;
    assert_eq!(
        (m.owner, m.pending_owner, m.owner_share_bps),
        (new.pubkey(), None, 2_500)
    );
    // The old owner has lost every power.
    let ix = ix::deactivate_model(old.pubkey(), w.model);
    w.env
        .fails_with(&[ix], &[&old], code(E::NotModelOwner))
        .await;
    let dest = w.revenue_account(&new.pubkey()).await;
    let keys = w.d.keys;
    w.env
        .ok(
            &[ix::claim_model_revenue(
                &keys,
                new.pubkey(),
                w.model,
                dest,
                0,
            )],
            &[&new],
        )
        .await;
    assert_eq!(w.env.balance(dest).await, 250_000);
    w.check().await;
}

#[tokio::test]
async fn model_owner_transfer_can_be_cancelled() {
    let mut w = world().await;
    let old = w.model_owner.insecure_clone();
    let new = Keypair::new();
    w.env
        .ok(
            &[ix::propose_model_owner(
                old.pubkey(),
                w.model,
                Some(new.pubkey()),
            )],
            &[&old],
        )
        .await;
    w.env
        .ok(
            &[ix::propose_model_owner(old.pubkey(), w.model, None)],
            &[&old],
        )
        .await;
    w.env
        .fails_with(
            &[ix::accept_model_owner(new.pubkey(), w.model)],
            &[&new],
            code(E::NoPendingModelOwner),
        )
        .await;
}

#[tokio::test]
async fn deactivated_model_refuses_payments_but_keeps_its_revenue() {
    let mut w = world().await;
    w.pay(0, 2_000_000).await;
    let owner = w.model_owner.insecure_clone();
    let stranger = Keypair::new();
    w.env
        .fails_with(
            &[ix::deactivate_model(stranger.pubkey(), w.model)],
            &[&stranger],
            code(E::NotModelOwner),
        )
        .await;
    let ev: ModelDeactivated = w
        .env
        .ok_event(&[ix::deactivate_model(owner.pubkey(), w.model)], &[&owner])
        .await;
    assert_eq!(ev.model, w.model);
    w.env
        .fails_with(
            &[ix::deactivate_model(owner.pubkey(), w.model)],
            &[&owner],
            code(E::ModelInactive),
        )
        .await;
    let pay = w.pay_ix(0, 1_000);
    let consumer = w.consumer.insecure_clone();
    w.env
        .fails_with(&[pay], &[&consumer], code(E::ModelInactive))
        .await;
    let dest = w.revenue_account(&owner.pubkey()).await;
    let keys = w.d.keys;
    w.env
        .ok(
            &[ix::claim_model_revenue(
                &keys,
                owner.pubkey(),
                w.model,
                dest,
                0,
            )],
            &[&owner],
        )
        .await;
    assert_eq!(w.env.balance(dest).await, 500_000);
    w.check().await;
}

#[tokio::test]
async fn claim_pays_the_owner_share_from_each_shard() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await; // owner 250,000 in shard 0
    w.pay(1, 3_000_000).await; // owner 750,000 in shard 1
    let owner = w.model_owner.insecure_clone();
    let dest = w.revenue_account(&owner.pubkey()).await;
    let keys = w.d.keys;
    // Shards pool model balances: shard 0 pays what it owes model owners, no more.
    let ev: ModelRevenueClaimed = w
        .env
        .ok_event(
            &[ix::claim_model_revenue(
                &keys,
                owner.pubkey(),
                w.model,
                dest,
                0,
            )],
            &[&owner],
        )
        .await;
    assert_eq!((ev.amount, ev.remaining, ev.shard), (250_000, 750_000, 0));
    w.check().await;
    w.env
        .fails_with(
            &[ix::claim_model_revenue(
                &keys,
                owner.pubkey(),
                w.model,
                dest,
                0,
            )],
            &[&owner],
            code(E::NothingToClaim),
        )
        .await;
    let ev: ModelRevenueClaimed = w
        .env
        .ok_event(
            &[ix::claim_model_revenue(
                &keys,
                owner.pubkey(),
                w.model,
                dest,
                1,
            )],
            &[&owner],
        )
        .await;
    assert_eq!((ev.amount, ev.remaining), (750_000, 0));
    assert_eq!(w.env.balance(dest).await, 1_000_000);
    let m = w.model_state().await;
    assert_eq!(
        (
            m.claimable,
            m.lifetime_claimed,
            m.lifetime_owner_share,
            m.lifetime_revenue
        ),
        (0, 1_000_000, 1_000_000, 4_000_000)
    );
    w.check().await;
}

#[tokio::test]
async fn claim_refuses_wrong_signer_destination_and_vaults() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    w.pay(1, 1_000_000).await;
    let owner = w.model_owner.insecure_clone();
    let keys = w.d.keys;
    let stranger = Keypair::new();
    let own_dest = w.revenue_account(&owner.pubkey()).await;
    let stranger_dest = w.revenue_account(&stranger.pubkey()).await;
    // Someone else cannot claim, even to the owner's account.
    let ix = ix::claim_model_revenue(&keys, stranger.pubkey(), w.model, own_dest, 0);
    w.env
        .fails_with(&[ix], &[&stranger], code(E::NotModelOwner))
        .await;
    // The owner cannot send to an account it does not own (A5).
    let ix = ix::claim_model_revenue(&keys, owner.pubkey(), w.model, stranger_dest, 0);
    w.env
        .fails_with(&[ix], &[&owner], anchor_code::TOKEN_OWNER)
        .await;
    // Nor to an account of another mint (A5).
    let other_mint = w
        .env
        .create_mint(deepnode_tests::tokens::TOKEN, 6, &owner.pubkey())
        .await;
    let wrong_mint_dest = w
        .env
        .create_token_account(&owner.pubkey(), &other_mint)
        .await;
    let ix = ix::claim_model_revenue(&keys, owner.pubkey(), w.model, wrong_mint_dest, 0);
    w.env
        .fails_with(&[ix], &[&owner], anchor_code::TOKEN_MINT)
        .await;
    // A vault substituted from another shard is not the one its ledger stores (A3).
    let ix = ix::claim_model_revenue(&keys, owner.pubkey(), w.model, own_dest, 0);
    let ix = replace(
        ix,
        &pda::vault(&keys.domain, 0),
        pda::vault(&keys.domain, 1),
    );
    w.env
        .fails_with(&[ix], &[&owner], code(E::VaultMismatch))
        .await;
    // A shard that does not exist.
    let ix = ix::claim_model_revenue(&keys, owner.pubkey(), w.model, own_dest, 5);
    w.env
        .fails_with(&[ix], &[&owner], anchor_code::NOT_INITIALIZED)
        .await;
    // A token program other than the domain's.
    let ix = ix::claim_model_revenue(&keys, owner.pubkey(), w.model, own_dest, 0);
    let ix = replace(ix, &keys.token_program, TOKEN_2022);
    w.env
        .fails_with(&[ix], &[&owner], anchor_code::TOKEN_TOKEN_PROGRAM)
        .await;
    w.check().await;
}

#[tokio::test]
async fn claim_with_a_model_of_another_domain_fails() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    let p2 = &w.p;
    let other = w.env.default_domain(p2).await;
    let (other_model, other_owner) = w.env.model(&other, 1_000).await;
    let dest = w.revenue_account(&other_owner.pubkey()).await;
    let keys = w.d.keys;
    // Another domain's model against this domain's vaults: the model stores its own
    // domain, so the substitution is caught before any balance is read.
    let ix = ix::claim_model_revenue(&keys, other_owner.pubkey(), other_model, dest, 0);
    w.env
        .fails_with(&[ix], &[&other_owner], code(E::ModelWrongDomain))
        .await;
}
