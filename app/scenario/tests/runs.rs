//! Whole runs of the scenario runner on the in-process runtime, each predicting its
//! result: a refused initialisation names the program's reason, two domains at either
//! end of governance's fee and share bounds run side by side, a staker that requests an
//! unstake is paid for that epoch in that epoch's report (one share of its whole stake),
//! commit-reveal changes nothing in the results, and offset emissions are paid from the
//! reserve and reported.
use deepnode_scenario::{run, Scenario};
use serde_json::{json, Value};

/// A one-domain network: two validators of 5,000 DN each, `dave` staking 10,000 DN in
/// scenario epoch 0, a model, a miner attested every epoch and a payment every epoch.
fn network(epochs: Value) -> Value {
    json!({
        "dn": { "decimals": 6, "max_supply": null, "token_program": "token" },
        "governance": { "global_cap_per_period": 1_000_000_000_000u64, "period_secs": 86_400, "keeper_tip_max": 0 },
        "domains": [{
            "name": "vision",
            "revenue_mint": { "symbol": "USDC", "decimals": 6, "token_program": "token" },
            "fee_bps": 1_000, "max_model_share_bps": 5_000,
            "split_bps": { "miners": 4_000, "stakers": 3_000, "validators": 1_500, "domain_owner": 500, "model_owners": 900 },
            "emission_rate_e9": 2_000_000_000u64, "floor": 1_000, "ceiling": 1_000_000_000u64,
            "epoch_secs": 86_400, "quorum": 2, "tolerance_bps": 1_000,
            "min_validator_stake": 1_000, "max_staker_yield_bps_per_epoch": 10_000,
            "shards": 1, "claim_window_epochs": 2, "unbonding_epochs": 1, "owner": "olga"
        }],
        "models": [{ "name": "m1", "domain": "vision", "owner": "alice", "owner_share_bps": 2_000 }],
        "miners": [{ "name": "mx", "domain": "vision" }],
        "validators": [
            { "name": "v1", "domain": "vision", "stake": 5_000 },
            { "name": "v2", "domain": "vision", "stake": 5_000 }
        ],
        "balances": { "carol": { "USDC": 100_000_000 }, "dave": { "DN": 10_000 } },
        "epochs": epochs
    })
}

/// One epoch: a payment of `amount` and both validators attesting `mx` 100 units.
fn epoch(amount: u64) -> Value {
    json!({
        "payments": [{ "payer": "carol", "model": "m1", "amount": amount, "shard": 0 }],
        "attestations": [
            { "validator": "v1", "miner": "mx", "units": 100 },
            { "validator": "v2", "miner": "mx", "units": 100 }
        ]
    })
}

fn scenario(doc: Value) -> Scenario {
    serde_json::from_value(doc).expect("a scenario")
}

/// What a stake `w` of `total` earns of an epoch's stakers' `pool` through the program's
/// accumulator, written from §9 and §12 (not the program's code):
/// `floor(w * floor(pool * 2^64 / total) / 2^64)`.
fn accumulator_pays(pool: u64, w: u64, total: u64) -> u64 {
    let inc = (u128::from(pool) << 64) / u128::from(total);
    u64::try_from((u128::from(w) * inc) >> 64).expect("fits")
}

/// `initialize` refused by the program: the error names the program's reason, not a
/// guess (before, every refusal read "the keypair must be the program's upgrade
/// authority", which is checked separately).
#[tokio::test]
async fn a_refused_initialisation_names_the_programs_reason() {
    let mut doc = network(json!([epoch(1_000_000)]));
    doc["governance"]["period_secs"] = 0.into();
    let err = run(&scenario(doc), &mut |_| {})
        .await
        .expect_err("a period of 0 seconds is refused");
    assert_eq!(
        err.to_string(),
        "initialising the protocol: instruction 0 failed: BoundsExceedLimits (6010): \
         Bounds exceed the protocol's hard limits"
    );
}

/// §4's `fee + x_max + 1% <= 100%` holds per domain: a domain with a 20% fee and shares
/// up to 60% runs beside one with a 5% fee and shares up to 90% (before, governance's
/// bounds for the two, a 20% fee and 90% shares, were refused). Each routes its payment
/// by its own fee.
#[tokio::test]
async fn two_domains_at_either_end_of_the_fee_and_share_bounds_run() {
    let mut doc = network(json!([{
        "payments": [
            { "payer": "carol", "model": "m1", "amount": 1_000_000, "shard": 0 },
            { "payer": "carol", "model": "m2", "amount": 1_000_000, "shard": 0 }
        ],
        "attestations": [
            { "validator": "v1", "miner": "mx", "units": 100 },
            { "validator": "v2", "miner": "mx", "units": 100 }
        ]
    }]));
    let mut second = doc["domains"][0].clone();
    second["name"] = "text".into();
    second["fee_bps"] = 500.into();
    second["max_model_share_bps"] = 9_000.into();
    second["owner"] = "tom".into();
    doc["domains"][0]["fee_bps"] = 2_000.into();
    doc["domains"][0]["max_model_share_bps"] = 6_000.into();
    doc["domains"].as_array_mut().expect("domains").push(second);
    doc["models"]
        .as_array_mut()
        .expect("models")
        .push(json!({ "name": "m2", "domain": "text", "owner": "bob", "owner_share_bps": 9_000 }));
    let r = run(&scenario(doc), &mut |_| {}).await.expect("both run");
    assert_eq!(r.epochs.len(), 2);
    // The fee share of 1,000,000: 20% in vision, 5% in text.
    assert_eq!(r.final_state.fees["vision"], 200_000);
    assert_eq!(r.final_state.fees["text"], 50_000);
    // Model shares: 20% of m1's payment, 90% of m2's.
    assert_eq!(r.final_state.model_revenue["m1"], 200_000);
    assert_eq!(r.final_state.model_revenue["m2"], 900_000);
}

/// SCENARIO.md: `payouts` are what each actor got for that epoch. `dave` stakes 10,000 in
/// epoch 0 and requests 4,000 out in epoch 1, which its stake still earns: its epoch-1
/// payout is one share of its whole 10,000 of the 20,000 active, in epoch 1's report
/// (before, the ticket's 4,000 were reported two epochs later, when it was withdrawn,
/// and the two parts were each rounded down: up to 2 units short).
#[tokio::test]
async fn a_stakers_rewards_are_reported_in_the_epoch_that_earned_them() {
    let mut e0 = epoch(3_000_000);
    e0["stakes"] = json!([{ "staker": "dave", "domain": "vision", "amount": 10_000 }]);
    let mut e1 = epoch(7_000_001);
    e1["unstakes"] = json!([{ "staker": "dave", "domain": "vision", "amount": 4_000 }]);
    let doc = network(json!([e0, e1, epoch(5_000_000), epoch(5_000_000)]));
    let r = run(&scenario(doc), &mut |_| {}).await.expect("runs");
    let e = |k: usize| &r.epochs[k];
    let payout = |k: usize, who: &str, token: &str| -> u64 {
        e(k).payouts
            .get(who)
            .and_then(|p| p.get(token))
            .copied()
            .unwrap_or(0)
    };
    // Epoch 1: 20,000 active (v1, v2 and dave), dave holds 10,000.
    let (dn_pool, rev_pool) = (e(1).dn_pools.stakers, e(1).rev_pools.stakers);
    assert!(dn_pool > 0 && rev_pool > 0);
    assert_eq!(
        payout(1, "dave", "DN"),
        accumulator_pays(dn_pool, 10_000, 20_000)
    );
    assert_eq!(
        payout(1, "dave", "USDC"),
        accumulator_pays(rev_pool, 10_000, 20_000)
    );
    // Epoch 2: 16,000 active, dave holds 6,000; epoch 3 (the ticket withdrawn) likewise:
    // nothing of epoch 1 is left for later reports.
    for k in [2, 3] {
        let (dn_pool, rev_pool) = (e(k).dn_pools.stakers, e(k).rev_pools.stakers);
        assert_eq!(
            payout(k, "dave", "DN"),
            accumulator_pays(dn_pool, 6_000, 16_000),
            "epoch {k}"
        );
        assert_eq!(
            payout(k, "dave", "USDC"),
            accumulator_pays(rev_pool, 6_000, 16_000),
            "epoch {k}"
        );
    }
    // Dave's wallet: its 4,000 back, and every DN payout.
    let paid: u64 = (0..4).map(|k| payout(k, "dave", "DN")).sum();
    assert_eq!(r.final_state.balances["dave"]["DN"], 4_000 + paid);
}

/// SCENARIO.md: with `commit_reveal`, validators commit while the epoch is open and the
/// runner reveals their batches in the grace window; the results are the same numbers
/// as without it (the full-batch example: 16 validators, 32 miners, 3 epochs).
#[tokio::test]
async fn commit_reveal_reports_what_plain_attestations_report() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/full-batch.json");
    let plain = deepnode_scenario::load(&path).expect("example");
    let mut committed = plain.clone();
    committed.domains[0].commit_reveal = true;
    let a = run(&plain, &mut |_| {}).await.expect("plain run");
    let b = run(&committed, &mut |_| {})
        .await
        .expect("commit-reveal run");
    assert_eq!(a.epochs.len(), 3);
    assert_eq!(a, b);
}

/// §14 through the runner: `app/examples/offset.json` runs two stablecoin domains side by
/// side, one offsetting half of its pool, with a trader buying everything for sale as
/// each epoch from 1 on begins (at the auction's floor, 2 DN per unit). Each epoch: a
/// payment of 10,000,000 leaves a pool of 6,900,000 (owner 20%, fee 10%, buyback 1%);
/// the budget is 10,000,000 (rate 1), the stakers' pool capped at 0.5% of 1,000,000
/// active (5,000 of 1,999,800: 1,994,800 withheld), so the roles are due 8,005,200. The
/// offsetting domain puts 3,450,000 units into the auction; bought with the 100,000 units
/// of buyback stock for 7,100,000 DN, 6,900,000 of it goes to the reserve (the rest is
/// burned), and the next settlement takes it from there: 1,105,200 minted.
#[tokio::test]
async fn offset_emissions_are_paid_from_the_reserve_and_reported() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/offset.json");
    let s = deepnode_scenario::load(&path).expect("example");
    let r = run(&s, &mut |_| {}).await.expect("offset run");
    // (budget, minted, offset (stock, from the reserve)) per epoch.
    type Row = (u64, u64, Option<(u64, u64)>);
    let row = |name: &str| -> Vec<Row> {
        r.epochs
            .iter()
            .filter(|e| e.domain == name)
            .map(|e| {
                (
                    e.budget,
                    e.minted,
                    e.offset.map(|o| (o.stock, o.from_reserve)),
                )
            })
            .collect()
    };
    let due = 8_005_200;
    assert_eq!(row("plain"), vec![(10_000_000, due, None); 4]);
    let mut offset = vec![(10_000_000, due, Some((3_450_000, 0)))];
    offset.extend([(10_000_000, due - 6_900_000, Some((3_450_000, 6_900_000))); 3]);
    assert_eq!(row("offset"), offset);
    // The revenue the roles split is the pool less the offset stock.
    let pools = |name: &str| {
        r.epochs
            .iter()
            .find(|e| e.domain == name)
            .map(|e| e.rev_pools.miners)
    };
    assert_eq!(pools("plain"), Some(6_900_000 * 4_100 / 10_000));
    assert_eq!(pools("offset"), Some(3_450_000 * 4_100 / 10_000));
    // The JSON has the key only for the offsetting domain (SCENARIO.md).
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["epochs"][0].get("offset"), None);
    assert_eq!(
        json["epochs"][1]["offset"],
        json!({ "stock": 3_450_000, "from_reserve": 0 })
    );
    // Three purchases per domain, each burning the DN paid for buyback stock: 100,000
    // units at 2 DN; the trader paid 3 × (200,000 + 7,100,000).
    assert_eq!(
        r.final_state.balances["trader"]["DN"],
        1_000_000_000 - 3 * 7_300_000
    );
    assert_eq!(r.final_state.buyback_vault["offset"], 3_450_000 + 100_000);
}

/// A buyback the program could not take is refused before anything runs, saying why: a
/// domain without an auction, an unknown domain.
#[tokio::test]
async fn buybacks_name_a_domain_with_an_auction() {
    let mut e = epoch(1_000_000);
    e["buybacks"] = json!([{ "buyer": "dave", "domain": "vision" }]);
    let err = run(&scenario(network(json!([e.clone()]))), &mut |_| {})
        .await
        .expect_err("no auction");
    assert_eq!(
        err.to_string(),
        "epoch 0: a buyback in domain vision needs its auction (an \"auction\" entry; a domain paid in DN has none)"
    );
    e["buybacks"] = json!([{ "buyer": "dave", "domain": "nowhere" }]);
    let err = run(&scenario(network(json!([e]))), &mut |_| {})
        .await
        .expect_err("unknown domain");
    assert_eq!(err.to_string(), "unknown buyback's domain \"nowhere\"");
}
