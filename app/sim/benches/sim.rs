//! `cargo bench -p deepnode-sim --bench sim`: how fast the simulator runs.
//!
//! - Agent-epochs per second on one core: the growth example over 3,650 epochs, both
//!   regimes, on one thread (agents: every miner, staker and validator that exists,
//!   active or not, plus the five other recipients), best of five runs.
//! - The sweep of `app/examples/sim/sweep.json` (1,000 configurations) over 3,650
//!   epochs, on every core, as `deepnode simulate --sweep` runs it.
use std::path::PathBuf;
use std::time::Instant;

use deepnode_sim::sweep::{sweep, Grid};
use deepnode_sim::{compare, SimConfig};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/sim")
}

fn main() {
    let text = std::fs::read_to_string(examples().join("growth.json")).expect("growth.json");
    let mut base = SimConfig::from_json(&text).expect("config");
    base.epochs = 3_650;
    let agents = u64::from(base.miners.max)
        + u64::from(base.stakers.count)
        + u64::from(base.validators.count)
        + 5;
    let agent_epochs = agents * u64::from(base.epochs) * 2;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        compare(&base).expect("run");
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "one run, one core: {} epochs x 2 regimes x {agents} agents in {:.1} ms: {:.2} M agent-epochs/s",
        base.epochs,
        best * 1e3,
        agent_epochs as f64 / best / 1e6
    );

    let grid: Grid = serde_json::from_str(
        &std::fs::read_to_string(examples().join("sweep.json")).expect("sweep.json"),
    )
    .expect("grid");
    let configs: usize = grid.axes.iter().map(|a| a.values.len()).product();
    let t = Instant::now();
    let rows = sweep(&base, &grid, &|| {}).expect("sweep");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(rows.len(), configs);
    println!(
        "sweep: {configs} configurations x {} epochs x 2 regimes on {} threads in {secs:.1} s ({:.2} M agent-epochs/s in all)",
        base.epochs,
        rayon::current_num_threads(),
        (agent_epochs * configs as u64) as f64 / secs / 1e6
    );
}
