//! `attest`: a validator attests many miners per instruction; one attestation per
//! validator per miner per epoch, revisions replace, the record is capped. One negative
//! test per constraint, each with its exact error.
use crate::common::*;
use deepnode::constants::{MAX_ATTESTATIONS, MAX_ATTESTED_UNITS, MAX_ATTEST_LINES};
use deepnode::errors::DeepNodeError as E;
use deepnode::events::WorkAttested;
use deepnode::state::{Epoch, EpochBook, WorkRecord};
use deepnode_sdk::ix::Attestation;
use deepnode_tests::sizes;
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

async fn record(w: &mut World, miner: &Keypair, epoch: u64) -> WorkRecord {
    let m = pda::miner(&w.d.keys.domain, &miner.pubkey());
    w.env.get(pda::work_record(&m, epoch)).await
}

#[tokio::test]
async fn first_attestation_creates_and_counts_the_record() {
    let mut w = world().await;
    let vs = w.validators(2, 1_500).await;
    let m = w.miner().await;
    let ev: WorkAttested = w
        .env
        .ok_event(&[w.attest_ix(&vs[0], &[line(&m, 100)])], &[&vs[0].kp])
        .await;
    assert_eq!(
        (ev.epoch, ev.index, ev.stake, ev.epoch_work_records),
        (w.d.keys.epoch, 0, 1_500, 1)
    );
    assert!(ev.lines[0].record_created && ev.lines[0].replaced.is_none());
    w.env
        .ok(&[w.attest_ix(&vs[1], &[line(&m, 105)])], &[&vs[1].kp])
        .await;
    let e = w.d.keys.epoch;
    let r = record(&mut w, &m, e).await;
    assert_eq!(r.count, 2);
    assert_eq!(
        (r.attestations[0].validator, r.attestations[0].units),
        (0, 100)
    );
    assert_eq!(
        (r.attestations[1].validator, r.attestations[1].units),
        (1, 105)
    );
    assert_eq!(r.rent_payer, vs[0].key());
    let epoch: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, e)).await;
    // Each validator's weight is kept once, in the epoch's book.
    let book: EpochBook = w.env.get(pda::epoch_book(&w.d.keys.domain, e)).await;
    let weights: Vec<(u32, u64)> = book.voters[..2]
        .iter()
        .map(|v| (v.validator, v.weight))
        .collect();
    assert_eq!(weights, vec![(0, 1_500), (1, 1_500)]);
    assert_eq!(
        epoch.work_records, 1,
        "a second attestation does not count the record again"
    );
    let refs: Vec<_> = vs.iter().collect();
    w.check(&refs).await;
}

#[tokio::test]
async fn a_revision_replaces_the_validators_value() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    w.env
        .ok(&[w.attest_ix(&vs[0], &[line(&m, 100)])], &[&vs[0].kp])
        .await;
    let ev: WorkAttested = w
        .env
        .ok_event(&[w.attest_ix(&vs[0], &[revision(&m, 90)])], &[&vs[0].kp])
        .await;
    assert_eq!(ev.lines[0].replaced, Some(100));
    let e = w.d.keys.epoch;
    let r = record(&mut w, &m, e).await;
    assert_eq!((r.count, r.attestations[0].units), (1, 90));
}

#[tokio::test]
async fn attesting_twice_as_a_new_entry_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    w.env
        .ok(&[w.attest_ix(&vs[0], &[line(&m, 100)])], &[&vs[0].kp])
        .await;
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[line(&m, 101)])],
            &[&vs[0].kp],
            code(E::AlreadyAttested),
        )
        .await;
}

#[tokio::test]
async fn revising_without_an_attestation_fails() {
    let mut w = world().await;
    let vs = w.validators(2, 1_000).await;
    let m = w.miner().await;
    // No record yet.
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[revision(&m, 1)])],
            &[&vs[0].kp],
            code(E::NothingToRevise),
        )
        .await;
    // A record, but not with this validator's attestation.
    w.env
        .ok(&[w.attest_ix(&vs[1], &[line(&m, 5)])], &[&vs[1].kp])
        .await;
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[revision(&m, 1)])],
            &[&vs[0].kp],
            code(E::NothingToRevise),
        )
        .await;
}

#[tokio::test]
async fn attesting_a_closed_epoch_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let ix = w.attest_ix(&vs[0], &[line(&m, 100)]);
    w.close().await;
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::EpochNotOpen))
        .await;
}

#[tokio::test]
async fn attesting_an_unregistered_miner_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    w.env
        .ok(&[ix::deregister_miner(m.pubkey(), w.d.keys.domain)], &[&m])
        .await;
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[line(&m, 1)])],
            &[&vs[0].kp],
            code(E::MinerNotRegistered),
        )
        .await;
    // A key that never registered: its miner PDA holds no account.
    let never = Keypair::new();
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[line(&never, 1)])],
            &[&vs[0].kp],
            code(E::AccountNotOwnedByProgram),
        )
        .await;
}

#[tokio::test]
async fn attesting_a_miner_of_another_domain_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let other = w
        .env
        .domain_with(
            &w.p,
            TOKEN,
            &[],
            1,
            deepnode_tests::fixtures::default_settings(),
        )
        .await;
    let m = w.env.miner(&other).await;
    let foreign = pda::miner(&other.keys.domain, &m.pubkey());
    let a = Attestation {
        miner: m.pubkey(),
        units: 1,
        revise: false,
    };
    let ix = ix::attest_in_order(
        vs[0].key(),
        w.d.keys.domain,
        w.d.keys.epoch,
        &[(foreign, &a)],
    );
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::MinerWrongDomain))
        .await;
}

#[tokio::test]
async fn a_program_account_of_another_type_as_miner_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let a = Attestation {
        miner: Keypair::new().pubkey(),
        units: 1,
        revise: false,
    };
    // The stake pool is owned by the program but is not a miner.
    let pool = pda::stake_pool(&w.d.keys.domain);
    let ix = ix::attest_in_order(vs[0].key(), w.d.keys.domain, w.d.keys.epoch, &[(pool, &a)]);
    w.env
        .fails_with(&[ix], &[&vs[0].kp], anchor_code::DISCRIMINATOR)
        .await;
}

#[tokio::test]
async fn attesting_by_an_unregistered_validator_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let v = &vs[0];
    w.env
        .ok(
            &[ix::deregister_validator(v.key(), w.d.keys.domain, v.key())],
            &[&v.kp],
        )
        .await;
    // §7: it votes through the epoch in which it deregistered (its weight is in that
    // epoch's W_e), and not after.
    w.env.ok(&[w.attest_ix(v, &[line(&m, 1)])], &[&v.kp]).await;
    w.close().await;
    w.env
        .fails_with(
            &[w.attest_ix(v, &[line(&m, 1)])],
            &[&v.kp],
            code(E::ValidatorNotRegistered),
        )
        .await;
    // A staker that never registered has no validator account.
    let s = w.staker(0).await;
    w.env
        .fails_with(
            &[w.attest_ix(&s, &[line(&m, 1)])],
            &[&s.kp],
            anchor_code::NOT_INITIALIZED,
        )
        .await;
}

/// A request to unstake leaves the validator's weight in the open epoch as it was (it
/// still votes with it); below the minimum from the next epoch on, it cannot attest.
#[tokio::test]
async fn an_under_staked_validator_cannot_attest() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let v = &vs[0];
    let unstake = w.unstake_ix(v, 1).await;
    w.env.ok(&[unstake], &[&v.kp]).await;
    w.env.ok(&[w.attest_ix(v, &[line(&m, 1)])], &[&v.kp]).await;
    w.close().await;
    w.env
        .fails_with(
            &[w.attest_ix(v, &[line(&m, 1)])],
            &[&v.kp],
            code(E::ValidatorStakeTooLow),
        )
        .await;
}

#[tokio::test]
async fn a_validator_cannot_attest_its_own_miner() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let v = &vs[0];
    w.env
        .ok(&[ix::register_miner(v.key(), w.d.keys.domain)], &[&v.kp])
        .await;
    w.env
        .fails_with(
            &[w.attest_ix(v, &[line(&v.kp, 1)])],
            &[&v.kp],
            code(E::SelfAttestation),
        )
        .await;
}

/// Review finding A6: a key that registers during an epoch votes only from the next one,
/// so minimum-stake keys that register, attest and deregister in turn cannot fill a
/// miner's record; and the validator cap (at most `MAX_ATTESTATIONS`) means every
/// validator that votes fits in it.
#[tokio::test]
async fn attestation_slots_cannot_be_squatted() {
    let mut w = world().await;
    // An attacker key whose minimum stake is active by the time the validators vote.
    let attacker = w.staker(1_000).await;
    let ix = w.stake_ix(&attacker, 1_000).await;
    w.env.ok(&[ix], &[&attacker.kp]).await;
    let n = usize::from(MAX_ATTESTATIONS) - 1;
    let vs = w.validators(n, 1_000).await;
    let m = w.miner().await;
    let domain = w.d.keys.domain;
    let squat = [
        ix::register_validator(attacker.key(), domain),
        w.attest_ix(&attacker, &[line(&m, 1_000)]),
        ix::deregister_validator(attacker.key(), domain, attacker.key()),
    ];
    w.env
        .fails_with(&squat, &[&attacker.kp], code(E::ValidatorNotYetVoting))
        .await;
    // A voter that leaves and registers again within the epoch never stopped voting in
    // it (§7: it votes through the epoch in which it left): its attestation counts, and
    // it votes in the next epoch too.
    let rejoin = [
        ix::deregister_validator(vs[0].key(), domain, vs[0].key()),
        ix::register_validator(vs[0].key(), domain),
        w.attest_ix(&vs[0], &[line(&m, 7)]),
    ];
    w.env.ok(&rejoin, &[&vs[0].kp]).await;
    w.env
        .ok(
            &[ix::register_validator(attacker.key(), domain)],
            &[&attacker.kp],
        )
        .await;
    for v in &vs[1..] {
        w.env.ok(&[w.attest_ix(v, &[line(&m, 7)])], &[&v.kp]).await;
    }
    let e = w.d.keys.epoch;
    assert_eq!(usize::from(record(&mut w, &m, e).await.count), n);
    // Next epoch the attacker votes too: the cap's 16 validators fill exactly 16 slots.
    w.close().await;
    let mut all: Vec<&StakerFx> = vs.iter().collect();
    all.push(&attacker);
    for v in &all {
        w.env.ok(&[w.attest_ix(v, &[line(&m, 7)])], &[&v.kp]).await;
    }
    let e = w.d.keys.epoch;
    assert_eq!(record(&mut w, &m, e).await.count, MAX_ATTESTATIONS as u8);
    w.check(&all).await;
}

/// §7: every epoch records its validator stake `W_e` when it opens, kept up to date as
/// validators register, deregister, stake and request stake out; a vote weighs the
/// validator's stake active in the epoch, requests made during it included.
#[tokio::test]
async fn each_epoch_records_its_validator_stake() {
    let mut w = world().await;
    let vs = w.validators(2, 1_000).await;
    let e = w.d.keys.epoch;
    let epoch: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, e)).await;
    assert_eq!(epoch.validator_stake, 2_000);
    assert_eq!(w.pool().await.validator_stake_next, 2_000);
    // A staker that is not a validator changes nothing.
    let extra = w.staker(1_200).await;
    let ix = w.stake_ix(&extra, 1_200).await;
    w.env.ok(&[ix], &[&extra.kp]).await;
    // vs[1] requests 300 out: it leaves the next epoch's validator stake, not this one's.
    let ix = w.unstake_ix(&vs[1], 300).await;
    w.env.ok(&[ix], &[&vs[1].kp]).await;
    assert_eq!(w.pool().await.validator_stake_next, 1_700);
    let m = w.miner().await;
    w.env
        .ok(&[w.attest_ix(&vs[1], &[line(&m, 50)])], &[&vs[1].kp])
        .await;
    let book: EpochBook = w.env.get(pda::epoch_book(&w.d.keys.domain, e)).await;
    let slot = book.voter(1).expect("vs[1] voted");
    assert_eq!(book.voters[slot].weight, 1_000, "its weight in the epoch");
    let everyone = [&vs[0], &vs[1], &extra];
    w.check(&everyone).await;
    w.close().await;
    let e1 = w.d.keys.epoch;
    let epoch: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, e1)).await;
    assert_eq!(epoch.validator_stake, 1_700);
    // extra registers (votes from the next epoch), vs[0] deregisters (still counted in
    // this epoch's W_e, fixed when it opened).
    w.env
        .ok(
            &[ix::register_validator(extra.key(), w.d.keys.domain)],
            &[&extra.kp],
        )
        .await;
    assert_eq!(w.pool().await.validator_stake_next, 2_900);
    let domain = w.d.keys.domain;
    w.env
        .ok(
            &[ix::deregister_validator(vs[0].key(), domain, vs[0].key())],
            &[&vs[0].kp],
        )
        .await;
    assert_eq!(w.pool().await.validator_stake_next, 1_900);
    let epoch: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, e1)).await;
    assert_eq!(epoch.validator_stake, 1_700);
    w.check(&everyone).await;
    w.close().await;
    let e2 = w.d.keys.epoch;
    let epoch: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, e2)).await;
    assert_eq!(
        epoch.validator_stake, 1_900,
        "vs[1]'s 700 and extra's 1,200"
    );
}

/// Attested units are bounded (§7) so that no total of verified work can overflow.
#[tokio::test]
async fn units_above_the_maximum_fail() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[line(&m, MAX_ATTESTED_UNITS + 1)])],
            &[&vs[0].kp],
            code(E::UnitsAboveMaximum),
        )
        .await;
    w.env
        .ok(
            &[w.attest_ix(&vs[0], &[line(&m, MAX_ATTESTED_UNITS)])],
            &[&vs[0].kp],
        )
        .await;
}

/// Lines per legacy transaction measured below (update README when it changes).
use deepnode_sdk::limits::ATTEST_LINES_LEGACY as MAX_ATTEST_LINES_LEGACY;

/// Measures how many miners one `attest` carries in a legacy transaction and with an
/// address lookup table, runs the largest legacy batch for real, and checks that a
/// lookup table fits the program's maximum within the 64 account locks.
#[tokio::test]
async fn attest_batch_size_limits() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let v = &vs[0];
    let mut miners = Vec::new();
    for _ in 0..MAX_ATTEST_LINES {
        miners.push(w.miner().await);
    }
    let lines = |n: usize| -> Vec<Attestation> {
        miners[..n]
            .iter()
            .enumerate()
            .map(|(i, m)| line(m, 100 + i as u64))
            .collect()
    };
    let (mut legacy_max, mut alt_max) = (0, 0);
    for n in 1..=MAX_ATTEST_LINES {
        let ix = w.attest_ix(v, &lines(n));
        if sizes::legacy(&ix, &v.key()).0 <= sizes::PACKET {
            legacy_max = n;
        }
        if sizes::with_table(&ix, &v.key()) <= sizes::PACKET {
            alt_max = n;
        }
    }
    let full = w.attest_ix(v, &lines(MAX_ATTEST_LINES));
    let (full_bytes, full_accounts) = sizes::legacy(&full, &v.key());
    let legacy_ix = w.attest_ix(v, &lines(legacy_max));
    let (bytes, accounts) = sizes::legacy(&legacy_ix, &v.key());
    println!(
        "attest: {legacy_max} miners per legacy transaction ({bytes} bytes, {accounts} accounts); \
         {alt_max} with a lookup table ({} bytes, {full_accounts} accounts; legacy would be {full_bytes} bytes)",
        sizes::with_table(&full, &v.key())
    );
    assert_eq!(
        legacy_max, MAX_ATTEST_LINES_LEGACY,
        "update README and MAX_ATTEST_LINES_LEGACY"
    );
    assert_eq!(
        alt_max, MAX_ATTEST_LINES,
        "a lookup table fits the program's maximum"
    );
    assert!(
        full_accounts <= sizes::ACCOUNT_LOCKS,
        "within the account-lock limit"
    );
    let ev: WorkAttested = w.env.ok_event(&[legacy_ix], &[&v.kp]).await;
    assert_eq!(ev.lines.len(), legacy_max);
    assert_eq!(ev.epoch_work_records, legacy_max as u64);
    // One line more than the program's maximum (the same miner repeated keeps the
    // transaction small): refused before any account is read.
    let too_many = vec![line(&miners[0], 1); MAX_ATTEST_LINES + 1];
    let pm = pda::miner(&w.d.keys.domain, &miners[0].pubkey());
    let pairs: Vec<(solana_sdk::pubkey::Pubkey, &Attestation)> =
        too_many.iter().map(|l| (pm, l)).collect();
    let ix = ix::attest_in_order(v.key(), w.d.keys.domain, w.d.keys.epoch, &pairs);
    w.env
        .fails_with(&[ix], &[&v.kp], code(E::BatchTooLarge))
        .await;
}

#[tokio::test]
async fn an_empty_batch_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[])],
            &[&vs[0].kp],
            code(E::BatchEmpty),
        )
        .await;
}

#[tokio::test]
async fn miners_out_of_order_or_repeated_fail() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let (a, b) = (w.miner().await, w.miner().await);
    let (la, lb) = (line(&a, 1), line(&b, 2));
    let (pa, pb) = (
        pda::miner(&w.d.keys.domain, &a.pubkey()),
        pda::miner(&w.d.keys.domain, &b.pubkey()),
    );
    let (first, second) = if pa < pb {
        ((pa, &la), (pb, &lb))
    } else {
        ((pb, &lb), (pa, &la))
    };
    let e = w.d.keys.epoch;
    let ix = ix::attest_in_order(vs[0].key(), w.d.keys.domain, e, &[second, first]);
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::AttestationsNotSorted))
        .await;
    let ix = ix::attest_in_order(vs[0].key(), w.d.keys.domain, e, &[first, first]);
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::AttestationsNotSorted))
        .await;
}

#[tokio::test]
async fn a_wrong_work_record_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let (a, b) = (w.miner().await, w.miner().await);
    w.env
        .ok(&[w.attest_ix(&vs[0], &[line(&b, 1)])], &[&vs[0].kp])
        .await;
    // An empty address that is not a's record PDA.
    let mut ix = w.attest_ix(&vs[0], &[line(&a, 1)]);
    let record_a = pda::work_record(&pda::miner(&w.d.keys.domain, &a.pubkey()), w.d.keys.epoch);
    swap(&mut ix, record_a, Keypair::new().pubkey());
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::WorkRecordMismatch))
        .await;
    // b's existing record in a's place.
    let mut ix = w.attest_ix(&vs[0], &[line(&a, 1)]);
    let pb = pda::miner(&w.d.keys.domain, &b.pubkey());
    swap(&mut ix, record_a, pda::work_record(&pb, w.d.keys.epoch));
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::WorkRecordMismatch))
        .await;
}

#[tokio::test]
async fn a_read_only_work_record_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let mut ix = w.attest_ix(&vs[0], &[line(&m, 1)]);
    let record = pda::work_record(&pda::miner(&w.d.keys.domain, &m.pubkey()), w.d.keys.epoch);
    make_readonly(&mut ix, record);
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::AccountNotWritable))
        .await;
}

#[tokio::test]
async fn remaining_accounts_must_pair_with_lines() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let mut ix = w.attest_ix(&vs[0], &[line(&m, 1)]);
    ix.accounts.pop();
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::AttestAccountsMismatch))
        .await;
}

#[tokio::test]
async fn attesting_while_paused_fails() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    w.env
        .fails_with(
            &[w.attest_ix(&vs[0], &[line(&m, 1)])],
            &[&vs[0].kp],
            code(E::ProtocolPaused),
        )
        .await;
}

#[tokio::test]
async fn attesting_with_another_validators_position_fails() {
    let mut w = world().await;
    let vs = w.validators(2, 1_000).await;
    let m = w.miner().await;
    let mut ix = w.attest_ix(&vs[0], &[line(&m, 1)]);
    swap(
        &mut ix,
        pda::stake_position(&w.d.keys.domain, &vs[0].key()),
        pda::stake_position(&w.d.keys.domain, &vs[1].key()),
    );
    w.env
        .fails_with(&[ix], &[&vs[0].kp], anchor_code::SEEDS)
        .await;
}
