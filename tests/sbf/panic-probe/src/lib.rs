//! A program whose only instruction panics, with a message that names the instruction
//! data's length. Built by `tests/sbf/build.sh` beside DeepNode with the same toolchain
//! and the same std patch, it shows what a panic in an SBF program built this way turns
//! into: the runtime's `ProgramFailedToComplete`, with the panic's source location in
//! the program log (test: `tests/sbf_panic.rs`).
#![allow(unexpected_cfgs)]

use solana_account_info::AccountInfo;
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;
use solana_program_error::ProgramResult;
use solana_pubkey::Pubkey;

solana_program_entrypoint::entrypoint!(process);

/// Panics, always.
pub fn process(_program: &Pubkey, _accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    panic!("panic probe: {} bytes of instruction data", data.len())
}
