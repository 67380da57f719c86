//! One past-tense event per state change, emitted through `emit_cpi!` so logs cannot
//! truncate them.
use anchor_lang::prelude::*;

use crate::state::{Bounds, DomainSettings};

/// The protocol was initialised.
#[event]
pub struct ProtocolInitialized {
    /// Governance key.
    pub authority: Pubkey,
    /// DN mint.
    pub dn_mint: Pubkey,
    /// Whether the mint was created by this instruction (else adopted).
    pub mint_created: bool,
    /// Foundation DN account.
    pub foundation: Pubkey,
    /// DN supply at initialisation.
    pub initial_supply: u64,
    /// Optional max supply.
    pub max_supply: Option<u64>,
    /// Bounds in force.
    pub bounds: Bounds,
}

/// Governance changed the bounds.
#[event]
pub struct BoundsUpdated {
    /// Previous bounds.
    pub old: Bounds,
    /// New bounds.
    pub new: Bounds,
}

/// Governance proposed (or cancelled, with `None`) a new authority.
#[event]
pub struct AuthorityProposed {
    /// Current authority.
    pub authority: Pubkey,
    /// Proposed authority.
    pub pending: Option<Pubkey>,
}

/// The pending authority accepted and took over.
#[event]
pub struct AuthorityAccepted {
    /// Previous authority.
    pub old: Pubkey,
    /// New authority.
    pub new: Pubkey,
}

/// The protocol was paused or unpaused.
#[event]
pub struct PauseChanged {
    /// Governance key that changed it.
    pub authority: Pubkey,
    /// New state.
    pub paused: bool,
}

/// A domain was created and its epoch 0 opened.
#[event]
pub struct DomainCreated {
    /// Domain account.
    pub domain: Pubkey,
    /// Domain id.
    pub id: u64,
    /// Domain owner.
    pub owner: Pubkey,
    /// Fee authority / payment processor.
    pub fee_authority: Pubkey,
    /// Revenue mint.
    pub revenue_mint: Pubkey,
    /// Revenue token program.
    pub revenue_token_program: Pubkey,
    /// Shard count.
    pub shard_count: u8,
    /// Settings of epoch 0.
    pub settings: DomainSettings,
    /// Epoch 0 account.
    pub epoch: Pubkey,
    /// Epoch 0 end time.
    pub epoch_end_ts: i64,
}

/// A vault shard (ledger, token account, current epoch counter) was initialised.
#[event]
pub struct ShardInitialized {
    /// Domain.
    pub domain: Pubkey,
    /// Shard index.
    pub shard: u8,
    /// Shard token account.
    pub vault: Pubkey,
    /// Whether every shard of the domain now exists.
    pub domain_ready: bool,
}

/// The domain owner stored new settings, applied when the next epoch opens.
#[event]
pub struct DomainSettingsQueued {
    /// Domain.
    pub domain: Pubkey,
    /// Settings of the open epoch (unchanged).
    pub current: DomainSettings,
    /// Settings queued for the next epoch.
    pub pending: DomainSettings,
    /// First epoch that will use them.
    pub effective_epoch: u64,
}

/// The domain owner replaced the fee authority / payment processor.
#[event]
pub struct FeeAuthorityChanged {
    /// Domain.
    pub domain: Pubkey,
    /// Previous key.
    pub old: Pubkey,
    /// New key.
    pub new: Pubkey,
}

/// A model was minted.
#[event]
pub struct ModelMinted {
    /// Domain.
    pub domain: Pubkey,
    /// Model account.
    pub model: Pubkey,
    /// Model id.
    pub id: u64,
    /// Owner.
    pub owner: Pubkey,
    /// Fixed owner share (bps).
    pub owner_share_bps: u16,
}

/// A model owner proposed (or cancelled, with `None`) a new owner.
#[event]
pub struct ModelOwnerProposed {
    /// Model.
    pub model: Pubkey,
    /// Current owner.
    pub owner: Pubkey,
    /// Proposed owner.
    pub pending: Option<Pubkey>,
}

/// The pending model owner accepted.
#[event]
pub struct ModelOwnerAccepted {
    /// Model.
    pub model: Pubkey,
    /// Previous owner.
    pub old: Pubkey,
    /// New owner.
    pub new: Pubkey,
}

/// A model stopped accepting payments.
#[event]
pub struct ModelDeactivated {
    /// Model.
    pub model: Pubkey,
    /// Owner who deactivated it.
    pub owner: Pubkey,
}

/// A model owner claimed accrued revenue from one shard.
#[event]
pub struct ModelRevenueClaimed {
    /// Model.
    pub model: Pubkey,
    /// Owner.
    pub owner: Pubkey,
    /// Shard paid from.
    pub shard: u8,
    /// Amount sent from the vault.
    pub amount: u64,
    /// Still claimable afterwards.
    pub remaining: u64,
}

/// One payment's split (also the line record of a batch).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoutedLine {
    /// Model paid for.
    pub model: Pubkey,
    /// Amount the payer sent.
    pub sent: u64,
    /// Amount the vault received (split base).
    pub received: u64,
    /// Owner share.
    pub owner: u64,
    /// Fee share.
    pub fee: u64,
    /// Buyback share (burned when the revenue mint is DN).
    pub buyback: u64,
    /// Emission-pool share credited to the open epoch.
    pub pool: u64,
    /// Usage units recorded.
    pub usage_units: u64,
}

/// A consumer's payment for one model was routed.
#[event]
pub struct PaymentRouted {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch credited.
    pub epoch: u64,
    /// Shard used.
    pub shard: u8,
    /// Payer.
    pub payer: Pubkey,
    /// Whether the buyback share was burned (DN revenue) rather than accrued.
    pub burned: bool,
    /// The split.
    pub line: RoutedLine,
}

/// A payment processor settled a batch.
#[event]
pub struct BatchSettled {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch credited.
    pub epoch: u64,
    /// Shard used.
    pub shard: u8,
    /// Processor.
    pub processor: Pubkey,
    /// Whether buyback shares were burned (DN revenue).
    pub burned: bool,
    /// Total received over all lines.
    pub total_received: u64,
    /// Every line's split.
    pub lines: Vec<RoutedLine>,
}

/// The fee authority withdrew a shard's fee balance.
#[event]
pub struct FeesWithdrawn {
    /// Domain.
    pub domain: Pubkey,
    /// Shard.
    pub shard: u8,
    /// Fee authority.
    pub fee_authority: Pubkey,
    /// Destination token account.
    pub destination: Pubkey,
    /// Amount sent.
    pub amount: u64,
}

/// Governance set a domain's auction parameters.
#[event]
pub struct AuctionConfigured {
    /// Domain.
    pub domain: Pubkey,
    /// Duration (seconds).
    pub duration_secs: u32,
    /// Floor price (times 1e9).
    pub floor_price_e9: u64,
    /// Reference start price (times 1e9).
    pub reference_price_e9: u64,
    /// Start price of the running auction after the change.
    pub start_price_e9: u64,
}

/// A shard's accrued buyback share moved into the buyback vault.
#[event]
pub struct BuybackCollected {
    /// Domain.
    pub domain: Pubkey,
    /// Shard.
    pub shard: u8,
    /// Amount moved.
    pub amount: u64,
    /// Buyback vault balance for sale afterwards.
    pub available: u64,
}

/// Somebody bought buyback tokens; the DN paid was burned.
#[event]
pub struct AuctionPurchased {
    /// Domain.
    pub domain: Pubkey,
    /// Buyer.
    pub buyer: Pubkey,
    /// Clearing price (times 1e9).
    pub price_e9: u64,
    /// Revenue units bought.
    pub quantity: u64,
    /// DN burned.
    pub dn_burned: u64,
    /// Start price of the restarted auction.
    pub next_start_price_e9: u64,
    /// Left for sale.
    pub remaining: u64,
}
