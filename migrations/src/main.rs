//! `deepnode-migrate --config FILE [--url URL] [--keypair PATH]`: brings a cluster to the
//! state the config describes, doing only what is missing, and says what it did. The
//! keypair is the deployer: it pays, it must be the program's upgrade authority to
//! initialise, and governance to create domains.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use deepnode_migrate::{parse_config, run};
use deepnode_sdk::rpc::{default_keypair, RpcCluster, RpcOptions};

/// Initialise a DeepNode deployment from a config file (idempotent).
#[derive(Debug, Parser)]
#[command(name = "deepnode-migrate", version, about)]
struct Args {
    /// The deployment's config file (see migrations/config.example.json).
    #[arg(long)]
    config: PathBuf,
    /// JSON-RPC URL of the cluster.
    #[arg(short = 'u', long, default_value = "http://127.0.0.1:8899")]
    url: String,
    /// The deployer's keypair file.
    #[arg(short = 'k', long, default_value_os_t = default_keypair())]
    keypair: PathBuf,
}

async fn migrate(args: Args) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.config)
        .map_err(|e| format!("cannot read {}: {e}", args.config.display()))?;
    let cfg = parse_config(&text).map_err(|e| e.to_string())?;
    let deployer = solana_keypair::read_keypair_file(&args.keypair).map_err(|e| {
        format!(
            "cannot read keypair {}: {e} (pass --keypair)",
            args.keypair.display()
        )
    })?;
    let mut cluster = RpcCluster::new(args.url, deployer, RpcOptions::default());
    let mut print = |label: &str, sig: &solana_sdk::signature::Signature| {
        println!("{label}: {sig}");
    };
    let steps = run(&mut cluster, &cfg, &mut print)
        .await
        .map_err(|e| e.to_string())?;
    if steps == 0 {
        println!(
            "deployment already matches {}: nothing to do",
            args.config.display()
        );
    } else {
        println!(
            "deployment matches {} ({steps} step(s) run)",
            args.config.display()
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match migrate(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deepnode-migrate: {e}");
            ExitCode::FAILURE
        }
    }
}
