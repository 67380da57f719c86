//! Every account the program creates lives at an address anyone can compute, and anyone
//! can send lamports there first. Each creation must still succeed (the program tops up,
//! allocates and assigns), and an address already holding an account is refused with
//! `AccountAlreadyInitialized`.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::instructions::InitializeArgs;
use deepnode::state::{Auction, Config, Domain, EpochShard, Model, ModelEpoch, VaultShard};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::{TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::signer::Signer;

const GRIEF: u64 = 1_000_000;

#[tokio::test]
async fn prefunded_config_does_not_block_initialisation() {
    let mut env = Env::start().await;
    env.airdrop(&pda::config(), GRIEF).await;
    let p = env.init_protocol(TOKEN).await;
    let config: Config = env.get(pda::config()).await;
    assert_eq!(config.authority, p.gov.pubkey());
    // A second initialisation is refused with the program's own error.
    let upgrade = env.upgrade.insecure_clone();
    let payer = env.payer();
    let ix = ix::initialize(
        payer.pubkey(),
        upgrade.pubkey(),
        p.dn.mint,
        p.foundation,
        TOKEN,
        InitializeArgs {
            authority: payer.pubkey(),
            bounds: default_bounds(),
            max_supply: None,
        },
    );
    env.fails_with(&[ix], &[&upgrade], code(E::AccountAlreadyInitialized))
        .await;
}

#[tokio::test]
async fn prefunded_domain_epoch_and_vaults_do_not_block_a_domain() {
    for program in [TOKEN, TOKEN_2022] {
        let mut env = Env::start().await;
        let p = env.init_protocol(TOKEN).await;
        let d0 = pda::domain(0);
        for key in [
            d0,
            pda::epoch(&d0, 0),
            pda::buyback_vault(&d0),
            pda::vault_shard(&d0, 0),
            pda::vault(&d0, 0),
            pda::epoch_shard(&d0, 0, 0),
            pda::vault_shard(&d0, 1),
            pda::vault(&d0, 1),
            pda::epoch_shard(&d0, 0, 1),
            pda::model(&d0, 0),
            pda::auction(&d0),
        ] {
            env.airdrop(&key, GRIEF).await;
        }
        let d = env
            .domain_with(&p, program, &[], 2, default_settings())
            .await;
        let domain: Domain = env.get(d0).await;
        assert!(domain.is_ready());
        for s in 0..2 {
            let ledger: VaultShard = env.get(pda::vault_shard(&d0, s)).await;
            assert_eq!(ledger.index, s);
            let counter: EpochShard = env.get(pda::epoch_shard(&d0, 0, s)).await;
            assert_eq!(counter.shard, s);
            assert_eq!(env.balance(pda::vault(&d0, s)).await, 0);
        }
        assert_eq!(env.balance(pda::buyback_vault(&d0)).await, 0);
        let (model, owner) = env.model(&d, 2_500).await;
        let m: Model = env.get(model).await;
        assert_eq!(m.owner, owner.pubkey());
        // A model-epoch record and the auction, pre-funded too.
        env.airdrop(&pda::model_epoch(&model, 0), GRIEF).await;
        let (consumer, token) = env.consumer(&d, 1_000_000).await;
        env.ok(
            &[ix::pay(
                &d.keys,
                consumer.pubkey(),
                token,
                model,
                0,
                1_000_000,
                1,
            )],
            &[&consumer],
        )
        .await;
        let record: ModelEpoch = env.get(pda::model_epoch(&model, 0)).await;
        assert_eq!(record.revenue, 1_000_000);
        let gov = p.gov.insecure_clone();
        let payer = env.payer();
        env.ok(
            &[ix::set_auction_params(
                payer.pubkey(),
                gov.pubkey(),
                d0,
                600,
                1,
                10,
            )],
            &[&gov],
        )
        .await;
        let auction: Auction = env.get(pda::auction(&d0)).await;
        assert_eq!(auction.reference_price_e9, 10);
        env.check_vaults(&d, &[model]).await;
    }
}

#[tokio::test]
async fn prefunded_model_epoch_does_not_block_a_batch() {
    let mut w = world().await;
    let keys = w.d.keys;
    w.env.airdrop(&pda::model_epoch(&w.model, 0), GRIEF).await;
    let fee = w.d.fee_authority.insecure_clone();
    let authority = w.d.mint_authority.insecure_clone();
    let token = w
        .env
        .funded_account(&fee.pubkey(), &keys.revenue_mint, &authority, 1_000_000)
        .await;
    let line = deepnode_sdk::ix::Line {
        model: w.model,
        amount: 1_000,
        usage_units: 1,
    };
    w.env
        .ok(
            &[ix::pay_batch(&keys, fee.pubkey(), token, 0, &[line])],
            &[&fee],
        )
        .await;
    let record: ModelEpoch = w.env.get(pda::model_epoch(&w.model, 0)).await;
    assert_eq!((record.revenue, record.model), (1_000, w.model));
    w.check().await;
}
