//! Wall time of the main job: every shipped example, and a generated network (one
//! domain, four validators attesting every miner every epoch) with 10, 100 and 1,000
//! miners over 5 epochs, each run on the in-process runtime with the keeper cranking.
//! Run: `cargo bench -p deepnode-cli --bench scenarios` (`DEEPNODE_BENCH_MAX_MINERS`
//! lowers the largest network).
use std::path::PathBuf;
use std::time::Instant;

use deepnode_scenario::{generate, Scenario};

/// Runs `scenario`; returns the wall time in seconds and the number of epoch reports.
async fn time(scenario: &Scenario) -> (f64, usize) {
    // The natively run program prints its log lines on stdout: not part of the report.
    let silence = gag::Gag::stdout().expect("silence stdout");
    let start = Instant::now();
    let report = deepnode_scenario::run(scenario, &mut |_| {})
        .await
        .expect("scenario runs");
    let secs = start.elapsed().as_secs_f64();
    drop(silence);
    (secs, report.epochs.len())
}

#[tokio::main]
async fn main() {
    std::env::set_var("RUST_LOG", "error");
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    println!(
        "## Main job wall time (`{}` profile)\n",
        if cfg!(debug_assertions) {
            "dev"
        } else {
            "bench"
        }
    );
    println!("| scenario | epochs × domains | wall time (s) |");
    println!("|---|---:|---:|");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&examples)
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    for path in names {
        let scenario = deepnode_scenario::load(&path).expect("example");
        let (secs, reports) = time(&scenario).await;
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        println!("| `app/examples/{name}` | {reports} | {secs:.1} |");
    }
    let max: usize = std::env::var("DEEPNODE_BENCH_MAX_MINERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    println!("\n## Growth with participants (generated network, 4 validators, 5 epochs)\n");
    println!("| miners | attestations per epoch | wall time (s) | per miner-epoch (ms) |");
    println!("|---:|---:|---:|---:|");
    for miners in [10, 100, 1_000].into_iter().filter(|m| *m <= max) {
        let scenario = generate::network(miners, 5);
        let (secs, _) = time(&scenario).await;
        let per = secs * 1e3 / (miners * 5) as f64;
        println!(
            "| {miners} | {} | {secs:.1} | {per:.1} |",
            miners * generate::VALIDATORS.len()
        );
    }
}
