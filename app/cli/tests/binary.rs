//! The `deepnode` binary itself: what a user sees when the keypair or the cluster is
//! missing (the commands are tested in `tests/cli`, on the in-process runtime).
use solana_sdk::signature::Keypair;

/// A file in the temp directory, unique to this test process.
fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("deepnode-cli-binary-{}-{name}", std::process::id()))
}

#[test]
fn the_binary_names_a_missing_keypair_and_an_unreachable_cluster() {
    let bin = env!("CARGO_BIN_EXE_deepnode");
    let out = std::process::Command::new(bin)
        .args(["--keypair", "/nonexistent/id.json", "protocol", "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read keypair /nonexistent/id.json")
            && err.contains("solana-keygen new"),
        "{err}"
    );
    // A valid keypair, a URL where nothing listens.
    let key = tmp("id.json");
    let bytes: Vec<u8> = Keypair::new().to_bytes().to_vec();
    std::fs::write(&key, serde_json::to_string(&bytes).unwrap()).unwrap();
    let out = std::process::Command::new(bin)
        .args([
            "--keypair",
            key.to_str().unwrap(),
            "--url",
            "http://127.0.0.1:9",
            "protocol",
            "show",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cluster http://127.0.0.1:9") && err.contains("cluster unreachable"),
        "{err}"
    );
    std::fs::remove_file(key).unwrap();
}
