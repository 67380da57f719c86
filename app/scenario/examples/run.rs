//! Runs a scenario file on the in-process runtime and prints its `--json` document
//! (shared/spec/SCENARIO.md). The CLI of the clients issue wraps the same library with
//! tables, a progress bar and charts; this is the library's thin entry point meanwhile.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Run a DeepNode scenario on the real program in an in-process runtime.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The scenario file (JSON, shared/spec/SCENARIO.md).
    file: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // The runtime logs every program invocation at debug level: keep stderr readable.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let scenario = match deepnode_scenario::load(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match deepnode_scenario::run(&scenario, &mut |_| {}).await {
        Ok(report) => {
            let json = serde_json::to_string_pretty(&report).expect("a report serialises");
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
