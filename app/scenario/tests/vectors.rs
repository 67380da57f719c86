//! The shared test vectors (shared/spec/vectors): each scenario, run on the real program,
//! must reproduce its expected `--json` document exactly.
use std::path::PathBuf;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors")
}

#[tokio::test]
async fn v1_basic_reproduces_the_expected_output() {
    let dir = vectors();
    let scenario = deepnode_scenario::load(&dir.join("v1-basic.json")).expect("scenario");
    let report = deepnode_scenario::run(&scenario, &mut |_| {})
        .await
        .expect("run");
    let got = serde_json::to_value(&report).expect("json");
    let text = std::fs::read_to_string(dir.join("v1-basic.expected.json")).expect("expected");
    let expected: serde_json::Value = serde_json::from_str(&text).expect("expected json");
    if got != expected {
        panic!(
            "output differs\n--- got ---\n{}\n--- expected ---\n{}",
            serde_json::to_string_pretty(&got).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
    }
}
