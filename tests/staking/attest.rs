//! `attest`: a validator attests many miners per instruction; one attestation per
//! validator per miner per epoch, revisions replace, the record is capped. One negative
//! test per constraint, each with its exact error.
use crate::common::*;
use deepnode::constants::{MAX_ATTESTATIONS, MAX_ATTEST_LINES};
use deepnode::errors::DeepNodeError as E;
use deepnode::events::WorkAttested;
use deepnode::state::{Epoch, WorkRecord};
use deepnode_sdk::ix::Attestation;
use deepnode_tests::sizes;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::instruction::AccountMeta;
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
        (1, 0, 1_500, 1)
    );
    assert!(ev.lines[0].record_created && ev.lines[0].replaced.is_none());
    w.env
        .ok(&[w.attest_ix(&vs[1], &[line(&m, 105)])], &[&vs[1].kp])
        .await;
    let r = record(&mut w, &m, 1).await;
    assert_eq!(r.count, 2);
    assert_eq!(
        (
            r.attestations[0].validator,
            r.attestations[0].units,
            r.attestations[0].stake
        ),
        (0, 100, 1_500)
    );
    assert_eq!(
        (r.attestations[1].validator, r.attestations[1].units),
        (1, 105)
    );
    assert_eq!(r.rent_payer, vs[0].key());
    let epoch: Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 1)).await;
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
    let r = record(&mut w, &m, 1).await;
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

#[tokio::test]
async fn an_under_staked_validator_cannot_attest() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 0, 0, 0).await;
    let v = &vs[0];
    let unstake = w.unstake_ix(v, 1).await;
    w.env.ok(&[unstake], &[&v.kp]).await;
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

#[tokio::test]
async fn a_full_record_refuses_another_attestation() {
    let mut w = world().await;
    let n = usize::from(MAX_ATTESTATIONS) + 1;
    let vs = w.validators(n, 1_000).await;
    let m = w.miner().await;
    for v in &vs[..n - 1] {
        w.env.ok(&[w.attest_ix(v, &[line(&m, 7)])], &[&v.kp]).await;
    }
    assert_eq!(usize::from(record(&mut w, &m, 1).await.count), n - 1);
    let last = &vs[n - 1];
    w.env
        .fails_with(
            &[w.attest_ix(last, &[line(&m, 7)])],
            &[&last.kp],
            code(E::AttestationsFull),
        )
        .await;
    // Revisions still work on a full record.
    w.env
        .ok(&[w.attest_ix(&vs[0], &[revision(&m, 8)])], &[&vs[0].kp])
        .await;
}

/// Lines per legacy transaction measured below (update README when it changes).
const MAX_ATTEST_LINES_LEGACY: usize = 10;

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
    let ix = ix::attest_in_order(vs[0].key(), w.d.keys.domain, 1, &[second, first]);
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::AttestationsNotSorted))
        .await;
    let ix = ix::attest_in_order(vs[0].key(), w.d.keys.domain, 1, &[first, first]);
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
    ix.accounts[10].pubkey = Keypair::new().pubkey();
    w.env
        .fails_with(&[ix], &[&vs[0].kp], code(E::WorkRecordMismatch))
        .await;
    // b's existing record in a's place.
    let mut ix = w.attest_ix(&vs[0], &[line(&a, 1)]);
    let pb = pda::miner(&w.d.keys.domain, &b.pubkey());
    ix.accounts[10].pubkey = pda::work_record(&pb, 1);
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
    let key = ix.accounts[10].pubkey;
    ix.accounts[10] = AccountMeta::new_readonly(key, false);
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
    ix.accounts[5].pubkey = pda::stake_position(&w.d.keys.domain, &vs[1].key());
    w.env
        .fails_with(&[ix], &[&vs[0].kp], anchor_code::SEEDS)
        .await;
}
