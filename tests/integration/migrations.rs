//! The migration planner on the real program: a run reaches the configured state, a
//! second run does nothing, an extended config only adds what is new, and a config the
//! chain contradicts is refused.
use std::collections::HashMap;

use deepnode::state::{Config, Domain};
use deepnode_migrate::{keys_to_read, next_step, parse_config, MigrateError, MigrationConfig};
use deepnode_tests::tokens::{TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

const EXAMPLE: &str = include_str!("../../migrations/config.example.json");

async fn snapshot(
    env: &mut Env,
    cfg: &MigrationConfig,
) -> HashMap<solana_sdk::pubkey::Pubkey, Vec<u8>> {
    let mut map = HashMap::new();
    for k in keys_to_read(cfg) {
        if let Some(a) = env.account(k).await {
            map.insert(k, a.data);
        }
    }
    map
}

/// Runs the migration tool's loop (`deepnode_migrate::run`) to completion on the
/// runtime, the deployer paying; returns the labels of the steps it ran.
async fn migrate(env: &mut Env, cfg: &MigrationConfig, deployer: &Keypair) -> Vec<String> {
    let mut cluster = env.cluster(deployer);
    let mut labels = Vec::new();
    let mut record = |label: &str, _: &solana_sdk::signature::Signature| {
        labels.push(label.to_string());
    };
    let steps = deepnode_migrate::run(&mut cluster, cfg, &mut record)
        .await
        .expect("migration runs");
    assert_eq!(steps, labels.len());
    labels
}

fn config_with_mint(revenue_mint: &solana_sdk::pubkey::Pubkey, shards: u8) -> MigrationConfig {
    let mut cfg = parse_config(EXAMPLE).expect("example config parses");
    cfg.domains[0].revenue_mint = revenue_mint.to_string();
    cfg.domains[0].shard_count = shards;
    cfg
}

#[tokio::test]
async fn migration_is_idempotent_and_incremental() {
    let mut env = Env::start().await;
    let deployer = env.upgrade.insecure_clone();
    env.airdrop(&deployer.pubkey(), 10_000_000_000).await;
    let usdc = env.create_mint(TOKEN, 6, &deployer.pubkey()).await;
    let mut cfg = config_with_mint(&usdc, 3);
    let steps = migrate(&mut env, &cfg, &deployer).await;
    assert_eq!(
        steps,
        vec![
            "initialise the protocol (new DN mint)",
            "create domain 0",
            "create the stake pool of domain 0",
            "create shard 0 of domain 0",
            "create shard 1 of domain 0",
            "create shard 2 of domain 0"
        ]
    );
    let config: Config = env.get(pda::config()).await;
    assert_eq!(
        (config.authority, config.domain_count, config.max_supply),
        (deployer.pubkey(), 1, Some(1_000_000_000_000_000))
    );
    let domain: Domain = env.get(pda::domain(0)).await;
    assert!(domain.is_ready());
    // A second run finds nothing to do.
    assert!(migrate(&mut env, &cfg, &deployer).await.is_empty());
    // A second domain in the config: only it is created.
    let other = env.create_mint(TOKEN_2022, 9, &deployer.pubkey()).await;
    let mut second = cfg.domains[0].clone();
    second.revenue_mint = other.to_string();
    second.token_program = "token-2022".into();
    second.shard_count = 1;
    cfg.domains.push(second);
    assert_eq!(
        migrate(&mut env, &cfg, &deployer).await,
        vec![
            "create domain 1",
            "create the stake pool of domain 1",
            "create shard 0 of domain 1"
        ]
    );
    assert!(migrate(&mut env, &cfg, &deployer).await.is_empty());
}

#[tokio::test]
async fn migration_refuses_a_contradicting_chain() {
    let mut env = Env::start().await;
    let deployer = env.upgrade.insecure_clone();
    env.airdrop(&deployer.pubkey(), 10_000_000_000).await;
    let usdc = env.create_mint(TOKEN, 6, &deployer.pubkey()).await;
    let cfg = config_with_mint(&usdc, 1);
    migrate(&mut env, &cfg, &deployer).await;
    let snap = snapshot(&mut env, &cfg).await;
    let mint = Keypair::new().pubkey();
    // Another revenue mint for domain 0.
    let wrong = config_with_mint(&Keypair::new().pubkey(), 1);
    assert!(matches!(
        next_step(&wrong, &deployer.pubkey(), &mint, &snap),
        Err(MigrateError::Mismatch(_))
    ));
    // Bounds that differ from the chain's.
    let mut bounds = cfg.clone();
    bounds.bounds.max_fee_bps = 2_000;
    assert!(matches!(
        next_step(&bounds, &deployer.pubkey(), &mint, &snap),
        Err(MigrateError::Mismatch(_))
    ));
    // A deployer that is not governance cannot create domains.
    let mut more = cfg.clone();
    more.domains.push(cfg.domains[0].clone());
    let stranger = Keypair::new().pubkey();
    let snap = snapshot(&mut env, &more).await;
    assert!(matches!(
        next_step(&more, &stranger, &mint, &snap),
        Err(MigrateError::Mismatch(_))
    ));
    // Bad keys and programs are reported, not panicked on.
    assert!(matches!(
        parse_config("{}"),
        Err(MigrateError::BadConfig(_))
    ));
    let mut bad = cfg.clone();
    bad.domains[0].token_program = "spl".into();
    let empty = HashMap::new();
    assert!(
        next_step(&bad, &deployer.pubkey(), &mint, &empty).is_ok(),
        "init comes first"
    );
    let snap = snapshot(&mut env, &bad).await;
    assert!(matches!(
        next_step(&bad, &deployer.pubkey(), &mint, &snap),
        Err(MigrateError::BadConfig(_))
    ));
}
