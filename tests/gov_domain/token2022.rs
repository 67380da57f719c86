//! Token-2022 revenue mints at `create_domain` (SECURITY D2): each refused extension with
//! its own error; each accepted one works end to end through a payment.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::PaymentRouted;
use deepnode::state::Config;
use deepnode_tests::fixtures::*;
use deepnode_tests::invariants::check_line;
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

#[tokio::test]
async fn create_domain_refuses_accounting_breaking_extensions() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let cases = [
        (MintExt::TransferHook, false, E::MintHasTransferHook),
        (
            MintExt::PermanentDelegate,
            false,
            E::MintHasPermanentDelegate,
        ),
        (MintExt::NonTransferable, false, E::MintNonTransferable),
        (
            MintExt::ConfidentialTransfer,
            false,
            E::MintHasConfidentialTransfer,
        ),
        (MintExt::DefaultFrozen, true, E::MintDefaultFrozen),
        (MintExt::CloseAuthority, false, E::MintHasCloseAuthority),
        (MintExt::Pausable, false, E::MintPausable),
    ];
    for (ext, freeze, expected) in cases {
        let authority = Keypair::new().pubkey();
        let mint = env
            .create_mint_full(
                TOKEN_2022,
                6,
                &authority,
                freeze.then_some(&authority),
                &[ext],
            )
            .await;
        let nd = new_domain(&mut env, &p, mint, TOKEN_2022, 1, default_settings()).await;
        let name = format!("{ext:?}");
        fails_case(
            &mut env,
            &name,
            std::slice::from_ref(&nd.ix),
            &[&nd.owner, &p.gov],
            expected,
        )
        .await;
    }
    // A refused extension next to an accepted one is still refused.
    let authority = Keypair::new().pubkey();
    let exts = [
        MintExt::TransferFee {
            bps: 100,
            max: u64::MAX,
        },
        MintExt::PermanentDelegate,
    ];
    let mint = env
        .create_mint_full(TOKEN_2022, 6, &authority, None, &exts)
        .await;
    let nd = new_domain(&mut env, &p, mint, TOKEN_2022, 1, default_settings()).await;
    fails_case(
        &mut env,
        "fee + delegate",
        std::slice::from_ref(&nd.ix),
        &[&nd.owner, &p.gov],
        E::MintHasPermanentDelegate,
    )
    .await;
    assert_eq!(env.get::<Config>(pda::config()).await.domain_count, 0);
}

const SENT: u64 = 1_000_000;

/// Creates a domain on a Token-2022 mint with `ext`, pays `SENT` for a model and checks
/// invariant 1 and that the split base is what the vault received; returns the line.
async fn accepted(ext: MintExt, freeze: bool) -> deepnode::events::RoutedLine {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = partial_domain(&mut env, &p, TOKEN_2022, &[ext], freeze, 2, 2).await;
    let (model, _owner) = env.model(&d, 2_500).await;
    let (consumer, token) = env.consumer(&d, 10 * SENT).await;
    let vault = pda::vault(&d.keys.domain, 1);
    let before = env.balance(vault).await;
    let ev: PaymentRouted = env
        .ok_event(
            &[pay_ix(&d, &consumer, token, model, 1, SENT)],
            &[&consumer],
        )
        .await;
    let after = env.balance(vault).await;
    check_line(&ev.line);
    assert_eq!(ev.line.sent, SENT);
    assert_eq!(
        after - before,
        ev.line.received,
        "split base is what the vault received"
    );
    assert_eq!(
        env.balance(token).await,
        9 * SENT,
        "the payer sent the nominal amount"
    );
    env.check_vaults(&d, &[model]).await;
    env.check_dn_supply(p.dn.mint, &[&d]).await;
    ev.line
}

#[tokio::test]
async fn transfer_fee_mint_splits_what_arrived() {
    // 1% fee: the vault receives 990,000 of 1,000,000 and splits that.
    let line = accepted(
        MintExt::TransferFee {
            bps: 100,
            max: u64::MAX,
        },
        false,
    )
    .await;
    assert!(line.received < line.sent);
    assert_eq!(line.received, SENT - SENT / 100);
}

#[tokio::test]
async fn interest_bearing_mint_is_accounted_in_raw_amounts() {
    let line = accepted(MintExt::InterestBearing, false).await;
    assert_eq!(line.received, SENT);
}

#[tokio::test]
async fn scaled_ui_mint_is_accounted_in_raw_amounts() {
    let line = accepted(MintExt::ScaledUi, false).await;
    assert_eq!(line.received, SENT);
}

#[tokio::test]
async fn default_initialized_mint_is_accepted() {
    let line = accepted(MintExt::DefaultInitialized, true).await;
    assert_eq!(line.received, SENT);
}

#[tokio::test]
async fn metadata_pointer_mint_is_accepted() {
    let line = accepted(MintExt::MetadataPointer, false).await;
    assert_eq!(line.received, SENT);
}
