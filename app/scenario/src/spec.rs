//! A scenario file (shared/spec/SCENARIO.md "Input"): the network and what happens in
//! each epoch. Unknown keys are refused, so a typo is an error rather than a default.
use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The DN mint.
    pub dn: DnSpec,
    /// Governance parameters.
    pub governance: GovernanceSpec,
    /// Domains, in the order the keeper cranks them.
    pub domains: Vec<DomainSpec>,
    /// Models.
    #[serde(default)]
    pub models: Vec<ModelSpec>,
    /// Miners.
    #[serde(default)]
    pub miners: Vec<MinerSpec>,
    /// Validators (staked and registered before epoch 0).
    #[serde(default)]
    pub validators: Vec<ValidatorSpec>,
    /// Starting wallets: actor → symbol → amount.
    #[serde(default)]
    pub balances: BTreeMap<String, BTreeMap<String, u64>>,
    /// What happens in each epoch.
    pub epochs: Vec<EpochSpec>,
}

/// The DN mint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnSpec {
    /// Decimals.
    pub decimals: u8,
    /// Optional max supply.
    pub max_supply: Option<u64>,
    /// "token" or "token-2022".
    pub token_program: String,
}

/// Governance parameters the scenario sets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernanceSpec {
    /// Global emission cap per period.
    pub global_cap_per_period: u64,
    /// Period length.
    pub period_secs: u32,
    /// Keeper tip ceiling per settled epoch.
    pub keeper_tip_max: u64,
    /// PROTOCOL.md §13: epochs over which the guard price is the least counted clearing
    /// price (default 1).
    #[serde(default = "one")]
    pub guard_price_epochs: u16,
}

/// The default guard window.
fn one() -> u16 {
    1
}

/// The default close grace (seconds).
fn five_minutes() -> u32 {
    300
}

/// A revenue mint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintSpec {
    /// Symbol; "DN" means the domain is paid in DN.
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
    /// "token" or "token-2022".
    pub token_program: String,
    /// Token-2022 transfer fee (bps), if any.
    #[serde(default)]
    pub transfer_fee_bps: Option<u16>,
    /// Token-2022 transfer fee ceiling per transfer.
    #[serde(default)]
    pub transfer_fee_max: Option<u64>,
}

/// The five paid roles' emission split (the foundation's 100 bps is implicit).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    /// Miners.
    pub miners: u16,
    /// Stakers.
    pub stakers: u16,
    /// Validators.
    pub validators: u16,
    /// Domain owner.
    pub domain_owner: u16,
    /// Model owners.
    pub model_owners: u16,
}

/// The buyback auction's parameters.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuctionSpec {
    /// Duration.
    pub duration_secs: u32,
    /// Floor price (DN per revenue unit × 1e9).
    pub floor_price_e9: u64,
    /// Reference price before the first sale.
    pub reference_price_e9: u64,
}

/// A domain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainSpec {
    /// Name.
    pub name: String,
    /// Revenue mint.
    pub revenue_mint: MintSpec,
    /// Fee share y.
    pub fee_bps: u16,
    /// Model share ceiling.
    pub max_model_share_bps: u16,
    /// Emission split.
    pub split_bps: SplitSpec,
    /// DN per revenue unit × 1e9.
    pub emission_rate_e9: u64,
    /// Floor.
    pub floor: u64,
    /// Ceiling.
    pub ceiling: u64,
    /// Epoch length.
    pub epoch_secs: u32,
    /// Quorum.
    pub quorum: u16,
    /// Agreement tolerance.
    pub tolerance_bps: u16,
    /// Validator minimum stake.
    pub min_validator_stake: u64,
    /// Stakers' yield cap per epoch (bps of active stake).
    pub max_staker_yield_bps_per_epoch: u16,
    /// Vault shards.
    pub shards: u8,
    /// Claim window.
    pub claim_window_epochs: u16,
    /// Unbonding period.
    pub unbonding_epochs: u16,
    /// Owner actor.
    pub owner: String,
    /// Validator cap (default 16).
    #[serde(default)]
    pub max_validators: Option<u16>,
    /// Buyback auction parameters.
    #[serde(default)]
    pub auction: Option<AuctionSpec>,
    /// PROTOCOL.md §13 emission value guard.
    #[serde(default)]
    pub max_emission_value_bps: Option<u16>,
    /// PROTOCOL.md §5: seconds after an epoch's end before it may close (default 300).
    #[serde(default = "five_minutes")]
    pub close_grace_secs: u32,
    /// PROTOCOL.md §7: validators commit while the epoch is open and the runner reveals
    /// their batches in the grace window (default false).
    #[serde(default)]
    pub commit_reveal: bool,
    /// PROTOCOL.md §14: share (bps) of each epoch's revenue-reward pool sold for DN that
    /// pays the roles before any mint (default 0).
    #[serde(default)]
    pub offset_bps: u16,
}

/// A model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Name.
    pub name: String,
    /// Domain name.
    pub domain: String,
    /// Owner actor.
    pub owner: String,
    /// Owner share x.
    pub owner_share_bps: u16,
}

/// A miner.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinerSpec {
    /// Actor name.
    pub name: String,
    /// Domain name.
    pub domain: String,
}

/// A validator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorSpec {
    /// Actor name.
    pub name: String,
    /// Domain name.
    pub domain: String,
    /// DN staked before epoch 0.
    pub stake: u64,
}

/// One epoch's events.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpochSpec {
    /// Stakes.
    #[serde(default)]
    pub stakes: Vec<StakeSpec>,
    /// Unstake requests.
    #[serde(default)]
    pub unstakes: Vec<StakeSpec>,
    /// Payments.
    #[serde(default)]
    pub payments: Vec<PaymentSpec>,
    /// Attestations.
    #[serde(default)]
    pub attestations: Vec<AttestationSpec>,
    /// Purchases from domains' buyback auctions, made first, as the epoch begins (after
    /// the previous epoch's settlement).
    #[serde(default)]
    pub buybacks: Vec<BuybackSpec>,
}

/// A purchase from a domain's buyback auction (PROTOCOL.md §8), at the price the
/// auction asks at that moment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuybackSpec {
    /// Buyer actor (pays DN from its wallet).
    pub buyer: String,
    /// Domain name (not paid in DN: a DN domain has no auction).
    pub domain: String,
    /// Revenue units to buy (absent: everything for sale, nothing when nothing is).
    #[serde(default)]
    pub quantity: Option<u64>,
}

/// A stake or an unstake request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakeSpec {
    /// Staker actor.
    pub staker: String,
    /// Domain name.
    pub domain: String,
    /// Amount.
    pub amount: u64,
}

/// A payment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSpec {
    /// Payer actor.
    pub payer: String,
    /// Model name.
    pub model: String,
    /// Amount.
    pub amount: u64,
    /// Shard.
    #[serde(default)]
    pub shard: u8,
    /// Usage units (informational).
    #[serde(default)]
    pub units: u64,
}

/// An attestation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationSpec {
    /// Validator actor.
    pub validator: String,
    /// Miner actor.
    pub miner: String,
    /// Work units.
    pub units: u64,
}
