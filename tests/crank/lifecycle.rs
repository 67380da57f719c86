//! The whole lifecycle over several epochs on two domains at once (one paid in DN with
//! the burn inside payments, one in a Token-2022 stablecoin with a transfer fee), every
//! §11 invariant checked after every instruction.
use crate::common::*;
use deepnode::events::{AccountClosed, EpochSwept, PayoutsCredited};
use deepnode_sdk::ix;
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;

/// `floor(pool * w / total)`, §12's payout rule, written out for the test.
fn rule(pool: u64, w: u64, total: u64) -> u64 {
    (u128::from(pool) * u128::from(w) / u128::from(total)) as u64
}

#[tokio::test]
async fn two_domains_through_every_step_of_several_epochs() {
    let mut w = World::new(None, None).await;
    let fee = [MintExt::TransferFee {
        bps: 50,
        max: 5_000,
    }];
    let dn = w
        .domain(true, TOKEN, &[], settings(2), 3, 1_000_000, 3)
        .await;
    let stable = w
        .domain(false, TOKEN_2022, &fee, settings(2), 3, 1_000_000, 3)
        .await;
    for round in 0..3u64 {
        for k in [dn, stable] {
            w.pay(k, 2_000_000 + round * 1_000, 0).await;
            w.pay(k, 3_000_000, 1).await;
            // Miners 0 and 1 reach quorum; miner 2 has one attestation only.
            for v in 0..3 {
                w.attest(k, v, 0, 100 + v as u64).await;
            }
            w.attest(k, 0, 1, 50).await;
            w.attest(k, 1, 1, 70).await;
            w.attest(k, 2, 2, 10).await;
        }
        for k in [dn, stable] {
            let ev = w.crank(k).await;
            let e = ev.epoch;
            let book = w.book(k, e).await;
            // Miner 0: 100, 101, 102 over W_e of 3,000,000: median 101, all agree.
            // Miner 1: 50 and 70, and 1,000,000 voting 0: median 50; 70 disagrees.
            assert_eq!(book.total_verified, 151);
            assert_eq!(book.total_agreeing, 4);
            assert_eq!(book.quorate_records, 2, "miner 2 never reached quorum");
            assert!(ev.budget >= w.doms[k].settings.floor && ev.minted > 0);
            // Every role is paid.
            let lines = w.credit_all(k, e).await;
            assert_eq!(
                lines,
                2 + 3 + 1 + 1 + 1,
                "2 miners, 3 validators, model, owner, foundation"
            );
            // The miners got §12's shares of their pools.
            let s = w.book(k, e).await.settlement;
            let m0 = w.doms[k].miners[0].insecure_clone();
            let (got_dn, got_rev) = w.collect(k, &m0).await;
            if w.doms[k].d.keys.is_dn {
                // Paid in DN: both payouts land in the miner's one DN account.
                let both = rule(s.dn_pools[0], 101, 151) + rule(s.rev_pools[0], 101, 151);
                assert_eq!(got_dn, both);
            } else {
                assert_eq!(got_dn, rule(s.dn_pools[0], 101, 151));
                // The stablecoin's transfer fee is the recipient's: 0.5%, rounded up.
                let sent = rule(s.rev_pools[0], 101, 151);
                let fee = (sent * 50).div_ceil(10_000).min(5_000);
                assert_eq!(got_rev, sent - fee);
            }
        }
    }
    // The claim window (1 epoch) of the first settled round has passed: sweep it,
    // burning its uncredited DN (miner 1 never collected but was credited: credits stay).
    for k in [dn, stable] {
        let open = w.doms[k].d.keys.epoch;
        let e = open - 3;
        let book = w.book(k, e).await;
        let s = book.settlement;
        let dust: u64 = (0..6).map(|r| s.dn_pools[r] - s.dn_credited[r]).sum();
        let rev_dust: u64 = (0..6).map(|r| s.rev_pools[r] - s.rev_credited[r]).sum();
        let payer = w.env.payer().pubkey();
        let keys = w.doms[k].d.keys;
        let sweep = ix::sweep_epoch(payer, &keys, &w.p.dn, e);
        let ev: EpochSwept = w.env.ok_event(&[sweep], &[]).await;
        w.check().await;
        assert_eq!((ev.dn_burned, ev.rev_rolled), (dust, rev_dust));
        assert!(dust < 10, "the dust is below the number of recipients");
        let open_book = w.book(k, open).await;
        assert_eq!(open_book.rolled_in, rev_dust);
        // Miner 2's record (below quorum) and the shard counters close with rent back
        // to whoever paid it; records credited were closed by their credit.
        let who = w.doms[k].who();
        let d = &w.doms[k].d;
        let mut closable: Vec<(Pubkey, Pubkey)> = Vec::new();
        for (_, key, r) in w.env.work_records(d, e, &who.miners).await {
            closable.push((key, r.rent_payer));
        }
        assert_eq!(closable.len(), 1, "only the record below quorum is left");
        for shard in 0..2 {
            let key = pda::epoch_shard(&keys.domain, e, shard);
            let counter: deepnode::state::EpochShard = w.env.get(key).await;
            closable.push((key, counter.rent_payer));
        }
        let payer_key = closable[0].1;
        let before = w.env.account(payer_key).await.expect("payer").lamports;
        let close = ix::close_accounts(payer, keys.domain, e, &closable);
        let ev: AccountClosed = w.env.ok_event(&[close], &[]).await;
        w.check().await;
        assert_eq!(ev.lines.len(), 3);
        let back: u64 = ev
            .lines
            .iter()
            .filter(|l| l.rent_payer == payer_key)
            .map(|l| l.lamports)
            .sum();
        let after = w.env.account(payer_key).await.expect("payer").lamports;
        assert_eq!(after - before, back, "rent back to whoever paid it");
        assert!(w.env.account(closable[0].0).await.is_none());
    }
    // A credited balance never expires: the miner credited long ago still collects it.
    for k in [dn, stable] {
        let m1 = w.doms[k].miners[1].insecure_clone();
        let (got, _) = w.collect(k, &m1).await;
        assert!(got > 0);
    }
}

/// A record credited to its miner is closed by the credit (rent back to the validator
/// that created it), so the same line cannot be credited twice; a recipient collects
/// everything credited to it over many epochs in one instruction of the same size.
#[tokio::test]
async fn credits_accumulate_and_collect_in_one_instruction() {
    let mut w = World::new(None, None).await;
    let k = w
        .domain(false, TOKEN, &[], settings(1), 1, 1_000_000, 1)
        .await;
    let miner = w.doms[k].miners[0].insecure_clone();
    let mut expected = 0u64;
    for _ in 0..5 {
        w.pay(k, 1_000_000, 0).await;
        w.attest(k, 0, 0, 10).await;
        let ev = w.crank(k).await;
        let e = ev.epoch;
        let creator = w.doms[k].validators[0].key();
        let before = w.env.account(creator).await.expect("validator").lamports;
        let line = ix::CreditLine::Miner {
            authority: miner.pubkey(),
            rent_payer: creator,
        };
        let domain = w.doms[k].d.keys.domain;
        let credit = ix::credit_payouts(miner.pubkey(), domain, e, &[line]);
        let got: PayoutsCredited = w
            .env
            .ok_event(std::slice::from_ref(&credit), &[&miner])
            .await;
        w.check().await;
        // The sole miner takes its whole pool.
        assert_eq!(got.lines[0].dn, ev.dn_pools[0]);
        expected += ev.dn_pools[0];
        let after = w.env.account(creator).await.expect("validator").lamports;
        assert_eq!(after - before, got.lines[0].rent_returned);
        assert!(got.lines[0].rent_returned > 0);
        w.fails(
            &[credit],
            &[&miner],
            code(deepnode::errors::DeepNodeError::AlreadyCredited),
        )
        .await;
    }
    let (dn, _) = w.collect(k, &miner).await;
    assert_eq!(dn, expected, "five epochs' credits in one collect");
    write_ts_fixtures(&mut w, k, &miner.pubkey()).await;
}

/// For the TypeScript check (`app/ts-check`): when `DEEPNODE_TS_FIXTURES` names a folder,
/// writes the data of a `pay` and an `attest` built by the Rust SDK, and the raw bytes of
/// an epoch book this test left on chain with the values the Rust decoder reads.
async fn write_ts_fixtures(w: &mut World, k: usize, recipient: &Pubkey) {
    let Ok(dir) = std::env::var("DEEPNODE_TS_FIXTURES") else {
        return;
    };
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let keys = w.doms[k].d.keys;
    let pay = ix::pay(
        &keys,
        *recipient,
        *recipient,
        w.doms[k].models[0].0,
        1,
        1_234_567,
        89,
    );
    let line = ix::Attestation {
        miner: *recipient,
        units: 1_000_000_000_000,
        revise: true,
    };
    let attest = ix::attest(*recipient, keys.domain, 42, &[line]);
    // The last settled epoch's book: nested structs, arrays and a u128.
    let e = keys.epoch - 1;
    let key = pda::epoch_book(&keys.domain, e);
    let raw = w.env.account(key).await.expect("epoch book").data;
    let b: deepnode::state::EpochBook = w.env.get(key).await;
    let doc = serde_json::json!({
        "pay": { "shard": 1, "amount": "1234567", "usage_units": "89", "data": hex(&pay.data) },
        "attest": { "epoch_index": "42", "units": "1000000000000", "revise": true,
                    "data": hex(&attest.data) },
        "epoch_book": {
            "data": hex(&raw),
            "domain": b.domain.to_string(), "epoch": b.epoch.to_string(),
            "total_verified": b.total_verified.to_string(),
            "total_agreeing": b.total_agreeing.to_string(),
            "voter_weight": b.voters[0].weight.to_string(),
            "miners_pool": b.settlement.dn_pools[0].to_string(),
            "settled_by": b.settlement.settled_by.to_string(),
            "bump": b.bump
        }
    });
    std::fs::create_dir_all(&dir).expect("fixture folder");
    let path = std::path::Path::new(&dir).join("fixtures.json");
    std::fs::write(path, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
}
