//! `register_miner`, `deregister_miner`, `register_validator`, `deregister_validator`:
//! happy paths and one negative test per constraint, each with its exact error.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::{MinerRegistered, ValidatorDeregistered, ValidatorRegistered};
use deepnode::state::{Domain, DomainSettings, Miner, Validator};
use deepnode_tests::fixtures::default_settings;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

#[tokio::test]
async fn miner_registers_leaves_and_comes_back() {
    let mut w = world().await;
    let m = Keypair::new();
    w.env.airdrop(&m.pubkey(), 1_000_000_000).await;
    let ev: MinerRegistered = w
        .env
        .ok_event(&[ix::register_miner(m.pubkey(), w.d.keys.domain)], &[&m])
        .await;
    assert_eq!(ev.miner, pda::miner(&w.d.keys.domain, &m.pubkey()));
    let miner: Miner = w.env.get(ev.miner).await;
    assert!(miner.active && miner.authority == m.pubkey());
    w.env
        .fails_with(
            &[ix::register_miner(m.pubkey(), w.d.keys.domain)],
            &[&m],
            code(E::MinerAlreadyRegistered),
        )
        .await;
    w.env
        .ok(&[ix::deregister_miner(m.pubkey(), w.d.keys.domain)], &[&m])
        .await;
    assert!(!w.env.get::<Miner>(ev.miner).await.active);
    let domain: Domain = w.env.get(w.d.keys.domain).await;
    assert_eq!(domain.miners_active, 0);
    w.env
        .fails_with(
            &[ix::deregister_miner(m.pubkey(), w.d.keys.domain)],
            &[&m],
            code(E::MinerNotRegistered),
        )
        .await;
    w.env
        .ok(&[ix::register_miner(m.pubkey(), w.d.keys.domain)], &[&m])
        .await;
    assert!(w.env.get::<Miner>(ev.miner).await.active);
}

#[tokio::test]
async fn register_miner_while_paused_fails() {
    let mut w = world().await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    let m = Keypair::new();
    w.env.airdrop(&m.pubkey(), 1_000_000_000).await;
    w.env
        .fails_with(
            &[ix::register_miner(m.pubkey(), w.d.keys.domain)],
            &[&m],
            code(E::ProtocolPaused),
        )
        .await;
}

#[tokio::test]
async fn deregister_someone_elses_miner_fails() {
    let mut w = world().await;
    let m = w.miner().await;
    let other = Keypair::new();
    let mut ix = ix::deregister_miner(other.pubkey(), w.d.keys.domain);
    swap(
        &mut ix,
        pda::miner(&w.d.keys.domain, &other.pubkey()),
        pda::miner(&w.d.keys.domain, &m.pubkey()),
    );
    w.env.fails_with(&[ix], &[&other], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn validator_registers_with_active_stake() {
    let mut w = world().await;
    let s = w.staker(1_000).await;
    let ix = w.stake_ix(&s, 1_000).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    // Pending stake does not count.
    w.env
        .fails_with(
            &[ix::register_validator(s.key(), w.d.keys.domain)],
            &[&s.kp],
            code(E::ValidatorStakeTooLow),
        )
        .await;
    w.close().await;
    let ev: ValidatorRegistered = w
        .env
        .ok_event(
            &[ix::register_validator(s.key(), w.d.keys.domain)],
            &[&s.kp],
        )
        .await;
    assert_eq!((ev.index, ev.stake, ev.validators_active), (0, 1_000, 1));
    w.env
        .fails_with(
            &[ix::register_validator(s.key(), w.d.keys.domain)],
            &[&s.kp],
            code(E::ValidatorAlreadyRegistered),
        )
        .await;
}

#[tokio::test]
async fn register_validator_below_the_minimum_fails() {
    let mut w = world().await;
    let s = w.staker(999).await;
    let ix = w.stake_ix(&s, 999).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await;
    w.env
        .fails_with(
            &[ix::register_validator(s.key(), w.d.keys.domain)],
            &[&s.kp],
            code(E::ValidatorStakeTooLow),
        )
        .await;
}

#[tokio::test]
async fn register_validator_without_a_position_fails() {
    let mut w = world().await;
    let k = Keypair::new();
    w.env.airdrop(&k.pubkey(), 1_000_000_000).await;
    w.env
        .fails_with(
            &[ix::register_validator(k.pubkey(), w.d.keys.domain)],
            &[&k],
            anchor_code::NOT_INITIALIZED,
        )
        .await;
}

#[tokio::test]
async fn register_validator_while_paused_fails() {
    let mut w = world().await;
    let s = w.staker(1_000).await;
    let ix = w.stake_ix(&s, 1_000).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    w.env
        .fails_with(
            &[ix::register_validator(s.key(), w.d.keys.domain)],
            &[&s.kp],
            code(E::ProtocolPaused),
        )
        .await;
}

#[tokio::test]
async fn validator_cap_is_enforced_and_freed_by_leaving() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let settings = DomainSettings {
        max_validators: 2,
        ..default_settings()
    };
    let d = env.domain_with(&p, TOKEN, &[], 1, settings).await;
    let mut w = World {
        env,
        p,
        d,
        shop: None,
    };
    let mut stakers = Vec::new();
    for _ in 0..3 {
        let s = w.staker(1_000).await;
        let ix = w.stake_ix(&s, 1_000).await;
        w.env.ok(&[ix], &[&s.kp]).await;
        stakers.push(s);
    }
    w.close().await;
    for s in &stakers[..2] {
        w.env
            .ok(
                &[ix::register_validator(s.key(), w.d.keys.domain)],
                &[&s.kp],
            )
            .await;
    }
    let third = &stakers[2];
    w.env
        .fails_with(
            &[ix::register_validator(third.key(), w.d.keys.domain)],
            &[&third.kp],
            code(E::ValidatorCapReached),
        )
        .await;
    // One leaves; the third takes its slot with a new index (indices are never reused).
    let first = &stakers[0];
    let ev: ValidatorDeregistered = w
        .env
        .ok_event(
            &[ix::deregister_validator(
                first.key(),
                w.d.keys.domain,
                first.key(),
            )],
            &[&first.kp],
        )
        .await;
    assert_eq!(ev.validators_active, 1);
    let ev: ValidatorRegistered = w
        .env
        .ok_event(
            &[ix::register_validator(third.key(), w.d.keys.domain)],
            &[&third.kp],
        )
        .await;
    assert_eq!(ev.index, 2);
    // The first comes back with its old index once a slot is free again.
    w.env
        .fails_with(
            &[ix::register_validator(first.key(), w.d.keys.domain)],
            &[&first.kp],
            code(E::ValidatorCapReached),
        )
        .await;
    w.env
        .ok(
            &[ix::deregister_validator(
                third.key(),
                w.d.keys.domain,
                third.key(),
            )],
            &[&third.kp],
        )
        .await;
    let ev: ValidatorRegistered = w
        .env
        .ok_event(
            &[ix::register_validator(first.key(), w.d.keys.domain)],
            &[&first.kp],
        )
        .await;
    assert_eq!(ev.index, 0);
}

#[tokio::test]
async fn anyone_deregisters_an_under_staked_validator_but_not_an_eligible_one() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let v = &vs[0];
    let stranger = Keypair::new();
    w.env.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    let ix = ix::deregister_validator(stranger.pubkey(), w.d.keys.domain, v.key());
    w.env
        .fails_with(
            std::slice::from_ref(&ix),
            &[&stranger],
            code(E::ValidatorStillEligible),
        )
        .await;
    w.settle(0).await;
    let unstake = w.unstake_ix(v, 1).await;
    w.env.ok(&[unstake], &[&v.kp]).await;
    let ev: ValidatorDeregistered = w
        .env
        .ok_event(std::slice::from_ref(&ix), &[&stranger])
        .await;
    assert_eq!(
        (ev.by, ev.stake, ev.validators_active),
        (stranger.pubkey(), 999, 0)
    );
    let validator: Validator = w.env.get(pda::validator(&w.d.keys.domain, &v.key())).await;
    assert!(!validator.active);
    w.env
        .fails_with(&[ix], &[&stranger], code(E::ValidatorNotRegistered))
        .await;
}

/// A domain capped at two validators: `a` (1,000) and `b` (3,000) registered and voting
/// in the open epoch, and a miner.
async fn full_set() -> (World, Vec<deepnode_tests::staking::StakerFx>, Keypair) {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let settings = DomainSettings {
        max_validators: 2,
        quorum: 1,
        ..default_settings()
    };
    let d = env.domain_with(&p, TOKEN, &[], 1, settings).await;
    let mut w = World {
        env,
        p,
        d,
        shop: None,
    };
    let mut vs = w.validators(1, 1_000).await;
    vs.extend(w.validators(1, 3_000).await);
    let m = w.miner().await;
    (w, vs, m)
}

/// Finding 3 (validator slots squatted): when the set is full, a candidate with strictly
/// more stake active in the next epoch registers in place of a registered validator. The
/// displaced one still votes in the open epoch (its attestation counts: its weight is in
/// this epoch's W_e), not in the next; the next epoch's W follows: the candidate's
/// stake in, the displaced one's out. Before, the candidate was refused with
/// `ValidatorCapReached` whatever its stake.
#[tokio::test]
async fn a_candidate_with_more_stake_displaces_a_registered_validator() {
    let (mut w, vs, m) = full_set().await;
    let (a, b) = (&vs[0], &vs[1]);
    let c = w.staker(2_000).await;
    let ix = w.stake_ix(&c, 2_000).await;
    w.env.ok(&[ix], &[&c.kp]).await;
    w.close().await;
    let domain = w.d.keys.domain;
    let w_e = |w: &World| w.d.keys.epoch;
    let open = w_e(&w);
    let epoch: deepnode::state::Epoch = w.env.get(pda::epoch(&domain, open)).await;
    assert_eq!(epoch.validator_stake, 4_000);
    // Without naming whom it displaces, the candidate is refused at the cap.
    w.env
        .fails_with(
            &[ix::register_validator(c.key(), domain)],
            &[&c.kp],
            code(E::ValidatorCapReached),
        )
        .await;
    let ev: ValidatorRegistered = w
        .env
        .ok_event(
            &[ix::register_validator_displacing(
                c.key(),
                domain,
                Some(a.key()),
            )],
            &[&c.kp],
        )
        .await;
    assert_eq!(ev.displaced, Some(a.key()));
    assert_eq!(ev.validators_active, 2);
    // Next epoch's W: b's 3,000 and c's 2,000.
    assert_eq!(ev.validator_stake_next, 5_000);
    // The displaced validator still attests in the open epoch, and it counts.
    w.env.ok(&[w.attest_ix(a, &[line(&m, 7)])], &[&a.kp]).await;
    let record = pda::work_record(&pda::miner(&domain, &m.pubkey()), open);
    let r: deepnode::state::WorkRecord = w.env.get(record).await;
    assert_eq!(r.count, 1);
    let book: deepnode::state::EpochBook = w.env.get(pda::epoch_book(&domain, open)).await;
    assert_eq!(book.voters[0].weight, 1_000);
    // The candidate does not vote yet.
    w.env
        .fails_with(
            &[w.attest_ix(&c, &[line(&m, 7)])],
            &[&c.kp],
            code(E::ValidatorNotYetVoting),
        )
        .await;
    w.close().await;
    let epoch: deepnode::state::Epoch = w.env.get(pda::epoch(&domain, w_e(&w))).await;
    assert_eq!(epoch.validator_stake, 5_000);
    let m2 = w.miner().await;
    w.env
        .fails_with(
            &[w.attest_ix(a, &[line(&m2, 7)])],
            &[&a.kp],
            code(E::ValidatorNotRegistered),
        )
        .await;
    w.env
        .ok(&[w.attest_ix(&c, &[line(&m2, 7)])], &[&c.kp])
        .await;
    w.env.ok(&[w.attest_ix(b, &[line(&m2, 7)])], &[&b.kp]).await;
}

/// Finding 3: displacement needs strictly more stake (equal is refused), a registered
/// validator of this domain with its own position, and a full set.
#[tokio::test]
async fn displacement_refusals_each_have_their_error() {
    let (mut w, vs, _) = full_set().await;
    let (a, b) = (&vs[0], &vs[1]);
    let equal = w.staker(1_000).await;
    let ix = w.stake_ix(&equal, 1_000).await;
    w.env.ok(&[ix], &[&equal.kp]).await;
    let more = w.staker(5_000).await;
    let ix = w.stake_ix(&more, 5_000).await;
    w.env.ok(&[ix], &[&more.kp]).await;
    w.close().await;
    let domain = w.d.keys.domain;
    let displacing = |c: &deepnode_tests::staking::StakerFx, v: solana_sdk::pubkey::Pubkey| {
        ix::register_validator_displacing(c.key(), domain, Some(v))
    };
    w.env
        .fails_with(
            &[displacing(&equal, a.key())],
            &[&equal.kp],
            code(E::StakeNotAboveDisplaced),
        )
        .await;
    // A validator's account with another validator's position.
    let mut mixed = displacing(&more, a.key());
    swap(
        &mut mixed,
        pda::stake_position(&domain, &a.key()),
        pda::stake_position(&domain, &b.key()),
    );
    w.env
        .fails_with(&[mixed], &[&more.kp], code(E::DisplacedValidatorMismatch))
        .await;
    // Once `a` has left, the set has room: no displacement.
    w.env
        .ok(
            &[ix::deregister_validator(a.key(), domain, a.key())],
            &[&a.kp],
        )
        .await;
    w.env
        .fails_with(
            &[displacing(&more, b.key())],
            &[&more.kp],
            code(E::DisplacementNotNeeded),
        )
        .await;
    // Full again with `more`; `a` (deregistered) cannot be displaced.
    w.env
        .ok(&[ix::register_validator(more.key(), domain)], &[&more.kp])
        .await;
    let big = w.staker(9_000).await;
    let ix = w.stake_ix(&big, 9_000).await;
    w.env.ok(&[ix], &[&big.kp]).await;
    w.close().await;
    w.env
        .fails_with(
            &[displacing(&big, a.key())],
            &[&big.kp],
            code(E::DisplacedNotRegistered),
        )
        .await;
}
