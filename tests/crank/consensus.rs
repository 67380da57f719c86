//! Validation that a minority cannot farm, and the crank's windows and governance values
//! (PROTOCOL.md §5, §7, §12): each expected number written out from the spec's rules for
//! the case. Each test names what the program did before the rule it checks.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::state::{Bounds, Epoch};
use deepnode_math::{MINERS_ROLE, VALIDATORS_ROLE};
use deepnode_sdk::ix::{self, Attestation};
use deepnode_tests::fixtures::{default_bounds, default_settings};
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signer::Signer;

/// The default split's validators' share (bps) and miners' share.
const VALIDATORS_BPS: u64 = 1_500;
const MINERS_BPS: u64 = 5_000;

/// `floor(x * b / 10000)`.
fn bps(x: u64, b: u64) -> u64 {
    (u128::from(x) * u128::from(b) / 10_000) as u64
}

/// A domain with two honest validators of 3,000,000 each and two more of 1,000,000 each
/// (a coalition holding 2,000,000 of the 8,000,000: a quarter), quorum 2, and `miners`
/// miners: miner 0 works, the others are idle.
async fn farm_world(miners: usize) -> World {
    let mut w = World::new(None, None).await;
    w.domain(false, TOKEN, &[], settings(2), 2, 3_000_000, miners)
        .await;
    // Two more validators with a third of the stake each of the first two.
    let mut extra = w.env.validators(&w.p, &mut w.doms[0].d, 2, 1_000_000).await;
    let keeper = w.keeper.insecure_clone();
    w.env.settle_pending(&w.p, &w.doms[0].d, &keeper).await;
    w.doms[0].validators.append(&mut extra);
    w
}

/// Validators `vs` of domain 0 attest `units` to each miner of `miners`, in batches.
async fn attest_all(w: &mut World, vs: &[usize], miners: &[usize], units: u64) {
    for &v in vs {
        let kp = w.doms[0].validators[v].kp.insecure_clone();
        let lines: Vec<Attestation> = miners
            .iter()
            .map(|&m| Attestation {
                miner: w.doms[0].miners[m].pubkey(),
                units,
                revise: false,
            })
            .collect();
        let (domain, epoch) = (w.doms[0].d.keys.domain, w.doms[0].d.keys.epoch);
        for chunk in lines.chunks(deepnode_sdk::limits::ATTEST_LINES_LEGACY) {
            let ix = ix::attest(kp.pubkey(), domain, epoch, chunk);
            w.ok(&[ix], &[&kp]).await;
        }
    }
}

/// One epoch in which the honest validators verify miner 0 at 100 units and, when
/// `farm`, the coalition attests 0 units to every idle miner; cranked, every payout
/// credited. Returns (the settlement, each honest validator's credited balance).
async fn farmed_epoch(
    miners: usize,
    farm: bool,
) -> (deepnode::events::EpochSettled, Vec<(u64, u64)>) {
    let mut w = farm_world(miners).await;
    w.pay(0, 10_000_000, 0).await;
    attest_all(&mut w, &[0, 1], &[0], 100).await;
    if farm {
        let idle: Vec<usize> = (1..miners).collect();
        attest_all(&mut w, &[2, 3], &idle, 0).await;
    }
    let ev = w.crank(0).await;
    w.credit_all(0, ev.epoch).await;
    let mut balances = Vec::new();
    for v in 0..2 {
        let key = w.doms[0].validators[v].key();
        let domain = w.doms[0].d.keys.domain;
        let b: deepnode::state::RewardBalance = w.env.get(pda::reward(&domain, &key)).await;
        balances.push((b.dn_credited, b.rev_credited));
    }
    (ev, balances)
}

/// Finding 1 (zero-unit agreement farming): a coalition of a quarter of `W_e` attesting
/// 0 units to idle miners reaches quorum on their records, whose median is 0: no
/// attestation agrees with it (§7), so the honest validators' DN and revenue payouts are
/// exactly what they are without the coalition, with 1 idle miner as with 27. Before,
/// every zero vote agreed: with 27 such miners the honest validators kept 2/56 of their
/// pool instead of all of it.
#[tokio::test]
async fn a_minority_attesting_zero_to_idle_miners_earns_nothing() {
    for idle in [1usize, 27] {
        let (clean, honest) = farmed_epoch(1 + idle, false).await;
        let (farmed, farmed_honest) = farmed_epoch(1 + idle, true).await;
        assert_eq!(farmed_honest, honest, "{idle} idle miner(s)");
        assert_eq!(farmed.dn_pools, clean.dn_pools, "{idle}");
        assert_eq!(farmed.rev_pools, clean.rev_pools, "{idle}");
        // Each honest validator agreed once, on miner 0: half of each pool (rounded down).
        let half = |pool: u64| pool / 2;
        assert_eq!(
            honest,
            vec![
                (
                    half(clean.dn_pools[VALIDATORS_ROLE]),
                    half(clean.rev_pools[VALIDATORS_ROLE])
                );
                2
            ]
        );
    }
}

/// Finding 1, an epoch with revenue and no verified work: the validators' revenue share
/// rolls into the next epoch whatever the coalition attests (before, the coalition's
/// zero votes agreed and took it).
#[tokio::test]
async fn with_no_verified_work_the_validators_share_rolls_whatever_a_minority_attests() {
    for farm in [false, true] {
        let mut w = farm_world(4).await;
        w.pay(0, 10_000_000, 0).await;
        if farm {
            attest_all(&mut w, &[2, 3], &[1, 2, 3], 0).await;
        }
        let e = w.close(0).await;
        if farm {
            let book = w.book(0, e).await;
            assert_eq!(book.quorate_records, 3, "the coalition reached quorum");
        }
        w.finalise(0, e).await;
        let ev = w.settle(0, e).await;
        assert_eq!((ev.budget, ev.minted), (0, 0), "no verified work, no DN");
        let book = w.book(0, e).await;
        assert_eq!(book.total_agreeing, 0, "farm {farm}");
        assert_eq!(ev.rev_pools[VALIDATORS_ROLE], 0);
        assert_eq!(ev.rev_pools[MINERS_ROLE], 0);
        // What rolls: the miners' and the validators' shares of the revenue pool.
        let p = ev.rev_pool;
        assert_eq!(
            ev.rolled_out,
            bps(p, MINERS_BPS) + bps(p, VALIDATORS_BPS),
            "farm {farm}"
        );
    }
}

/// Finding 6: the claim window counts from the domain's last closed epoch when the
/// epoch was settled. An epoch settled three epochs late can be credited for a whole
/// window after that, and is swept only then (before, it could be swept at once).
#[tokio::test]
async fn a_late_settlement_keeps_its_whole_claim_window() {
    let mut w = World::new(None, None).await;
    w.domain(false, TOKEN, &[], settings(2), 3, 1_000_000, 1)
        .await;
    w.pay(0, 10_000_000, 0).await;
    w.attest(0, 0, 0, 100).await;
    w.attest(0, 1, 0, 100).await;
    let late = w.close(0).await;
    // Three more epochs close before it is settled: the domain's last closed epoch is
    // then `late + 3`.
    for _ in 0..3 {
        w.close(0).await;
    }
    w.finalise(0, late).await;
    let ev = w.settle(0, late).await;
    let book = w.book(0, late).await;
    assert_eq!(book.settlement.window_from, late + 3);
    // The open epoch is late + 4 = window_from + 1 (window 1): still open.
    let payer = w.env.payer().pubkey();
    let keys = w.doms[0].d.keys;
    let sweep = ix::sweep_epoch(payer, &keys, &w.p.dn, late);
    w.fails(std::slice::from_ref(&sweep), &[], code(E::ClaimWindowOpen))
        .await;
    assert!(
        w.credit_all(0, late).await > 0,
        "its payouts are still credited"
    );
    // Epochs `late + 1 ..= late + 3` (nothing happened in them) settle in order; then the
    // next close ends the window.
    let keeper = w.keeper.insecure_clone();
    w.env.settle_pending(&w.p, &w.doms[0].d, &keeper).await;
    w.close(0).await;
    let keys = w.doms[0].d.keys;
    let sweep = ix::sweep_epoch(payer, &keys, &w.p.dn, late);
    w.ok(&[sweep], &[]).await;
    assert!(ev.budget > 0);
}

/// Finding 7: the keeper tip ceiling, the global cap and the period length that a
/// settlement uses are the ones in force when its epoch closed. Changing each between
/// close and settlement leaves the settlement as it would have been.
#[tokio::test]
async fn governance_changes_after_close_do_not_alter_a_settlement() {
    let run = |change: Option<fn(&mut Bounds)>| async move {
        let mut w = World::new(None, None).await;
        w.domain(false, TOKEN, &[], settings(2), 3, 1_000_000, 1)
            .await;
        w.pay(0, 10_000_000, 0).await;
        w.attest(0, 0, 0, 100).await;
        w.attest(0, 1, 0, 100).await;
        let e = w.close(0).await;
        w.finalise(0, e).await;
        if let Some(f) = change {
            let mut b = default_bounds();
            f(&mut b);
            let gov = w.p.gov.insecure_clone();
            w.ok(&[ix::update_bounds(gov.pubkey(), b)], &[&gov]).await;
        }
        let epoch: Epoch = w.env.get(pda::epoch(&w.doms[0].d.keys.domain, e)).await;
        assert_eq!(
            epoch.closed_with.keeper_tip_max,
            default_bounds().keeper_tip_max
        );
        let ev = w.settle(0, e).await;
        (ev.budget, ev.tip, ev.minted, ev.dn_pools, ev.period_minted)
    };
    let reference = run(None).await;
    // 2 × 10,000,000 = 20,000,000 within [1,000,000, 100,000,000]; tip 1,000.
    assert_eq!((reference.0, reference.1), (20_000_000, 1_000));
    type Change = (&'static str, fn(&mut Bounds));
    let changes: [Change; 3] = [
        ("keeper tip", |b| b.keeper_tip_max = 0),
        ("global cap", |b| b.global_cap_per_period = 5_000_000),
        ("period", |b| b.period_secs = 1),
    ];
    for (what, f) in changes {
        assert_eq!(run(Some(f)).await, reference, "{what} changed after close");
    }
}

/// Finding 5: the close grace is a domain setting within governance's bounds; a domain
/// with 60 seconds of grace closes 60 seconds after its end and not one second sooner.
#[tokio::test]
async fn the_close_grace_is_the_domains_setting() {
    let mut w = World::new(None, None).await;
    let mut s = settings(2);
    s.close_grace_secs = 60;
    w.domain(false, TOKEN, &[], s, 1, 1_000_000, 0).await;
    let keys = w.doms[0].d.keys;
    let epoch: Epoch = w.env.get(pda::epoch(&keys.domain, keys.epoch)).await;
    assert_eq!(epoch.closes_at(), Ok(epoch.end_ts + 60));
    let now = w.env.clock().await.unix_timestamp;
    w.env.advance(epoch.end_ts + 59 - now).await;
    let payer = w.env.payer().pubkey();
    let d: deepnode::state::Domain = w.env.get(keys.domain).await;
    let close = ix::close_epoch(payer, &keys, d.shards_ready);
    w.fails(std::slice::from_ref(&close), &[], code(E::EpochNotEnded))
        .await;
    w.env.advance(1).await;
    w.ok(&[close], &[]).await;
    assert_eq!(default_settings().close_grace_secs, 300);
}
