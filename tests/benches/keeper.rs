//! A keeper pass over one domain with many work records: transactions per step, items
//! per transaction, and wall time of the pass (and of an idle pass, which only reads).
//! Two epochs with the same participants: the first pass creates the domain's lookup
//! tables (their addresses are usable from the next slot, so its credit batches are
//! legacy ones: the keeper without tables sends exactly those), the second credits
//! through them. The runtime is in-process; a real cluster adds a confirmation per
//! transaction.
//! Every transaction sets its compute-unit limit from a simulation and bids a priority
//! fee of [`PRICE`] micro-lamports per unit: the fees of each pass are reported, and
//! what the same transactions would have paid at the cluster's default limit (200,000
//! units per instruction), as they did before the clients set limits. Compute units are
//! the SBF build's with `DEEPNODE_SBF=1` (natively the program is not metered).
//! Run: `cargo bench -p deepnode-tests --bench keeper` (`DEEPNODE_BENCH_MINERS`, default
//! 1,000).
use std::collections::BTreeMap;
use std::time::Instant;

use deepnode::state::Domain;
use deepnode_keeper::{Action, Keeper, Options, Step, Summary};
use deepnode_sdk::cluster::Cluster;
use deepnode_sdk::compute;
use deepnode_sdk::ix::{self, Attestation};
use deepnode_sdk::limits::ATTEST_LINES_LEGACY;
use deepnode_tests::cluster::{InProcess, Sent};
use deepnode_tests::fixtures::{default_settings, DomainFx};
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::Env;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Every validator attests every miner, then the clock passes the epoch's end.
async fn work(env: &mut Env, d: &DomainFx, vs: &[StakerFx], miners: &[Keypair]) {
    for v in vs {
        for chunk in miners.chunks(ATTEST_LINES_LEGACY) {
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
    let secs = i64::from(default_settings().epoch_secs) + deepnode_tests::fixtures::GRACE_SECS;
    env.advance(secs + 1).await;
}

/// The priority fee the keeper bids, micro-lamports per compute unit.
const PRICE: u64 = 10_000;

/// Fees of the transactions `sent`: as they were sent, and at the cluster's default
/// limit (lamports), with the largest limit asked.
fn fees(sent: &[Sent]) -> (u64, u64, u32) {
    let paid = sent
        .iter()
        .map(|t| compute::fee(t.signatures as u64, t.limit, t.price))
        .sum();
    let default = sent
        .iter()
        .map(|t| compute::fee(t.signatures as u64, t.default_limit, t.price))
        .sum();
    let most = sent.iter().map(|t| t.limit).max().unwrap_or(0);
    (paid, default, most)
}

/// One keeper pass, timed, its transactions per step printed as a table, with their
/// fees.
async fn measured(env: &Env, cluster: &mut InProcess, options: Options, title: &str) -> Summary {
    let before = env.registry.sends().len();
    let mut actions: Vec<Action> = Vec::new();
    let mut emit = |a: &Action| actions.push(a.clone());
    let start = Instant::now();
    let summary = Keeper::pass(cluster, options, &mut emit)
        .await
        .expect("pass");
    let busy = start.elapsed();
    let mut by_step: BTreeMap<(String, bool), (usize, usize, usize)> = BTreeMap::new();
    for a in &actions {
        let e = by_step.entry((a.step.to_string(), a.v0)).or_default();
        e.0 += 1;
        e.1 += a.items;
        e.2 = e.2.max(a.items);
    }
    println!("\n## {title}\n");
    println!("| step | transactions | items | most per transaction |");
    println!("|---|---:|---:|---:|");
    for step in [
        Step::CloseEpoch,
        Step::FinaliseWork,
        Step::FundRewardVault,
        Step::SettleEpoch,
        Step::CreateTable,
        Step::ExtendTable,
        Step::CreditPayouts,
        Step::SweepEpoch,
        Step::CloseAccounts,
    ] {
        for v0 in [false, true] {
            if let Some((txs, items, most)) = by_step.get(&(step.to_string(), v0)) {
                let how = if v0 { " (v0, lookup tables)" } else { "" };
                println!("| `{step}`{how} | {txs} | {items} | {most} |");
            }
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
    assert_eq!(summary.failed, 0);
    let sent = env.registry.sends();
    let sent = &sent[before..];
    assert_eq!(sent.len(), summary.sent);
    let (paid, default, most) = fees(sent);
    println!(
        "fees at {PRICE} micro-lamports per unit: {paid} lamports ({:.6} SOL; largest limit asked {most}); \
         at the default limit of 200,000 units per instruction: {default} lamports ({:.6} SOL)",
        paid as f64 / 1e9,
        default as f64 / 1e9
    );
    let mut by_program: BTreeMap<String, (usize, u32)> = BTreeMap::new();
    for t in sent {
        let e = by_program.entry(t.instructions.join(" + ")).or_default();
        e.0 += 1;
        e.1 = e.1.max(t.limit);
    }
    println!("\n| transaction | sent | largest limit asked |\n|---|---:|---:|");
    for (what, (n, most)) in by_program {
        println!("| {what} | {n} | {most} |");
    }
    summary
}

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
    // The first attestation of a miner pays its work record's rent.
    for v in &vs {
        env.airdrop(&v.key(), 10_000_000_000).await;
    }
    let (model, _) = env.model(&d, 1_000).await;
    let (consumer, account) = env.consumer(&d, 1_000_000_000).await;
    let pay = |d: &DomainFx, shard: u8| {
        ix::pay(
            &d.keys,
            consumer.pubkey(),
            account,
            model,
            shard,
            10_000_000,
            1,
        )
    };
    for shard in 0..2 {
        env.ok(&[pay(&d, shard)], &[&consumer]).await;
    }
    work(&mut env, &d, &vs, &keys).await;
    // A real cluster's SlotHashes lists the last 512 slots; the in-process bank stays in
    // one slot unless moved: move it so that the keeper finds a recent slot per table.
    for _ in 0..16 {
        env.next_slot().await;
    }
    println!(
        "set-up: {miners} miners, {validators} validators attesting each: {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let kp = Keypair::new();
    env.airdrop(&kp.pubkey(), 100_000_000_000).await;
    let mut cluster = env.cluster(&kp).with_priority_fee(PRICE);
    env.registry.log_sends();
    let options = Options {
        push: true,
        dry_run: false,
        lookup_tables: true,
    };
    let first = measured(
        &env,
        &mut cluster,
        options,
        &format!(
            "Keeper pass, one domain, {miners} work records (push on), first epoch: tables created"
        ),
    )
    .await;
    assert_eq!(first.records_finalised, miners);
    let tables = cluster.lookup_tables(&kp.pubkey()).await.expect("tables");
    let rent: u64 = tables.iter().map(|(_, a)| a.lamports).sum();
    println!(
        "lookup tables: {} holding {} addresses, rent {} lamports ({:.4} SOL), paid by the keeper",
        tables.len(),
        first.table_addresses,
        rent,
        rent as f64 / 1e9
    );
    // The next epoch, the same participants, one slot later.
    d.keys.epoch = env.get::<Domain>(d.keys.domain).await.current_epoch;
    for shard in 0..2 {
        env.ok(&[pay(&d, shard)], &[&consumer]).await;
    }
    work(&mut env, &d, &vs, &keys).await;
    env.next_slot().await;
    let second = measured(
        &env,
        &mut cluster,
        options,
        "Keeper pass, the next epoch, through the tables",
    )
    .await;
    assert_eq!(second.records_finalised, miners);
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
}
