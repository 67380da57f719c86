//! Instruction builders, one per program instruction.
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use deepnode::instructions::{AttestLine, BatchLine, CreateDomainArgs, InitializeArgs};
use deepnode::layouts::{self, Layout};
use deepnode::state::{Bounds, Domain, DomainSettings, Epoch};
use deepnode::{accounts as acc, instruction as data};

use crate::pda;

/// The associated token program.
pub const ASSOCIATED_TOKEN_PROGRAM: Pubkey =
    Pubkey::from_str_const("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/// One batch item's account metas, each writable or read-only as the program's layout
/// of the item declares (`deepnode::layouts`). `keys` are the item's accounts in the
/// layout's order; a builder naming a different number is a bug of this crate, caught by
/// its tests.
fn item<const N: usize>(layout: &Layout, keys: [Pubkey; N]) -> [AccountMeta; N] {
    assert_eq!(N, layout.accounts(), "{}: accounts per item", layout.name);
    let mut slots = layout.item.iter();
    keys.map(|key| match slots.next() {
        Some(slot) if slot.writable => AccountMeta::new(key, false),
        _ => AccountMeta::new_readonly(key, false),
    })
}

fn build(accounts: impl ToAccountMetas, args: impl InstructionData) -> Instruction {
    Instruction {
        program_id: deepnode::ID,
        accounts: accounts.to_account_metas(None),
        data: args.data(),
    }
}

/// The keys of a domain that most instructions need.
#[derive(Clone, Copy, Debug)]
pub struct DomainKeys {
    /// Domain account.
    pub domain: Pubkey,
    /// Revenue mint.
    pub revenue_mint: Pubkey,
    /// Revenue token program.
    pub token_program: Pubkey,
    /// Open epoch.
    pub epoch: u64,
    /// Whether the revenue mint is DN.
    pub is_dn: bool,
}

impl DomainKeys {
    /// Reads the keys from a decoded domain.
    pub fn new(domain: Pubkey, state: &Domain) -> Self {
        Self {
            domain,
            revenue_mint: state.revenue_mint,
            token_program: state.revenue_token_program,
            epoch: state.current_epoch,
            is_dn: state.revenue_is_dn,
        }
    }
}

/// `initialize`: adopt an existing DN mint.
pub fn initialize(
    payer: Pubkey,
    upgrade_authority: Pubkey,
    dn_mint: Pubkey,
    foundation: Pubkey,
    token_program: Pubkey,
    args: InitializeArgs,
) -> Instruction {
    build(
        acc::Initialize {
            payer,
            upgrade_authority,
            program_data: pda::program_data(),
            config: pda::config(),
            mint_authority: pda::mint_authority(),
            dn_mint,
            foundation,
            token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::Initialize { args },
    )
}

/// `initialize_with_new_mint`: create the DN mint (a fresh keypair that must sign) and
/// the foundation's associated account.
pub fn initialize_with_new_mint(
    payer: Pubkey,
    upgrade_authority: Pubkey,
    dn_mint: Pubkey,
    foundation_owner: Pubkey,
    token_program: Pubkey,
    args: InitializeArgs,
    decimals: u8,
) -> Instruction {
    build(
        acc::InitializeWithNewMint {
            payer,
            upgrade_authority,
            program_data: pda::program_data(),
            config: pda::config(),
            mint_authority: pda::mint_authority(),
            dn_mint,
            foundation_owner,
            foundation: associated_token_address(&foundation_owner, &dn_mint, &token_program),
            token_program,
            associated_token_program: ASSOCIATED_TOKEN_PROGRAM,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::InitializeWithNewMint { args, decimals },
    )
}

/// The associated token account of `owner` for `mint` under `token_program`.
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[owner.as_ref(), token_program.as_ref(), mint.as_ref()],
        &ASSOCIATED_TOKEN_PROGRAM,
    )
    .0
}

/// `update_bounds`.
pub fn update_bounds(authority: Pubkey, bounds: Bounds) -> Instruction {
    build(
        acc::UpdateBounds {
            authority,
            config: pda::config(),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::UpdateBounds { bounds },
    )
}

/// `propose_authority`.
pub fn propose_authority(authority: Pubkey, new_authority: Option<Pubkey>) -> Instruction {
    build(
        acc::ProposeAuthority {
            authority,
            config: pda::config(),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::ProposeAuthority { new_authority },
    )
}

/// `accept_authority`.
pub fn accept_authority(new_authority: Pubkey) -> Instruction {
    build(
        acc::AcceptAuthority {
            new_authority,
            config: pda::config(),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::AcceptAuthority {},
    )
}

/// `set_paused`.
pub fn set_paused(authority: Pubkey, paused: bool) -> Instruction {
    build(
        acc::SetPaused {
            authority,
            config: pda::config(),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::SetPaused { paused },
    )
}

/// `set_foundation`: governance points the foundation share at `foundation` (a DN
/// token account).
pub fn set_foundation(authority: Pubkey, foundation: Pubkey) -> Instruction {
    build(
        acc::SetFoundation {
            authority,
            config: pda::config(),
            foundation,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::SetFoundation {},
    )
}

/// `create_domain`: `domain_id` is the config's current domain count.
pub fn create_domain(
    payer: Pubkey,
    owner: Pubkey,
    authority: Pubkey,
    domain_id: u64,
    revenue_mint: Pubkey,
    token_program: Pubkey,
    args: CreateDomainArgs,
) -> Instruction {
    let domain = pda::domain(domain_id);
    build(
        acc::CreateDomain {
            payer,
            owner,
            authority,
            config: pda::config(),
            domain,
            epoch: pda::epoch(&domain, 0),
            epoch_book: pda::epoch_book(&domain, 0),
            revenue_mint,
            vault_authority: pda::vault_authority(&domain),
            buyback_vault: pda::buyback_vault(&domain),
            token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::CreateDomain { args },
    )
}

/// `init_shard`.
pub fn init_shard(payer: Pubkey, d: &DomainKeys, shard: u8) -> Instruction {
    build(
        acc::InitShard {
            payer,
            domain: d.domain,
            vault_shard: pda::vault_shard(&d.domain, shard),
            vault: pda::vault(&d.domain, shard),
            epoch_shard: pda::epoch_shard(&d.domain, d.epoch, shard),
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            token_program: d.token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::InitShard { shard },
    )
}

/// `update_domain_settings`.
pub fn update_domain_settings(
    owner: Pubkey,
    domain: Pubkey,
    settings: DomainSettings,
) -> Instruction {
    build(
        acc::UpdateDomainSettings {
            owner,
            config: pda::config(),
            domain,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::UpdateDomainSettings { settings },
    )
}

/// `set_fee_authority`.
pub fn set_fee_authority(owner: Pubkey, domain: Pubkey, fee_authority: Pubkey) -> Instruction {
    build(
        acc::SetFeeAuthority {
            owner,
            domain,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::SetFeeAuthority { fee_authority },
    )
}

/// `mint_model`: `model_id` is the domain's current model count.
pub fn mint_model(
    owner: Pubkey,
    domain: Pubkey,
    model_id: u64,
    owner_share_bps: u16,
) -> Instruction {
    build(
        acc::MintModel {
            owner,
            config: pda::config(),
            domain,
            model: pda::model(&domain, model_id),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::MintModel { owner_share_bps },
    )
}

/// `propose_model_owner`.
pub fn propose_model_owner(owner: Pubkey, model: Pubkey, new_owner: Option<Pubkey>) -> Instruction {
    build(
        acc::ProposeModelOwner {
            owner,
            model,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::ProposeModelOwner { new_owner },
    )
}

/// `accept_model_owner`.
pub fn accept_model_owner(new_owner: Pubkey, model: Pubkey) -> Instruction {
    build(
        acc::AcceptModelOwner {
            new_owner,
            model,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::AcceptModelOwner {},
    )
}

/// `deactivate_model`.
pub fn deactivate_model(owner: Pubkey, model: Pubkey) -> Instruction {
    build(
        acc::DeactivateModel {
            owner,
            model,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::DeactivateModel {},
    )
}

/// `claim_model_revenue` from one shard.
pub fn claim_model_revenue(
    d: &DomainKeys,
    owner: Pubkey,
    model: Pubkey,
    destination: Pubkey,
    shard: u8,
) -> Instruction {
    build(
        acc::ClaimModelRevenue {
            owner,
            model,
            domain: d.domain,
            vault_shard: pda::vault_shard(&d.domain, shard),
            vault: pda::vault(&d.domain, shard),
            destination,
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            token_program: d.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::ClaimModelRevenue { shard },
    )
}

/// Marks the revenue mint writable when it is DN (the buyback share is burned).
fn mint_writable_if_dn(mut ix: Instruction, d: &DomainKeys) -> Instruction {
    if d.is_dn {
        for meta in ix.accounts.iter_mut() {
            if meta.pubkey == d.revenue_mint {
                meta.is_writable = true;
            }
        }
    }
    ix
}

/// `pay`: a consumer pays `amount` for `model` through `shard`.
pub fn pay(
    d: &DomainKeys,
    payer: Pubkey,
    payer_token: Pubkey,
    model: Pubkey,
    shard: u8,
    amount: u64,
    usage_units: u64,
) -> Instruction {
    let ix = build(
        acc::Pay {
            payer,
            payer_token,
            config: pda::config(),
            domain: d.domain,
            epoch_shard: pda::epoch_shard(&d.domain, d.epoch, shard),
            vault_shard: pda::vault_shard(&d.domain, shard),
            vault: pda::vault(&d.domain, shard),
            model,
            model_epoch: pda::model_epoch(&model, d.epoch),
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            token_program: d.token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::Pay {
            shard,
            amount,
            usage_units,
        },
    );
    mint_writable_if_dn(ix, d)
}

/// One line of a batch as the SDK takes it.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    /// Model paid for.
    pub model: Pubkey,
    /// Amount.
    pub amount: u64,
    /// Usage units.
    pub usage_units: u64,
}

/// `pay_batch`: the processor settles `lines` through `shard`.
pub fn pay_batch(
    d: &DomainKeys,
    processor: Pubkey,
    processor_token: Pubkey,
    shard: u8,
    lines: &[Line],
) -> Instruction {
    let mut ix = build(
        acc::PayBatch {
            processor,
            processor_token,
            config: pda::config(),
            domain: d.domain,
            epoch_shard: pda::epoch_shard(&d.domain, d.epoch, shard),
            vault_shard: pda::vault_shard(&d.domain, shard),
            vault: pda::vault(&d.domain, shard),
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            token_program: d.token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::PayBatch {
            shard,
            lines: lines
                .iter()
                .map(|l| BatchLine {
                    amount: l.amount,
                    usage_units: l.usage_units,
                })
                .collect(),
        },
    );
    for l in lines {
        let record = pda::model_epoch(&l.model, d.epoch);
        ix.accounts
            .extend(item(&layouts::PAY_BATCH, [l.model, record]));
    }
    mint_writable_if_dn(ix, d)
}

/// `withdraw_fees` from one shard.
pub fn withdraw_fees(
    d: &DomainKeys,
    fee_authority: Pubkey,
    destination: Pubkey,
    shard: u8,
) -> Instruction {
    build(
        acc::WithdrawFees {
            fee_authority,
            domain: d.domain,
            vault_shard: pda::vault_shard(&d.domain, shard),
            vault: pda::vault(&d.domain, shard),
            destination,
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            token_program: d.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::WithdrawFees { shard },
    )
}

/// `set_auction_params`.
pub fn set_auction_params(
    payer: Pubkey,
    authority: Pubkey,
    domain: Pubkey,
    duration_secs: u32,
    floor_price_e9: u64,
    reference_price_e9: u64,
) -> Instruction {
    build(
        acc::SetAuctionParams {
            payer,
            authority,
            config: pda::config(),
            domain,
            auction: pda::auction(&domain),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::SetAuctionParams {
            duration_secs,
            floor_price_e9,
            reference_price_e9,
        },
    )
}

/// `fund_auction` from one shard.
pub fn fund_auction(d: &DomainKeys, shard: u8) -> Instruction {
    build(
        acc::FundAuction {
            domain: d.domain,
            auction: pda::auction(&d.domain),
            vault_shard: pda::vault_shard(&d.domain, shard),
            vault: pda::vault(&d.domain, shard),
            buyback_vault: pda::buyback_vault(&d.domain),
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            token_program: d.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::FundAuction { shard },
    )
}

/// The DN side of a purchase.
#[derive(Clone, Copy, Debug)]
pub struct DnKeys {
    /// DN mint.
    pub mint: Pubkey,
    /// DN token program.
    pub token_program: Pubkey,
}

/// `buy_back`: buy `quantity` at most at `max_price_e9`.
pub fn buy_back(
    d: &DomainKeys,
    dn: &DnKeys,
    buyer: Pubkey,
    buyer_dn: Pubkey,
    buyer_revenue: Pubkey,
    quantity: u64,
    max_price_e9: u64,
) -> Instruction {
    build(
        acc::BuyBack {
            buyer,
            config: pda::config(),
            domain: d.domain,
            auction: pda::auction(&d.domain),
            book: pda::epoch_book(&d.domain, d.epoch),
            buyback_vault: pda::buyback_vault(&d.domain),
            offset_reserve: pda::offset_reserve(&d.domain),
            buyer_dn,
            buyer_revenue,
            dn_mint: dn.mint,
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            dn_token_program: dn.token_program,
            revenue_token_program: d.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::BuyBack {
            quantity,
            max_price_e9,
        },
    )
}

/// `init_stake_pool`: create a domain's stake pool, its two vaults and its offset
/// reserve (anyone).
pub fn init_stake_pool(payer: Pubkey, d: &DomainKeys, dn: &DnKeys) -> Instruction {
    build(
        acc::InitStakePool {
            payer,
            config: pda::config(),
            domain: d.domain,
            stake_pool: pda::stake_pool(&d.domain),
            stake_vault: pda::stake_vault(&d.domain),
            reward_vault: pda::stake_reward_vault(&d.domain),
            offset_reserve: pda::offset_reserve(&d.domain),
            dn_mint: dn.mint,
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            dn_token_program: dn.token_program,
            revenue_token_program: d.token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::InitStakePool {},
    )
}

/// `open_stake_position`: the staker's empty position in a domain.
pub fn open_stake_position(owner: Pubkey, domain: Pubkey) -> Instruction {
    build(
        acc::OpenStakePosition {
            owner,
            domain,
            stake_pool: pda::stake_pool(&domain),
            position: pda::stake_position(&domain, &owner),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::OpenStakePosition {},
    )
}

/// The accounts of a staker's position: `change_epoch` is the position's stored
/// `change_epoch` (read it from the position account).
#[derive(Clone, Copy, Debug)]
pub struct StakerKeys {
    /// The staker.
    pub owner: Pubkey,
    /// The staker's DN token account.
    pub owner_dn: Pubkey,
    /// The position's `change_epoch`.
    pub change_epoch: u64,
}

/// `stake`: stake `amount` DN (active from the next epoch).
pub fn stake(domain: Pubkey, dn: &DnKeys, s: &StakerKeys, amount: u64) -> Instruction {
    let accounts = acc::Stake {
        owner: s.owner,
        config: pda::config(),
        domain,
        stake_pool: pda::stake_pool(&domain),
        position: pda::stake_position(&domain, &s.owner),
        change_epoch: pda::epoch(&domain, s.change_epoch),
        owner_dn: s.owner_dn,
        stake_vault: pda::stake_vault(&domain),
        dn_mint: dn.mint,
        vault_authority: pda::vault_authority(&domain),
        dn_token_program: dn.token_program,
        event_authority: pda::event_authority(),
        program: deepnode::ID,
    };
    build(accounts, data::Stake { amount })
}

/// `request_unstake`: request `amount` of active stake out during the open epoch
/// `open_epoch`, into that epoch's unstake ticket.
pub fn request_unstake(
    domain: Pubkey,
    s: &StakerKeys,
    open_epoch: u64,
    amount: u64,
) -> Instruction {
    let position = pda::stake_position(&domain, &s.owner);
    build(
        acc::RequestUnstake {
            owner: s.owner,
            domain,
            stake_pool: pda::stake_pool(&domain),
            position,
            change_epoch: pda::epoch(&domain, s.change_epoch),
            ticket: pda::unstake_ticket(&position, open_epoch),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::RequestUnstake { amount },
    )
}

/// An unstake ticket's epochs: `epoch` (the request) and `pending_epoch`, both read from
/// the ticket account.
#[derive(Clone, Copy, Debug)]
pub struct TicketKeys {
    /// The ticket's request epoch.
    pub epoch: u64,
    /// The ticket's `pending_epoch`.
    pub pending_epoch: u64,
}

/// `withdraw_stake`: withdraw a ticket's unbonded stake and credit its settled rewards.
pub fn withdraw_stake(domain: Pubkey, dn: &DnKeys, s: &StakerKeys, t: TicketKeys) -> Instruction {
    let position = pda::stake_position(&domain, &s.owner);
    build(
        acc::WithdrawStake {
            owner: s.owner,
            config: pda::config(),
            domain,
            stake_pool: pda::stake_pool(&domain),
            position,
            ticket: pda::unstake_ticket(&position, t.epoch),
            request_epoch: pda::epoch(&domain, t.epoch),
            start_epoch: pda::epoch(&domain, t.pending_epoch),
            owner_dn: s.owner_dn,
            stake_vault: pda::stake_vault(&domain),
            dn_mint: dn.mint,
            vault_authority: pda::vault_authority(&domain),
            dn_token_program: dn.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::WithdrawStake {},
    )
}

/// `claim_stake_rewards`: pull accrued DN and revenue-token rewards.
pub fn claim_stake_rewards(
    d: &DomainKeys,
    dn: &DnKeys,
    s: &StakerKeys,
    owner_revenue: Pubkey,
) -> Instruction {
    build(
        acc::ClaimStakeRewards {
            owner: s.owner,
            config: pda::config(),
            domain: d.domain,
            stake_pool: pda::stake_pool(&d.domain),
            position: pda::stake_position(&d.domain, &s.owner),
            change_epoch: pda::epoch(&d.domain, s.change_epoch),
            stake_vault: pda::stake_vault(&d.domain),
            reward_vault: pda::stake_reward_vault(&d.domain),
            owner_dn: s.owner_dn,
            owner_revenue,
            dn_mint: dn.mint,
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            dn_token_program: dn.token_program,
            revenue_token_program: d.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::ClaimStakeRewards {},
    )
}

/// `register_miner`: register `authority` as a miner of `domain`.
pub fn register_miner(authority: Pubkey, domain: Pubkey) -> Instruction {
    build(
        acc::RegisterMiner {
            authority,
            config: pda::config(),
            domain,
            miner: pda::miner(&domain, &authority),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::RegisterMiner {},
    )
}

/// `deregister_miner`: the miner leaves `domain`.
pub fn deregister_miner(authority: Pubkey, domain: Pubkey) -> Instruction {
    build(
        acc::DeregisterMiner {
            authority,
            domain,
            miner: pda::miner(&domain, &authority),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::DeregisterMiner {},
    )
}

/// `register_validator`: register `authority` (a staker of `domain`) as a validator.
pub fn register_validator(authority: Pubkey, domain: Pubkey) -> Instruction {
    register_validator_displacing(authority, domain, None)
}

/// `register_validator` when the set is full: `authority` takes the place of the
/// validator `displaced` (its key), which must hold less stake in the next epoch (§7).
/// With `None`, a plain registration.
pub fn register_validator_displacing(
    authority: Pubkey,
    domain: Pubkey,
    displaced: Option<Pubkey>,
) -> Instruction {
    build(
        acc::RegisterValidator {
            authority,
            config: pda::config(),
            domain,
            validator: pda::validator(&domain, &authority),
            position: pda::stake_position(&domain, &authority),
            stake_pool: pda::stake_pool(&domain),
            system_program: system_program::ID,
            displaced: displaced.map(|d| pda::validator(&domain, &d)),
            displaced_position: displaced.map(|d| pda::stake_position(&domain, &d)),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::RegisterValidator {},
    )
}

/// `deregister_validator`: `caller` deregisters the validator `authority`.
pub fn deregister_validator(caller: Pubkey, domain: Pubkey, authority: Pubkey) -> Instruction {
    build(
        acc::DeregisterValidator {
            caller,
            domain,
            validator: pda::validator(&domain, &authority),
            position: pda::stake_position(&domain, &authority),
            stake_pool: pda::stake_pool(&domain),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::DeregisterValidator {},
    )
}

/// One attestation line: the miner's key (not its PDA), the units, and whether it
/// revises the validator's earlier attestation.
#[derive(Clone, Copy, Debug)]
pub struct Attestation {
    /// The miner's key.
    pub miner: Pubkey,
    /// Work units.
    pub units: u64,
    /// Revise instead of adding.
    pub revise: bool,
}

/// `attest`: the validator `authority` attests miners' work for epoch `epoch`. Lines are
/// sorted by miner PDA here, as the program requires.
pub fn attest(authority: Pubkey, domain: Pubkey, epoch: u64, lines: &[Attestation]) -> Instruction {
    let mut sorted: Vec<(Pubkey, &Attestation)> = lines
        .iter()
        .map(|l| (pda::miner(&domain, &l.miner), l))
        .collect();
    sorted.sort_by_key(|(m, _)| *m);
    attest_in_order(authority, domain, epoch, &sorted)
}

/// `attest` with lines exactly in the given order of miner PDAs (tests of the order
/// check use it).
pub fn attest_in_order(
    authority: Pubkey,
    domain: Pubkey,
    epoch: u64,
    lines: &[(Pubkey, &Attestation)],
) -> Instruction {
    let mut ix = build(
        acc::Attest {
            authority,
            config: pda::config(),
            domain,
            epoch: pda::epoch(&domain, epoch),
            book: pda::epoch_book(&domain, epoch),
            validator: pda::validator(&domain, &authority),
            position: pda::stake_position(&domain, &authority),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::Attest {
            epoch_index: epoch,
            lines: lines
                .iter()
                .map(|(_, l)| AttestLine {
                    units: l.units,
                    revise: l.revise,
                })
                .collect(),
        },
    );
    for (miner, _) in lines {
        let record = pda::work_record(miner, epoch);
        ix.accounts.extend(item(&layouts::ATTEST, [*miner, record]));
    }
    ix
}

/// `commit_attestations`: the validator `authority` commits, for epoch `epoch`, to
/// `batches` batches whose Merkle root is `root` ([`crate::commit::Batches`]).
pub fn commit_attestations(
    authority: Pubkey,
    domain: Pubkey,
    epoch: u64,
    root: [u8; 32],
    batches: u32,
) -> Instruction {
    build(
        acc::CommitAttestations {
            authority,
            config: pda::config(),
            domain,
            epoch: pda::epoch(&domain, epoch),
            validator: pda::validator(&domain, &authority),
            position: pda::stake_position(&domain, &authority),
            commitment: pda::commitment(&domain, &authority, epoch),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::CommitAttestations {
            epoch_index: epoch,
            root,
            batches,
        },
    )
}

/// One batch to reveal ([`crate::commit::Batches::reveal`]): its index, salt and Merkle
/// path, and its lines in the order committed (miners' PDAs sorted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reveal {
    /// The batch's index among the committed ones.
    pub batch: u32,
    /// Its salt.
    pub salt: [u8; 32],
    /// Its Merkle path.
    pub path: Vec<[u8; 32]>,
    /// Its lines: each miner's PDA and the units attested.
    pub lines: Vec<(Pubkey, u64)>,
}

/// `reveal_attestations`: `caller` (anyone, paying the rent of new records) reveals a
/// batch of the validator `validator`'s commitment for epoch `epoch`.
pub fn reveal_attestations(
    caller: Pubkey,
    domain: Pubkey,
    validator: Pubkey,
    epoch: u64,
    r: &Reveal,
) -> Instruction {
    let mut ix = build(
        acc::RevealAttestations {
            caller,
            config: pda::config(),
            domain,
            epoch: pda::epoch(&domain, epoch),
            book: pda::epoch_book(&domain, epoch),
            validator: pda::validator(&domain, &validator),
            position: pda::stake_position(&domain, &validator),
            commitment: pda::commitment(&domain, &validator, epoch),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::RevealAttestations {
            epoch_index: epoch,
            batch: r.batch,
            salt: r.salt,
            path: r.path.clone(),
            lines: r
                .lines
                .iter()
                .map(|(_, units)| AttestLine {
                    units: *units,
                    revise: false,
                })
                .collect(),
        },
    );
    for (miner, _) in &r.lines {
        let record = pda::work_record(miner, epoch);
        ix.accounts.extend(item(&layouts::ATTEST, [*miner, record]));
    }
    ix
}

/// `close_epoch`: close the domain's open epoch `d.epoch` and open the next, creating
/// the next epoch's counters for the first `shards_ready` shards.
pub fn close_epoch(caller: Pubkey, d: &DomainKeys, shards_ready: u8) -> Instruction {
    let next = d.epoch + 1;
    let mut ix = build(
        acc::CloseEpoch {
            caller,
            config: pda::config(),
            domain: d.domain,
            epoch: pda::epoch(&d.domain, d.epoch),
            next_epoch: pda::epoch(&d.domain, next),
            next_book: pda::epoch_book(&d.domain, next),
            stake_pool: pda::stake_pool(&d.domain),
            auction: pda::auction(&d.domain),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::CloseEpoch {},
    );
    for shard in 0..shards_ready {
        let counter = pda::epoch_shard(&d.domain, next, shard);
        ix.accounts.extend(item(&layouts::CLOSE_EPOCH, [counter]));
    }
    ix
}

/// `finalise_work`: finalise quorate work records of closed epoch `epoch` (the records'
/// addresses are sorted here, as the program requires).
pub fn finalise_work(
    caller: Pubkey,
    domain: Pubkey,
    epoch: u64,
    records: &[Pubkey],
) -> Instruction {
    let mut ix = build(
        acc::FinaliseWork {
            caller,
            domain,
            epoch: pda::epoch(&domain, epoch),
            book: pda::epoch_book(&domain, epoch),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::FinaliseWork {},
    );
    let mut sorted = records.to_vec();
    sorted.sort();
    for record in sorted {
        ix.accounts.extend(item(&layouts::FINALISE_WORK, [record]));
    }
    ix
}

/// Everything `settle_epoch` needs to know beyond the domain's keys.
#[derive(Clone, Copy, Debug)]
pub struct SettleKeys {
    /// The epoch to settle.
    pub epoch: u64,
    /// Its cap period index (`end_ts / period_secs`).
    pub period: u64,
}

impl SettleKeys {
    /// The settle keys of closed epoch `e`: its cap period from its end and the period
    /// length it recorded when it closed (`deepnode_math::cap_period`, as the program
    /// computes it).
    pub fn of(e: &Epoch) -> Result<Self, deepnode_math::MathError> {
        Ok(SettleKeys {
            epoch: e.index,
            period: deepnode_math::cap_period(e.end_ts, e.closed_with.period_secs)?,
        })
    }
}

/// `fund_reward_vault`: move the pool shares of `shards` of closed epoch `epoch` into the
/// reward vault (shards in increasing order, as the program requires).
pub fn fund_reward_vault(caller: Pubkey, d: &DomainKeys, epoch: u64, shards: &[u8]) -> Instruction {
    let mut ix = build(
        acc::FundRewardVault {
            caller,
            domain: d.domain,
            epoch: pda::epoch(&d.domain, epoch),
            book: pda::epoch_book(&d.domain, epoch),
            stake_pool: pda::stake_pool(&d.domain),
            reward_vault: pda::stake_reward_vault(&d.domain),
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            revenue_token_program: d.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::FundRewardVault {},
    );
    let mut sorted = shards.to_vec();
    sorted.sort_unstable();
    for shard in sorted {
        ix.accounts.extend(item(
            &layouts::FUND_REWARD_VAULT,
            [
                pda::epoch_shard(&d.domain, epoch, shard),
                pda::vault_shard(&d.domain, shard),
                pda::vault(&d.domain, shard),
            ],
        ));
    }
    ix
}

/// `settle_epoch`: settle an epoch; the caller is credited the keeper tip.
pub fn settle_epoch(caller: Pubkey, d: &DomainKeys, dn: &DnKeys, k: SettleKeys) -> Instruction {
    build(
        acc::SettleEpoch {
            caller,
            config: pda::config(),
            domain: d.domain,
            epoch: pda::epoch(&d.domain, k.epoch),
            book: pda::epoch_book(&d.domain, k.epoch),
            next_book: pda::epoch_book(&d.domain, k.epoch + 1),
            stake_pool: pda::stake_pool(&d.domain),
            period: pda::period(k.period),
            keeper_reward: pda::reward(&d.domain, &caller),
            dn_mint: dn.mint,
            mint_authority: pda::mint_authority(),
            stake_vault: pda::stake_vault(&d.domain),
            auction: pda::auction(&d.domain),
            offset_reserve: pda::offset_reserve(&d.domain),
            reward_vault: pda::stake_reward_vault(&d.domain),
            buyback_vault: pda::buyback_vault(&d.domain),
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            dn_token_program: dn.token_program,
            revenue_token_program: d.token_program,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::SettleEpoch {},
    )
}

/// One payout to credit, with the accounts that prove it.
#[derive(Clone, Copy, Debug)]
pub enum CreditLine {
    /// A miner's verified work: its key and its work record's rent payer.
    Miner {
        /// The miner's key.
        authority: Pubkey,
        /// Who paid the work record's rent (its first attesting validator).
        rent_payer: Pubkey,
    },
    /// A validator's agreeing attestations.
    Validator {
        /// The validator's key.
        authority: Pubkey,
    },
    /// A model owner's share of the model owners' pool.
    ModelOwner {
        /// The model.
        model: Pubkey,
        /// Its owner (the recipient).
        owner: Pubkey,
        /// Who paid the model epoch record's rent.
        rent_payer: Pubkey,
    },
    /// The domain owner's pools.
    DomainOwner {
        /// The domain owner.
        owner: Pubkey,
    },
    /// The foundation's pools.
    Foundation {
        /// The foundation's DN account (the config's).
        account: Pubkey,
        /// Its owner (the recipient).
        owner: Pubkey,
    },
}

impl CreditLine {
    /// The program's role tag of this line.
    pub fn role(&self) -> deepnode::events::CreditRole {
        use deepnode::events::CreditRole as R;
        match self {
            CreditLine::Miner { .. } => R::Miner,
            CreditLine::Validator { .. } => R::Validator,
            CreditLine::ModelOwner { .. } => R::ModelOwner,
            CreditLine::DomainOwner { .. } => R::DomainOwner,
            CreditLine::Foundation { .. } => R::Foundation,
        }
    }

    /// The address that orders lines of the same kind (the record's), if any.
    fn record(&self, domain: &Pubkey, epoch: u64) -> Option<Pubkey> {
        match self {
            CreditLine::Miner { authority, .. } => {
                Some(pda::work_record(&pda::miner(domain, authority), epoch))
            }
            CreditLine::ModelOwner { model, .. } => Some(pda::model_epoch(model, epoch)),
            _ => None,
        }
    }

    fn accounts(&self, domain: &Pubkey, epoch: u64) -> Vec<AccountMeta> {
        let layout = layouts::credit(self.role());
        let reward = |r: &Pubkey| pda::reward(domain, r);
        match self {
            CreditLine::Miner {
                authority,
                rent_payer,
            } => {
                let miner = pda::miner(domain, authority);
                let record = pda::work_record(&miner, epoch);
                item(layout, [record, miner, reward(authority), *rent_payer]).to_vec()
            }
            CreditLine::Validator { authority } => {
                let validator = pda::validator(domain, authority);
                item(layout, [validator, reward(authority)]).to_vec()
            }
            CreditLine::ModelOwner {
                model,
                owner,
                rent_payer,
            } => {
                let record = pda::model_epoch(model, epoch);
                item(layout, [record, *model, reward(owner), *rent_payer]).to_vec()
            }
            CreditLine::DomainOwner { owner } => item(layout, [reward(owner)]).to_vec(),
            CreditLine::Foundation { account, owner } => {
                item(layout, [*account, reward(owner)]).to_vec()
            }
        }
    }
}

/// `credit_payouts`: credit payouts of settled epoch `epoch` (lines of records are put in
/// increasing record order, as the program requires).
pub fn credit_payouts(
    caller: Pubkey,
    domain: Pubkey,
    epoch: u64,
    lines: &[CreditLine],
) -> Instruction {
    let mut sorted = lines.to_vec();
    sorted.sort_by_key(|l| l.record(&domain, epoch));
    let mut ix = build(
        acc::CreditPayouts {
            caller,
            config: pda::config(),
            domain,
            epoch: pda::epoch(&domain, epoch),
            book: pda::epoch_book(&domain, epoch),
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::CreditPayouts {
            lines: sorted.iter().map(CreditLine::role).collect(),
        },
    );
    for line in &sorted {
        ix.accounts.extend(line.accounts(&domain, epoch));
    }
    ix
}

/// One balance to pay out: the recipient and its DN and revenue-mint token accounts.
#[derive(Clone, Copy, Debug)]
pub struct ClaimLine {
    /// The recipient's wallet.
    pub recipient: Pubkey,
    /// Its DN account.
    pub dn_account: Pubkey,
    /// Its revenue-mint account.
    pub revenue_account: Pubkey,
}

/// `claim_rewards`: pay credited balances out (lines sorted by balance address here).
pub fn claim_rewards(
    caller: Pubkey,
    d: &DomainKeys,
    dn: &DnKeys,
    lines: &[ClaimLine],
) -> Instruction {
    let mut ix = build(
        acc::ClaimRewards {
            caller,
            config: pda::config(),
            domain: d.domain,
            stake_pool: pda::stake_pool(&d.domain),
            stake_vault: pda::stake_vault(&d.domain),
            reward_vault: pda::stake_reward_vault(&d.domain),
            dn_mint: dn.mint,
            revenue_mint: d.revenue_mint,
            vault_authority: pda::vault_authority(&d.domain),
            dn_token_program: dn.token_program,
            revenue_token_program: d.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::ClaimRewards {},
    );
    let mut sorted = lines.to_vec();
    sorted.sort_by_key(|l| pda::reward(&d.domain, &l.recipient));
    for l in sorted {
        let balance = pda::reward(&d.domain, &l.recipient);
        ix.accounts.extend(item(
            &layouts::CLAIM_REWARDS,
            [balance, l.dn_account, l.revenue_account],
        ));
    }
    ix
}

/// `sweep_epoch`: sweep expired epoch `epoch` into the open epoch `d.epoch`.
pub fn sweep_epoch(caller: Pubkey, d: &DomainKeys, dn: &DnKeys, epoch: u64) -> Instruction {
    build(
        acc::SweepEpoch {
            caller,
            config: pda::config(),
            domain: d.domain,
            epoch: pda::epoch(&d.domain, epoch),
            book: pda::epoch_book(&d.domain, epoch),
            open_book: pda::epoch_book(&d.domain, d.epoch),
            stake_pool: pda::stake_pool(&d.domain),
            dn_mint: dn.mint,
            stake_vault: pda::stake_vault(&d.domain),
            vault_authority: pda::vault_authority(&d.domain),
            dn_token_program: dn.token_program,
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::SweepEpoch {},
    )
}

/// `close_accounts`: close records of settled epoch `epoch`, each `(record, rent payer)`
/// (sorted by record address here).
pub fn close_accounts(
    caller: Pubkey,
    domain: Pubkey,
    epoch: u64,
    records: &[(Pubkey, Pubkey)],
) -> Instruction {
    let mut ix = build(
        acc::CloseAccounts {
            caller,
            domain,
            epoch: pda::epoch(&domain, epoch),
            book: pda::epoch_book(&domain, epoch),
            event_authority: pda::event_authority(),
            program: deepnode::ID,
        },
        data::CloseAccounts {},
    );
    let mut sorted = records.to_vec();
    sorted.sort();
    for (record, payer) in sorted {
        ix.accounts
            .extend(item(&layouts::CLOSE_ACCOUNTS, [record, payer]));
    }
    ix
}
