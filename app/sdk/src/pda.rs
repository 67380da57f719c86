//! Program-derived addresses, from the seeds in `deepnode::constants` (one place).
use anchor_lang::prelude::Pubkey;
use deepnode::constants::*;

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &deepnode::ID).0
}

/// The protocol config.
pub fn config() -> Pubkey {
    find(&[CONFIG_SEED])
}

/// The DN mint authority.
pub fn mint_authority() -> Pubkey {
    find(&[MINT_AUTHORITY_SEED])
}

/// Domain number `id`.
pub fn domain(id: u64) -> Pubkey {
    find(&[DOMAIN_SEED, &id.to_le_bytes()])
}

/// A domain's vault authority.
pub fn vault_authority(domain: &Pubkey) -> Pubkey {
    find(&[VAULT_AUTHORITY_SEED, domain.as_ref()])
}

/// A shard's ledger.
pub fn vault_shard(domain: &Pubkey, shard: u8) -> Pubkey {
    find(&[VAULT_SHARD_SEED, domain.as_ref(), &[shard]])
}

/// A shard's token account.
pub fn vault(domain: &Pubkey, shard: u8) -> Pubkey {
    find(&[VAULT_SEED, domain.as_ref(), &[shard]])
}

/// A domain's buyback vault.
pub fn buyback_vault(domain: &Pubkey) -> Pubkey {
    find(&[BUYBACK_VAULT_SEED, domain.as_ref()])
}

/// Epoch `epoch` of a domain.
pub fn epoch(domain: &Pubkey, epoch: u64) -> Pubkey {
    find(&[EPOCH_SEED, domain.as_ref(), &epoch.to_le_bytes()])
}

/// A shard's counter for one epoch.
pub fn epoch_shard(domain: &Pubkey, epoch: u64, shard: u8) -> Pubkey {
    find(&[
        EPOCH_SHARD_SEED,
        domain.as_ref(),
        &epoch.to_le_bytes(),
        &[shard],
    ])
}

/// Model number `id` of a domain.
pub fn model(domain: &Pubkey, id: u64) -> Pubkey {
    find(&[MODEL_SEED, domain.as_ref(), &id.to_le_bytes()])
}

/// A model's revenue record for one epoch.
pub fn model_epoch(model: &Pubkey, epoch: u64) -> Pubkey {
    find(&[MODEL_EPOCH_SEED, model.as_ref(), &epoch.to_le_bytes()])
}

/// A domain's buyback auction.
pub fn auction(domain: &Pubkey) -> Pubkey {
    find(&[AUCTION_SEED, domain.as_ref()])
}

/// A domain's stake pool.
pub fn stake_pool(domain: &Pubkey) -> Pubkey {
    find(&[STAKE_POOL_SEED, domain.as_ref()])
}

/// A domain's DN stake vault.
pub fn stake_vault(domain: &Pubkey) -> Pubkey {
    find(&[STAKE_VAULT_SEED, domain.as_ref()])
}

/// A domain's revenue reward vault for stakers.
pub fn stake_reward_vault(domain: &Pubkey) -> Pubkey {
    find(&[STAKE_REWARD_VAULT_SEED, domain.as_ref()])
}

/// A domain's offset reserve (DN token account, §14).
pub fn offset_reserve(domain: &Pubkey) -> Pubkey {
    find(&[OFFSET_RESERVE_SEED, domain.as_ref()])
}

/// A staker's position in a domain.
pub fn stake_position(domain: &Pubkey, owner: &Pubkey) -> Pubkey {
    find(&[STAKE_POSITION_SEED, domain.as_ref(), owner.as_ref()])
}

/// A position's unstake ticket for the stake it requested out in `epoch`.
pub fn unstake_ticket(position: &Pubkey, epoch: u64) -> Pubkey {
    find(&[UNSTAKE_TICKET_SEED, position.as_ref(), &epoch.to_le_bytes()])
}

/// A miner of a domain.
pub fn miner(domain: &Pubkey, authority: &Pubkey) -> Pubkey {
    find(&[MINER_SEED, domain.as_ref(), authority.as_ref()])
}

/// A validator of a domain.
pub fn validator(domain: &Pubkey, authority: &Pubkey) -> Pubkey {
    find(&[VALIDATOR_SEED, domain.as_ref(), authority.as_ref()])
}

/// A miner's work record for one epoch (`miner` is the miner's PDA).
pub fn work_record(miner: &Pubkey, epoch: u64) -> Pubkey {
    find(&[WORK_RECORD_SEED, miner.as_ref(), &epoch.to_le_bytes()])
}

/// The crank's book of one epoch of a domain.
pub fn epoch_book(domain: &Pubkey, epoch: u64) -> Pubkey {
    find(&[EPOCH_BOOK_SEED, domain.as_ref(), &epoch.to_le_bytes()])
}

/// A recipient's credited balance in a domain.
pub fn reward(domain: &Pubkey, recipient: &Pubkey) -> Pubkey {
    find(&[REWARD_SEED, domain.as_ref(), recipient.as_ref()])
}

/// A validator's commit-reveal commitment for one epoch (`validator` is its key).
pub fn commitment(domain: &Pubkey, validator: &Pubkey, epoch: u64) -> Pubkey {
    find(&[
        COMMITMENT_SEED,
        domain.as_ref(),
        validator.as_ref(),
        &epoch.to_le_bytes(),
    ])
}

/// The global cap's period account for index `index` (`end_ts / period_secs`).
pub fn period(index: u64) -> Pubkey {
    find(&[PERIOD_SEED, &index.to_le_bytes()])
}

/// The self-CPI event authority of `emit_cpi!`.
pub fn event_authority() -> Pubkey {
    find(&[b"__event_authority"])
}

/// The program's ProgramData account under the upgradeable loader.
pub fn program_data() -> Pubkey {
    Pubkey::find_program_address(
        &[deepnode::ID.as_ref()],
        &anchor_lang::solana_program::bpf_loader_upgradeable::ID,
    )
    .0
}
