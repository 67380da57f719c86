//! Address lookup tables a keeper keeps per domain. A domain's tables hold the addresses
//! its crank names epoch after epoch (the domain's own accounts, participants' PDAs and
//! reward balances, rent payers), so that a v0 transaction names each with a one-byte
//! index instead of 32 bytes and a batch carries up to the program's cap. A table's first
//! address is its domain's key: that is how a keeper (stateless, restarted anywhere)
//! finds its tables again, by the authority it signs with.
//!
//! Addresses extended in a slot can be used from the next slot on
//! ([`Table::usable`]); a table is created at a recent slot listed in the `SlotHashes`
//! sysvar ([`recent_slots`]), one table per slot and authority.
use std::collections::BTreeSet;

use solana_address_lookup_table_interface as alt;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;

use crate::cluster::ClusterError;

/// Most addresses one table holds.
pub const MAX_ADDRESSES: usize = alt::state::LOOKUP_TABLE_MAX_ADDRESSES;

/// The lookup-table program's id.
pub const PROGRAM: Pubkey = alt::program::ID;

/// Byte offset of the authority's key in a table account (after the state tag, the
/// deactivation slot, the last extended slot, its start index and the option's tag).
pub const AUTHORITY_OFFSET: usize = 22;

/// One lookup table as read from the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Its address.
    pub key: Pubkey,
    /// Who may extend it.
    pub authority: Option<Pubkey>,
    /// Whether it was deactivated (it can no longer be extended, and soon not used).
    pub deactivated: bool,
    /// The slot of its last extension.
    pub last_extended_slot: u64,
    /// How many addresses it held before that slot's extensions.
    pub last_extended_start: usize,
    /// Its addresses, in order.
    pub addresses: Vec<Pubkey>,
}

impl Table {
    /// Decodes a lookup-table account.
    pub fn decode(key: Pubkey, data: &[u8]) -> Result<Self, ClusterError> {
        let table = alt::state::AddressLookupTable::deserialize(data).map_err(|e| {
            ClusterError::Decode {
                key,
                reason: format!("not a lookup table: {e}"),
            }
        })?;
        Ok(Self {
            key,
            authority: table.meta.authority,
            deactivated: table.meta.deactivation_slot != u64::MAX,
            last_extended_slot: table.meta.last_extended_slot,
            last_extended_start: usize::from(table.meta.last_extended_slot_start_index),
            addresses: table.addresses.to_vec(),
        })
    }

    /// Room left for addresses.
    pub fn room(&self) -> usize {
        MAX_ADDRESSES.saturating_sub(self.addresses.len())
    }

    /// The addresses a transaction may load from this table when it runs at `slot` or
    /// later: those extended before `slot`.
    pub fn usable(&self, slot: u64) -> AddressLookupTableAccount {
        let n = if self.last_extended_slot < slot {
            self.addresses.len()
        } else {
            self.last_extended_start.min(self.addresses.len())
        };
        AddressLookupTableAccount {
            key: self.key,
            addresses: self.addresses[..n].to_vec(),
        }
    }
}

/// The tables of `domain` among `tables`: active, extendable by `authority`, first
/// address the domain's key; in address order.
pub fn of_domain(tables: &[Table], authority: &Pubkey, domain: &Pubkey) -> Vec<Table> {
    let mut out: Vec<Table> = tables
        .iter()
        .filter(|t| {
            !t.deactivated
                && t.authority.as_ref() == Some(authority)
                && t.addresses.first() == Some(domain)
        })
        .cloned()
        .collect();
    out.sort_by_key(|t| t.key);
    out
}

/// The accounts an instruction names in epoch `epoch` and again in the next one, as
/// built by `at`, that a table can hold: neither signers nor invoked programs. These are
/// what a domain's table is worth holding (an epoch's own accounts change every epoch).
pub fn lasting(at: impl Fn(u64) -> Instruction, epoch: u64) -> Vec<Pubkey> {
    let now = at(epoch);
    let next: BTreeSet<Pubkey> = at(epoch.saturating_add(1))
        .accounts
        .iter()
        .map(|m| m.pubkey)
        .collect();
    let mut seen = BTreeSet::new();
    now.accounts
        .iter()
        .filter(|m| !m.is_signer && m.pubkey != now.program_id && next.contains(&m.pubkey))
        .map(|m| m.pubkey)
        .filter(|k| seen.insert(*k))
        .collect()
}

/// The addresses of `wanted` none of `tables` holds, each once, in order.
pub fn missing(tables: &[Table], wanted: &[Pubkey]) -> Vec<Pubkey> {
    let held: BTreeSet<Pubkey> = tables
        .iter()
        .flat_map(|t| t.addresses.iter().copied())
        .collect();
    let mut seen = BTreeSet::new();
    wanted
        .iter()
        .filter(|k| !held.contains(k) && seen.insert(**k))
        .copied()
        .collect()
}

/// Tables holding `addresses` (`domain` first), [`MAX_ADDRESSES`] each, as they would be
/// once extended: what a keeper measures a batch against before it pays for the tables.
pub fn ideal(domain: &Pubkey, addresses: &[Pubkey]) -> Vec<AddressLookupTableAccount> {
    let mut all = vec![*domain];
    all.extend(addresses.iter().filter(|k| *k != domain));
    all.chunks(MAX_ADDRESSES)
        .enumerate()
        .map(|(i, chunk)| AddressLookupTableAccount {
            // Any distinct keys: only the sizes matter.
            key: {
                let mut bytes = [0xAA; 32];
                bytes[..8].copy_from_slice(&(i as u64).to_le_bytes());
                Pubkey::new_from_array(bytes)
            },
            addresses: chunk.to_vec(),
        })
        .collect()
}

/// The one table of `tables` holding every key of `keys`, if there is one, else all of
/// them: a message pays 34 bytes for each table it loads from, so an instruction whose
/// lasting accounts one table holds is measured against that table alone.
pub fn covering(
    tables: &[AddressLookupTableAccount],
    keys: &[Pubkey],
) -> Vec<AddressLookupTableAccount> {
    match tables
        .iter()
        .find(|t| keys.iter().all(|k| t.addresses.contains(k)))
    {
        Some(one) => vec![one.clone()],
        None => tables.to_vec(),
    }
}

/// `create_lookup_table` for `authority` (which pays) at `recent_slot`, and the new
/// table's address.
pub fn create(authority: Pubkey, recent_slot: u64) -> (Instruction, Pubkey) {
    alt::instruction::create_lookup_table(authority, authority, recent_slot)
}

/// `extend_lookup_table`: appends `addresses` to `table`, `authority` signing and paying
/// the rent of the added room.
pub fn extend(table: Pubkey, authority: Pubkey, addresses: &[Pubkey]) -> Instruction {
    alt::instruction::extend_lookup_table(table, authority, Some(authority), addresses.to_vec())
}

/// The slots listed in a `SlotHashes` sysvar account, newest first: the slots a table
/// may be created at.
pub fn recent_slots(data: &[u8]) -> Vec<u64> {
    let count = data
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes);
    (0..usize::try_from(count).unwrap_or(0))
        .map_while(|i| {
            let at = 8 + i * 40;
            data.get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_le_bytes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ix::{self, CreditLine};
    use crate::limits::{pack, pack_with, CREDIT_LINES_LEGACY, FINALISE_RECORDS_LEGACY};
    use deepnode::constants::{MAX_CREDIT_LINES, MAX_FINALISE_RECORDS};
    use solana_sdk::slot_hashes::SlotHashes;

    fn table(addresses: Vec<Pubkey>, last_extended_slot: u64, start: u8) -> Vec<u8> {
        alt::state::AddressLookupTable {
            meta: alt::state::LookupTableMeta {
                authority: Some(Pubkey::new_from_array([7; 32])),
                last_extended_slot,
                last_extended_slot_start_index: start,
                ..Default::default()
            },
            addresses: std::borrow::Cow::Owned(addresses),
        }
        .serialize_for_tests()
        .expect("serialise")
    }

    #[test]
    fn a_table_reads_back_with_its_authority_at_the_documented_offset() {
        let keys: Vec<Pubkey> = (0..5).map(|_| Pubkey::new_unique()).collect();
        let data = table(keys.clone(), 40, 3);
        assert_eq!(
            &data[AUTHORITY_OFFSET..AUTHORITY_OFFSET + 32],
            &[7u8; 32][..]
        );
        let t = Table::decode(Pubkey::new_unique(), &data).expect("decode");
        assert_eq!(t.addresses, keys);
        assert_eq!(t.room(), MAX_ADDRESSES - 5);
        // Extended at slot 40 from index 3: at 40 only the first 3 are usable, at 41 all.
        assert_eq!(t.usable(40).addresses, keys[..3]);
        assert_eq!(t.usable(41).addresses, keys);
        assert!(Table::decode(Pubkey::new_unique(), &[1, 2, 3]).is_err());
    }

    #[test]
    fn recent_slots_reads_the_sysvar_newest_first() {
        let hashes = SlotHashes::new(&[
            (5, Default::default()),
            (9, Default::default()),
            (7, Default::default()),
        ]);
        let data = bincode::serialize(&hashes).expect("serialise");
        assert_eq!(recent_slots(&data), [9, 7, 5]);
        assert!(recent_slots(&[]).is_empty());
    }

    #[test]
    fn lasting_keeps_what_the_next_epoch_names_again() {
        let domain = Pubkey::new_unique();
        let caller = Pubkey::new_unique();
        let authority = Pubkey::new_unique();
        let rent_payer = Pubkey::new_unique();
        let line = [CreditLine::Miner {
            authority,
            rent_payer,
        }];
        let keys = lasting(|e| ix::credit_payouts(caller, domain, e, &line), 4);
        let miner = crate::pda::miner(&domain, &authority);
        // Not the caller (a signer), the program, the epoch, its book or the record.
        for gone in [
            caller,
            deepnode::ID,
            crate::pda::epoch(&domain, 4),
            crate::pda::epoch_book(&domain, 4),
            crate::pda::work_record(&miner, 4),
        ] {
            assert!(!keys.contains(&gone), "{gone}");
        }
        for kept in [
            domain,
            crate::pda::config(),
            miner,
            crate::pda::reward(&domain, &authority),
            rent_payer,
        ] {
            assert!(keys.contains(&kept), "{kept}");
        }
        // config, domain, system program, event authority; miner, reward, rent payer.
        assert_eq!(keys.len(), 7);
    }

    /// What tables buy: a batch of miner credit lines goes from the legacy capacity to
    /// the program's cap, finalise gains nothing it can use (its records are new every
    /// epoch), and `missing` names only what no table holds.
    #[test]
    fn tables_fit_more_credit_lines_and_pack_uses_them_only_there() {
        let domain = Pubkey::new_unique();
        let caller = Pubkey::new_unique();
        let rent_payer = Pubkey::new_unique();
        let lines: Vec<CreditLine> = (0..3 * MAX_CREDIT_LINES)
            .map(|_| CreditLine::Miner {
                authority: Pubkey::new_unique(),
                rent_payer,
            })
            .collect();
        let build = |e: u64, l: &[CreditLine]| ix::credit_payouts(caller, domain, e, l);
        let wanted = lasting(|e| build(e, &lines), 3);
        // 4 domain-wide accounts, 2 per miner, the one rent payer.
        assert_eq!(wanted.len(), 4 + 2 * lines.len() + 1);
        let tables = ideal(&domain, &wanted);
        assert_eq!(tables.len(), 1);
        // Every transaction carries its compute-unit limit first.
        let limit = crate::compute::budget(crate::compute::MAX_TX_UNITS, 0);
        let credit = crate::compute::CREDIT_PAYOUTS;
        let legacy = pack(&lines, MAX_CREDIT_LINES, credit, &caller, &limit, |l| {
            build(3, l)
        });
        // 39 lines, 7 a legacy transaction.
        assert_eq!(
            legacy.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
            [CREDIT_LINES_LEGACY; 5]
                .into_iter()
                .chain([3 * MAX_CREDIT_LINES - 5 * CREDIT_LINES_LEGACY])
                .collect::<Vec<_>>()
        );
        let v0 = pack_with(
            &lines,
            MAX_CREDIT_LINES,
            credit,
            &caller,
            &limit,
            &tables,
            |l| build(3, l),
        );
        assert_eq!(
            v0.iter().map(|b| (b.items, b.v0)).collect::<Vec<_>>(),
            [(MAX_CREDIT_LINES, true); 3]
        );
        for b in &v0 {
            let mut all = limit.clone();
            all.push(b.ix.clone());
            let (bytes, accounts) =
                crate::limits::v0_size(&all, &caller, &tables).expect("compiles");
            assert!(bytes <= crate::limits::PACKET && accounts <= crate::limits::ACCOUNT_LOCKS);
        }
        // Finalise through the same tables: the domain and the event authority come from
        // the table (64 bytes less; the v0 message adds its version, the table's key, its
        // list lengths and two indexes: 38). With the 23 bytes 26 legacy records leave
        // (1,209 of 1,232), that is room for one record more (33 bytes), not two; the last
        // two records fit a legacy transaction, which then goes as one.
        let records: Vec<Pubkey> = (0..MAX_FINALISE_RECORDS)
            .map(|_| Pubkey::new_unique())
            .collect();
        let finalise = crate::compute::FINALISE_WORK;
        let fin = pack_with(
            &records,
            MAX_FINALISE_RECORDS,
            finalise,
            &caller,
            &limit,
            &tables,
            |r| ix::finalise_work(caller, domain, 3, r),
        );
        assert_eq!(
            fin.iter().map(|b| (b.items, b.v0)).collect::<Vec<_>>(),
            [
                (FINALISE_RECORDS_LEGACY + 1, true),
                (FINALISE_RECORDS_LEGACY + 1, true),
                (2, false)
            ]
        );
        // With a second table that also starts with the domain's key, the domain comes from
        // one table and the event authority from the other: two lookups cost what they
        // save and the legacy batch of 26 wins. `covering` picks the one table holding
        // both, and the 27 come back.
        let mut two = ideal(&domain, &wanted);
        two.insert(
            0,
            AddressLookupTableAccount {
                key: Pubkey::new_unique(),
                addresses: vec![domain, Pubkey::new_unique()],
            },
        );
        let fin = |tables: &[AddressLookupTableAccount]| {
            pack_with(
                &records,
                MAX_FINALISE_RECORDS,
                finalise,
                &caller,
                &limit,
                tables,
                |r| ix::finalise_work(caller, domain, 3, r),
            )
            .iter()
            .map(|b| (b.items, b.v0))
            .collect::<Vec<_>>()
        };
        assert_eq!(
            fin(&two),
            [
                (FINALISE_RECORDS_LEGACY, false),
                (FINALISE_RECORDS_LEGACY, false),
                (4, false)
            ]
        );
        let statics = lasting(|e| ix::finalise_work(caller, domain, e, &[]), 3);
        assert_eq!(statics, [domain, crate::pda::event_authority()]);
        assert_eq!(
            fin(&covering(&two, &statics)),
            [
                (FINALISE_RECORDS_LEGACY + 1, true),
                (FINALISE_RECORDS_LEGACY + 1, true),
                (2, false)
            ]
        );
        // A table holding half the lines' accounts: missing names the other half.
        let held = Table {
            key: Pubkey::new_unique(),
            authority: Some(caller),
            deactivated: false,
            last_extended_slot: 0,
            last_extended_start: 0,
            addresses: wanted[..20].to_vec(),
        };
        assert_eq!(missing(std::slice::from_ref(&held), &wanted), wanted[20..]);
        assert_eq!(
            of_domain(std::slice::from_ref(&held), &caller, &domain).len(),
            0,
            "its first address is not the domain's"
        );
    }
}
