//! Serialised transaction sizes, shared by the size tests and the footprint benchmark:
//! a legacy transaction, and a v0 transaction whose lookup table holds every non-signer
//! account of the instruction.
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::VersionedTransaction;

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
    let msg = v0::Message::try_compile(payer, std::slice::from_ref(ix), &[alt], Hash::default())
        .expect("compile");
    let n = msg.header.num_required_signatures as usize;
    let tx = VersionedTransaction {
        signatures: vec![Default::default(); n],
        message: VersionedMessage::V0(msg),
    };
    bincode::serialize(&tx).expect("serialize").len()
}
