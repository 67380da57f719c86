//! `initialize` (adopt an existing DN mint) and `initialize_with_new_mint`.
use crate::common::*;
use deepnode::constants::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::ProtocolInitialized;
use deepnode::state::{BpsRange, Config};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

const SUPPLY: u64 = 7_000_000;

/// Adopts a fresh DN mint of `program` and checks every Config field and the event.
async fn adopts_mint(program: Pubkey) {
    let mut env = Env::start().await;
    let dn = dn_mint(&mut env, program, false, &[], SUPPLY, true).await;
    let gov = Keypair::new();
    let args = init_args(gov.pubkey(), Some(10 * SUPPLY));
    let up = env.upgrade.insecure_clone();
    let ev: ProtocolInitialized = env.ok_event(&[dn.init_ix(&env, args)], &[&up]).await;

    assert_eq!(ev.authority, gov.pubkey());
    assert_eq!(ev.dn_mint, dn.mint);
    assert!(!ev.mint_created, "an adopted mint is not created");
    assert_eq!(ev.foundation, dn.foundation);
    assert_eq!(ev.initial_supply, SUPPLY);
    assert_eq!(ev.max_supply, Some(10 * SUPPLY));
    assert_eq!(ev.bounds, default_bounds());

    let c: Config = env.get(pda::config()).await;
    assert_eq!(c.version, ACCOUNT_VERSION);
    assert_eq!(c.bump, bump(&[CONFIG_SEED]));
    assert_eq!(c.mint_authority_bump, bump(&[MINT_AUTHORITY_SEED]));
    assert_eq!(c.authority, gov.pubkey());
    assert_eq!(c.pending_authority, None);
    assert!(!c.paused);
    assert_eq!(c.dn_mint, dn.mint);
    assert_eq!(c.dn_token_program, program);
    assert_eq!(c.dn_decimals, 9);
    assert_eq!(c.foundation, dn.foundation);
    assert_eq!(c.bounds, default_bounds());
    assert_eq!(c.initial_supply, env.supply(dn.mint).await);
    assert_eq!(c.initial_supply, dn.supply);
    assert_eq!(c.max_supply, Some(10 * SUPPLY));
    assert_eq!(c.dn_minted, 0);
    assert_eq!(c.domain_count, 0);
}

#[tokio::test]
async fn initialize_adopts_spl_token_mint() {
    adopts_mint(TOKEN).await;
}

#[tokio::test]
async fn initialize_adopts_token_2022_mint() {
    adopts_mint(TOKEN_2022).await;
}

#[tokio::test]
async fn initialize_accepts_max_supply_equal_to_supply() {
    let mut env = Env::start().await;
    let dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, true).await;
    let up = env.upgrade.insecure_clone();
    env.ok(
        &[dn.init_ix(&env, init_args(Pubkey::new_unique(), Some(SUPPLY)))],
        &[&up],
    )
    .await;
    let c: Config = env.get(pda::config()).await;
    assert_eq!((c.max_supply, c.initial_supply), (Some(SUPPLY), SUPPLY));
}

#[tokio::test]
async fn initialize_by_other_than_upgrade_authority_fails() {
    let mut env = Env::start().await;
    let dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, true).await;
    let intruder = Keypair::new();
    let ix = ix::initialize(
        env.payer().pubkey(),
        intruder.pubkey(),
        dn.mint,
        dn.foundation,
        TOKEN,
        init_args(intruder.pubkey(), None),
    );
    env.fails_with(&[ix], &[&intruder], code(E::NotUpgradeAuthority))
        .await;
    assert!(
        env.account(pda::config()).await.is_none(),
        "no config was created"
    );
}

#[tokio::test]
async fn second_initialize_fails_on_existing_config() {
    let mut env = Env::start().await;
    env.init_protocol(TOKEN).await;
    let dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, true).await;
    let up = env.upgrade.insecure_clone();
    let ix = dn.init_ix(&env, init_args(Pubkey::new_unique(), None));
    // The config exists: the program refuses to create it again.
    env.fails_with(&[ix], &[&up], code(E::AccountAlreadyInitialized))
        .await;
    let c: Config = env.get(pda::config()).await;
    assert_ne!(c.dn_mint, dn.mint, "the first configuration stays");
}

#[tokio::test]
async fn initialize_with_mint_authority_not_pda_fails() {
    let mut env = Env::start().await;
    let dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, false).await;
    let m = mint_state(&mut env, dn.mint).await;
    assert_eq!(
        Option::<Pubkey>::from(m.mint_authority),
        Some(dn.temp.pubkey())
    );
    let up = env.upgrade.insecure_clone();
    let ix = dn.init_ix(&env, init_args(Pubkey::new_unique(), None));
    env.fails_with(&[ix], &[&up], code(E::DnMintAuthorityNotPda))
        .await;
}

#[tokio::test]
async fn initialize_with_freeze_authority_fails() {
    let mut env = Env::start().await;
    let dn = dn_mint(&mut env, TOKEN, true, &[], SUPPLY, true).await;
    let up = env.upgrade.insecure_clone();
    let ix = dn.init_ix(&env, init_args(Pubkey::new_unique(), None));
    env.fails_with(&[ix], &[&up], code(E::DnMintHasFreezeAuthority))
        .await;
}

#[tokio::test]
async fn initialize_with_foundation_of_another_mint_fails() {
    let mut env = Env::start().await;
    let mut dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, true).await;
    let other = env.create_mint(TOKEN, 9, &Keypair::new().pubkey()).await;
    dn.foundation = env
        .create_token_account(&Keypair::new().pubkey(), &other)
        .await;
    let up = env.upgrade.insecure_clone();
    let ix = dn.init_ix(&env, init_args(Pubkey::new_unique(), None));
    env.fails_with(&[ix], &[&up], anchor_code::TOKEN_MINT).await;
}

#[tokio::test]
async fn initialize_with_max_supply_below_supply_fails() {
    let mut env = Env::start().await;
    let dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, true).await;
    let up = env.upgrade.insecure_clone();
    let ix = dn.init_ix(&env, init_args(Pubkey::new_unique(), Some(SUPPLY - 1)));
    env.fails_with(&[ix], &[&up], code(E::MaxSupplyBelowSupply))
        .await;
}

#[tokio::test]
async fn initialize_with_invalid_bounds_fails() {
    let mut env = Env::start().await;
    let dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, true).await;
    let up = env.upgrade.insecure_clone();

    let mut args = init_args(Pubkey::new_unique(), None);
    args.bounds.miners_bps = BpsRange {
        min: 5_000,
        max: 4_000,
    };
    env.fails_with(
        &[dn.init_ix(&env, args)],
        &[&up],
        code(E::BoundsMinAboveMax),
    )
    .await;

    let mut args = init_args(Pubkey::new_unique(), None);
    args.bounds.domain_owner_bps = BpsRange {
        min: 0,
        max: MAX_DOMAIN_OWNER_BPS + 1,
    };
    env.fails_with(
        &[dn.init_ix(&env, args)],
        &[&up],
        code(E::BoundsExceedLimits),
    )
    .await;

    let mut args = init_args(Pubkey::new_unique(), None);
    args.bounds.max_shards = MAX_SHARDS + 1;
    env.fails_with(
        &[dn.init_ix(&env, args)],
        &[&up],
        code(E::BoundsExceedLimits),
    )
    .await;
}

#[tokio::test]
async fn initialize_with_refused_token_2022_extension_fails() {
    let mut env = Env::start().await;
    let dn = dn_mint(
        &mut env,
        TOKEN_2022,
        false,
        &[MintExt::PermanentDelegate],
        SUPPLY,
        true,
    )
    .await;
    let up = env.upgrade.insecure_clone();
    let ix = dn.init_ix(&env, init_args(Pubkey::new_unique(), None));
    env.fails_with(&[ix], &[&up], code(E::MintHasPermanentDelegate))
        .await;
}

#[tokio::test]
async fn initialize_with_wrong_token_program_fails() {
    let mut env = Env::start().await;
    let mut dn = dn_mint(&mut env, TOKEN, false, &[], SUPPLY, true).await;
    // An SPL Token mint passed with Token-2022 as its program: `mint::token_program`.
    dn.program = TOKEN_2022;
    let up = env.upgrade.insecure_clone();
    let ix = dn.init_ix(&env, init_args(Pubkey::new_unique(), None));
    env.fails_with(&[ix], &[&up], anchor_code::MINT_TOKEN_PROGRAM)
        .await;
}

/// Initialises with a fresh mint of `program` and checks the mint, the foundation ATA
/// and the config.
async fn creates_mint(program: Pubkey) {
    let mut env = Env::start().await;
    let gov = Keypair::new();
    let mint = Keypair::new();
    let foundation_owner = Keypair::new();
    let up = env.upgrade.insecure_clone();
    let ix = ix::initialize_with_new_mint(
        env.payer().pubkey(),
        up.pubkey(),
        mint.pubkey(),
        foundation_owner.pubkey(),
        program,
        init_args(gov.pubkey(), Some(1_000_000)),
        6,
    );
    let ev: ProtocolInitialized = env.ok_event(&[ix], &[&up, &mint]).await;
    let foundation =
        ix::associated_token_address(&foundation_owner.pubkey(), &mint.pubkey(), &program);
    assert!(ev.mint_created);
    assert_eq!(
        (ev.dn_mint, ev.foundation, ev.initial_supply),
        (mint.pubkey(), foundation, 0)
    );

    assert_eq!(
        env.account(mint.pubkey()).await.expect("mint").owner,
        program
    );
    let m = mint_state(&mut env, mint.pubkey()).await;
    assert_eq!(
        Option::<Pubkey>::from(m.mint_authority),
        Some(pda::mint_authority())
    );
    assert_eq!(Option::<Pubkey>::from(m.freeze_authority), None);
    assert_eq!((m.decimals, m.supply), (6, 0));

    assert_eq!(
        env.account(foundation).await.expect("foundation").owner,
        program
    );
    let f = token_state(&mut env, foundation).await;
    assert_eq!(
        (f.mint, f.owner, f.amount),
        (mint.pubkey(), foundation_owner.pubkey(), 0)
    );

    let c: Config = env.get(pda::config()).await;
    assert_eq!(
        (c.authority, c.dn_mint, c.dn_token_program),
        (gov.pubkey(), mint.pubkey(), program)
    );
    assert_eq!(
        (c.dn_decimals, c.foundation, c.initial_supply),
        (6, foundation, 0)
    );
    assert_eq!((c.max_supply, c.dn_minted), (Some(1_000_000), 0));
}

#[tokio::test]
async fn initialize_with_new_spl_token_mint() {
    creates_mint(TOKEN).await;
}

#[tokio::test]
async fn initialize_with_new_token_2022_mint() {
    creates_mint(TOKEN_2022).await;
}

#[tokio::test]
async fn initialize_with_new_mint_by_other_than_upgrade_authority_fails() {
    let mut env = Env::start().await;
    let intruder = Keypair::new();
    let mint = Keypair::new();
    let ix = ix::initialize_with_new_mint(
        env.payer().pubkey(),
        intruder.pubkey(),
        mint.pubkey(),
        Keypair::new().pubkey(),
        TOKEN,
        init_args(intruder.pubkey(), None),
        6,
    );
    env.fails_with(&[ix], &[&intruder, &mint], code(E::NotUpgradeAuthority))
        .await;
    assert!(
        env.account(mint.pubkey()).await.is_none(),
        "nothing was created"
    );
}
