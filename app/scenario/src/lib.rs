//! The scenario runner (shared/spec/SCENARIO.md): reads a scenario, runs it on the real
//! DeepNode program with a keeper cranking every epoch, in the in-process runtime
//! ([`run`]) or on a real cluster over JSON-RPC ([`run_on`] with [`network::Remote`]),
//! and reports what everybody got as the `--json` document. The CLI wraps both.
#![deny(missing_docs)]

pub mod generate;
pub mod network;
pub mod report;
mod runner;
pub mod spec;

use std::path::Path;

pub use report::{EpochReport, FinalReport, GuardReport, Pools, Report};
pub use spec::Scenario;

/// Why a scenario could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid scenario document.
    #[error("invalid scenario: {0}")]
    Parse(#[from] serde_json::Error),
    /// A name refers to nothing defined.
    #[error("unknown {kind} \"{name}\"")]
    Unknown {
        /// What kind of thing.
        kind: &'static str,
        /// The name used.
        name: String,
    },
    /// A value the runner cannot honour.
    #[error("{0}")]
    Invalid(String),
    /// The cluster refused or could not do a step.
    #[error("{what}: {error}")]
    Cluster {
        /// The step.
        what: String,
        /// The cluster's error (a program error decoded to its name and message).
        error: deepnode_sdk::cluster::ClusterError,
    },
}

impl ScenarioError {
    /// The cluster's `error` while doing `what`.
    pub fn cluster(what: &str, error: deepnode_sdk::cluster::ClusterError) -> Self {
        ScenarioError::Cluster {
            what: what.to_string(),
            error,
        }
    }
}

/// Reads and parses a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(serde_json::from_str(&text)?)
}

/// Where a run stands after one scenario epoch: cranked, claimed and swept in every
/// domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochDone {
    /// The scenario epoch just completed (from 0).
    pub index: usize,
    /// DN supply at that point.
    pub dn_supply: u64,
    /// All DN burned up to that point.
    pub dn_burned: u64,
}

/// Runs `scenario` on a fresh in-process runtime and reports every settled epoch and the
/// end state. `progress` is called once per scenario epoch completed.
pub async fn run(
    scenario: &Scenario,
    progress: &mut dyn FnMut(&EpochDone),
) -> Result<Report, ScenarioError> {
    run_on(network::Local::start().await, scenario, progress).await
}

/// Runs `scenario` on `net` (whose program must not be initialised yet) and reports as
/// [`run`] does.
pub async fn run_on<N: network::Network>(
    net: N,
    scenario: &Scenario,
    progress: &mut dyn FnMut(&EpochDone),
) -> Result<Report, ScenarioError> {
    runner::Runner::run(net, scenario, progress).await
}
