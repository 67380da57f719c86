//! `deepnode scenario`, run as a user runs it: the shared vectors' `--json` equal to their
//! expected documents, the human tables, the charts, every shipped example with the
//! behaviour it was written to show, and readable errors.
mod common;
use common::png_size;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn deepnode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepnode"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("run deepnode")
}

/// Runs `scenario run FILE --json` and parses stdout, which must be one JSON document.
fn run_json(file: &Path) -> Value {
    let out = deepnode(&["scenario", "run", file.to_str().expect("path"), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn vectors() -> PathBuf {
    root().join("../shared/spec/vectors")
}

#[test]
fn json_on_the_shared_vector_equals_the_expected_document() {
    let got = run_json(&vectors().join("v1-basic.json"));
    let text = std::fs::read_to_string(vectors().join("v1-basic.expected.json")).expect("read");
    let mut expected: Value = serde_json::from_str(&text).expect("expected json");
    // The one difference, predicted to the unit (SCENARIO.md lets the stakers' dust, burn
    // and supply move with the accumulator): the stakers' DN pool of scenario epoch 0
    // (999 over 99,999 of active stake) funds 998 whole units and carries the remaining
    // fraction, just below one unit, because a position holding across epochs may still
    // collect it; epoch 1's pool (1,100 over 110,000) plus that fraction funds all 1,100.
    // Every staker payout is the vector's; the stakers' dust burned is 1 where the
    // vector, which pays each epoch separately, burns 2, and the supply is 1 higher.
    assert_eq!(expected["final"]["dn_burned"], 2);
    assert_eq!(expected["final"]["dn_supply"], 16_912_497);
    expected["final"]["dn_burned"] = 1.into();
    expected["final"]["dn_supply"] = 16_912_498.into();
    if got != expected {
        panic!(
            "output differs\n--- got ---\n{}\n--- expected ---\n{}",
            serde_json::to_string_pretty(&got).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
    }
}

#[test]
fn tables_show_each_epoch_and_the_end_state() {
    let file = vectors().join("v1-basic.json");
    let out = deepnode(&["scenario", "run", file.to_str().expect("path")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    // Numbers from v1-basic.expected.json, grouped by thousands.
    for line in [
        "Epoch 0 · vision",
        "revenue 10,000,000 USDC · budget 20,000,000 DN · minted 16,001,199 DN · withheld 3,998,801 DN",
        "Epoch 1 · vision",
        "revenue 333,333 USDC · budget 1,000,000 DN · minted 801,300 DN · withheld 198,700 DN",
        "Epoch 2 · vision",
        "revenue 9,999 USDC · budget 0 DN · minted 0 DN · withheld 0 DN",
        "DN supply 16,912,498 · DN burned 1",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // Epoch 0's pools, DN then USDC, and its largest payout (the miner mx).
    assert!(
        text.contains("│ miners       ┆ 9,999,500 ┆ 3,200,000 │"),
        "{text}"
    );
    assert!(
        text.contains("│ mx          ┆ 9,999,500 ┆ 3,200,000 │"),
        "{text}"
    );
    // Tables only: no program log line leaks into stdout.
    assert!(!text.contains("Instruction:"), "{text}");
}

/// Width and height of a PNG, from its IHDR chunk.

#[test]
fn plot_writes_the_three_charts() {
    let dir = std::env::temp_dir().join(format!("deepnode-plot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = root().join("app/examples/two-domains.json");
    let out = deepnode(&[
        "scenario",
        "run",
        file.to_str().expect("path"),
        "--json",
        "--plot",
        dir.to_str().expect("dir"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Two domains: budget and payouts get a panel each; supply has two panels.
    for (name, size) in [
        ("budget.png", (960, 720)),
        ("payouts.png", (960, 720)),
        ("supply.png", (960, 720)),
    ] {
        let bytes = std::fs::read(dir.join(name)).expect(name);
        assert!(bytes.len() > 10_000, "{name}: {} bytes", bytes.len());
        assert_eq!(png_size(&bytes), size, "{name}");
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}

fn example(name: &str) -> Value {
    run_json(&root().join("app/examples").join(name))
}

fn epochs<'a>(report: &'a Value, domain: &str) -> Vec<&'a Value> {
    report["epochs"]
        .as_array()
        .expect("epochs")
        .iter()
        .filter(|e| e["domain"] == domain)
        .collect()
}

#[test]
fn two_domains_run_ten_epochs_each() {
    let r = example("two-domains.json");
    for domain in ["text", "vision"] {
        let list = epochs(&r, domain);
        assert_eq!(list.len(), 10, "{domain}");
        // Every epoch had verified work and revenue: each mints a budget.
        assert!(
            list.iter().all(|e| e["minted"].as_u64() > Some(0)),
            "{domain}"
        );
    }
    // The text domain is paid in DN: its payouts carry DN only.
    for e in epochs(&r, "text") {
        for (actor, amounts) in e["payouts"].as_object().expect("payouts") {
            assert_eq!(amounts.as_object().unwrap().len(), 1, "{actor}: {amounts}");
        }
    }
}

#[test]
fn a_demand_spike_is_capped_by_the_ceiling() {
    let r = example("demand-spike.json");
    let budgets: Vec<u64> = epochs(&r, "compute")
        .iter()
        .map(|e| e["budget"].as_u64().unwrap())
        .collect();
    // Rate 2 DN per revenue unit: 4M, 5M, 6M of revenue give 8M, 10M, 12M; the spike's
    // 150M would give 300M and is held at the ceiling of 200M.
    assert_eq!(
        budgets,
        [
            8_000_000,
            10_000_000,
            12_000_000,
            200_000_000,
            200_000_000,
            12_000_000,
            10_000_000,
            10_000_000
        ]
    );
}

/// §13: both domains guard emissions at 50% of the revenue's DN value. Paid in DN, a
/// revenue unit is worth 1 DN; the vision domain's auction prices it at its reference,
/// 0.5 DN. Without the guard the budgets would be 8M, the floor (1M), 20M and 8M.
#[test]
fn the_value_guard_caps_budgets_by_the_revenues_dn_value() {
    let r = example("value-guard.json");
    for (domain, price, caps) in [
        (
            "text",
            1_000_000_000u64,
            [2_000_000u64, 500, 5_000_000, 2_000_000],
        ),
        (
            "vision",
            500_000_000,
            [1_000_000, 250, 2_500_000, 1_000_000],
        ),
    ] {
        let list = epochs(&r, domain);
        let budgets: Vec<u64> = list.iter().map(|e| e["budget"].as_u64().unwrap()).collect();
        assert_eq!(budgets, caps, "{domain}");
        for (e, cap) in list.iter().zip(caps) {
            let g = &e["value_guard"];
            assert_eq!(
                (
                    g["price_e9"].as_u64(),
                    g["max_value_bps"].as_u64(),
                    g["cap"].as_u64()
                ),
                (Some(price), Some(5_000), Some(cap)),
                "{domain}"
            );
        }
    }
    // The tables say it too.
    let file = root().join("app/examples/value-guard.json");
    let out = deepnode(&["scenario", "run", file.to_str().expect("path")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("value guard (§13): at 0.5 DN per USDC, 5000 bps of the revenue's value caps the budget at 1,000,000 DN"),
        "{text}"
    );
    assert!(
        text.contains("at 1 DN per DN, 5000 bps of the revenue's value caps the budget at 500 DN")
    );
    // A domain without a guard reports none (the shared vector's document is unchanged).
    let spike = example("demand-spike.json");
    assert!(epochs(&spike, "compute")
        .iter()
        .all(|e| e.get("value_guard").is_none()));
}

#[test]
fn a_quiet_network_lives_on_the_floor() {
    let r = example("quiet-floor.json");
    let list = epochs(&r, "compute");
    assert_eq!(list.len(), 8);
    // At most 50,000 of revenue (100,000 DN at the rate) against a floor of 1 DN
    // (1,000,000): every epoch with verified work gets exactly the floor, even with no
    // revenue at all.
    for e in list {
        assert_eq!(e["budget"], 1_000_000, "epoch {}", e["index"]);
    }
}

#[test]
fn an_adversarial_minority_earns_nothing_for_invented_work() {
    let r = example("adversarial-minority.json");
    for e in epochs(&r, "compute") {
        let work = &e["verified_work"];
        // Honest stake is 60%: the stake-weighted median is an honest report. Ghost,
        // seen only by the minority, verifies 0; mallory's tenfold claim is cut to the
        // honest median (350 + 2 for the third-ranked honest report).
        assert_eq!(work["ghost"], 0);
        assert_eq!(work["mallory"], 352);
        assert_eq!(work["ma"], 202);
        assert!(e["payouts"].get("ghost").is_none());
        // The minority agreed on 3 of the 4 real miners; honest validators on all 4.
        assert_eq!(e["agreeing"]["x1"], 3);
        assert_eq!(e["agreeing"]["v1"], 4);
    }
}

#[test]
fn the_localnet_example_runs_in_process_as_it_does_on_a_validator() {
    // The file app/localnet/scenario.sh runs on a real validator and compares with this
    // run (60-second epochs, so that a cluster gets through it in half an hour).
    let r = example("localnet.json");
    let list = epochs(&r, "vision");
    assert_eq!(list.len(), 3);
    // Two equal payments in one epoch are two payments: 2 × 5,000,000, budget at the
    // rate of 2; then 3,000,000; then no revenue, verified work only: the floor.
    let revenue: Vec<_> = list.iter().map(|e| e["revenue"].clone()).collect();
    let budget: Vec<_> = list.iter().map(|e| e["budget"].clone()).collect();
    assert_eq!(revenue, [10_000_000, 3_000_000, 0]);
    assert_eq!(budget, [20_000_000, 6_000_000, 1_000_000]);
    // Weights 40/35/25: the median is the report that takes the cumulative stake past
    // half. Ghost, seen by x1 alone, is below quorum; x1's tenfold ma in epoch 1 is
    // outside the tolerance.
    let work: Vec<_> = list.iter().map(|e| e["verified_work"].clone()).collect();
    assert_eq!(
        work[0],
        serde_json::json!({"ma": 101, "mb": 200, "ghost": 0})
    );
    assert_eq!(work[1], serde_json::json!({"ma": 120, "mb": 181}));
    assert_eq!(work[2], serde_json::json!({"ma": 90}));
    let agreeing: Vec<_> = list.iter().map(|e| e["agreeing"].clone()).collect();
    assert_eq!(agreeing[0], serde_json::json!({"v1": 2, "v2": 2, "x1": 2}));
    assert_eq!(agreeing[1], serde_json::json!({"v1": 2, "v2": 2, "x1": 1}));
    assert_eq!(agreeing[2], serde_json::json!({"v1": 1, "v2": 1, "x1": 1}));
    // v1 staked all its DN; its wallet ends with every DN payout it collected plus the
    // 50,000 it unstaked in epoch 0 and withdrew once unbonded.
    let paid: u64 = list
        .iter()
        .map(|e| {
            e["payouts"]["v1"]["DN"]
                .as_u64()
                .expect("v1 paid each epoch")
        })
        .sum();
    assert_eq!(r["final"]["balances"]["v1"]["DN"], paid + 50_000);
}

#[test]
fn the_full_batch_example_runs_under_a_clusters_compute_budget() {
    // 16 validators attest 32 miners every epoch: every work record holds 16
    // attestations, so the keeper's largest legacy finalise batch needs more than the
    // 200,000 units a cluster grants an instruction by default. On the SBF build (CI's
    // second run) the runtime meters it as a cluster does; the clients ask for the
    // units each transaction needs, or this run stops at the first finalise.
    let r = example("full-batch.json");
    let list = epochs(&r, "compute");
    assert_eq!(list.len(), 3);
    let revenue: Vec<_> = list.iter().map(|e| e["revenue"].clone()).collect();
    let budget: Vec<_> = list.iter().map(|e| e["budget"].clone()).collect();
    assert_eq!(revenue, [11_000_000, 6_000_000, 0]);
    // Twice the revenue; the floor once there is verified work and no revenue.
    assert_eq!(budget, [22_000_000, 12_000_000, 1_000_000]);
    for (k, e) in list.iter().enumerate() {
        let work = e["verified_work"].as_object().expect("verified work");
        assert_eq!(work.len(), 32, "epoch {k}");
        // Miner i does (100 + 7i)(10 + k)/10 units and validator j reports j mod 4 more:
        // the reports of +0 carry 960,000 of the 4,000,000 of stake (950,000 of
        // 3,950,000 in epoch 2), so the median is the +1 report (in epoch 2 the six
        // silent validators' 900,000 vote 0 and the median is still +1).
        for i in 0..32u64 {
            let units = (100 + 7 * i) * (10 + k as u64) / 10 + 1;
            assert_eq!(
                work[&format!("m{:02}", i + 1)],
                units,
                "epoch {k} miner {i}"
            );
        }
    }
    let totals: Vec<u64> = list
        .iter()
        .map(|e| {
            e["verified_work"]
                .as_object()
                .expect("work")
                .values()
                .map(|v| v.as_u64().expect("units"))
                .sum()
        })
        .collect();
    assert_eq!(totals, [6_704, 7_357, 8_026]);
    // Every report within 10% of the median agrees: all 16 validators on all 32 miners;
    // in epoch 1 v16 reports three times the work and agrees on nothing; in epoch 2
    // only v01..v10 attest.
    let names = |n: usize| (1..=n).map(|j| format!("v{j:02}")).collect::<Vec<_>>();
    let expected_agreeing = [names(16), names(15), names(10)];
    for (k, e) in list.iter().enumerate() {
        let agreeing = e["agreeing"].as_object().expect("agreeing");
        let got: Vec<&String> = agreeing.keys().collect();
        let mut want: Vec<&String> = expected_agreeing[k].iter().collect();
        want.sort();
        assert_eq!(got, want, "epoch {k}");
        assert!(
            agreeing.values().all(|n| n == 32),
            "epoch {k}: {agreeing:?}"
        );
    }
}

#[test]
fn generate_writes_a_runnable_scenario() {
    let out = deepnode(&["scenario", "generate", "--miners", "12", "--epochs", "3"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["miners"].as_array().unwrap().len(), 12);
    assert_eq!(doc["epochs"].as_array().unwrap().len(), 3);
    // Every validator attests every miner every epoch.
    assert_eq!(
        doc["epochs"][0]["attestations"].as_array().unwrap().len(),
        48
    );
}

#[test]
fn bad_input_is_a_readable_error() {
    let out = deepnode(&["scenario", "run", "/nonexistent/scenario.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read scenario /nonexistent/scenario.json"),
        "{err}"
    );
    let bad = std::env::temp_dir().join(format!("deepnode-bad-{}.json", std::process::id()));
    std::fs::write(
        &bad,
        r#"{"dn": {"decimals": 6, "max_supply": null, "token_program": "token", "colour": 1}}"#,
    )
    .expect("write");
    let out = deepnode(&["scenario", "run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid scenario: unknown field `colour`"),
        "{err}"
    );
    // A guard of 0 would mint nothing: the runner says so instead of running it.
    let mut guard: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("app/examples/value-guard.json")).expect("example"),
    )
    .expect("json");
    guard["domains"][1]["max_emission_value_bps"] = 0.into();
    std::fs::write(&bad, guard.to_string()).expect("write");
    let out = deepnode(&["scenario", "run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "domain vision: max_emission_value_bps 0 would mint nothing; omit it for no guard"
        ),
        "{err}"
    );
    std::fs::remove_file(bad).expect("clean up");
    // With --url the file runs on that cluster: its keypair and its reachability are
    // the first things checked, and said plainly.
    let example = root().join("app/examples/localnet.json");
    let out = deepnode(&[
        "--url",
        "localhost",
        "--keypair",
        "/nonexistent/id.json",
        "scenario",
        "run",
        example.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read keypair /nonexistent/id.json"),
        "{err}"
    );
    let key = std::env::temp_dir().join(format!("deepnode-key-{}.json", std::process::id()));
    let bytes = solana_sdk::signature::Keypair::new().to_bytes().to_vec();
    std::fs::write(&key, serde_json::to_string(&bytes).unwrap()).expect("write");
    let out = deepnode(&[
        "--url",
        "http://127.0.0.1:9",
        "--keypair",
        key.to_str().unwrap(),
        "scenario",
        "run",
        example.to_str().unwrap(),
    ]);
    std::fs::remove_file(key).expect("clean up");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "cluster http://127.0.0.1:9: reading the protocol's config: cluster unreachable or erroring"
        ),
        "{err}"
    );
}
