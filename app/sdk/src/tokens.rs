//! SPL Token and Token-2022 helpers the clients need around the program: instructions
//! that create a mint (optionally with a transfer fee) or a token account, mint, and hand
//! a mint's authority over; readers of a token account's balance, a mint's supply and
//! an account's owner. Lengths and rent come from the token program's own state types.
use anchor_spl::token_2022::spl_token_2022;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use spl_token_2022::extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions};
use spl_token_2022::instruction as token_ix;
use spl_token_2022::state::{Account as TokenState, Mint as MintState};

use crate::cluster::{Cluster, ClusterError};

/// SPL Token program id.
pub const TOKEN: Pubkey = anchor_spl::token::ID;
/// Token-2022 program id.
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;

/// Bytes of an SPL Token account.
pub const SPL_ACCOUNT_LEN: usize = 165;

/// A Token-2022 transfer fee: `bps` of each transfer, at most `max` base units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferFee {
    /// Fee in basis points.
    pub bps: u16,
    /// Largest fee of one transfer.
    pub max: u64,
}

/// Why a token helper could not build or read what was asked.
fn token_error(key: &Pubkey, what: &str, e: impl std::fmt::Display) -> ClusterError {
    ClusterError::Decode {
        key: *key,
        reason: format!("{what}: {e}"),
    }
}

/// Bytes of a mint with the given transfer fee (none: a plain mint).
pub fn mint_len(fee: Option<TransferFee>) -> Result<usize, ClusterError> {
    let kinds: &[ExtensionType] = match fee {
        Some(_) => &[ExtensionType::TransferFeeConfig],
        None => &[],
    };
    ExtensionType::try_calculate_account_len::<MintState>(kinds)
        .map_err(|e| token_error(&Pubkey::default(), "mint length", e))
}

/// Creates mint `mint` (a new keypair's key, which must sign) of `program` with
/// `decimals`, mint authority `authority`, no freeze authority and an optional
/// Token-2022 transfer fee whose authorities are `authority` too; `lamports` is the rent
/// of [`mint_len`].
pub fn create_mint(
    payer: &Pubkey,
    mint: &Pubkey,
    program: &Pubkey,
    decimals: u8,
    authority: &Pubkey,
    fee: Option<TransferFee>,
    lamports: u64,
) -> Result<Vec<Instruction>, ClusterError> {
    let len = mint_len(fee)? as u64;
    let mut ixs = vec![
        anchor_lang::solana_program::system_instruction::create_account(
            payer, mint, lamports, len, program,
        ),
    ];
    if let Some(f) = fee {
        if *program != TOKEN_2022 {
            return Err(token_error(
                mint,
                "transfer fee",
                "only Token-2022 mints have transfer fees",
            ));
        }
        ixs.push(
            spl_token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                program,
                mint,
                Some(authority),
                Some(authority),
                f.bps,
                f.max,
            )
            .map_err(|e| token_error(mint, "transfer fee", e))?,
        );
    }
    ixs.push(
        token_ix::initialize_mint2(program, mint, authority, None, decimals)
            .map_err(|e| token_error(mint, "initialise mint", e))?,
    );
    Ok(ixs)
}

/// Bytes of a token account of a mint whose data is `mint_data` under `program`: 165
/// for SPL Token, plus what the mint's extensions require of accounts under Token-2022.
pub fn account_len(
    program: &Pubkey,
    mint: &Pubkey,
    mint_data: &[u8],
) -> Result<usize, ClusterError> {
    if *program != TOKEN_2022 {
        return Ok(SPL_ACCOUNT_LEN);
    }
    let state = StateWithExtensions::<MintState>::unpack(mint_data)
        .map_err(|e| token_error(mint, "mint state", e))?;
    let kinds = state
        .get_extension_types()
        .map_err(|e| token_error(mint, "mint extensions", e))?;
    let needed = ExtensionType::get_required_init_account_extensions(&kinds);
    ExtensionType::try_calculate_account_len::<TokenState>(&needed)
        .map_err(|e| token_error(mint, "account length", e))
}

/// Creates token account `account` (a new keypair's key, which must sign) of `mint`
/// owned by `owner`, `len` bytes and `lamports` of rent.
pub fn create_account(
    payer: &Pubkey,
    account: &Pubkey,
    mint: &Pubkey,
    owner: &Pubkey,
    program: &Pubkey,
    len: usize,
    lamports: u64,
) -> Result<Vec<Instruction>, ClusterError> {
    Ok(vec![
        anchor_lang::solana_program::system_instruction::create_account(
            payer, account, lamports, len as u64, program,
        ),
        token_ix::initialize_account3(program, account, mint, owner)
            .map_err(|e| token_error(account, "initialise account", e))?,
    ])
}

/// Mints `amount` of `mint` into `to`, signed by the mint authority `authority`.
pub fn mint_to(
    program: &Pubkey,
    mint: &Pubkey,
    to: &Pubkey,
    authority: &Pubkey,
    amount: u64,
) -> Result<Instruction, ClusterError> {
    token_ix::mint_to(program, mint, to, authority, &[], amount)
        .map_err(|e| token_error(mint, "mint to", e))
}

/// Hands the mint authority of `mint` from `current` to `new_authority`.
pub fn set_mint_authority(
    program: &Pubkey,
    mint: &Pubkey,
    current: &Pubkey,
    new_authority: &Pubkey,
) -> Result<Instruction, ClusterError> {
    token_ix::set_authority(
        program,
        mint,
        Some(new_authority),
        token_ix::AuthorityType::MintTokens,
        current,
        &[],
    )
    .map_err(|e| token_error(mint, "set authority", e))
}

/// The raw amount a token account holds.
pub fn amount(key: &Pubkey, data: &[u8]) -> Result<u64, ClusterError> {
    StateWithExtensions::<TokenState>::unpack(data)
        .map(|s| s.base.amount)
        .map_err(|e| token_error(key, "not a token account", e))
}

/// The owner of a token account.
pub fn owner(key: &Pubkey, data: &[u8]) -> Result<Pubkey, ClusterError> {
    StateWithExtensions::<TokenState>::unpack(data)
        .map(|s| s.base.owner)
        .map_err(|e| token_error(key, "not a token account", e))
}

/// A mint's supply.
pub fn supply(key: &Pubkey, data: &[u8]) -> Result<u64, ClusterError> {
    StateWithExtensions::<MintState>::unpack(data)
        .map(|s| s.base.supply)
        .map_err(|e| token_error(key, "not a mint", e))
}

/// Reads an account that must exist.
async fn existing(
    cluster: &mut impl Cluster,
    key: &Pubkey,
    what: &str,
) -> Result<solana_sdk::account::Account, ClusterError> {
    cluster
        .account(key)
        .await?
        .ok_or_else(|| ClusterError::Decode {
            key: *key,
            reason: format!("no such {what}"),
        })
}

/// The raw amount token account `key` holds on `cluster`.
pub async fn balance(cluster: &mut impl Cluster, key: &Pubkey) -> Result<u64, ClusterError> {
    let account = existing(cluster, key, "token account").await?;
    amount(key, &account.data)
}

/// The supply of mint `key` on `cluster`.
pub async fn mint_supply(cluster: &mut impl Cluster, key: &Pubkey) -> Result<u64, ClusterError> {
    let account = existing(cluster, key, "mint").await?;
    supply(key, &account.data)
}

/// The token program that owns mint `key` on `cluster`, and the mint's data.
pub async fn mint_program(
    cluster: &mut impl Cluster,
    key: &Pubkey,
) -> Result<(Pubkey, Vec<u8>), ClusterError> {
    let account = existing(cluster, key, "mint").await?;
    Ok((account.owner, account.data))
}
