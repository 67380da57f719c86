//! The DeepNode command line as a library: argument parsing ([`Cli`]), the scenario
//! runner's front end, and every cluster command ([`commands::exec`], generic over the
//! SDK's `Cluster`, so the tests run each command on the in-process runtime).
#![deny(missing_docs)]

pub mod commands;
pub mod plot;
pub mod scenario;
pub mod simulate;
pub mod table;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
pub use deepnode_sdk::rpc::{default_keypair, resolve_url};

/// DeepNode: revenue routing and usage-following emissions on Solana.
#[derive(Debug, Parser)]
#[command(name = "deepnode", version, about)]
pub struct Cli {
    /// Print one JSON document on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// JSON-RPC URL, or a moniker: localhost (l), devnet (d), testnet (t), mainnet-beta (m)
    /// [default: localhost].
    #[arg(short = 'u', long, global = true)]
    pub url: Option<String>,
    /// Keypair file that signs and pays.
    #[arg(short = 'k', long, global = true, default_value_os_t = default_keypair())]
    pub keypair: PathBuf,
    /// Commitment: processed, confirmed or finalized.
    #[arg(long, global = true, default_value = "confirmed")]
    pub commitment: String,
    /// Priority fee in micro-lamports per compute unit.
    #[arg(long, global = true, default_value_t = 0)]
    pub priority_fee: u64,
    /// What to do.
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Scenario files run on the real program, in an in-process runtime or (--url) on a
    /// cluster.
    #[command(subcommand)]
    Scenario(scenario::ScenarioCmd),
    /// The economic simulator: one market under a fixed 41/41/18 split and under
    /// DeepNode's emissions (docs/economics.md).
    Simulate(simulate::SimulateArgs),
    /// Commands that read or write a cluster (--url, --keypair).
    #[command(flatten)]
    Cluster(commands::ClusterCmd),
}
