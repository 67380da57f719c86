//! `cargo run -p deepnode-idl` writes `idl/deepnode.json`; `-- --check` fails when the
//! committed file differs from what the program now produces (CI runs the check).
//!
//! The builder compiles the program with its `idl-build` feature and a different
//! RUSTFLAGS, so it gets its own target directory (`target/idl`) instead of invalidating
//! the main build.
use std::path::PathBuf;
use std::process::ExitCode;

use anchor_lang_idl::build::IdlBuilder;

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    // The builder passes `+$RUSTUP_TOOLCHAIN` to cargo and tries to install it; rustup
    // sets that variable inside `cargo run`, and no toolchain can be downloaded here.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()?;
    let target = root.join("target").join("idl");
    let idl = IdlBuilder::new()
        .program_path(root.join("programs").join("deepnode"))
        .cargo_args(vec![
            "--locked".into(),
            "--target-dir".into(),
            target.to_string_lossy().into_owned(),
        ])
        .build()?;
    let json = format!("{}\n", serde_json::to_string_pretty(&idl)?);
    let path = root.join("idl").join("deepnode.json");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != json {
            eprintln!(
                "{} is out of date: run `cargo run -p deepnode-idl` and commit it",
                path.display()
            );
            return Ok(false);
        }
        println!("{} is up to date", path.display());
    } else {
        std::fs::write(&path, json)?;
        println!("wrote {}", path.display());
    }
    Ok(true)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("deepnode-idl: {e}");
            ExitCode::FAILURE
        }
    }
}
