//! How many lines of each batched instruction fit one transaction: the program's own
//! caps (`deepnode::constants`) with an address lookup table, and the measured legacy
//! capacities under the 1,232-byte packet limit (each asserted by a size test in
//! `tests/`, so that a layout change that moves one fails there first).

/// `attest` lines per legacy transaction (11 would be 1,247 bytes).
pub const ATTEST_LINES_LEGACY: usize = 10;

/// `finalise_work` records per legacy transaction.
pub const FINALISE_RECORDS_LEGACY: usize = 27;

/// `credit` lines per legacy transaction (miner lines, the largest kind).
pub const CREDIT_LINES_LEGACY: usize = 8;

/// `close_accounts` accounts per legacy transaction.
pub const CLOSE_ACCOUNTS_LEGACY: usize = 24;

/// `collect_pools` shards per legacy transaction (three accounts each).
pub const COLLECT_POOLS_SHARDS_LEGACY: usize = 8;

/// Packet limit of a Solana transaction (bytes).
pub const PACKET: usize = 1_232;

/// Most accounts one transaction may lock.
pub const ACCOUNT_LOCKS: usize = 64;

use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::Transaction;

/// Bytes and distinct accounts of a legacy transaction carrying `ixs`, paid by `payer`
/// (signatures counted at their size).
pub fn legacy_size(ixs: &[Instruction], payer: &Pubkey) -> (usize, usize) {
    let mut tx = Transaction::new_with_payer(ixs, Some(payer));
    tx.signatures =
        vec![Default::default(); usize::from(tx.message.header.num_required_signatures)];
    let bytes = bincode::serialized_size(&tx).map_or(usize::MAX, |n| n as usize);
    (bytes, tx.message.account_keys.len())
}

/// Splits `items` into instructions of at most `max` items each, each as large as fits
/// one legacy transaction paid by `payer` (within the packet and the account locks).
/// Returns each instruction with the number of items it carries; an item that fits no
/// transaction alone still gets its own (the cluster will refuse it, loudly).
pub fn pack<T: Clone>(
    items: &[T],
    max: usize,
    payer: &Pubkey,
    build: impl Fn(&[T]) -> Instruction,
) -> Vec<(Instruction, usize)> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let mut n = rest.len().min(max.max(1));
        let mut ix = build(&rest[..n]);
        while n > 1 {
            let (bytes, accounts) = legacy_size(std::slice::from_ref(&ix), payer);
            if bytes <= PACKET && accounts <= ACCOUNT_LOCKS {
                break;
            }
            n -= 1;
            ix = build(&rest[..n]);
        }
        out.push((ix, n));
        rest = &rest[n..];
    }
    out
}
