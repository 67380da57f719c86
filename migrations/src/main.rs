//! `deepnode-migrate --config FILE [--url URL] [--keypair PATH]`: brings a cluster to the
//! state the config describes, doing only what is missing. The keypair is the deployer:
//! it pays, it must be the program's upgrade authority to initialise, and governance to
//! create domains.
use std::collections::HashMap;
use std::process::ExitCode;

use deepnode_migrate::{keys_to_read, next_step, parse_config};
use solana_commitment_config::CommitmentConfig;
use solana_keypair::{read_keypair_file, Keypair};
use solana_rpc_client::rpc_client::RpcClient;
use solana_signer::Signer;
use solana_transaction::Transaction;

struct Args {
    config: String,
    url: String,
    keypair: String,
}

fn parse_args() -> Result<Args, String> {
    let mut config = None;
    let mut url = "http://127.0.0.1:8899".to_string();
    let home = std::env::var("HOME").unwrap_or_default();
    let mut keypair = format!("{home}/.config/solana/id.json");
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--config" => config = Some(value),
            "--url" => url = value,
            "--keypair" => keypair = value,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(Args {
        config: config.ok_or("--config FILE is required")?,
        url,
        keypair,
    })
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let cfg = parse_config(&std::fs::read_to_string(&args.config)?)?;
    let deployer = read_keypair_file(&args.keypair)?;
    let rpc = RpcClient::new_with_commitment(args.url, CommitmentConfig::confirmed());
    let mint = Keypair::new();
    let keys = keys_to_read(&cfg);
    let mut done = 0usize;
    loop {
        let accounts = rpc.get_multiple_accounts(&keys)?;
        let snapshot: HashMap<_, _> = keys
            .iter()
            .zip(accounts)
            .filter_map(|(k, a)| a.map(|a| (*k, a.data)))
            .collect();
        let Some(step) = next_step(&cfg, &deployer.pubkey(), &mint.pubkey(), &snapshot)? else {
            break;
        };
        let mut signers: Vec<&Keypair> = vec![&deployer];
        if step.new_mint.is_some() {
            signers.push(&mint);
        }
        let blockhash = rpc.get_latest_blockhash()?;
        let tx = Transaction::new_signed_with_payer(
            &step.instructions,
            Some(&deployer.pubkey()),
            &signers,
            blockhash,
        );
        let signature = rpc.send_and_confirm_transaction(&tx)?;
        println!("{}: {signature}", step.label);
        done += 1;
    }
    println!("deployment matches {} ({done} step(s) run)", args.config);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deepnode-migrate: {e}");
            ExitCode::FAILURE
        }
    }
}
