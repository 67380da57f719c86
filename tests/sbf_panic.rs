//! A panic in a program built by `tests/sbf/build.sh` ends in a clear error: the runtime
//! reports `ProgramFailedToComplete` and the program log names the panic and its source
//! location. The probe (`tests/sbf/panic-probe`) is built beside DeepNode with the
//! same toolchain and std patch; DeepNode itself has no reachable panic (every step is
//! checked), so its panic path is this same code.
use solana_program_test::ProgramTest;
use solana_sdk::account::Account;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signer::Signer;
use solana_sdk::transaction::{Transaction, TransactionError};

#[tokio::test]
#[ignore = "needs the SBF build (bash tests/sbf/build.sh); .ci/run runs it with --ignored"]
async fn a_panic_on_sbf_is_a_clear_error() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/panic_probe.so");
    let elf = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{} cannot be read ({e}): run `bash tests/sbf/build.sh`",
            path.display()
        )
    });
    let id = Pubkey::new_unique();
    let mut pt = ProgramTest::default();
    pt.prefer_bpf(false);
    pt.add_account(
        id,
        Account {
            lamports: 1_000_000_000,
            data: elf,
            owner: solana_sdk_ids::bpf_loader::ID,
            executable: true,
            rent_epoch: 0,
        },
    );
    let ctx = pt.start_with_context().await;
    let ix = Instruction::new_with_bytes(id, &[7, 7, 7], vec![]);
    let tx = Transaction::new_signed_with_payer(
        &[ix],
        Some(&ctx.payer.pubkey()),
        &[&ctx.payer],
        ctx.last_blockhash,
    );
    let sim = ctx
        .banks_client
        .simulate_transaction(tx.clone())
        .await
        .expect("simulate");
    let failed = TransactionError::InstructionError(0, InstructionError::ProgramFailedToComplete);
    assert_eq!(sim.result, Some(Err(failed.clone())));
    let logs = sim.simulation_details.expect("details").logs;
    // The entrypoint's panic handler hands the location to the runtime, which ends the
    // program with it (the message itself is not logged).
    let source = include_str!("sbf/panic-probe/src/lib.rs");
    let (line, column) = source
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("panic!(").map(|c| (i + 1, c + 1)))
        .expect("the probe panics");
    let expected = format!(
        "Program {id} failed: SBF program Panicked in tests/sbf/panic-probe/src/lib.rs at {line}:{column}"
    );
    assert_eq!(logs.last(), Some(&expected), "logs: {logs:#?}");
    let err = ctx.banks_client.process_transaction(tx).await.unwrap_err();
    assert_eq!(err.unwrap(), failed);
}
