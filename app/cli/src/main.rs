//! `deepnode`: the DeepNode command line. `deepnode scenario run FILE` is the main job
//! (shared/spec/SCENARIO.md); every other command talks to a cluster over JSON-RPC
//! (`--url`, `--keypair`); `--json` gives machines one JSON document on stdout.
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::Parser;
use deepnode_cli::{commands, resolve_url, scenario, simulate, Cli, Cmd};
use deepnode_sdk::rpc::{RpcCluster, RpcOptions};
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;

/// The cluster `--url` names, paid for by `--keypair`, as the flags ask.
fn rpc_target(cli: &Cli) -> Result<(String, Keypair, RpcOptions)> {
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
    Ok((url, payer, options))
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.cmd {
        Cmd::Scenario(_) => {
            // Without --url a scenario runs in-process; with it, on that cluster
            // (`generate` only prints a file).
            let remote = match (&cli.url, &cli.cmd) {
                (Some(_), Cmd::Scenario(scenario::ScenarioCmd::Run(_))) => Some(rpc_target(&cli)?),
                _ => None,
            };
            let Cmd::Scenario(cmd) = cli.cmd else {
                unreachable!("matched above")
            };
            scenario::exec(cmd, cli.json, remote).await
        }
        Cmd::Simulate(_) => {
            let Cmd::Simulate(args) = cli.cmd else {
                unreachable!("matched above")
            };
            simulate::exec(args, cli.json)
        }
        Cmd::Cluster(_) => {
            let (url, payer, options) = rpc_target(&cli)?;
            let Cmd::Cluster(cmd) = cli.cmd else {
                unreachable!("matched above")
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
