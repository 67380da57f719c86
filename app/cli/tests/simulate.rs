//! `deepnode simulate`, run as a user runs it: the comparison table, `--json`, `--csv`,
//! `--plot`, `--sweep`, every shipped configuration, and readable errors.
mod common;
use common::png_size;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/sim")
}

fn example(name: &str) -> String {
    examples().join(name).to_str().expect("path").to_string()
}

fn deepnode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deepnode"))
        .args(args)
        .output()
        .expect("run deepnode")
}

fn ok(args: &[&str]) -> String {
    let out = deepnode(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(&all)).expect("stdout is one JSON document")
}

/// The table shows the same numbers as the JSON document of the same run.
#[test]
fn the_table_and_the_json_agree() {
    let growth = example("growth.json");
    let doc = json(&["simulate", &growth]);
    assert_eq!(doc["epochs"], 730);
    for regime in ["fixed_split", "deepnode"] {
        assert_eq!(
            doc[regime]["epochs"].as_array().unwrap().len(),
            730,
            "{regime}"
        );
    }
    let table = ok(&["simulate", &growth]);
    let minted = |r: &str| doc[r]["summary"]["minted"].as_u64().unwrap() / 1_000_000;
    let line = table
        .lines()
        .find(|l| l.contains("DN minted"))
        .expect("minted row");
    let grouped = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert!(line.contains(&grouped(minted("fixed_split"))), "{line}");
    assert!(line.contains(&grouped(minted("deepnode"))), "{line}");
    for row in [
        "price: start → end",
        "sell / buy",
        "miners: end (lowest)",
        "miners' profit",
    ] {
        assert!(table.contains(row), "{row}");
    }
}

#[test]
fn csv_has_a_row_per_epoch_and_regime() {
    let dir = std::env::temp_dir().join(format!("deepnode-sim-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shock.csv");
    ok(&[
        "simulate",
        &example("shock.json"),
        "--csv",
        path.to_str().unwrap(),
        "--epochs",
        "50",
    ]);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["regime", "epoch", "price"]);
    assert!(header.contains(&"sold_value") && header.contains(&"miners_active"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 100);
    assert!(rows[0].starts_with("fixed_split,0,") && rows[50].starts_with("deepnode,0,"));
    // "-" writes it on stdout, and nothing else goes there.
    let out = ok(&[
        "simulate",
        &example("shock.json"),
        "--csv",
        "-",
        "--epochs",
        "50",
    ]);
    assert_eq!(out, text);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plot_writes_four_charts() {
    let dir = std::env::temp_dir().join(format!("deepnode-sim-plot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    ok(&[
        "simulate",
        &example("growth.json"),
        "--plot",
        dir.to_str().unwrap(),
        "--epochs",
        "100",
    ]);
    for (name, size) in [
        ("price.png", (960, 360)),
        ("supply.png", (960, 720)),
        ("pressure.png", (960, 720)),
        ("miners.png", (960, 720)),
    ] {
        let bytes = std::fs::read(dir.join(name)).expect(name);
        assert!(bytes.len() > 10_000, "{name}: {} bytes", bytes.len());
        assert_eq!(png_size(&bytes), size, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A 2 x 3 grid: six rows in grid order, each equal to its own single run.
#[test]
fn sweep_runs_every_configuration() {
    let dir = std::env::temp_dir().join(format!("deepnode-sim-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let grid = dir.join("grid.json");
    std::fs::write(
        &grid,
        r#"{"axes": [
            {"path": "demand.path", "values": ["flat", "growth"]},
            {"name": "rate", "path": "deepnode.emission_rate_e9", "values": [100000000, 400000000, 1000000000],
             "labels": ["0.1", "0.4", "1"]}
        ]}"#,
    )
    .unwrap();
    let growth = example("growth.json");
    let args = [
        "simulate",
        &growth,
        "--sweep",
        grid.to_str().unwrap(),
        "--epochs",
        "60",
    ];
    let doc = json(&args);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(doc["axes"], serde_json::json!(["demand.path", "rate"]));
    assert_eq!(rows[4]["values"], serde_json::json!(["growth", 400000000]));
    // The tally counts the rows.
    let higher = rows
        .iter()
        .filter(|r| {
            r["deepnode"]["final_price"].as_f64() > r["fixed_split"]["final_price"].as_f64()
        })
        .count();
    assert_eq!(doc["tally"]["deepnode_price_higher"], higher);
    assert_eq!(doc["tally"]["configs"], 6);
    // Row 4 is growth at 0.4 DN/$: the same summary as that configuration run alone.
    let single = json(&["simulate", &growth, "--epochs", "60"]);
    assert_eq!(rows[4]["deepnode"], single["deepnode"]["summary"]);
    assert_eq!(rows[4]["fixed_split"], single["fixed_split"]["summary"]);
    let table = ok(&[&args[..], &["--threads", "1"]].concat());
    assert!(
        table.contains("rate") && table.contains("6 configurations × 60 epochs"),
        "{table}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A sweep over a configuration with a wash agent reports §13 per configuration: the
/// row of the wash example's own rate and pool equals the example run alone.
#[test]
fn a_wash_sweep_reports_the_break_even_guard_per_configuration() {
    let wash = example("wash.json");
    let grid = example("wash-sweep.json");
    let doc = json(&["simulate", &wash, "--sweep", &grid]);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    // Row 5: 1 DN per $1 (the default rate) on the $10M pool (the default depth).
    assert_eq!(rows[5]["values"][0], 1_000_000_000);
    let single = json(&["simulate", &wash]);
    assert_eq!(rows[5]["wash"], single["wash"]);
    let table = ok(&["simulate", &wash, "--sweep", &grid]);
    assert!(table.contains("wash: break-even bps"), "{table}");
}

/// Every shipped configuration runs; the wash example reports its break-even guard.
#[test]
fn every_shipped_configuration_runs() {
    for name in [
        "growth.json",
        "paid-in-dn.json",
        "shock.json",
        "bootstrap.json",
        "section1.json",
    ] {
        let out = ok(&["simulate", &example(name)]);
        assert!(
            out.contains("fixed 41/41/18") && out.contains("DeepNode"),
            "{name}"
        );
    }
    let wash = ok(&["simulate", &example("wash.json")]);
    assert!(wash.contains("break-even max_emission_value_bps"), "{wash}");
    let doc = json(&["simulate", &example("wash.json")]);
    assert!(doc["wash"]["break_even_bps"].as_u64().is_some());
}

#[test]
fn bad_input_is_a_readable_error() {
    let dir = std::env::temp_dir().join(format!("deepnode-sim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"demand": {"path": "sideways"}}"#).unwrap();
    for (args, needle) in [
        (
            vec!["simulate", "/nonexistent/sim.json"],
            "cannot read /nonexistent/sim.json",
        ),
        (
            vec!["simulate", bad.to_str().unwrap()],
            "unknown variant `sideways`",
        ),
        (
            vec![
                "simulate",
                &example("growth.json"),
                "--sweep",
                bad.to_str().unwrap(),
            ],
            "not a sweep grid",
        ),
    ] {
        let out = deepnode(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
