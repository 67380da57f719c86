//! The runner's checks of the network it is given, on the in-process runtime.
use deepnode_runtime::Runtime;
use deepnode_scenario::network::{Local, Network};
use deepnode_sdk::cluster::Cluster;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;

/// A scenario sets up its own protocol: a program already initialised (a cluster used
/// before, a validator not reset) is refused before anything is sent. Here the first run
/// of the example initialises it, and the second run on the same runtime is refused.
#[tokio::test]
async fn a_program_already_initialised_is_refused() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/localnet.json");
    let scenario = deepnode_scenario::load(&path).expect("example");
    let mut local = Local::start().await;
    let first = deepnode_scenario::run_on(&mut local, &scenario, &mut |_| {})
        .await
        .expect("the first run");
    assert_eq!(first.epochs.len(), scenario.epochs.len());
    let mut epochs = 0;
    let err = deepnode_scenario::run_on(&mut local, &scenario, &mut |_| epochs += 1)
        .await
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "the program on this cluster is already initialised; a scenario sets up its own \
         protocol and needs a fresh deployment (restart solana-test-validator with --reset)"
    );
    assert_eq!(epochs, 0);
}

/// Every actor is funded by the payer: a payer that cannot fund them all is refused
/// before anything is sent, with what it holds and what the scenario needs.
#[tokio::test]
async fn a_payer_too_poor_for_the_actors_is_refused() {
    let mut env = Runtime::start().await;
    let payer = env.payer().pubkey();
    let holds = env.account(payer).await.expect("payer").lamports;
    // Leave the payer 5 SOL.
    let drain = anchor_lang::solana_program::system_instruction::transfer(
        &payer,
        &Pubkey::new_unique(),
        holds - 5_000_000_000,
    );
    env.send(&[drain], &[]).await.expect("drained");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/localnet.json");
    let scenario = deepnode_scenario::load(&path).expect("example");
    let err = deepnode_scenario::run_on(Local::from(env), &scenario, &mut |_| {})
        .await
        .expect_err("refused");
    // 12 actors: olga, alice, ma, mb, ghost, v1, v2, x1, carol, dave, keeper, foundation;
    // 10 SOL each in-process. The drain's fee came out of the 5 SOL left.
    assert_eq!(
        err.to_string(),
        format!(
            "the payer {payer} holds 4.999995 SOL; the scenario's 12 actors get 10 SOL each \
             (120 SOL), plus rent and fees: fund the payer first"
        )
    );
}

/// Initialising needs the program's upgrade authority: another key is refused before
/// anything is spent, naming both keys.
#[tokio::test]
async fn a_key_that_is_not_the_upgrade_authority_is_refused() {
    let mut env = Runtime::start().await;
    let authority = env.upgrade.pubkey();
    env.upgrade = solana_sdk::signature::Keypair::new();
    let given = env.upgrade.pubkey();
    let payer = env.payer().pubkey();
    let before = env.account(payer).await.expect("payer").lamports;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/localnet.json");
    let scenario = deepnode_scenario::load(&path).expect("example");
    let mut local = Local::from(env);
    let err = deepnode_scenario::run_on(&mut local, &scenario, &mut |_| {})
        .await
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "initialising the program needs its upgrade authority {authority}; the keypair \
             given is {given}: pass --keypair with the upgrade authority"
        )
    );
    // Nothing was sent: the payer paid no fee.
    let after = local
        .client()
        .account(&payer)
        .await
        .expect("read")
        .expect("payer")
        .lamports;
    assert_eq!(after, before);
}
