//! Seeds, limits and fixed shares. Every PDA of the program is listed here, with its
//! seeds, so that the program, the SDK helpers and the tests derive addresses from one
//! place (STYLE.md habit 13). Seeds start with a type prefix and contain only
//! fixed-length parts (SECURITY.md B1).
use anchor_lang::prelude::*;

/// `[CONFIG_SEED]`: the protocol's single [`crate::state::Config`].
#[constant]
pub const CONFIG_SEED: &[u8] = b"config";
/// `[MINT_AUTHORITY_SEED]`: the DN mint authority (no data, signs mints).
#[constant]
pub const MINT_AUTHORITY_SEED: &[u8] = b"mint_authority";
/// `[DOMAIN_SEED, domain_id.to_le_bytes()]`: a [`crate::state::Domain`].
#[constant]
pub const DOMAIN_SEED: &[u8] = b"domain";
/// `[VAULT_AUTHORITY_SEED, domain]`: owner of every token vault of one domain (B3).
#[constant]
pub const VAULT_AUTHORITY_SEED: &[u8] = b"vault_authority";
/// `[VAULT_SHARD_SEED, domain, [shard]]`: a [`crate::state::VaultShard`] ledger.
#[constant]
pub const VAULT_SHARD_SEED: &[u8] = b"vault_shard";
/// `[VAULT_SEED, domain, [shard]]`: the revenue token account of one shard.
#[constant]
pub const VAULT_SEED: &[u8] = b"vault";
/// `[BUYBACK_VAULT_SEED, domain]`: the domain's buyback token account.
#[constant]
pub const BUYBACK_VAULT_SEED: &[u8] = b"buyback_vault";
/// `[EPOCH_SEED, domain, epoch.to_le_bytes()]`: an [`crate::state::Epoch`].
#[constant]
pub const EPOCH_SEED: &[u8] = b"epoch";
/// `[EPOCH_SHARD_SEED, domain, epoch.to_le_bytes(), [shard]]`: an [`crate::state::EpochShard`].
#[constant]
pub const EPOCH_SHARD_SEED: &[u8] = b"epoch_shard";
/// `[MODEL_SEED, domain, model_id.to_le_bytes()]`: a [`crate::state::Model`].
#[constant]
pub const MODEL_SEED: &[u8] = b"model";
/// `[MODEL_EPOCH_SEED, model, epoch.to_le_bytes()]`: a [`crate::state::ModelEpoch`].
#[constant]
pub const MODEL_EPOCH_SEED: &[u8] = b"model_epoch";
/// `[AUCTION_SEED, domain]`: the domain's [`crate::state::Auction`].
#[constant]
pub const AUCTION_SEED: &[u8] = b"auction";
/// `[STAKE_POOL_SEED, domain]`: a domain's [`crate::state::StakePool`].
#[constant]
pub const STAKE_POOL_SEED: &[u8] = b"stake_pool";
/// `[STAKE_VAULT_SEED, domain]`: the DN token account holding stake and DN rewards.
#[constant]
pub const STAKE_VAULT_SEED: &[u8] = b"stake_vault";
/// `[STAKE_REWARD_VAULT_SEED, domain]`: the revenue token account of stakers' rewards.
#[constant]
pub const STAKE_REWARD_VAULT_SEED: &[u8] = b"stake_reward_vault";
/// `[OFFSET_RESERVE_SEED, domain]`: the DN token account of the domain's offset reserve
/// (PROTOCOL.md §14): DN paid for offset stock, paid out to the roles before any mint.
#[constant]
pub const OFFSET_RESERVE_SEED: &[u8] = b"offset_reserve";
/// `[STAKE_POSITION_SEED, domain, owner]`: a [`crate::state::StakePosition`].
#[constant]
pub const STAKE_POSITION_SEED: &[u8] = b"stake_position";
/// `[MINER_SEED, domain, authority]`: a [`crate::state::Miner`].
#[constant]
pub const MINER_SEED: &[u8] = b"miner";
/// `[VALIDATOR_SEED, domain, authority]`: a [`crate::state::Validator`].
#[constant]
pub const VALIDATOR_SEED: &[u8] = b"validator";
/// `[WORK_RECORD_SEED, miner, epoch.to_le_bytes()]`: a [`crate::state::WorkRecord`]
/// (`miner` is the miner's PDA).
#[constant]
pub const WORK_RECORD_SEED: &[u8] = b"work_record";
/// `[UNSTAKE_TICKET_SEED, position, epoch.to_le_bytes()]`: an
/// [`crate::state::UnstakeTicket`] for the stake a position requested out in `epoch`.
#[constant]
pub const UNSTAKE_TICKET_SEED: &[u8] = b"unstake_ticket";
/// `[EPOCH_BOOK_SEED, domain, epoch.to_le_bytes()]`: an [`crate::state::EpochBook`].
#[constant]
pub const EPOCH_BOOK_SEED: &[u8] = b"epoch_book";
/// `[REWARD_SEED, domain, recipient]`: a [`crate::state::RewardBalance`].
#[constant]
pub const REWARD_SEED: &[u8] = b"reward";
/// `[PERIOD_SEED, index.to_le_bytes()]`: an [`crate::state::EmissionPeriod`].
#[constant]
pub const PERIOD_SEED: &[u8] = b"period";
/// `[COMMITMENT_SEED, domain, validator, epoch.to_le_bytes()]`: a
/// [`crate::state::Commitment`] (`validator` is the validator's key).
#[constant]
pub const COMMITMENT_SEED: &[u8] = b"commitment";

/// Parts of ten thousand.
pub const BPS: u16 = 10_000;
/// Fixed buyback-and-burn share of every payment.
pub const BUYBACK_BPS: u16 = deepnode_math::BUYBACK_BPS;
/// Fixed foundation share of every emission.
pub const FOUNDATION_BPS: u16 = deepnode_math::FOUNDATION_BPS;
/// Ceiling of any single emission role (miners, stakers, validators).
pub const MAX_ROLE_BPS: u16 = 9_900;
/// Ceiling of the domain owner's emission share.
pub const MAX_DOMAIN_OWNER_BPS: u16 = 1_000;
/// Hard limit on vault shards per domain (governance may set a lower bound).
pub const MAX_SHARDS: u8 = 16;
/// Hard limit on attestations kept per miner-epoch record, and so on every domain's
/// validator cap: every validator that votes in an epoch fits in each record.
pub const MAX_ATTESTATIONS: u16 = 16;
/// Most work units one validator attests for one miner in one epoch; bounds every
/// median so that no total of verified work can overflow (PROTOCOL.md §7).
pub const MAX_ATTESTED_UNITS: u64 = deepnode_math::MAX_ATTESTED_UNITS;
/// Hard limit on governance's longest unbonding period (epochs), so that no setting
/// can lock stake for good.
pub const MAX_UNBONDING_EPOCHS: u16 = 366;
/// Largest batch a payment processor may settle in one instruction (H2): 13 fixed
/// accounts plus two per line, and the compute-budget program every transaction names
/// for its compute-unit limit, stay within a transaction's 64 account locks. A legacy
/// transaction carries 7 lines; 25 need an address lookup table.
pub const MAX_BATCH_LINES: usize = 25;
/// Most attestation lines in one `attest` (H2): 9 fixed accounts plus two per line
/// (miner, work record), and the compute-budget program, stay within a transaction's 64
/// account locks.
pub const MAX_ATTEST_LINES: usize = 26;
/// Most work records in one `finalise_work` (H2): 5 fixed accounts, a fee payer and the
/// records stay within a transaction's 64 account locks. Compute is not what binds:
/// 48 records of 16 attestations each measured 395,086 CU on the `.so` (README).
pub const MAX_FINALISE_RECORDS: usize = 56;
/// Most lines in one `credit_payouts` (H2): 7 fixed accounts and at most 4 per line, and the
/// compute-budget program, stay within a transaction's 64 account locks.
pub const MAX_CREDIT_LINES: usize = 13;
/// Most lines in one `claim_rewards` (H2): 13 fixed accounts and 3 per line within 64 locks.
pub const MAX_CLAIM_LINES: usize = 16;
/// Most (record, rent payer) pairs in one `close_accounts` (H2): 5 fixed accounts and 2
/// per pair within 64 locks.
pub const MAX_CLOSE_ACCOUNTS: usize = 24;
/// Most levels of a commitment's Merkle path (§7): 2^20 batches of a validator in one
/// epoch, far above anything a domain of 2^32 miners needs.
pub const MAX_MERKLE_DEPTH: usize = 20;
/// Most revenue one shard records in one epoch (§10): the epoch's revenue, summed over
/// at most `MAX_SHARDS` shards at settlement, then fits a u64. About 1.15e18 base units
/// (1.15e12 tokens of a 6-decimal mint) per shard and epoch.
pub const MAX_SHARD_EPOCH_REVENUE: u64 = u64::MAX / MAX_SHARDS as u64;
/// Smallest payment accepted, so every payment burns at least one unit (E3).
pub const MIN_PAYMENT: u64 = deepnode_math::MIN_PAYMENT;
/// Layout version written into every account this program creates.
pub const ACCOUNT_VERSION: u8 = 1;

/// Seed of Anchor's event-authority PDA, which signs the event self-CPI.
pub const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";

/// The config PDA (`[CONFIG_SEED]`), as a constant: comparing an address costs nothing,
/// deriving it costs 1,500 CU. A unit test checks it against the derivation.
pub const CONFIG_ADDRESS: Pubkey =
    anchor_lang::pubkey!("7iDQkFy22RitQUTmGSXrffFXeTAsshNdFbsbLHsT6qLe");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_address_is_the_config_pda() {
        let (pda, _) = Pubkey::find_program_address(&[CONFIG_SEED], &crate::ID);
        assert_eq!(CONFIG_ADDRESS, pda);
    }
}
