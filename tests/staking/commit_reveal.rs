//! `commit_attestations` and `reveal_attestations` (PROTOCOL.md §7, finding 4 of the
//! consensus review: copying the median). On a commit-reveal domain validators commit
//! before the epoch's end and reveal in the close grace window; a revealed batch counts
//! exactly as `attest` lines do, an unrevealed one is absent. Each refusal with its error.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::{AttestationsCommitted, AttestationsRevealed};
use deepnode::state::{Commitment, DomainSettings, Epoch, EpochBook};
use deepnode_sdk::commit::Batches;
use deepnode_sdk::ix::{Attestation, Reveal};
use deepnode_tests::fixtures::default_settings;
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// A commit-reveal domain (quorum 2) with three validators of 10,000 voting in the open
/// epoch, and two miners.
async fn cr_world() -> (World, Vec<StakerFx>, Vec<Keypair>) {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let settings = DomainSettings {
        commit_reveal: true,
        ..default_settings()
    };
    let d = env.domain_with(&p, TOKEN, &[], 1, settings).await;
    let mut w = World {
        env,
        p,
        d,
        shop: None,
    };
    let vs = w.validators(3, 10_000).await;
    let miners = vec![w.miner().await, w.miner().await];
    (w, vs, miners)
}

/// Validator `v`'s batches of `lines` (one line a batch), salted with `salt`.
fn batches(w: &World, v: &StakerFx, lines: &[Attestation], salt: u8) -> Batches {
    Batches::new(w.d.keys.domain, v.key(), w.d.keys.epoch, lines, 1, || {
        [salt; 32]
    })
}

fn commit_ix(w: &World, v: &StakerFx, b: &Batches) -> Instruction {
    let (root, count) = b.commitment();
    ix::commit_attestations(v.key(), w.d.keys.domain, w.d.keys.epoch, root, count)
}

fn reveal_ix(w: &World, v: &StakerFx, r: &Reveal) -> Instruction {
    ix::reveal_attestations(v.key(), w.d.keys.domain, v.key(), w.d.keys.epoch, r)
}

/// Moves the clock to the open epoch's end (reveals open, the epoch not yet closable).
async fn to_end(w: &mut World) {
    let e: Epoch = w
        .env
        .get(pda::epoch(&w.d.keys.domain, w.d.keys.epoch))
        .await;
    let now = w.env.clock().await.unix_timestamp;
    w.env.advance(e.end_ts - now).await;
}

/// Validators 0 and 1 commit and reveal two lines each; validator 2 commits and never
/// reveals. The medians count only what was revealed (the silent third votes 0), each
/// revealed line agrees as an attested one would, and the commitments are closed after
/// settlement with their rent back.
#[tokio::test]
async fn revealed_batches_count_as_attestations_and_unrevealed_ones_are_absent() {
    let (mut w, vs, m) = cr_world().await;
    let reports = [(100, 300), (104, 300), (900, 900)];
    let mut all = Vec::new();
    for (i, (a, b)) in reports.iter().enumerate() {
        let lines = [line(&m[0], *a), line(&m[1], *b)];
        let bs = batches(&w, &vs[i], &lines, i as u8);
        let ev: AttestationsCommitted = w
            .env
            .ok_event(&[commit_ix(&w, &vs[i], &bs)], &[&vs[i].kp])
            .await;
        assert_eq!((ev.batches, ev.replaced), (2, false));
        all.push(bs);
    }
    to_end(&mut w).await;
    for i in 0..2 {
        for r in all[i].reveals() {
            let ev: AttestationsRevealed = w
                .env
                .ok_event(&[reveal_ix(&w, &vs[i], &r)], &[&vs[i].kp])
                .await;
            assert_eq!((ev.batch, ev.lines.len(), ev.stake), (r.batch, 1, 10_000));
        }
    }
    let e = w.d.keys.epoch;
    let domain = w.d.keys.domain;
    let c: Commitment = w.env.get(pda::commitment(&domain, &vs[0].key(), e)).await;
    assert_eq!((c.batches, c.revealed), (2, 2));
    w.close().await;
    let miners: Vec<_> = m.iter().map(|k| k.pubkey()).collect();
    assert_eq!(w.env.finalise_all(&w.d, e, &miners).await, 2);
    let book: EpochBook = w.env.get(pda::epoch_book(&domain, e)).await;
    // W = 30,000; the silent third votes 0: medians 100 (20,000 reached at 100) and 300.
    assert_eq!(book.total_verified, 400);
    // 104 is within 10% of 100; both agree on both miners; the third never voted.
    assert_eq!(book.total_agreeing, 4);
    // Every closed epoch settled, in order.
    let keeper = w.env.payer();
    w.env.settle_pending(&w.p, &w.d, &keeper).await;
    let book: EpochBook = w.env.get(pda::epoch_book(&domain, e)).await;
    assert!(book.settlement.minted > 0);
    // Settled: the commitments close, rent back to each validator.
    for (i, v) in vs.iter().enumerate() {
        let key = pda::commitment(&domain, &v.key(), e);
        let rent = w.env.account(key).await.expect("commitment").lamports;
        let before = w.env.account(v.key()).await.expect("validator").lamports;
        let close = ix::close_accounts(keeper.pubkey(), domain, e, &[(key, v.key())]);
        w.env.ok(&[close], &[]).await;
        assert!(w.env.account(key).await.is_none(), "validator {i}");
        let after = w.env.account(v.key()).await.expect("validator").lamports;
        assert_eq!(after - before, rent);
    }
}

/// A commitment made again before the end replaces the first; only the second's
/// batches reveal.
#[tokio::test]
async fn committing_again_before_the_end_replaces_the_commitment() {
    let (mut w, vs, m) = cr_world().await;
    let first = batches(&w, &vs[0], &[line(&m[0], 100)], 1);
    let second = batches(&w, &vs[0], &[line(&m[0], 200)], 2);
    w.env
        .ok(&[commit_ix(&w, &vs[0], &first)], &[&vs[0].kp])
        .await;
    let ev: AttestationsCommitted = w
        .env
        .ok_event(&[commit_ix(&w, &vs[0], &second)], &[&vs[0].kp])
        .await;
    assert!(ev.replaced);
    to_end(&mut w).await;
    let old = &first.reveals()[0];
    w.env
        .fails_with(
            &[reveal_ix(&w, &vs[0], old)],
            &[&vs[0].kp],
            code(E::RevealMismatch),
        )
        .await;
    let new = &second.reveals()[0];
    w.env.ok(&[reveal_ix(&w, &vs[0], new)], &[&vs[0].kp]).await;
}

/// Every refusal of the commit-reveal path, each with its own error.
#[tokio::test]
async fn commit_reveal_refusals() {
    let (mut w, vs, m) = cr_world().await;
    let v = &vs[0];
    // Plain attestations are refused on a commit-reveal domain.
    w.env
        .fails_with(
            &[w.attest_ix(v, &[line(&m[0], 1)])],
            &[&v.kp],
            code(E::CommitRevealRequired),
        )
        .await;
    // A commitment of no batch.
    let none = ix::commit_attestations(v.key(), w.d.keys.domain, w.d.keys.epoch, [0; 32], 0);
    w.env
        .fails_with(&[none], &[&v.kp], code(E::CommitmentBatchesOutOfBounds))
        .await;
    let bs = batches(&w, v, &[line(&m[0], 100), line(&m[1], 200)], 7);
    w.env.ok(&[commit_ix(&w, v, &bs)], &[&v.kp]).await;
    let reveals = bs.reveals();
    // Before the end, nothing reveals.
    w.env
        .fails_with(
            &[reveal_ix(&w, v, &reveals[0])],
            &[&v.kp],
            code(E::RevealBeforeEnd),
        )
        .await;
    to_end(&mut w).await;
    // After the end, nothing commits.
    w.env
        .fails_with(&[commit_ix(&w, v, &bs)], &[&v.kp], code(E::CommitAfterEnd))
        .await;
    // A reveal that does not match: another salt, other units, another index, no path.
    type Tamper = (&'static str, fn(&mut Reveal));
    let mismatches: [Tamper; 4] = [
        ("salt", |r| r.salt[0] ^= 1),
        ("units", |r| r.lines[0].1 += 1),
        ("index", |r| r.batch = 1 - r.batch),
        ("path", |r| r.path.clear()),
    ];
    for (what, f) in mismatches {
        let mut r = reveals[0].clone();
        f(&mut r);
        let ix = reveal_ix(&w, v, &r);
        let got = w.env.send(&[ix], &[&v.kp]).await;
        assert_eq!(
            got.as_ref().err().and_then(custom_code),
            Some(code(E::RevealMismatch)),
            "another {what}"
        );
    }
    // A revealed line that claims to be a revision (its flag is the data's last byte).
    let mut revise = reveal_ix(&w, v, &reveals[0]);
    *revise.data.last_mut().expect("data") = 1;
    w.env
        .fails_with(&[revise], &[&v.kp], code(E::RevealCannotRevise))
        .await;
    // Revealed once; a second time its line is already attested.
    w.env.ok(&[reveal_ix(&w, v, &reveals[0])], &[&v.kp]).await;
    w.env
        .fails_with(
            &[reveal_ix(&w, v, &reveals[0])],
            &[&v.kp],
            code(E::AlreadyAttested),
        )
        .await;
    // Once the epoch has closed, the other batch is too late: it counts as absent.
    let committed_for = w.d.keys.epoch;
    w.close().await;
    let late = ix::reveal_attestations(
        v.key(),
        w.d.keys.domain,
        v.key(),
        committed_for,
        &reveals[1],
    );
    w.env
        .fails_with(&[late], &[&v.kp], code(E::RevealAfterClose))
        .await;
}

/// A domain without commit-reveal takes no commitment.
#[tokio::test]
async fn a_plain_domain_refuses_commitments() {
    let mut w = world().await;
    let vs = w.validators(1, 1_000).await;
    let m = w.miner().await;
    let bs = batches(&w, &vs[0], &[line(&m, 1)], 1);
    w.env
        .fails_with(
            &[commit_ix(&w, &vs[0], &bs)],
            &[&vs[0].kp],
            code(E::CommitRevealOff),
        )
        .await;
}
