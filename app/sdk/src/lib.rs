//! DeepNode client SDK: PDA helpers derived from the program's own seed constants,
//! instruction builders over the program's generated account and argument types, account
//! decoders, program errors decoded from their codes, the `Cluster` trait (and its
//! JSON-RPC implementation), the crank planner and the transaction packer. Used by the
//! tests, the migration tool, the scenario runner, the keeper and the CLI.
#![deny(missing_docs)]

pub mod accounts;
pub mod claims;
pub mod cluster;
pub mod commit;
pub mod compute;
pub mod crank;
pub mod errors;
pub mod ix;
pub mod limits;
pub mod offset;
pub mod pda;
pub mod rpc;
pub mod tables;
pub mod tokens;

use anchor_lang::AccountDeserialize;

pub use deepnode;
pub use deepnode::ID as PROGRAM_ID;

/// Decodes an Anchor account (discriminator checked) from raw account data.
pub fn decode<T: AccountDeserialize>(data: &[u8]) -> anchor_lang::Result<T> {
    let mut slice = data;
    T::try_deserialize(&mut slice)
}
