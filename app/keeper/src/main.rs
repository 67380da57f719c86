//! `deepnode-keeper`: cranks every domain's epochs on a cluster. One structured log line
//! per action and a summary per pass; `--once` for one pass, otherwise a pass every
//! `--interval` seconds until interrupted.
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use deepnode_keeper::{Action, Keeper, Options, Outcome};
use deepnode_sdk::rpc::{default_keypair, resolve_url, RpcCluster, RpcOptions};
use solana_commitment_config::CommitmentConfig;

/// Crank every DeepNode domain: close due epochs, finalise records, settle, push payouts
/// (with --push), sweep expired epochs and close their accounts.
#[derive(Debug, Parser)]
#[command(name = "deepnode-keeper", version, about)]
struct Args {
    /// JSON-RPC URL, or a moniker: localhost (l), devnet (d), mainnet-beta (m).
    #[arg(short = 'u', long, default_value = "localhost")]
    url: String,
    /// Keypair file of the fee payer (the keeper; tips are credited to it).
    #[arg(short = 'k', long, default_value_os_t = default_keypair())]
    keypair: PathBuf,
    /// Commitment: processed, confirmed or finalized.
    #[arg(long, default_value = "confirmed")]
    commitment: String,
    /// Priority fee in micro-lamports per compute unit.
    #[arg(long, default_value_t = 0)]
    priority_fee: u64,
    /// Attempts per transaction, each on a fresh blockhash.
    #[arg(long, default_value_t = 3)]
    attempts: u32,
    /// One pass, then exit.
    #[arg(long)]
    once: bool,
    /// Seconds between passes.
    #[arg(long, default_value_t = 30)]
    interval: u64,
    /// Print what would be sent; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also push every payout into its recipient's balance.
    #[arg(long)]
    push: bool,
    /// Log lines as JSON.
    #[arg(long)]
    json: bool,
    /// Keep no address lookup tables: every batch a legacy transaction (by default the
    /// keeper keeps one per busy domain, paying its rent, and sends a batch through it
    /// where that fits more).
    #[arg(long)]
    no_lookup_tables: bool,
    /// Before each pass, reveal the committed batches saved in this folder (by
    /// `deepnode attest` on commit-reveal domains) whose epoch has ended: the keeper
    /// sends them, and pays the rent of the records they create (§7).
    #[arg(long)]
    reveals: Option<PathBuf>,
}

fn log(action: &Action) {
    let (outcome, detail) = match &action.outcome {
        Outcome::Sent { signature } => ("sent", signature.as_str()),
        Outcome::DryRun => ("dry_run", ""),
        Outcome::Raced { error } => ("raced", error.as_str()),
        Outcome::Failed { error } => ("failed", error.as_str()),
    };
    tracing::info!(
        domain = action.domain,
        epoch = action.epoch,
        step = %action.step,
        items = action.items,
        v0 = action.v0,
        outcome,
        detail,
        "action"
    );
}

async fn run(args: Args) -> Result<()> {
    let commitment: CommitmentConfig = args
        .commitment
        .parse()
        .with_context(|| format!("unknown commitment {:?}", args.commitment))?;
    let payer = solana_keypair::read_keypair_file(&args.keypair).map_err(|e| {
        anyhow::anyhow!(
            "cannot read keypair {}: {e} (create one with `solana-keygen new` or pass --keypair)",
            args.keypair.display()
        )
    })?;
    let url = resolve_url(&args.url);
    let mut cluster = RpcCluster::new(
        url.clone(),
        payer,
        RpcOptions {
            commitment,
            priority_fee: args.priority_fee,
            attempts: args.attempts,
        },
    );
    let options = Options {
        push: args.push,
        dry_run: args.dry_run,
        lookup_tables: !args.no_lookup_tables,
    };
    loop {
        if let Some(dir) = &args.reveals {
            match deepnode_sdk::commit::reveal_due(&mut cluster, dir).await {
                Ok(done) => {
                    for (file, outcome) in done {
                        tracing::info!(file = %file.display(), outcome = ?outcome, "reveal");
                    }
                }
                Err(e) if args.once => {
                    return Err(anyhow::anyhow!("revealing from {}: {e}", dir.display()))
                }
                Err(e) => tracing::warn!(error = %e, "revealing stopped; retrying next interval"),
            }
        }
        let mut emit = log;
        match Keeper::pass(&mut cluster, options, &mut emit).await {
            Ok(s) => {
                tracing::info!(
                    sent = s.sent,
                    failed = s.failed,
                    raced = s.raced,
                    would_send = s.would_send,
                    epochs_closed = s.epochs_closed,
                    records_finalised = s.records_finalised,
                    epochs_settled = s.epochs_settled,
                    lines_credited = s.lines_credited,
                    epochs_swept = s.epochs_swept,
                    accounts_closed = s.accounts_closed,
                    tips = s.tips,
                    tables_created = s.tables_created,
                    table_addresses = s.table_addresses,
                    "pass"
                );
                if args.once && s.failed > 0 {
                    return Err(anyhow::anyhow!(
                        "{} transaction(s) refused in this pass (see the log lines above)",
                        s.failed
                    ));
                }
            }
            Err(e) if args.once => {
                return Err(anyhow::anyhow!(
                    "{e} ({url}); check --url and that the node answers"
                ))
            }
            Err(e) => tracing::warn!(error = %e, url, "pass stopped; retrying next interval"),
        }
        if args.once {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(args.interval)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if args.json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
