//! Compute budgets: what each transaction the clients send asks the cluster for.
//!
//! A cluster grants a transaction 200,000 compute units per instruction (3,000 per
//! builtin one) unless the transaction sets its own limit, and at most 1.4M; a priority
//! fee is charged on the limit asked for, not on the units used. So every transaction
//! the clients send sets its limit: the transaction is simulated first with the most a
//! transaction may ask for, then sent asking for what the simulation consumed plus
//! [`MARGIN_PERCENT`] (at least [`MARGIN_MIN`] units), never more than
//! [`MAX_TX_UNITS`] ([`limit_for`]). The margin covers what may change between the
//! simulation and the transaction's turn: an auction price that decayed, a record
//! another client created first; bump searches and token transfers cost the same
//! both times.
//!
//! Before a batch is simulated, the packer bounds it with [`Cost`]: the compute
//! benchmark's measured worst case per instruction and per item
//! (`tests/benches/compute.rs` checks every measured case against these), so that no
//! batch is ever built that a transaction could not carry.
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;

/// Most compute units one transaction may ask for.
pub const MAX_TX_UNITS: u32 = 1_400_000;

/// Units a cluster grants an instruction of a program that is not a builtin, when the
/// transaction sets no limit.
pub const DEFAULT_INSTRUCTION_UNITS: u32 = 200_000;

/// Units a cluster grants an instruction of a builtin program (system, compute budget,
/// vote, the loaders, the signature precompiles), when the transaction sets no limit.
pub const DEFAULT_BUILTIN_UNITS: u32 = 3_000;

/// Units a compute-budget instruction itself consumes when the transaction runs.
pub const BUDGET_INSTRUCTION_UNITS: u64 = 150;

/// Margin added to the units a simulation consumed, in percent.
pub const MARGIN_PERCENT: u64 = 10;

/// Least margin added to the units a simulation consumed.
pub const MARGIN_MIN: u64 = 1_000;

/// The compute-budget program.
pub const PROGRAM: Pubkey = solana_compute_budget_interface::ID;

/// The builtin programs a cluster grants [`DEFAULT_BUILTIN_UNITS`] per instruction
/// (agave 3.1's `solana-builtins-default-costs`; the address lookup table program is no
/// longer one of them).
const BUILTINS: [Pubkey; 9] = [
    solana_sdk_ids::system_program::ID,
    PROGRAM,
    solana_sdk_ids::vote::ID,
    solana_sdk_ids::bpf_loader::ID,
    solana_sdk_ids::bpf_loader_deprecated::ID,
    solana_sdk_ids::bpf_loader_upgradeable::ID,
    solana_sdk_ids::loader_v4::ID,
    solana_sdk_ids::secp256k1_program::ID,
    solana_sdk_ids::ed25519_program::ID,
];

/// The limit to ask for a transaction whose simulation consumed `consumed` units: that
/// plus [`MARGIN_PERCENT`] (at least [`MARGIN_MIN`]), at most [`MAX_TX_UNITS`].
pub fn limit_for(consumed: u64) -> u32 {
    // Rounded up: the margin errs on the side of the transaction landing.
    let margin = consumed
        .saturating_mul(MARGIN_PERCENT)
        .div_ceil(100)
        .max(MARGIN_MIN);
    let wanted = consumed.saturating_add(margin);
    u32::try_from(wanted).map_or(MAX_TX_UNITS, |w| w.min(MAX_TX_UNITS))
}

/// The compute-budget instructions of a transaction asking for `limit` units at
/// `micro_lamports` per unit (no price instruction when 0).
pub fn budget(limit: u32, micro_lamports: u64) -> Vec<Instruction> {
    let mut out = vec![ComputeBudgetInstruction::set_compute_unit_limit(limit)];
    if micro_lamports > 0 {
        out.push(ComputeBudgetInstruction::set_compute_unit_price(
            micro_lamports,
        ));
    }
    out
}

/// `instructions` followed by the compute-budget instructions asking for `limit` units
/// at `micro_lamports` per unit. They go last: a cluster reads them wherever they are,
/// and the caller's instructions keep their indexes, so that an error names the
/// instruction the caller knows.
pub fn with_budget(
    instructions: &[Instruction],
    limit: u32,
    micro_lamports: u64,
) -> Vec<Instruction> {
    let mut out = instructions.to_vec();
    out.extend(budget(limit, micro_lamports));
    out
}

/// Whether `instructions` already carry a compute-budget instruction (the caller chose
/// the budget itself: it is sent as it is).
pub fn sets_budget(instructions: &[Instruction]) -> bool {
    instructions.iter().any(|i| i.program_id == PROGRAM)
}

/// The limit a cluster gives a transaction of `instructions` that sets none: 200,000
/// units per instruction, 3,000 per builtin one, at most [`MAX_TX_UNITS`].
pub fn default_limit(instructions: &[Instruction]) -> u32 {
    let units: u64 = instructions
        .iter()
        .map(|i| {
            if BUILTINS.contains(&i.program_id) {
                u64::from(DEFAULT_BUILTIN_UNITS)
            } else {
                u64::from(DEFAULT_INSTRUCTION_UNITS)
            }
        })
        .sum();
    u32::try_from(units).map_or(MAX_TX_UNITS, |u| u.min(MAX_TX_UNITS))
}

/// Whether `instruction` sets a compute-unit limit.
pub fn is_limit(instruction: &Instruction) -> bool {
    instruction.program_id == PROGRAM && instruction.data.first() == Some(&2)
}

/// The limit a transaction of `instructions` runs under: the one it sets, else the
/// cluster's default ([`default_limit`]).
pub fn limit_of(instructions: &[Instruction]) -> u32 {
    instructions
        .iter()
        .filter(|i| i.program_id == PROGRAM)
        .find_map(|i| match borsh_tag(&i.data) {
            Some((2, rest)) => rest
                .get(..4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")).min(MAX_TX_UNITS)),
            _ => None,
        })
        .unwrap_or_else(|| default_limit(instructions))
}

/// The price a transaction of `instructions` sets (micro-lamports per unit; 0 if none).
pub fn price_of(instructions: &[Instruction]) -> u64 {
    instructions
        .iter()
        .filter(|i| i.program_id == PROGRAM)
        .find_map(|i| match borsh_tag(&i.data) {
            Some((3, rest)) => rest
                .get(..8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes"))),
            _ => None,
        })
        .unwrap_or(0)
}

/// A compute-budget instruction's variant tag and the rest of its data.
fn borsh_tag(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(tag, rest)| (*tag, rest))
}

/// Lamports of the priority fee of a transaction asking for `limit` units at
/// `micro_lamports` per unit (rounded up, as the cluster charges it).
pub fn priority_fee(limit: u32, micro_lamports: u64) -> u64 {
    let micro = u128::from(limit) * u128::from(micro_lamports);
    u64::try_from(micro.div_ceil(1_000_000)).unwrap_or(u64::MAX)
}

/// Lamports a cluster charges for one signature.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;

/// The fee of a transaction of `signatures` signatures that asks for `limit` units at
/// `micro_lamports` per unit: [`LAMPORTS_PER_SIGNATURE`] each, plus the priority fee.
pub fn fee(signatures: u64, limit: u32, micro_lamports: u64) -> u64 {
    signatures
        .saturating_mul(LAMPORTS_PER_SIGNATURE)
        .saturating_add(priority_fee(limit, micro_lamports))
}

/// A batched instruction's compute units at their worst: `fixed` for the instruction
/// and `per_item` for each record, line, shard or address it carries, as the compute
/// benchmark measured them on the `.so` (the costliest token program, every record
/// created, bump searches included) with headroom. Used to keep batches within what one
/// transaction may ask for; the limit itself comes from a simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    /// Units of the instruction without items.
    pub fixed: u64,
    /// Units each item adds.
    pub per_item: u64,
}

impl Cost {
    /// Units of the instruction carrying `items` items, at their worst.
    pub const fn units(&self, items: usize) -> u64 {
        self.fixed
            .saturating_add(self.per_item.saturating_mul(items as u64))
    }

    /// Whether the instruction with `items` items, after `prefix` other instructions
    /// (each counted at a builtin's default), fits what one transaction may ask for.
    pub fn fits(&self, items: usize, prefix: usize) -> bool {
        let others = u64::from(DEFAULT_BUILTIN_UNITS).saturating_mul(prefix as u64);
        self.units(items).saturating_add(others) <= u64::from(MAX_TX_UNITS)
    }
}

/// `finalise_work`: per record of 16 attestations.
pub const FINALISE_WORK: Cost = Cost {
    fixed: 25_000,
    per_item: 10_000,
};

/// `credit_payouts`: per line (a miner's, the costliest: its record closed, its balance
/// created).
pub const CREDIT_PAYOUTS: Cost = Cost {
    fixed: 25_000,
    per_item: 16_000,
};

/// `claim_rewards`: per recipient (a DN and a revenue transfer, Token-2022 with a transfer
/// fee).
pub const CLAIM_REWARDS: Cost = Cost {
    fixed: 30_000,
    per_item: 20_000,
};

/// `close_accounts`: per account closed.
pub const CLOSE_ACCOUNTS: Cost = Cost {
    fixed: 40_000,
    per_item: 3_000,
};

/// `fund_reward_vault`: per shard (a Token-2022 transfer with a fee).
pub const FUND_REWARD_VAULT: Cost = Cost {
    fixed: 25_000,
    per_item: 12_000,
};

/// `attest`: per line (its work record created, bump search included).
pub const ATTEST: Cost = Cost {
    fixed: 40_000,
    per_item: 16_000,
};

/// `reveal_attestations`: per line, as `attest` (its work record created), with the
/// batch's hash and Merkle path.
pub const REVEAL: Cost = Cost {
    fixed: 50_000,
    per_item: 16_000,
};

/// `pay_batch`: per line (its model's epoch record created, bump search included).
pub const PAY_BATCH: Cost = Cost {
    fixed: 50_000,
    per_item: 20_000,
};

/// `extend_lookup_table` (the lookup-table program): per address added.
pub const EXTEND_TABLE: Cost = Cost {
    fixed: 10_000,
    per_item: 1_000,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_the_units_plus_ten_percent_at_least_a_thousand_at_most_the_cap() {
        assert_eq!(limit_for(0), 1_000);
        assert_eq!(limit_for(9_999), 10_999);
        assert_eq!(limit_for(10_000), 11_000);
        assert_eq!(limit_for(226_994), 226_994 + 22_700);
        assert_eq!(limit_for(1_272_728), 1_400_000);
        assert_eq!(limit_for(u64::MAX), MAX_TX_UNITS);
    }

    #[test]
    fn a_transaction_without_a_limit_gets_the_clusters_default() {
        let other = Instruction::new_with_bytes(Pubkey::new_unique(), &[], vec![]);
        let transfer = anchor_lang::solana_program::system_instruction::transfer(
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            1,
        );
        let price = ComputeBudgetInstruction::set_compute_unit_price(10_000);
        assert_eq!(default_limit(std::slice::from_ref(&other)), 200_000);
        assert_eq!(
            default_limit(&[price.clone(), other.clone(), transfer.clone()]),
            206_000
        );
        assert_eq!(default_limit(&vec![other.clone(); 8]), 1_400_000);
        assert_eq!(limit_of(&[price.clone(), other.clone()]), 203_000);
        assert_eq!(price_of(&[price.clone(), other.clone()]), 10_000);
        let set = with_budget(std::slice::from_ref(&other), 55_555, 7);
        assert_eq!(limit_of(&set), 55_555);
        assert_eq!(price_of(&set), 7);
        assert!(sets_budget(&set));
        assert!(!sets_budget(&[other, transfer]));
    }

    #[test]
    fn fees_are_per_signature_plus_the_limit_times_the_price_rounded_up() {
        assert_eq!(priority_fee(200_000, 10_000), 2_000);
        assert_eq!(priority_fee(1, 1), 1);
        assert_eq!(priority_fee(1_400_000, 0), 0);
        assert_eq!(fee(2, 250_000, 10_000), 12_500);
        assert_eq!(budget(9, 0).len(), 1);
        assert_eq!(budget(9, 1).len(), 2);
    }

    #[test]
    fn a_cost_fits_within_the_transaction_cap() {
        let c = Cost {
            fixed: 100_000,
            per_item: 100_000,
        };
        assert_eq!(c.units(3), 400_000);
        assert!(c.fits(13, 0));
        assert!(!c.fits(14, 0));
        assert!(!c.fits(13, 1));
    }
}
