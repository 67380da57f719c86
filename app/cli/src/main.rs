//! `deepnode`: the DeepNode command line. `deepnode scenario run FILE` is the main job
//! (shared/spec/SCENARIO.md); every other command talks to a cluster over JSON-RPC
//! (`--url`, `--keypair`); `--json` gives machines one JSON document on stdout.
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::Parser;
use deepnode_cli::{commands, resolve_url, scenario, simulate, Cli, Cmd};
use deepnode_sdk::rpc::{RpcCluster, RpcOptions};
use solana_commitment_config::CommitmentConfig;

async fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Scenario(cmd) => {
            // SCENARIO.md's real-cluster mode is not built: say so rather than run the
            // in-process runtime the user did not ask for.
            if let Some(url) = &cli.url {
                return Err(anyhow!(
                    "scenario files run on the in-process runtime only; running one \
                     against a cluster (--url {url}) is not supported yet: drive the \
                     cluster with the `deepnode` commands and `deepnode-keeper --url` \
                     (README, \"Deploying\"), or drop --url"
                ));
            }
            scenario::exec(cmd, cli.json).await
        }
        Cmd::Simulate(args) => simulate::exec(args, cli.json),
        Cmd::Cluster(cmd) => {
            let commitment: CommitmentConfig = cli
                .commitment
                .parse()
                .with_context(|| format!("unknown commitment {:?}", cli.commitment))?;
            let payer = solana_keypair::read_keypair_file(&cli.keypair).map_err(|e| {
                anyhow!(
                    "cannot read keypair {}: {e} (create one with `solana-keygen new` or pass --keypair PATH)",
                    cli.keypair.display()
                )
            })?;
            let url = resolve_url(cli.url.as_deref().unwrap_or("localhost"));
            let options = RpcOptions {
                commitment,
                priority_fee: cli.priority_fee,
                ..RpcOptions::default()
            };
            let mut cluster = RpcCluster::new(url.clone(), payer, options);
            let out = commands::exec(cmd, &mut cluster)
                .await
                .with_context(|| format!("cluster {url}"))?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&out.json)?);
            } else {
                print!("{}", out.human);
            }
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The in-process runtime logs every program invocation at debug level: keep stderr
    // readable unless asked otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
