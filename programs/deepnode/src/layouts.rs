//! The `remaining_accounts` layout of every batch instruction, declared once: the
//! handlers walk their items by it, the SDK's builders emit each item's account metas from
//! it (`deepnode_sdk::ix`), and the packer's and the compute model's caps are its
//! `max_items`. A layout is one item's accounts, in order, each writable or not.
use crate::constants::{
    MAX_ATTEST_LINES, MAX_BATCH_LINES, MAX_CLAIM_LINES, MAX_CLOSE_ACCOUNTS, MAX_CREDIT_LINES,
    MAX_FINALISE_RECORDS, MAX_SHARDS,
};
use crate::events::CreditRole;

/// One account of a batch item: what it is, and whether the instruction writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// What the account is.
    pub name: &'static str,
    /// Whether the instruction writes it.
    pub writable: bool,
}

/// The accounts of one item of a batch instruction, in order, and how many items one
/// instruction takes at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The instruction (its IDL name) and the item's kind.
    pub name: &'static str,
    /// The item's accounts.
    pub item: &'static [Slot],
    /// Items per instruction at most.
    pub max_items: usize,
}

impl Layout {
    /// Accounts per item.
    pub const fn accounts(&self) -> usize {
        self.item.len()
    }

    /// Accounts of `items` items (`None` on overflow).
    pub const fn accounts_for(&self, items: usize) -> Option<usize> {
        items.checked_mul(self.item.len())
    }

    /// How many whole items `accounts` accounts hold: `None` when they are not whole
    /// items.
    pub const fn items_in(&self, accounts: usize) -> Option<usize> {
        match (
            accounts.checked_rem(self.item.len()),
            accounts.checked_div(self.item.len()),
        ) {
            (Some(0), Some(items)) => Some(items),
            _ => None,
        }
    }
}

/// A writable account.
const fn w(name: &'static str) -> Slot {
    Slot {
        name,
        writable: true,
    }
}

/// A read-only account.
const fn r(name: &'static str) -> Slot {
    Slot {
        name,
        writable: false,
    }
}

/// `pay_batch`: per line, the model and its epoch record (created on its first payment).
pub const PAY_BATCH: Layout = Layout {
    name: "pay_batch line",
    item: &[w("model"), w("model's epoch record")],
    max_items: MAX_BATCH_LINES,
};

/// `attest` and `reveal_attestations`: per line, the miner and its work record.
pub const ATTEST: Layout = Layout {
    name: "attest line",
    item: &[r("miner"), w("work record")],
    max_items: MAX_ATTEST_LINES,
};

/// `close_epoch`: the next epoch's shard counters, one per shard, in shard order.
pub const CLOSE_EPOCH: Layout = Layout {
    name: "close_epoch shard",
    item: &[w("next epoch's shard counter")],
    max_items: MAX_SHARDS as usize,
};

/// `finalise_work`: per record, the work record.
pub const FINALISE_WORK: Layout = Layout {
    name: "finalise_work record",
    item: &[w("work record")],
    max_items: MAX_FINALISE_RECORDS,
};

/// `fund_reward_vault`: per shard, its epoch counter, its ledger and its vault.
pub const FUND_REWARD_VAULT: Layout = Layout {
    name: "fund_reward_vault shard",
    item: &[
        w("epoch shard counter"),
        w("vault shard ledger"),
        w("shard vault"),
    ],
    max_items: MAX_SHARDS as usize,
};

/// `claim_rewards`: per line, the reward balance and the recipient's two token accounts.
pub const CLAIM_REWARDS: Layout = Layout {
    name: "claim_rewards line",
    item: &[
        w("reward balance"),
        w("recipient's DN account"),
        w("recipient's revenue account"),
    ],
    max_items: MAX_CLAIM_LINES,
};

/// `close_accounts`: per account, the account and its rent payer.
pub const CLOSE_ACCOUNTS: Layout = Layout {
    name: "close_accounts account",
    item: &[w("account to close"), w("its rent payer")],
    max_items: MAX_CLOSE_ACCOUNTS,
};

/// `credit_payouts`, a miner's line: its work record (closed), the miner, the miner's
/// reward balance, the record's rent payer.
pub const CREDIT_MINER: Layout = Layout {
    name: "credit_payouts miner line",
    item: &[
        w("work record"),
        r("miner"),
        w("reward balance"),
        w("record's rent payer"),
    ],
    max_items: MAX_CREDIT_LINES,
};

/// `credit_payouts`, a validator's line: the validator and its reward balance.
pub const CREDIT_VALIDATOR: Layout = Layout {
    name: "credit_payouts validator line",
    item: &[r("validator"), w("reward balance")],
    max_items: MAX_CREDIT_LINES,
};

/// `credit_payouts`, a model owner's line: the model's epoch record (closed), the model,
/// the owner's reward balance, the record's rent payer.
pub const CREDIT_MODEL_OWNER: Layout = Layout {
    name: "credit_payouts model owner line",
    item: &[
        w("model's epoch record"),
        r("model"),
        w("reward balance"),
        w("record's rent payer"),
    ],
    max_items: MAX_CREDIT_LINES,
};

/// `credit_payouts`, the domain owner's line: its reward balance.
pub const CREDIT_DOMAIN_OWNER: Layout = Layout {
    name: "credit_payouts domain owner line",
    item: &[w("reward balance")],
    max_items: MAX_CREDIT_LINES,
};

/// `credit_payouts`, the foundation's line: its token account (whose owner is credited)
/// and that owner's reward balance.
pub const CREDIT_FOUNDATION: Layout = Layout {
    name: "credit_payouts foundation line",
    item: &[r("foundation's token account"), w("reward balance")],
    max_items: MAX_CREDIT_LINES,
};

/// The layout of a `credit_payouts` line of `role`.
pub const fn credit(role: CreditRole) -> &'static Layout {
    match role {
        CreditRole::Miner => &CREDIT_MINER,
        CreditRole::Validator => &CREDIT_VALIDATOR,
        CreditRole::ModelOwner => &CREDIT_MODEL_OWNER,
        CreditRole::DomainOwner => &CREDIT_DOMAIN_OWNER,
        CreditRole::Foundation => &CREDIT_FOUNDATION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items are whole numbers of accounts; a partial item is refused.
    #[test]
    fn items_count_whole_items_only() {
        assert_eq!(CLAIM_REWARDS.items_in(48), Some(16));
        assert_eq!(CLAIM_REWARDS.items_in(47), None);
        assert_eq!(CLAIM_REWARDS.items_in(0), Some(0));
        assert_eq!(FUND_REWARD_VAULT.accounts_for(16), Some(48));
        assert_eq!(ATTEST.accounts_for(usize::MAX), None);
        assert_eq!(credit(CreditRole::Miner).accounts(), 4);
        assert_eq!(credit(CreditRole::Validator).accounts(), 2);
        assert_eq!(credit(CreditRole::ModelOwner).accounts(), 4);
        assert_eq!(credit(CreditRole::DomainOwner).accounts(), 1);
        assert_eq!(credit(CreditRole::Foundation).accounts(), 2);
    }
}
