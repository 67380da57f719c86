//! Account lifecycle of the staking and work accounts: pre-funded addresses never block
//! their creation, stored bumps are canonical, a domain without its stake pool takes no
//! payment, another domain's accounts are refused, and pause never stops an exit.
use crate::common::*;
use deepnode::constants::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::instructions::CreateDomainArgs;
use deepnode::state::{
    Domain, Miner, StakePool, StakePosition, UnstakeTicket, Validator, WorkRecord,
};
use deepnode_sdk::ix::{DomainKeys, StakerKeys};
use deepnode_tests::fixtures::{default_settings, DomainFx};
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Lamports a griefer sends to an address before the program creates it (above the
/// rent-exempt minimum of an empty account, so the transfer itself succeeds).
const GRIEF: u64 = 1_000_000;

fn bump(seeds: &[&[u8]]) -> u8 {
    Pubkey::find_program_address(seeds, &deepnode::ID).1
}

#[tokio::test]
async fn prefunded_staking_and_work_addresses_do_not_block_creation() {
    let mut w = world().await;
    let domain = w.d.keys.domain;
    let s = Keypair::new();
    let m = Keypair::new();
    let miner = pda::miner(&domain, &m.pubkey());
    for key in [
        pda::stake_position(&domain, &s.pubkey()),
        pda::validator(&domain, &s.pubkey()),
        miner,
        pda::work_record(&miner, 2),
        pda::unstake_ticket(&pda::stake_position(&domain, &s.pubkey()), 2),
        pda::epoch(&domain, 1),
        pda::epoch_shard(&domain, 1, 0),
        pda::epoch_shard(&domain, 1, 1),
    ] {
        w.env.airdrop(&key, GRIEF).await;
    }
    for key in [&s.pubkey(), &m.pubkey()] {
        w.env.airdrop(key, 1_000_000_000).await;
    }
    let dn = w.env.create_token_account(&s.pubkey(), &w.p.dn.mint).await;
    let holder = w.p.dn_holder.insecure_clone();
    w.env
        .transfer(&w.p.dn.mint, &w.p.dn_holder_account, &dn, &holder, 1_000, 6)
        .await;
    w.env
        .ok(&[ix::open_stake_position(s.pubkey(), domain)], &[&s])
        .await;
    let keys = StakerKeys {
        owner: s.pubkey(),
        owner_dn: dn,
        change_epoch: 0,
    };
    w.env
        .ok(&[ix::stake(domain, &w.p.dn, &keys, 1_000)], &[&s])
        .await;
    w.close().await;
    w.env
        .ok(&[ix::register_validator(s.pubkey(), domain)], &[&s])
        .await;
    w.env
        .ok(&[ix::register_miner(m.pubkey(), domain)], &[&m])
        .await;
    w.close().await; // the validator votes from epoch 2 on
    w.env
        .ok(&[ix::attest(s.pubkey(), domain, 2, &[line(&m, 5)])], &[&s])
        .await;

    // Every stored bump is the canonical one.
    let pool: StakePool = w.env.get(pda::stake_pool(&domain)).await;
    assert_eq!(pool.bump, bump(&[STAKE_POOL_SEED, domain.as_ref()]));
    assert_eq!(pool.vault_bump, bump(&[STAKE_VAULT_SEED, domain.as_ref()]));
    assert_eq!(
        pool.reward_vault_bump,
        bump(&[STAKE_REWARD_VAULT_SEED, domain.as_ref()])
    );
    let position: StakePosition = w.env.get(pda::stake_position(&domain, &s.pubkey())).await;
    assert_eq!(
        position.bump,
        bump(&[STAKE_POSITION_SEED, domain.as_ref(), s.pubkey().as_ref()])
    );
    let validator: Validator = w.env.get(pda::validator(&domain, &s.pubkey())).await;
    assert_eq!(
        validator.bump,
        bump(&[VALIDATOR_SEED, domain.as_ref(), s.pubkey().as_ref()])
    );
    let m_state: Miner = w.env.get(miner).await;
    assert_eq!(
        m_state.bump,
        bump(&[MINER_SEED, domain.as_ref(), m.pubkey().as_ref()])
    );
    let record: WorkRecord = w.env.get(pda::work_record(&miner, 2)).await;
    assert_eq!(
        record.bump,
        bump(&[WORK_RECORD_SEED, miner.as_ref(), &2u64.to_le_bytes()])
    );
    assert_eq!((record.count, record.attestations[0].units), (1, 5));
    // The unstake ticket of epoch 2 was pre-funded too.
    let keys = StakerKeys {
        owner: s.pubkey(),
        owner_dn: dn,
        change_epoch: w.position_of(&s.pubkey()).await.change_epoch,
    };
    w.env
        .ok(&[ix::request_unstake(domain, &keys, 2, 100)], &[&s])
        .await;
    let position = pda::stake_position(&domain, &s.pubkey());
    let ticket: UnstakeTicket = w.env.get(pda::unstake_ticket(&position, 2)).await;
    assert_eq!(
        ticket.bump,
        bump(&[UNSTAKE_TICKET_SEED, position.as_ref(), &2u64.to_le_bytes()])
    );
    assert_eq!((ticket.principal, ticket.epoch), (100, 2));
}

#[tokio::test]
async fn prefunded_stake_pool_and_vaults_do_not_block_the_pool() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d0 = pda::domain(0);
    for key in [
        pda::stake_pool(&d0),
        pda::stake_vault(&d0),
        pda::stake_reward_vault(&d0),
        pda::offset_reserve(&d0),
    ] {
        env.airdrop(&key, GRIEF).await;
    }
    let d = env.domain_with(&p, TOKEN, &[], 1, default_settings()).await;
    let domain: Domain = env.get(d.keys.domain).await;
    assert!(domain.stake_pool_ready && domain.is_ready());
    assert_eq!(domain.offset_reserve, pda::offset_reserve(&d0));
    assert_eq!(env.balance(pda::stake_vault(&d0)).await, 0);
    assert_eq!(env.balance(pda::stake_reward_vault(&d0)).await, 0);
    assert_eq!(env.balance(pda::offset_reserve(&d0)).await, 0);
}

#[tokio::test]
async fn a_domain_without_its_stake_pool_takes_no_payment() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mint_authority = Keypair::new();
    let mint = env.create_mint(TOKEN, 6, &mint_authority.pubkey()).await;
    let owner = Keypair::new();
    let payer = env.payer().pubkey();
    let gov = p.gov.insecure_clone();
    let ix = ix::create_domain(
        payer,
        owner.pubkey(),
        gov.pubkey(),
        0,
        mint,
        TOKEN,
        CreateDomainArgs {
            fee_authority: owner.pubkey(),
            shard_count: 1,
            settings: default_settings(),
        },
    );
    env.ok(&[ix], &[&owner, &gov]).await;
    let state: Domain = env.get(pda::domain(0)).await;
    let keys = DomainKeys::new(pda::domain(0), &state);
    env.ok(&[ix::init_shard(payer, &keys, 0)], &[]).await;
    let model_owner = Keypair::new();
    env.airdrop(&model_owner.pubkey(), 1_000_000_000).await;
    env.ok(
        &[ix::mint_model(model_owner.pubkey(), keys.domain, 0, 2_000)],
        &[&model_owner],
    )
    .await;
    let consumer = Keypair::new();
    env.airdrop(&consumer.pubkey(), 1_000_000_000).await;
    let token = env
        .funded_account(&consumer.pubkey(), &mint, &mint_authority, 1_000_000)
        .await;
    let pay = ix::pay(
        &keys,
        consumer.pubkey(),
        token,
        pda::model(&keys.domain, 0),
        0,
        1_000,
        1,
    );
    env.fails_with(
        std::slice::from_ref(&pay),
        &[&consumer],
        code(E::DomainNotReady),
    )
    .await;
    env.ok(&[ix::init_stake_pool(payer, &keys, &p.dn)], &[])
        .await;
    env.ok(&[pay], &[&consumer]).await;
}

#[tokio::test]
async fn another_domains_stake_accounts_are_refused() {
    let mut w = world().await;
    let s = w.staker(100).await;
    let other = second_domain_for(&mut w, &s).await;
    // The other domain's stake vault in place of this domain's.
    let mut ix = w.stake_ix(&s, 100).await;
    swap(
        &mut ix,
        pda::stake_vault(&w.d.keys.domain),
        pda::stake_vault(&other.keys.domain),
    );
    w.env.fails_with(&[ix], &[&s.kp], anchor_code::SEEDS).await;
    // The other domain's pool.
    let mut ix = w.stake_ix(&s, 100).await;
    swap(
        &mut ix,
        pda::stake_pool(&w.d.keys.domain),
        pda::stake_pool(&other.keys.domain),
    );
    w.env.fails_with(&[ix], &[&s.kp], anchor_code::SEEDS).await;
    // The other domain's reward vault in a claim.
    let mut ix = w.claim_ix(&s).await;
    swap(
        &mut ix,
        pda::stake_reward_vault(&w.d.keys.domain),
        pda::stake_reward_vault(&other.keys.domain),
    );
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::VaultMismatch))
        .await;
    // The position `s` opened in the other domain, used with this one.
    let mut ix = w.stake_ix(&s, 100).await;
    swap(
        &mut ix,
        pda::stake_position(&w.d.keys.domain, &s.key()),
        pda::stake_position(&other.keys.domain, &s.key()),
    );
    w.env.fails_with(&[ix], &[&s.kp], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn withdraw_by_another_key_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let t = w.staker(10).await;
    // t has a ticket of its own; the call points at s's position while t signs.
    let ix = w.stake_ix(&t, 10).await;
    w.env.ok(&[ix], &[&t.kp]).await;
    w.close().await;
    let ix = w.unstake_ix(&t, 10).await;
    w.env.ok(&[ix], &[&t.kp]).await;
    let mut ix = w.withdraw_ix(&t, 1).await;
    swap(
        &mut ix,
        pda::stake_position(&w.d.keys.domain, &t.key()),
        pda::stake_position(&w.d.keys.domain, &s.key()),
    );
    w.env
        .fails_with(&[ix], &[&t.kp], code(E::NotStakeOwner))
        .await;
}

#[tokio::test]
async fn pause_never_stops_leaving() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    let v = &vs[0];
    w.env
        .ok(
            &[ix::deregister_validator(v.key(), w.d.keys.domain, v.key())],
            &[&v.kp],
        )
        .await;
    w.env
        .ok(&[ix::deregister_miner(m.pubkey(), w.d.keys.domain)], &[&m])
        .await;
    // Opening an empty position changes nothing and stays available.
    let k = Keypair::new();
    w.env.airdrop(&k.pubkey(), 1_000_000_000).await;
    w.env
        .ok(
            &[ix::open_stake_position(k.pubkey(), w.d.keys.domain)],
            &[&k],
        )
        .await;
    w.close().await;
}

#[tokio::test]
async fn init_stake_pool_pins_every_account() {
    let mut w = world().await;
    let other = w
        .env
        .domain_with(&w.p, TOKEN, &[], 1, default_settings())
        .await;
    let payer = w.env.payer().pubkey();
    let base = ix::init_stake_pool(payer, &w.d.keys, &w.p.dn);
    // Indices: payer 0, config 1, domain 2, stake_pool 3, stake_vault 4, reward_vault 5,
    // offset_reserve 6, dn_mint 7, revenue_mint 8, vault_authority 9, dn_token_program 10,
    // revenue_token_program 11.
    let cases: [(usize, Pubkey, u32); 7] = [
        (3, pda::stake_pool(&other.keys.domain), anchor_code::SEEDS),
        (4, pda::stake_vault(&other.keys.domain), anchor_code::SEEDS),
        (
            5,
            pda::stake_reward_vault(&other.keys.domain),
            anchor_code::SEEDS,
        ),
        (
            6,
            pda::offset_reserve(&other.keys.domain),
            anchor_code::SEEDS,
        ),
        (8, other.keys.revenue_mint, anchor_code::ADDRESS),
        (
            9,
            pda::vault_authority(&other.keys.domain),
            anchor_code::SEEDS,
        ),
        (10, deepnode_tests::tokens::TOKEN_2022, anchor_code::ADDRESS),
    ];
    for (index, key, expected) in cases {
        let mut ix = base.clone();
        ix.accounts[index].pubkey = key;
        w.env.fails_with(&[ix], &[], expected).await;
    }
}

#[tokio::test]
async fn open_stake_position_with_another_domains_pool_fails() {
    let mut w = world().await;
    let other = w
        .env
        .domain_with(&w.p, TOKEN, &[], 1, default_settings())
        .await;
    let k = Keypair::new();
    w.env.airdrop(&k.pubkey(), 1_000_000_000).await;
    let mut ix = ix::open_stake_position(k.pubkey(), w.d.keys.domain);
    swap(
        &mut ix,
        pda::stake_pool(&w.d.keys.domain),
        pda::stake_pool(&other.keys.domain),
    );
    w.env.fails_with(&[ix], &[&k], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn stake_with_another_domains_vault_authority_fails() {
    let mut w = world().await;
    let other = w
        .env
        .domain_with(&w.p, TOKEN, &[], 1, default_settings())
        .await;
    let s = w.staker(10).await;
    let mut ix = w.stake_ix(&s, 10).await;
    swap(
        &mut ix,
        pda::vault_authority(&w.d.keys.domain),
        pda::vault_authority(&other.keys.domain),
    );
    w.env.fails_with(&[ix], &[&s.kp], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn attesting_an_epoch_that_does_not_exist_yet_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let ix = ix::attest(vs[0].key(), w.d.keys.domain, 5, &[line(&m, 1)]);
    w.env
        .fails_with(&[ix], &[&vs[0].kp], anchor_code::NOT_INITIALIZED)
        .await;
}

#[tokio::test]
async fn close_epoch_with_another_domains_pool_fails() {
    let mut w = world().await;
    let other = w
        .env
        .domain_with(&w.p, TOKEN, &[], 1, default_settings())
        .await;
    let e0: deepnode::state::Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 0)).await;
    let now = w.env.clock().await.unix_timestamp;
    w.env
        .advance(e0.closes_at().expect("close time") - now)
        .await;
    let payer = w.env.payer().pubkey();
    let mut ix = ix::close_epoch(payer, &w.d.keys, 2);
    swap(
        &mut ix,
        pda::stake_pool(&w.d.keys.domain),
        pda::stake_pool(&other.keys.domain),
    );
    w.env.fails_with(&[ix], &[], anchor_code::SEEDS).await;
}

/// Sends `base` once per case with the case's account (`from`) replaced by another
/// (`to`); each must fail with the case's code.
async fn each_swap_fails(
    w: &mut World,
    base: &Instruction,
    signer: &Keypair,
    cases: &[(Pubkey, Pubkey, u32)],
) {
    for (from, to, expected) in cases {
        let mut ix = base.clone();
        swap(&mut ix, *from, *to);
        w.env.fails_with(&[ix], &[signer], *expected).await;
    }
}

/// A second domain in which `s` also opens a position.
async fn second_domain_for(w: &mut World, s: &StakerFx) -> DomainFx {
    let other = w
        .env
        .domain_with(&w.p, TOKEN, &[], 1, default_settings())
        .await;
    w.env
        .ok(
            &[ix::open_stake_position(s.key(), other.keys.domain)],
            &[&s.kp],
        )
        .await;
    other
}

/// The substitutions both the claim and the withdrawal refuse: `s`'s pool, position,
/// stake vault and vault authority of domain `d` replaced by those of domain `o`.
fn other_domain_cases(d: Pubkey, o: Pubkey, s: &StakerFx) -> Vec<(Pubkey, Pubkey, u32)> {
    vec![
        (
            pda::stake_pool(&d),
            pda::stake_pool(&o),
            code(E::StakePoolMismatch),
        ),
        (
            pda::stake_position(&d, &s.key()),
            pda::stake_position(&o, &s.key()),
            code(E::StakePoolMismatch),
        ),
        (
            pda::stake_vault(&d),
            pda::stake_vault(&o),
            code(E::VaultMismatch),
        ),
        (
            pda::vault_authority(&d),
            pda::vault_authority(&o),
            code(E::VaultAuthorityMismatch),
        ),
    ]
}

/// A claim ties every account to the domain by what it stores (no derivation): each
/// account of another domain in its place fails with its own error.
#[tokio::test]
async fn claim_refuses_each_account_of_another_domain() {
    let mut w = world().await;
    let s = w.staker(100).await;
    let other = second_domain_for(&mut w, &s).await;
    let (d, o) = (w.d.keys.domain, other.keys.domain);
    let change = w.keys(&s).await.change_epoch;
    let base = w.claim_ix(&s).await;
    let mut cases = other_domain_cases(d, o, &s);
    cases.push((
        pda::epoch(&d, change),
        pda::epoch(&o, change),
        code(E::WrongChangeEpoch),
    ));
    each_swap_fails(&mut w, &base, &s.kp, &cases).await;
}

/// `withdraw_stake` ties every account to the domain by what it stores: each account of
/// another domain in its place fails with its own error.
#[tokio::test]
async fn withdraw_refuses_each_account_of_another_domain() {
    let mut w = world().await;
    let s = w.staker(100).await;
    let ix = w.stake_ix(&s, 100).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await;
    let request = w.d.keys.epoch;
    let ix = w.unstake_ix(&s, 100).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    let other = second_domain_for(&mut w, &s).await;
    let (d, o) = (w.d.keys.domain, other.keys.domain);
    let base = w.withdraw_ix(&s, request).await;
    let cases = other_domain_cases(d, o, &s);
    each_swap_fails(&mut w, &base, &s.kp, &cases).await;
}
