//! `deepnode scenario run FILE`: the main job (shared/spec/SCENARIO.md). Runs the file on
//! the real program with the keeper cranking every epoch, in the in-process runtime, or
//! with `--url` on that cluster (its program freshly deployed, `--keypair` its upgrade
//! authority and the payer of everything); a progress bar on stderr, then tables, or
//! with `--json` one document on stdout and nothing else; `--plot DIR` writes the charts.
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use deepnode_sdk::rpc::RpcOptions;
use solana_sdk::signature::Keypair;

use crate::{plot, table};

/// Scenario commands.
#[derive(Debug, Subcommand)]
pub enum ScenarioCmd {
    /// Run a scenario file on the real program in an in-process runtime (or, with --url,
    /// on that cluster) and report what everybody got.
    Run(RunArgs),
    /// Print a generated network (one domain, four validators, N miners attested by all
    /// of them every epoch) as a scenario file, for measuring how runs grow.
    Generate {
        /// Miners.
        #[arg(long, default_value_t = 100)]
        miners: usize,
        /// Epochs.
        #[arg(long, default_value_t = 5)]
        epochs: usize,
    },
}

/// `scenario run` arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (JSON, shared/spec/SCENARIO.md).
    pub file: PathBuf,
    /// Write PNG charts (budget.png, payouts.png, supply.png) into this directory.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

/// A cluster to run on instead of the in-process runtime: URL, payer (the program's
/// upgrade authority) and how to send.
pub type Target = (String, Keypair, RpcOptions);

/// Runs a scenario command; `json` prints the `--json` document instead of tables;
/// `remote` runs a scenario on that cluster.
pub async fn exec(cmd: ScenarioCmd, json: bool, remote: Option<Target>) -> Result<()> {
    match cmd {
        ScenarioCmd::Run(args) => run(args, json, remote).await,
        ScenarioCmd::Generate { miners, epochs } => {
            let doc = deepnode_scenario::generate::document(miners, epochs);
            println!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(())
        }
    }
}

async fn run(args: RunArgs, json: bool, remote: Option<Target>) -> Result<()> {
    let scenario = deepnode_scenario::load(&args.file)?;
    let bar = ProgressBar::new(scenario.epochs.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} epoch {pos}/{len} {wide_bar} {elapsed}")
            .context("progress bar template")?,
    );
    bar.set_message(args.file.display().to_string());
    // On a cluster the runner waits minutes for each epoch's end: keep the spinner alive.
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let mut done = Vec::with_capacity(scenario.epochs.len());
    let mut progress = |d: &deepnode_scenario::EpochDone| {
        done.push(*d);
        bar.inc(1);
    };
    let report = match remote {
        Some((url, payer, options)) => {
            let net = deepnode_scenario::network::Remote::new(url.clone(), payer, options);
            deepnode_scenario::run_on(net, &scenario, &mut progress)
                .await
                .with_context(|| format!("cluster {url}"))
        }
        None => {
            // The natively run program writes its logs to stdout; they are not part of
            // the output.
            let silence =
                gag::Gag::stdout().context("cannot silence the program's log on stdout")?;
            let report = deepnode_scenario::run(&scenario, &mut progress).await;
            drop(silence);
            report.map_err(Into::into)
        }
    };
    bar.finish_and_clear();
    let report = report?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table::report(&scenario, &report));
    }
    if let Some(dir) = args.plot {
        let written = plot::write(&dir, &scenario, &report, &done)?;
        for path in written {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
