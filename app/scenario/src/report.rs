//! The scenario runner's output (shared/spec/SCENARIO.md "Output"): one document, every
//! key present, integers in base units.
use std::collections::BTreeMap;

use deepnode_math::{ROLES, ROLE_NAMES};
use serde::Serialize;

/// Amounts per symbol ("DN" and revenue symbols).
pub type Amounts = BTreeMap<String, u64>;

/// Pools by role name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pools {
    /// Miners.
    pub miners: u64,
    /// Stakers.
    pub stakers: u64,
    /// Validators.
    pub validators: u64,
    /// Domain owner.
    pub domain_owner: u64,
    /// Model owners.
    pub model_owners: u64,
    /// Foundation.
    pub foundation: u64,
}

impl From<[u64; ROLES]> for Pools {
    fn from(p: [u64; ROLES]) -> Self {
        // Role order is the math crate's (ROLE_NAMES).
        debug_assert_eq!(ROLE_NAMES[0], "miners");
        Pools {
            miners: p[deepnode_math::MINERS_ROLE],
            stakers: p[deepnode_math::STAKERS_ROLE],
            validators: p[deepnode_math::VALIDATORS_ROLE],
            domain_owner: p[deepnode_math::DOMAIN_OWNER_ROLE],
            model_owners: p[deepnode_math::MODEL_OWNERS_ROLE],
            foundation: p[deepnode_math::FOUNDATION_ROLE],
        }
    }
}

/// How the §13 guard priced and capped an epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GuardReport {
    /// DN per revenue unit times 1e9 (1e9 when paid in DN, else the auction's price).
    pub price_e9: u64,
    /// The guard (bps of the revenue's DN value).
    pub max_value_bps: u16,
    /// The cap it put on the budget.
    pub cap: u64,
}

/// §14: what an epoch offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OffsetReport {
    /// The revenue of the pool turned into offset stock in the auction.
    pub stock: u64,
    /// DN paid to the roles out of the offset reserve instead of minted.
    pub from_reserve: u64,
}

/// One settled epoch of one domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EpochReport {
    /// Domain name.
    pub domain: String,
    /// Scenario epoch index (from 0, whatever the on-chain index).
    pub index: u64,
    /// Revenue R.
    pub revenue: u64,
    /// Budget.
    pub budget: u64,
    /// §13 emission value guard, present only for a domain that sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_guard: Option<GuardReport>,
    /// Minted (tip included; with an offset, less what the reserve paid).
    pub minted: u64,
    /// §14 offset, present only for a domain with `offset_bps` above 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<OffsetReport>,
    /// Withheld.
    pub withheld: u64,
    /// DN pools funded.
    pub dn_pools: Pools,
    /// Revenue pools funded.
    pub rev_pools: Pools,
    /// Verified work per miner with a record.
    pub verified_work: BTreeMap<String, u64>,
    /// Agreeing attestations per validator with at least one.
    pub agreeing: BTreeMap<String, u64>,
    /// What each actor received for the epoch (DN and the domain's revenue symbol).
    pub payouts: BTreeMap<String, Amounts>,
}

/// The end state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FinalReport {
    /// DN supply.
    pub dn_supply: u64,
    /// All DN burned (payments, sweeps, auctions).
    pub dn_burned: u64,
    /// Every actor's wallet.
    pub balances: BTreeMap<String, Amounts>,
    /// Lifetime fee shares credited per domain.
    pub fees: BTreeMap<String, u64>,
    /// Lifetime owner shares credited per model.
    pub model_revenue: BTreeMap<String, u64>,
    /// Revenue held for the buyback per domain (vault plus shards not yet collected).
    pub buyback_vault: BTreeMap<String, u64>,
}

/// The whole output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Every settled epoch, domains in the order listed, epoch by epoch.
    pub epochs: Vec<EpochReport>,
    /// The end state.
    #[serde(rename = "final")]
    pub final_state: FinalReport,
}
