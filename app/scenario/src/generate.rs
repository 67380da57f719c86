//! Generated networks for measuring how a run grows with participants: one domain paid
//! in a stablecoin, four validators, `miners` miners each attested by every validator in
//! every epoch, two models paid every epoch, one staker.
use serde_json::{json, Value};

use crate::Scenario;

/// Validators of a generated network (stakes 400k, 300k, 200k, 100k DN base units).
pub const VALIDATORS: [(&str, u64); 4] = [
    ("v1", 400_000),
    ("v2", 300_000),
    ("v3", 200_000),
    ("v4", 100_000),
];

/// The scenario document of a generated network with `miners` miners over `epochs`
/// epochs. Miner `i` does `100 + i % 50` units of work, grown by a tenth each epoch;
/// validator `j` reports it `j` units higher (inside the tolerance).
pub fn document(miners: usize, epochs: usize) -> Value {
    let miner_names: Vec<String> = (0..miners).map(|i| format!("miner{i:04}")).collect();
    let epoch_list: Vec<Value> = (0..epochs)
        .map(|k| {
            let mut attestations = Vec::with_capacity(miners * VALIDATORS.len());
            for (i, m) in miner_names.iter().enumerate() {
                let base = (100 + (i % 50) as u64) * (10 + k as u64) / 10;
                for (j, (v, _)) in VALIDATORS.iter().enumerate() {
                    attestations.push(json!({ "validator": v, "miner": m, "units": base + j as u64 }));
                }
            }
            let mut e = json!({
                "payments": [
                    { "payer": "carol", "model": "m1", "amount": 5_000_000 + 1_000_000 * k as u64, "shard": 0 },
                    { "payer": "carol", "model": "m2", "amount": 2_000_000, "shard": 1 }
                ],
                "attestations": attestations
            });
            if k == 0 {
                e["stakes"] = json!([{ "staker": "dave", "domain": "compute", "amount": 100_000 }]);
            }
            e
        })
        .collect();
    json!({
        "dn": { "decimals": 6, "max_supply": null, "token_program": "token" },
        "governance": { "global_cap_per_period": 1_000_000_000_000u64, "period_secs": 86_400, "keeper_tip_max": 1_000 },
        "domains": [{
            "name": "compute",
            "revenue_mint": { "symbol": "USDC", "decimals": 6, "token_program": "token" },
            "fee_bps": 1000, "max_model_share_bps": 5000,
            "split_bps": { "miners": 4100, "stakers": 2000, "validators": 2000, "domain_owner": 500, "model_owners": 1300 },
            "emission_rate_e9": 2_000_000_000u64, "floor": 1_000_000, "ceiling": 1_000_000_000,
            "epoch_secs": 86_400, "quorum": 2, "tolerance_bps": 1000,
            "min_validator_stake": 10_000, "max_staker_yield_bps_per_epoch": 50,
            "shards": 2, "claim_window_epochs": 2, "unbonding_epochs": 1, "owner": "olga"
        }],
        "models": [
            { "name": "m1", "domain": "compute", "owner": "alice", "owner_share_bps": 2500 },
            { "name": "m2", "domain": "compute", "owner": "bob", "owner_share_bps": 1000 }
        ],
        "miners": miner_names.iter().map(|m| json!({ "name": m, "domain": "compute" })).collect::<Vec<_>>(),
        "validators": VALIDATORS.iter().map(|(v, s)| json!({ "name": v, "domain": "compute", "stake": s })).collect::<Vec<_>>(),
        "balances": { "carol": { "USDC": 100_000_000_000u64 }, "dave": { "DN": 100_000 } },
        "epochs": epoch_list
    })
}

/// The generated network as a [`Scenario`].
pub fn network(miners: usize, epochs: usize) -> Scenario {
    serde_json::from_value(document(miners, epochs)).expect("a generated scenario parses")
}
