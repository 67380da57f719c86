//! A keeper pass over one domain with many work records: transactions per step, items
//! per transaction, and wall time of the pass (and of an idle pass, which only reads).
//! The runtime is in-process; a real cluster adds a confirmation per transaction.
//! Run: `cargo bench -p deepnode-tests --bench keeper` (`DEEPNODE_BENCH_MINERS`, default
//! 1,000).
use std::collections::BTreeMap;
use std::time::Instant;

use deepnode_keeper::{Action, Keeper, Options, Step};
use deepnode_sdk::ix::{self, Attestation};
use deepnode_sdk::limits::ATTEST_LINES_LEGACY;
use deepnode_tests::fixtures::default_settings;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::Env;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

#[tokio::main]
async fn main() {
    std::env::set_var("RUST_LOG", "error");
    let miners: usize = std::env::var("DEEPNODE_BENCH_MINERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let validators = 4;
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mut d = env.domain_with(&p, TOKEN, &[], 2, default_settings()).await;
    let vs = env.validators(&p, &mut d, validators, 100_000).await;
    let setup = Instant::now();
    let mut keys = Vec::with_capacity(miners);
    for _ in 0..miners {
        keys.push(env.miner(&d).await);
    }
    for v in &vs {
        // The first attestation of a miner pays its work record's rent.
        env.airdrop(&v.key(), 10_000_000_000).await;
        for chunk in keys.chunks(ATTEST_LINES_LEGACY) {
            let lines: Vec<Attestation> = chunk
                .iter()
                .map(|m| Attestation {
                    miner: m.pubkey(),
                    units: 1_000,
                    revise: false,
                })
                .collect();
            let ix = ix::attest(v.key(), d.keys.domain, d.keys.epoch, &lines);
            env.ok(&[ix], &[&v.kp]).await;
        }
    }
    let (model, _) = env.model(&d, 1_000).await;
    let (consumer, account) = env.consumer(&d, 1_000_000_000).await;
    for shard in 0..2 {
        let pay = ix::pay(
            &d.keys,
            consumer.pubkey(),
            account,
            model,
            shard,
            10_000_000,
            1,
        );
        env.ok(&[pay], &[&consumer]).await;
    }
    let secs = i64::from(default_settings().epoch_secs) + deepnode::constants::CLOSE_GRACE_SECS;
    env.advance(secs + 1).await;
    println!(
        "set-up: {miners} miners, {validators} validators attesting each: {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let kp = Keypair::new();
    env.airdrop(&kp.pubkey(), 100_000_000_000).await;
    let mut cluster = env.cluster(&kp);
    let mut actions: Vec<Action> = Vec::new();
    let mut emit = |a: &Action| actions.push(a.clone());
    let options = Options {
        push: true,
        dry_run: false,
    };
    let start = Instant::now();
    let summary = Keeper::pass(&mut cluster, options, &mut emit)
        .await
        .expect("pass");
    let busy = start.elapsed();
    let mut by_step: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for a in &actions {
        let e = by_step.entry(a.step.to_string()).or_default();
        e.0 += 1;
        e.1 += a.items;
        e.2 = e.2.max(a.items);
    }
    println!("\n## Keeper pass, one domain, {miners} work records (push on)\n");
    println!("| step | transactions | items | most per transaction |");
    println!("|---|---:|---:|---:|");
    for step in [
        Step::CloseEpoch,
        Step::FinaliseWork,
        Step::CollectPools,
        Step::SettleEpoch,
        Step::Credit,
        Step::SweepEpoch,
        Step::CloseAccounts,
    ] {
        if let Some((txs, items, most)) = by_step.get(&step.to_string()) {
            println!("| `{step}` | {txs} | {items} | {most} |");
        }
    }
    println!(
        "| total | {} | | |\n\nsent {}, failed {}; wall time {:.2} s ({:.1} ms per transaction)",
        actions.len(),
        summary.sent,
        summary.failed,
        busy.as_secs_f64(),
        busy.as_secs_f64() * 1e3 / actions.len().max(1) as f64
    );
    let mut idle_actions = 0usize;
    let mut count = |_: &Action| idle_actions += 1;
    let start = Instant::now();
    Keeper::pass(&mut cluster, options, &mut count)
        .await
        .expect("idle pass");
    println!(
        "idle pass (nothing to do; it reads every program account five times): {:.2} s, {idle_actions} transactions",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.records_finalised, miners);
}
