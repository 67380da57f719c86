//! `deepnode`: the DeepNode command line. `deepnode scenario run FILE` is the main job
//! (shared/spec/SCENARIO.md); `--json` gives machines one JSON document on stdout.
#![deny(missing_docs)]

mod plot;
mod scenario;
mod table;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// DeepNode: revenue routing and usage-following emissions on Solana.
#[derive(Debug, Parser)]
#[command(name = "deepnode", version, about)]
struct Cli {
    /// Print one JSON document on stdout instead of tables.
    #[arg(long, global = true)]
    json: bool,
    /// What to do.
    #[command(subcommand)]
    cmd: Cmd,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Cmd {
    /// Scenario files run on the real program in an in-process runtime.
    #[command(subcommand)]
    Scenario(scenario::ScenarioCmd),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The in-process runtime logs every program invocation at debug level: keep stderr
    // readable unless asked otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let result = match cli.cmd {
        Cmd::Scenario(cmd) => scenario::exec(cmd, cli.json).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
