//! Serialised transaction sizes, shared by the size tests and the footprint benchmark:
//! a legacy transaction, and a v0 transaction whose lookup table holds every non-signer
//! account of the instruction.
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;

pub use deepnode_sdk::limits::{ACCOUNT_LOCKS, PACKET};

/// Bytes and distinct accounts of a legacy transaction carrying `ix`, paid by `payer`.
pub fn legacy(ix: &Instruction, payer: &Pubkey) -> (usize, usize) {
    deepnode_sdk::limits::legacy_size(std::slice::from_ref(ix), payer)
}

/// Bytes of a v0 transaction carrying `ix` with every non-signer account in a lookup
/// table.
pub fn with_table(ix: &Instruction, payer: &Pubkey) -> usize {
    let table: Vec<Pubkey> = ix
        .accounts
        .iter()
        .filter(|m| !m.is_signer)
        .map(|m| m.pubkey)
        .collect();
    let alt = AddressLookupTableAccount {
        key: Pubkey::new_unique(),
        addresses: table,
    };
    deepnode_sdk::limits::v0_size(std::slice::from_ref(ix), payer, &[alt])
        .expect("compile")
        .0
}
