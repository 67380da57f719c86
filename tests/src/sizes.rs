//! Serialised transaction sizes, shared by the size tests and the footprint benchmark,
//! of a transaction as the clients send it: the instruction and its compute-unit limit
//! (every transaction sets one, `deepnode_sdk::compute`). A legacy
//! transaction, and a v0 transaction whose lookup table holds every non-signer account
//! of the instruction.
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;

pub use deepnode_sdk::limits::{ACCOUNT_LOCKS, PACKET};

/// `ix` with the compute-unit limit the clients add (its value does not change the
/// size).
pub fn as_sent(ix: &Instruction) -> Vec<Instruction> {
    use deepnode_sdk::compute;
    compute::with_budget(std::slice::from_ref(ix), compute::MAX_TX_UNITS, 0)
}

/// Bytes and distinct accounts of a legacy transaction carrying `ix` and its
/// compute-unit limit, paid by `payer`.
pub fn legacy(ix: &Instruction, payer: &Pubkey) -> (usize, usize) {
    deepnode_sdk::limits::legacy_size(&as_sent(ix), payer)
}

/// Bytes of a v0 transaction carrying `ix` and its compute-unit limit, with every
/// non-signer account of `ix` in a lookup table.
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
    deepnode_sdk::limits::v0_size(&as_sent(ix), payer, &[alt])
        .expect("compile")
        .0
}
