//! One past-tense event per state change, emitted as a self-CPI (Anchor's event-CPI
//! format) so logs cannot truncate them.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;

/// Emits `event` exactly as Anchor's `emit_cpi!` does (a self-CPI signed by the event
/// authority; data: the event tag, the event's discriminator, its Borsh body), but builds
/// the instruction data once, at its exact size. The SBF heap is a 32 KiB bump allocator
/// that never frees: `emit_cpi!` grows a buffer from 256 bytes by doubling and copies it
/// twice, which cost a full `pay_batch` about 10 KiB of heap for a 2.3 KiB event.
pub fn emit_event<E: anchor_lang::Event>(authority: &AccountInfo, event: &E) -> Result<()> {
    let data = event_ix_data(event)?;
    #[cfg(all(feature = "heap-report", target_os = "solana"))]
    log_heap_used();
    let ix = Instruction {
        program_id: crate::ID,
        accounts: vec![AccountMeta::new_readonly(*authority.key, true)],
        data,
    };
    let bump = [crate::EVENT_AUTHORITY_AND_BUMP.1];
    invoke_signed(
        &ix,
        std::slice::from_ref(authority),
        &[&[crate::constants::EVENT_AUTHORITY_SEED, &bump]],
    )
    .map_err(Into::into)
}

/// Diagnostic build only (`heap-report`, `tests/sbf/build.sh` with
/// `DEEPNODE_SBF_HEAP_REPORT=1`): logs how many bytes of the 32 KiB heap the instruction
/// has allocated. Every state change ends with its event, and the bump allocator never
/// frees, so this is the instruction's peak heap use (the event's own buffer included).
#[cfg(all(feature = "heap-report", target_os = "solana"))]
fn log_heap_used() {
    let start = anchor_lang::solana_program::entrypoint::HEAP_START_ADDRESS as usize;
    let len = anchor_lang::solana_program::entrypoint::HEAP_LENGTH;
    // SAFETY: the entrypoint's bump allocator keeps its next free address in the heap's
    // first word (solana-program-entrypoint `BumpAllocator`); 0 before the first alloc.
    let pos = unsafe { *(start as *const usize) };
    let used = if pos == 0 {
        0
    } else {
        start.saturating_add(len).saturating_sub(pos)
    };
    msg!("heap used: {}", used);
}

/// The data of the event self-CPI for `event`, allocated once at its exact size.
pub fn event_ix_data<E: anchor_lang::Event>(event: &E) -> Result<Vec<u8>> {
    let tag = anchor_lang::event::EVENT_IX_TAG_LE;
    let len = anchor_lang::prelude::borsh::object_length(event)?
        .checked_add(tag.len())
        .and_then(|n| n.checked_add(E::DISCRIMINATOR.len()))
        .or_overflow()?;
    let mut data = Vec::with_capacity(len);
    data.extend_from_slice(tag);
    data.extend_from_slice(E::DISCRIMINATOR);
    event.serialize(&mut data)?;
    Ok(data)
}

/// `emit_event!(ctx, event)`: emits `event` through `ctx`'s event authority (see
/// [`emit_event`]); returns early with the error if the self-CPI fails.
#[macro_export]
macro_rules! emit_event {
    ($ctx:expr, $event:expr) => {
        $crate::events::emit_event(&$ctx.accounts.event_authority, &$event)?
    };
}

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
pub struct BatchPaid {
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
pub struct AuctionFunded {
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
    /// DN burned (what was paid for buyback stock).
    pub dn_burned: u64,
    /// §14: units of offset stock among them.
    pub offset_quantity: u64,
    /// §14: DN paid into the offset reserve (for the offset stock).
    pub reserve_dn: u64,
    /// §14: offset stock left for sale.
    pub offset_remaining: u64,
    /// §14: the offset reserve's balance after the purchase.
    pub reserve: u64,
    /// Whether the purchase (at least half of what was for sale) restarted the auction.
    pub restarted: bool,
    /// Start price of the auction's curve after this purchase.
    pub next_start_price_e9: u64,
    /// Left for sale.
    pub remaining: u64,
    /// The open epoch, whose tally the purchase joined.
    pub epoch: u64,
    /// §13: DN paid for the auction's stock in that epoch so far.
    pub epoch_bought_dn: u128,
    /// §13: revenue units bought in that epoch so far.
    pub epoch_bought_quantity: u128,
}

/// A domain's stake pool, its two vaults and its offset reserve were created.
#[event]
pub struct StakePoolInitialized {
    /// Domain.
    pub domain: Pubkey,
    /// The stake pool.
    pub stake_pool: Pubkey,
    /// DN stake vault.
    pub stake_vault: Pubkey,
    /// Revenue reward vault.
    pub reward_vault: Pubkey,
    /// §14: the offset reserve (DN).
    pub offset_reserve: Pubkey,
    /// Whether the domain now takes payments (every shard and the pool exist).
    pub domain_ready: bool,
}

/// A staker opened a stake position.
#[event]
pub struct StakePositionOpened {
    /// Domain.
    pub domain: Pubkey,
    /// Staker.
    pub owner: Pubkey,
    /// The position.
    pub position: Pubkey,
}

/// DN was staked; it becomes active when the epoch after `epoch` opens.
#[event]
pub struct Staked {
    /// Domain.
    pub domain: Pubkey,
    /// Staker.
    pub owner: Pubkey,
    /// Amount staked.
    pub amount: u64,
    /// Open epoch when staked.
    pub epoch: u64,
    /// The position's stake waiting to activate, after this call.
    pub pending: u64,
    /// The pool's principal, after this call.
    pub pool_total_staked: u64,
    /// Validator stake of the next epoch after this call (grows when a validator stakes).
    pub validator_stake_next: u64,
}

/// Unstaking was requested; the stake earns through `epoch` and unbonds after it.
#[event]
pub struct UnstakeRequested {
    /// Domain.
    pub domain: Pubkey,
    /// Staker.
    pub owner: Pubkey,
    /// Amount requested out.
    pub amount: u64,
    /// Open epoch when requested.
    pub epoch: u64,
    /// The unstake ticket holding the amount until it is withdrawn.
    pub ticket: Pubkey,
    /// Principal the ticket holds after this request.
    pub ticket_principal: u64,
    /// First open-epoch index at which the ticket's stake may be withdrawn.
    pub withdrawable_epoch: u64,
    /// Earning stake left on the position (applied and pending).
    pub remaining_stake: u64,
    /// Validator stake of the next epoch after this request.
    pub validator_stake_next: u64,
}

/// Unbonded stake was withdrawn from a ticket, and/or the ticket's rewards credited.
#[event]
pub struct StakeWithdrawn {
    /// Domain.
    pub domain: Pubkey,
    /// Staker.
    pub owner: Pubkey,
    /// The unstake ticket.
    pub ticket: Pubkey,
    /// Principal paid out by this call.
    pub amount: u64,
    /// DN rewards of the ticket's epochs credited to the position by this call.
    pub dn_credited: u64,
    /// Revenue rewards of the ticket's epochs credited to the position by this call.
    pub revenue_credited: u64,
    /// Whether the ticket is done and was closed (rent returned to the staker).
    pub ticket_closed: bool,
    /// The pool's principal, after this call.
    pub pool_total_staked: u64,
}

/// Governance replaced the foundation's DN account.
#[event]
pub struct FoundationChanged {
    /// Governance key that made the change.
    pub authority: Pubkey,
    /// Previous foundation account.
    pub old: Pubkey,
    /// New foundation account.
    pub new: Pubkey,
}

/// A staker claimed accrued rewards.
#[event]
pub struct StakeRewardsClaimed {
    /// Domain.
    pub domain: Pubkey,
    /// Staker.
    pub owner: Pubkey,
    /// DN paid.
    pub dn: u64,
    /// Revenue tokens paid.
    pub revenue: u64,
}

/// A miner registered (or registered again) in a domain.
#[event]
pub struct MinerRegistered {
    /// Domain.
    pub domain: Pubkey,
    /// Miner's key.
    pub authority: Pubkey,
    /// The miner's PDA.
    pub miner: Pubkey,
    /// Open epoch.
    pub epoch: u64,
}

/// A miner deregistered.
#[event]
pub struct MinerDeregistered {
    /// Domain.
    pub domain: Pubkey,
    /// Miner's key.
    pub authority: Pubkey,
    /// Open epoch.
    pub epoch: u64,
}

/// A validator registered (or registered again) in a domain.
#[event]
pub struct ValidatorRegistered {
    /// Domain.
    pub domain: Pubkey,
    /// Validator's key.
    pub authority: Pubkey,
    /// Index within the domain.
    pub index: u32,
    /// Eligible stake at registration.
    pub stake: u64,
    /// Validators registered, after this call.
    pub validators_active: u16,
    /// First epoch in which the validator votes (the next one).
    pub votes_from_epoch: u64,
    /// Validator stake of the next epoch, after this call.
    pub validator_stake_next: u64,
    /// The validator it displaced (§7: the set was full and it held less stake), which
    /// votes through the open epoch and not after.
    pub displaced: Option<Pubkey>,
}

/// A validator was deregistered, by itself or, once under-staked, by anyone.
#[event]
pub struct ValidatorDeregistered {
    /// Domain.
    pub domain: Pubkey,
    /// Validator's key.
    pub authority: Pubkey,
    /// Who deregistered it.
    pub by: Pubkey,
    /// Eligible stake at deregistration.
    pub stake: u64,
    /// Validators registered, after this call.
    pub validators_active: u16,
    /// Validator stake of the next epoch, after this call.
    pub validator_stake_next: u64,
}

/// One line of an attestation batch.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct AttestedLine {
    /// The miner's PDA.
    pub miner: Pubkey,
    /// Units attested.
    pub units: u64,
    /// Units replaced by a revision (`None` for a new attestation).
    pub replaced: Option<u64>,
    /// Whether this line created the work record.
    pub record_created: bool,
}

/// A validator attested miners' work for an open epoch.
#[event]
pub struct WorkAttested {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// Validator's key.
    pub validator: Pubkey,
    /// Validator's index.
    pub index: u32,
    /// Eligible stake recorded with each attestation.
    pub stake: u64,
    /// The lines.
    pub lines: Vec<AttestedLine>,
    /// Work records of the epoch, after this call.
    pub epoch_work_records: u64,
}

/// A validator committed to its batches of attestations for an epoch (§7).
#[event]
pub struct AttestationsCommitted {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// Validator's key.
    pub validator: Pubkey,
    /// Merkle root of its batches' hashes.
    pub root: [u8; 32],
    /// Number of batches.
    pub batches: u32,
    /// Whether it replaced an earlier commitment for the epoch.
    pub replaced: bool,
}

/// One committed batch of a validator's attestations was revealed and recorded (§7).
#[event]
pub struct AttestationsRevealed {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// Validator's key.
    pub validator: Pubkey,
    /// Who revealed it.
    pub revealed_by: Pubkey,
    /// The batch's index among the committed ones.
    pub batch: u32,
    /// The validator's weight in the epoch.
    pub stake: u64,
    /// The lines.
    pub lines: Vec<AttestedLine>,
    /// Work records of the epoch, after this call.
    pub epoch_work_records: u64,
}

/// An epoch closed and the next one opened.
#[event]
pub struct EpochClosed {
    /// Domain.
    pub domain: Pubkey,
    /// Closed epoch.
    pub epoch: u64,
    /// Who closed it.
    pub closed_by: Pubkey,
    /// Work records the closed epoch holds.
    pub work_records: u64,
    /// The new open epoch.
    pub next_epoch: u64,
    /// End time of the new epoch.
    pub next_end_ts: i64,
    /// Stake active in the new epoch.
    pub next_active_stake: u64,
    /// The new epoch's validator stake W_e (weights of the validators that vote in it).
    pub next_validator_stake: u64,
    /// Whether queued settings took effect with the new epoch.
    pub settings_applied: bool,
    /// Whether queued settings were dropped (no longer within the bounds).
    pub settings_dropped: bool,
    /// What the closed epoch's settlement takes from governance and the auction.
    pub closed_with: crate::state::ClosedWith,
}

/// Shards' pool shares of a closed epoch moved into the reward vault.
#[event]
pub struct RewardVaultFunded {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// The shards collected by this call.
    pub shards: Vec<u8>,
    /// Their revenue (part of `R`).
    pub revenue: u64,
    /// What the reward vault received of their pool shares.
    pub received: u64,
    /// Shards collected so far.
    pub shards_collected: u8,
}

/// One record finalised by `finalise_work`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct FinalisedLine {
    /// The work record.
    pub record: Pubkey,
    /// Verified work units (the stake-weighted median).
    pub verified: u64,
    /// Attestations of the record that agreed.
    pub agreeing: u8,
}

/// Quorate work records of a closed epoch were finalised.
#[event]
pub struct WorkFinalised {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// Who called.
    pub caller: Pubkey,
    /// The records finalised.
    pub lines: Vec<FinalisedLine>,
    /// Quorate records finalised so far, after this call.
    pub finalised_records: u64,
    /// Quorate records of the epoch.
    pub quorate_records: u64,
    /// Verified work of the epoch so far.
    pub total_verified: u128,
    /// Agreeing attestations of the epoch so far.
    pub total_agreeing: u64,
}

/// An epoch was settled: its budget minted and its pools fixed.
#[event]
pub struct EpochSettled {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// Who settled (credited the tip).
    pub settled_by: Pubkey,
    /// Epoch revenue `R`.
    pub revenue: u64,
    /// Revenue-reward pool: received from the shards plus rolled in.
    pub rev_pool: u64,
    /// Revenue rolled in from earlier epochs.
    pub rolled_in: u64,
    /// DN budget.
    pub budget: u64,
    /// §13 guard: price used, guard and cap (`None`: no guard).
    pub value_guard: Option<crate::state::ValueGuard>,
    /// Keeper tip.
    pub tip: u64,
    /// DN minted (tip included).
    pub minted: u64,
    /// DN withheld (not minted).
    pub withheld: u64,
    /// Revenue rolled into the next epoch.
    pub rolled_out: u64,
    /// DN pools by role (miners, stakers, validators, domain owner, model owners,
    /// foundation).
    pub dn_pools: [u64; 6],
    /// Revenue pools by role.
    pub rev_pools: [u64; 6],
    /// DN the stakers' accumulator can pay out of their pool.
    pub stakers_dn_funded: u64,
    /// Revenue the stakers' accumulator can pay out of their pool.
    pub stakers_rev_funded: u64,
    /// DN minted in the epoch's cap period, after this settlement.
    pub period_minted: u64,
    /// §14: revenue of the pool turned into offset stock.
    pub offset_stock: u64,
    /// §14: DN paid to the roles out of the offset reserve (not minted).
    pub from_reserve: u64,
}

/// Which pool a credit came out of.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditRole {
    /// A miner's verified work.
    Miner,
    /// A validator's agreeing attestations.
    Validator,
    /// A model owner's revenue share.
    ModelOwner,
    /// The domain owner.
    DomainOwner,
    /// The foundation.
    Foundation,
}

/// One payout credited to its recipient.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct CreditedLine {
    /// Pool it came out of.
    pub role: CreditRole,
    /// What earned it: the miner's PDA, the validator's PDA, the model, the domain, or
    /// the foundation account.
    pub source: Pubkey,
    /// Recipient wallet.
    pub recipient: Pubkey,
    /// DN credited.
    pub dn: u64,
    /// Revenue tokens credited.
    pub rev: u64,
    /// Rent returned by closing the record that proved the claim (0 if none).
    pub rent_returned: u64,
}

/// Payouts of a settled epoch were credited to their recipients.
#[event]
pub struct PayoutsCredited {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// Who called.
    pub caller: Pubkey,
    /// The lines.
    pub lines: Vec<CreditedLine>,
}

/// One recipient's collected (or refused) balance.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ClaimedLine {
    /// Recipient wallet.
    pub recipient: Pubkey,
    /// DN paid out.
    pub dn: u64,
    /// Revenue tokens paid out.
    pub rev: u64,
    /// DN kept on the balance because its destination refused it.
    pub dn_kept: u64,
    /// Revenue kept on the balance because its destination refused it.
    pub rev_kept: u64,
}

/// Credited balances were paid out to their recipients' token accounts.
#[event]
pub struct RewardClaimed {
    /// Domain.
    pub domain: Pubkey,
    /// Who called.
    pub caller: Pubkey,
    /// The lines.
    pub lines: Vec<ClaimedLine>,
}

/// An expired epoch was swept: uncredited DN burned, uncredited revenue rolled on.
#[event]
pub struct EpochSwept {
    /// Domain.
    pub domain: Pubkey,
    /// Swept epoch.
    pub epoch: u64,
    /// Who swept.
    pub caller: Pubkey,
    /// DN burned.
    pub dn_burned: u64,
    /// Revenue rolled into the open epoch.
    pub rev_rolled: u64,
    /// The open epoch that received it.
    pub into_epoch: u64,
}

/// Which kind of account was closed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosedKind {
    /// A miner's work record.
    WorkRecord,
    /// A model's epoch revenue record.
    ModelEpoch,
    /// A shard's epoch revenue counter.
    EpochShard,
    /// A validator's commit-reveal commitment.
    Commitment,
}

/// One account closed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ClosedLine {
    /// Its kind.
    pub kind: ClosedKind,
    /// Its address.
    pub account: Pubkey,
    /// Who got the rent back.
    pub rent_payer: Pubkey,
    /// Lamports returned.
    pub lamports: u64,
}

/// Accounts no longer needed were closed and their rent returned.
#[event]
pub struct AccountClosed {
    /// Domain.
    pub domain: Pubkey,
    /// Epoch.
    pub epoch: u64,
    /// The accounts.
    pub lines: Vec<ClosedLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_authority_seed_is_anchors() {
        let derived =
            Pubkey::find_program_address(&[crate::constants::EVENT_AUTHORITY_SEED], &crate::ID);
        assert_eq!(derived, crate::EVENT_AUTHORITY_AND_BUMP);
    }

    #[test]
    fn event_data_is_anchors_format_in_one_exact_allocation() {
        let event = FoundationChanged {
            authority: Pubkey::new_unique(),
            old: Pubkey::new_unique(),
            new: Pubkey::new_unique(),
        };
        let data = event_ix_data(&event).unwrap();
        let mut anchors = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
        anchors.extend(anchor_lang::Event::data(&event));
        assert_eq!(data, anchors);
        assert_eq!(data.capacity(), data.len());
    }
}
