//! The keeper binary as an operator runs it: the errors it meets first say what to do.
use std::process::Command;

fn keeper(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deepnode-keeper"))
        .args(args)
        .output()
        .expect("run deepnode-keeper");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_missing_keypair_file_is_named_with_the_fix() {
    let (code, err) = keeper(&["--once", "--keypair", "/nonexistent/keeper.json"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("cannot read keypair /nonexistent/keeper.json")
            && err.contains("solana-keygen new"),
        "{err}"
    );
}

#[test]
fn an_unreachable_cluster_stops_a_single_pass_with_its_url() {
    let key = std::env::temp_dir().join(format!("deepnode-keeper-{}.json", std::process::id()));
    let bytes = solana_keypair::Keypair::new().to_bytes().to_vec();
    std::fs::write(&key, serde_json::to_string(&bytes).unwrap()).unwrap();
    let (code, err) = keeper(&[
        "--once",
        "--keypair",
        key.to_str().unwrap(),
        "--url",
        "http://127.0.0.1:9",
    ]);
    std::fs::remove_file(&key).unwrap();
    assert_eq!(code, Some(1));
    assert!(
        err.contains("cluster unreachable or erroring") && err.contains("(http://127.0.0.1:9)"),
        "{err}"
    );
}

#[test]
fn an_unknown_commitment_is_refused() {
    let (code, err) = keeper(&["--once", "--commitment", "soon"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("unknown commitment \"soon\""), "{err}");
}
