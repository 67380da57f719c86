//! The DeepNode regime's inputs as a scenario file (shared/spec/SCENARIO.md), so the
//! real program can be run on exactly what the simulator computed: the same payments,
//! the same verified work (every validator attests every miner's units), the same stake
//! changes at the same boundaries, the same settings.
use serde_json::{json, Value};

use crate::engine::EpochTrace;
use crate::{SimConfig, SimError};

/// Epoch length used on chain (the simulator counts epochs, not seconds).
const EPOCH_SECS: u64 = 86_400;

/// Miner `i`'s actor name.
pub fn miner(i: usize) -> String {
    format!("miner{i}")
}

/// Validator `i`'s actor name.
pub fn validator(i: usize) -> String {
    format!("validator{i}")
}

/// Staker `i`'s actor name.
pub fn staker(i: usize) -> String {
    format!("staker{i}")
}

/// The scenario document replaying `trace`. Refuses what a scenario cannot express:
/// stakers staked before epoch 0 (only validators' stake is active from the start on
/// chain) and a wash agent.
pub fn scenario(c: &SimConfig, trace: &[EpochTrace]) -> Result<Value, SimError> {
    if c.stakers.initial_staked > 0 {
        return Err(SimError::Config(
            "replay needs stakers.initial_staked = 0: on chain only validators' stake is active at epoch 0".into(),
        ));
    }
    if c.wash.is_some() {
        return Err(SimError::Config(
            "replay does not model the wash agent".into(),
        ));
    }
    let d = &c.deepnode;
    let symbol = if c.demand.paid_in_dn { "DN" } else { "USDC" };
    let v = usize::from(c.validators.count);
    let mut domain = json!({
        "name": "sim",
        "revenue_mint": { "symbol": symbol, "decimals": 6, "token_program": "token" },
        "fee_bps": d.fee_bps,
        "max_model_share_bps": d.owner_share_bps,
        "split_bps": {
            "miners": d.split.miners, "stakers": d.split.stakers,
            "validators": d.split.validators, "domain_owner": d.split.domain_owner,
            "model_owners": d.split.model_owners
        },
        "emission_rate_e9": d.emission_rate_e9,
        "floor": d.floor,
        "ceiling": d.ceiling,
        "epoch_secs": EPOCH_SECS,
        "quorum": c.validators.quorum.max(1),
        "tolerance_bps": 0,
        "min_validator_stake": 1,
        "max_staker_yield_bps_per_epoch": d.max_staker_yield_bps,
        "shards": 1,
        "claim_window_epochs": d.claim_window_epochs,
        "unbonding_epochs": c.stakers.unbonding_epochs,
        "owner": "olga"
    });
    if let Some(g) = d.max_emission_value_bps {
        domain["max_emission_value_bps"] = json!(g);
    }
    let mut miners: Vec<usize> = trace
        .iter()
        .flat_map(|e| e.work.iter().map(|w| w.0))
        .collect();
    miners.sort_unstable();
    miners.dedup();
    let mut stakers: Vec<usize> = trace
        .iter()
        .flat_map(|e| e.stakes.iter().copied())
        .collect();
    stakers.sort_unstable();
    stakers.dedup();
    let paid: u64 = trace.iter().map(|e| e.payment).sum();
    let mut balances = serde_json::Map::new();
    balances.insert("carol".into(), json!({ symbol: paid.max(1) }));
    for &s in &stakers {
        balances.insert(staker(s), json!({ "DN": c.stakers.stake_each }));
    }
    let epochs: Vec<Value> = trace
        .iter()
        .map(|e| {
            let stake = |list: &[usize]| -> Vec<Value> {
                list.iter()
                    .map(|&s| json!({ "staker": staker(s), "domain": "sim", "amount": c.stakers.stake_each }))
                    .collect()
            };
            let payments: Vec<Value> = (e.payment > 0)
                .then(|| json!({ "payer": "carol", "model": "m", "amount": e.payment, "shard": 0 }))
                .into_iter()
                .collect();
            let attestations: Vec<Value> = e
                .work
                .iter()
                .flat_map(|&(m, units)| {
                    e.voters.iter().map(move |&k| {
                        json!({ "validator": validator(k), "miner": miner(m), "units": units })
                    })
                })
                .collect();
            let mut unstakes = stake(&e.unstakes);
            unstakes.extend(e.validator_exits.iter().map(|&k| {
                json!({ "staker": validator(k), "domain": "sim", "amount": c.validators.stake_each })
            }));
            json!({
                "stakes": stake(&e.stakes),
                "unstakes": unstakes,
                "payments": payments,
                "attestations": attestations
            })
        })
        .collect();
    Ok(json!({
        "dn": { "decimals": 6, "max_supply": d.max_supply, "token_program": "token" },
        "governance": {
            "global_cap_per_period": d.global_cap_per_period,
            "period_secs": EPOCH_SECS * u64::from(d.period_epochs),
            "keeper_tip_max": d.keeper_tip_max
        },
        "domains": [domain],
        "models": [{ "name": "m", "domain": "sim", "owner": "alice", "owner_share_bps": d.owner_share_bps }],
        "miners": miners.iter().map(|&m| json!({ "name": miner(m), "domain": "sim" })).collect::<Vec<_>>(),
        "validators": (0..v).map(|k| json!({ "name": validator(k), "domain": "sim", "stake": c.validators.stake_each })).collect::<Vec<_>>(),
        "balances": balances,
        "epochs": epochs
    }))
}
