//! How many lines of each batched instruction fit one transaction: the program's own
//! caps (`deepnode::constants`) with an address lookup table, and the legacy capacities
//! under the 1,232-byte packet limit, measured by serialising real instructions ([`pack`]
//! and the tests below), so that a layout change that moves one fails here first; and
//! [`pack_with`], which measures each batch as a v0 transaction through lookup tables too
//! and uses that only where it fits more.

/// `attest` lines per legacy transaction, after the compute-unit limit every transaction
/// carries.
pub const ATTEST_LINES_LEGACY: usize = 9;

/// `finalise_work` records per legacy transaction, after the compute-unit limit.
pub const FINALISE_RECORDS_LEGACY: usize = 26;

/// `credit_payouts` lines per legacy transaction (miner lines, the largest kind), after the
/// compute-unit limit.
pub const CREDIT_LINES_LEGACY: usize = 7;

/// `close_accounts` accounts per legacy transaction, after the compute-unit limit.
pub const CLOSE_ACCOUNTS_LEGACY: usize = 24;

/// Packet limit of a Solana transaction (bytes).
pub const PACKET: usize = 1_232;

/// Most accounts one transaction may lock.
pub const ACCOUNT_LOCKS: usize = 64;

use crate::compute::Cost;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::{Transaction, VersionedTransaction};

/// Bytes and distinct accounts of a legacy transaction carrying `ixs`, paid by `payer`
/// (signatures counted at their size).
pub fn legacy_size(ixs: &[Instruction], payer: &Pubkey) -> (usize, usize) {
    let mut tx = Transaction::new_with_payer(ixs, Some(payer));
    tx.signatures =
        vec![Default::default(); usize::from(tx.message.header.num_required_signatures)];
    let bytes = bincode::serialized_size(&tx).map_or(usize::MAX, |n| n as usize);
    (bytes, tx.message.account_keys.len())
}

/// Bytes and accounts (static and loaded) of a v0 transaction carrying `ixs`, paid by
/// `payer`, its accounts taken from `tables` where they can be; `None` when no such
/// message can be compiled (too many accounts for its indexes).
pub fn v0_size(
    ixs: &[Instruction],
    payer: &Pubkey,
    tables: &[AddressLookupTableAccount],
) -> Option<(usize, usize)> {
    let message = v0::Message::try_compile(payer, ixs, tables, Hash::default()).ok()?;
    let loaded: usize = message
        .address_table_lookups
        .iter()
        .map(|l| l.writable_indexes.len() + l.readonly_indexes.len())
        .sum();
    let accounts = message.account_keys.len() + loaded;
    let tx = VersionedTransaction {
        signatures: vec![Default::default(); usize::from(message.header.num_required_signatures)],
        message: VersionedMessage::V0(message),
    };
    let bytes = bincode::serialized_size(&tx).map_or(usize::MAX, |n| n as usize);
    Some((bytes, accounts))
}

/// Whether a transaction of `bytes` locking `accounts` can be sent.
fn fits((bytes, accounts): (usize, usize)) -> bool {
    bytes <= PACKET && accounts <= ACCOUNT_LOCKS
}

/// One transaction's worth of a batched instruction.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The instruction.
    pub ix: Instruction,
    /// How many items it carries.
    pub items: usize,
    /// Whether it goes as a v0 transaction through the lookup tables (it fits more items
    /// that way than as a legacy one).
    pub v0: bool,
}

/// The largest batch of at most `max` leading `items` whose instruction, after `prefix`,
/// `fits` one transaction (bytes and accounts) and whose compute units at their worst
/// (`cost`) stay within what a transaction may ask for; 1 if none does (its own
/// transaction, which the cluster will refuse loudly).
fn largest<T>(
    items: &[T],
    max: usize,
    cost: Cost,
    prefix: &[Instruction],
    build: &impl Fn(&[T]) -> Instruction,
    size: impl Fn(&[Instruction]) -> Option<(usize, usize)>,
) -> (Instruction, usize) {
    let mut n = items.len().min(max.max(1));
    while n > 1 && !cost.fits(n, prefix.len()) {
        n -= 1;
    }
    loop {
        let ix = build(&items[..n]);
        let mut all = prefix.to_vec();
        all.push(ix.clone());
        if n == 1 || size(&all).is_some_and(fits) {
            return (ix, n);
        }
        n -= 1;
    }
}

/// Splits `items` into instructions of at most `max` items each, each as large as fits
/// one transaction paid by `payer` after the `prefix` instructions the cluster adds (its
/// compute budget), within the packet, the account locks and, at the instruction's
/// worst `cost`, the compute units one transaction may ask for. Each batch is measured
/// as a legacy transaction and, when `tables` are given, as a v0 transaction through
/// them; it goes as v0 only where that fits more items.
pub fn pack_with<T>(
    items: &[T],
    max: usize,
    cost: Cost,
    payer: &Pubkey,
    prefix: &[Instruction],
    tables: &[AddressLookupTableAccount],
    build: impl Fn(&[T]) -> Instruction,
) -> Vec<Batch> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let legacy = largest(rest, max, cost, prefix, &build, |all| {
            Some(legacy_size(all, payer))
        });
        let batch = if tables.is_empty() || legacy.1 >= max.min(rest.len()) {
            None
        } else {
            let v0 = largest(rest, max, cost, prefix, &build, |all| {
                v0_size(all, payer, tables)
            });
            (v0.1 > legacy.1).then_some(Batch {
                ix: v0.0,
                items: v0.1,
                v0: true,
            })
        };
        let batch = batch.unwrap_or(Batch {
            ix: legacy.0,
            items: legacy.1,
            v0: false,
        });
        rest = &rest[batch.items..];
        out.push(batch);
    }
    out
}

/// [`pack_with`] without lookup tables: legacy transactions only, each instruction with
/// the number of items it carries.
pub fn pack<T>(
    items: &[T],
    max: usize,
    cost: Cost,
    payer: &Pubkey,
    prefix: &[Instruction],
    build: impl Fn(&[T]) -> Instruction,
) -> Vec<(Instruction, usize)> {
    pack_with(items, max, cost, payer, prefix, &[], build)
        .into_iter()
        .map(|b| (b.ix, b.items))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::{self, MAX_TX_UNITS};
    use crate::ix::{self, Attestation, CreditLine};
    use deepnode::constants::{
        MAX_ATTEST_LINES, MAX_CLOSE_ACCOUNTS, MAX_CREDIT_LINES, MAX_FINALISE_RECORDS,
    };

    fn keys(n: usize) -> Vec<Pubkey> {
        (0..n).map(|_| Pubkey::new_unique()).collect()
    }

    /// The compute-unit limit every transaction carries (no priority fee).
    fn limit() -> Vec<Instruction> {
        compute::budget(MAX_TX_UNITS, 0)
    }

    /// Sizes of the batches `pack` makes of `items` after the compute-unit limit, the
    /// caller paying (as a keeper does).
    fn batches<T: Clone>(
        items: &[T],
        max: usize,
        cost: Cost,
        caller: &Pubkey,
        build: impl Fn(&[T]) -> Instruction,
    ) -> Vec<usize> {
        pack(items, max, cost, caller, &limit(), build)
            .into_iter()
            .map(|(_, n)| n)
            .collect()
    }

    #[test]
    fn legacy_capacities_are_what_pack_measures() {
        let domain = Pubkey::new_unique();
        let caller = Pubkey::new_unique();
        let records = keys(MAX_FINALISE_RECORDS);
        let finalise = batches(
            &records,
            MAX_FINALISE_RECORDS,
            compute::FINALISE_WORK,
            &caller,
            |r| ix::finalise_work(caller, domain, 3, r),
        );
        assert_eq!(
            finalise,
            [
                FINALISE_RECORDS_LEGACY,
                FINALISE_RECORDS_LEGACY,
                MAX_FINALISE_RECORDS - 2 * FINALISE_RECORDS_LEGACY
            ]
        );
        // Miner lines (four accounts each), one validator paying the records' rent.
        let rent_payer = Pubkey::new_unique();
        let lines: Vec<CreditLine> = keys(MAX_CREDIT_LINES)
            .into_iter()
            .map(|authority| CreditLine::Miner {
                authority,
                rent_payer,
            })
            .collect();
        let credit = batches(
            &lines,
            MAX_CREDIT_LINES,
            compute::CREDIT_PAYOUTS,
            &caller,
            |l| ix::credit_payouts(caller, domain, 3, l),
        );
        assert_eq!(
            credit,
            [CREDIT_LINES_LEGACY, MAX_CREDIT_LINES - CREDIT_LINES_LEGACY]
        );
        let pairs: Vec<(Pubkey, Pubkey)> = keys(MAX_CLOSE_ACCOUNTS)
            .into_iter()
            .map(|k| (k, rent_payer))
            .collect();
        let close = batches(
            &pairs,
            MAX_CLOSE_ACCOUNTS,
            compute::CLOSE_ACCOUNTS,
            &caller,
            |a| ix::close_accounts(caller, domain, 3, a),
        );
        assert_eq!(close, [CLOSE_ACCOUNTS_LEGACY]);
        let attest: Vec<Attestation> = keys(MAX_ATTEST_LINES)
            .into_iter()
            .map(|miner| Attestation {
                miner,
                units: 100,
                revise: false,
            })
            .collect();
        let validator = Pubkey::new_unique();
        let first = batches(
            &attest,
            MAX_ATTEST_LINES,
            compute::ATTEST,
            &validator,
            |l| ix::attest(validator, domain, 3, l),
        );
        assert_eq!(first[0], ATTEST_LINES_LEGACY);
        // Each legacy batch above is a sendable transaction once its limit is set.
        for (ix, n) in pack(
            &records,
            MAX_FINALISE_RECORDS,
            compute::FINALISE_WORK,
            &caller,
            &limit(),
            |r| ix::finalise_work(caller, domain, 3, r),
        ) {
            let mut all = limit();
            all.push(ix);
            assert!(legacy_size(&all, &caller).0 <= PACKET, "{n} records");
        }
    }

    #[test]
    fn a_priority_fee_instruction_leaves_room_for_fewer_items() {
        let domain = Pubkey::new_unique();
        let caller = Pubkey::new_unique();
        let records = keys(MAX_FINALISE_RECORDS);
        let fee = compute::budget(MAX_TX_UNITS, 1_000);
        let packed = pack(
            &records,
            MAX_FINALISE_RECORDS,
            compute::FINALISE_WORK,
            &caller,
            &fee,
            |r| ix::finalise_work(caller, domain, 3, r),
        );
        for (ix, n) in &packed {
            let mut all = fee.clone();
            all.push(ix.clone());
            assert!(legacy_size(&all, &caller).0 <= PACKET, "{n} records");
        }
        // The limit instruction adds 40 bytes (the compute-budget program's key and index,
        // 7 bytes of instruction), the price 12 more (its program's key is there already);
        // a record costs 33 (its key and index): 26 records are 1,209 bytes with the
        // limit, 1,221 with the price too, 27 would be 1,254.
        assert_eq!(packed[0].1, FINALISE_RECORDS_LEGACY);
        let without = pack(
            &records,
            MAX_FINALISE_RECORDS,
            compute::FINALISE_WORK,
            &caller,
            &[],
            |r| ix::finalise_work(caller, domain, 3, r),
        );
        assert_eq!(without[0].1, FINALISE_RECORDS_LEGACY + 1);
        assert_eq!(
            packed.iter().map(|(_, n)| n).sum::<usize>(),
            MAX_FINALISE_RECORDS
        );
    }

    #[test]
    fn compute_units_bound_a_batch_beside_bytes_and_accounts() {
        let domain = Pubkey::new_unique();
        let caller = Pubkey::new_unique();
        let records = keys(MAX_FINALISE_RECORDS);
        // 100,000 units a record (and 3,000 for the limit instruction): 13 records fit
        // 1.4M, 14 would not, although 26 fit the packet.
        let heavy = Cost {
            fixed: 0,
            per_item: 100_000,
        };
        let packed = batches(&records, MAX_FINALISE_RECORDS, heavy, &caller, |r| {
            ix::finalise_work(caller, domain, 3, r)
        });
        assert_eq!(packed, [13, 13, 13, 13, 4]);
        // An item that alone is above the cap still goes, on its own, to be refused
        // loudly by the cluster rather than dropped.
        let huge = Cost {
            fixed: 0,
            per_item: 2_000_000,
        };
        let packed = batches(&records[..3], 3, huge, &caller, |r| {
            ix::finalise_work(caller, domain, 3, r)
        });
        assert_eq!(packed, [1, 1, 1]);
    }

    /// Every batched instruction at the program's cap, through a lookup table holding its
    /// accounts, with the compute-unit limit beside it (its program is one more account
    /// to lock): within a transaction's 64 account locks and its packet.
    #[test]
    fn every_batch_at_its_cap_fits_the_account_locks_with_its_limit() {
        use crate::ix::{ClaimLine, DnKeys, DomainKeys, Line};
        use deepnode::constants::{MAX_BATCH_LINES, MAX_CLAIM_LINES};
        let domain = Pubkey::new_unique();
        let caller = Pubkey::new_unique();
        let d = DomainKeys {
            domain,
            revenue_mint: Pubkey::new_unique(),
            token_program: anchor_spl::token_2022::ID,
            epoch: 3,
            is_dn: false,
        };
        let dn = DnKeys {
            mint: Pubkey::new_unique(),
            token_program: anchor_spl::token::ID,
        };
        let attest: Vec<Attestation> = keys(MAX_ATTEST_LINES)
            .into_iter()
            .map(|miner| Attestation {
                miner,
                units: 1,
                revise: false,
            })
            .collect();
        let batch: Vec<Line> = keys(MAX_BATCH_LINES)
            .into_iter()
            .map(|model| Line {
                model,
                amount: 100,
                usage_units: 1,
            })
            .collect();
        // Each record's rent paid by another validator: four accounts a line.
        let credit: Vec<CreditLine> = keys(MAX_CREDIT_LINES)
            .into_iter()
            .map(|authority| CreditLine::Miner {
                authority,
                rent_payer: Pubkey::new_unique(),
            })
            .collect();
        let collect: Vec<ClaimLine> = keys(MAX_CLAIM_LINES)
            .into_iter()
            .map(|recipient| ClaimLine {
                recipient,
                dn_account: Pubkey::new_unique(),
                revenue_account: Pubkey::new_unique(),
            })
            .collect();
        let pairs: Vec<(Pubkey, Pubkey)> = keys(MAX_CLOSE_ACCOUNTS)
            .into_iter()
            .map(|k| (k, Pubkey::new_unique()))
            .collect();
        let reveal = crate::ix::Reveal {
            batch: 0,
            salt: [1; 32],
            path: vec![[2; 32]; 10],
            lines: keys(MAX_ATTEST_LINES).into_iter().map(|m| (m, 1)).collect(),
        };
        let cases = [
            ("attest", ix::attest(caller, domain, 3, &attest)),
            (
                "reveal_attestations",
                ix::reveal_attestations(caller, domain, Pubkey::new_unique(), 3, &reveal),
            ),
            (
                "pay_batch",
                ix::pay_batch(&d, caller, Pubkey::new_unique(), 0, &batch),
            ),
            (
                "finalise_work",
                ix::finalise_work(caller, domain, 3, &keys(MAX_FINALISE_RECORDS)),
            ),
            (
                "credit_payouts",
                ix::credit_payouts(caller, domain, 3, &credit),
            ),
            (
                "claim_rewards",
                ix::claim_rewards(caller, &d, &dn, &collect),
            ),
            (
                "close_accounts",
                ix::close_accounts(caller, domain, 3, &pairs),
            ),
        ];
        for (name, ix) in cases {
            let table = AddressLookupTableAccount {
                key: Pubkey::new_unique(),
                addresses: ix
                    .accounts
                    .iter()
                    .filter(|m| !m.is_signer)
                    .map(|m| m.pubkey)
                    .collect(),
            };
            let mut all = vec![ix];
            all.extend(compute::budget(MAX_TX_UNITS, 10_000));
            let (bytes, accounts) = v0_size(&all, &caller, &[table]).expect("compiles");
            assert!(
                accounts <= ACCOUNT_LOCKS && bytes <= PACKET,
                "{name}: {accounts} accounts, {bytes} bytes"
            );
        }
    }

    #[test]
    fn pack_keeps_order_and_loses_nothing() {
        let domain = Pubkey::new_unique();
        let caller = Pubkey::new_unique();
        let records = keys(100);
        let packed = pack(
            &records,
            MAX_FINALISE_RECORDS,
            compute::FINALISE_WORK,
            &caller,
            &limit(),
            |r| ix::finalise_work(caller, domain, 0, r),
        );
        assert_eq!(packed.iter().map(|(_, n)| n).sum::<usize>(), 100);
        let mut next = records.iter();
        for (ix, n) in &packed {
            assert!(legacy_size(std::slice::from_ref(ix), &caller).0 <= PACKET);
            assert!(*n <= MAX_FINALISE_RECORDS);
            // The records in order, none skipped: the instruction's trailing accounts.
            let carried: Vec<Pubkey> = ix.accounts[ix.accounts.len() - n..]
                .iter()
                .map(|m| m.pubkey)
                .collect();
            let expected: Vec<Pubkey> = next.by_ref().take(*n).copied().collect();
            assert_eq!(carried, expected);
        }
        // An empty list makes no transaction.
        assert!(pack(
            &[] as &[Pubkey],
            5,
            compute::FINALISE_WORK,
            &caller,
            &[],
            |r| ix::finalise_work(caller, domain, 0, r)
        )
        .is_empty());
    }
}
