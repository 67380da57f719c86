//! DeepNode: routes every payment for model usage into fixed shares and mints per-domain
//! emissions only against verified work. This file is the table of contents: each
//! instruction is one doc comment and one call into `instructions/`.
#![allow(unexpected_cfgs)]
#![deny(clippy::arithmetic_side_effects)]

use anchor_lang::prelude::*;
// The SBF build's builtins (tests/sbf/build.sh); linked in only for that target.
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

pub mod constants;
pub mod create;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod layouts;
pub mod state;
pub mod token_util;

#[allow(ambiguous_glob_reexports)]
pub use instructions::*;
use state::{Bounds, DomainSettings};

declare_id!("HxB3T8DHvrvP6o6w5aVqsaT8DApcmkMftHtQGnJd9ijm");

/// The program's instructions.
#[program]
pub mod deepnode {
    use super::*;

    /// Governance: initialise the protocol, adopting a DN mint already handed to the PDA.
    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        governance::initialize::handler(ctx, args)
    }

    /// Governance: initialise the protocol with a new DN mint owned by the PDA.
    pub fn initialize_with_new_mint(
        ctx: Context<InitializeWithNewMint>,
        args: InitializeArgs,
        decimals: u8,
    ) -> Result<()> {
        governance::initialize_with_new_mint::handler(ctx, args, decimals)
    }

    /// Governance: replace the bounds on domain parameters.
    pub fn update_bounds(ctx: Context<UpdateBounds>, bounds: Bounds) -> Result<()> {
        governance::update_bounds::handler(ctx, bounds)
    }

    /// Governance: propose the next authority (`None` cancels).
    pub fn propose_authority(
        ctx: Context<ProposeAuthority>,
        new_authority: Option<Pubkey>,
    ) -> Result<()> {
        governance::propose_authority::handler(ctx, new_authority)
    }

    /// Pending authority: accept and take over governance.
    pub fn accept_authority(ctx: Context<AcceptAuthority>) -> Result<()> {
        governance::accept_authority::handler(ctx)
    }

    /// Governance: pause or unpause.
    pub fn set_paused(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
        governance::set_paused::handler(ctx, paused)
    }

    /// Governance: replace the foundation's DN account.
    pub fn set_foundation(ctx: Context<SetFoundation>) -> Result<()> {
        governance::set_foundation::handler(ctx)
    }

    /// Domain owner with governance co-signing: create a domain and open epoch 0.
    pub fn create_domain(ctx: Context<CreateDomain>, args: CreateDomainArgs) -> Result<()> {
        domain::create_domain::handler(ctx, args)
    }

    /// Anyone: create a domain's next vault shard.
    pub fn init_shard(ctx: Context<InitShard>, shard: u8) -> Result<()> {
        domain::init_shard::handler(ctx, shard)
    }

    /// Domain owner: queue settings for the next epoch.
    pub fn update_domain_settings(
        ctx: Context<UpdateDomainSettings>,
        settings: DomainSettings,
    ) -> Result<()> {
        domain::update_domain_settings::handler(ctx, settings)
    }

    /// Domain owner: replace the fee authority / payment processor.
    pub fn set_fee_authority(ctx: Context<SetFeeAuthority>, fee_authority: Pubkey) -> Result<()> {
        domain::set_fee_authority::handler(ctx, fee_authority)
    }

    /// Anyone: mint a model with a fixed owner share.
    pub fn mint_model(ctx: Context<MintModel>, owner_share_bps: u16) -> Result<()> {
        models::mint_model::handler(ctx, owner_share_bps)
    }

    /// Model owner: propose the next owner (`None` cancels).
    pub fn propose_model_owner(
        ctx: Context<ProposeModelOwner>,
        new_owner: Option<Pubkey>,
    ) -> Result<()> {
        models::propose_model_owner::handler(ctx, new_owner)
    }

    /// Pending model owner: accept the model.
    pub fn accept_model_owner(ctx: Context<AcceptModelOwner>) -> Result<()> {
        models::accept_model_owner::handler(ctx)
    }

    /// Model owner: stop accepting payments.
    pub fn deactivate_model(ctx: Context<DeactivateModel>) -> Result<()> {
        models::deactivate_model::handler(ctx)
    }

    /// Model owner: claim accrued revenue from one shard.
    pub fn claim_model_revenue(ctx: Context<ClaimModelRevenue>, shard: u8) -> Result<()> {
        models::claim_model_revenue::handler(ctx, shard)
    }

    /// Consumer: pay for one model.
    pub fn pay(ctx: Context<Pay>, shard: u8, amount: u64, usage_units: u64) -> Result<()> {
        revenue::pay::handler(ctx, shard, amount, usage_units)
    }

    /// Payment processor: settle a batch of usage lines.
    pub fn pay_batch<'info>(
        ctx: Context<'info, PayBatch<'info>>,
        shard: u8,
        lines: Vec<BatchLine>,
    ) -> Result<()> {
        revenue::pay_batch::handler(ctx, shard, lines)
    }

    /// Fee authority: withdraw one shard's fee balance.
    pub fn withdraw_fees(ctx: Context<WithdrawFees>, shard: u8) -> Result<()> {
        revenue::withdraw_fees::handler(ctx, shard)
    }

    /// Governance: set a domain's auction duration, floor and reference price.
    pub fn set_auction_params(
        ctx: Context<SetAuctionParams>,
        duration_secs: u32,
        floor_price_e9: u64,
        reference_price_e9: u64,
    ) -> Result<()> {
        buyback::set_auction_params::handler(ctx, duration_secs, floor_price_e9, reference_price_e9)
    }

    /// Anyone: move a shard's buyback share into the buyback vault.
    pub fn fund_auction(ctx: Context<FundAuction>, shard: u8) -> Result<()> {
        buyback::fund_auction::handler(ctx, shard)
    }

    /// Anyone: buy from the buyback vault at the auction price, burning the DN paid.
    pub fn buy_back(ctx: Context<BuyBack>, quantity: u64, max_price_e9: u64) -> Result<()> {
        buyback::buy_back::handler(ctx, quantity, max_price_e9)
    }

    /// Anyone: create a domain's stake pool, DN stake vault and revenue reward vault.
    pub fn init_stake_pool(ctx: Context<InitStakePool>) -> Result<()> {
        staking::init_stake_pool::handler(ctx)
    }

    /// Staker: open an empty stake position in a domain.
    pub fn open_stake_position(ctx: Context<OpenStakePosition>) -> Result<()> {
        staking::open_stake_position::handler(ctx)
    }

    /// Staker: stake DN; it becomes active when the next epoch opens.
    pub fn stake(ctx: Context<Stake>, amount: u64) -> Result<()> {
        staking::stake::handler(ctx, amount)
    }

    /// Staker: request to unstake; earns through the open epoch, then unbonds.
    pub fn request_unstake(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
        staking::request_unstake::handler(ctx, amount)
    }

    /// Staker: withdraw an unstake ticket's stake once unbonded, and credit its rewards
    /// once its epochs are settled.
    pub fn withdraw_stake(ctx: Context<WithdrawStake>) -> Result<()> {
        staking::withdraw_stake::handler(ctx)
    }

    /// Staker: claim accrued DN and revenue-token rewards.
    pub fn claim_stake_rewards(ctx: Context<ClaimStakeRewards>) -> Result<()> {
        staking::claim_stake_rewards::handler(ctx)
    }

    /// Miner: register in a domain.
    pub fn register_miner(ctx: Context<RegisterMiner>) -> Result<()> {
        work::register_miner::handler(ctx)
    }

    /// Miner: leave a domain.
    pub fn deregister_miner(ctx: Context<DeregisterMiner>) -> Result<()> {
        work::deregister_miner::handler(ctx)
    }

    /// Staker with enough active stake: register as a validator.
    pub fn register_validator(ctx: Context<RegisterValidator>) -> Result<()> {
        work::register_validator::handler(ctx)
    }

    /// Validator (or anyone, once it is under-staked): deregister it.
    pub fn deregister_validator(ctx: Context<DeregisterValidator>) -> Result<()> {
        work::deregister_validator::handler(ctx)
    }

    /// Validator: attest miners' work units for the open epoch, many miners at once.
    pub fn attest<'info>(
        ctx: Context<'info, Attest<'info>>,
        epoch_index: u64,
        lines: Vec<AttestLine>,
    ) -> Result<()> {
        work::attest::handler(ctx, epoch_index, lines)
    }

    /// Validator of a commit-reveal domain: commit to its batches before the epoch's end.
    pub fn commit_attestations(
        ctx: Context<CommitAttestations>,
        epoch_index: u64,
        root: [u8; 32],
        batches: u32,
    ) -> Result<()> {
        work::commit_attestations::handler(ctx, epoch_index, root, batches)
    }

    /// Anyone: reveal a committed batch in the close grace window; it counts as `attest`.
    pub fn reveal_attestations<'info>(
        ctx: Context<'info, RevealAttestations<'info>>,
        epoch_index: u64,
        batch: u32,
        salt: [u8; 32],
        path: Vec<[u8; 32]>,
        lines: Vec<AttestLine>,
    ) -> Result<()> {
        work::reveal_attestations::handler(ctx, epoch_index, batch, salt, path, lines)
    }

    /// Anyone: close the open epoch after its end and its grace, and open the next one.
    pub fn close_epoch<'info>(ctx: Context<'info, CloseEpoch<'info>>) -> Result<()> {
        crank::close_epoch::handler(ctx)
    }

    /// Anyone: finalise a closed epoch's quorate work records, a batch at a time.
    pub fn finalise_work<'info>(ctx: Context<'info, FinaliseWork<'info>>) -> Result<()> {
        crank::finalise_work::handler(ctx)
    }

    /// Anyone: move a closed epoch's shard pool shares into the reward vault.
    pub fn fund_reward_vault<'info>(ctx: Context<'info, FundRewardVault<'info>>) -> Result<()> {
        crank::fund_reward_vault::handler(ctx)
    }

    /// Anyone: settle a finalised epoch: budget, mint, pools, accumulators, keeper tip.
    pub fn settle_epoch<'info>(ctx: Context<'info, SettleEpoch<'info>>) -> Result<()> {
        crank::settle_epoch::handler(ctx)
    }

    /// Anyone: credit settled payouts to their recipients' balances, each once.
    pub fn credit_payouts<'info>(
        ctx: Context<'info, CreditPayouts<'info>>,
        lines: Vec<events::CreditRole>,
    ) -> Result<()> {
        crank::credit_payouts::handler(ctx, lines)
    }

    /// Recipient or anyone: pay credited balances out to the recipients' token accounts.
    pub fn claim_rewards<'info>(ctx: Context<'info, ClaimRewards<'info>>) -> Result<()> {
        crank::claim_rewards::handler(ctx)
    }

    /// Anyone: after the claim window, burn an epoch's uncredited DN and roll its
    /// uncredited revenue into the open epoch.
    pub fn sweep_epoch(ctx: Context<SweepEpoch>) -> Result<()> {
        crank::sweep_epoch::handler(ctx)
    }

    /// Anyone: close records nothing needs any more and return their rent.
    pub fn close_accounts<'info>(ctx: Context<'info, CloseAccounts<'info>>) -> Result<()> {
        crank::close_accounts::handler(ctx)
    }
}
