//! withdraw_fees.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::FeesWithdrawn;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

#[tokio::test]
async fn fee_authority_withdraws_each_shard() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    w.pay(1, 2_000_000).await;
    let fee = w.d.fee_authority.insecure_clone();
    let dest = w.revenue_account(&fee.pubkey()).await;
    let keys = w.d.keys;
    let ev: FeesWithdrawn = w
        .env
        .ok_event(&[ix::withdraw_fees(&keys, fee.pubkey(), dest, 1)], &[&fee])
        .await;
    assert_eq!((ev.amount, ev.shard, ev.destination), (200_000, 1, dest));
    assert_eq!(w.ledger(1).await.fee_owed, 0);
    assert_eq!(w.ledger(1).await.lifetime_fees, 200_000);
    w.check().await;
    w.env
        .fails_with(
            &[ix::withdraw_fees(&keys, fee.pubkey(), dest, 1)],
            &[&fee],
            code(E::NothingToWithdraw),
        )
        .await;
    w.env
        .ok(&[ix::withdraw_fees(&keys, fee.pubkey(), dest, 0)], &[&fee])
        .await;
    assert_eq!(w.env.balance(dest).await, 300_000);
    w.check().await;
}

#[tokio::test]
async fn withdraw_fees_refuses_others() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    let fee = w.d.fee_authority.insecure_clone();
    let keys = w.d.keys;
    let stranger = Keypair::new();
    let stranger_dest = w.revenue_account(&stranger.pubkey()).await;
    let fee_dest = w.revenue_account(&fee.pubkey()).await;
    w.env
        .fails_with(
            &[ix::withdraw_fees(
                &keys,
                stranger.pubkey(),
                stranger_dest,
                0,
            )],
            &[&stranger],
            code(E::NotFeeAuthority),
        )
        .await;
    // Payee account checked for owner and mint (A5).
    w.env
        .fails_with(
            &[ix::withdraw_fees(&keys, fee.pubkey(), stranger_dest, 0)],
            &[&fee],
            anchor_code::TOKEN_OWNER,
        )
        .await;
    let other = w.env.create_mint(TOKEN, 6, &fee.pubkey()).await;
    let other_dest = w.env.create_token_account(&fee.pubkey(), &other).await;
    w.env
        .fails_with(
            &[ix::withdraw_fees(&keys, fee.pubkey(), other_dest, 0)],
            &[&fee],
            anchor_code::TOKEN_MINT,
        )
        .await;
    // The buyback vault is not a shard vault (A3).
    let ix = replace(
        ix::withdraw_fees(&keys, fee.pubkey(), fee_dest, 0),
        &pda::vault(&keys.domain, 0),
        pda::buyback_vault(&keys.domain),
    );
    w.env
        .fails_with(&[ix], &[&fee], code(E::VaultMismatch))
        .await;
    w.check().await;
}

#[tokio::test]
async fn domain_owner_rotates_the_fee_authority() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    let owner = w.d.owner.insecure_clone();
    let old = w.d.fee_authority.insecure_clone();
    let new = Keypair::new();
    let domain = w.d.keys.domain;
    // Only the domain owner, and only to another key.
    w.env
        .fails_with(
            &[ix::set_fee_authority(old.pubkey(), domain, new.pubkey())],
            &[&old],
            code(E::NotDomainOwner),
        )
        .await;
    w.env
        .fails_with(
            &[ix::set_fee_authority(owner.pubkey(), domain, old.pubkey())],
            &[&owner],
            code(E::FeeAuthorityUnchanged),
        )
        .await;
    let ev: deepnode::events::FeeAuthorityChanged = w
        .env
        .ok_event(
            &[ix::set_fee_authority(owner.pubkey(), domain, new.pubkey())],
            &[&owner],
        )
        .await;
    assert_eq!((ev.old, ev.new), (old.pubkey(), new.pubkey()));
    // The old key has lost both powers; fees credited before are the new key's.
    let keys = w.d.keys;
    let old_dest = w.revenue_account(&old.pubkey()).await;
    w.env
        .fails_with(
            &[ix::withdraw_fees(&keys, old.pubkey(), old_dest, 0)],
            &[&old],
            code(E::NotFeeAuthority),
        )
        .await;
    let line = deepnode_sdk::ix::Line {
        model: w.model,
        amount: 1_000,
        usage_units: 1,
    };
    w.env
        .fails_with(
            &[ix::pay_batch(&keys, old.pubkey(), old_dest, 0, &[line])],
            &[&old],
            code(E::NotFeeAuthority),
        )
        .await;
    let new_dest = w.revenue_account(&new.pubkey()).await;
    w.env
        .ok(
            &[ix::withdraw_fees(&keys, new.pubkey(), new_dest, 0)],
            &[&new],
        )
        .await;
    assert_eq!(w.env.balance(new_dest).await, 100_000);
    w.check().await;
}

#[tokio::test]
async fn another_domains_vaults_and_authority_are_refused() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    let p = &w.p;
    let other = w.env.default_domain(p).await;
    let fee = w.d.fee_authority.insecure_clone();
    let dest = w.revenue_account(&fee.pubkey()).await;
    let keys = w.d.keys;
    // Each domain has its own vault authority and vaults (B3).
    for (mine, theirs, expected) in [
        (
            pda::vault(&keys.domain, 0),
            pda::vault(&other.keys.domain, 0),
            code(E::VaultMismatch),
        ),
        (
            pda::vault_shard(&keys.domain, 0),
            pda::vault_shard(&other.keys.domain, 0),
            code(E::ShardAccountMismatch),
        ),
        (
            pda::vault_authority(&keys.domain),
            pda::vault_authority(&other.keys.domain),
            code(E::VaultAuthorityMismatch),
        ),
    ] {
        let ix = replace(
            ix::withdraw_fees(&keys, fee.pubkey(), dest, 0),
            &mine,
            theirs,
        );
        w.env.fails_with(&[ix], &[&fee], expected).await;
    }
    // A program that is not a token program in the token program's place (H1).
    let ix = replace(
        ix::withdraw_fees(&keys, fee.pubkey(), dest, 0),
        &keys.token_program,
        anchor_lang::system_program::ID,
    );
    w.env
        .fails_with(&[ix], &[&fee], anchor_code::INVALID_PROGRAM_ID)
        .await;
    w.check().await;
}
